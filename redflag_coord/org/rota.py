"""The rota of a body's roles (roles.toml): who held each role, read from the minutes, and who holds it next.

`turns` is the one count of turns (every caller — `roles next`, the agenda, `minutes new`, `validate` —
asks it); `choose` is the one rule that picks a holder from a pool; `propose` applies both to a meeting.

The rule: never the holder of the role's last recorded turn when another is eligible (unless a repeat is
allowed), nor one skipped at this meeting; then the fewest turns; among equals, one whose local hour at
the meeting's start is inside its collective's acceptable hours (the availability `slots` reads), then
one not already holding another role at this meeting, then the pool's order. A recorded swap gives the
proposed holder's role to another at one meeting; the turn then counts for who held it (the minutes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from redflag_coord.i18n.labels import Labels
from redflag_coord.org.commitments import meeting_instant
from redflag_coord.org.hours import ACCEPTABLE, hours_of
from redflag_coord.org.load import Organisation
from redflag_coord.org.model import Availability, Minutes, RolesFile, Swap
from redflag_coord.tz.zones import UTC, zone

# Roles the minutes record in their own key; any other role is read from the minutes' [roles] table.
ROLE_KEYS = {"chair": "chair", "minute-taker": "minute_taker"}


def recorded(minutes: Minutes, role: str) -> str | None:
    """Who held `role` according to the minutes (a handle), or None when they do not say."""
    key = ROLE_KEYS.get(role)
    return getattr(minutes, key) if key else minutes.roles.get(role)


def role_label(t: Labels, role: str) -> str:
    """A role's name in the language; a role the catalog does not name (the body names its roles) as written."""
    name = t.term("roles.role", role)
    return name.replace("-", " ").capitalize() if name == role else name


def role_key(role: str) -> tuple[str, ...]:
    """Where the minutes record a role: its key path (for locating a problem)."""
    key = ROLE_KEYS.get(role)
    return (key,) if key else ("roles", role)


def owners(org: Organisation) -> dict[str, str]:
    """Handle -> its collective (the first members.toml that lists it)."""
    out: dict[str, str] = {}
    for c in org.collectives.values():
        for m in c.members.members if c.members is not None else ():
            out.setdefault(m.handle, c.slug)
    return out


def entry_for(who: str, pool: Sequence[str], owner: dict[str, str]) -> str | None:
    """The pool entry a recorded holder stands for: the handle itself, or its collective; None if neither."""
    if who in pool:
        return who
    collective = owner.get(who)
    return collective if collective in pool else None


def body_meetings(org: Organisation, body: str) -> list[tuple[dt.datetime, str]]:
    """The body's meetings in the order they start (UTC), with their ids."""
    c = org.collectives.get(body)
    return sorted((meeting_instant(m), mid) for mid, m in (c.meetings.items() if c else ()))


@dataclass(frozen=True)
class Turns:
    """One role's turns before a meeting: how many each pool entry held, and who held the last one."""

    counts: dict[str, int]
    last: str | None  # the pool entry of the last recorded turn (None: none, or someone outside the pool)


def turns(org: Organisation, body: str, meeting_id: str) -> dict[str, Turns]:
    """Each role's turns held at the body's meetings before `meeting_id`, from the minutes recorded."""
    c = org.collectives[body]
    rota = c.roles or RolesFile()
    owner = owners(org)
    before = [mid for _, mid in body_meetings(org, body)]
    before = before[: before.index(meeting_id)] if meeting_id in before else before
    out: dict[str, Turns] = {}
    for role in rota.roles:
        counts = dict.fromkeys(role.pool, 0)
        last: str | None = None
        for mid in before:
            minutes = c.minutes.get(mid)
            who = recorded(minutes, role.name) if minutes is not None else None
            if who is None:
                continue
            last = entry_for(who, role.pool, owner)
            if last is not None:
                counts[last] += 1
        out[role.name] = Turns(counts, last)
    return out


# -- the local hour -------------------------------------------------------------------------


def acceptable(availability: Availability | None, local: dt.datetime) -> bool:
    """Whether a local wall time is inside a collective's acceptable (or good) hours: the band `slots` ranks
    meeting times by (org.hours, the one reading of [availability])."""
    return hours_of(availability).band(local.date(), local.hour * 60 + local.minute) >= ACCEPTABLE


@dataclass(frozen=True)
class Place:
    """Where a pool entry is: its collective, zone and local start of the meeting, and whether that is acceptable."""

    collective: str | None
    zone: str | None
    local: dt.datetime | None
    acceptable: bool


def place_of(org: Organisation, entry: str, start: dt.datetime, owner: dict[str, str]) -> Place:
    slug = entry if entry in org.collectives else owner.get(entry)
    c = org.collectives.get(slug or "")
    if c is None or c.info is None:
        return Place(slug, None, None, False)
    local = start.astimezone(zone(c.info.timezone))
    return Place(slug, c.info.timezone, local, acceptable(c.info.availability, local))


# -- the rule ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    holder: str
    turns: int
    acceptable: bool
    busy: bool  # already holds another role at this meeting
    excluded: str | None = None  # "skipped" or "repeat": not eligible, and why


def choose(
    pool: Sequence[str],
    counts: dict[str, int],
    last: str | None,
    good_hour: dict[str, bool],
    skipped: set[str] = frozenset(),  # type: ignore[assignment]
    busy: set[str] = frozenset(),  # type: ignore[assignment]
    allow_repeat: bool = False,
) -> tuple[str | None, tuple[Candidate, ...]]:
    """The holder the rule picks from `pool` (None: everyone skipped), and every candidate in the order weighed."""
    open_ = [h for h in dict.fromkeys(pool) if h not in skipped]
    repeat_barred = not allow_repeat and last in open_ and len(open_) > 1

    def excluded(h: str) -> str | None:
        if h in skipped:
            return "skipped"
        return "repeat" if repeat_barred and h == last else None

    candidates = [
        Candidate(h, counts.get(h, 0), good_hour.get(h, False), h in busy, excluded(h)) for h in dict.fromkeys(pool)
    ]
    order = {h: i for i, h in enumerate(dict.fromkeys(pool))}
    candidates.sort(key=lambda k: (k.excluded is not None, k.turns, not k.acceptable, k.busy, order[k.holder]))
    first = candidates[0] if candidates and candidates[0].excluded is None else None
    return (first.holder if first else None), tuple(candidates)


# -- a meeting's proposal -------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    role: str
    holder: str | None  # who holds it: the rule's pick, or the swap's `to`
    proposed: str | None  # the rule's pick, before any swap
    swap: Swap | None
    candidates: tuple[Candidate, ...]
    places: dict[str, Place]
    skipped: dict[str, str | None] = field(default_factory=dict)  # holder -> reason, at this meeting
    recorded: str | None = None  # who the meeting's minutes name, once written


@dataclass(frozen=True)
class Proposal:
    meeting_id: str
    body: str
    start: dt.datetime  # aware UTC
    roles: tuple[Choice, ...]
    allow_repeat: bool = False

    def holder(self, role: str) -> str | None:
        return next((c.holder for c in self.roles if c.role == role), None)


def propose(org: Organisation, meeting_id: str, allow_repeat: bool = False) -> Proposal:
    """Who holds each role of the body convening `meeting_id` (an empty proposal without roles.toml)."""
    body, meeting = org.meeting(meeting_id)
    start = meeting_instant(meeting).astimezone(UTC)
    rota = org.collectives[body].roles
    if rota is None or not in_force(org, body, meeting_id):
        return Proposal(meeting_id, body, start, (), allow_repeat)
    held = turns(org, body, meeting_id)
    owner = owners(org)
    minutes = org.collectives[body].minutes.get(meeting_id)
    skips = {s.holder: s.reason for s in rota.skips if s.meeting == meeting_id}
    busy: set[str] = set()
    choices = []
    for role in rota.roles:
        places = {h: place_of(org, h, start, owner) for h in role.pool}
        t = held[role.name]
        good = {h: p.acceptable for h, p in places.items()}
        pick, candidates = choose(role.pool, t.counts, t.last, good, set(skips), busy, allow_repeat)
        swap = next((s for s in rota.swaps if s.meeting == meeting_id and s.role == role.name), None)
        holder = swap.to if swap is not None and swap.from_ == pick else pick
        if holder is not None:
            busy.add(holder)
        if holder is not None and holder not in places:
            places[holder] = place_of(org, holder, start, owner)
        who = recorded(minutes, role.name) if minutes is not None else None
        choices.append(Choice(role.name, holder, pick, swap, candidates, places, {h: skips[h] for h in skips}, who))
    return Proposal(meeting_id, body, start, tuple(choices), allow_repeat)


def in_force(org: Organisation, body: str, meeting_id: str) -> bool:
    """Whether the body's rota proposes for this meeting: from its `since` meeting on (every meeting without one)."""
    rota = org.collectives[body].roles
    if rota is None:
        return False
    order = [mid for _, mid in body_meetings(org, body)]
    if rota.since is None or rota.since not in order or meeting_id not in order:
        return True
    return order.index(meeting_id) >= order.index(rota.since)


def swapped(rota: RolesFile, meeting_id: str, role: str, who: str, owner: dict[str, str]) -> bool:
    """Whether a [[swap]] records `who` (a handle, or its collective) taking `role` at that meeting."""
    return any(s.meeting == meeting_id and s.role == role and s.to in (who, owner.get(who)) for s in rota.swaps)


def holds(entry: str | None, who: str, owner: dict[str, str]) -> bool:
    """Whether a recorded holder (a handle) is the pool entry proposed (the handle, or its collective)."""
    return entry is not None and entry in (who, owner.get(who))
