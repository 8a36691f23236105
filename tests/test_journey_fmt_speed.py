"""Journey: a large collective's pre-commit / CI layout step, on one or on two processes.

Through the console script, in a temporary git repository holding a generated organisation of
a few hundred files (large enough that fmt spreads the files over the cores). A member edits a
few files by hand, untidily, and breaks one; `fmt --check --diff` (the step `init` puts in CI and
the pre-commit hook) names exactly those, with their diffs; `fmt` tidies the untidy ones and
leaves the broken one alone; once that is mended, `fmt --check` passes. Every step prints and
exits the same with REDFLAG_WORKERS=1 (one process) and 2 (forked workers).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from git_helpers import Repo

ROOT = Path(__file__).resolve().parent.parent
BIN = str(Path(sys.executable).with_name("redflag-coord"))


def _run(repo: Repo, *argv: str, workers: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "REDFLAG_TODAY": "2026-11-27", "REDFLAG_WORKERS": workers}
    return subprocess.run([BIN, *argv], cwd=repo.root, env=env, capture_output=True, text=True, timeout=300)


def _same_on_one_and_two(repo: Repo, *argv: str) -> subprocess.CompletedProcess:
    """Run a command that changes nothing on one process, then on two: the outputs must be identical."""
    one = _run(repo, *argv, workers="1")
    two = _run(repo, *argv, workers="2")
    assert (one.returncode, one.stdout, one.stderr) == (two.returncode, two.stdout, two.stderr)
    return one


def test_a_large_collective_keeps_its_layout_on_every_commit(tmp_path: Path) -> None:
    root = tmp_path / "org"
    subprocess.run([sys.executable, str(ROOT / "benchmarks/generate.py"), str(root), "--files", "450"], check=True)
    repo = Repo(root)
    repo.git("init", "-q", "-b", "main")
    files = sorted((root / "collectives").rglob("*.toml"))
    assert len(files) >= 400  # past org.pool.PARALLEL_FROM: by default fmt uses every core here

    # The collective adopts the canonical layout once (the generator writes some files untidily).
    adopted = _run(repo, "fmt", workers="2")
    assert adopted.returncode == 0, adopted.stderr
    assert re.search(r"^\d+ of \d+ file\(s\) reformatted$", adopted.stderr.strip())
    repo.commit("the organisation, in fmt's layout")
    assert _same_on_one_and_two(repo, "fmt", "--check").returncode == 0

    # A member edits three files by hand: keys in their own order, a short list spread over lines,
    # and a key moved to the end; and breaks a fourth one.
    reports = sorted((root / "collectives").rglob("reports/*.toml"))
    meetings = sorted((root / "collectives").rglob("meetings/*.toml"))
    one_line = re.compile(r"^participants = \[(.+)\]$", re.M)
    meeting = next(p for p in meetings if one_line.search(p.read_text(encoding="utf-8")))
    untidy = [reports[5], meeting, reports[40]]
    report = untidy[0].read_text(encoding="utf-8").split("\n")
    report[0], report[1] = report[1], report[0]  # filed_by above filed
    untidy[0].write_text("\n".join(report), encoding="utf-8")
    text = meeting.read_text(encoding="utf-8")
    found = one_line.search(text)
    assert found is not None
    spread = "".join(f"  {x},\n" for x in found.group(1).split(", "))  # one per line, though it fits on one
    meeting.write_text(text.replace(found.group(0), f"participants = [\n{spread}]"), encoding="utf-8")
    third = untidy[2].read_text(encoding="utf-8").split("\n")
    filed = third.pop(0)
    third.insert(third.index(""), filed)  # `filed` after the other keys of the top table
    untidy[2].write_text("\n".join(third), encoding="utf-8")
    broken = reports[60]
    good_broken = broken.read_text(encoding="utf-8")
    broken.write_text(good_broken.replace("recruits = ", "recruits == ", 1), encoding="utf-8")
    rels = sorted(p.relative_to(root).as_posix() for p in untidy)
    broken_rel = broken.relative_to(root).as_posix()

    # The pre-commit hook / CI step: exactly those files, each with its diff; the broken one named
    # with its line and column; exit 1. Nothing is written.
    before = {p: p.read_bytes() for p in files}
    check = _same_on_one_and_two(repo, "fmt", "--check", "--diff")
    assert check.returncode == 1
    assert re.findall(r"^would reformat (.*)$", check.stdout, re.M) == rels
    for rel in rels:
        assert f"--- a/{rel}\n+++ b/{rel}\n" in check.stdout
    assert re.findall(r"^(\S+?):\d+:\d+: error\[fmt\]", check.stderr, re.M) == [broken_rel]
    assert f"3 of {len(files)} file(s) would be reformatted" in check.stderr
    assert {p: p.read_bytes() for p in files} == before

    # `fmt` tidies the three (one process here, then the same on two for a copy of the same edits)
    # and leaves the broken file as it is, saying so.
    twin = Repo(tmp_path / "twin")
    subprocess.run(["cp", "-a", str(root), str(twin.root)], check=True)
    fixed_one = _run(repo, "fmt", workers="1")
    fixed_two = _run(twin, "fmt", workers="2")
    assert (fixed_one.returncode, fixed_one.stdout, fixed_one.stderr) == (
        fixed_two.returncode,
        fixed_two.stdout,
        fixed_two.stderr,
    )
    assert fixed_one.returncode == 1
    assert re.findall(r"^reformatted (.*)$", fixed_one.stdout, re.M) == rels
    assert broken.read_text(encoding="utf-8") != good_broken
    for p in files:
        assert p.read_bytes() == (twin.root / p.relative_to(root)).read_bytes()

    # Mended by hand, the commit's check passes; fmt put back byte for byte what was committed.
    broken.write_text(good_broken, encoding="utf-8")
    assert _same_on_one_and_two(repo, "fmt", "--check", "--diff").returncode == 0
    assert _run(repo, "validate", workers="2").returncode == 0
    assert repo.git("status", "--porcelain") == ""
