"""The lifecycle of minutes: draft → circulated → approved (named in a later meeting's `approves`) → locked.

The facts every caller asks (the agenda's "approve the minutes of …", `minutes new`, `validate`): which
minutes approve which, and which are waiting for approval. The history check is check/lifecycle.py.
"""

from __future__ import annotations

from redflag_coord.org.load import Organisation
from redflag_coord.org.model import MinutesStatus
from redflag_coord.org.rota import body_meetings


def approvers(org: Organisation, body: str) -> dict[str, list[str]]:
    """Meeting id of approved minutes -> the meetings whose minutes approve them (a body's own minutes)."""
    c = org.collectives.get(body)
    out: dict[str, list[str]] = {}
    for mid, minutes in c.minutes.items() if c else ():
        for approved in minutes.approves:
            out.setdefault(approved, []).append(mid)
    return out


def to_approve(org: Organisation, body: str, meeting_id: str) -> tuple[str, ...]:
    """The earlier meetings of the body whose minutes this meeting is to approve: circulated and not approved
    at another meeting, or approved by this meeting's own minutes (the agenda of a past meeting keeps its item)."""
    c = org.collectives.get(body)
    if c is None or not c.minutes:
        return ()  # no minutes, nothing to approve: no need to order the body's meetings (a feed asks per meeting)
    by = approvers(org, body)
    order = [mid for _, mid in body_meetings(org, body)]
    earlier = order[: order.index(meeting_id)] if meeting_id in order else order
    out = []
    for mid in earlier:
        minutes = c.minutes.get(mid)
        if minutes is None:
            continue
        others = [a for a in by.get(mid, []) if a != meeting_id]
        if meeting_id in by.get(mid, []) or (minutes.status == MinutesStatus.circulated and not others):
            out.append(mid)
    return tuple(out)
