"""A motion decided between meetings: who votes, its window, the votes in, and whether the result can still change.

The one reading that `motion open|close|status`, `validate` (check.motions), the feed's tasks and the report
reminders share. The window is org.window's (every entitled collective gets its acceptable hours, plus a
minimum wait); the result is org.decide's, by the same rule as at a meeting, where a collective that voted
counts as present. Pure: reads the organisation, never writes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations_with_replacement
from typing import TYPE_CHECKING

from redflag_coord.org.decide import Tally, compute, describe_rule, resolve
from redflag_coord.org.hours import hours_of
from redflag_coord.org.model import (
    Ballot,
    DecisionMethod,
    DecisionRule,
    Motion,
    Stance,
    StanceKind,
    Vote,
)
from redflag_coord.org.window import Voter, VotingWindow, local_text, voting_window
from redflag_coord.tz.zones import UTC, zone

if TYPE_CHECKING:
    from redflag_coord.org.load import Organisation

SETTLE_LIMIT = 20_000  # outcomes tried before an early close; beyond it the result is taken as still open


@dataclass(frozen=True)
class Parameters:
    """The window's parameters: acceptable minutes per collective and the minimum wait (minutes)."""

    acceptable_minutes: int
    min_wait_minutes: int


def parameters(
    default: DecisionRule, motion: Motion, acceptable: int | None = None, min_wait: int | None = None
) -> Parameters:
    """Those given on the command line, else the motion's [window], else the organisation's [decisions]."""
    own = motion.window
    return Parameters(
        acceptable
        if acceptable is not None
        else (own.acceptable_minutes if own and own.acceptable_minutes is not None else default.acceptable_minutes),
        min_wait
        if min_wait is not None
        else (own.min_wait_minutes if own and own.min_wait_minutes is not None else default.min_wait_minutes),
    )


def rule_for(default: DecisionRule, motion: Motion) -> DecisionRule:
    return resolve(default, motion.rule)


def entitled(org: Organisation, rule: DecisionRule) -> list[str]:
    """Between meetings there are no participants: 'participants' means every collective of the organisation."""
    if rule.entitled == "participants":
        return sorted(slug for slug, c in org.collectives.items() if c.info is not None)
    return sorted(set(rule.entitled))


def voters(org: Organisation, slugs: Iterable[str]) -> list[Voter]:
    """Each collective's zone and acceptable hours ([availability] of its collective.toml)."""
    out = []
    for slug in slugs:
        c = org.collectives.get(slug)
        info = c.info if c is not None else None
        out.append(Voter(slug, org.zone_of(slug) or "UTC", hours_of(info.availability if info else None)))
    return out


def unix(instant: dt.datetime) -> int:
    return int(instant.timestamp())


def instant(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, UTC)


def window_of(org: Organisation, rule: DecisionRule, opened: dt.datetime, params: Parameters) -> VotingWindow:
    """The window of a vote opened at `opened`, computed for the collectives entitled now."""
    return voting_window(
        unix(opened),
        voters(org, entitled(org, rule)),
        need_hours=params.acceptable_minutes / 60,
        min_wait_hours=params.min_wait_minutes / 60,
    )


def counted(ballots: Iterable[Ballot], who: Iterable[str]) -> list[Ballot]:
    """The ballots of entitled collectives, the first of each (the check names a second one)."""
    allowed = set(who)
    seen: set[str] = set()
    out = []
    for b in ballots:
        if b.collective in allowed and b.collective not in seen:
            seen.add(b.collective)
            out.append(b)
    return out


def tally(rule: DecisionRule, who: Sequence[str], ballots: Iterable[Ballot]) -> Tally:
    """The result by the rule: a collective that voted (or gave its stance) is present."""
    mine = counted(ballots, who)
    stances = [Stance(collective=b.collective, stance=b.stance, reason=b.reason) for b in mine if b.stance]
    votes = [
        Vote.model_validate({"collective": b.collective, "for": b.for_, "against": b.against, "abstain": b.abstain})
        for b in mine
        if b.for_ or b.against or b.abstain
    ]
    return compute(rule, who, [b.collective for b in mine], stances, votes)


def _options(method: DecisionMethod) -> list[tuple[StanceKind | None, tuple[int, int, int] | None]]:
    """What one collective still to vote may do: nothing, or each stance and/or whole voice the method counts."""
    stances: list[StanceKind | None] = [None]
    counts: list[tuple[int, int, int] | None] = [None]
    if method is not DecisionMethod.vote:
        stances += list(StanceKind)
    if method in (DecisionMethod.vote, DecisionMethod.consensus_then_vote):
        counts += [(1, 0, 0), (0, 1, 0), (0, 0, 1)]
    return [(s, c) for s in stances for c in counts]


def settled(rule: DecisionRule, who: Sequence[str], ballots: Sequence[Ballot]) -> bool:
    """Whether the result is the same whatever the collectives still to vote do (or do not do).

    With one whole voice per collective, collectives are alike to org.decide (it counts sums and sets), so
    trying every multiset of choices among those still to vote tries every outcome. Members' counts or split
    voices have no such short list: the result is then settled only when everyone has voted."""
    mine = counted(ballots, who)
    remaining = sorted(set(who) - {b.collective for b in mine})
    if not remaining:
        return True
    if rule.weight == "members" or rule.split:
        return False
    options = _options(rule.method)
    if math.comb(len(remaining) + len(options) - 1, len(options) - 1) > SETTLE_LIMIT:
        return False
    results = set()
    for choice in combinations_with_replacement(range(len(options)), len(remaining)):
        extra = [_ballot(slug, *options[i]) for slug, i in zip(remaining, choice, strict=True)]
        results.add(tally(rule, who, [*mine, *(b for b in extra if b is not None)]).result)
        if len(results) > 1:
            return False
    return True


def _ballot(slug: str, stance: StanceKind | None, counts: tuple[int, int, int] | None) -> Ballot | None:
    if stance is None and counts is None:
        return None
    f, a, x = counts or (0, 0, 0)
    data = {"collective": slug, "for": f, "against": a, "abstain": x, "cast": dt.date(2000, 1, 1)}
    if stance is not None:
        data |= {"stance": stance.value, "reason": "-" if stance is StanceKind.block else None}
    return Ballot.model_validate(data)


def cast_after(b: Ballot, closes: dt.datetime, zone_name: str) -> bool:
    """A ballot cast after the close: an instant after it, or a date after the close's date in the voter's zone."""
    if isinstance(b.cast, dt.datetime):
        return b.cast > closes
    return b.cast > closes.astimezone(zone(zone_name)).date()


# -- what `motion status` shows -----------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    collective: str
    zone: str
    local: str  # the close on its wall clock, e.g. '2026-07-03 06:15 +0545'
    voted: bool


@dataclass(frozen=True)
class VoteState:
    motion: str
    mover: str
    title: str
    rule: str
    params: Parameters
    opened: dt.datetime | None
    closes: dt.datetime | None
    closed: dt.datetime | None
    recorded: str | None  # the result recorded at the close
    tally: Tally
    settled: bool
    deadlines: tuple[Deadline, ...]

    def waiting(self) -> list[str]:
        return [d.collective for d in self.deadlines if not d.voted]

    def to_dict(self) -> dict:
        def when(value: dt.datetime | None) -> str | None:
            return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None

        return {
            "motion": self.motion,
            "mover": self.mover,
            "title": self.title,
            "rule": self.rule,
            "acceptable_minutes": self.params.acceptable_minutes,
            "min_wait_minutes": self.params.min_wait_minutes,
            "opened": when(self.opened),
            "closes": when(self.closes),
            "closed": when(self.closed),
            "result": self.recorded,
            "computed": self.tally.result.value,
            "figures": self.tally.figures(),
            "settled": self.settled,
            "collectives": [
                {"collective": d.collective, "zone": d.zone, "closes_local": d.local, "voted": d.voted}
                for d in self.deadlines
            ],
        }


def vote_state(org: Organisation, default: DecisionRule, mover: str, motion_id: str, motion: Motion) -> VoteState:
    rule = rule_for(default, motion)
    who = entitled(org, rule)
    voted = {b.collective for b in counted(motion.ballots, who)}
    deadlines = tuple(
        Deadline(
            slug,
            org.zone_of(slug) or "UTC",
            local_text(unix(motion.closes), org.zone_of(slug) or "UTC") if motion.closes else "",
            slug in voted,
        )
        for slug in who
    )
    return VoteState(
        motion_id,
        mover,
        motion.title,
        describe_rule(rule),
        parameters(default, motion),
        motion.opened,
        motion.closes,
        motion.closed,
        motion.result.value if motion.result else None,
        tally(rule, who, motion.ballots),
        settled(rule, who, motion.ballots),
        deadlines,
    )


def open_votes(org: Organisation, default: DecisionRule) -> list[tuple[str, str, Motion, list[str]]]:
    """(mover, id, motion, collectives still to vote) of every vote opened and not closed."""
    out = []
    for c in org.collectives.values():
        for mid, m in sorted(c.motions.items()):
            if m.between and m.opened and m.closes and m.closed is None:
                rule = rule_for(default, m)
                who = entitled(org, rule)
                voted = {b.collective for b in counted(m.ballots, who)}
                out.append((c.slug, mid, m, [s for s in who if s not in voted]))
    return out
