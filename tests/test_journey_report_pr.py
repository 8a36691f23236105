"""Journey (issue 14): a collective files its report by pull request, and every command agrees on its state.

Branch -> `report new` -> edit -> `fmt` -> `validate --changed` -> pre-commit hooks -> merge ->
`report status` and the agenda agree on filed / late / draft, judged in the collective's own zone.
All through the console script, in a temporary git repository.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import REPO
from git_helpers import EXAMPLE_COLLECTIVES, Repo, example_repo

BIN = Path(sys.executable).parent
REPORT = "collectives/mexico/reports/ic-2026-12.toml"


COMMITTED = "2026-12-06T03:00:00+00:00"  # still 5 December, the due day, in Mexico City


def _cli(repo: Repo, *args: str, date: str | None = None) -> subprocess.CompletedProcess:
    env = {**repo.env(date), "PRE_COMMIT_HOME": str(repo.root.parent / "pc-home")}
    env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"
    return subprocess.run(list(args), cwd=repo.root, capture_output=True, text=True, env=env)


def _rc(repo: Repo, *args: str) -> subprocess.CompletedProcess:
    return _cli(repo, str(BIN / "redflag-coord"), *args)


def _states(repo: Repo) -> tuple[dict, dict]:
    status = _rc(repo, "report", "status", "ic-2026-12", "--format", "json")
    agenda = _rc(repo, "agenda", "ic-2026-12", "--format", "json")
    assert agenda.returncode == 0, agenda.stderr
    rows = {r["collective"]: r for r in json.loads(status.stdout)["reports"]}
    data = json.loads(agenda.stdout)
    reports = {r["collective"]: r for r in data["reports"]}
    missing = {m["collective"]: m for m in data["missing"]}
    return rows, {**missing, **reports}


def test_report_by_pull_request(tmp_path, monkeypatch):
    monkeypatch.delenv("REDFLAG_FILED_DATES")  # the filed date is when the report reached the repository
    repo = example_repo(tmp_path)
    # India filed on main at 20:00 UTC on the due day: already 6 December in Kolkata, so late
    shutil.copy(EXAMPLE_COLLECTIVES / "india/reports/ic-2026-12.toml", repo.root / "collectives/india/reports/")
    repo.commit("india report", date="2026-12-05T20:00:00+00:00")

    hooks = [
        {**h, "language": "system"}
        for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
        if h["id"] in ("redflag-coord-validate-changed", "redflag-coord-fmt-check")
    ]
    repo.write(".pre-commit-config.yaml", yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}))
    repo.commit("hooks", date="2026-12-05T21:00:00+00:00")
    assert _cli(repo, str(BIN / "pre-commit"), "install").returncode == 0

    repo.git("checkout", "-q", "-b", "mexico-report")
    made = _rc(repo, "report", "new", "mexico", "ic-2026-12")
    assert made.returncode == 0, made.stderr
    path = repo.root / REPORT
    assert path.exists() and "TODO" in path.read_text(encoding="utf-8")

    # before the summary is written it is a draft everywhere, and validate says so
    rows, agenda = _states(repo)
    assert rows["mexico"]["status"] == agenda["mexico"]["status"] == "draft"
    assert "warning[draft-report]" in _rc(repo, "validate").stdout

    text = path.read_text(encoding="utf-8")
    summary = 'summary = "Seguimos con Red Flag en las escuelas."'
    text = re.sub(r'summary = """.*?"""|summary = "[^"\n]*"', summary, text, flags=re.S)
    path.write_text(text + "\n\n", encoding="utf-8")  # a stray blank line for fmt to tidy
    assert _rc(repo, "fmt").returncode == 0
    assert _rc(repo, "fmt", "--check").returncode == 0

    changed = _rc(repo, "validate", "--changed")
    assert changed.returncode == 0, changed.stdout + changed.stderr
    assert "comparing with main (merge-base " in changed.stderr
    assert "1 changed file(s)" in changed.stderr

    # the hooks run on the commit: 03:00 UTC on 6 December is still the due day (5 December) in Mexico City
    repo.git("add", "-A")
    done = _cli(repo, "git", "commit", "-q", "--no-gpg-sign", "-m", "mexico: report to ic-2026-12", date=COMMITTED)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "redflag-coord validate --changed" in done.stdout + done.stderr and "Passed" in done.stdout + done.stderr

    repo.git("checkout", "-q", "main")
    repo.git(
        "merge",
        "-q",
        "--no-ff",
        "--no-gpg-sign",
        "-m",
        "merge mexico-report",
        "mexico-report",
        date="2026-12-06T04:00:00+00:00",  # the committee's merge dates the report: still 5 December in Mexico City
    )

    rows, agenda = _states(repo)
    assert (rows["mexico"]["status"], rows["mexico"]["filed"], rows["mexico"]["source"]) == (
        "filed",
        "2026-12-05",
        "git",
    )
    assert (agenda["mexico"]["status"], agenda["mexico"]["filed"], agenda["mexico"]["on_time"]) == (
        "filed",
        "2026-12-05",
        True,
    )
    assert (rows["india"]["status"], rows["india"]["filed"]) == ("late", "2026-12-06")
    assert (agenda["india"]["status"], agenda["india"]["filed"], agenda["india"]["on_time"]) == (
        "late",
        "2026-12-06",
        False,
    )
    assert rows["el-salvador"]["status"] == agenda["el-salvador"]["status"] == "missing"
    text = _rc(repo, "agenda", "ic-2026-12").stdout
    assert "late: filed Dec 6, 2026, 1 day after the due date" in text  # India, among the missing and late reports
    assert "Missing and late reports" in text
