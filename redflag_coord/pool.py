"""Checking many files on every core: read, parse and validate spread over processes.

The per-file work (`load.check_file`) is independent from file to file and is
almost all pure-Python TOML parsing, so a large organisation is split into
chunks that forked worker processes and this process take in turn (workers from
the front, this process from the back, until none is left), so a busy core
does less and nobody waits. Each file is still
read, parsed and validated exactly once, by the same function as the serial
path, so the problems are the same whatever the number of processes. Small
organisations (the common case) stay in one process: forking costs more than it
saves there.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .load import Entry
    from .model import FileModel
    from .problems import Problem

    Checked = tuple[FileModel | None, list[Problem]]

PARALLEL_FROM = 400  # files; below this one process is faster than forking
MIN_CHUNK, MAX_CHUNK = 25, 250

# The entries of the current run; forked workers inherit them, so only indices cross the pipe.
_ENTRIES: Sequence[Entry] = ()
_CHUNKS: list[tuple[int, int]] = []
_NEXT = None  # shared [front, back] chunk indices (a multiprocessing Array)


def cpus() -> int:
    """Cores this process may run on (not the machine's total under a CPU mask)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def workers_for(files: int, requested: int | None = None) -> int:
    """How many processes (this one included) check `files` files.

    `requested` (or REDFLAG_WORKERS) fixes it; by default every core, from PARALLEL_FROM files,
    where the operating system can fork (Linux). 1 means serial.
    """
    if requested is None:
        env = os.environ.get("REDFLAG_WORKERS", "").strip()
        requested = int(env) if env.isdigit() and int(env) > 0 else None
    if requested is None:
        if files < PARALLEL_FROM or not _can_fork():
            return 1
        requested = cpus()
    if not _can_fork():
        return 1
    return max(1, min(requested, files // MIN_CHUNK or 1))


def _can_fork() -> bool:
    # Forked workers share the loaded modules and the entry list: no import, no pickled input.
    # Elsewhere (macOS, Windows) a spawned worker would import pydantic first: not worth it.
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Parsing makes many small acyclic objects that all stay alive: the cycle collector would
    only rescan them, again and again as they age (about a tenth of the time of a large run).
    Reference counting still frees everything that dies. Afterwards the survivors go to the
    permanent generation (gc.freeze), so the first collection does not scan them all once more;
    they are still freed by reference counting when the organisation is dropped."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


def check_entries(entries: Sequence[Entry], workers: int | None = None) -> list[Checked]:
    """(model, problems) for each entry, in order, using `workers_for` processes."""
    with _gc_paused():
        return _check_entries(entries, workers_for(len(entries), workers))


def _check_entries(entries: Sequence[Entry], n: int) -> list[Checked]:
    if n <= 1:
        return _check_range(entries, 0, len(entries))
    size = max(MIN_CHUNK, min(MAX_CHUNK, len(entries) // (n * 8) or 1))
    chunks = [(i, min(i + size, len(entries))) for i in range(0, len(entries), size)]
    results: list[list[Checked] | None] = [None] * len(chunks)
    ctx = multiprocessing.get_context("fork")
    global _ENTRIES, _CHUNKS, _NEXT
    _ENTRIES, _CHUNKS = entries, chunks
    _NEXT = ctx.Array("i", [0, len(chunks)])  # [front, back]: workers take from the front, we from the back
    try:
        with ProcessPoolExecutor(max_workers=n - 1, mp_context=ctx) as pool:
            futures = [pool.submit(_worker_take) for _ in chunks]
            while (k := _take(back=True)) is not None:
                results[k] = _check_range(entries, *chunks[k])
            for future in futures:
                try:
                    taken = future.result()
                except BrokenProcessPool:  # a worker was killed (out of memory?): its chunks are redone below
                    continue
                if taken is not None:
                    results[taken[0]] = taken[1]
    finally:
        _ENTRIES, _CHUNKS, _NEXT = (), [], None
    for k, chunk in enumerate(chunks):
        if results[k] is None:
            results[k] = _check_range(entries, *chunk)
    return [item for chunk in results for item in chunk or ()]


def _take(back: bool) -> int | None:
    """The next chunk to check, or None when every chunk is taken."""
    assert _NEXT is not None
    with _NEXT.get_lock():
        front, end = _NEXT[0], _NEXT[1]
        if front >= end:
            return None
        if back:
            _NEXT[1] = end - 1
            return end - 1
        _NEXT[0] = front + 1
        return front


def _worker_take() -> tuple[int, list[Checked]] | None:
    k = _take(back=False)
    return None if k is None else (k, _check_range(_ENTRIES, *_CHUNKS[k]))


def _check_range(entries: Sequence[Entry], start: int, end: int) -> list[Checked]:
    from .load import check_file

    out = []
    for e in entries[start:end]:
        result = check_file(e.path, e.rel, e.kind)
        out.append((result.model, result.problems))
    return out
