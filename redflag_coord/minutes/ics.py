"""Open commitments as iCalendar tasks (VTODO) with DUE at the last second of the due day in the
owner's zone (with its VTIMEZONE), so a collective's calendar app lists what it owes."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Todo

from redflag_coord.calendar.ics import Text, clean_text, domain_default, serialize, stamp_default
from redflag_coord.minutes.build import CommitmentList
from redflag_coord.org.commitments import CommitmentState
from redflag_coord.tz.vtimezone import vtimezone
from redflag_coord.tz.zones import UTC, zone

PRODID = "-//redflag-coord//commitments//EN"


def todo_uid(commitment_id: str, domain: str) -> str:
    return f"commitment-{commitment_id}@{domain}"


def due_local(s: CommitmentState) -> dt.datetime | None:
    """The last second of the due day, on the owner's wall clock (docs/guide.md: as a recurrence's UNTIL)."""
    if s.due is None:
        return None
    return dt.datetime.combine(s.due, dt.time(23, 59, 59), tzinfo=zone(s.owner_zone or "UTC"))


def render_ics(c: CommitmentList, domain: str | None = None, stamp: dt.datetime | None = None) -> bytes:
    domain = domain or domain_default()
    stamp = (stamp or stamp_default()).astimezone(UTC)
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    zones: dict[str, list[dt.date]] = {}
    todos = []
    for g in c.groups:
        for s in g.open:
            todo = Todo()
            todo.add("UID", todo_uid(s.id, domain))
            todo.add("DTSTAMP", stamp)
            todo.add("SUMMARY", Text(clean_text(f"{g.name}: {s.text}")))
            desc = f"{s.id} · {s.meeting}" + (f" · {s.handle}" if s.handle else "")
            todo.add("DESCRIPTION", Text(clean_text(desc)))
            todo.add("STATUS", "NEEDS-ACTION")
            todo.add("CATEGORIES", [g.owner])
            due = due_local(s)
            if due is not None:
                todo.add("DUE", due)
                zones.setdefault(s.owner_zone or "UTC", []).append(s.due)  # type: ignore[arg-type]
            todos.append(todo)
    for name, days in sorted(zones.items()):
        if name != "UTC":
            cal.add_component(vtimezone(name, min(days), max(days)))
    for todo in todos:
        cal.add_component(todo)
    return serialize(cal)
