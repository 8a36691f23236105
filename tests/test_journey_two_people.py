"""Journey: two members of the committee work on the same files at the same moment.

Through the console script, in a temporary git repository. Rosa and Amaru both start
`report new`, `fmt` or `invite --bump` on the same file at once: one wins, the other is told
(or, where the second can safely run after the first, both succeed); no edit is ever lost.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

from git_helpers import Repo, example_repo

BIN = str(Path(sys.executable).with_name("redflag-coord"))
MEETING = "collectives/international-committee/meetings/ic-2026-12.toml"


def _both(repo: Repo, argv: list[str]) -> list[subprocess.CompletedProcess]:
    """Start the same command for two people at the same moment; wait for both."""
    env = {**os.environ, "REDFLAG_TODAY": "2026-11-27"}
    procs = [
        subprocess.Popen(
            [BIN, *argv], cwd=repo.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=120)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


def _told(r: subprocess.CompletedProcess) -> bool:
    said = r.stdout + r.stderr
    return (r.returncode == 1 and "changed meanwhile" in said) or (r.returncode == 2 and " exists" in said)


def test_two_people_write_the_same_files_at_once(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    report = repo.root / "collectives/france/reports/ic-2026-12.toml"

    # Both start the France report: exactly one file, one "wrote", the other told it exists.
    results = _both(repo, ["report", "new", "france", "ic-2026-12"])
    assert sorted(r.returncode for r in results) == [0, 2], results
    winner = next(r for r in results if r.returncode == 0)
    assert "wrote collectives/france/reports/ic-2026-12.toml" in winner.stdout
    assert all(r.returncode == 0 or _told(r) for r in results)
    assert "traceback" not in "".join(r.stderr for r in results).lower()

    # Rosa fills it in; then both run fmt on it: the filled-in text survives whatever the order.
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("summary = ", "summary   =   ", 1), encoding="utf-8")
    results = _both(repo, ["fmt", str(report)])
    assert all(r.returncode == 0 or _told(r) for r in results), results
    assert "summary   =" not in report.read_text(encoding="utf-8")
    assert not [p for p in report.parent.iterdir() if p.name.endswith(".tmp")]

    # Both bump the meeting's sequence: every success is counted, each invite says the sequence it wrote.
    before = tomllib.loads((repo.root / MEETING).read_text(encoding="utf-8")).get("sequence", 0)
    results = _both(repo, ["invite", "ic-2026-12", "--bump"])
    won = [r for r in results if r.returncode == 0]
    assert all(r.returncode == 0 or _told(r) for r in results), results
    after = tomllib.loads((repo.root / MEETING).read_text(encoding="utf-8"))["sequence"]
    assert after == before + len(won) >= before + 1
    for r in won:
        n = r.stderr.split("sequence is now ")[1].split()[0]
        assert f"SEQUENCE:{n}" in r.stdout

    # What a person checks before opening the pull request: the data is valid and git sees the two files.
    done = subprocess.run([BIN, "validate"], cwd=repo.root, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    status = repo.git("status", "--porcelain", "--untracked-files=all")
    assert "collectives/france/reports/ic-2026-12.toml" in status and MEETING in status
    assert ".tmp" not in status
