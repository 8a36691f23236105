"""The comrade's personal feed (`calendar --for HANDLE`): their relationships' next steps as iCalendar
tasks (VTODO, METHOD:PUBLISH), due at the end of the due day on the collective's wall clock, each with
a reminder that morning (09:00 there).

Written only from follow-ups the comrade's identity opened (org.followups.feed_items decides). No
organiser, attendee, location or conversation note: the feed carries what the comrade needs to act and
nothing else, because a calendar app may copy it to a server the organisation does not control.
"""

from __future__ import annotations

import datetime as dt

from icalendar import Alarm, Calendar, Todo

from redflag_coord.calendar.ics import Settings, Text, clean_text, serialize
from redflag_coord.org.followups import FollowUp
from redflag_coord.tz.vtimezone import vtimezone
from redflag_coord.tz.zones import UTC, zone

PRODID = "-//redflag-coord//follow-ups//EN"
REMIND_AT = dt.time(9)  # the reminder: the morning of the due day, local


def todo_uid(item: FollowUp, domain: str) -> str:
    """The relationship's random id names the task: the same task as the step changes, and no one."""
    return f"followup-{item.rid}@{domain}"


def due_at(item: FollowUp) -> dt.datetime | None:
    """The last second of the due day on the collective's wall clock (as a commitment's DUE)."""
    if item.due is None:
        return None
    return dt.datetime.combine(item.due, dt.time(23, 59, 59), tzinfo=zone(item.zone))


def render(items: list[FollowUp], handle: str, settings: Settings) -> bytes:
    """The feed: one VTODO per follow-up, with the VTIMEZONE of each zone used."""
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    name = f"Follow-ups: {handle}"
    cal.add("X-WR-CALNAME", Text(clean_text(name)))
    cal.add("NAME", Text(clean_text(name)))
    days: dict[str, list[dt.date]] = {}
    for item in items:
        if item.due is not None and item.zone != "UTC":
            days.setdefault(item.zone, []).append(item.due)
    for zone_name, used in sorted(days.items()):
        cal.add_component(vtimezone(zone_name, min(used), max(used)))
    for item in sorted(items, key=lambda i: (i.due or dt.date.max, i.rid)):
        cal.add_component(_todo(item, settings))
    return serialize(cal)


def _todo(item: FollowUp, settings: Settings) -> Todo:
    todo = Todo()
    todo.add("UID", todo_uid(item, settings.domain))
    todo.add("DTSTAMP", settings.stamp.astimezone(UTC))
    step = item.step or "follow up"
    todo.add("SUMMARY", Text(clean_text(f"{item.pseudonym}: {step}")))
    todo.add("STATUS", "NEEDS-ACTION")
    due = due_at(item)
    if due is not None:
        todo.add("DUE", due)
        alarm = Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", Text(clean_text(f"{item.pseudonym}: {step}")))
        morning = dt.datetime.combine(item.due, REMIND_AT, tzinfo=zone(item.zone))  # type: ignore[arg-type]
        # an exact duration before DUE (RFC 5545 §3.8.6.3), measured in instants: right on a DST day too
        alarm.add("TRIGGER", morning.astimezone(UTC) - due.astimezone(UTC), parameters={"RELATED": "END"})
        todo.add_component(alarm)
    return todo
