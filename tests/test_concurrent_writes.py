"""Two writers of each kind against one file at the same moment: no edit is ever lost, and the one
that lost the race says so (repo/fsio: a folder lock, a check before the rename, no-replace creation).

Real processes (forked, each running the CLI's `main` as the console script does) started together
by one event. REDFLAG_STRESS_RUNS sets the runs per kind (default 10, to keep CI fast on 2 cores);
REDFLAG_STRESS_200=1 adds the slow-marked test with the issue's 200 runs per kind.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import sys
import tomllib
from pathlib import Path

import pytest

from redflag_coord.repo import fsio

RUNS = int(os.environ.get("REDFLAG_STRESS_RUNS", "10"))
MEETING = "collectives/international-committee/meetings/ic-2026-12.toml"
REPORT = "collectives/france/reports/ic-2026-12.toml"
UNTIDY = "collectives/los-angeles/reports/ic-2026-12.toml"
_ctx = multiprocessing.get_context("fork")


def _child(argv: list[str], out: str, go, cwd: str) -> None:
    os.chdir(cwd)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - the process ends with the command
    sys.stderr = sys.stdout
    sys.argv = ["redflag-coord", *argv]
    go.wait()
    code = 0
    try:
        from redflag_coord.cli.app import main

        main()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    sys.stdout.flush()
    os._exit(code)


def race(root: Path, *argvs: list[str]) -> list[tuple[int, str]]:
    """Run the commands in separate processes released at the same instant; (exit code, output) each."""
    go = _ctx.Event()
    outs = [root.parent / f"out-{i}.txt" for i in range(len(argvs))]
    procs = [_ctx.Process(target=_child, args=(a, str(o), go, str(root))) for a, o in zip(argvs, outs)]
    for p in procs:
        p.start()
    go.set()
    for p in procs:
        p.join(60)
    return [(p.exitcode or 0, o.read_text(encoding="utf-8")) for p, o in zip(procs, outs)]


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    """Import every command once in the parent, so forked children start at once."""
    from redflag_coord.cli.app import make_app

    make_app()


def _fresh(tmp_path: Path, n: int) -> Path:
    root = tmp_path / f"run-{n}"
    shutil.copytree(Path(__file__).resolve().parent.parent / "collectives", root / "collectives")
    return root


def _lost_race(code: int, out: str) -> bool:
    return (code == 1 and "changed meanwhile" in out) or (code == 2 and " exists" in out)


def _bump_run(root: Path) -> tuple[int, int]:
    before = (
        tomllib.loads((root / MEETING).read_text())["sequence"] if "sequence" in (root / MEETING).read_text() else 0
    )
    results = race(root, ["invite", "ic-2026-12", "--bump"], ["invite", "ic-2026-12", "--bump"])
    after = tomllib.loads((root / MEETING).read_text())["sequence"]
    won = 0
    for code, out in results:
        if code == 0:
            won += 1
            said = int(re.search(r"sequence is now (\d+)", out).group(1))  # type: ignore[union-attr]
            assert f"SEQUENCE:{said}" in out, out  # the invite comes from the same read as the bump
        else:
            assert _lost_race(code, out), out
    assert after == before + won, "an increment was lost"
    return won, len(results) - won


def _report_run(root: Path) -> tuple[int, int]:
    results = race(root, ["report", "new", "france", "ic-2026-12"], ["report", "new", "france", "ic-2026-12"])
    winners = [out for code, out in results if code == 0]
    assert len(winners) == 1, results
    for code, out in results:
        assert (code == 0 and "wrote" in out) or _lost_race(code, out), out
    tomllib.loads((root / REPORT).read_text())
    return 1, 1


def _fmt_run(root: Path) -> tuple[int, int]:
    path = root / UNTIDY
    path.write_text(path.read_text().replace("filed = ", "filed   =   ", 1))
    results = race(root, ["fmt", str(path)], ["fmt", str(path)])
    for code, out in results:
        assert code == 0 or _lost_race(code, out), out
    assert "filed   =" not in path.read_text()
    lost = sum(code != 0 for code, _ in results)
    return len(results) - lost, lost


def _fmt_against_edit_run(root: Path) -> tuple[int, int]:
    """fmt and another writer (an editor saving through fsio) on one file: the edit is never lost."""
    path = root / UNTIDY
    path.write_text(path.read_text().replace("filed = ", "filed   =   ", 1))
    go = _ctx.Event()
    out = root.parent / "fmt.txt"
    p = _ctx.Process(target=_child, args=(["fmt", str(path)], str(out), go, str(root)))
    p.start()
    go.set()
    with fsio.update(path) as u:
        assert u.old is not None
        u.write(u.old + b"# an edit typed meanwhile\n")
    p.join(60)
    text = path.read_text()
    assert "# an edit typed meanwhile" in text, "the edit was lost"
    code = p.exitcode or 0
    assert code == 0 or _lost_race(code, out.read_text()), out.read_text()
    return 1, int(code != 0)  # the edit always lands: it is the winner when fmt is told


def _agenda_run(root: Path) -> tuple[int, int]:
    target = root / "agenda.md"
    results = race(
        root,
        ["agenda", "ic-2026-12", "--format", "markdown", "--output", str(target)],
        ["agenda", "ic-2026-12", "--format", "markdown", "--output", str(target)],
    )
    assert sum(code == 0 for code, _ in results) == 1, results
    for code, out in results:
        assert code == 0 or _lost_race(code, out), out
    return 1, 1


KINDS = {
    "invite --bump": _bump_run,
    "report new": _report_run,
    "fmt": _fmt_run,
    "fmt against an edit": _fmt_against_edit_run,
    "agenda --output": _agenda_run,
}


def _stress(kind: str, runs: int, tmp_path: Path) -> None:
    won = lost = 0
    for n in range(runs):
        root = _fresh(tmp_path, n)
        w, b = KINDS[kind](root)
        won, lost = won + w, lost + b
        shutil.rmtree(root)
    assert won >= runs  # every run had a winner


@pytest.mark.parametrize("kind", list(KINDS))
def test_two_writers_never_lose_an_edit(kind: str, tmp_path: Path) -> None:
    _stress(kind, RUNS, tmp_path)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("REDFLAG_STRESS_200"), reason="the issue's 200 runs: set REDFLAG_STRESS_200=1")
@pytest.mark.parametrize("kind", list(KINDS))
def test_two_writers_never_lose_an_edit_200_runs(kind: str, tmp_path: Path) -> None:
    _stress(kind, max(RUNS, 200), tmp_path)
