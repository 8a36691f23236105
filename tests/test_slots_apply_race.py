"""Two `slots --apply` at once (issue 30): the second never silently undoes the first, and each reports
the start it really replaced, read under the folder's lock.

Real processes: forked children running the console script's `main`, as tests/test_concurrent_writes.py
does. The ordered test holds the second process between computing its candidates and taking the lock
until the first has finished; the free race releases both at one instant and checks the chain of starts.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import copy_trust

MEETING = "collectives/international-committee/meetings/ic-2026-12.toml"
EXE = Path(sys.executable).parent / "redflag-coord"
_ctx = multiprocessing.get_context("fork")
_REPORTED = re.compile(r": start = (\S+) \(([^)]+)\), was (\S+);")


def _fresh(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(Path(__file__).resolve().parent.parent / "collectives", root / "collectives")
    copy_trust(Path(__file__).resolve().parent.parent, root)
    return root


def _start(root: Path) -> str:
    return tomllib.loads((root / MEETING).read_text(encoding="utf-8"))["start"].strftime("%Y-%m-%dT%H:%M")


def _child(argv: list[str], out: str, cwd: str, computed, go) -> None:
    """The CLI's main in this process; with `computed`/`go`, it waits at the lock after computing its slots."""
    os.chdir(cwd)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - the process ends with the command
    sys.stderr = sys.stdout
    sys.argv = ["redflag-coord", *argv]
    from redflag_coord.slots import apply

    real = apply.update

    def held(path):
        computed.set()  # candidates computed, meeting read: now the other process applies
        go.wait(60)
        return real(path)

    if computed is not None:
        apply.update = held
    else:
        go.wait(60)
    code = 0
    try:
        from redflag_coord.cli.app import main

        main()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    sys.stdout.flush()
    os._exit(code)


def test_second_apply_refuses_when_the_first_moved_the_meeting(tmp_path: Path) -> None:
    root = _fresh(tmp_path, "org")
    before = _start(root)
    computed, go = _ctx.Event(), _ctx.Event()
    out = tmp_path / "second.txt"
    second = _ctx.Process(
        target=_child, args=(["slots", "ic-2026-12", "--apply", "2"], str(out), str(root), computed, go)
    )
    second.start()
    try:
        assert computed.wait(60), out.read_text(encoding="utf-8")
        first = subprocess.run(
            [str(EXE), "slots", "ic-2026-12", "--apply", "1"], cwd=root, capture_output=True, text=True, timeout=60
        )
        assert first.returncode == 0, first.stderr
        new, _, was = _REPORTED.search(first.stdout).groups()  # type: ignore[union-attr]
        assert was == before and _start(root) == new != before
    finally:
        go.set()
        second.join(60)
    said = out.read_text(encoding="utf-8")
    assert second.exitcode == 1, said
    assert "changed meanwhile" in said and "nothing was changed" in said
    assert f"start is now {new}" in said and "redflag-coord slots" in said  # what it found, and the fix
    assert "Traceback" not in said
    assert _start(root) == new  # the first one's choice stands


@pytest.mark.parametrize("n", range(4))
def test_racing_applies_report_the_start_they_replaced(n: int, tmp_path: Path) -> None:
    """Released together: whoever wins, each success's 'was' is the start it replaced, and the file ends
    at the last success's start; a loser says it changed meanwhile (or that the file changed)."""
    root = _fresh(tmp_path, f"org-{n}")
    before = _start(root)
    go = _ctx.Event()
    outs = [tmp_path / f"out-{n}-{i}.txt" for i in (1, 2)]
    procs = [
        _ctx.Process(target=_child, args=(["slots", "ic-2026-12", "--apply", str(i)], str(o), str(root), None, go))
        for i, o in zip((1, 2), outs)
    ]
    for p in procs:
        p.start()
    go.set()
    for p in procs:
        p.join(60)
    done = [(p.exitcode, o.read_text(encoding="utf-8")) for p, o in zip(procs, outs)]
    wins = [_REPORTED.search(text).groups() for code, text in done if code == 0]  # type: ignore[union-attr]
    for code, text in done:
        assert code in (0, 1), text
        assert "Traceback" not in text
        if code == 1:
            assert "changed meanwhile" in text
    assert wins, done
    chain = before
    for new, _, was in sorted(wins, key=lambda w: w[2] != before):  # the one that replaced the original first
        assert was == chain
        chain = new
    assert _start(root) == chain
