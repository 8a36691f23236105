"""Journey (issue 33): a comrade records a follow-up with a person, seals it, and finds it in their own feed
(`calendar --for HANDLE`), in their collective's zone, and nowhere else: not in any output of the collective
or the committee. The feed is refused to an identity that does not read it; the network counts follow-ups
due and overdue on the collective's wall clock, and only counts. In a temporary git repository.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import DEMO_IDENTITY, DEMO_MAIL_SENDER, REPO, need
from git_helpers import example_repo
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from test_calendar_support import node_ready
from test_privacy import OUTPUTS, _views, run_output

from redflag_coord.org.followups import DUE_DAYS, FeedRefused, counts, feed_items
from redflag_coord.org.load import CollectiveData, Organisation
from redflag_coord.org.model import Collective, Relationship, RelationshipsFile

BIN = str(Path(sys.executable).with_name("redflag-coord"))
STEP = "Folgeschritt-7Q: lend her the maquilas issue at the bus stop"
TALK = "Gesprach-7Q: her sister was fired for organising"
LA = "collectives/los-angeles/relationships.toml"
# chayo holds no relationship in the example: the follow-up is the only one of theirs
FOLLOW_UP = f"""
[[relationship]]
pseudonym = "Golondrina"
nature = "co-worker"
stage = "contact"
comrade = "chayo"
since = 2026-11-20
assessment = "undecided"
next_step = "{STEP}"
next_due = 2026-11-30

[[relationship.conversation]]
date = 2026-11-20
kind = "one-on-one"
note = "{TALK}"
"""


def cli(root: Path, *args: str, identity: Path | None = DEMO_IDENTITY, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REDFLAG_")}
    clean.update(REDFLAG_TODAY="2026-11-27", REDFLAG_FILED_DATES="file", **env)
    if identity is not None:
        clean["REDFLAG_IDENTITY"] = str(identity)
    return subprocess.run([BIN, *args], cwd=root, env=clean, capture_output=True, text=True, timeout=120)


@pytest.fixture
def sealed_repo(tmp_path: Path):
    """The example in git, with chayo's follow-up added in plain text, sealed and committed."""
    repo = example_repo(tmp_path, drop_reports=None)
    with (repo.root / LA).open("a", encoding="utf-8") as f:
        f.write(FOLLOW_UP)
    plain = cli(repo.root, "validate")
    # typed in plain text: refused like every private value, each key named, none echoed
    assert plain.returncode == 1
    for key in ("next_step", "next_due", "conversation[0].date", "conversation[0].kind", "conversation[0].note"):
        assert f"error[plaintext-private]: relationship[6].{key}:" in plain.stdout, key
    assert STEP not in plain.stdout + plain.stderr and TALK not in plain.stdout + plain.stderr
    done = cli(repo.root, "secrets", "encrypt", "los-angeles")
    assert done.returncode == 0, done.stderr
    text = (repo.root / LA).read_text(encoding="utf-8")
    assert STEP not in text and TALK not in text and "2026-11-30" not in text  # the due day is sealed too
    ok = cli(repo.root, "validate")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    repo.commit("chayo: a follow-up with a new contact")
    return repo


def test_journey_the_follow_up_is_in_the_comrades_feed_and_nowhere_else(sealed_repo, run, tmp_path, monkeypatch):
    root = sealed_repo.root
    feed = cli(root, "calendar", "--for", "chayo")
    assert feed.returncode == 0, feed.stderr
    cal = Calendar.from_ical(feed.stdout)
    todos = cal.walk("VTODO")
    assert len(todos) == 1  # chayo's only: nobody else's next step
    todo = todos[0]
    assert STEP in str(todo["SUMMARY"]) and "Golondrina" in str(todo["SUMMARY"])
    due = todo.decoded("DUE")
    assert str(due.tzinfo) == "America/Los_Angeles" and due.replace(tzinfo=None) == dt.datetime(
        2026, 11, 30, 23, 59, 59
    )
    assert due.utcoffset() == dt.timedelta(hours=-8)  # the collective's zone, not the reader's
    alarm = todo.walk("VALARM")[0]
    assert due + alarm.decoded("TRIGGER") == dt.datetime(2026, 11, 30, 9, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert TALK not in feed.stdout  # conversation notes stay in the file: the feed holds what to do, not what was said
    assert "ORGANIZER" not in feed.stdout and "ATTENDEE" not in feed.stdout

    # Every output of the collective and the committee, with the key that opens the follow-up: never there.
    monkeypatch.setenv("REDFLAG_IDENTITY", str(DEMO_IDENTITY))
    swept = [o for o in OUTPUTS if o.command not in ("validate", "slots") and "chayo" not in o.argv]
    assert {o.command for o in swept} >= {"agenda", "calendar", "invite", "publish", "network", "summary"}
    assert {o.command for o in swept} >= {"commitments", "report", "minutes"}
    for out in swept:
        code, produced = run_output(run, out, root, tmp_path, monkeypatch)
        assert code in out.codes, (out.id, produced)
        for view in _views(produced):
            assert STEP.casefold() not in view.casefold(), out.id
            assert TALK.casefold() not in view.casefold(), out.id
    # the collective's own private view shows its pseudonyms, not the comrade's next step
    private = cli(root, "network", "los-angeles", "--include-private")
    assert "Golondrina" in private.stdout and STEP not in private.stdout and TALK not in private.stdout
    # the feed written inside the repository is an export that holds a private value: validate stops it
    cli(root, "calendar", "--for", "chayo", "--output", "chayo.ics")
    assert "error[export-private]" in cli(root, "validate").stdout

    # read back as Thunderbird does (ical.js): the same task, due at the same instant
    need(node_ready(), "node and tests/js/node_modules (npm install --prefix tests/js)")
    js = REPO / "tests" / "js" / "todos.mjs"
    read = subprocess.run(["node", str(js)], input=feed.stdout.encode(), capture_output=True, timeout=60, check=True)
    (seen,) = json.loads(read.stdout)["todos"]
    assert (seen["tzid"], seen["due"]) == ("America/Los_Angeles", "2026-12-01T07:59:59Z")
    assert STEP in seen["summary"]


def test_the_feed_is_refused_to_an_identity_that_does_not_read_it(sealed_repo):
    root = sealed_repo.root
    # the secretariat's key opens members' emails, not relationships: not the comrade's identity
    other = cli(root, "calendar", "--for", "chayo", identity=DEMO_MAIL_SENDER)
    assert other.returncode == 1 and other.stdout == ""
    assert "not one of the readers of 'los-angeles'" in other.stderr and "nothing was written" in other.stderr
    keyless = cli(root, "calendar", "--for", "chayo", identity=None)
    assert keyless.returncode == 1 and keyless.stdout == ""
    assert "give the comrade's identity" in keyless.stderr
    assert STEP not in other.stderr + keyless.stderr
    never_on_a_server = cli(root, "calendar", "--for", "chayo", "--caldav", "https://dav.example.org/cal/")
    assert never_on_a_server.returncode == 2 and "never to a CalDAV server" in never_on_a_server.stderr


def test_a_reader_who_cannot_open_one_follow_up_gets_no_feed(org_copy):
    """A listed reader whose key does not open one of the comrade's values (sealed to others): nothing."""
    from redflag_coord.check.validate import validate_path
    from redflag_coord.crypt import read_identities
    from redflag_coord.org.secrets import withhold

    org = validate_path(org_copy).org  # no identity: every value stays sealed
    withhold(org)
    readers = list(read_identities(DEMO_IDENTITY).recipients)
    with pytest.raises(FeedRefused, match=r"relationship\[0\]: the identity given does not open this follow-up"):
        feed_items(org, org.collectives["los-angeles"], "rosa", readers)


def test_network_counts_follow_ups_around_the_due_day_in_the_collectives_zone(sealed_repo):
    root = sealed_repo.root
    # beto's next step is due 2026-11-24: overdue from midnight in Los Angeles (08:00 UTC), not before
    before = cli(root, "network", "los-angeles", "--format", "json", REDFLAG_NOW="2026-11-25T07:59:00Z")
    after = cli(root, "network", "los-angeles", "--format", "json", REDFLAG_NOW="2026-11-25T08:00:00Z")
    first = json.loads(before.stdout)["collectives"][0]["follow_ups"]
    then = json.loads(after.stdout)["collectives"][0]["follow_ups"]
    # on the 24th there: beto's (that day) and chayo's (the 30th) are due, rosa's (3 December, 9 days) later
    assert first == {"due": 2, "overdue": 0, "later": 1, "unread": 0}
    assert then == {"due": 1, "overdue": 1, "later": 1, "unread": 0}
    keyless = json.loads(cli(root, "network", "--format", "json", identity=None).stdout)
    assert keyless["overview"]["follow_ups"]["unread"] == 3  # sealed: counted, never guessed
    for form in ("text", "html"):
        shown = cli(root, "network", "--format", form).stdout
        assert "overdue" in shown and STEP not in shown and "2026-11-24" not in shown


ZONES = ("America/Los_Angeles", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kolkata", "Europe/Paris")


def _one(zone: str, due: dt.date | None) -> tuple[Organisation, CollectiveData]:
    rel = Relationship.model_construct(
        pseudonym="p", nature="co-worker", comrade="rosa", next_step="step", next_due=due, conversations=[]
    )
    info = Collective.model_construct(timezone=zone, recipients=[])
    c = CollectiveData("x", info=info, relationships=RelationshipsFile.model_construct(relationships=[rel]))
    return Organisation(root=Path("."), collectives={"x": c}), c


@settings(max_examples=60, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    due=st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)),
    minutes=st.integers(-3 * 1440, 10 * 1440),
)
def test_due_and_overdue_follow_the_local_day(zone: str, due: dt.date, minutes: int) -> None:
    """An instant `minutes` after local midnight starting the due day, judged on that zone's calendar."""
    start = dt.datetime.combine(due, dt.time(), ZoneInfo(zone))
    now = (start + dt.timedelta(minutes=minutes)).astimezone(dt.UTC)
    org, c = _one(zone, due)
    found = counts(org, c, now)
    local = now.astimezone(ZoneInfo(zone)).date()
    assert found.total == 1
    assert found.overdue == (local > due)
    assert found.due == (local <= due < local + dt.timedelta(days=DUE_DAYS))
    assert found.later == (due >= local + dt.timedelta(days=DUE_DAYS))


def test_a_follow_up_without_a_day_is_later_and_none_is_nothing() -> None:
    now = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
    org, c = _one("UTC", None)
    assert (counts(org, c, now).later, counts(org, c, now).total) == (1, 1)
    c.relationships.relationships[0].next_step = None  # type: ignore[union-attr]
    assert counts(org, c, now).total == 0


def test_assessment_unknown_or_twice_on_the_scale_is_named(org_copy: Path, run) -> None:
    path = org_copy / LA
    path.write_text(path.read_text(encoding="utf-8").replace('"undecided"', '"maybe"'), encoding="utf-8")
    r = run("validate", "--root", str(org_copy))
    assert r.exit_code == 1
    line = next(x for x in r.stdout.splitlines() if "unknown-assessment" in x)
    assert line.startswith(f"{LA}:") and "relationship[2].assessment" in line
    assert "'maybe'" in line and "leader, active, supportive, undecided, opposed" in line
    settings_file = org_copy / "organisation.toml"
    text = settings_file.read_text(encoding="utf-8").replace('id = "opposed"', 'id = "leader"')
    settings_file.write_text(text, encoding="utf-8")
    again = run("validate", "--root", str(org_copy)).stdout
    assert "organisation.toml:" in again and "error[duplicate-assessment]: relationships.assessment[4].id" in again


def test_without_a_scale_the_default_one_is_used(org_copy: Path, run) -> None:
    settings_file = org_copy / "organisation.toml"
    text = settings_file.read_text(encoding="utf-8")
    settings_file.write_text(text.split("\n[relationships]")[0] + "\n", encoding="utf-8")
    assert run("validate", "--root", str(org_copy)).exit_code == 0  # supportive, undecided: on the default scale
    from redflag_coord.org.settings import load_settings

    assert load_settings(org_copy).relationships.ids() == ["leader", "active", "supportive", "undecided", "opposed"]


def test_forgetting_a_relationship_removes_its_follow_up_and_conversations(org_copy: Path, run) -> None:
    r = run("secrets", "forget", "los-angeles", "--relationship", "0", "--root", str(org_copy))
    assert r.exit_code == 0, r.stdout + r.stderr
    for key in ("relationship[0].next_step", "relationship[0].next_due", "relationship[0].conversation"):
        assert key in r.stdout
    import tomllib

    first = tomllib.loads((org_copy / LA).read_text(encoding="utf-8"))["relationship"][0]
    assert not {"next_step", "next_due", "conversation"} & set(first)
    assert first["assessment"] == "supportive"  # public, like the stage: it stays
    assert run("validate", "--root", str(org_copy)).exit_code == 0


def test_a_named_collective_must_know_the_handle(run, example_root: Path) -> None:
    r = run("calendar", "mexico", "--for", "rosa", "--root", str(example_root))
    assert r.exit_code == 2 and "'rosa' is no member of 'mexico'" in r.stderr and r.stdout == ""
