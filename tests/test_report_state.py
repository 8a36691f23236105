"""Issue 14: one report state everywhere, absent figures, partial loading, file counts, handles.

Each test names the bug it pins down; each failed before the fix.
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from git_helpers import EXAMPLE_COLLECTIVES, example_repo

MEXICO = "collectives/mexico/reports/ic-2026-12.toml"


def _draft_el_salvador(root: Path, run) -> None:
    (root / "collectives/el-salvador/reports/ic-2026-12.toml").unlink()
    assert run("report", "new", "el-salvador", "ic-2026-12", "--root", str(root)).exit_code == 0


def test_a_draft_is_not_filed_in_agenda_summary_remind_and_validate(org_copy, run, tmp_path):
    _draft_el_salvador(org_copy, run)
    agenda = json.loads(run("agenda", "ic-2026-12", "--root", str(org_copy), "-f", "json").stdout)
    report = next(r for r in agenda["reports"] if r["collective"] == "el-salvador")
    assert report["status"] == "draft" and report["on_time"] is None
    assert {"collective": "el-salvador", "status": "draft", "filed": "2026-11-27"} in agenda["missing"]
    text = run("agenda", "ic-2026-12", "--root", str(org_copy)).stdout
    assert "draft: the summary is not written yet" in text
    summary = json.loads(run("summary", "--root", str(org_copy), "-f", "json").stdout)
    ic = next(m for m in summary["meetings"] if m["id"] == "ic-2026-12")
    assert (ic["reports_filed"], ic["reports_draft"]) == (4, 1)
    remind = run("report", "remind", "ic-2026-12", "--root", str(org_copy), "--output-dir", str(tmp_path / "r"))
    assert (tmp_path / "r/ic-2026-12-el-salvador.txt").exists(), remind.stdout
    validate = run("validate", str(org_copy))
    assert validate.exit_code == 0 and "warning[draft-report]" in validate.stdout
    assert run("validate", str(org_copy), "--strict").exit_code == 1


def test_absent_figures_are_not_reported_not_zero(org_copy, run):
    path = org_copy / MEXICO
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\[red_flag\].*?(?=\[relationships\])", "", text, flags=re.S)
    text = re.sub(r"\[relationships\].*?(?=\[\[article\]\])", "", text, flags=re.S)
    path.write_text(text, encoding="utf-8")
    assert run("validate", str(org_copy)).exit_code == 0
    data = json.loads(run("agenda", "ic-2026-12", "--root", str(org_copy), "-f", "json").stdout)
    mexico = next(r for r in data["reports"] if r["collective"] == "mexico")
    assert mexico["red_flag"]["copies"] is None and mexico["red_flag"]["reported"] is False
    assert mexico["relationships"]["by_stage"] is None and mexico["relationships"]["reported"] is False
    out = run("agenda", "ic-2026-12", "--root", str(org_copy)).stdout
    block = out[out.index("Mexico ·") :]
    assert "Red Flag: not reported" in block[:2000]
    assert "0 copies" not in block[:2000]


def test_report_status_and_agenda_agree_on_the_filed_date_in_git(tmp_path, monkeypatch, run):
    monkeypatch.delenv("REDFLAG_FILED_DATES")
    repo = example_repo(tmp_path)
    # the file says 2026-11-20 (on time); it reached the repository on 6 December in Mexico City: late
    shutil.copy(EXAMPLE_COLLECTIVES / "mexico/reports/ic-2026-12.toml", repo.root / MEXICO)
    repo.commit("mexico report", date="2026-12-06T18:00:00+00:00")
    status = json.loads(run("report", "status", "ic-2026-12", "--root", str(repo.root), "-f", "json").stdout)
    row = next(r for r in status["reports"] if r["collective"] == "mexico")
    assert (row["status"], row["filed"], row["source"]) == ("late", "2026-12-06", "git")
    agenda = json.loads(run("agenda", "ic-2026-12", "--root", str(repo.root), "-f", "json").stdout)
    report = next(r for r in agenda["reports"] if r["collective"] == "mexico")
    assert (report["status"], report["filed"], report["on_time"]) == ("late", "2026-12-06", False)


def test_the_filed_date_is_a_date_in_the_collectives_zone(tmp_path, monkeypatch, run):
    monkeypatch.delenv("REDFLAG_FILED_DATES")
    repo = example_repo(tmp_path)
    # 03:00 UTC on 6 December is still 5 December (due day) in Mexico City
    shutil.copy(EXAMPLE_COLLECTIVES / "mexico/reports/ic-2026-12.toml", repo.root / MEXICO)
    repo.commit("mexico report", date="2026-12-06T03:00:00+00:00")
    agenda = json.loads(run("agenda", "ic-2026-12", "--root", str(repo.root), "-f", "json").stdout)
    report = next(r for r in agenda["reports"] if r["collective"] == "mexico")
    assert (report["status"], report["filed"]) == ("filed", "2026-12-05")


def _break_los_angeles_members(root: Path) -> None:
    with (root / "collectives/los-angeles/members.toml").open("a", encoding="utf-8") as f:
        f.write("\noops = = 1\n")


@pytest.mark.parametrize(
    "args",
    [
        ("agenda", "ic-2026-12"),
        ("report", "status", "ic-2026-06"),
        ("network", "mexico"),
        ("slots", "ic-2026-12", "--days", "2"),
        ("report", "new", "mexico", "ic-2026-12"),
    ],
)
def test_one_broken_file_elsewhere_does_not_block(org_copy, run, args):
    _break_los_angeles_members(org_copy)
    if args[:2] == ("report", "new"):
        (org_copy / MEXICO).unlink()
    result = run(*args, "--root", str(org_copy))
    assert result.exit_code == 0, result.stderr
    note = [line for line in result.stderr.splitlines() if "does not read" in line]
    assert note == [
        "redflag-coord: note: 1 problem(s) in files this command does not read; 'redflag-coord validate' shows them"
    ]


def test_a_broken_file_the_command_reads_still_stops_it(org_copy, run, tmp_path):
    _break_los_angeles_members(org_copy)  # remind reads the participants' addresses
    result = run("report", "remind", "ic-2026-12", "--root", str(org_copy), "--output-dir", str(tmp_path / "r"))
    assert result.exit_code == 1
    assert "collectives/los-angeles/members.toml" in result.stderr
    assert run("validate", str(org_copy)).exit_code == 1  # validate stays whole-organisation


def test_validate_counts_the_files_that_failed_to_load(org_copy, run):
    clean = run("validate", str(org_copy)).stderr.strip().splitlines()[-1]
    _break_los_angeles_members(org_copy)
    broken = run("validate", str(org_copy)).stderr.strip().splitlines()[-1]
    assert clean.endswith(" in 40 files") and broken.endswith(" in 40 files"), (clean, broken)


def test_handles_in_any_script_normalised_to_nfc(org_copy, run):
    members = org_copy / "collectives/el-salvador/members.toml"
    decomposed = unicodedata.normalize("NFD", "doña-rosa")
    with members.open("a", encoding="utf-8") as f:
        f.write(f'\n[[member]]\nhandle = "{decomposed}"\n\n[[member]]\nhandle = "chamba-toño"\n')
    with (org_copy / "collectives/india/members.toml").open("a", encoding="utf-8") as f:
        f.write('\n[[member]]\nhandle = "आशा-देवी"\n')
    report = org_copy / "collectives/el-salvador/reports/ic-2026-12.toml"
    text = report.read_text(encoding="utf-8")
    report.write_text(re.sub(r'filed_by = "[^"]*"', 'filed_by = "doña-rosa"', text), encoding="utf-8")  # NFC
    result = run("validate", str(org_copy))
    assert result.exit_code == 0, result.stdout
    bad = org_copy / "collectives/mexico/members.toml"
    with bad.open("a", encoding="utf-8") as f:
        f.write('\n[[member]]\nhandle = "Doña"\n')
    result = run("validate", str(org_copy))
    assert result.exit_code == 1 and "lower-case letters of any language" in result.stdout
