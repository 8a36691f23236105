"""Minutes and the commitments list as plain data; the renderers put them in words.

Nothing private is read: minutes hold collectives, counts, and handles only where the file gives them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from redflag_coord.errors import RedflagError
from redflag_coord.i18n.labels import pick_language
from redflag_coord.org.clock import now_or_today as now_default
from redflag_coord.org.commitments import (
    RECENT_DAYS,
    CommitmentState,
    all_commitments,
    meeting_instant,
    open_first,
    recently_closed,
)
from redflag_coord.org.load import Organisation, rel_path
from redflag_coord.org.model import Decision, Meeting, Minutes


class MinutesError(RedflagError, ValueError):
    """The minutes or the list cannot be built; `usage` when the request (not the data) is wrong."""

    usage = True

    def __init__(self, message: str, usage: bool | None = None) -> None:
        super().__init__(message, usage=usage)


@dataclass(frozen=True)
class ItemRow:
    number: int
    topic: str
    lead: str | None  # the lead collective's name
    notes: tuple[str, ...]


@dataclass(frozen=True)
class VoteRow:
    name: str
    for_: int
    against: int
    abstain: int


@dataclass(frozen=True)
class DecisionRow:
    text: str
    item: int | None
    method: str
    votes: tuple[VoteRow, ...]

    @property
    def totals(self) -> tuple[int, int, int]:
        return (sum(v.for_ for v in self.votes), sum(v.against for v in self.votes), sum(v.abstain for v in self.votes))


@dataclass(frozen=True)
class UpdateRow:
    commitment: str
    status: str
    note: str | None
    text: str | None  # the commitment's text, when it resolves


@dataclass(frozen=True)
class MinutesView:
    meeting_id: str
    convener: str
    convener_name: str
    title: str
    lang: str
    zone: str
    start: dt.datetime  # aware UTC
    chair: str | None
    minute_taker: str | None
    present: tuple[tuple[str, str, int | None], ...]  # slug, name, members present
    apologies: tuple[tuple[str, str], ...]
    absent: tuple[tuple[str, str], ...]
    items: tuple[ItemRow, ...]
    decisions: tuple[DecisionRow, ...]
    commitments: tuple[CommitmentState, ...]  # taken on at this meeting, in their state now
    updates: tuple[UpdateRow, ...]
    names: dict[str, str]
    members: bool = True  # False: collectives only (see collectives_only)
    text_lang: str | None = None  # the meeting's `language`: that of its title, topics and minutes


def _meeting(org: Organisation, meeting_id: str):
    return org.meeting(meeting_id)


def minutes_language(org: Organisation, convener: str, meeting_lang: str, lang: str | None) -> str:
    """--lang, else the meeting's language, else the convener's languages, else English."""
    wanted = [meeting_lang, *org.languages_of(convener)]
    try:
        return pick_language(lang, wanted)
    except ValueError as e:
        raise MinutesError(str(e)) from e


def build_minutes(
    org: Organisation, meeting_id: str, lang: str | None = None, now: dt.datetime | None = None
) -> MinutesView:
    convener, meeting = _meeting(org, meeting_id)
    c = org.collectives[convener]
    minutes = c.minutes.get(meeting_id)
    if minutes is None:
        raise MinutesError(
            f"no minutes for {meeting_id!r} yet ({rel_path('minutes', convener, meeting_id)}); "
            f"start them with: redflag-coord minutes new {meeting_id}"
        )
    names = org.names()
    invited = list(dict.fromkeys([convener, *meeting.participants]))
    att = minutes.attendance
    present = tuple((s, names.get(s, s), att.members.get(s)) for s in att.present)
    apologies = tuple((s, names.get(s, s)) for s in att.apologies)
    absent = tuple((s, names.get(s, s)) for s in invited if s not in att.present and s not in att.apologies)
    notes: dict[int, list[str]] = {}
    for n in minutes.items:
        notes.setdefault(n.item, []).append(n.note)
    items = tuple(
        ItemRow(i, item.topic, names.get(item.lead, item.lead) if item.lead else None, tuple(notes.get(i, ())))
        for i, item in enumerate(meeting.items, start=1)
    )
    decisions = tuple(
        DecisionRow(
            d.text,
            d.item,
            _how(org, meeting, minutes, d),
            tuple(VoteRow(names.get(v.collective, v.collective), v.for_, v.against, v.abstain) for v in d.votes),
        )
        for d in minutes.decisions
    )
    states = {s.id: s for s in all_commitments(org, now)}
    ours = tuple(states[cm.id] for cm in minutes.commitments if cm.id in states)
    updates = tuple(
        UpdateRow(u.commitment, u.status.value, u.note, states[u.commitment].text if u.commitment in states else None)
        for u in minutes.updates
    )
    return MinutesView(
        meeting_id=meeting_id,
        convener=convener,
        convener_name=names.get(convener, convener),
        title=meeting.title,
        lang=minutes_language(org, convener, meeting.language, lang),
        text_lang=meeting.language,
        zone=meeting.timezone,
        start=meeting_instant(meeting),
        chair=minutes.chair,
        minute_taker=minutes.minute_taker,
        present=present,
        apologies=apologies,
        absent=absent,
        items=items,
        decisions=decisions,
        commitments=ours,
        updates=updates,
        names=names,
    )


def collectives_only(m: MinutesView) -> MinutesView:
    """The minutes as the public site shows them by default ([publish] members = false): collectives present,
    decisions with their totals and commitments by collective; no chair, minute taker, handle, nor how many
    of each collective attended or voted (a head count per collective tells how big it is)."""
    return replace(
        m,
        chair=None,
        minute_taker=None,
        present=tuple((slug, name, None) for slug, name, _ in m.present),
        commitments=tuple(replace(c, handle=None) for c in m.commitments),
        members=False,
    )


# -- the commitments list ------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnerGroup:
    owner: str
    name: str
    zone: str | None
    open: tuple[CommitmentState, ...]  # overdue first
    closed: tuple[CommitmentState, ...]  # done or dropped recently, latest first


@dataclass(frozen=True)
class CommitmentList:
    now: dt.datetime
    lang: str
    collective: str | None
    days: int
    groups: tuple[OwnerGroup, ...]
    names: dict[str, str]


def build_commitments(
    org: Organisation,
    collective: str | None = None,
    lang: str | None = None,
    now: dt.datetime | None = None,
    days: int = RECENT_DAYS,
) -> CommitmentList:
    """Open, overdue and recently closed commitments, by owner (one owner with `collective`)."""
    now = now or now_default()
    if collective is not None:
        org.collective(collective)  # did you mean
    try:
        language = pick_language(lang, org.languages_of(collective))
    except ValueError as e:
        raise MinutesError(str(e)) from e
    states = [s for s in all_commitments(org, now) if collective in (None, s.owner)]
    names = org.names()
    groups = []
    for owner in sorted({s.owner for s in states}):  # by slug: the order does not move with a renamed collective
        mine = [s for s in states if s.owner == owner]
        opened, closed = open_first(mine), recently_closed(mine, now, days)
        if opened or closed:
            tz = org.zone_of(owner)
            groups.append(OwnerGroup(owner, names.get(owner, owner), tz, tuple(opened), tuple(closed)))
    return CommitmentList(now, language, collective, days, tuple(groups), names)


def _how(org: Organisation, meeting: Meeting, minutes: Minutes, d: Decision) -> str:
    """How a decision was taken: as recorded, or for one on a motion, how its rule decided it (org.decide)."""
    if d.motion is None and d.result is None:
        return d.method.value
    from redflag_coord.org.decide import compute, entitled_of, rule_of
    from redflag_coord.org.settings import settings_or_defaults

    motion = next((c.motions[d.motion] for c in org.collectives.values() if d.motion in c.motions), None)
    rule = rule_of(settings_or_defaults(org.root).decisions, d, motion)
    att = minutes.attendance
    tally = compute(rule, entitled_of(rule, meeting.participants), att.present, d.stances, d.votes, att.members)
    return "vote" if tally.by == "vote" else "consensus"
