"""How far long work has come, told to whoever listens: the library says what it is doing and how many
of how many; only the command line listens (cli/progress.py draws it on a terminal). Nothing here
imports anything: a tick costs one test of a global when nobody listens (pipes, CI, tests, libraries)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# (stage, done, total): the stage is a key of the i18n catalogs' [progress] table ("checking", ...)
Listener = Callable[[str, int, int], None]

_listener: Listener | None = None
_pid = 0  # the process that listens: a forked worker inherits the listener but must never draw
_stage = ""
_done = 0
_total = 0


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Send every stage and step to `listener` while the block runs (the command line's bar)."""
    global _listener, _pid
    before, _listener, _pid = _listener, listener, os.getpid()
    try:
        yield
    finally:
        _listener = before


def begin(stage: str, total: int) -> None:
    """A new stage of `total` steps (files, meetings, pages, values) starts."""
    global _stage, _done, _total
    if _listener is None or os.getpid() != _pid:
        return
    _stage, _done, _total = stage, 0, total
    _listener(stage, 0, total)


def advance(steps: int = 1) -> None:
    """`steps` more of the current stage are done."""
    global _done
    if _listener is None or not _total or os.getpid() != _pid:
        return
    _done = min(_total, _done + steps)
    _listener(_stage, _done, _total)
