"""Commitments and requests, and their state: computed once here for the agenda, reports and minutes.

A commitment is taken on in a meeting's minutes; a request in a report is one too, owed by the
collective it is addressed to; a translation of an article (org.articles) is one too, owed by the
collective that claimed it (or was asked), open again while the source text changed since. Each has
a stable id; answers in reports and updates in later minutes change its status. It is overdue once
the end of its due day has passed in the owner's zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from redflag_coord.org.clock import now_or_today as now_default
from redflag_coord.org.load import Organisation, rel_path
from redflag_coord.org.model import Meeting
from redflag_coord.tz.zones import UTC, resolve, zone

Status = Literal["open", "done", "dropped"]
Kind = Literal["commitment", "request", "translation"]
# The renderers' words for where each kind comes from (one table: the agenda, the minutes, the listing)
ORIGIN_KEYS = {
    "commitment": "commitments.from",
    "request": "commitments.from_request",
    "translation": "commitments.from_translation",
}
RECENT_DAYS = 180  # "recently done": done or dropped within this many days (about one meeting cycle)


@dataclass(frozen=True)
class Event:
    """One status of a commitment: where it was recorded and when."""

    date: dt.date
    status: Status
    note: str | None
    source: str  # repository-relative path of the file that records it
    key: tuple[str | int, ...] = ()


@dataclass(frozen=True)
class CommitmentState:
    id: str
    kind: Kind
    text: str
    owner: str  # the collective that owes it
    owner_zone: str | None
    owed_to: str  # the collective that asked (a request) or the meeting's convener (a commitment)
    meeting: str  # the meeting whose minutes or report holds it ('' for a translation)
    made: dt.date  # the meeting's date, or the report's filed date
    handle: str | None
    item: int | None
    due: dt.date | None
    status: Status
    status_date: dt.date
    note: str | None
    overdue: bool
    source: str
    history: tuple[Event, ...] = field(default=())
    stale: bool = False  # a translation whose source text changed since it was made

    @property
    def origin_key(self) -> str:
        """The catalog key saying where it comes from (a stale translation says so)."""
        return "commitments.stale_translation" if self.stale else ORIGIN_KEYS[self.kind]

    decision: int | None = None  # the decision of its minutes that created it (its `commitments`), 1 the first

    @property
    def due_end(self) -> dt.datetime | None:
        return due_end(self.due, self.owner_zone) if self.due else None


def due_end(due: dt.date, zone_name: str | None) -> dt.datetime:
    """The instant a due date ends: the next local midnight in the owner's zone (UTC without a zone)."""
    local = resolve(dt.datetime.combine(due + dt.timedelta(days=1), dt.time()), zone_name or "UTC")
    if local.instants:
        return local.instants[0]
    # midnight skipped by a DST change: the day ends when the clocks jump
    return dt.datetime.combine(due + dt.timedelta(days=1), dt.time(), tzinfo=zone(zone_name or "UTC")).astimezone(UTC)


def request_id(meeting_id: str, collective: str, index: int, explicit: str | None = None) -> str:
    """A request's stable id: its own `id`, else '<meeting>-<collective>-<n>' (n counts from 1 in the file)."""
    return explicit or f"{meeting_id}-{collective}-{index + 1}"


def meeting_date(m: Meeting) -> dt.date:
    return m.start.date()


def meeting_instant(m: Meeting) -> dt.datetime:
    local = resolve(m.start, m.timezone)
    return local.instants[0] if local.instants else m.start.replace(tzinfo=zone(m.timezone)).astimezone(UTC)


@dataclass
class _Draft:
    kind: Kind
    id: str
    text: str
    owner: str
    owed_to: str
    meeting: str
    made: dt.date
    handle: str | None
    item: int | None
    due: dt.date | None
    source: str
    events: list[Event]
    stale: bool = False
    decision: int | None = None


def _drafts(org: Organisation) -> tuple[dict[str, _Draft], dict[str, str]]:
    """Every commitment and request by id, and request id -> the commitment that took it up."""
    meetings = org.meetings()
    drafts: dict[str, _Draft] = {}
    # requests first: a minutes commitment with the same id is then reported as a duplicate by validate
    for c in org.collectives.values():
        for mid, report in c.reports.items():
            for i, req in enumerate(report.requests):
                rid = request_id(mid, c.slug, i, req.id)
                rel = rel_path("report", c.slug, mid)
                opened = Event(report.filed, "open", None, rel, ("request", i))
                drafts.setdefault(
                    rid,
                    _Draft(
                        "request", rid, req.text, req.to, c.slug, mid, report.filed, None, None, None, rel, [opened]
                    ),
                )
    carried = _translations(org, drafts)
    taken: dict[str, str] = {}
    for c in org.collectives.values():
        for mid, minutes in c.minutes.items():
            found = meetings.get(mid)
            held = meeting_date(found[1]) if found else None
            rel = rel_path("minutes", c.slug, mid)
            by_decision = {
                cid: n + 1 for n, dec in reversed(list(enumerate(minutes.decisions))) for cid in dec.commitments
            }
            for i, cm in enumerate(minutes.commitments):
                made = held or cm.date or dt.date.min
                first = [Event(made, "open", None, rel, ("commitment", i))]
                if cm.status.value != "open" or cm.note:
                    first.append(Event(cm.date or made, cm.status.value, cm.note, rel, ("commitment", i, "status")))
                d = _Draft(
                    "commitment",
                    cm.id,
                    cm.text,
                    cm.owner,
                    c.slug,
                    mid,
                    made,
                    cm.handle,
                    cm.item,
                    cm.due,
                    rel,
                    first,
                    decision=by_decision.get(cm.id),
                )
                drafts.setdefault(cm.id, d)
                if cm.request:
                    taken[cm.request] = cm.id
    _carry(drafts, carried)
    return drafts, taken


def _translations(org: Organisation, drafts: dict[str, _Draft]) -> dict[str, str]:
    """Each translation asked for or claimed, as a commitment (its state decides its status); returns
    translation id -> the minutes commitment it carries out, where it names one."""
    from redflag_coord.org.articles import duties

    carried = {}
    for t in duties(org):
        if t.commitment:
            carried[t.id] = t.commitment
        events = [Event(t.made, "open", None, t.source, t.key)]
        if t.status != "open" or t.stale:
            done = "done" if t.stale else t.status  # stale: it was done, and is owed again since the source changed
            events.append(Event(t.status_date, done, None, t.source, (*t.key, "state")))
        if t.stale:
            events.append(Event(t.status_date, "open", None, t.source, (*t.key, "from_rev")))
        d = _Draft("translation", t.id, t.text, t.owner, t.owed_to, "", t.made, t.handle, None, t.due, t.source, events)
        d.stale = t.stale
        drafts.setdefault(t.id, d)
    return carried


def _carry(drafts: dict[str, _Draft], carried: dict[str, str]) -> None:
    """A translation that carries out a minutes commitment is that commitment, not a second one: its state
    changes (done, dropped, reopened when the source changed) become the commitment's, and it is not listed
    on its own. A reference to no commitment, or to another collective's, stays apart (check.articles says so)."""
    for tid, cid in carried.items():
        t, target = drafts.get(tid), drafts.get(cid)
        if t is None or target is None or t.kind != "translation" or target.kind != "commitment":
            continue
        if target.owner != t.owner:
            continue
        target.events.extend(t.events[1:])  # its own opening is the minutes'
        del drafts[tid]


def _target(drafts: dict[str, _Draft], taken: dict[str, str], cid: str) -> _Draft | None:
    return drafts.get(taken.get(cid, cid))


def _answers(org: Organisation, drafts: dict[str, _Draft], taken: dict[str, str]) -> None:
    """Add the answers in reports and the updates in minutes to the commitments they point at."""
    meetings = org.meetings()
    for c in org.collectives.values():
        for mid, report in c.reports.items():
            rel = rel_path("report", c.slug, mid)
            for i, a in enumerate(report.answers):
                d = _target(drafts, taken, a.commitment)
                if d is not None and d.owner == c.slug:
                    d.events.append(Event(report.filed, a.status.value, a.note, rel, ("answer", i)))
        for mid, minutes in c.minutes.items():
            found = meetings.get(mid)
            if found is None:
                continue
            rel = rel_path("minutes", c.slug, mid)
            for i, u in enumerate(minutes.updates):
                d = _target(drafts, taken, u.commitment)
                if d is not None:
                    d.events.append(Event(meeting_date(found[1]), u.status.value, u.note, rel, ("update", i)))


def all_commitments(org: Organisation, now: dt.datetime | None = None) -> list[CommitmentState]:
    """Every commitment and request (those taken up by a commitment are carried by it), as of `now`."""
    now = now or now_default()
    drafts, taken = _drafts(org)
    _answers(org, drafts, taken)
    out = []
    for d in drafts.values():
        if d.kind == "request" and d.id in taken and taken[d.id] in drafts:
            continue
        out.append(_state(org, d, now))
    return sorted(out, key=lambda s: (s.made, s.meeting, s.id))


def _state(org: Organisation, d: _Draft, now: dt.datetime) -> CommitmentState:
    c = org.collectives.get(d.owner)
    tz = c.info.timezone if c is not None and c.info is not None else None
    history = tuple(sorted(d.events, key=lambda e: e.date))  # stable: same-day events keep file order
    last = history[-1]
    overdue = last.status == "open" and d.due is not None and now >= due_end(d.due, tz)
    return CommitmentState(
        id=d.id,
        kind=d.kind,
        text=d.text,
        owner=d.owner,
        owner_zone=tz,
        owed_to=d.owed_to,
        meeting=d.meeting,
        made=d.made,
        handle=d.handle,
        item=d.item,
        due=d.due,
        status=last.status,
        status_date=last.date,
        note=last.note,
        overdue=overdue,
        source=d.source,
        history=history,
        stale=d.stale,
        decision=d.decision,
    )


def to_dict(s: CommitmentState) -> dict[str, Any]:
    """A commitment as JSON data (the agenda's and `commitments --format json` share it); a translation
    also says whether it is stale."""
    end = s.due_end
    extra = {"stale": s.stale} if s.kind == "translation" else {}
    return {
        "id": s.id,
        "kind": s.kind,
        "text": s.text,
        "owner": s.owner,
        "owner_timezone": s.owner_zone,
        "handle": s.handle,
        "owed_to": s.owed_to,
        "meeting": s.meeting,
        "made": s.made.isoformat(),
        "item": s.item,
        "due": s.due.isoformat() if s.due else None,
        "due_end": end.astimezone(zone(s.owner_zone or "UTC")).isoformat() if end else None,
        "status": s.status,
        "status_date": s.status_date.isoformat(),
        "note": s.note,
        "overdue": s.overdue,
        "decision": s.decision,
        **extra,
    }


def open_first(states: Iterable[CommitmentState]) -> list[CommitmentState]:
    """Open ones, overdue first, then by due date (none last), then by when they were made."""
    rows = [s for s in states if s.status == "open"]
    return sorted(rows, key=lambda s: (not s.overdue, s.due or dt.date.max, s.made, s.id))


def for_meeting(org: Organisation, meeting_id: str, now: dt.datetime | None = None) -> list[CommitmentState]:
    """What is open when a meeting's agenda is read: commitments from the minutes of the same convener's
    earlier meetings and requests in reports to it or to its earlier meetings; overdue first."""
    found = org.find_meeting(meeting_id)
    if found is None:
        return []
    start = meeting_instant(found[1])
    meetings = org.meetings()
    involved = {found[0], *found[1].participants}

    def before(s: CommitmentState) -> bool:
        if s.kind == "translation":  # owed between collectives: at every meeting either of them is at
            return bool({s.owner, s.owed_to} & involved) and s.made <= start.date()
        m = meetings.get(s.meeting)
        if m is None or m[0] != found[0]:  # another convener's meetings keep their own commitments
            return False
        at = meeting_instant(m[1])
        return at < start if s.kind == "commitment" else at <= start

    return open_first(s for s in all_commitments(org, now) if before(s))


def recently_closed(
    states: Iterable[CommitmentState], now: dt.datetime, days: int = RECENT_DAYS
) -> list[CommitmentState]:
    cutoff = now.date() - dt.timedelta(days=days)
    rows = [s for s in states if s.status != "open" and s.status_date >= cutoff]
    return sorted(rows, key=lambda s: (s.status_date, s.id), reverse=True)
