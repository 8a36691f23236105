"""Text survives the round trip and cannot change the file's structure; lines fold at 75 octets."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import vobject
from conftest import EXAMPLE
from hypothesis import given, settings
from hypothesis import strategies as st

from redflag_coord.calendar import ics
from redflag_coord.org.load import load_organisation
from redflag_coord.org.model import Meeting

ORG = load_organisation(EXAMPLE)
SETTINGS = ics.Settings(stamp=dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC))
SAMPLES = [
    "Reunión: ¿quién conocemos?, ¿qué relación?; sí \\ no",
    "अंतर्राष्ट्रीय समिति: मज़दूरों के साथ संबंध",  # Devanagari
    "Umhlangano: ukwakha ubudlelwano nabasebenzi",  # isiZulu
    "C:\\New folder \\n \\N \\, \\;",  # backslash sequences that look like escapes
    "line one\nline two\r\nline three\rfour",
    "END:VEVENT\nBEGIN:VCALENDAR\nUID:evil\nEND:VCALENDAR",
    "x" * 74 + "é" + "दे" * 40,
]
STRUCTURE = [
    b"BEGIN:VCALENDAR",
    b"BEGIN:VTIMEZONE",
    b"BEGIN:STANDARD",
    b"END:STANDARD",
    b"BEGIN:DAYLIGHT",
    b"END:DAYLIGHT",
    b"END:VTIMEZONE",
    b"BEGIN:VEVENT",
    b"END:VEVENT",
    b"END:VCALENDAR",
]
text = (
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    ",",
                    ";",
                    ":",
                    "\\",
                    "\n",
                    "\r",
                    '"',
                    "END:VEVENT",
                    "BEGIN:VCALENDAR",
                    "\r\nEND:VCALENDAR\r\n",
                    "\nBEGIN:VEVENT\n",
                    "ñ",
                    "दे",
                    "Ukwakha",
                ]
            ),
            st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20),
        ),
        min_size=1,
        max_size=20,
    )
    .map("".join)
    .filter(lambda s: ics.clean_text(s).strip())
)


def _meeting(title: str, location: str, description: str) -> Meeting:
    return Meeting(
        title=title[:300],
        start=dt.datetime(2026, 12, 12, 7),
        timezone="America/Los_Angeles",
        duration_minutes=60,
        location=location[:300],
        description=description,
    )


def _build(m: Meeting) -> bytes:
    org = ORG
    org.collectives["international-committee"].meetings["t-text"] = m
    try:
        return ics.invite(org, "t-text", "publish", SETTINGS).to_ical()
    finally:
        del org.collectives["international-committee"].meetings["t-text"]


def _check(title: str, location: str, description: str) -> None:
    m = _meeting(title, location, description)
    data = _build(m)
    for line in data.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode("utf-8")  # a fold never splits a multi-byte character
    lines = data.replace(b"\r\n ", b"").split(b"\r\n")
    assert lines[-1] == b"" and all(re.match(rb"^[A-Z][A-Z0-9-]*[;:]", x) for x in lines[:-1])
    structure = [x for x in lines if x.startswith((b"BEGIN:", b"END:"))]
    assert structure == STRUCTURE
    cal = icalendar.Calendar.from_ical(data)
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == "t-text@redflag-coord.invalid"
    assert str(event["SUMMARY"]) == ics.clean_text(m.title)
    assert str(event["LOCATION"]) == ics.clean_text(m.location)
    # the description is wrapped as agenda prose: compare without the white space
    assert "".join(ics.clean_text(m.description).split()) in "".join(str(event["DESCRIPTION"]).split())
    (vevent,) = vobject.readOne(data.decode()).vevent_list
    assert vevent.summary.value == ics.clean_text(m.title)


def test_samples_round_trip():
    for s in SAMPLES:
        _check(s, s, s)


@settings(max_examples=100, deadline=None)
@given(title=text, location=text, description=text)
def test_any_text_round_trips_and_keeps_the_structure(title, location, description):
    _check(title, location, description)


def test_describe_is_the_agenda_in_the_meeting_language_with_zone_and_repeats():
    _, study = ORG.find_meeting("la-study-group")
    text = ics.describe(ORG, "la-study-group", study)
    # One DESCRIPTION serves every occurrence: the local time in the meeting's zone, no date or UTC (issue 13)
    assert "Cuándo     19:00 – 20:30 (America/Los_Angeles)" in text
    assert "1 de octubre" not in text and "UTC" not in text
    assert "Se repite  cada semana (jueves), hasta el 24 de junio de 2027; excepto 26 nov 2026" in text
    assert "Puntos del orden del día" in text and "@" not in text


def test_describe_leaves_reports_out():
    _, ic = ORG.find_meeting("ic-2026-12")
    text = ics.describe(ORG, "ic-2026-12", ic)
    assert "Order of the day" in text and "South Africa" in text
    assert "Reports" not in text and "factory district, morning shift gates" not in text


def _study_moved_and_cancelled(language: str = "en") -> Meeting:
    _, study = ORG.find_meeting("la-study-group")
    extra = {
        "language": language,
        "occurrences": [
            {"date": dt.date(2027, 1, 14), "start": dt.datetime(2027, 1, 15, 18)},
            {"date": dt.date(2027, 2, 4), "cancelled": True},
            {"date": dt.date(2026, 12, 24), "cancelled": True},  # also an exception: said once
        ],
    }
    return Meeting.model_validate({**study.model_dump(), **extra})


def test_series_text_names_exceptions_and_cancelled_sessions_in_every_language():
    expected = {
        "en": "not on Nov 26, 2026, Dec 24, 2026, Dec 31, 2026; cancelled on Feb 4, 2027",
        "es": "excepto 26 nov 2026, 24 dic 2026, 31 dic 2026; cancelada el 4 feb 2027",
        "fr": "; annulée le 4 févr. 2027",
        "pt": "; cancelada em 4 de fev. de 2027",
        "hi": "4 फ़र॰ 2027 को रद्द",
    }
    for lang, words in expected.items():
        study = _study_moved_and_cancelled(lang)
        text = " ".join(ics.describe(ORG, "la-study-group", study).split())
        assert words in text, (lang, text)
    assert ics.describe(ORG, "la-study-group", _study_moved_and_cancelled("es")).count("24 dic") == 1


def test_moved_session_text_says_moved_from_and_to_in_the_meetings_zone(org_copy):
    path = org_copy / "collectives/los-angeles/meetings/la-study-group.toml"
    moves = "\n[[occurrence]]\ndate = 2027-01-14\nstart = 2027-01-15T18:00:00\n"
    path.write_text(path.read_text(encoding="utf-8").replace('language = "es"', 'language = "en"') + moves)
    org = load_organisation(org_copy)
    _, study = org.find_meeting("la-study-group")
    text = " ".join(ics.describe(org, "la-study-group", study, on=dt.date(2027, 1, 15)).split())
    assert (
        "Moved meeting of a recurring series (meeting no. 13): from January 14, 2027 to January 15, 2027, "
        "6:00 PM (America/Los_Angeles)" in text  # split() made the narrow no-break space a space
    )
    assert "date asked for" not in text


def test_invite_subject_names_the_next_session_not_the_first():
    from redflag_coord.calendar.imip import subject_when

    study = _study_moved_and_cancelled()
    assert subject_when("s", study, dt.date(2026, 11, 27)) == "next 2026-12-03 19:00 America/Los_Angeles"
    assert subject_when("s", study, dt.date(2027, 1, 10)) == "next 2027-01-15 18:00 America/Los_Angeles"  # moved
    assert subject_when("s", study, dt.date(2027, 2, 1)) == "next 2027-02-11 19:00 America/Los_Angeles"  # 4th: off
    assert subject_when("s", study, dt.date(2027, 7, 1)) == "last 2027-06-24 19:00 America/Los_Angeles"  # ended
    _, ic = ORG.find_meeting("ic-2026-12")
    assert subject_when("ic-2026-12", ic, dt.date(2027, 7, 1)) == "2026-12-12 07:00 America/Los_Angeles"
