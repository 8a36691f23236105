"""iMIP (RFC 6047): the invite by email, one message per opted-in member.

Each message carries a copy of the calendar in which every component (the series, each moved
occurrence, a cancellation) names its recipient as the only ATTENDEE, and its headers name only the
recipient and the organiser's role address: no member's address reaches another member. Before a
message leaves, its bytes are searched for every other invitee's address; a hit stops the sending.
"""

from __future__ import annotations

import datetime as dt
from copy import deepcopy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from icalendar import Calendar, vCalAddress

from redflag_coord.calendar.ics import Built, Settings, meeting_times, organiser_address, serialize
from redflag_coord.org.clock import today_default
from redflag_coord.org.load import Organisation
from redflag_coord.org.model import Meeting
from redflag_coord.org.occurrences import next_or_last
from redflag_coord.repo.mail import MailError


def messages(
    org: Organisation, meeting_id: str, built: Built, settings: Settings, sender: str | None = None
) -> list[EmailMessage]:
    convener, meeting = org.meeting(meeting_id)
    method = str(built.calendar["METHOD"])
    when = subject_when(meeting_id, meeting, today_default())
    prefix = "Cancelled" if method == "CANCEL" else "Invitation"
    organiser = sender or organiser_address(convener, settings)
    invitees = invitees_of(built.calendar)
    out = []
    for address, attendee in invitees.items():
        cal = for_recipient(built.calendar, attendee)
        msg = EmailMessage()
        msg["From"] = f"{org.name_of(convener)} <{organiser}>"
        msg["To"] = str(attendee).removeprefix("mailto:")
        msg["Subject"] = f"{prefix}: {meeting.title} ({when})"
        msg["Date"] = format_datetime(settings.stamp)
        msg["Message-ID"] = make_msgid(domain=settings.domain)
        msg.set_content(str(next(iter(cal.walk("VEVENT"))).get("DESCRIPTION", meeting.title)))
        msg.add_alternative(
            serialize(cal), maintype="text", subtype="calendar", params={"method": method, "charset": "UTF-8"}
        )
        _refuse_others(msg, address, invitees, meeting_id)
        out.append(msg)
    return out


def subject_when(meeting_id: str, meeting: Meeting, today: dt.date) -> str:
    """When, for the subject line, in the meeting's zone: a series' next meeting from today (its first is
    long past for most who read it), or its last once it has ended; a one-off meeting's start."""
    if meeting.recurrence is None:
        start = meeting_times(meeting, meeting_id).start
        return f"{start:%Y-%m-%d %H:%M} {meeting.timezone}"
    occ = next_or_last(meeting, today)
    start = meeting_times(meeting.model_copy(update={"start": occ.wall(meeting)}), meeting_id).start
    return f"{'next' if occ.date >= today else 'last'} {start:%Y-%m-%d %H:%M} {meeting.timezone}"


def invitees_of(calendar: Calendar) -> dict[str, vCalAddress]:
    """Every ATTENDEE of every component, once per address (lower case), in the order first met."""
    found: dict[str, vCalAddress] = {}
    for component in calendar.walk():
        for attendee in _attendees(component):
            found.setdefault(str(attendee).removeprefix("mailto:").lower(), attendee)
    return found


def for_recipient(calendar: Calendar, attendee: vCalAddress) -> Calendar:
    """A copy in which each component that names attendees names only this one."""
    cal = deepcopy(calendar)
    for component in cal.walk():
        if _attendees(component):
            component.pop("ATTENDEE")
            component.add("ATTENDEE", attendee)
    return cal


def _attendees(component) -> list[vCalAddress]:
    found = component.get("ATTENDEE") or []
    return found if isinstance(found, list) else [found]


def _refuse_others(msg: EmailMessage, own: str, invitees: dict[str, vCalAddress], meeting_id: str) -> None:
    """The last look before sending: the whole message (headers, text, calendar, any encoding of
    the parts) holds no other invitee's address. A hit is a fault in the data or this module."""
    raw = msg.as_bytes().lower()
    text = "\n".join(part.get_content() for part in msg.walk() if not part.is_multipart()).lower()
    for address, attendee in invitees.items():
        if address != own and (address.encode() in raw or address in text):
            who = attendee.params.get("CN", "another invitee")
            raise MailError(f"meeting {meeting_id}: the message to one invitee would carry {who}'s address; not sent")
