"""Each check of `validate`, on a copy of the example organisation with one thing broken.

Every test asserts the exact file, line, column and code reported.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import seal_private, unseal_private

from redflag_coord.check.validate import validate_path

IC = "collectives/international-committee/meetings/ic-2026-12.toml"
LA_MEMBERS = "collectives/los-angeles/members.toml"
LA_REL = "collectives/los-angeles/relationships.toml"
LA_REPORT = "collectives/los-angeles/reports/ic-2026-12.toml"


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    sealed = old not in text  # the example's private values are encrypted: edit them in the clear, then seal
    if sealed:
        unseal_private(root)
        text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    if sealed:
        seal_private(root)


def found(root: Path) -> list[tuple]:
    return [(p.file, p.line, p.column, p.severity, p.code) for p in validate_path(root).problems]


def only(root: Path) -> tuple:
    problems = found(root)
    assert len(problems) == 1, problems
    return problems[0]


def message(root: Path) -> str:
    (p,) = validate_path(root).problems
    return p.message


# -- schema --------------------------------------------------------------------------


def test_unknown_key_suggests(org_copy):
    edit(org_copy, LA_MEMBERS, 'email = "rosa@example.org"', 'emial = "rosa@example.org"')
    assert only(org_copy) == (LA_MEMBERS, 7, 1, "error", "unknown-key")
    assert message(org_copy) == "unknown key 'emial'; did you mean 'email'?"


def test_unknown_key_without_close_match_lists_allowed(org_copy):
    edit(org_copy, LA_MEMBERS, 'role = "Red Flag distribution"', "zzz = 1")
    assert only(org_copy) == (LA_MEMBERS, 12, 1, "error", "unknown-key")
    assert "allowed keys: handle, role, languages, joined, email, phone, invite" in message(org_copy)


def test_unknown_key_in_nested_table(org_copy):
    edit(org_copy, LA_REPORT, "readers = 55", "reader = 55")
    assert only(org_copy) == (LA_REPORT, 13, 1, "error", "unknown-key")
    assert message(org_copy) == "unknown key 'reader'; did you mean 'readers'?"


def test_wrong_type_names_key_and_value(org_copy):
    edit(org_copy, IC, "duration_minutes = 180", 'duration_minutes = "3h"')
    assert only(org_copy) == (IC, 6, 1, "error", "wrong-type")
    assert message(org_copy) == "expected a whole number, found text '3h'"


def test_quoted_date_is_a_wrong_type(org_copy):
    edit(org_copy, LA_REPORT, "filed = 2026-11-23", 'filed = "2026-11-23"')
    assert only(org_copy) == (LA_REPORT, 2, 1, "error", "wrong-type")
    assert "a date such as 2026-12-05 (no quotes)" in message(org_copy)


def test_missing_key_points_at_its_table(org_copy):
    edit(org_copy, IC, 'topic = "Break"\n', "")
    assert only(org_copy) == (IC, 41, 1, "error", "missing-key")
    assert message(org_copy) == "missing required key 'topic'; add it"


def test_bad_choice_lists_allowed_values(org_copy):
    edit(org_copy, LA_REL, 'stage = "contact"\ncomrade = "don-luis"', 'stage = "contac"\ncomrade = "don-luis"')
    assert only(org_copy) == (LA_REL, 73, 1, "error", "bad-choice")
    assert message(org_copy) == (
        "'contac' is not allowed; choose one of 'contact', 'reader', 'writer', 'study-group', 'recruit' or 'member'"
    )


def test_bad_slug_in_array_points_at_element(org_copy):
    edit(org_copy, IC, '  "mexico",', '  "Mexico",')
    assert only(org_copy) == (IC, 12, 3, "error", "bad-format")
    assert "is not a slug" in message(org_copy)


def test_offset_datetime_refused(org_copy):
    edit(org_copy, IC, "start = 2026-12-12T07:00:00", "start = 2026-12-12T07:00:00-08:00")
    assert only(org_copy) == (IC, 4, 1, "error", "offset-datetime")
    assert "without an offset (e.g. 2026-12-12T07:00:00)" in message(org_copy)


# -- zones and wall times ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "zone, hint",
    [
        ("America/Los Angeles", "did you mean 'America/Los_Angeles'?"),
        ("Asia/Calcuta", "did you mean 'Asia/Calcutta'"),
        ("PST", "is an abbreviation or offset, not a zone name"),
        ("Etc/GMT+8", "is a fixed offset, not a place"),
        ("UTC-8", "is an abbreviation or offset"),
    ],
)
def test_bad_zone(org_copy, zone, hint):
    edit(org_copy, IC, 'timezone = "America/Los_Angeles"', f'timezone = "{zone}"')
    assert only(org_copy) == (IC, 5, 1, "error", "unknown-zone")
    assert hint in message(org_copy)


def test_dst_gap_is_an_error(org_copy):
    edit(org_copy, IC, "start = 2026-12-12T07:00:00", "start = 2027-03-14T02:30:00")
    edit(org_copy, IC, "reports_due = 2026-12-05", "reports_due = 2027-03-01")
    assert only(org_copy) == (IC, 4, 1, "error", "dst-gap")
    assert "2027-03-14T02:30 does not exist in America/Los_Angeles" in message(org_copy)


def test_dst_overlap_is_a_warning_naming_both_instants(org_copy):
    edit(org_copy, IC, "start = 2026-12-12T07:00:00", "start = 2027-11-07T01:30:00")
    edit(org_copy, IC, "reports_due = 2026-12-05", "reports_due = 2027-11-01")
    assert only(org_copy) == (IC, 4, 1, "warning", "dst-ambiguous")
    assert "(at 08:30 UTC and at 09:30 UTC)" in message(org_copy)


# -- across files ---------------------------------------------------------------------------------


def test_duplicate_handle_across_collectives(org_copy):
    edit(org_copy, "collectives/mexico/members.toml", 'handle = "juanpa"', 'handle = "rosa"')
    assert only(org_copy) == ("collectives/mexico/members.toml", 7, 1, "error", "duplicate-handle")
    assert "already used in collectives/los-angeles/members.toml" in message(org_copy)


def test_duplicate_meeting_id(org_copy):
    src = org_copy / "collectives/international-committee/meetings/ic-2026-06.toml"
    (org_copy / "collectives/mexico/meetings").mkdir()
    (org_copy / "collectives/mexico/meetings/ic-2026-06.toml").write_bytes(src.read_bytes())
    problems = found(org_copy)
    assert ("collectives/mexico/meetings/ic-2026-06.toml", None, None, "error", "duplicate-meeting") in problems


def test_unknown_participant_suggests(org_copy):
    edit(org_copy, IC, '  "honduras",', '  "hondura",')
    assert only(org_copy) == (IC, 13, 3, "error", "unresolved-ref")
    assert message(org_copy) == "no collective 'hondura'; did you mean 'honduras'?"


def test_opener_must_be_a_participant(org_copy):
    edit(org_copy, IC, 'opens = "south-africa"', 'opens = "international-committee"')
    assert only(org_copy) == (IC, 17, 1, "error", "not-invited")


def test_item_lead_unknown(org_copy):
    edit(org_copy, IC, 'lead = "india"', 'lead = "indai"')
    assert only(org_copy) == (IC, 49, 1, "error", "unresolved-ref")


def test_report_for_unknown_meeting(org_copy):
    (org_copy / LA_REPORT).rename(org_copy / "collectives/los-angeles/reports/ic-2026-13.toml")
    assert only(org_copy) == ("collectives/los-angeles/reports/ic-2026-13.toml", None, None, "error", "unresolved-ref")
    assert "did you mean 'ic-2026-12'?" in message(org_copy)


def test_report_from_collective_not_invited(org_copy):
    edit(org_copy, "collectives/international-committee/meetings/ic-2026-06.toml", '"mexico"]', "]")
    edit(org_copy, "collectives/international-committee/meetings/ic-2026-06.toml", '"los-angeles", ]', '"los-angeles"]')
    assert only(org_copy) == ("collectives/mexico/reports/ic-2026-06.toml", None, None, "error", "not-invited")


def test_report_dated_after_meeting(org_copy):
    edit(org_copy, LA_REPORT, "filed = 2026-11-23", "filed = 2026-12-13")
    assert only(org_copy) == (LA_REPORT, 2, 1, "error", "report-after-meeting")


def test_report_author_must_be_member(org_copy):
    edit(org_copy, LA_REPORT, 'filed_by = "rosa"', 'filed_by = "rosita"')
    assert only(org_copy) == (LA_REPORT, 3, 1, "error", "unresolved-ref")


def test_request_to_unknown_collective(org_copy):
    edit(org_copy, LA_REPORT, 'to = "honduras"', 'to = "hondura"')
    assert only(org_copy) == (LA_REPORT, 46, 1, "error", "unresolved-ref")


def test_relationship_comrade_must_be_member_of_same_collective(org_copy):
    edit(org_copy, LA_REL, 'comrade = "beto"', 'comrade = "thabo"')
    assert only(org_copy) == (LA_REL, 47, 1, "error", "unresolved-ref")
    assert "'thabo' is a member of 'south-africa'" in message(org_copy)


def test_reports_due_after_meeting(org_copy):
    edit(org_copy, IC, "reports_due = 2026-12-05", "reports_due = 2026-12-20")
    assert only(org_copy) == (IC, 18, 1, "error", "date-order")


def test_relationship_dates_in_order(org_copy):
    edit(org_copy, LA_REL, "last_contact = 2026-11-12", "last_contact = 2025-01-01")
    assert only(org_copy) == (LA_REL, 49, 1, "error", "date-order")


def test_relationship_date_in_future(org_copy):
    edit(org_copy, LA_REL, "last_contact = 2026-11-12", "last_contact = 2026-12-25")
    assert only(org_copy) == (LA_REL, 49, 1, "error", "future-date")


def test_stage_backwards_needs_note(org_copy):
    rel = "collectives/el-salvador/relationships.toml"
    edit(org_copy, rel, 'note = "night shifts; rejoins the study group when the shift changes"\n', "")
    assert only(org_copy) == (rel, 88, 1, "error", "stage-backwards")


def test_items_overrun_is_a_warning(org_copy):
    edit(org_copy, IC, "duration_minutes = 180", "duration_minutes = 120")
    assert only(org_copy) == (IC, 6, 1, "warning", "items-overrun")
    assert "55 minutes over" in message(org_copy)


def test_one_broken_file_does_not_cascade(org_copy):
    edit(org_copy, LA_MEMBERS, 'email = "rosa@example.org"', 'emial = "rosa@example.org"')
    # rosa is referenced by relationships and reports: they are not flagged while members.toml is broken
    assert [p[4] for p in found(org_copy)] == ["unknown-key"]


# -- unreadable files ---------------------------------------------------------------------------


def test_toml_syntax_error_has_line_and_column(org_copy):
    edit(org_copy, LA_REPORT, "recruits = 0", "recruits = [0")
    assert found(org_copy) == [(LA_REPORT, 12, 1, "error", "syntax")]
    assert message(org_copy).startswith("invalid TOML: ")


def test_empty_file(org_copy):
    (org_copy / LA_MEMBERS).write_text("  \n\n")
    problems = found(org_copy)
    assert (LA_MEMBERS, 1, 1, "error", "empty") in problems


def test_invalid_utf8_points_at_byte(org_copy):
    (org_copy / LA_MEMBERS).write_bytes(b'[[member]]\nhandle = "ros\xe1"\n')
    problems = found(org_copy)
    assert (LA_MEMBERS, 2, 14, "error", "encoding") in problems


def test_byte_order_mark(org_copy):
    path = org_copy / LA_MEMBERS
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert (LA_MEMBERS, 1, 1, "error", "bom") in found(org_copy)


def test_folder_where_a_file_belongs(org_copy):
    (org_copy / LA_MEMBERS).unlink()
    (org_copy / LA_MEMBERS).mkdir()
    assert (LA_MEMBERS, None, None, "error", "not-a-file") in found(org_copy)


def test_symlink_leading_outside(org_copy, tmp_path):
    outside = tmp_path / "secret.toml"
    outside.write_text('name = "x"\n')
    (org_copy / "collectives/mexico/reports/ic-2026-12.toml").unlink()
    os.symlink(outside, org_copy / "collectives/mexico/reports/ic-2026-12.toml")
    assert ("collectives/mexico/reports/ic-2026-12.toml", None, None, "error", "symlink-outside") in found(org_copy)


def test_symlink_inside_is_followed(org_copy):
    target = org_copy / "collectives/mexico/members.toml"
    moved = org_copy / "shared-members.toml"
    target.rename(moved)
    os.symlink(moved, target)
    assert found(org_copy) == []


def test_huge_file(org_copy):
    path = org_copy / LA_REPORT
    path.write_text("# " + "x" * (2 << 20) + "\n")
    assert (LA_REPORT, None, None, "error", "too-large") in found(org_copy)


def test_missing_collective_toml(org_copy):
    (org_copy / "collectives/new-place").mkdir()
    assert only(org_copy) == ("collectives/new-place/collective.toml", None, None, "error", "missing-file")


def test_unknown_file_suggests(org_copy):
    (org_copy / "collectives/mexico/member.toml").write_text("")
    assert only(org_copy) == ("collectives/mexico/member.toml", None, None, "warning", "unknown-file")
    assert "did you mean 'members.toml'?" in message(org_copy)


def test_bad_folder_name(org_copy):
    (org_copy / "collectives/New Place").mkdir()
    assert only(org_copy)[4] == "bad-slug"


# -- the command ----------------------------------------------------------------------------------


def test_cli_text_output_and_exit_code(run, org_copy):
    edit(org_copy, LA_MEMBERS, 'email = "rosa@example.org"', 'emial = "rosa@example.org"')
    result = run("validate", str(org_copy))
    assert result.exit_code == 1
    assert result.stdout.strip() == (
        "collectives/los-angeles/members.toml:7:1: error[unknown-key]: member[0].emial: "
        "unknown key 'emial'; did you mean 'email'?"
    )
    assert "1 error(s), 0 warning(s)" in result.stderr


def test_cli_json(run, org_copy):
    edit(org_copy, IC, 'timezone = "America/Los_Angeles"', 'timezone = "America/Los Angeles"')
    result = run("validate", str(org_copy), "--format", "json")
    assert result.exit_code == 1
    (obj,) = json.loads(result.stdout)
    assert obj == {
        "file": IC,
        "line": 5,
        "column": 1,
        "severity": "error",
        "code": "unknown-zone",
        "message": "unknown zone 'America/Los Angeles'; did you mean 'America/Los_Angeles'?",
        "key": "timezone",
    }


def test_cli_json_clean_is_empty_list(run, example_root):
    result = run("validate", str(example_root), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_cli_github_annotations(run, org_copy):
    edit(org_copy, LA_REPORT, 'filed_by = "rosa"', 'filed_by = "rosita"')
    result = run("validate", str(org_copy), "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.strip() == (
        f"::error file={LA_REPORT},line=3,col=1,title=unresolved-ref::filed_by: "
        "no member 'rosita' in collectives/los-angeles/members.toml"
    )


def test_cli_strict_fails_on_warnings(run, org_copy):
    edit(org_copy, IC, "duration_minutes = 180", "duration_minutes = 120")
    assert run("validate", str(org_copy)).exit_code == 0
    assert run("validate", str(org_copy), "--strict").exit_code == 1


def test_cli_path_to_one_file_reports_only_that_file(run, org_copy):
    edit(org_copy, LA_REPORT, 'filed_by = "rosa"', 'filed_by = "rosita"')
    edit(org_copy, "collectives/mexico/members.toml", 'role = "responsable"', 'rol = "x"')
    result = run("validate", str(org_copy / LA_REPORT))
    assert result.exit_code == 1
    assert result.stdout.count("\n") == 1 and LA_REPORT in result.stdout


def test_cli_sorted_by_file_and_line(run, org_copy):
    edit(org_copy, LA_REPORT, 'to = "honduras"', 'to = "hondura"')
    edit(org_copy, LA_REPORT, 'filed_by = "rosa"', 'filed_by = "rosita"')
    edit(org_copy, IC, '  "honduras",', '  "hondura",')
    lines = run("validate", str(org_copy)).stdout.splitlines()
    assert [ln.split(": ")[0] for ln in lines] == [f"{IC}:13:3", f"{LA_REPORT}:3:1", f"{LA_REPORT}:46:1"]


def test_cli_no_organisation_is_usage_error(run, tmp_path):
    result = run("validate", str(tmp_path))
    assert result.exit_code == 2
    assert "no 'collectives/' folder" in result.stderr


def test_cli_missing_path_is_usage_error(run, tmp_path):
    result = run("validate", str(tmp_path / "nope"))
    assert result.exit_code == 2


def test_cli_bad_option_is_usage_error(run, example_root):
    assert run("validate", str(example_root), "--format", "xml").exit_code == 2


def test_module_entry_point(example_root):
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "redflag_coord", "validate", str(example_root)],
        capture_output=True,
        text=True,
        env={**os.environ, "REDFLAG_TODAY": "2026-11-27"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr


def _links_walked(root: Path, tops: tuple[str, ...]) -> list[tuple[str, str]]:
    """outside_links as it was written before issue 35: os.walk and a stat of every entry."""
    from redflag_coord.repo.contain import inside

    base, found = os.path.abspath(root), []
    real_root = os.path.realpath(base)
    for top in tops:
        start = os.path.join(base, top)
        names = [start]
        if not os.path.islink(start) and os.path.isdir(start):
            for folder, dirs, files in os.walk(start):
                dirs.sort()
                names += [os.path.join(folder, n) for n in sorted([*dirs, *files])]
        for full in names:
            if os.path.islink(full) and not inside(real_root, os.path.realpath(full)):
                found.append((Path(os.path.relpath(full, base)).as_posix(), os.path.realpath(full)))
    return found


def test_links_leading_out_are_found_in_walk_order_at_any_depth(tmp_path):
    from redflag_coord.repo.contain import outside_links

    root, away = tmp_path / "org", tmp_path / "away"
    (away / "sub").mkdir(parents=True)
    (away / "f.toml").write_text("x = 1\n", encoding="utf-8")
    for folder in ("collectives/b/reports", "collectives/a/meetings/deep", "collectives/a/z", "trust"):
        (root / folder).mkdir(parents=True)
    links = {
        "collectives/b/reports/out.toml": away / "f.toml",
        "collectives/a/meetings/deep/out-dir": away / "sub",
        "collectives/a/meetings/in.toml": root / "trust",
        "collectives/a/linked": root / "collectives/b",  # inside, not followed: its links are found under b
        "collectives/a/z/dangling.toml": away / "missing.toml",
        "trust/a.toml": away / "f.toml",
        "locales": away,
    }
    for rel, target in links.items():
        os.symlink(target, root / rel)
    tops = ("collectives", "organisation.toml", "trust", "locales")
    found = outside_links(root, tops)
    assert found == _links_walked(root, tops)
    assert {rel for rel, _ in found} == set(links) - {"collectives/a/meetings/in.toml", "collectives/a/linked"}
