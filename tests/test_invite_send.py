"""`invite --send`: iMIP by SMTP to opted-in members only, a dry run unless --confirm,
tested against a local SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import email
import socket
from email import policy

import icalendar
import pytest
from smtp_sink import smtp_sink
from test_calendar_support import STAMP


@pytest.fixture
def smtp_server():
    with smtp_sink() as sink:  # one local SMTP server for every --send test (tests/smtp_sink.py)
        yield sink


def test_dry_run_sends_nothing(run, example_root, smtp_server, monkeypatch):
    monkeypatch.setenv("REDFLAG_DTSTAMP", STAMP)
    port, received = smtp_server
    result = run(
        "invite",
        "ic-2026-12",
        "--method",
        "request",
        "--send",
        "--smtp",
        f"127.0.0.1:{port}",
        "--root",
        str(example_root),
    )
    assert result.exit_code == 0, result.stderr
    assert "dry run" in result.stderr and "would send" in result.stderr
    assert received == [] and result.stdout == ""


def test_send_one_message_per_opted_in_member(run, example_root, smtp_server, monkeypatch):
    monkeypatch.setenv("REDFLAG_DTSTAMP", STAMP)
    port, received = smtp_server
    result = run(
        "invite",
        "ic-2026-12",
        "--method",
        "request",
        "--send",
        "--confirm",
        "--smtp",
        f"127.0.0.1:{port}",
        "--root",
        str(example_root),
    )
    assert result.exit_code == 0, result.stderr
    recipients = sorted(r for rcpts, _ in received for r in rcpts)
    assert "carmen@example.org" not in recipients  # invite = false
    assert "rosa@example.org" in recipients and "secretariat@example.org" in recipients
    assert len(recipients) == len(set(recipients)) == len(received)
    for rcpts, content in received:
        msg = email.message_from_bytes(content, policy=policy.default)
        part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
        assert part.get_param("method") == "REQUEST"
        cal = icalendar.Calendar.from_ical(part.get_payload(decode=True))
        (event,) = cal.walk("VEVENT")
        attendees = event["ATTENDEE"] if isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]]
        assert [str(a) for a in attendees] == [f"mailto:{rcpts[0]}"]  # nobody sees another's address
        assert str(cal["METHOD"]) == "REQUEST" and str(event["UID"]) == "ic-2026-12@redflag-coord.invalid"
        others = set(recipients) - {rcpts[0]}
        assert not any(o.encode() in content for o in others)


def test_publish_cannot_be_sent(run, example_root):
    result = run("invite", "ic-2026-12", "--send", "--root", str(example_root))
    assert result.exit_code == 2 and "--method request" in result.stderr


def test_unreachable_server_is_a_clear_error(run, example_root, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run(
        "invite",
        "ic-2026-12",
        "--method",
        "request",
        "--send",
        "--confirm",
        "--smtp",
        f"127.0.0.1:{port}",
        "--root",
        str(example_root),
    )
    assert result.exit_code == 1 and "cannot send through" in result.stderr
