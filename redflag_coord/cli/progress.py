"""Progress on stderr for a person watching a long command: what it is doing, n of N and the time left.

The one place that decides whether progress is shown, and draws it with rich (already installed with
typer). Never when stderr is not a terminal (a pipe, a file, a CI log), never under CI (the CI variable),
never with JSON output, never with REDFLAG_NO_PROGRESS set; and nothing is drawn, nor rich imported,
until the work has run for REDFLAG_PROGRESS_AFTER seconds (default 1): a fast command costs nothing.
Stdout is never touched, so what a command prints is the same bytes with or without a bar.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from redflag_coord import progress

AFTER = 1.0  # seconds of work before a bar appears
_LANGS = ("en", "es", "fr", "hi", "pt")  # the catalogs that word the stages


def wanted(args: Sequence[str] = (), environ: dict[str, str] | None = None, stream: Any = None) -> bool:
    """Whether a person is watching: stderr a terminal, no CI, no JSON asked for, not switched off."""
    env = os.environ if environ is None else environ
    if env.get("REDFLAG_NO_PROGRESS") or env.get("CI"):
        return False
    if _json(args):
        return False
    err = sys.stderr if stream is None else stream
    try:
        return bool(err.isatty())
    except (AttributeError, ValueError):  # closed or replaced by something without a terminal
        return False


def _json(args: Sequence[str]) -> bool:
    for i, a in enumerate(args):
        if a in ("--format=json", "--json") or (a == "--format" and i + 1 < len(args) and args[i + 1] == "json"):
            return True
    return False


def language(environ: dict[str, str] | None = None) -> str:
    """The language of the bar's words: the terminal's locale (LC_ALL, LC_MESSAGES, LANG) when a catalog has it."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            code = value.split(".")[0].split("_")[0].lower()
            return code if code in _LANGS else "en"
    return "en"


@contextmanager
def shown(args: Sequence[str] = ()) -> Iterator[None]:
    """While the block runs, the library's progress (redflag_coord.progress) goes to a bar on stderr when
    a person watches; otherwise nothing listens."""
    if not wanted(args):
        yield
        return
    bar = _Bar(language(), _after())
    try:
        with progress.listening(bar.update):
            yield
    finally:
        bar.close()


def _after() -> float:
    try:
        return max(0.0, float(os.environ.get("REDFLAG_PROGRESS_AFTER", AFTER)))
    except ValueError:
        return AFTER


class _Bar:
    """rich's Progress, made only once the work has lasted `after` seconds; one task per stage."""

    def __init__(self, lang: str, after: float) -> None:
        self.lang, self.after = lang, after
        self.started = time.monotonic()
        self.rich: Any = None
        self.tasks: dict[str, Any] = {}
        self.labels: Any = None

    def update(self, stage: str, done: int, total: int) -> None:
        if self.rich is None:
            if time.monotonic() - self.started < self.after:
                return
            self._start()
        task = self.tasks.get(stage)
        if task is None:
            task = self.tasks[stage] = self.rich.add_task(self._words(stage), total=total)
        self.rich.update(task, completed=done, total=total)

    def _words(self, stage: str) -> str:
        try:
            return str(self.labels(f"progress.{stage}"))
        except KeyError:  # a stage without words yet: its key, rather than no bar
            return stage

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        from redflag_coord.i18n.labels import Labels

        self.labels = Labels(self.lang)
        left = self._words("time_left")
        self.rich = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(left),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr),
            transient=True,  # the bar leaves no line behind: the command's own messages stay as they were
            redirect_stdout=False,  # rich would send what the command prints through its console (stderr)
            redirect_stderr=False,
        )
        self.rich.start()

    def close(self) -> None:
        if self.rich is not None:
            self.rich.stop()
