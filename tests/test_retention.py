"""Retention (issue 33): the period syntax and its arithmetic, the one expiry computation, and
`secrets forget --expired` refusing to half-write or to write past another writer's lock."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CANARY_NOTE, DEMO_IDENTITY, seal_private
from hypothesis import given, settings
from hypothesis import strategies as st
from vouch_helpers import vouch

from redflag_coord.org.model import FILE_MODELS, private_fields, submodel
from redflag_coord.org.retention import Expiry, Policy, expired, expiries, grace_end, warn_from
from redflag_coord.tz.duration import Period, format_period, parse_period

BIN = str(Path(sys.executable).with_name("redflag-coord"))
NOTE_FILE = "collectives/south-africa/relationships.toml"
DAYS = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31))
PERIODS = st.builds(Period, st.integers(0, 1200), st.integers(0, 3000))
LATER = "2027-01-10"  # the example's note (expires = 2027-01-01) has expired: a warning in its grace period


# -- the period syntax ---------------------------------------------------------------------------------


def test_period_syntax_reads_calendar_units_and_refuses_minutes() -> None:
    assert parse_period("2y") == Period(24, 0)
    assert parse_period("1y6mo") == Period(18, 0)
    assert parse_period(" 6W ") == Period(0, 42)
    assert parse_period("never") is None
    with pytest.raises(ValueError, match="'m' is minutes; for months write 6mo"):
        parse_period("6m")  # the one syntax: m is minutes everywhere, never months here
    for bad in ("", "2", "y", "6mo2y", "-1d", "2 y"):
        with pytest.raises(ValueError, match="not a period"):
            parse_period(bad)


@settings(max_examples=60, deadline=None)
@given(PERIODS)
def test_period_spelling_reads_back(period: Period) -> None:
    assert parse_period(format_period(period)) == period


@settings(max_examples=80, deadline=None)
@given(DAYS, PERIODS)
def test_a_period_after_a_day_is_never_earlier_and_clamps_to_the_month(day: dt.date, period: Period) -> None:
    after = period.after(day)
    assert after >= day
    months = (after - dt.timedelta(days=period.days)).year * 12 + (after - dt.timedelta(days=period.days)).month
    assert months - (day.year * 12 + day.month) == period.months  # whole months, the day clamped to the month
    assert period.before(after) <= day  # back again: never later than where it started (clamping only shortens)


@settings(max_examples=80, deadline=None)
@given(DAYS, st.integers(0, 400), st.integers(0, 400), DAYS)
def test_warning_then_grace_then_error_in_order(on: dt.date, warn: int, grace: int, today: dt.date) -> None:
    """The state of an expiry moves forward with the days, never back: kept, soon, expired, overdue."""
    policy = Policy({}, Period(0, warn), Period(0, grace))
    e = Expiry("f.toml", ("member", 0), on, ("member", 0, "expires"), "expires", ("email",), False)
    order = ["kept", "soon", "expired", "overdue"]
    state = e.state(today, policy)
    tomorrow = e.state(today + dt.timedelta(days=1), policy)
    assert order.index(tomorrow) >= order.index(state)
    start, end = warn_from(on, policy), grace_end(on, policy)
    assert start is not None and end is not None
    assert state == ("kept" if today < start else "soon" if today < on else "expired" if today < end else "overdue")
    assert (e in expired([e], today)) == (today >= on)  # forget removes from the day itself, grace or not


# -- the one computation -------------------------------------------------------------------------------


def test_every_table_with_a_private_value_can_carry_expires() -> None:
    """A new kind of table with a private field (a conversation note) must take `expires` too: the walk
    finds it, and this test refuses a model that could not say when its values expire."""
    seen: set[type] = set()

    def walk(model: type) -> None:
        if model in seen:
            return
        seen.add(model)
        if private_fields(model):
            assert "expires" in model.model_fields, f"{model.__name__} holds private values but has no expires"
        for field in model.model_fields.values():
            inner = submodel(field.annotation)
            if inner is not None:
                walk(inner)

    for model in FILE_MODELS.values():
        walk(model)
    assert len([m for m in seen if private_fields(m)]) >= 4  # member, relationship, stage change, distribution


def test_defaults_per_kind_explicit_expires_wins_and_a_required_value_goes_whole() -> None:
    from redflag_coord.org.model import MembersFile, RelationshipsFile, Settings

    policy = Policy.of(Settings.model_validate({"retention": {"member_left": "6mo", "relationship_left": "never"}}))
    members = MembersFile.model_validate(
        {"member": [{"handle": "ana", "email": "a@x.example", "left": dt.date(2026, 1, 31)}, {"handle": "bo"}]}
    )
    (m,) = expiries(members, "m.toml", policy)
    assert (m.key, m.on, m.source, m.whole) == (("member", 0), dt.date(2026, 7, 31), ("member", 0, "left"), False)
    rels = RelationshipsFile.model_validate(
        {
            "relationship": [
                {
                    "pseudonym": "p",
                    "nature": "friend",
                    "stage": "reader",
                    "comrade": "ana",
                    "since": dt.date(2025, 1, 1),
                    "left": dt.date(2025, 2, 1),  # relationship_left = never: no default
                    "history": [
                        {"date": dt.date(2025, 1, 1), "stage": "reader", "note": "n", "expires": dt.date(2026, 1, 1)}
                    ],
                }
            ]
        }
    )
    (h,) = expiries(rels, "r.toml", policy)
    assert (h.key, h.on, h.values, h.whole) == (
        ("relationship", 0, "history", 0),
        dt.date(2026, 1, 1),
        ("note",),
        False,
    )
    rels.relationships[0].expires = dt.date(2025, 6, 1)  # the relationship goes whole, earlier: the note goes with it
    (r,) = expiries(rels, "r.toml", policy)
    assert (r.key, r.whole, r.values) == (("relationship", 0), True, ("pseudonym",))


# -- forget: all or nothing, through the lock -----------------------------------------------------------


def cli(root: Path, *args: str, today: str = "2026-11-27", **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("REDFLAG_")}
    base.update(REDFLAG_TODAY=today, **env)
    return subprocess.run([BIN, *args, "--root", str(root)], env=base, capture_output=True, text=True, timeout=120)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _expire_two_files(root: Path) -> None:
    """A second expired value in another collective (mexico's relationship), beside the example's note."""
    path = root / "collectives/mexico/relationships.toml"
    path.write_text(path.read_text(encoding="utf-8") + "expires = 2026-11-01\n", encoding="utf-8")
    vouch(root, "mexico")  # a reader decided it: only a vouched date removes sealed values


def test_forget_expired_writes_no_file_when_one_cannot_be_written(org_copy: Path) -> None:
    """An intruder's (or a full disk's) failure on the second file leaves the first as it was."""
    _expire_two_files(org_copy)
    folder = org_copy / "collectives/south-africa"
    before = _snapshot(org_copy)
    folder.chmod(0o555)  # the second file of the change cannot be replaced
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: a read-only folder is still writable")
        done = cli(org_copy, "secrets", "forget", "--expired", today=LATER)
    finally:
        folder.chmod(0o755)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "nothing was changed" in done.stderr
    assert _snapshot(org_copy) == before  # mexico's file, written first, was put back


def test_forget_expired_stopped_between_two_files_puts_the_first_back(org_copy: Path) -> None:
    """Stopped (SIGTERM) after the first file was written and before the second: both are as before."""
    import signal

    _expire_two_files(org_copy)
    before = _snapshot(org_copy)
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDFLAG_")}
    env.update(REDFLAG_TODAY=LATER, REDFLAG_TEST_PAUSE_AFTER="1", REDFLAG_TEST_PAUSE_SECONDS="30")
    proc = subprocess.Popen(
        [BIN, "secrets", "forget", "--expired", "--root", str(org_copy)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    assert "test pause after step 1" in proc.stderr.readline()
    mid = _snapshot(org_copy)
    assert [rel for rel in before if not rel.startswith(".git") and mid.get(rel) != before[rel]] == [
        "collectives/mexico/relationships.toml"
    ]  # half-way: one file written, the other not yet
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and "Traceback" not in err
    after = _snapshot(org_copy)
    assert after == before  # and no journal left behind


def test_forget_expired_refuses_a_file_it_cannot_read_and_writes_nothing(org_copy: Path) -> None:
    _expire_two_files(org_copy)
    bad = org_copy / "collectives/south-africa/members.toml"
    bad.write_text(bad.read_text(encoding="utf-8") + "\nunknown = 1\n", encoding="utf-8")
    before = _snapshot(org_copy)
    done = cli(org_copy, "secrets", "forget", "--expired", today=LATER)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "collectives/south-africa/members.toml" in done.stderr and "nothing was written" in done.stderr
    assert _snapshot(org_copy) == before


def test_forget_expired_waits_for_another_writer_then_refuses(org_copy: Path) -> None:
    """Another command holds the writers' lock (a real process): forget waits, then stops, writing nothing."""
    _expire_two_files(org_copy)
    before = _snapshot(org_copy)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom redflag_coord.repo import fsio\n"
            "with fsio.locked(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(20)\n",
            str(org_copy),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        done = cli(org_copy, "secrets", "forget", "--expired", today=LATER, REDFLAG_LOCK_WAIT="1")
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "another redflag-coord command is writing here" in done.stderr
    assert _snapshot(org_copy) == before


def test_forget_expired_never_loses_a_concurrent_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """forget --expired, a member's forget and a hand edit of the same file at one instant, in real processes:
    every change that reported success is in the files, and a loser says so."""
    import shutil

    from conftest import copy_trust
    from test_concurrent_writes import HAND, _told, race_with_edit

    monkeypatch.setenv("REDFLAG_IDENTITY", str(DEMO_IDENTITY))
    monkeypatch.setenv("REDFLAG_TODAY", LATER)
    example = Path(__file__).resolve().parent.parent
    for n in range(int(os.environ.get("REDFLAG_STRESS_RUNS", "4"))):
        root = tmp_path / f"run-{n}"
        shutil.copytree(example / "collectives", root / "collectives")
        copy_trust(example, root)
        _expire_two_files(root)
        results, editor = race_with_edit(
            root,
            NOTE_FILE,
            ["secrets", "forget", "--expired"],
            ["secrets", "forget", "south-africa", "--member", "thabo"],
        )
        (fcode, fout), (mcode, mout) = results
        assert fcode == 0 or _told(fcode, fout), fout
        assert mcode == 0 or _told(mcode, mout), mout
        assert editor == 0
        text = (root / NOTE_FILE).read_text(encoding="utf-8")
        assert HAND.strip() in text, "the hand edit was lost"
        assert ("expires = 2027-01-01" not in text) == (fcode == 0), "forget reported one thing and did another"
        members = (root / "collectives/south-africa/members.toml").read_text(encoding="utf-8")
        assert ('handle = "thabo"\nrole = "collective leader"\nlanguages = ["zu", "en"]\nemail' in members) == (
            mcode != 0
        ), "the member's forget was lost"


def test_forget_expired_removes_by_date_without_a_key(org_copy: Path) -> None:
    """No identity at all: the sealed note goes by its date; nothing else in the file changes."""
    plant = org_copy / NOTE_FILE
    before = plant.read_text(encoding="utf-8")
    assert cli(org_copy, "secrets", "forget", "--expired").stdout == ""  # not yet on the examples' day
    done = cli(org_copy, "secrets", "forget", "--expired", today=LATER)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"removed {NOTE_FILE}: relationship[0].history[1]: note (expired on 2027-01-01: expires = 2027-01-01)\n"
    )
    after = plant.read_text(encoding="utf-8")
    removed = [line for line in before.splitlines() if line not in after.splitlines()]
    assert [line.split(" = ")[0] for line in removed] == ["note", "expires", "expires_vouched"]  # layout stays
    assert "# Kept to the end of 2026" in after


def test_canary_note_forgotten_and_gone_from_every_value(org_copy: Path) -> None:
    """A plain note sealed by the tool, expired: after forget, no value of the file opens to it."""
    from redflag_coord import crypt
    from redflag_coord.edit.trustseal import open_bound

    path = org_copy / "collectives/mexico/relationships.toml"
    path.write_text(
        path.read_text(encoding="utf-8") + f'\n[[relationship.history]]\ndate = 2026-02-02\nstage = "reader"\n'
        f'note = "{CANARY_NOTE}"\nexpires = 2026-10-01\n',
        encoding="utf-8",
    )
    seal_private(org_copy)
    vouch(org_copy, "mexico")
    keys = crypt.read_identities(DEMO_IDENTITY).keys

    def opened() -> list[str]:
        import tomllib

        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        values = [
            v
            for r in doc.get("relationship", [])
            for v in [r.get("pseudonym"), *(h.get("note") for h in r.get("history", []))]
        ]
        return [open_bound(crypt.open_sealed(v, keys)) for v in values if v]

    assert CANARY_NOTE in opened()
    assert cli(org_copy, "validate", today="2026-12-01").returncode == 1  # past the grace: an error
    done = cli(org_copy, "secrets", "forget", "--expired", "mexico")
    assert done.returncode == 0 and CANARY_NOTE not in done.stdout + done.stderr
    assert CANARY_NOTE not in opened() and opened()  # the pseudonym stays: only the note expired


def test_organisation_toml_refuses_minutes_for_months(tmp_path: Path) -> None:
    """A careless '6m' (six minutes) in [retention] is an error naming the key, never read as six months."""
    from redflag_coord.org.settings import check_settings

    (tmp_path / "organisation.toml").write_text('[retention]\nmember_left = "6m"\n', encoding="utf-8")
    _, problems = check_settings(tmp_path)
    assert [(p.severity, p.key_path) for p in problems] == [("error", "retention.member_left")]
    assert "for months write 6mo" in problems[0].message


def test_forget_expired_removes_a_relationship_whole_and_keeps_a_members_handle(org_copy: Path) -> None:
    """A relationship past its default ([retention] relationship_left) goes whole with its history; a member
    who left keeps their handle and is no longer invited. Nothing else changes."""
    import tomllib

    rels = org_copy / "collectives/los-angeles/relationships.toml"
    doc = tomllib.loads(rels.read_text(encoding="utf-8"))
    first_id = doc["relationship"][0]["id"]
    text = rels.read_text(encoding="utf-8")
    rels.write_text(text.replace(f'id = "{first_id}"', f'id = "{first_id}"\nleft = 2025-06-01', 1), encoding="utf-8")
    members = org_copy / "collectives/los-angeles/members.toml"
    mdoc = tomllib.loads(members.read_text(encoding="utf-8"))
    handle = next(m["handle"] for m in mdoc["member"] if m.get("email"))
    mtext = members.read_text(encoding="utf-8")
    members.write_text(
        mtext.replace(f'handle = "{handle}"', f'handle = "{handle}"\nleft = 2026-01-02', 1), encoding="utf-8"
    )
    vouch(org_copy, "los-angeles")
    done = cli(org_copy, "secrets", "forget", "--expired", "los-angeles")
    assert done.returncode == 0, done.stderr
    assert "relationship[0]: the whole entry" in done.stdout and "email" in done.stdout
    after = tomllib.loads(rels.read_text(encoding="utf-8"))["relationship"]
    assert [r["id"] for r in after] == [r["id"] for r in doc["relationship"][1:]]
    member = next(m for m in tomllib.loads(members.read_text(encoding="utf-8"))["member"] if m["handle"] == handle)
    assert "email" not in member and "phone" not in member and not member.get("invite")
    assert cli(org_copy, "validate", REDFLAG_IDENTITY=str(DEMO_IDENTITY)).returncode == 0


# -- a conversation's date is sealed: its default retention is judged only with a key -------------------


def test_a_conversation_note_with_a_sealed_date_is_judged_only_with_a_key(
    org_copy: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """[retention] conversation_notes counts from the conversation's date, which is sealed (it says when a
    member met someone). Without a key forget cannot know it: it says so and removes none of them; with the
    key it removes those past their period, and says where, never the sealed date it counted from."""
    monkeypatch.setenv("REDFLAG_TODAY", "2029-06-01")  # the example's conversations (2026) are past 2y
    rel = "collectives/los-angeles/relationships.toml"
    monkeypatch.delenv("REDFLAG_IDENTITY")
    blind = run("secrets", "forget", "--expired", "--dry-run", "--root", str(org_copy))
    assert blind.exit_code == 0, blind.output
    assert "conversation[" not in blind.stdout
    assert f"conversation note(s) in {rel} count their retention from a sealed date" in blind.stderr
    before = (org_copy / rel).read_bytes()
    seeing = run("secrets", "forget", "--expired", "--identity", str(DEMO_IDENTITY), "--root", str(org_copy))
    assert seeing.exit_code == 0, seeing.output
    removed = [line for line in seeing.stdout.splitlines() if ".conversation[" in line]
    assert removed and all("after its sealed date" in line for line in removed), seeing.stdout
    assert "sealed date and have no 'expires'" not in seeing.stderr
    after = (org_copy / rel).read_text(encoding="utf-8")
    assert after != before.decode() and "[[relationship.conversation]]" not in after
    monkeypatch.setenv("REDFLAG_IDENTITY", str(DEMO_IDENTITY))
    assert run("validate", str(org_copy)).exit_code in (0, 1)  # the file still loads; other expiries may remain


def test_validate_with_a_key_judges_a_sealed_conversation_date_and_never_shows_a_day_of_it(
    example_root: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDFLAG_TODAY", "2029-06-01")
    seen = run("validate", str(example_root))
    lines = [line for line in seen.stderr.splitlines() + seen.stdout.splitlines() if ".conversation[" in line]
    assert lines and all("error[expired]" in line for line in lines), seen.output
    assert not any(re.search(r"20[0-9]{2}-[01][0-9]-[0-3][0-9]", line.split(": ", 1)[1]) for line in lines)
    monkeypatch.delenv("REDFLAG_IDENTITY")
    blind = run("validate", str(example_root))
    assert ".conversation[" not in blind.output  # not judged without a key (forget --expired says so)
