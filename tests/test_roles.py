"""The roles rota (issue 32): the one rule (org.rota.choose) as properties, and `roles next` across
Asia/Kathmandu, Pacific/Auckland and America/Los_Angeles, checked against zoneinfo."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redflag_coord.org.rota import choose

HOLDERS = ["a", "b", "c", "d", "e"]


@st.composite
def rounds(draw):
    pool = draw(st.lists(st.sampled_from(HOLDERS), min_size=1, max_size=5, unique=True))
    n = draw(st.integers(min_value=1, max_value=12))
    meetings = [
        (
            {h: draw(st.booleans()) for h in pool},  # acceptable hour at this meeting
            set(draw(st.lists(st.sampled_from(pool), max_size=len(pool) - 1, unique=True))),  # skipped
        )
        for _ in range(n)
    ]
    return pool, meetings


@settings(max_examples=150, deadline=None)
@given(rounds())
def test_a_rota_never_gives_a_holder_two_turns_in_a_row_when_another_is_eligible(case) -> None:
    pool, meetings = case
    counts = dict.fromkeys(pool, 0)
    last = None
    for good, skipped in meetings:
        holder, candidates = choose(pool, counts, last, good, skipped)
        eligible = [h for h in pool if h not in skipped]
        assert holder in eligible  # never one skipped; somebody while anyone is left
        if holder == last:
            assert eligible == [last]  # a repeat only when nobody else is eligible
        # fewest turns: nobody eligible (bar the last holder) had fewer
        rivals = [h for h in eligible if h != last] or eligible
        assert counts[holder] == min(counts[h] for h in rivals)
        # among those with as few turns, one at an acceptable hour when there is one
        fewest = [h for h in rivals if counts[h] == counts[holder]]
        assert good[holder] or not any(good[h] for h in fewest)
        assert {k.holder for k in candidates} == set(pool)  # every candidate is explained
        counts[holder] += 1
        last = holder


@settings(max_examples=60, deadline=None)
@given(rounds())
def test_allow_repeat_lets_the_last_holder_stay_only_by_the_same_rule(case) -> None:
    pool, meetings = case
    good, skipped = meetings[0]
    counts = dict.fromkeys(pool, 0)
    last = pool[0]
    holder, _ = choose(pool, counts, last, good, skipped, allow_repeat=True)
    eligible = [h for h in pool if h not in skipped]
    assert counts[holder] == min(counts[h] for h in eligible)


# -- roles next across three zones ------------------------------------------------------------

ZONES = {"kathmandu": "Asia/Kathmandu", "auckland": "Pacific/Auckland", "los-angeles": "America/Los_Angeles"}


def _organisation(root: Path, start_utc: dt.datetime) -> None:
    """A committee (zone UTC) with a chair rota of three collectives, all free 18:00-22:00 local on weekdays."""
    for slug, zone in [("committee", "UTC"), *ZONES.items()]:
        folder = root / "collectives" / slug
        folder.mkdir(parents=True)
        hours = '\n[availability]\nweekdays = ["18:00-22:00"]\nweekend = []\n' if slug != "committee" else ""
        (folder / "collective.toml").write_text(
            f'name = "{slug.title()}"\ntimezone = "{zone}"\nlanguages = ["en"]\n{hours}', encoding="utf-8"
        )
    committee = root / "collectives" / "committee"
    (committee / "meetings").mkdir()
    wall = start_utc.replace(tzinfo=None).isoformat(timespec="minutes")
    (committee / "meetings" / "m1.toml").write_text(
        f'title = "Committee"\nstart = {wall}:00\ntimezone = "UTC"\nduration_minutes = 60\n'
        'participants = ["kathmandu", "auckland", "los-angeles"]\n',
        encoding="utf-8",
    )
    (committee / "roles.toml").write_text(
        '[[role]]\nname = "chair"\npool = ["kathmandu", "auckland", "los-angeles"]\n', encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (dt.datetime(2027, 3, 10, 3, 0, tzinfo=dt.UTC), "los-angeles"),  # 19:00 Tue in LA (PST)
        (dt.datetime(2027, 3, 10, 6, 0, tzinfo=dt.UTC), "auckland"),  # 19:00 Wed in Auckland (NZDT)
        (dt.datetime(2027, 3, 17, 14, 0, tzinfo=dt.UTC), "kathmandu"),  # 19:45 Wed in Kathmandu (+05:45)
    ],
)
def test_roles_next_picks_a_holder_whose_local_hour_is_acceptable(tmp_path, run, start, expected) -> None:
    _organisation(tmp_path, start)
    result = run("roles", "next", "m1", "--format", "json", "--root", str(tmp_path))
    assert result.exit_code == 0, result.output
    (chair,) = json.loads(result.stdout)["roles"]
    assert chair["holder"] == expected
    for c in chair["candidates"]:
        local = start.astimezone(ZoneInfo(ZONES[c["holder"]]))  # zoneinfo, not the tool, says the local time
        assert c["local_start"] == local.isoformat()
        assert c["acceptable_hour"] == (dt.time(18) <= local.time() < dt.time(22) and local.weekday() < 5)
    text = run("roles", "next", "m1", "--root", str(tmp_path)).stdout
    assert f"Chair: {expected.title()} (0 turns;" in text and "inside its acceptable hours" in text


def test_turns_come_from_the_minutes_and_the_last_holder_waits(tmp_path, run, monkeypatch) -> None:
    """Held by Los Angeles at m1 (its minutes name a member): at m2 it has a turn and held it last."""
    monkeypatch.setenv("REDFLAG_TODAY", "2027-04-01")  # m1 is held: its minutes may be written
    start = dt.datetime(2027, 3, 10, 3, 0, tzinfo=dt.UTC)
    _organisation(tmp_path, start)
    (tmp_path / "collectives" / "los-angeles" / "members.toml").write_text(
        '[[member]]\nhandle = "carmen"\n', encoding="utf-8"
    )
    committee = tmp_path / "collectives" / "committee"
    (committee / "minutes").mkdir()
    (committee / "minutes" / "m1.toml").write_text('chair = "carmen"\n', encoding="utf-8")
    m1 = (committee / "meetings" / "m1.toml").read_text(encoding="utf-8")
    (committee / "meetings" / "m2.toml").write_text(m1.replace("2027-03-10", "2027-03-24"), encoding="utf-8")
    (chair,) = json.loads(run("roles", "next", "m2", "-f", "json", "--root", str(tmp_path)).stdout)["roles"]
    turns = {c["holder"]: (c["turns"], c["excluded"]) for c in chair["candidates"]}
    assert turns["los-angeles"] == (1, "repeat") and chair["holder"] != "los-angeles"
    again = json.loads(run("roles", "next", "m2", "-f", "json", "--allow-repeat", "--root", str(tmp_path)).stdout)
    assert again["roles"][0]["holder"] != "los-angeles"  # allowed, but it still has the most turns


def test_roles_next_without_a_rota_or_with_an_unknown_meeting(tmp_path, run) -> None:
    _organisation(tmp_path, dt.datetime(2027, 3, 10, 3, 0, tzinfo=dt.UTC))
    (tmp_path / "collectives" / "committee" / "roles.toml").unlink()
    result = run("roles", "next", "m1", "--root", str(tmp_path))
    assert result.exit_code == 1 and "keeps no roles rota" in result.output
    result = run("roles", "next", "m9", "--root", str(tmp_path))
    assert result.exit_code == 2 and "no meeting 'm9'" in result.output


def test_a_rota_naming_unknown_holders_is_refused(tmp_path, run) -> None:
    _organisation(tmp_path, dt.datetime(2027, 3, 10, 3, 0, tzinfo=dt.UTC))
    roles = tmp_path / "collectives" / "committee" / "roles.toml"
    roles.write_text(
        roles.read_text(encoding="utf-8").replace('"los-angeles"]', '"los-angeles", "nobody"]')
        + '\n[[skip]]\nmeeting = "m7"\nholder = "kathmandu"\n',
        encoding="utf-8",
    )
    out = run("validate", str(tmp_path)).output
    assert "'nobody' in the pool of 'chair' is neither a collective nor a member's handle" in out
    assert "[[skip]] names 'm7', not a meeting of 'committee'" in out


@pytest.mark.parametrize("lang", ["en", "es", "fr", "hi", "pt"])
def test_roles_next_speaks_each_language(example_root, run, lang) -> None:
    result = run("roles", "next", "ic-2026-12", "--lang", lang, "--root", str(example_root))
    assert result.exit_code == 0, result.output
    from redflag_coord.i18n.labels import Labels

    t = Labels(lang)
    assert t("roles.role.chair") in result.stdout and t("roles.heading", meeting="ic-2026-12") in result.stdout
