"""A real CalDAV server (Radicale on 127.0.0.1, started here): the invite, then an update
with the same UID and a higher SEQUENCE, then a cancellation: one event at every step."""

from __future__ import annotations

import base64
import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path

import icalendar
import pytest
from conftest import need
from test_calendar_support import STAMP

AUTH = "Basic " + base64.b64encode(b"ic:any").decode()
CAL = "/ic/meetings/"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def radicale(tmp_path: Path):
    try:
        import radicale  # noqa: F401
    except ImportError:
        need(False, "radicale (pip install radicale)")
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "radicale",
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--auth-type",
            "none",
            "--storage-filesystem-folder",
            str(tmp_path / "storage"),
            "--rights-type",
            "owner_only",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"radicale exited: {proc.stderr.read().decode()[-2000:]}")
                time.sleep(0.1)
        status, _ = _request(port, "MKCALENDAR", CAL)
        assert status == 201
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request(method, path, body=body, headers={"Authorization": AUTH, **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def _put(port: int, name: str, ics: bytes) -> int:
    return _request(port, "PUT", CAL + name, ics, {"Content-Type": "text/calendar; charset=utf-8"})[0]


def _events(port: int) -> list[icalendar.Event]:
    status, body = _request(port, "GET", CAL)  # Radicale serves the whole collection as one file
    assert status == 200
    return icalendar.Calendar.from_ical(body).walk("VEVENT")


def _invite(run, root, *args: str) -> bytes:
    result = run("invite", "ic-2026-12", *args, "--root", str(root))
    assert result.exit_code == 0, result.stderr
    return result.stdout.replace("\n", "\r\n").encode()


def test_invite_update_cancel_one_event_each_step(run, org_copy, radicale, monkeypatch):
    monkeypatch.setenv("REDFLAG_DTSTAMP", STAMP)
    port = radicale
    name = "ic-2026-12@redflag-coord.invalid.ics"
    assert _put(port, name, _invite(run, org_copy)) == 201
    (event,) = _events(port)
    assert event["SEQUENCE"] == 0 and event.decoded("DTSTART").hour == 7

    meeting = org_copy / "collectives/international-committee/meetings/ic-2026-12.toml"
    meeting.write_text(meeting.read_text().replace("T07:00:00", "T08:00:00"))
    update = _invite(run, org_copy, "--bump")
    assert _put(port, "elsewhere.ics", update) in (400, 403, 409)  # same UID under another name: refused
    assert len(_events(port)) == 1
    assert _put(port, name, update) in (201, 204)
    (event,) = _events(port)
    assert event["SEQUENCE"] == 1 and event.decoded("DTSTART").hour == 8

    assert _put(port, name, _invite(run, org_copy, "--method", "cancel", "--bump")) in (201, 204)
    (event,) = _events(port)
    assert str(event["STATUS"]) == "CANCELLED" and event["SEQUENCE"] == 2


def test_server_refuses_broken_input(run, example_root, radicale, monkeypatch):
    monkeypatch.setenv("REDFLAG_DTSTAMP", STAMP)
    good = _invite(run, example_root)
    truncated = good[: good.index(b"END:VEVENT")]
    assert _put(radicale, "broken.ics", truncated) == 400
    two_uids = good.replace(
        b"END:VCALENDAR",
        b"BEGIN:VEVENT\r\nUID:other@x.invalid\r\nDTSTAMP:20261127T120000Z\r\n"
        b"DTSTART:20261212T150000Z\r\nEND:VEVENT\r\nEND:VCALENDAR",
    )
    assert _put(radicale, "two.ics", two_uids) == 400
    assert _events(radicale) == []
