"""iMIP (RFC 6047): the invite by email, one message per opted-in member.

Each message carries a copy of the calendar whose only ATTENDEE is its
recipient, so no member's address reaches another member.
"""

from __future__ import annotations

from copy import deepcopy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from redflag_coord.calendar.ics import Built, Settings, meeting_times, organiser_address, serialize
from redflag_coord.org.load import Organisation


def messages(
    org: Organisation, meeting_id: str, built: Built, settings: Settings, sender: str | None = None
) -> list[EmailMessage]:
    convener, meeting = org.meeting(meeting_id)
    event = next(iter(built.calendar.walk("VEVENT")))
    method = str(built.calendar["METHOD"])
    start = meeting_times(meeting, meeting_id).start
    when = f"{start:%Y-%m-%d %H:%M} {meeting.timezone}"
    prefix = "Cancelled" if method == "CANCEL" else "Invitation"
    organiser = sender or organiser_address(convener, settings)
    attendees = event.get("ATTENDEE") or []
    attendees = attendees if isinstance(attendees, list) else [attendees]
    out = []
    for attendee in attendees:
        address = str(attendee).removeprefix("mailto:")
        cal = deepcopy(built.calendar)
        ev = next(iter(cal.walk("VEVENT")))
        ev.pop("ATTENDEE")
        ev.add("ATTENDEE", attendee)
        msg = EmailMessage()
        msg["From"] = f"{org.name_of(convener)} <{organiser}>"
        msg["To"] = address
        msg["Subject"] = f"{prefix}: {meeting.title} ({when})"
        msg["Date"] = format_datetime(settings.stamp)
        msg["Message-ID"] = make_msgid(domain=settings.domain)
        msg.set_content(str(ev.get("DESCRIPTION", meeting.title)))
        msg.add_alternative(
            serialize(cal), maintype="text", subtype="calendar", params={"method": method, "charset": "UTF-8"}
        )
        out.append(msg)
    return out
