"""Minutes and commitments: golden outputs in every format and language, the state of a
commitment (overdue at the end of its due day in the owner's zone), validate's checks, and the
VTODO output read back by icalendar and ical.js.

Regenerate golden files after a deliberate change with REDFLAG_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from conftest import need
from test_calendar_support import node_ready

from redflag_coord.check.validate import validate_path
from redflag_coord.org.commitments import all_commitments, due_end, for_meeting
from redflag_coord.org.load import load_organisation

GOLDEN = Path(__file__).parent / "golden" / "minutes"
SUFFIX = {"text": "txt", "markdown": "md", "html": "html", "json": "json", "ics": "ics"}
MINUTES = "collectives/international-committee/minutes/ic-2026-06.toml"
STAMP = "2026-11-27T12:00:00Z"

CASES = [
    *[
        (("minutes", "show", "ic-2026-06"), fmt, lang)
        for fmt in ("text", "markdown", "html")
        for lang in ("en", "es", "fr")
    ],
    (("minutes", "show", "ic-2026-06"), "json", None),
    *[(("commitments",), fmt, lang) for fmt in ("text", "markdown", "html") for lang in ("en", "es", "fr")],
    (("commitments",), "json", None),
    (("commitments",), "ics", None),
    (("commitments", "india"), "text", None),
    (("commitments", "india"), "ics", None),
]


def _name(argv: tuple[str, ...], fmt: str, lang: str | None) -> str:
    parts = [a for a in argv if a != "show"] + ([lang] if lang else [])
    return ".".join(parts) + "." + SUFFIX[fmt]


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("REDFLAG_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with REDFLAG_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _stamp(monkeypatch):
    monkeypatch.setenv("REDFLAG_DTSTAMP", STAMP)
    monkeypatch.delenv("REDFLAG_NOW", raising=False)
    monkeypatch.delenv("REDFLAG_DOMAIN", raising=False)


@pytest.mark.parametrize("argv,fmt,lang", CASES, ids=[_name(*c) for c in CASES])
def test_golden(run, example_root, argv, fmt, lang):
    r = run(*argv, "--format", fmt, "--root", str(example_root), *(["--lang", lang] if lang else []))
    assert r.exit_code == 0, r.stderr
    _check_golden(_name(argv, fmt, lang), r.stdout)


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
def test_minutes_new_golden_in_the_conveners_language(run, org_copy, lang, monkeypatch):
    meeting = org_copy / "collectives/international-committee/meetings/ic-2026-12.toml"
    meeting.write_text(meeting.read_text().replace('language = "en"', f'language = "{lang}"'))
    monkeypatch.setenv("REDFLAG_NOW", "2026-12-12T15:30:00+00:00")  # half an hour into the December meeting
    r = run("minutes", "new", "ic-2026-12", "--root", str(org_copy))
    assert r.exit_code == 0, r.stderr
    assert "wrote collectives/international-committee/minutes/ic-2026-12.toml" in r.stdout
    path = org_copy / "collectives/international-committee/minutes/ic-2026-12.toml"
    text = path.read_text(encoding="utf-8")
    _check_golden(f"new.ic-2026-12.{lang}.toml", text)
    data = tomllib.loads(text)
    assert data["update"][0]["commitment"] == "ic-2026-06-hindi-edition"  # overdue first
    assert len(data["item"]) == 8
    assert run("fmt", "--check", str(path)).exit_code == 0
    assert run("validate", str(org_copy)).exit_code == 0


def test_every_golden_file_is_used():
    used = {_name(*c) for c in CASES} | {f"new.ic-2026-12.{lang}.toml" for lang in ("en", "es", "fr")}
    assert {p.name for p in GOLDEN.iterdir()} == used


def test_minutes_new_refuses_before_the_meeting_and_never_overwrites(run, org_copy):
    r = run("minutes", "new", "ic-2026-12", "--root", str(org_copy))
    assert r.exit_code == 2 and "has not started yet" in r.stderr
    r = run("minutes", "new", "ic-2026-06", "--root", str(org_copy))
    assert r.exit_code == 2 and "exists already" in r.stderr
    assert run("minutes", "show", "nope", "--root", str(org_copy)).exit_code == 2
    assert run("minutes", "show", "ic-2026-12", "--root", str(org_copy)).exit_code == 2  # no minutes yet
    assert run("commitments", "nowhere", "--root", str(org_copy)).exit_code == 2


# -- state --------------------------------------------------------------------------------------------------


def test_due_ends_at_midnight_in_the_owners_zone():
    assert due_end(dt.date(2026, 9, 30), "Asia/Kolkata") == dt.datetime(2026, 9, 30, 18, 30, tzinfo=dt.UTC)
    assert due_end(dt.date(2026, 9, 30), "America/Los_Angeles") == dt.datetime(2026, 10, 1, 7, tzinfo=dt.UTC)
    # a midnight that does not happen (the clocks jump from 00:00 to 01:00): the day ends at the jump
    end = due_end(dt.date(2026, 9, 5), "America/Santiago")
    assert end == dt.datetime(2026, 9, 6, 4, tzinfo=dt.UTC)


def test_overdue_in_the_owners_zone_not_the_readers(example_root):
    org = load_organisation(example_root)
    just_before = dt.datetime(2026, 9, 30, 18, 29, tzinfo=dt.UTC)  # 23:59 in Kolkata; morning in LA
    after = dt.datetime(2026, 9, 30, 18, 30, tzinfo=dt.UTC)  # midnight in Kolkata; still Sep 30 in LA
    (hindi,) = [s for s in all_commitments(org, just_before) if s.id == "ic-2026-06-hindi-edition"]
    assert not hindi.overdue
    (hindi,) = [s for s in all_commitments(org, after) if s.id == "ic-2026-06-hindi-edition"]
    assert hindi.overdue and hindi.owner_zone == "Asia/Kolkata"


def test_example_block_of_the_december_agenda(example_root):
    org = load_organisation(example_root)
    rows = for_meeting(org, "ic-2026-12")
    assert rows[0].id == "ic-2026-06-hindi-edition" and rows[0].overdue
    assert "ic-2026-12-los-angeles-1" in [s.id for s in rows]  # Los Angeles asks Honduras: open
    assert "ic-2026-06-dudula-article" not in [s.id for s in rows]  # done
    (dudula,) = [s for s in all_commitments(org) if s.id == "ic-2026-06-dudula-article"]
    assert (dudula.status, dudula.status_date) == ("done", dt.date(2026, 8, 20))
    assert for_meeting(org, "la-study-group") == []  # another convener's meetings


def test_agenda_for_shows_what_a_collective_owes_and_is_owed(run, example_root):
    r = run("agenda", "ic-2026-12", "--for", "los-angeles", "--lang", "en", "--root", str(example_root))
    owes = r.stdout.split("What Los Angeles owes", 1)[1].split("What Los Angeles is owed", 1)
    assert "Intercambio de cartas" in owes[0]
    assert "Honduras: Help write an article" in owes[1].split("\n\n", 1)[0] + owes[1]


# -- validate -----------------------------------------------------------------------------------------------


def _problems(root: Path) -> list[tuple[str, str, tuple]]:
    return [(p.file, p.code, p.key) for p in validate_path(root).problems if p.severity == "error"]


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    "old,new,code,key",
    [
        ('owner = "india"', 'owner = "indya"', "unresolved-ref", ("commitment", 1, "owner")),
        ('handle = "thabo"', 'handle = "asha"', "unresolved-ref", ("commitment", 0, "handle")),
        ("due = 2026-09-30", "due = 2026-06-01", "due-before-meeting", ("commitment", 1, "due")),
        ("date = 2026-08-20", "date = 2026-05-20", "date-order", ("commitment", 0, "date")),
        ('chair = "secretariat"', 'chair = "nobody"', "unresolved-ref", ("chair",)),
        ("item = 1\nnote", "item = 9\nnote", "unresolved-ref", ("item", 0, "item")),
        ('"los-angeles"]', '"los-angeles", "france"]', "not-invited", ("attendance", "present", 5)),
        ('collective = "india"', 'collective = "france"', "not-invited", ("decision", 1, "vote", 2, "collective")),
        (
            'id = "ic-2026-06-hindi-edition"',
            'id = "ic-2026-06-dudula-article"',
            "duplicate-id",
            ("commitment", 1, "id"),
        ),
        (
            'item = 2\nstatus = "done"',
            'item = 2\nrequest = "nope"\nstatus = "done"',
            "unresolved-ref",
            ("commitment", 0, "request"),
        ),
    ],
)
def test_validate_minutes(org_copy, old, new, code, key):
    _edit(org_copy, MINUTES, old, new)
    assert (MINUTES, code, key) in _problems(org_copy)


def test_minutes_of_a_meeting_not_held_yet(org_copy):
    (org_copy / "collectives/international-committee/minutes/ic-2026-12.toml").write_text('chair = "secretariat"\n')
    assert ("collectives/international-committee/minutes/ic-2026-12.toml", "minutes-before-meeting", ()) in _problems(
        org_copy
    )


def test_answers_resolve_and_come_from_the_owner(org_copy):
    rel = "collectives/south-africa/reports/ic-2026-12.toml"
    path = org_copy / rel
    base = path.read_text(encoding="utf-8")
    path.write_text(base + '\n[[answer]]\ncommitment = "no-such-thing"\nstatus = "done"\n', encoding="utf-8")
    assert (rel, "unresolved-ref", ("answer", 0, "commitment")) in _problems(org_copy)
    path.write_text(base + '\n[[answer]]\ncommitment = "ic-2026-06-hindi-edition"\nstatus = "done"\n', encoding="utf-8")
    assert (rel, "not-owner", ("answer", 0, "commitment")) in _problems(org_copy)


def test_the_example_validates_clean(example_root):
    assert validate_path(example_root).problems == []


# -- VTODO read back -------------------------------------------------------------------------------------


def _ics(run, root: Path, *args: str) -> bytes:
    r = run("commitments", *args, "--format", "ics", "--root", str(root))
    assert r.exit_code == 0, r.stderr
    return r.stdout.encode("utf-8")


def test_vtodo_due_in_icalendar(run, example_root):
    cal = icalendar.Calendar.from_ical(_ics(run, example_root, "india"))
    todos = {str(t["UID"]): t for t in cal.walk("VTODO")}
    hindi = todos["commitment-ic-2026-06-hindi-edition@redflag-coord.invalid"]
    due = hindi.decoded("DUE")
    assert due == dt.datetime(2026, 9, 30, 23, 59, 59, tzinfo=ZoneInfo("Asia/Kolkata"))
    assert due.astimezone(dt.UTC) == dt.datetime(2026, 9, 30, 18, 29, 59, tzinfo=dt.UTC)
    assert hindi["DUE"].params["TZID"] == "Asia/Kolkata"
    assert str(hindi["STATUS"]) == "NEEDS-ACTION"
    assert [c.get("TZID") for c in cal.walk("VTIMEZONE")] == ["Asia/Kolkata"]


def test_vtodo_due_in_icaljs(run, example_root):
    need(node_ready(), "node and tests/js/node_modules (npm install --prefix tests/js)")
    import json
    import subprocess

    js = Path(__file__).parent / "js" / "todos.mjs"
    proc = subprocess.run(["node", str(js)], input=_ics(run, example_root), capture_output=True, timeout=60, check=True)
    todos = {t["uid"]: t for t in json.loads(proc.stdout)["todos"]}
    hindi = todos["commitment-ic-2026-06-hindi-edition@redflag-coord.invalid"]
    assert (hindi["tzid"], hindi["due"]) == ("Asia/Kolkata", "2026-09-30T18:29:59Z")
    assert todos["commitment-ic-2026-12-los-angeles-1@redflag-coord.invalid"]["due"] is None
    assert "commitment-ic-2026-06-dudula-article@redflag-coord.invalid" not in todos  # done: not a task
