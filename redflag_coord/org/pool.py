"""Checking many files on every core: read, parse and validate spread over processes.

The per-file work (`load.check_file`: read, parse, validate) is independent from
file to file and is nearly all of `validate`. For a large organisation, forked
worker processes and this process take chunks of files in turn (workers from the
front, this process from the back, until none is left), so a busy core simply does
less. Each file is still read, parsed and validated exactly once, by the same
function as the serial path, so the problems are the same whatever the number of
processes; workers send their models back as pydantic JSON. Small organisations
(the common case) stay in one process: forking costs more than it saves there.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import Future

    from redflag_coord.org.model import FileModel
    from redflag_coord.org.parse import Entry
    from redflag_coord.org.problems import Problem

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
    # Forking a process that runs other threads can deadlock the child: then stay serial.
    import multiprocessing  # here, not at the top: a small organisation never forks (start-up time)

    return (
        sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


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


def _build_models() -> None:
    """The file models are built on first use (defer_build keeps start-up short); build them all."""
    from redflag_coord.org.model import FILE_MODELS

    for model in FILE_MODELS.values():
        model.model_rebuild()


def _check_entries(entries: Sequence[Entry], n: int) -> list[Checked]:
    if n <= 1:
        return _check_range(entries, 0, len(entries))
    import multiprocessing  # only a large organisation forks: small ones start without these
    from concurrent.futures import ProcessPoolExecutor

    _build_models()  # before the fork, so the workers do not each build them again
    size = max(MIN_CHUNK, min(MAX_CHUNK, len(entries) // (n * 8) or 1))
    chunks = [(i, min(i + size, len(entries))) for i in range(0, len(entries), size)]
    results: list[list[Checked] | None] = [None] * len(chunks)
    ctx = multiprocessing.get_context("fork")
    global _ENTRIES, _CHUNKS, _NEXT
    _ENTRIES, _CHUNKS = entries, chunks
    _NEXT = ctx.Array("i", [0, len(chunks)])  # [front, back]: workers take from the front, we from the back
    try:
        with ProcessPoolExecutor(max_workers=n - 1, mp_context=ctx) as pool:
            pending = [pool.submit(_worker_take) for _ in chunks]
            while (k := _take(back=True)) is not None:
                results[k] = _check_range(entries, *chunks[k])
                pending = _absorb(pending, results, entries, wait=False)
            _absorb(pending, results, entries, wait=True)
    finally:
        _ENTRIES, _CHUNKS, _NEXT = (), [], None
    for k, chunk in enumerate(chunks):
        if results[k] is None:  # taken by a worker that died
            results[k] = _check_range(entries, *chunk)
    return [item for chunk in results for item in chunk or ()]


def _absorb(pending: list[Future], results: list, entries: Sequence[Entry], wait: bool) -> list[Future]:
    """Take in the workers' finished chunks; returns the futures still running."""
    from concurrent.futures.process import BrokenProcessPool

    still = []
    for future in pending:
        if not (wait or future.done()):
            still.append(future)
            continue
        try:
            taken = future.result()
        except BrokenProcessPool:  # a worker was killed (out of memory?): its chunk is redone here
            continue
        if taken is not None:
            k, compact = taken
            results[k] = _rehydrate(entries, _CHUNKS[k] if _CHUNKS else (0, 0), compact)
    return still


def _rehydrate(entries: Sequence[Entry], chunk: tuple[int, int], compact: list) -> list[Checked]:
    """Models back from a worker's JSON: pydantic-core reads its own JSON about four times faster than
    pickle rebuilds a model, and the worker writes it faster too. The JSON holds only the keys the
    file set (exclude_unset), so each model is equal to the worker's, fields set included."""
    from redflag_coord.org.model import FILE_MODELS
    from redflag_coord.org.parse import check_file

    out: list[Checked] = []
    for e, (text, problems) in zip(entries[chunk[0] : chunk[1]], compact):
        model = None
        if text is not None:
            try:
                model = FILE_MODELS[e.kind].model_validate_json(text)
            except ValueError:  # never expected: a model's own JSON; if so, check the file here
                result = check_file(e.path, e.rel, e.kind)
                model, problems = result.model, result.problems
        out.append((model, problems))
    return out


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


def _worker_take() -> tuple[int, list[tuple[str | None, list[Problem]]]] | None:
    """In a worker: check the next chunk from the front; its models go back as JSON."""
    k = _take(back=False)
    if k is None:
        return None
    compact = []
    for model, problems in _check_range(_ENTRIES, *_CHUNKS[k]):
        text = None if model is None else model.model_dump_json(by_alias=True, exclude_unset=True)
        compact.append((text, problems))
    return k, compact


def _check_range(entries: Sequence[Entry], start: int, end: int) -> list[Checked]:
    from redflag_coord.org.parse import check_file

    out = []
    for e in entries[start:end]:
        result = check_file(e.path, e.rel, e.kind)
        out.append((result.model, result.problems))
    return out
