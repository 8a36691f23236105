"""`publish DIR`: the static site of the example organisation, its feeds read back by icalendar
and ical.js, the same bytes on every run, and the folder rules (never someone else's files)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events
from conftest import need
from git_helpers import example_repo
from test_calendar_support import node_ready, read_with_icaljs

from redflag_coord.publish.site import build_site
from redflag_coord.publish.write import MANIFEST


def files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.delenv("REDFLAG_DTSTAMP", raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return example_repo(tmp_path, drop_reports=None)


@pytest.fixture
def site(run, repo, tmp_path) -> Path:
    out = tmp_path / "site"
    result = run("publish", str(out), "--base-url", "https://example.org/ic", "--root", str(repo.root))
    assert result.exit_code == 0, result.stderr
    return out


def test_the_example_site(site):
    assert sorted(files(site)) == [
        MANIFEST,
        "decisions.html",
        "feeds/all.ics",
        "feeds/el-salvador.ics",
        "feeds/france.ics",
        "feeds/honduras.ics",
        "feeds/india.ics",
        "feeds/international-committee.ics",
        "feeds/los-angeles.ics",
        "feeds/mexico.ics",
        "feeds/philippines.ics",
        "feeds/south-africa.ics",
        "index.html",
        "meetings/ic-2026-06/agenda.en.html",
        "meetings/ic-2026-06/agenda.es.html",
        "meetings/ic-2026-06/agenda.fr.html",
        "meetings/ic-2026-06/agenda.hi.html",
        "meetings/ic-2026-06/minutes.html",
        "meetings/ic-2026-12/agenda.en.html",
        "meetings/ic-2026-12/agenda.es.html",
        "meetings/ic-2026-12/agenda.fr.html",
        "meetings/ic-2026-12/agenda.hi.html",
        "meetings/la-study-group/agenda.en.html",
        "meetings/la-study-group/agenda.es.html",
    ]
    index = (site / "index.html").read_text(encoding="utf-8").replace("\u202f", " ")  # Babel's narrow space
    upcoming, past = index.split("Past meetings")
    assert upcoming.index('id="la-study-group"') < upcoming.index('id="ic-2026-12"')  # by start
    assert 'id="ic-2026-06"' in past
    assert "https://example.org/ic/feeds/los-angeles.ics" in index  # --base-url gets its slash
    # ic-2026-12 in every collective's zone: Manila is past midnight, and the UTC row.
    assert 'Asia/Manila</td><td class="num">11:00 PM – Sun 2:00 AM' in index
    assert 'UTC</td><td class="num">3:00 PM – 6:00 PM' in index
    assert "sábado, 12 de diciembre de 2026" in (site / "meetings/ic-2026-12/agenda.es.html").read_text()


def test_feeds_read_back_with_dtstamp_from_the_last_commit(site):
    for path in sorted((site / "feeds").glob("*.ics")):
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        assert str(cal["METHOD"]) == "PUBLISH"
        for event in cal.walk("VEVENT"):
            assert event.decoded("DTSTAMP") == dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC)
            assert "ATTENDEE" not in event
    feed = icalendar.Calendar.from_ical((site / "feeds/los-angeles.ics").read_bytes())
    assert sorted(str(e["UID"]).split("@")[0] for e in feed.walk("VEVENT")) == [
        "ic-2026-06",
        "ic-2026-12",
        "la-study-group",
    ]
    december = recurring_ical_events.of(feed).between(dt.date(2026, 12, 1), dt.date(2027, 1, 1))
    assert len([e for e in december if str(e["UID"]).startswith("la-")]) == 3  # 24th and 31st skipped
    france = icalendar.Calendar.from_ical((site / "feeds/france.ics").read_bytes())
    assert [str(e["UID"]) for e in france.walk("VEVENT")] == ["ic-2026-12@redflag-coord.invalid"]


def test_feeds_read_by_icaljs(site):
    need(node_ready(), "node and tests/js/node_modules (npm ci --prefix tests/js)")
    read = read_with_icaljs((site / "feeds/all.ics").read_bytes(), limit=5)
    assert read["method"] == "PUBLISH"
    starts = {e["uid"].split("@")[0]: e["start"] for e in read["events"]}
    assert starts == {
        "ic-2026-06": "2026-06-13T14:00:00Z",
        "ic-2026-12": "2026-12-12T15:00:00Z",
        "la-study-group": "2026-10-02T02:00:00Z",
    }
    assert not any(e["floating"] for e in read["events"])


def test_same_repository_same_bytes(run, repo, tmp_path, site):
    again = tmp_path / "again"
    assert run("publish", str(again), "--base-url", "https://example.org/ic/", "--root", str(repo.root)).exit_code == 0
    assert files(again) == files(site)
    # Republishing into its own folder is allowed and changes nothing.
    before = files(site)
    assert run("publish", str(site), "--base-url", "https://example.org/ic", "--root", str(repo.root)).exit_code == 0
    assert files(site) == before


def test_a_removed_meeting_leaves_the_site(run, repo, site):
    (repo.root / "collectives/los-angeles/meetings/la-study-group.toml").unlink()
    result = run("publish", str(site), "--root", str(repo.root))
    assert result.exit_code == 0, result.stderr
    assert "removed" in result.stderr
    assert not (site / "meetings/la-study-group").exists()
    assert "la-study-group" not in (site / "index.html").read_text()
    assert "la-study-group" not in (site / MANIFEST).read_text()


def test_never_writes_into_someone_elses_folder(run, repo, tmp_path):
    other = tmp_path / "docs"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    result = run("publish", str(other), "--root", str(repo.root))
    assert result.exit_code == 2 and "not empty" in result.stderr
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("publish", str(empty), "--root", str(repo.root)).exit_code == 0


def test_a_hostile_manifest_cannot_delete_outside(run, repo, tmp_path, site):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    (site / MANIFEST).write_text("index.html\n../victim.txt\n")
    result = run("publish", str(site), "--root", str(repo.root))
    assert result.exit_code == 1 and "not a path inside" in result.stderr
    assert victim.read_text() == "keep"


@pytest.mark.parametrize("url", ["example.org", "ftp://example.org/", "https://example.org/?x=1"])
def test_bad_base_url(run, repo, tmp_path, url):
    result = run("publish", str(tmp_path / "s"), "--base-url", url, "--root", str(repo.root))
    assert result.exit_code == 2 and "--base-url" in result.stderr


def test_outside_git_warns_that_bytes_vary(run, org_copy, tmp_path, monkeypatch):
    monkeypatch.delenv("REDFLAG_DTSTAMP", raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    result = run("publish", str(tmp_path / "s"), "--root", str(org_copy))
    assert result.exit_code == 0 and "SOURCE_DATE_EPOCH" in result.stderr


def test_the_minutes_join_as_one_more_producer(example_root):
    """A held meeting's minutes are a page of their own; the index lists it under the meeting."""
    from redflag_coord.calendar import ics
    from redflag_coord.check.validate import validate_path
    from redflag_coord.publish import site as s

    assert s.minutes_pages in s.PRODUCERS
    org = validate_path(example_root).org
    settings = ics.Settings(stamp=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    pages, _ = build_site(org, settings, dt.date(2026, 11, 27))
    index = next(p for p in pages if p.path == "index.html").body.decode()
    assert '<a href="meetings/ic-2026-06/minutes.html">Minutes</a>' in index
    minutes = next(p for p in pages if p.path == "meetings/ic-2026-06/minutes.html").body.decode()
    assert minutes.startswith("<!doctype html>") and "Minutes" in minutes
    assert "meetings/ic-2026-12/minutes.html" not in [p.path for p in pages]  # not held yet


def test_index_in_another_language(run, repo, tmp_path):
    out = tmp_path / "es"
    assert run("publish", str(out), "--lang", "es", "--root", str(repo.root)).exit_code == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="es">' in index and "Próximas reuniones" in index
    assert run("publish", str(tmp_path / "x"), "--lang", "xx", "--root", str(repo.root)).exit_code == 2


def test_published_agendas_hold_no_report(site, example_root):
    """A published site may be public: like an invite, it leaves what collectives report in the repository
    (Red Flag distribution sites, relationship figures, summaries, requests, who has not filed)."""
    pages = {str(p.relative_to(site)): p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    assert pages
    for name, text in pages.items():
        for secret in ("morning shift gates", "taxi rank near", "Abasebenzi abanayo", "Send a short article"):
            assert secret not in text, f"{name} shows {secret!r}"
    agenda = next(text for name, text in pages.items() if "ic-2026-12/agenda.en" in name)
    assert "Order of the day" in agenda and "Times in each collective" in agenda
