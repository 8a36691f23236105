"""One duration syntax for every option that takes a span of time (tz/duration.py): 90, 90m, 2h, 1h30m."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redflag_coord.tz.duration import format_duration, parse_duration

MOST = 40320  # --reminder's limit, the largest of any duration option


@given(st.integers(0, MOST))
def test_format_then_parse_gives_the_minutes_back(minutes):
    assert parse_duration(format_duration(minutes), least=0, most=MOST) == minutes


# Every spelling the syntax allows, written by hand the way a member might: bare, m, h, h+m, h m.
spellings = st.one_of(
    st.integers(0, 999).map(str),
    st.integers(0, 999).map(lambda m: f"{m}m"),
    st.integers(0, 99).map(lambda h: f"{h}h"),
    st.tuples(st.integers(0, 99), st.integers(0, 59), st.sampled_from(["", " ", "  "])).map(
        lambda t: f"{t[0]}h{t[2]}{t[1]:0{2 if t[1] < 10 and t[0] % 2 else 1}d}m"
    ),
).map(lambda text: text.upper() if len(text) % 3 == 0 else text)


@given(spellings)
def test_parse_then_format_is_canonical_and_stable(text):
    minutes = parse_duration(text, least=0, most=MOST)
    canonical = format_duration(minutes)
    assert parse_duration(canonical, least=0, most=MOST) == minutes
    assert format_duration(parse_duration(canonical, least=0, most=MOST)) == canonical


@given(st.text(alphabet="0123456789hmHM .-+:s\t", max_size=12))
def test_any_text_is_minutes_or_a_message_with_an_example(text):
    try:
        minutes = parse_duration(text)
    except ValueError as e:
        assert "1h30m" in str(e) or "give a duration from" in str(e)
    else:
        assert 1 <= minutes <= 1440


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("90", 90), ("90m", 90), ("2h", 120), ("1h30m", 90), ("1h 30m", 90), ("1h05m", 65), (" 3H ", 180), ("24h", 1440)],
)
def test_accepts(text, minutes):
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    "text", ["", "0", "h", "m", "1h60m", "1h30", "-5", "1.5h", "1441", "25h", "2 h", "90s", "1m30"]
)
def test_rejects(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_bounds_are_the_callers():
    assert parse_duration("0", least=0) == 0
    with pytest.raises(ValueError, match="from 1m to 24h"):
        parse_duration("0")
