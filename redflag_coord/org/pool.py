"""Checking many files on every core: read, parse and validate spread over processes.

The per-file work (`load.check_file`: read, parse, validate) is independent from
file to file and is nearly all of `validate`. For a large organisation, forked
worker processes and this process take chunks of files in turn (each the next index
from one pipe, until none is left), so a busy core simply does less. Each file is still read, parsed and validated exactly once, by the same
function as the serial path, so the problems are the same whatever the number of
processes; workers send their models back as pydantic JSON. Small organisations
(the common case) stay in one process: forking costs more than it saves there.

The workers are plain `os.fork` children with pipes, not multiprocessing's pool: its
modules, management thread, queues and shared ctypes array cost this process about
2 MiB at its peak (`validate` of 10,000 files), for what two pipes do here.
"""

from __future__ import annotations

import gc
import os
import select
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from redflag_coord import progress

if TYPE_CHECKING:
    from redflag_coord.org.model import FileModel
    from redflag_coord.org.parse import Entry
    from redflag_coord.org.problems import Problem

    Checked = tuple[FileModel | None, list[Problem]]

R = TypeVar("R")

PARALLEL_FROM = 400  # files; below this one process is faster than forking
MIN_CHUNK, MAX_CHUNK = 25, 250

_INDEX = 4  # bytes of a chunk's index in the pipe of chunks still to take
_HEAD = 8  # bytes of the length before each of a worker's packed chunks


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
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1


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
    return map_entries(CHECK, entries, workers)


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


def _build_models() -> None:
    """The file models are built on first use (defer_build keeps start-up short); build them all."""
    from redflag_coord.org.model import FILE_MODELS

    for model in FILE_MODELS.values():
        model.model_rebuild()


def _map(job: Job[R], entries: Sequence[Entry], n: int) -> list[R]:
    progress.begin(job.stage, len(entries))
    size = max(MIN_CHUNK, min(MAX_CHUNK, len(entries) // (n * 8) or 1))
    chunks = [(i, min(i + size, len(entries))) for i in range(0, len(entries), size)]
    if n <= 1 or len(chunks) * _INDEX > select.PIPE_BUF * 16:  # the chunk list must fit in a pipe's buffer
        return _run_range(job, entries, 0, len(entries), tick=True)
    _build_models()  # before the fork, so the workers do not each build them again
    results: list[list[R] | None] = [None] * len(chunks)
    todo_r, todo_w = os.pipe()  # every chunk's index, taken one read at a time by whichever process is free
    os.write(todo_w, b"".join(k.to_bytes(_INDEX, "little") for k in range(len(chunks))))
    workers: dict[int, tuple[int, bytearray | None]] = {}  # result pipe -> (pid, bytes read so far; None: done)
    finished = False
    try:
        for _ in range(n - 1):
            out_r, out_w = os.pipe()
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the child (coverage does not follow it)
                os.close(out_r)
                os.close(todo_w)
                _worker(job, entries, chunks, todo_r, out_w)
            os.close(out_w)
            os.set_blocking(out_r, False)
            workers[out_r] = (pid, bytearray())
        os.close(todo_w)
        todo_w = -1
        while (k := _take(todo_r)) is not None:  # this process takes chunks too, between reading results
            results[k] = _run_range(job, entries, *chunks[k])
            progress.advance(chunks[k][1] - chunks[k][0])
            _absorb(job, workers, results, entries, chunks, wait=False)
        _absorb(job, workers, results, entries, chunks, wait=True)
        finished = True
    finally:
        os.close(todo_r)
        if todo_w >= 0:
            os.close(todo_w)
        for fd, (pid, _) in workers.items():
            os.close(fd)
            if not finished:  # interrupted, or a bug here: the workers' results are not wanted any more
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    for k, chunk in enumerate(chunks):
        if results[k] is None:  # taken by a worker that died
            results[k] = _run_range(job, entries, *chunk)
    return [item for chunk in results for item in chunk or ()]


def _take(todo: int) -> int | None:
    """The next chunk to check, or None when every chunk is taken: reads of a pipe are whole and
    one at a time, so no two processes take the same index."""
    raw = os.read(todo, _INDEX)
    return int.from_bytes(raw, "little") if len(raw) == _INDEX else None


def _worker(job: Job, entries: Sequence[Entry], chunks: list[tuple[int, int]], todo: int, out: int) -> None:
    """In a forked child: run the job on chunks until none is left, each sent back packed; then exit
    without running this process's exit handlers (they belong to the parent). A failure exits too:
    its chunk is then done again, and fails again, in the parent."""
    import pickle

    code = 0
    try:
        while (k := _take(todo)) is not None:
            packed = pickle.dumps((k, [job.pack(r) for r in _run_range(job, entries, *chunks[k])]), protocol=5)
            data = len(packed).to_bytes(_HEAD, "little") + packed
            while data:
                data = data[os.write(out, data) :]
    except BaseException:  # an interrupt or a bug: the parent redoes the chunk and reports it
        code = 1
    finally:
        os._exit(code)


def _absorb(
    job: Job[R],
    workers: dict[int, tuple[int, bytearray | None]],
    results: list,
    entries: Sequence[Entry],
    chunks: list[tuple[int, int]],
    wait: bool,
) -> None:
    """Take in what the workers have sent; with `wait`, until every worker has finished (or died)."""
    import pickle

    open_fds = [fd for fd, (_, buf) in workers.items() if buf is not None]
    while open_fds:
        ready, _, _ = select.select(open_fds, [], [], None if wait else 0)
        if not ready:
            return
        for fd in ready:
            pid, buf = workers[fd]
            assert buf is not None
            try:
                data = os.read(fd, 1 << 20)
            except BlockingIOError:
                continue
            if not data:  # the worker is done (or died: a chunk it took and did not send is redone here)
                workers[fd] = (pid, None)
                open_fds.remove(fd)
                continue
            buf += data
            while len(buf) >= _HEAD and len(buf) >= _HEAD + (size := int.from_bytes(buf[:_HEAD], "little")):
                k, packed = pickle.loads(bytes(buf[_HEAD : _HEAD + size]))
                del buf[: _HEAD + size]
                start, end = chunks[k]
                results[k] = [job.unpack(e, p) for e, p in zip(entries[start:end], packed)]
                progress.advance(end - start)


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
