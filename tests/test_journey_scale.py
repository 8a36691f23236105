"""Journey: a collective files its report by pull request in a large organisation (issue 22).

Six hundred files in a real git repository, so `validate` takes the parallel path (reports
checked one by one against the rest and let go, on both cores). A collective's branch adds a
report that leaks a relationship's pseudonym and hides a bidi control in its summary; the
pre-commit steps (`fmt --check`, `validate --changed`) and the CI step (`validate`) name the
same problems at the same lines, whatever the number of processes; the fix passes, and the
feed calendar apps fetch still holds every meeting.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from bench_helpers import generator
from git_helpers import Repo

REPO = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "redflag_coord"]


gen = generator()


def cli(root: Path, *args: str, workers: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("REDFLAG_WORKERS", "REDFLAG_IDENTITY")}
    if workers:
        env["REDFLAG_WORKERS"] = workers
    return subprocess.run([*CLI, *args], cwd=root, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def big_repo(tmp_path: Path) -> Repo:
    root = tmp_path / "org"
    gen.generate(root, gen.plan_for(600), seed=21)
    repo = Repo(root)
    repo.git("init", "-q", "-b", "main")
    repo.commit("the organisation")
    return repo


def _lines(done: subprocess.CompletedProcess) -> list[str]:
    return [line for line in done.stdout.splitlines() if line.startswith("collectives/")]


def test_a_report_by_pull_request_in_a_large_organisation(big_repo: Repo):
    root = big_repo.root
    base = root / "collectives"
    assert sum(1 for _ in base.glob("*/**/*.toml")) >= 590
    clean = cli(root, "validate")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "0 error(s), 0 warning(s)" in clean.stderr

    # the collective's branch: its report mentions a contact by pseudonym and hides a bidi control
    big_repo.git("checkout", "-q", "-b", "report")
    rels = sorted(base.glob("*/relationships.toml"))[0]
    pseudonym = next(x for x in rels.read_text().splitlines() if x.startswith("pseudonym")).split('"')[1]
    report = sorted(base.glob("*/reports/*.toml"))[7]
    original = report.read_text()
    report.write_text(original.replace('summary = """', f'summary = """We met {pseudonym} at the gate. Ro\u202esa ', 1))
    rel = report.relative_to(root).as_posix()

    changed = cli(root, "validate", "--changed", "main")
    assert changed.returncode == 1
    found = _lines(changed)
    assert any(line.startswith(f"{rel}:") and "private-text" in line and "pseudonym" in line for line in found)
    assert any(line.startswith(f"{rel}:") and "unsafe-text" in line for line in found)
    assert pseudonym not in changed.stdout + changed.stderr  # the warning never repeats what it found

    # CI: the whole organisation, on both cores and on one: the same lines, at the same places
    parallel, serial = cli(root, "validate"), cli(root, "validate", workers="1")
    assert parallel.returncode == serial.returncode == 1
    assert _lines(parallel) == _lines(serial)
    assert {line for line in found if line.startswith(rel)} <= set(_lines(parallel))
    located = [line for line in _lines(parallel) if line.startswith(f"{rel}:")]
    assert located and all(line.split(":")[1].isdigit() and line.split(":")[2].isdigit() for line in located)

    # the fix: pseudonym out, control character out; formatted, validated, committed
    report.write_text(original.replace('summary = """', 'summary = """We met a new contact at the gate. ', 1))
    assert cli(root, "fmt", "--check", rel).returncode in (0, 1)  # the generator's layout may differ
    assert cli(root, "fmt", rel).returncode == 0
    assert cli(root, "fmt", "--check", rel).returncode == 0
    fixed = cli(root, "validate")
    assert fixed.returncode == 0, fixed.stdout
    big_repo.commit("report")
    assert cli(root, "validate", "--changed", "main").returncode == 0

    # the feed members' calendar apps fetch: every meeting once
    from icalendar import Calendar

    feed = cli(root, "calendar")
    assert feed.returncode == 0, feed.stderr
    events = [c for c in Calendar.from_ical(feed.stdout).walk("VEVENT")]
    meetings = list(base.glob("*/meetings/*.toml"))
    assert len({str(e["UID"]) for e in events}) == len(meetings)
