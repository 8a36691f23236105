"""Votes between meetings as tasks in each collective's feed: one VTODO per entitled collective still to vote.

DUE is the window's close (UTC: one instant for everyone; the DESCRIPTION gives it on the collective's wall
clock). The UID is stable per motion and collective, so a subscribed app replaces the task it holds: SEQUENCE
is twice the motion's `sequence` (raised when the close moved later) plus one once the task is settled —
COMPLETED when the collective voted, CANCELLED when the vote closed without it.
"""

from __future__ import annotations

import datetime as dt

from icalendar import Todo

from redflag_coord.calendar.ics import Settings, Text, clean_text
from redflag_coord.org import ballot
from redflag_coord.org.load import Organisation
from redflag_coord.org.model import DecisionRule
from redflag_coord.org.window import local_text
from redflag_coord.tz.zones import UTC


def vote_uid(motion_id: str, collective: str, domain: str) -> str:
    return f"vote-{motion_id}-{collective}@{domain}"


def vote_todos(org: Organisation, collective: str | None, settings: Settings, default: DecisionRule) -> list[Todo]:
    """The tasks of every opened vote for `collective` (None: every collective's)."""
    out = []
    for c in sorted(org.collectives.values(), key=lambda c: c.slug):
        for mid, motion in sorted(c.motions.items()):
            if not (motion.between and motion.opened and motion.closes):
                continue
            who = ballot.entitled(org, ballot.rule_for(default, motion))
            voted = {b.collective for b in ballot.counted(motion.ballots, who)}
            for slug in who:
                if collective is None or slug == collective:
                    out.append(_todo(org, mid, motion, slug, slug in voted, settings))
    return out


def _todo(org: Organisation, mid: str, motion, slug: str, voted: bool, settings: Settings) -> Todo:
    zone_name = org.zone_of(slug) or "UTC"
    status = "COMPLETED" if voted else ("CANCELLED" if motion.closed else "NEEDS-ACTION")
    todo = Todo()
    todo.add("UID", vote_uid(mid, slug, settings.domain))
    todo.add("DTSTAMP", settings.stamp.astimezone(UTC))
    todo.add("SEQUENCE", 2 * motion.sequence + (status != "NEEDS-ACTION"))
    todo.add("SUMMARY", Text(clean_text(f"{org.name_of(slug)}: vote on “{motion.title}”")))
    closes_there = local_text(ballot.unix(motion.closes), zone_name)
    todo.add("DESCRIPTION", Text(clean_text(f"motion {mid}: the vote closes {closes_there} ({zone_name})")))
    todo.add("CATEGORIES", [slug])
    todo.add("DTSTART", motion.opened.astimezone(UTC))
    todo.add("DUE", motion.closes.astimezone(UTC))
    todo.add("STATUS", status)
    if voted:
        todo.add("PERCENT-COMPLETE", 100)
        todo.add("COMPLETED", min(motion.closes, _cast(motion, slug)).astimezone(UTC))
    return todo


def _cast(motion, slug: str) -> dt.datetime:
    b = next(b for b in motion.ballots if b.collective == slug)
    if isinstance(b.cast, dt.datetime):
        return b.cast
    return max(motion.opened, dt.datetime.combine(b.cast, dt.time(), UTC))
