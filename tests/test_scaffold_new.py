"""`new collective`, `new meeting` and `rename collective`: files that validate as written, refusals, and a
rename that changes nothing but the slug (compared file by file)."""

from __future__ import annotations

import filecmp
import os
import shutil
import tomllib
from pathlib import Path

import pytest

from redflag_coord.org.load import load_organisation


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_new_collective_validates_and_refuses_to_overwrite(run, org_copy):
    args = (
        "new",
        "collective",
        "kathmandu",
        "--name",
        "Kathmandu",
        "--timezone",
        "Asia/Kathmandu",
        "-C",
        str(org_copy),
    )
    result = run(*args, "--languages", "ne,en")
    assert result.exit_code == 0, result.stderr
    text = (org_copy / "collectives/kathmandu/collective.toml").read_text(encoding="utf-8")
    assert text.startswith("# The kathmandu collective.") and 'timezone = "Asia/Kathmandu"' in text
    assert run("validate", str(org_copy)).exit_code == 0
    assert run("fmt", "--check", str(org_copy)).exit_code == 0
    again = run(*args)
    assert again.exit_code == 2 and "exists already" in again.stderr


def test_new_collective_suggests_a_zone(run, org_copy):
    result = run("new", "collective", "kathmandu", "--name", "K", "--timezone", "Asia/Kathmando", "-C", str(org_copy))
    assert result.exit_code == 2 and "Asia/Kathmandu" in result.stderr
    assert not (org_copy / "collectives/kathmandu").exists()


@pytest.mark.parametrize("slug", ["Kathmandu", "x-", "a b"])
def test_new_collective_refuses_a_bad_slug(run, org_copy, slug):
    result = run("new", "collective", slug, "--name", "K", "--timezone", "UTC", "-C", str(org_copy))
    assert result.exit_code == 2 and "not a slug" in result.stderr


def test_new_meeting(run, org_copy):
    result = run(
        "new", "meeting", "ic-2027-01", "--convener", "international-committee", "--start", "2027-01-16T07:00",
        "--participants", "india,mexico", "--title", "Comité Internacional", "-C", str(org_copy),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "Next: redflag-coord slots ic-2027-01" in result.stdout
    m = load_organisation(org_copy).find_meeting("ic-2027-01")
    assert m is not None and m[0] == "international-committee"
    meeting = m[1]
    assert meeting.timezone == "America/Los_Angeles" and str(meeting.reports_due) == "2027-01-09"
    assert meeting.participants == ["india", "mexico"] and meeting.title == "Comité Internacional"
    assert run("validate", str(org_copy)).exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--start", "2027-03-14T02:30", "--timezone", "America/Los_Angeles"), "does not exist"),
        (("--start", "2026-11-01T01:30", "--timezone", "America/Los_Angeles"), "happens twice"),
        (("--start", "2027-01-16T07:00+01:00"), "has an offset"),
        (("--start", "tomorrow"), "not a local date and time"),
    ],
)
def test_new_meeting_refuses_unclear_starts(run, org_copy, args, message):
    result = run(
        "new", "meeting", "m1", "--convener", "india", "--participants", "india", *args, "-C", str(org_copy)
    )  # fmt: skip
    assert result.exit_code == 2 and message in result.stderr


def test_new_meeting_refuses_a_used_id_and_unknown_collectives(run, org_copy):
    base = ("new", "meeting", "--start", "2027-01-16T07:00", "-C", str(org_copy))
    used = run(*base, "ic-2026-12", "--convener", "india", "--participants", "india")
    assert used.exit_code == 2 and "exists already" in used.stderr
    typo = run(*base, "m2", "--convener", "india", "--participants", "mexcio")
    assert typo.exit_code == 2 and "did you mean 'mexico'" in typo.stderr


def test_rename_collective_changes_only_the_slug(run, org_copy, tmp_path):
    """With a reader's identity (REDFLAG_IDENTITY, DEMO): collectives/ changes only by the slug; the approvals
    move to trust/bharat.toml with a signed rename approval, and no value is sealed again."""
    before = tmp_path / "before"
    shutil.copytree(org_copy, before)
    result = run("rename", "collective", "india", "bharat", "-C", str(org_copy))
    assert result.exit_code == 0, result.stderr
    check = run("validate", str(org_copy))
    assert check.exit_code == 0 and "0 error(s), 0 warning(s)" in check.stdout + check.stderr
    old, new = files_of(before / "collectives"), files_of(org_copy / "collectives")
    moved = {k.replace("india/", "bharat/", 1): v for k, v in old.items()}
    assert sorted(moved) == sorted(new)
    changed = []
    for rel, data in new.items():
        if moved[rel] != data:
            changed.append(rel)
            # the only difference is the slug, as a whole string value
            expected = moved[rel].replace(b'"india"', b'"bharat"').replace(b" india = ", b" bharat = ")
            assert expected == data, rel
    assert sorted(changed) == [
        "el-salvador/articles/maquilas.toml",  # India asked for, was asked and claimed its Hindi translation
        "el-salvador/motions/bilingual-editions.toml",  # India proposed its amendment
        "international-committee/meetings/ic-2026-06.toml",
        "international-committee/meetings/ic-2026-12.toml",
        "international-committee/minutes/ic-2026-06.toml",
        "international-committee/roles.toml",  # the rota's pools name collectives
        "south-africa/motions/strike-fund.toml",  # India voted between meetings
        "south-africa/reports/ic-2026-12.toml",
    ]
    assert not filecmp.dircmp(before / "collectives/india", org_copy / "collectives/bharat").diff_files
    assert not [p for p in (org_copy / "collectives").iterdir() if p.name.startswith(".")]  # no leftovers
    assert not (org_copy / "trust/india.toml").exists()
    old_chain = tomllib.loads((before / "trust/india.toml").read_text(encoding="utf-8"))["approval"]
    new_chain = tomllib.loads((org_copy / "trust/bharat.toml").read_text(encoding="utf-8"))["approval"]
    assert [a["signature"] for a in new_chain[:-1]] == [a["signature"] for a in old_chain]  # kept as signed
    assert new_chain[0]["collective"] == "india" and new_chain[-1]["collective"] == "bharat"


def test_rename_refuses_an_existing_slug_and_changes_nothing(run, org_copy, tmp_path):
    before = files_of(org_copy)
    result = run("rename", "collective", "india", "mexico", "-C", str(org_copy))
    assert result.exit_code == 2 and "exists already" in result.stderr
    assert files_of(org_copy) == before
    assert run("rename", "collective", "indai", "bharat", "-C", str(org_copy)).exit_code == 2


def test_rename_failure_part_way_changes_nothing(run, org_copy, monkeypatch):
    """The disk fills after the folder moved and a file was rewritten: everything is put back."""
    before = files_of(org_copy)
    real = os.replace
    calls = []

    def refuse(src, dst):  # the journal and the first file land; the second file finds the disk full
        if not str(dst).startswith(str(org_copy)):  # the parse cache's entries live elsewhere (docs/cache.md)
            return real(src, dst)
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", refuse)
    result = run("rename", "collective", "india", "bharat", "-C", str(org_copy))
    monkeypatch.undo()
    assert result.exit_code == 1 and "nothing was changed" in result.stderr
    assert files_of(org_copy) == before
