"""`redflag-coord agenda`: what the agenda holds, bad input, output files, escaping."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from redflag_coord.agenda.build import AgendaError, build_agenda
from redflag_coord.agenda.text import RENDERERS, render_text
from redflag_coord.org.load import load_organisation

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def org():
    from conftest import EXAMPLE

    return load_organisation(EXAMPLE)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- what the agenda holds ---------------------------------------------------------------


def test_times_in_each_zone(org):
    a = build_agenda(org, "ic-2026-12", today=TODAY)
    assert a.start == dt.datetime(2026, 12, 12, 15, 0, tzinfo=dt.UTC)
    assert a.end - a.start == dt.timedelta(minutes=180)
    rows = {z.collective: z for z in a.zones}
    assert a.zones[0].collective == "international-committee"  # the convener's zone first
    assert rows["india"].start.strftime("%a %H:%M") == "Sat 20:30"
    assert rows["philippines"].end.strftime("%a %H:%M") == "Sun 02:00"
    assert rows["philippines"].end_day_differs and not rows["philippines"].start_day_differs
    assert not rows["india"].start_day_differs
    assert set(rows) == {"international-committee", *org.find_meeting("ic-2026-12")[1].participants}


def test_items_in_order_with_start_times(org):
    a = build_agenda(org, "ic-2026-12", today=TODAY)
    la = ZoneInfo("America/Los_Angeles")
    starts = [i.start.astimezone(la).strftime("%H:%M") for i in a.items]
    assert starts == ["07:00", "07:30", "08:00", "08:10", "08:30", "08:50", "09:05", "09:40"]
    assert a.items[0].lead == "south-africa" == a.opens
    assert a.time_check.scheduled_minutes == 175 and a.time_check.spare_minutes == 5
    assert a.time_check.break_minutes == 10 and a.time_check.outside == ()


def test_reports_figures_and_what_changed(org):
    a = build_agenda(org, "ic-2026-12", today=TODAY)
    assert [r.collective for r in a.reports] == ["south-africa", "el-salvador", "india", "los-angeles", "mexico"]
    sa = a.reports[0]
    assert sa.figures.copies == 400 and sa.figures.readers == 40 and sa.figures.recruits == 1
    assert sa.change is not None and sa.change.previous_meeting == "ic-2026-06"
    assert (sa.change.copies, sa.change.readers, sa.change.recruits) == (150, 15, 1)
    assert sa.change.by_stage == {"reader": -1, "study-group": 1, "recruit": 1}
    assert [q.to for q in a.reports[3].requests] == ["honduras", "el-salvador"]
    assert [(m.collective, m.status) for m in a.missing] == [
        ("honduras", "missing"),
        ("philippines", "missing"),
        ("france", "missing"),
    ]


def test_text_shows_the_main_facts(org):
    text = render_text(build_agenda(org, "ic-2026-12", today=TODAY))
    assert "Saturday, December 12, 2026" in text
    assert re.search(r"Philippines\s+Asia/Manila\s+11:00\sPM\s+Sun 2:00\sAM", text)  # Babel: narrow no-break spaces
    assert "Since ic-2026-06: Copies +150, Readers +15, Recruits +1" in text
    assert "Honduras     no report yet; due Dec 5, 2026" in text
    assert "5 min to spare" in text


def test_spanish_dates_by_babel(org):
    text = render_text(build_agenda(org, "ic-2026-12", lang="es", today=TODAY))
    assert "sábado, 12 de diciembre de 2026" in text
    assert "Horario en cada colectivo" in text and "dom 2:00" in text


def test_for_collective_language_zone_and_requests(org):
    a = build_agenda(org, "ic-2026-12", for_collective="el-salvador", today=TODAY)
    assert a.lang == "es" and a.view_zone == "America/El_Salvador"
    assert a.zones[0].collective == "el-salvador"
    assert [q.source for q in a.requests_to_you] == ["los-angeles"]
    text = render_text(a)
    assert "Peticiones a El Salvador" in text and "Horas en America/El_Salvador." in text
    assert build_agenda(org, "ic-2026-12", for_collective="india", today=TODAY).lang == "hi"  # India writes Hindi first
    assert build_agenda(org, "ic-2026-12", for_collective="france", lang="en", today=TODAY).lang == "en"


def test_overrun_names_the_items_outside(org_copy, run):
    edit(
        org_copy / "collectives/international-committee/meetings/ic-2026-12.toml",
        "duration_minutes = 180",
        "duration_minutes = 150",
    )
    a = build_agenda(load_organisation(org_copy), "ic-2026-12", today=TODAY)
    assert a.time_check.over_minutes == 25
    assert a.time_check.outside == (7, 8)
    assert [i.fit for i in a.items][-2:] == ["partly", "outside"]
    r = run("agenda", "ic-2026-12", "--root", str(org_copy))
    assert r.exit_code == 0
    assert "lasts 150 min: 25 min over" in r.stdout and "item 7, item 8" in r.stdout


# -- recurring meetings ------------------------------------------------------------------


def test_recurring_next_occurrence_skips_exceptions(org):
    a = build_agenda(org, "la-study-group", today=dt.date(2026, 11, 26))  # an exception date
    assert a.occurrence.date == dt.date(2026, 12, 3) and a.occurrence.chosen == "next"
    assert a.start == dt.datetime(2026, 12, 4, 3, 0, tzinfo=dt.UTC)  # PST: UTC-8
    summer = build_agenda(org, "la-study-group", on=dt.date(2026, 10, 1), today=TODAY)
    assert summer.start == dt.datetime(2026, 10, 2, 2, 0, tzinfo=dt.UTC)  # PDT: UTC-7
    assert "Próxima reunión de una serie periódica (reunión n.º 9)" in render_text(a)  # the meeting is in es
    assert a.missing == ()  # no due date, no reports: none are expected


def test_recurring_bad_dates(org, run, example_root):
    with pytest.raises(AgendaError, match="2026-12-03"):
        build_agenda(org, "la-study-group", on=dt.date(2026, 11, 26), today=TODAY)
    with pytest.raises(AgendaError, match="series ended on 2027-06-24"):
        build_agenda(org, "la-study-group", today=dt.date(2027, 7, 1))
    r = run("agenda", "la-study-group", "--on", "2026-12-24", "--root", str(example_root))
    assert r.exit_code == 2 and "does not take place on 2026-12-24" in r.stderr
    r = run("agenda", "la-study-group", "--on", "24/12/2026", "--root", str(example_root))
    assert r.exit_code == 2 and "YYYY-MM-DD" in r.stderr


def test_occurrence_in_a_dst_gap_is_an_error(org_copy, run):
    path = org_copy / "collectives/los-angeles/meetings/la-study-group.toml"
    edit(path, "start = 2026-10-01T19:00:00", "start = 2026-10-04T02:30:00")
    edit(path, 'weekdays = ["thursday"]', 'weekdays = ["sunday"]')
    r = run("agenda", "la-study-group", "--on", "2027-03-14", "--root", str(org_copy))
    assert r.exit_code == 1
    # validate checks every occurrence now (issue 13), so the agenda stops at the data check, naming file:line
    assert "collectives/los-angeles/meetings/la-study-group.toml:" in r.stderr
    assert (
        "the meeting on 2027-03-14 would start at 2027-03-14T02:30, which does not exist in America/Los_Angeles"
        in r.stderr
    )


def test_ambiguous_start_warns_and_uses_the_earlier(org_copy):
    path = org_copy / "collectives/los-angeles/meetings/la-study-group.toml"
    edit(path, "start = 2026-10-01T19:00:00", "start = 2026-10-04T01:30:00")
    edit(path, 'weekdays = ["thursday"]', 'weekdays = ["sunday"]')
    a = build_agenda(load_organisation(org_copy), "la-study-group", on=dt.date(2026, 11, 1), today=TODAY)
    assert a.start == dt.datetime(2026, 11, 1, 8, 30, tzinfo=dt.UTC)
    assert [n.code for n in a.warnings] == ["ambiguous-start"]
    assert "1 nov 2026 1:30 ocurre dos veces en America/Los_Angeles" in render_text(a).replace("\n       ", " ")
    assert "(8:30 UTC)" in render_text(a) and "1:30 – 2:00 hora de verano del Pacífico" in render_text(a)


def test_cancelled_and_tentative_are_said(org_copy):
    edit(
        org_copy / "collectives/international-committee/meetings/ic-2026-12.toml",
        'status = "confirmed"',
        'status = "cancelled"',
    )
    a = build_agenda(load_organisation(org_copy), "ic-2026-12", lang="fr", today=TODAY)
    assert "Cette réunion est annulée." in render_text(a)
    assert json.loads(RENDERERS["json"](a))["warnings"] == [{"code": "cancelled"}]


# -- bad input and exit codes --------------------------------------------------------------


def test_unknown_meeting_lists_known_ids(run, example_root):
    r = run("agenda", "ic-2026-11", "--root", str(example_root))
    assert r.exit_code == 2
    known = "(known meetings: ic-2026-06, ic-2026-12, la-study-group)"
    assert f"no meeting 'ic-2026-11'; did you mean 'ic-2026-12'? {known}" in r.stderr
    assert "Traceback" not in r.stderr + r.stdout


def test_unknown_collective_and_language(run, example_root):
    r = run("agenda", "ic-2026-12", "--for", "honolulu", "--root", str(example_root))
    assert r.exit_code == 2 and "known collectives:" in r.stderr and "el-salvador" in r.stderr
    r = run("agenda", "ic-2026-12", "--lang", "de", "--root", str(example_root))
    assert r.exit_code == 2 and "available: en, es, fr" in r.stderr


def test_invalid_data_stops_with_the_errors(org_copy, run):
    edit(org_copy / "collectives/india/collective.toml", 'timezone = "Asia/Kolkata"', 'timezone = "Asia/Kolkatta"')
    r = run("agenda", "ic-2026-12", "--root", str(org_copy))
    assert r.exit_code == 1
    assert "collectives/india/collective.toml:" in r.stderr and "Asia/Kolkata" in r.stderr
    assert r.stdout == ""


def test_output_file_format_from_suffix(tmp_path, run, example_root):
    out = tmp_path / "agenda.html"
    r = run("agenda", "ic-2026-12", "--output", str(out), "--root", str(example_root))
    assert r.exit_code == 0 and out.read_text(encoding="utf-8").startswith("<!doctype html>")
    r = run("agenda", "ic-2026-12", "--output", str(out), "--root", str(example_root))
    assert r.exit_code == 2 and "--force" in r.stderr
    r = run("agenda", "ic-2026-12", "-o", str(out), "--force", "-f", "json", "--root", str(example_root))
    assert r.exit_code == 0 and json.loads(out.read_text(encoding="utf-8"))["meeting"] == "ic-2026-12"
    r = run("agenda", "ic-2026-12", "-o", str(tmp_path / "agenda.pdf"), "--root", str(example_root))
    assert r.exit_code == 2 and "cannot tell the format" in r.stderr


# -- JSON shape ----------------------------------------------------------------------------


def test_json_shape_and_offsets(org):
    data = json.loads(RENDERERS["json"](build_agenda(org, "ic-2026-12", today=TODAY)))
    assert data["schema"] == "redflag-coord/agenda/1"
    assert data["start"] == "2026-12-12T07:00-08:00" and data["start_utc"] == "2026-12-12T15:00+00:00"
    kolkata = next(z for z in data["zones"] if z["collective"] == "india")
    assert kolkata["start"] == "2026-12-12T20:30+05:30"
    for z in data["zones"]:
        assert dt.datetime.fromisoformat(z["start"]) == dt.datetime.fromisoformat(data["start_utc"])
    assert [i["minutes"] for i in data["items"]] == [30, 30, 10, 20, 20, 15, 35, 15]
    assert data["reports"][0]["change"]["copies"] == 150
    assert {m["collective"] for m in data["missing"]} == {"honduras", "philippines", "france"}
    es = json.loads(RENDERERS["json"](build_agenda(org, "ic-2026-12", lang="es", today=TODAY)))
    assert {**es, "lang": "en"} == data  # data, not labels: the language changes only "lang"


# -- escaping --------------------------------------------------------------------------------

INJECTION = "<script>alert(1)</script><img src=x onerror=alert(2)> | **bold** [link](http://evil.test)"


def test_no_html_or_markdown_injection(org_copy):
    edit(
        org_copy / "collectives/international-committee/meetings/ic-2026-12.toml",
        'topic = "Mexico and other areas"',
        f"topic = '{INJECTION}'",
    )
    edit(
        org_copy / "collectives/mexico/reports/ic-2026-12.toml",
        'summary = "Seguimos',
        f"summary = '{INJECTION} & Seguimos\"'\n# ",
    )
    a = build_agenda(load_organisation(org_copy), "ic-2026-12", today=TODAY)
    html = RENDERERS["html"](a)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    markdown = RENDERERS["markdown"](a)
    assert "<" not in markdown.replace("<br>", "")
    assert "&lt;script&gt;" in markdown and "\\| \\*\\*bold\\*\\* \\[link\\]" in markdown
    table_lines = [x for x in markdown.splitlines() if x.startswith("| 6 ")]
    assert table_lines and table_lines[0].count(" | ") == 4  # the pipe in the topic did not add a column


def test_every_meeting_renders_for_every_collective(org):
    for mid in org.meetings():
        for who in [None, *org.collectives]:
            a = build_agenda(org, mid, for_collective=who, today=TODAY)
            for fmt, render in RENDERERS.items():
                out = render(a)
                assert a.title in out or fmt in ("markdown", "html"), (mid, who, fmt)


def test_a_bare_meeting(org_copy, run):
    path = org_copy / "collectives/france/meetings/fr-bare.toml"
    path.parent.mkdir()
    path.write_text(
        'title = "Réunion <b>"\nstart = 2027-01-09T18:00:00\ntimezone = "Europe/Paris"\nduration_minutes = 60\n',
        encoding="utf-8",
    )
    for fmt in RENDERERS:
        r = run("agenda", "fr-bare", "-f", fmt, "--root", str(org_copy))
        assert r.exit_code == 0, r.stderr
    r = run("agenda", "fr-bare", "--root", str(org_copy))
    assert "The meeting lists no items yet." in r.stdout  # a meeting's language is "en" unless it says
    assert "Missing reports" not in r.stdout  # no due date, no reports: none expected
    r = run("agenda", "fr-bare", "--for", "france", "--root", str(org_copy))
    assert "La réunion n'a pas encore de points." in r.stdout and "samedi 9 janvier 2027" in r.stdout


def test_a_late_report_counts_as_missing_by_the_due_date(org_copy):
    edit(org_copy / "collectives/mexico/reports/ic-2026-12.toml", "filed = 2026-11-20", "filed = 2026-12-07")
    a = build_agenda(load_organisation(org_copy), "ic-2026-12", today=dt.date(2026, 12, 8))
    mexico = next(r for r in a.reports if r.collective == "mexico")
    assert mexico.on_time is False
    assert [(m.collective, m.status) for m in a.missing][:1] == [("mexico", "late")]
    text = render_text(a)
    assert "Filed Dec 7, 2026 by tere (late: due Dec 5, 2026)" in text
    assert re.search(r"Mexico\s+late: filed Dec 7, 2026, 2 days after the due date", text)  # late, not missing
    assert "Missing and late reports" in text and "Missing reports\n" not in text
    assert re.search(r"Honduras\s+no report; it was due Dec 5, 2026", text)  # overdue now
