"""Keep a CalDAV calendar (RFC 4791) in step with the repository: one stored object per meeting UID.

Plain HTTP (http.client), no client library: a sync is one REPORT (calendar-query for every
event's ETag and data) and then only the writes that differ, each guarded by the ETag it read
(If-Match), or by If-None-Match: * for a new object, so a concurrent change is a 412 we report
and never overwrite. Objects carry no METHOD (RFC 4791 §4.1). Credentials come from the
environment or ~/.netrc, never from the repository.
"""

from __future__ import annotations

import base64
import http.client
import netrc
import os
import socket
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from icalendar import Calendar

from redflag_coord.calendar import ics
from redflag_coord.errors import RedflagError
from redflag_coord.org.load import Organisation
from redflag_coord.repo.mail import loopback

USER_ENV = "REDFLAG_CALDAV_USER"
DEFAULT_TIMEOUT = 30.0  # seconds for a whole request: connect, send, the answer's last byte
PASSWORD_ENV = "REDFLAG_CALDAV_PASSWORD"
WRITES = frozenset({"PUT", "DELETE", "MKCALENDAR", "MKCOL", "PROPPATCH", "MOVE", "COPY", "POST"})
# What a server may add or renew on its own: not a difference between the repository and the server.
_IGNORED = ("DTSTAMP", "PRODID", "LAST-MODIFIED", "CREATED")
_NS = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav"}
_QUERY = b"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter>
</C:calendar-query>
"""


class SyncError(RedflagError):
    """The server cannot be reached or refuses the sync as a whole (a message for the user).

    The address or the credentials given wrongly are usage errors (exit 2); the rest exit 1."""


class NoCalendar(SyncError):
    """No calendar collection at the address (404): `--create` makes one."""


# -- the server --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Client:
    """HTTP to one calendar collection; counts every request it sends by method."""

    url: str
    auth: tuple[str, str] | None = None
    timeout: float = DEFAULT_TIMEOUT
    counts: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SyncError(f"{self.url!r} is not an http(s) address of a calendar", usage=True)
        if parts.username or parts.password:
            raise SyncError(
                f"put no user name or password in the address; set {USER_ENV} and {PASSWORD_ENV} or use ~/.netrc",
                usage=True,
            )
        if self.auth and parts.scheme == "http" and not loopback(parts.hostname):
            raise SyncError(f"refusing to send a password over plain http to {parts.hostname}; use https", usage=True)
        self.scheme, self.host, self.port = parts.scheme, parts.hostname, parts.port
        self.path = parts.path if parts.path.endswith("/") else parts.path + "/"

    @property
    def writes(self) -> int:
        return sum(n for method, n in self.counts.items() if method in WRITES)

    @property
    def server(self) -> str:
        return f"{self.scheme}://{self.host}{f':{self.port}' if self.port else ''}"

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None):
        """One request under an overall deadline: a socket timeout alone restarts on every byte, so a
        server that trickles its answer would hold the command forever; a timer shuts the socket at the
        deadline, which ends whatever read or write is waiting."""
        conn_type = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        conn = conn_type(self.host, self.port, timeout=self.timeout)
        sent = dict(headers or {})
        if self.auth:
            token = base64.b64encode(f"{self.auth[0]}:{self.auth[1]}".encode()).decode("ascii")
            sent["Authorization"] = f"Basic {token}"
        self.counts[method] += 1
        deadline = time.monotonic() + self.timeout
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            if conn.sock is not None:
                try:
                    conn.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed: the request ended as the timer fired

        timer = threading.Timer(self.timeout, expire)
        timer.daemon = True
        timer.start()
        try:
            conn.request(method, path, body=body, headers=sent)
            r = conn.getresponse()
            data = self._read(r, deadline)
            if expired.is_set():  # the shut socket reads as the end of the answer: a cut one
                raise TimeoutError("the overall deadline passed")
        except (OSError, http.client.HTTPException) as e:
            if expired.is_set() or time.monotonic() >= deadline:
                raise self._late(method, path) from e
            raise SyncError(f"cannot reach {self.server}: {e}") from e
        finally:
            timer.cancel()
            conn.close()
        if r.status in (401, 403):
            if r.status == 403 and method == "MKCALENDAR":  # RFC 4791 §5.3.1: also "exists already"; see create
                return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
            raise SyncError(
                f"{method} {path}: the server refused access ({r.status}); set {USER_ENV} and "
                f"{PASSWORD_ENV}, or add the host to ~/.netrc"
            )
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)

    def _read(self, r: http.client.HTTPResponse, deadline: float) -> bytes:
        """The body in chunks, each checked against the deadline (the timer is the backstop)."""
        chunks: list[bytes] = []
        while chunk := r.read1(65536):
            chunks.append(chunk)
            if time.monotonic() >= deadline:
                raise TimeoutError("the overall deadline passed")
        return b"".join(chunks)

    def _late(self, method: str, path: str) -> SyncError:
        return SyncError(
            f"{method} {path}: {self.server} did not answer completely within {self.timeout:g} s (the deadline "
            "for a whole request); try again later, or give it longer with --caldav-timeout SECONDS"
        )

    def href_path(self, href: str) -> str:
        """A server's href as a path on this server (hrefs may be absolute URLs)."""
        parts = urllib.parse.urlsplit(urllib.parse.urljoin(f"{self.scheme}://{self.host}{self.path}", href))
        if parts.hostname != self.host:
            raise SyncError(f"the server names an object on another host: {href!r}")
        return parts.path


def credentials(url: str, env: dict[str, str] | None = None, netrc_file: str | None = None) -> tuple[str, str] | None:
    """User and password: REDFLAG_CALDAV_USER/REDFLAG_CALDAV_PASSWORD, else the host's line in ~/.netrc (or $NETRC)."""
    env = dict(os.environ) if env is None else env
    user, password = env.get(USER_ENV), env.get(PASSWORD_ENV)
    if user and password is not None:
        return user, password
    if user or password:
        raise SyncError(f"set both {USER_ENV} and {PASSWORD_ENV}, or neither", usage=True)
    path = netrc_file or env.get("NETRC") or os.path.expanduser("~/.netrc")
    if not os.path.exists(path):
        return None
    try:
        found = netrc.netrc(path).authenticators(urllib.parse.urlsplit(url).hostname or "")
    except (netrc.NetrcParseError, OSError) as e:
        raise SyncError(f"cannot read {path}: {e}", usage=True) from e
    if found is None:
        return None
    login, _, secret = found
    return login, secret or ""


# -- what the server holds and what it should hold ---------------------------------------------------


@dataclass(frozen=True)
class Remote:
    href: str
    etag: str | None
    data: bytes


@dataclass(frozen=True)
class Desired:
    meeting_id: str
    name: str  # the resource name: the UID, quoted, + .ics
    data: bytes
    status: str


def remote_objects(client: Client) -> tuple[dict[str, Remote], list[str]]:
    """Every event object in the collection by UID (one REPORT), and hrefs whose data has no UID."""
    r = client.request("REPORT", client.path, _QUERY, {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"})
    if r.status == 404:
        raise NoCalendar(
            f"no calendar at {client.url} (404): run again with --create to make it (MKCALENDAR), or create it "
            "on the server first"
        )
    if r.status != 207:
        raise SyncError(f"REPORT {client.path}: the server answered {r.status}, not a multistatus (207)")
    try:
        root = ET.fromstring(r.body)
    except ET.ParseError as e:
        raise SyncError(f"REPORT {client.path}: the answer is not XML ({e})") from e
    found: dict[str, Remote] = {}
    unreadable: list[str] = []
    for response in root.findall("D:response", _NS):
        href = (response.findtext("D:href", "", _NS) or "").strip()
        etag = response.findtext(".//D:getetag", None, _NS)
        data = response.findtext(".//C:calendar-data", None, _NS)
        uid = _uid(data.encode("utf-8")) if data else None
        if uid is None or data is None:
            unreadable.append(href)
            continue
        found[uid] = Remote(client.href_path(href), etag.strip() if etag else None, data.encode("utf-8"))
    return found, unreadable


# -- making the calendar (MKCALENDAR, RFC 4791 §5.3.1) ---------------------------------------------------------

COMPONENTS = ("VEVENT",)  # what a sync stores: one event object per meeting


def mkcalendar_body(name: str, components: tuple[str, ...] = COMPONENTS) -> bytes:
    """The MKCALENDAR request: the calendar's display name and the components it holds."""
    root = ET.Element("{urn:ietf:params:xml:ns:caldav}mkcalendar")
    prop = ET.SubElement(ET.SubElement(root, "{DAV:}set"), "{DAV:}prop")
    ET.SubElement(prop, "{DAV:}displayname").text = name
    supported = ET.SubElement(prop, "{urn:ietf:params:xml:ns:caldav}supported-calendar-component-set")
    for component in components:
        ET.SubElement(supported, "{urn:ietf:params:xml:ns:caldav}comp", name=component)
    ET.register_namespace("D", "DAV:")
    ET.register_namespace("C", "urn:ietf:params:xml:ns:caldav")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)


def create_calendar(client: Client, name: str) -> bool:
    """Make the calendar collection at the client's address: True when made, False when one is there already
    (RFC 4791: 405, or 403/409 with the DAV:resource-must-be-null precondition). Any other answer is an error
    that says what the server said; nothing else was written."""
    headers = {"Content-Type": "application/xml; charset=utf-8"}
    r = client.request("MKCALENDAR", client.path, mkcalendar_body(name), headers)
    if r.status == 201:
        return True
    if r.status == 405 or (r.status in (403, 409) and b"resource-must-be-null" in r.body):
        return False
    if r.status == 403:
        raise SyncError(
            f"MKCALENDAR {client.path}: the server refused to create a calendar there (403); this account may not "
            "make one at that address: check the address, or create the calendar on the server"
        )
    reason = r.body.decode("utf-8", "replace").strip().splitlines()[:1]
    hint = " (its parent folder may not exist: check the address)" if r.status == 409 else ""
    raise SyncError(
        f"MKCALENDAR {client.path}: the server answered {r.status}{': ' + reason[0] if reason else ''}{hint}; "
        "no calendar was created"
    )


def _uid(data: bytes) -> str | None:
    try:
        events = Calendar.from_ical(data).walk("VEVENT")
    except ValueError:
        return None
    return str(events[0].get("UID")) if events and events[0].get("UID") else None


def resource_name(uid: str) -> str:
    return urllib.parse.quote(uid, safe="@") + ".ics"


def chosen_meetings(org: Organisation, collective: str | None) -> list[str]:
    """The meetings of the organisation, or those a collective convenes or joins (as the feed)."""
    return sorted(
        mid
        for mid, (slug, m) in org.meetings().items()
        if collective is None or slug == collective or collective in m.participants
    )


def desired_objects(
    org: Organisation, collective: str | None, settings: ics.Settings
) -> tuple[dict[str, Desired], list[str]]:
    """One METHOD-less calendar object per meeting, by UID; and the warnings building them gave."""
    public = ics.Settings(settings.domain, settings.stamp, attendees=False, reminders=settings.reminders)
    out: dict[str, Desired] = {}
    warnings: list[str] = []
    for mid in chosen_meetings(org, collective):
        built = ics.invite(org, mid, "none", public)
        warnings += built.warnings
        uid = ics.event_uid(mid, settings.domain)
        found = org.find_meeting(mid)
        assert found is not None
        out[uid] = Desired(mid, resource_name(uid), built.to_ical(), found[1].status.value)
    return out, warnings


def same(a: bytes, b: bytes) -> bool:
    """Whether two objects say the same, whatever the server renewed (DTSTAMP) or how it folds lines."""
    return _canonical(a) == _canonical(b)


def _canonical(data: bytes) -> list[str] | None:
    try:
        text = Calendar.from_ical(data).to_ical().decode("utf-8")
    except ValueError:
        return None
    lines = text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")
    return [line for line in lines if line and not line.upper().startswith(_IGNORED)]


# -- the plan and its execution ------------------------------------------------------------------------

Kind = Literal["create", "update", "delete"]


@dataclass(frozen=True)
class Action:
    kind: Kind
    uid: str
    path: str
    etag: str | None = None
    data: bytes | None = None
    meeting_id: str | None = None
    status: str | None = None


@dataclass
class Plan:
    actions: list[Action]
    unchanged: list[str]  # UIDs
    foreign: list[str]  # UIDs (or hrefs) on the server that this repository did not make: left alone


def make_plan(
    client: Client, desired: dict[str, Desired], domain: str, held: tuple[dict[str, Remote], list[str]] | None = None
) -> Plan:
    """What to write, against what the server holds (read here unless given: `({}, [])` for a calendar not made yet)."""
    remote, unreadable = remote_objects(client) if held is None else held
    actions: list[Action] = []
    unchanged: list[str] = []
    for uid in sorted(desired):
        want, have = desired[uid], remote.get(uid)
        if have is None:
            actions.append(
                Action("create", uid, client.path + want.name, None, want.data, want.meeting_id, want.status)
            )
        elif not same(have.data, want.data):
            actions.append(Action("update", uid, have.href, have.etag, want.data, want.meeting_id, want.status))
        else:
            unchanged.append(uid)
    ours = f"@{domain}"
    for uid in sorted(set(remote) - set(desired)):
        if uid.endswith(ours):  # a meeting this repository published, since removed from it
            actions.append(Action("delete", uid, remote[uid].href, remote[uid].etag, meeting_id=uid[: -len(ours)]))
    foreign = sorted(uid for uid in remote if not uid.endswith(ours)) + sorted(unreadable)
    return Plan(actions, unchanged, foreign)


Made = Literal["created", "exists", "would create"]


def plan_calendar(
    client: Client, desired: dict[str, Desired], domain: str, create: str | None = None, dry_run: bool = False
) -> tuple[Plan, Made | None]:
    """The plan, and with `create` (the new calendar's name) what became of the calendar: read first, so a
    calendar that exists costs no write; made (MKCALENDAR) only when the server has none at the address.
    A dry run makes nothing and plans every object as new."""
    try:
        plan = make_plan(client, desired, domain)
    except NoCalendar:
        if create is None:
            raise
        if dry_run:
            return make_plan(client, desired, domain, held=({}, [])), "would create"
        if create_calendar(client, create):
            return make_plan(client, desired, domain, held=({}, [])), "created"
        return make_plan(client, desired, domain), "exists"  # made by someone else meanwhile: read it
    return plan, ("exists" if create is not None else None)


@dataclass
class Outcome:
    done: list[Action] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def apply(client: Client, plan: Plan) -> Outcome:
    """Send each write guarded by the ETag read; a 412 is a conflict, reported and left as the server has it."""
    out = Outcome()
    for a in plan.actions:
        headers: dict[str, str] = {}
        if a.kind == "create":
            headers["If-None-Match"] = "*"
        elif a.etag:
            headers["If-Match"] = a.etag
        if a.kind == "delete":
            r = client.request("DELETE", a.path, None, headers)
            ok = r.status in (200, 204, 404)  # 404: already gone, which is what we wanted
        else:
            headers["Content-Type"] = "text/calendar; charset=utf-8"
            r = client.request("PUT", a.path, a.data, headers)
            ok = r.status in (200, 201, 204)
        if ok:
            out.done.append(a)
        elif r.status == 412:
            out.conflicts.append(
                f"{a.uid}: changed on the server since it was read (412 Precondition Failed); not overwritten. "
                "Check it, then run again to replace it with the repository's version"
            )
        else:
            reason = r.body.decode("utf-8", "replace").strip().splitlines()[:1]
            out.errors.append(f"{a.kind} {a.uid}: the server answered {r.status}{': ' + reason[0] if reason else ''}")
    return out
