"""Journey: a member's first runs on a fresh clone of the organisation, and what each start loads.

A member clones the organisation's repository and runs `--help`, `validate` and `agenda` through the
console script. Each command does its job and starts without the libraries it does not use (the
guard for issue 22's start-up work): the modules are read from `python -X importtime`, so the test
asserts on what was imported, never on times.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DEMO_IDENTITY
from git_helpers import example_repo

EXE = shutil.which("redflag-coord", path=str(Path(sys.executable).parent)) or shutil.which("redflag-coord")

# Never needed to show help: the data models, the file writers, calendars, dates in a language, keys.
NOT_FOR_HELP = {"pydantic", "tomlkit", "icalendar", "babel", "pyrage", "redflag_coord.org.model"}
# Reading and checking the files writes nothing, makes no calendar, formats no date, forks no worker.
# (How typer checks option values is typer's business: we use its public API only.)
NOT_FOR_VALIDATE = {
    "tomlkit",
    "icalendar",
    "babel",
    "babel.dates",
    "multiprocessing",
    "concurrent.futures",
    "redflag_coord.agenda",
    "redflag_coord.calendar",
}
NOT_FOR_AGENDA = {"tomlkit", "icalendar", "multiprocessing", "concurrent.futures"}


def run(root: Path, *args: str, code: int = 0, identity: bool = False) -> tuple[str, set[str]]:
    """Run the console script as a member would; returns its output and the modules it imported."""
    env = {**os.environ, "REDFLAG_TODAY": "2026-11-27"}
    if not identity:
        env.pop("REDFLAG_IDENTITY", None)  # a member's first run: no key yet
    else:
        env["REDFLAG_IDENTITY"] = str(DEMO_IDENTITY)
    env.pop("PYDANTIC_DISABLE_PLUGINS", None)
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", EXE, *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    modules, err = set(), []
    for line in proc.stderr.splitlines():
        if line.startswith("import time:"):
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                modules.add(name)
        else:
            err.append(line)
    assert proc.returncode == code, f"{args}: {proc.returncode}\n{proc.stdout}\n" + "\n".join(err)
    assert "Traceback" not in proc.stderr
    return proc.stdout + "\n".join(err), modules


def test_first_runs_on_a_fresh_clone(tmp_path: Path) -> None:
    if EXE is None:
        pytest.skip("the console script is not installed")
    origin = example_repo(tmp_path, drop_reports=None)
    clone = tmp_path / "member"
    subprocess.run(["git", "clone", "-q", str(origin.root), str(clone)], check=True, capture_output=True)

    # 1. What can this tool do? Every command is listed, nothing else is loaded.
    out, modules = run(clone, "--help")
    for command in ("validate", "agenda", "calendar", "report", "secrets"):
        assert f"  {command} " in out
    assert "redflag_coord.cli.app" in modules  # the guard reads the right process
    assert not NOT_FOR_HELP & modules, NOT_FOR_HELP & modules
    out, modules = run(clone, "agenda", "--help")
    assert "Usage: redflag-coord agenda" in out and "MEETING" in out
    # typer (>= 0.26) builds a command's options with pydantic: its public machinery, its import.
    assert not (NOT_FOR_HELP - {"pydantic"}) & modules, NOT_FOR_HELP & modules

    # 2. Is the clone sound? Every file checked; no key yet, so the encrypted values are only counted.
    out, modules = run(clone, "validate")
    assert "0 error(s), 0 warning(s) in 40 files" in out
    assert "no identity given" in out
    assert "pydantic" in modules and "redflag_coord.check.validate" in modules
    assert not NOT_FOR_VALIDATE & modules, NOT_FOR_VALIDATE & modules

    # 3. The next meeting's agenda, in the member's terminal.
    out, modules = run(clone, "agenda", "ic-2026-12")
    assert out.startswith("International Committee: developing communist mass leaders amidst growing fascism\n")
    assert "Saturday, December 12, 2026" in out
    line = next(x for x in out.splitlines() if "Africa/Johannesburg" in x)
    assert line.split()[:2] == ["South", "Africa"] and "5:00" in line and "8:00" in line  # the opening collective
    assert "babel.dates" in modules  # dates in the member's language
    assert not NOT_FOR_AGENDA & modules, NOT_FOR_AGENDA & modules
    assert subprocess.run(["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True).stdout == ""


@pytest.mark.parametrize(
    ("args", "identity"),
    [
        (["summary"], False),
        (["report", "status", "ic-2026-12"], False),
        (["network"], True),
        (["minutes", "show", "ic-2026-06"], False),
        (["secrets", "show", "los-angeles"], True),
        (["agenda", "ic-2026-12", "--for", "los-angeles"], True),
    ],
)
def test_reads_start_without_writers(tmp_path: Path, args: list[str], identity: bool) -> None:
    """The other reads, with the DEMO key or without: no comment-keeping writer, no calendar library,
    no worker processes."""
    if EXE is None:
        pytest.skip("the console script is not installed")
    root = example_repo(tmp_path, drop_reports=None).root
    code = 1 if args[:2] == ["report", "status"] else 0  # three collectives have not filed: exit 1, as documented
    out, modules = run(root, *args, identity=identity, code=code)
    assert out.strip()
    assert not {"tomlkit", "icalendar", "multiprocessing"} & modules
    assert ("pyrage" in modules) or not identity  # the key holder's values are opened
