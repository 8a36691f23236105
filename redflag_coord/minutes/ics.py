"""Commitments as iCalendar tasks (VTODO, METHOD:PUBLISH, complete as RFC 5546 §3.4.1 asks), so a
collective's calendar app lists what it owes.

- DTSTART: when it was taken on, the start of the meeting whose minutes or report holds it, in the
  meeting's zone (a translation: the start of the day it was asked for, in the owner's zone); DUE: the
  last second of the due day in the owner's zone. Both with their VTIMEZONE.
- ORGANIZER: the meeting's convener at the role address invites use (`ics.organizer`), never a member's
  (a translation: the collective that asked for it, at its role address).
- Closed ones within the listing's window (`--days`) stay: done as STATUS:COMPLETED with COMPLETED,
  dropped as STATUS:CANCELLED, under the same UID. SEQUENCE counts the changes of state recorded
  since it was made, so a subscribed app replaces the open task it holds instead of dropping it.
"""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Todo

from redflag_coord.calendar.ics import (
    CalendarError,
    Settings,
    Text,
    clean_text,
    meeting_times,
    organizer,
    serialize,
)
from redflag_coord.minutes.build import CommitmentList
from redflag_coord.org.commitments import CommitmentState
from redflag_coord.org.load import Organisation
from redflag_coord.tz.vtimezone import vtimezone
from redflag_coord.tz.zones import UTC, resolve, zone

PRODID = "-//redflag-coord//commitments//EN"
STATUS = {"open": "NEEDS-ACTION", "done": "COMPLETED", "dropped": "CANCELLED"}


def todo_uid(commitment_id: str, domain: str) -> str:
    return f"commitment-{commitment_id}@{domain}"


def due_local(s: CommitmentState) -> dt.datetime | None:
    """The last second of the due day, on the owner's wall clock (docs/guide.md: as a recurrence's UNTIL)."""
    if s.due is None:
        return None
    return dt.datetime.combine(s.due, dt.time(23, 59, 59), tzinfo=zone(s.owner_zone or "UTC"))


def sequence(s: CommitmentState) -> int:
    """How many changes were recorded after it was made: it rises with every answer or update."""
    return len(s.history) - 1


def completed_at(s: CommitmentState, made: dt.datetime | None) -> dt.datetime:
    """COMPLETED (UTC): the start of the day it was recorded done, in the owner's zone, never before it was made."""
    local = resolve(dt.datetime.combine(s.status_date, dt.time()), s.owner_zone or "UTC")
    day = local.instants[0] if local.instants else dt.datetime.combine(s.status_date, dt.time(), UTC)
    return max(day, made.astimezone(UTC)) if made is not None else day.astimezone(UTC)


class _Zones:
    """The dates each zone is used on, for one VTIMEZONE per zone covering them."""

    def __init__(self) -> None:
        self.days: dict[str, list[dt.date]] = {}

    def use(self, name: str, day: dt.date) -> None:
        self.days.setdefault(name, []).append(day)

    def components(self):
        return [vtimezone(name, min(days), max(days)) for name, days in sorted(self.days.items()) if name != "UTC"]


def render_ics(c: CommitmentList, org: Organisation, settings: Settings) -> bytes:
    """Open commitments and those closed within the listing's window, by owner."""
    stamp = settings.stamp.astimezone(UTC)
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    zones = _Zones()
    todos = [_todo(org, g.name, g.owner, s, settings, stamp, zones) for g in c.groups for s in (*g.open, *g.closed)]
    for vtz in zones.components():
        cal.add_component(vtz)
    for todo in todos:
        cal.add_component(todo)
    return serialize(cal)


def _todo(
    org: Organisation, name: str, owner: str, s: CommitmentState, settings: Settings, stamp: dt.datetime, zones: _Zones
) -> Todo:
    todo = Todo()
    todo.add("UID", todo_uid(s.id, settings.domain))
    todo.add("DTSTAMP", stamp)
    todo.add("SEQUENCE", sequence(s))
    todo.add("SUMMARY", Text(clean_text(f"{name}: {s.text}")))
    desc = " · ".join(part for part in (s.id, s.meeting, s.handle) if part)  # a translation has no meeting
    todo.add("DESCRIPTION", Text(clean_text(desc)))
    todo.add("CATEGORIES", [owner])
    found = org.find_meeting(s.meeting)
    convener = found[0] if found else s.owed_to
    todo.add("ORGANIZER", organizer(org, convener, settings))
    made = _made(found[1] if found else None, s)
    made_zone = found[1].timezone if found else s.owner_zone or "UTC"
    due = due_local(s)
    if made is not None and (due is None or made <= due):  # RFC 5545: DUE is later than DTSTART
        todo.add("DTSTART", made)
        zones.use(made_zone, made.date())
    if due is not None:
        todo.add("DUE", due)
        zones.use(s.owner_zone or "UTC", s.due)  # type: ignore[arg-type]
    todo.add("STATUS", STATUS[s.status])
    if s.status == "done":
        todo.add("COMPLETED", completed_at(s, made))
        todo.add("PERCENT-COMPLETE", 100)
    return todo


def _made(meeting, s: CommitmentState) -> dt.datetime | None:
    """The start of the meeting it belongs to, in the meeting's zone (None: no such meeting, or no such time);
    a translation, asked for outside meetings, starts on the day it was asked for, in the owner's zone."""
    if s.kind == "translation":
        return dt.datetime.combine(s.made, dt.time(), tzinfo=zone(s.owner_zone or "UTC"))
    if meeting is None:
        return None
    try:
        return meeting_times(meeting, f"meeting {s.meeting}").start
    except CalendarError:  # a start in a DST gap: validate names it; the task goes without DTSTART
        return None
