"""`calendar --caldav URL` against a real CalDAV server (Radicale on 127.0.0.1, started here).

What the server holds is read back with raw calendar-query REPORTs (not through the code under
test) and compared with the meeting files at every step; requests are counted from Radicale's
own log, so "a second sync writes nothing" is the server's word, not the client's.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import socketserver
import subprocess
import sys
import threading
import time
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import icalendar
import pytest
from conftest import need
from git_helpers import example_repo

from redflag_coord.calendar import caldav, ics

CAL = "/ic/meetings/"
ENV = {"REDFLAG_CALDAV_USER": "ic", "REDFLAG_CALDAV_PASSWORD": "any"}
WRITING = {"PUT", "DELETE", "MKCALENDAR", "MKCOL", "PROPPATCH", "MOVE", "COPY", "POST"}
QUERY = b"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter>
</C:calendar-query>"""


class Server:
    def __init__(self, port: int, log: Path) -> None:
        self.port, self.log = port, log
        self.url = f"http://127.0.0.1:{port}{CAL}"

    def requests(self) -> list[str]:
        """Methods of every request Radicale logged so far."""
        return re.findall(r"\b([A-Z]+) request for ", self.log.read_text(encoding="utf-8", errors="replace"))

    def raw(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        import base64

        auth = "Basic " + base64.b64encode(b"ic:any").decode()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        conn.request(method, path, body=body, headers={"Authorization": auth, **(headers or {})})
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, dict(r.getheaders()), data

    def objects(self) -> dict[str, icalendar.Calendar]:
        """Every stored object by UID, from a calendar-query REPORT."""
        status, _, body = self.raw("REPORT", CAL, QUERY, {"Depth": "1", "Content-Type": "application/xml"})
        assert status == 207
        ns = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav"}
        out = {}
        for response in ET.fromstring(body).findall("D:response", ns):
            cal = icalendar.Calendar.from_ical(response.findtext(".//C:calendar-data", "", ns))
            uids = {str(e["UID"]) for e in cal.walk("VEVENT")}
            assert len(uids) == 1, "one UID per stored object (RFC 4791 §4.1)"
            out[uids.pop()] = cal
        return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path):
    try:
        import radicale  # noqa: F401
    except ImportError:
        need(False, "radicale (pip install radicale)")
    port, log = _free_port(), tmp_path / "radicale.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--server-hosts", f"127.0.0.1:{port}", "--auth-type", "none",
             "--storage-filesystem-folder", str(tmp_path / "storage"), "--rights-type", "owner_only",
             "--logging-level", "info"],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"radicale exited: {log.read_text()[-2000:]}")
                time.sleep(0.1)
        s = Server(port, log)
        assert s.raw("MKCALENDAR", CAL)[0] == 201
        yield s
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def repository_says(root: Path) -> dict[str, tuple[str, int, str]]:
    """UID -> (local start, SEQUENCE, STATUS) read from the meeting files themselves."""
    out = {}
    for path in sorted(root.glob("collectives/*/meetings/*.toml")):
        m = tomllib.loads(path.read_text(encoding="utf-8"))
        status = m.get("status", "confirmed").upper()
        out[f"{path.stem}@redflag-coord.invalid"] = (m["start"].isoformat(), m.get("sequence", 0), status)
    return out


def server_says(server: Server) -> dict[str, tuple[str, int, str]]:
    out = {}
    for uid, cal in server.objects().items():
        assert "METHOD" not in cal, f"{uid}: a stored object carries no METHOD (RFC 4791 §4.1)"
        (event,) = cal.walk("VEVENT")
        start = event.decoded("DTSTART")
        assert str(event["DTSTART"].params["TZID"]) == str(start.tzinfo)
        out[uid] = (start.replace(tzinfo=None).isoformat(), int(event["SEQUENCE"]), str(event["STATUS"]))
    return out


def sync(run, root: Path, server: Server, *more: str):
    before = len(server.requests())
    result = run("calendar", "--caldav", server.url, "--root", str(root), *more)
    return result, server.requests()[before:]


@pytest.fixture
def env(monkeypatch):
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("REDFLAG_DTSTAMP", raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def test_sync_create_change_cancel_remove_and_nothing_twice(run, server, tmp_path, env):
    repo = example_repo(tmp_path, drop_reports=None)
    root = repo.root

    result, sent = sync(run, root, server)
    assert result.exit_code == 0, result.stderr
    assert "3 created, 0 updated, 0 deleted, 0 unchanged" in result.stderr
    assert sent.count("PUT") == 3 and not set(sent) - {"PUT", "REPORT"}
    assert server_says(server) == repository_says(root)

    result, sent = sync(run, root, server)
    assert result.exit_code == 0, result.stderr
    assert "0 created, 0 updated, 0 deleted, 3 unchanged" in result.stderr
    assert sent == ["REPORT"], "a second sync with no change sends nothing that writes"

    # Move one meeting, cancel another, remove a third, as the organisation would.
    ic = root / "collectives/international-committee/meetings/ic-2026-12.toml"
    ic.write_text(ic.read_text().replace("start = 2026-12-12T07:00:00", "start = 2026-12-12T08:30:00"))
    assert run("invite", "ic-2026-12", "--bump", "--root", str(root)).exit_code == 0
    cancelled = run("invite", "la-study-group", "--method", "cancel", "--bump", "--root", str(root))
    assert cancelled.exit_code == 0, cancelled.stderr
    (root / "collectives/international-committee/meetings/ic-2026-06.toml").unlink()
    for report in [
        *root.glob("collectives/*/reports/ic-2026-06.toml"),
        *root.glob("collectives/*/minutes/ic-2026-06.toml"),
        *root.glob("collectives/*/motions/bilingual-editions.toml"),  # the motion that went to it
    ]:
        report.unlink()
    repo.commit("ic-2026-12 moved, study group cancelled, ic-2026-06 removed", date="2026-11-20T12:00:00+00:00")

    result, sent = sync(run, root, server)
    assert result.exit_code == 0, result.stderr
    assert "0 created, 2 updated, 1 deleted, 0 unchanged" in result.stderr
    assert "updated la-study-group (cancelled)" in result.stdout and "deleted ic-2026-06\n" in result.stdout
    assert sorted(sent) == ["DELETE", "PUT", "PUT", "REPORT"]
    says = server_says(server)
    assert says == repository_says(root)
    assert says["ic-2026-12@redflag-coord.invalid"] == ("2026-12-12T08:30:00", 1, "CONFIRMED")
    assert says["la-study-group@redflag-coord.invalid"][2] == "CANCELLED"
    assert "ic-2026-06@redflag-coord.invalid" not in says

    # A commit that changes no meeting renews DTSTAMP only: still nothing to write.
    repo.write("collectives/france/notes.txt", "x")
    repo.commit("unrelated", date="2026-11-21T12:00:00+00:00")
    result, sent = sync(run, root, server)
    assert result.exit_code == 0, result.stderr
    assert sent == ["REPORT"]


def test_conflict_is_reported_not_overwritten(server, example_root, env):
    from redflag_coord.check.validate import validate_path

    org = validate_path(example_root).org
    settings = ics.Settings(stamp=ics.stamp_default())
    desired, _ = caldav.desired_objects(org, None, settings)
    client = caldav.Client(server.url, ("ic", "any"))
    assert not caldav.apply(client, caldav.make_plan(client, desired, settings.domain)).conflicts

    # Someone edits every object on the server after our read: each update and delete must fail with 412.
    moved = {uid: d for uid, d in desired.items() if not uid.startswith("la-")}
    changed = {uid: caldav.Desired(d.meeting_id, d.name, d.data.replace(b"SUMMARY:", b"SUMMARY:new "), d.status)
               for uid, d in moved.items()}  # fmt: skip
    plan = caldav.make_plan(client, changed, settings.domain)
    assert sorted(a.kind for a in plan.actions) == ["delete", "update", "update"]
    for uid, have in server.objects().items():
        text = have.to_ical().replace(b"SUMMARY:", b"SUMMARY:edited by hand: ")
        status, _, _ = server.raw("PUT", CAL + caldav.resource_name(uid), text, {"Content-Type": "text/calendar"})
        assert status in (201, 204)
    outcome = caldav.apply(client, plan)
    assert len(outcome.conflicts) == 3 and not outcome.done and not outcome.errors
    assert "412" in outcome.conflicts[0]
    after = server.objects()
    assert len(after) == 3  # the delete was refused too
    assert all(str(cal.walk("VEVENT")[0]["SUMMARY"]).startswith("edited by hand") for cal in after.values())

    # A new object someone else created meanwhile under our name: If-None-Match: * refuses it.
    extra = caldav.Action("create", "x@redflag-coord.invalid", CAL + "ic-2026-12@redflag-coord.invalid.ics",
                          data=desired["ic-2026-12@redflag-coord.invalid"].data)  # fmt: skip
    assert len(caldav.apply(client, caldav.Plan([extra], [], [])).conflicts) == 1


def test_foreign_objects_left_alone(run, server, example_root, env):
    foreign = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x//EN\r\nBEGIN:VEVENT\r\nUID:dentist@elsewhere.example\r\n"
        b"DTSTAMP:20261127T120000Z\r\nDTSTART:20261210T150000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert server.raw("PUT", CAL + "dentist.ics", foreign, {"Content-Type": "text/calendar"})[0] == 201
    result, sent = sync(run, example_root, server)
    assert result.exit_code == 0, result.stderr
    assert "left alone: dentist@elsewhere.example" in result.stderr
    assert "DELETE" not in sent
    assert "dentist@elsewhere.example" in server.objects()


def test_dry_run_writes_nothing(run, server, example_root, env):
    result, sent = sync(run, example_root, server, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "would create ic-2026-12" in result.stdout
    assert sent == ["REPORT"] and server.objects() == {}


def test_unreachable_server_and_missing_calendar(run, server, example_root, env):
    result = run("calendar", "--caldav", f"http://127.0.0.1:{_free_port()}/x/", "--root", str(example_root))
    assert result.exit_code == 1 and "cannot reach" in result.stderr
    result = run("calendar", "--caldav", f"http://127.0.0.1:{server.port}/ic/nothing/", "--root", str(example_root))
    assert result.exit_code == 1, result.stderr
    assert "Traceback" not in result.stderr


# -- credentials -----------------------------------------------------------------------------------------


def test_credentials_from_environment_then_netrc(tmp_path):
    url = "https://cal.example.org/dav/ic/"
    assert caldav.credentials(url, ENV) == ("ic", "any")
    rc = tmp_path / "netrc"
    rc.write_text("machine cal.example.org login rosa password s3cret\n")
    rc.chmod(0o600)
    assert caldav.credentials(url, {}, str(rc)) == ("rosa", "s3cret")
    assert caldav.credentials(url, {"NETRC": str(rc)}) == ("rosa", "s3cret")
    assert caldav.credentials("https://other.example.org/", {"NETRC": str(rc)}) is None
    assert caldav.credentials(url, {"NETRC": str(tmp_path / "none")}) is None
    with pytest.raises(caldav.SyncError, match="both"):
        caldav.credentials(url, {"REDFLAG_CALDAV_USER": "ic"})


def test_no_password_in_the_address_or_over_plain_http(run, example_root):
    result = run("calendar", "--caldav", "https://ic:pw@cal.example.org/ic/", "--root", str(example_root))
    assert result.exit_code == 2 and "REDFLAG_CALDAV_USER" in result.stderr
    with pytest.raises(caldav.SyncError, match="plain http"):
        caldav.Client("http://cal.example.org/ic/", ("ic", "pw"))
    caldav.Client("http://127.0.0.1:5232/ic/", ("ic", "pw"))  # loopback is fine
    result = run("calendar", "--dry-run", "--root", str(example_root))
    assert result.exit_code == 2
    result = run("calendar", "--caldav", "https://cal.example.org/ic/", "-o", "x.ics", "--root", str(example_root))
    assert result.exit_code == 2 and "--output" in result.stderr


def test_same_ignores_what_servers_renew():
    a = (
        b"BEGIN:VCALENDAR\r\nPRODID:a\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTAMP:20260101T000000Z\r\n"
        b"SUMMARY:long text\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    b = a.replace(b"DTSTAMP:20260101", b"DTSTAMP:20270101").replace(b"SUMMARY:long", b"SUMMARY:lo\r\n ng")
    assert caldav.same(a, b.replace(b"PRODID:a", b"PRODID:b"))
    assert not caldav.same(a, a.replace(b"long", b"short"))


def test_resource_name_is_the_uid():
    assert caldav.resource_name("ic-2026-12@redflag-coord.invalid") == "ic-2026-12@redflag-coord.invalid.ics"


def test_invite_method_none_is_one_object_without_method(run, org_copy, server, monkeypatch):
    """For other CalDAV uses: `invite --method none` writes what a server stores (RFC 4791 §4.1)."""
    monkeypatch.setenv("REDFLAG_DTSTAMP", "2026-11-27T12:00:00Z")
    result = run("invite", "la-study-group", "--method", "none", "--root", str(org_copy))
    assert result.exit_code == 0, result.stderr
    cal = icalendar.Calendar.from_ical(result.stdout)
    assert "METHOD" not in cal and len(cal.walk("VEVENT")) == 1 and "ATTENDEE" not in cal.walk("VEVENT")[0]
    body = result.stdout.replace("\n", "\r\n").encode()
    assert server.raw("PUT", CAL + "la.ics", body, {"Content-Type": "text/calendar"})[0] == 201
    assert str(server.objects()["la-study-group@redflag-coord.invalid"].walk("VEVENT")[0]["STATUS"]) == "CONFIRMED"
    # The status comes from the file: a meeting recorded as cancelled is stored as cancelled.
    assert run("invite", "la-study-group", "--method", "cancel", "--bump", "--root", str(org_copy)).exit_code == 0
    result = run("invite", "la-study-group", "--method", "none", "--root", str(org_copy))
    assert "STATUS:CANCELLED" in result.stdout and "METHOD" not in result.stdout
    result = run("invite", "la-study-group", "--method", "none", "--send", "--root", str(org_copy))
    assert result.exit_code == 2


# -- a server that trickles its answer: the overall deadline per request (issue 30) -----------------------


class _Trickle(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    stop = False


class _TrickleHandler(socketserver.BaseRequestHandler):
    """Reads the request, then answers one byte every 0.2 s: in the status line or in a long body."""

    def handle(self) -> None:
        self.request.settimeout(5)
        got = b""
        while b"\r\n\r\n" not in got:
            got += self.request.recv(65536)
        where = self.server.where  # type: ignore[attr-defined]
        head = b"HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\nContent-Length: 100000\r\n\r\n"
        answer = head + b" " * 100000
        if where == "body":
            self.request.sendall(head + b"<")
            answer = answer[len(head) + 1 :]
        try:
            for byte in answer:
                if self.server.stop:  # type: ignore[attr-defined]
                    return
                self.request.sendall(bytes([byte]))
                time.sleep(0.2)
        except OSError:
            return  # the client gave up: what the deadline is for


@pytest.mark.parametrize("where", ["status line", "body"])
def test_trickling_server_meets_the_overall_deadline(where, example_root, tmp_path):
    """Each byte comes within any socket timeout, the whole answer never: the command ends at the deadline."""
    server = _Trickle(("127.0.0.1", 0), _TrickleHandler)
    server.where = where  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/ic/meetings/"
    exe = Path(sys.executable).parent / "redflag-coord"
    try:
        began = time.monotonic()
        done = subprocess.run(
            [str(exe), "calendar", "--caldav", url, "--caldav-timeout", "1", "--root", str(example_root)],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, **ENV},
        )
        took = time.monotonic() - began
    finally:
        server.stop = True  # type: ignore[attr-defined]
        server.shutdown()
        server.server_close()
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"http://127.0.0.1:{server.server_address[1]} did not answer completely within 1 s" in done.stderr
    assert "--caldav-timeout" in done.stderr
    assert took < 15  # the process starts, loads the example, waits 1 s; never the 5.5 hours of trickle


def test_caldav_timeout_needs_caldav(run, example_root):
    result = run("calendar", "--caldav-timeout", "5", "--root", str(example_root))
    assert result.exit_code == 2 and "--caldav-timeout goes with --caldav" in result.stderr


# -- --create: MKCALENDAR (RFC 4791 §5.3.1) ---------------------------------------------------------------


def _properties(server: Server, path: str) -> tuple[str | None, list[str]]:
    """The collection's display name and supported components, from a raw PROPFIND (not the code under test)."""
    body = b"""<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><D:displayname/><C:supported-calendar-component-set/><D:resourcetype/></D:prop></D:propfind>"""
    status, _, data = server.raw("PROPFIND", path, body, {"Depth": "0", "Content-Type": "application/xml"})
    assert status == 207
    ns = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav"}
    root = ET.fromstring(data)
    assert root.find(".//D:resourcetype/C:calendar", ns) is not None, "a calendar collection"
    comps = [c.get("name") for c in root.findall(".//C:supported-calendar-component-set/C:comp", ns)]
    return root.findtext(".//D:displayname", None, ns), comps


def test_create_makes_the_calendar_once_then_syncs(run, server, example_root, env):
    url = f"http://127.0.0.1:{server.port}/ic/new-meetings/"
    result = run("calendar", "--caldav", url, "--root", str(example_root))
    assert result.exit_code == 1 and "run again with --create" in result.stderr  # the message names the flag

    before = len(server.requests())
    result = run("calendar", "--caldav", url, "--create", "--dry-run", "--root", str(example_root))
    assert result.exit_code == 0, result.stderr
    assert (
        f"would create the calendar {url} (All meetings)" in result.stdout
        and "would create ic-2026-12" in result.stdout
    )
    assert server.requests()[before:] == ["REPORT"]  # a dry run makes nothing

    before = len(server.requests())
    result = run("calendar", "--caldav", url, "--create", "--name", "IC: meetings", "--root", str(example_root))
    assert result.exit_code == 0, result.stderr
    assert f"created the calendar {url} (IC: meetings)" in result.stdout
    sent = server.requests()[before:]
    assert sent[:2] == ["REPORT", "MKCALENDAR"] and set(sent[2:]) == {"PUT"}  # no second REPORT
    assert _properties(server, "/ic/new-meetings/") == ("IC: meetings", ["VEVENT"])
    status, _, data = server.raw("GET", "/ic/new-meetings/")
    assert status == 200
    uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}
    assert uids == set(repository_says(example_root))

    # Again: the calendar exists, which is no error; nothing is made or written twice.
    before = len(server.requests())
    result = run("calendar", "--caldav", url, "--create", "--root", str(example_root))
    assert result.exit_code == 0, result.stderr
    assert f"the calendar {url} exists already: used as it is" in result.stderr
    assert server.requests()[before:] == ["REPORT"]
    assert _properties(server, "/ic/new-meetings/")[0] == "IC: meetings"  # its name kept


def test_create_when_made_meanwhile_is_no_error(server):
    """MKCALENDAR answered 'exists' (someone made it between the read and the make): used as it is."""
    client = caldav.Client(server.url, ("ic", "any"))
    assert caldav.create_calendar(client, "again") is False  # the fixture made /ic/meetings/
    assert _properties(server, CAL)[0] != "again"  # the calendar there is left as it was


@pytest.mark.parametrize(
    "path,said",
    [
        ("/ic/meetings/inner/", "the server refused to create a calendar there (403)"),  # inside a calendar
        ("/ic/no-such-folder/cal/", "the server refused to create a calendar there (403)"),  # owner_only: too deep
    ],
)
def test_create_refused_by_the_server(run, server, example_root, env, path, said):
    result = run(
        "calendar", "--caldav", f"http://127.0.0.1:{server.port}{path}", "--create", "--root", str(example_root)
    )
    assert result.exit_code == 1, result.stderr
    assert said in result.stderr and "MKCALENDAR" in result.stderr and "Traceback" not in result.stderr
    assert server.objects() == {} and "PUT" not in server.requests()  # nothing uploaded


def test_create_needs_caldav_and_names_the_calendar_only_with_it(run, example_root):
    result = run("calendar", "--create", "--root", str(example_root))
    assert result.exit_code == 2 and "--create goes with --caldav" in result.stderr
    result = run("calendar", "--caldav", "http://127.0.0.1:9/x/", "--name", "X", "--root", str(example_root))
    assert result.exit_code == 2 and "--create names the new calendar" in result.stderr


class _NoCalendarThenTrickle(_TrickleHandler):
    """A REPORT finds no calendar (404) at once; the MKCALENDAR that follows is answered a byte at a time."""

    def handle(self) -> None:
        self.request.settimeout(5)
        got = b""
        while b"\r\n\r\n" not in got:
            got += self.request.recv(65536)
        if got.startswith(b"REPORT"):
            self.request.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        self.server.where = "status line"  # type: ignore[attr-defined]
        for byte in b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n":
            if self.server.stop:  # type: ignore[attr-defined]
                return
            try:
                self.request.sendall(bytes([byte]))
            except OSError:
                return
            time.sleep(1.0)


def test_create_meets_the_overall_deadline(example_root):
    """--caldav-timeout holds for MKCALENDAR as for every request: a server that trickles its answer is cut off."""
    server = _Trickle(("127.0.0.1", 0), _NoCalendarThenTrickle)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/ic/meetings/"
    exe = Path(sys.executable).parent / "redflag-coord"
    try:
        began = time.monotonic()
        done = subprocess.run(
            [str(exe), "calendar", "--caldav", url, "--create", "--caldav-timeout", "1", "--root", str(example_root)],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, **ENV},
        )
        took = time.monotonic() - began
    finally:
        server.stop = True  # type: ignore[attr-defined]
        server.shutdown()
        server.server_close()
    assert done.returncode == 1, done.stderr
    assert "MKCALENDAR /ic/meetings/:" in done.stderr and "did not answer completely within 1 s" in done.stderr
    assert "Traceback" not in done.stderr
    assert took < 15  # the whole answer would take 40 s (a byte a second)
