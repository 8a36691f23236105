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
    assert data["update"][0]["commitment"] == "ic-2026-06-delhi-count"  # overdue first
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
    (hindi,) = [s for s in all_commitments(org, just_before) if s.id == "ic-2026-06-delhi-count"]
    assert not hindi.overdue
    (hindi,) = [s for s in all_commitments(org, after) if s.id == "ic-2026-06-delhi-count"]
    assert hindi.overdue and hindi.owner_zone == "Asia/Kolkata"


def test_example_block_of_the_december_agenda(example_root):
    org = load_organisation(example_root)
    rows = for_meeting(org, "ic-2026-12")
    assert rows[0].id == "ic-2026-06-delhi-count" and rows[0].overdue
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
    hindi = todos["commitment-ic-2026-06-delhi-count@redflag-coord.invalid"]
    due = hindi.decoded("DUE")
    assert due == dt.datetime(2026, 9, 30, 23, 59, 59, tzinfo=ZoneInfo("Asia/Kolkata"))
    assert due.astimezone(dt.UTC) == dt.datetime(2026, 9, 30, 18, 29, 59, tzinfo=dt.UTC)
    assert hindi["DUE"].params["TZID"] == "Asia/Kolkata"
    assert str(hindi["STATUS"]) == "NEEDS-ACTION"
    # RFC 5546 §3.4.1 (PUBLISH of a VTODO): DTSTART, the meeting's start in its zone, and ORGANIZER
    assert hindi.decoded("DTSTART") == dt.datetime(2026, 6, 13, 7, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert hindi["DTSTART"].params["TZID"] == "America/Los_Angeles"
    assert str(hindi["ORGANIZER"]) == "mailto:international-committee@redflag-coord.invalid"
    assert [c.get("TZID") for c in cal.walk("VTIMEZONE")] == ["America/Los_Angeles", "Asia/Kolkata"]


# What every reader must find in the example's feed of tasks (UTC instants from zoneinfo, by hand):
# the Delhi count open, the Dudula article done on 20 August in Johannesburg (midnight there is 22:00 UTC).
HINDI = "commitment-ic-2026-06-delhi-count@redflag-coord.invalid"
DUDULA = "commitment-ic-2026-06-dudula-article@redflag-coord.invalid"
ORGANIZER = "mailto:international-committee@redflag-coord.invalid"
# The Hindi edition: a minutes commitment carried out by a translation (collectives/el-salvador/articles), done
MAQUILAS = "commitment-ic-2026-06-hindi-edition@redflag-coord.invalid"
READ_BACK = {
    HINDI: ("NEEDS-ACTION", 0, "2026-06-13T14:00:00Z", "2026-09-30T18:29:59Z", None),
    DUDULA: ("COMPLETED", 1, "2026-06-13T14:00:00Z", "2026-08-31T21:59:59Z", "2026-08-19T22:00:00Z"),
}


def _instant(value: str | None) -> str | None:
    """20260613T140000Z (libical) or 2026-06-13T14:00:00Z (ical.js) as the latter."""
    if value is None or "-" in value:
        return value
    return dt.datetime.strptime(value, "%Y%m%dT%H%M%SZ").strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_read_back(todos: dict[str, dict]) -> None:
    for uid, (status, sequence, start, due, completed) in READ_BACK.items():
        t = todos[uid]
        assert (t["status"], t["sequence"], t["organizer"]) == (status, sequence, ORGANIZER), uid
        assert t["dtstart"][0] == "America/Los_Angeles" and _instant(t["dtstart"][1]) == start, uid
        assert _instant(t["due"] if isinstance(t["due"], str) or t["due"] is None else t["due"][1]) == due, uid
        assert _instant(t["completed"][1] if t["completed"] else None) == completed, uid
    for uid, t in todos.items():  # every task, not only the two above: complete for RFC 5546
        # every organizer is the committee's role address (the Hindi maquilas is carried by the minutes)
        assert t["dtstart"] and t["organizer"] == ORGANIZER, uid


def test_vtodo_due_in_icaljs(run, example_root):
    need(node_ready(), "node and tests/js/node_modules (npm install --prefix tests/js)")
    import json
    import subprocess

    js = Path(__file__).parent / "js" / "todos.mjs"
    proc = subprocess.run(["node", str(js)], input=_ics(run, example_root), capture_output=True, timeout=60, check=True)
    todos = {t["uid"]: t for t in json.loads(proc.stdout)["todos"]}
    hindi = todos[HINDI]
    assert (hindi["tzid"], hindi["due"]) == ("Asia/Kolkata", "2026-09-30T18:29:59Z")
    assert todos["commitment-ic-2026-12-los-angeles-1@redflag-coord.invalid"]["due"] is None
    _check_read_back(todos)


def libical_python() -> str | None:
    """A python3 with libical's GObject bindings (Debian: python3-gi, gir1.2-ical-3.0), or None."""
    import shutil
    import subprocess

    for exe in ("/usr/bin/python3", shutil.which("python3")):
        if exe and Path(exe).exists():
            probe = "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib"
            if subprocess.run([exe, "-c", probe], capture_output=True, timeout=60, check=False).returncode == 0:
                return exe
    return None


def test_vtodo_complete_in_libical(run, example_root):
    exe = libical_python()
    need(exe is not None, "python3-gi and gir1.2-ical-3.0 (libical's bindings) for the system python3")
    import json
    import subprocess

    script = Path(__file__).parent / "libical_todos.py"
    proc = subprocess.run([exe, str(script)], input=_ics(run, example_root), capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode()
    _check_read_back({t["uid"]: t for t in json.loads(proc.stdout)["todos"]})


def test_closed_commitment_turns_completed_or_cancelled_and_stays_within_the_window(run, org_copy):
    """A subscribed app holds the open task; the next feed must replace it (same UID, higher SEQUENCE),
    not drop it: done is COMPLETED, dropped is CANCELLED, for as long as --days looks back."""

    def todos(*more: str) -> dict[str, icalendar.Todo]:
        cal = icalendar.Calendar.from_ical(_ics(run, org_copy, *more))
        return {str(t["UID"]): t for t in cal.walk("VTODO")}

    before = todos()[HINDI]
    assert (str(before["STATUS"]), before["SEQUENCE"]) == ("NEEDS-ACTION", 0)
    minutes = org_copy / MINUTES
    text = minutes.read_text(encoding="utf-8")
    counted = "due = 2026-09-30\nitem = 3\n"  # the Delhi count (the Hindi edition's due day is the same)
    assert text.count(counted) == 1
    minutes.write_text(text.replace(counted, counted + 'status = "dropped"\ndate = 2026-11-20\n'))
    after = todos()
    dropped = after[HINDI]
    assert (str(dropped["STATUS"]), dropped["SEQUENCE"]) == ("CANCELLED", 1)
    assert "COMPLETED" not in dropped and dropped["DTSTART"] == before["DTSTART"]
    done = after[DUDULA]
    assert (str(done["STATUS"]), done["SEQUENCE"], done["PERCENT-COMPLETE"]) == ("COMPLETED", 1, 100)
    assert done.decoded("COMPLETED") == dt.datetime(2026, 8, 19, 22, tzinfo=dt.UTC)
    # the window is --days (default 180): today is 2026-11-27 (conftest), the Dudula article was done
    # 99 days before, the Delhi count dropped 7 days before
    recent = todos("--days", "30")
    assert HINDI in recent and DUDULA not in recent
    assert set(todos("--days", "0")) == set(after) - {HINDI, DUDULA, MAQUILAS}  # the Hindi maquilas: reviewed


def test_vtodo_organizer_is_the_role_address_never_a_member(run, canary_org):
    """ORGANIZER comes from organisation.toml as the invites' does; members who opted in to invitations
    (and whose addresses the demo key opens) appear nowhere in the tasks."""
    from test_privacy import leaked

    members = canary_org / "collectives/international-committee/members.toml"
    text = members.read_text(encoding="utf-8")
    members.write_text(text.replace('handle = "canary-ic"', 'handle = "canary-ic"\ninvite = true'), encoding="utf-8")
    settings = canary_org / "organisation.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + '\n[calendar]\norganiser = "secretariat@example.org"\n', encoding="utf-8"
    )
    data = _ics(run, canary_org)
    invite = run("invite", "ic-2026-12", "--root", str(canary_org))
    assert invite.exit_code == 0, invite.stderr
    event_organizer = icalendar.Calendar.from_ical(invite.stdout).walk("VEVENT")[0]["ORGANIZER"]
    todos = icalendar.Calendar.from_ical(data).walk("VTODO")
    assert todos and {str(t["ORGANIZER"]) for t in todos} == {str(event_organizer)} == {
        "mailto:secretariat@example.org"
    }
    assert leaked(data.decode("utf-8")) == []
    assert b"ATTENDEE" not in data
