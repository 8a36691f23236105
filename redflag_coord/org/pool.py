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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from redflag_coord import progress

if TYPE_CHECKING:
    from concurrent.futures import Future

    from redflag_coord.org.model import FileModel
    from redflag_coord.org.parse import Entry
    from redflag_coord.org.problems import Problem

    Checked = tuple[FileModel | None, list[Problem]]

R = TypeVar("R")

PARALLEL_FROM = 400  # files; below this one process is faster than forking
MIN_CHUNK, MAX_CHUNK = 25, 250

# The job and entries of the current run; forked workers inherit them, so only indices cross the pipe.
_JOB: Job | None = None
_ENTRIES: Sequence[Entry] = ()
_CHUNKS: list[tuple[int, int]] = []
_NEXT = None  # shared [front, back] chunk indices (a multiprocessing Array)


@dataclass(frozen=True)
class Job(Generic[R]):
    """Work done on each entry, in whichever process takes its chunk.

    `run` gives the result for one entry; a worker sends `pack(result)` through the pipe and
    this process turns it back with `unpack(entry, packed)` (by default the result itself, pickled).
    """

    run: Callable[[Entry], R]
    keeps: bool = True  # whether what `run` builds stays alive (see _gc_paused); False: most of it is let go
    pack: Callable[[R], Any] = field(default=lambda result: result)
    unpack: Callable[[Entry, Any], R] = field(default=lambda entry, packed: packed)
    stage: str = "checking"  # what the progress shown on a terminal says is being done (redflag_coord.progress)


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
    """(model, problems) for each entry, in order, using `workers_for` processes.

    Before forking, the files the cache answers from their stat alone are taken here (issue 35): a
    worker would read the same entry, then send the model through a pipe to be validated twice."""
    if workers_for(len(entries), workers) <= 1:
        return map_entries(CHECK, entries, workers)
    from redflag_coord.org import cached

    with _gc_paused():
        known = {i: r for i, e in enumerate(entries) if (r := cached.answered(e.path, e.rel, e.kind)) is not None}
    rest = [e for i, e in enumerate(entries) if i not in known]
    done = iter(map_entries(CHECK, rest, workers))
    return [(known[i].model, known[i].problems) if i in known else next(done) for i in range(len(entries))]


def map_entries(job: Job[R], entries: Sequence[Entry], workers: int | None = None) -> list[R]:
    """`job.run(entry)` for each entry, in order, using `workers_for` processes.

    Workers are forked, so they see everything this process holds at the call (the loaded part of
    an organisation, say) without it crossing a pipe; only their results come back."""
    if not job.keeps:  # garbage from each entry: the collector frees the cycles it holds as it goes
        return _map(job, entries, workers_for(len(entries), workers))
    with _gc_paused():
        return _map(job, entries, workers_for(len(entries), workers))


def _check_one(e: Entry) -> Checked:
    from redflag_coord.org import cached  # through the cache (off: parse.check_file, looked up at each call)

    result = cached.check(e.path, e.rel, e.kind)
    return result.model, result.problems


def _model_json(checked: Checked) -> tuple[str | None, list[Problem]]:
    model, problems = checked
    return (None if model is None else model.model_dump_json(by_alias=True, exclude_unset=True)), problems


def _model_back(e: Entry, packed: tuple[str | None, list[Problem]]) -> Checked:
    """A model back from a worker's JSON: pydantic-core reads its own JSON about four times faster than
    pickle rebuilds a model, and the worker writes it faster too. The JSON holds only the keys the
    file set (exclude_unset), so the model is equal to the worker's, fields set included."""
    from redflag_coord.org.model import FILE_MODELS

    text, problems = packed
    if text is None:
        return None, problems
    try:
        return FILE_MODELS[e.kind].model_validate_json(text), problems
    except ValueError:  # never expected: a model's own JSON; if so, check the file here
        return _check_one(e)


CHECK: Job[Checked] = Job(_check_one, pack=_model_json, unpack=_model_back)


def _build_models(entries: Sequence[Any]) -> None:
    """The file models are built on first use (defer_build keeps start-up short); build those of the
    kinds of file among `entries` (each validator held costs memory in every process), or all of them
    for other work (fmt's files)."""
    from redflag_coord.org.model import FILE_MODELS

    kinds = {getattr(e, "kind", None) for e in entries}
    for kind, model in FILE_MODELS.items():
        if kind in kinds or None in kinds:
            model.model_rebuild()


def _map(job: Job[R], entries: Sequence[Entry], n: int) -> list[R]:
    progress.begin(job.stage, len(entries))
    if n <= 1:
        return _run_range(job, entries, 0, len(entries), tick=True)
    import multiprocessing  # only a large organisation forks: small ones start without these
    from concurrent.futures import ProcessPoolExecutor

    _build_models(entries)  # before the fork, so the workers do not each build them again
    size = max(MIN_CHUNK, min(MAX_CHUNK, len(entries) // (n * 8) or 1))
    chunks = [(i, min(i + size, len(entries))) for i in range(0, len(entries), size)]
    results: list[list[R] | None] = [None] * len(chunks)
    ctx = multiprocessing.get_context("fork")
    global _JOB, _ENTRIES, _CHUNKS, _NEXT
    _JOB, _ENTRIES, _CHUNKS = job, entries, chunks
    _NEXT = ctx.Array("i", [0, len(chunks)])  # [front, back]: workers take from the front, we from the back
    try:
        with ProcessPoolExecutor(max_workers=n - 1, mp_context=ctx) as pool:
            pending = [pool.submit(_worker_take) for _ in chunks]
            while (k := _take(back=True)) is not None:
                results[k] = _run_range(job, entries, *chunks[k])
                progress.advance(chunks[k][1] - chunks[k][0])
                pending = _absorb(job, pending, results, entries, wait=False)
            _absorb(job, pending, results, entries, wait=True)
    finally:
        _JOB, _ENTRIES, _CHUNKS, _NEXT = None, (), [], None
    for k, chunk in enumerate(chunks):
        if results[k] is None:  # taken by a worker that died
            results[k] = _run_range(job, entries, *chunk)
    return [item for chunk in results for item in chunk or ()]


def _absorb(job: Job[R], pending: list[Future], results: list, entries: Sequence[Entry], wait: bool) -> list[Future]:
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
            k, packed = taken
            start, end = _CHUNKS[k] if _CHUNKS else (0, 0)
            results[k] = [job.unpack(e, p) for e, p in zip(entries[start:end], packed)]
            progress.advance(end - start)
    return still


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


def _worker_take() -> tuple[int, list] | None:
    """In a worker: run the job on the next chunk from the front; its results go back packed."""
    k = _take(back=False)
    if k is None:
        return None
    assert _JOB is not None
    return k, [_JOB.pack(r) for r in _run_range(_JOB, _ENTRIES, *_CHUNKS[k])]


def _run_range(job: Job[R], entries: Sequence[Entry], start: int, end: int, tick: bool = False) -> list[R]:
    run = job.run
    if tick:  # one process does it all: each file is a step of the progress shown
        out = []
        for e in entries[start:end]:
            out.append(run(e))
            progress.advance()
        return out
    return [run(e) for e in entries[start:end]]


def map_files(
    func: Callable[[Any], R], items: Sequence[Any], workers: int | None = None, stage: str = "checking"
) -> list[R]:
    """`func(item)` for each item, in order, over `workers_for` processes: `map_entries` with a plain
    function (fmt's files), whose results must pickle and come back as they are."""
    return map_entries(Job(func, keeps=False, stage=stage), items, workers)
