"""Progress on long work (issue 35): a person at a terminal sees what a long command is doing, how many of
how many and the time left, on stderr; a pipe, a CI log, JSON output and a fast command see nothing, and
stdout is the same bytes either way.

Through the console script, with stderr on a real pseudo-terminal (the pty module), as a person runs it.
REDFLAG_PROGRESS_AFTER=0 shows the bar from the first step, so a small generated organisation is enough.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from bench_helpers import generator

from redflag_coord.cli import progress as cli_progress
from redflag_coord.i18n.labels import Labels

EXE = Path(sys.executable).with_name("redflag-coord")
EXAMPLE = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated organisation: 8 collectives, 40 meetings (benchmarks/generate.py, fixed seed)."""
    gen = generator()
    root = tmp_path_factory.mktemp("progress") / "org"
    gen.generate(root, gen.Plan(collectives=8, meetings=40, participants=3, reports=True), seed=3)
    return root


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "REDFLAG_NO_PROGRESS", "REDFLAG_ROOT")}
    env.update({"REDFLAG_TODAY": "2026-11-27", "REDFLAG_DTSTAMP": "2026-11-27T12:00:00Z", "LANG": "C.UTF-8"})
    env.update({"REDFLAG_PROGRESS_AFTER": "0", "COLUMNS": "120", "PYTHONDONTWRITEBYTECODE": "1"})
    env.update(extra)
    return env


def _drain(fd: int) -> bytes:
    out = b""
    while True:
        try:
            ready, _, _ = select.select([fd], [], [], 0.05)
            data = os.read(fd, 65536) if ready else b""
        except OSError:  # the terminal's other side closed: everything was read
            return out
        if not data:
            return out
        out += data


def on_terminal(args: list[str], out: Path, **extra: str) -> tuple[int, bytes]:
    """Run with stderr on a pseudo-terminal and stdout to a file; the exit code and what the terminal got."""
    main, side = pty.openpty()
    with out.open("wb") as sink:
        proc = subprocess.Popen(
            [str(EXE), *args], stdout=sink, stderr=side, stdin=subprocess.DEVNULL, env=_env(**extra)
        )
    os.close(side)
    got = b""
    while proc.poll() is None:
        got += _drain(main)
    got += _drain(main)
    os.close(main)
    return proc.wait(timeout=300), got


def piped(args: list[str], **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(EXE), *args], capture_output=True, env=_env(**extra), timeout=300)


def _label(key: str, lang: str = "en") -> bytes:
    return Labels(lang)(f"progress.{key}").encode()


@pytest.mark.parametrize(
    ("args", "stage"),
    [(["validate"], "checking"), (["calendar"], "meetings"), (["fmt", "--check"], "formatting")],
)
def test_a_long_command_on_a_terminal_shows_progress_and_prints_the_same_bytes(large, tmp_path, args, stage):
    where = ["--root", str(large)] if args[0] != "validate" else [str(large)]
    code, terminal = on_terminal([*args, *where], tmp_path / "out")
    plain = piped([*args, *where])
    assert code == plain.returncode
    assert _label(stage) in terminal, terminal[-400:]
    assert b"/" in terminal and _label("time_left") in terminal  # n of N and the time left
    assert (tmp_path / "out").read_bytes() == plain.stdout  # stdout untouched by the bar
    for key in ("checking", "meetings", "formatting", "time_left"):
        assert _label(key) not in plain.stderr  # a pipe: nothing


@pytest.mark.parametrize("extra", [{"CI": "true"}, {"REDFLAG_NO_PROGRESS": "1"}])
def test_ci_or_the_switch_keeps_the_terminal_free_of_progress(large, tmp_path, extra):
    code, terminal = on_terminal(["validate", str(large)], tmp_path / "out", **extra)
    assert code == piped(["validate", str(large)]).returncode
    assert _label("checking") not in terminal and _label("time_left") not in terminal


def test_json_output_never_gets_a_bar_even_on_a_terminal(large, tmp_path):
    code, terminal = on_terminal(["validate", str(large), "--format", "json"], tmp_path / "out")
    plain = piped(["validate", str(large), "--format", "json"])
    assert code == plain.returncode
    assert _label("checking") not in terminal
    assert (tmp_path / "out").read_bytes() == plain.stdout


def test_the_bar_speaks_the_terminals_language(large, tmp_path):
    _, terminal = on_terminal(["validate", str(large)], tmp_path / "out", LANG="es_ES.UTF-8")
    assert _label("checking", "es") in terminal
    assert _label("checking") not in terminal


def test_a_fast_command_does_not_even_import_the_bar(tmp_path):
    """Before the bar is due nothing is drawn and rich is not imported: a quick command pays nothing."""
    args = ["validate", str(EXAMPLE)]
    _, slow_due = on_terminal(args, tmp_path / "a", REDFLAG_PROGRESS_AFTER="600", PYTHONPROFILEIMPORTTIME="1")
    assert b"rich.progress" not in slow_due and _label("checking") not in slow_due
    _, due_now = on_terminal(args, tmp_path / "b", PYTHONPROFILEIMPORTTIME="1")
    assert b"rich.progress" in due_now  # the same run, due at once: the bar (and rich) are there


class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("args", "environ", "tty", "expected"),
    [
        ([], {}, True, True),
        ([], {}, False, False),
        ([], {"CI": "true"}, True, False),
        ([], {"REDFLAG_NO_PROGRESS": "1"}, True, False),
        (["validate", "--format", "json"], {}, True, False),
        (["summary", "--format=json"], {}, True, False),
        (["validate", "--format", "github"], {}, True, True),
    ],
)
def test_who_is_watching(args, environ, tty, expected):
    assert cli_progress.wanted(args, environ, _Stream(tty)) is expected


def test_every_stage_is_worded_in_every_catalog():
    """Each of the five languages words every stage itself (no English fallback on a Hindi terminal)."""
    import tomllib

    locales = Path(cli_progress.__file__).resolve().parent.parent / "i18n" / "locales"
    stages = {"checking", "formatting", "describing", "meetings", "publishing", "reencrypt", "migrate", "sealing"}
    for lang in ("en", "es", "fr", "hi", "pt"):
        table = tomllib.loads((locales / f"{lang}.toml").read_text(encoding="utf-8"))["progress"]
        assert stages | {"time_left"} <= {k for k, v in table.items() if v.strip()}, lang
    assert cli_progress.language({"LANG": "pt_BR.UTF-8"}) == "pt"
    assert cli_progress.language({"LC_ALL": "de_DE.UTF-8", "LANG": "es_ES"}) == "en"  # no German catalog
    assert cli_progress.language({}) == "en"
