"""Decision rules: the one computation of a motion's result from a rule, the attendance and the stances or votes.

Pure and exact: every figure is a `fractions.Fraction` (a split voice of 1/3 stays 1/3; no float rounds a
two-thirds threshold the wrong way), and the result is built from sums and sets only, so it never depends on
the order the minutes list stances or votes in. `validate` (check.motions) recomputes every recorded result
with it, `decisions` shows its figures.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from redflag_coord.org.model import (
    Decision,
    DecisionMethod,
    DecisionResult,
    DecisionRule,
    Motion,
    RuleOverride,
    Stance,
    StanceKind,
    Vote,
)

if TYPE_CHECKING:
    from redflag_coord.org.load import Organisation

THRESHOLDS = {"majority": Fraction(1, 2), "two-thirds": Fraction(2, 3), "unanimous": Fraction(1)}


def resolve(default: DecisionRule, *overrides: RuleOverride | None) -> DecisionRule:
    """The rule in force: the organisation's [decisions], each override's keys replacing it in turn."""
    rule = default
    for override in overrides:
        if override is not None:
            rule = rule.model_copy(update=override.model_dump(exclude_none=True))
    return rule


def entitled_of(rule: DecisionRule, participants: Iterable[str]) -> list[str]:
    """The collectives entitled to decide: the meeting's participants, or the rule's own list."""
    return sorted(set(participants) if rule.entitled == "participants" else set(rule.entitled))


def fraction(text: str) -> Fraction:
    """'2/3' -> Fraction(2, 3); the named thresholds too."""
    if text in THRESHOLDS:
        return THRESHOLDS[text]
    top, bottom = text.split("/")
    return Fraction(int(top), int(bottom))


@dataclass(frozen=True)
class Tally:
    """Every figure of a result, for the check's message and the `decisions` export."""

    method: str
    entitled: int
    present: int
    quorum_needed: int
    quorum_met: bool
    agree: int = 0
    stand_aside: int = 0
    blocks: tuple[tuple[str, str], ...] = ()  # (collective, reason)
    consensus: bool | None = None  # None: no consensus round under this method
    voted: bool = False
    for_: Fraction = Fraction(0)
    against: Fraction = Fraction(0)
    abstain: Fraction = Fraction(0)
    base: Fraction = Fraction(0)
    threshold: str = ""
    needed: Fraction = Fraction(0)
    result: DecisionResult = DecisionResult.failed
    by: str = field(default="")  # "consensus", "vote" or "" (failed or no quorum before either)

    def figures(self) -> str:
        """One line a person can check by hand, e.g. 'entitled 5, present 4 (quorum 3: met); for 3, against 1 …'."""
        met = "met" if self.quorum_met else "not met"
        parts = [f"entitled {self.entitled}, present {self.present} (quorum {self.quorum_needed}: {met})"]
        if self.consensus is not None:
            blocks = "; ".join(f"{who}: {why}" for who, why in self.blocks) or "none"
            parts.append(f"agree {self.agree}, stand aside {self.stand_aside}, blocks {len(self.blocks)} ({blocks})")
        if self.voted:
            parts.append(
                f"for {show(self.for_)}, against {show(self.against)}, abstain {show(self.abstain)}; "
                f"{self.threshold} of {show(self.base)} needs {show(self.needed)}"
            )
        parts.append(f"result: {self.result.value}" + (f" by {self.by}" if self.by else ""))
        return "; ".join(parts)


def show(value: Fraction) -> str:
    """A figure as a person writes it: 3, 1/3, 7/2."""
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def compute(
    rule: DecisionRule,
    entitled: Iterable[str],
    present: Iterable[str],
    stances: Iterable[Stance] = (),
    votes: Iterable[Vote] = (),
    delegates: Mapping[str, int] | None = None,
) -> Tally:
    """The result of a decision by `rule`: quorum of entitled collectives present, then consensus or consent
    (no block; consensus also needs every present collective to agree or stand aside), then the vote.

    Stances and votes of collectives not entitled or not present do not count (the check names them).
    `delegates`: members present per collective, the base of weight 'members' over the entitled."""
    entitled_set = set(entitled)
    here = entitled_set & set(present)
    quorum_needed, quorum_met = _quorum(rule, len(entitled_set), len(here))
    base = dict(
        method=rule.method.value,
        entitled=len(entitled_set),
        present=len(here),
        quorum_needed=quorum_needed,
        quorum_met=quorum_met,
    )
    if not quorum_met:
        return Tally(**base, result=DecisionResult.no_quorum)  # type: ignore[arg-type]
    round_ = _consensus(rule.method, here, stances)
    if round_ is not None:
        base.update(round_[1])
        if round_[0]:
            return Tally(**base, result=DecisionResult.carried, by="consensus")  # type: ignore[arg-type]
    ballots = [v for v in votes if v.collective in here]
    if rule.method in (DecisionMethod.vote,) or (rule.method is DecisionMethod.consensus_then_vote and ballots):
        return Tally(**base, **_vote(rule, here, ballots, delegates or {}))  # type: ignore[arg-type]
    return Tally(**base, result=DecisionResult.failed)  # type: ignore[arg-type]


def _quorum(rule: DecisionRule, entitled: int, present: int) -> tuple[int, bool]:
    """(Collectives needed, met): a number as given, a fraction of the entitled rounded up (exactly)."""
    if isinstance(rule.quorum, int):
        return rule.quorum, present >= rule.quorum
    needed = fraction(rule.quorum) * entitled
    return math.ceil(needed), present >= needed


def _consensus(method: DecisionMethod, here: set[str], stances: Iterable[Stance]) -> tuple[bool, dict] | None:
    """Whether consensus (or consent) is reached, with its figures; None for a plain vote."""
    if method is DecisionMethod.vote:
        return None
    rank = {StanceKind.agree: 0, StanceKind.stand_aside: 1, StanceKind.block: 2}
    strongest: dict[str, Stance] = {}
    for s in stances:  # a collective recorded twice: its strongest objection stands, whatever the order
        if s.collective in here:
            old = strongest.get(s.collective)
            if old is None or (rank[s.stance], s.reason or "") > (rank[old.stance], old.reason or ""):
                strongest[s.collective] = s
    kinds = [s.stance for s in strongest.values()]
    blocks = tuple(sorted((s.collective, s.reason or "") for s in strongest.values() if s.stance is StanceKind.block))
    agree = kinds.count(StanceKind.agree)
    if method is DecisionMethod.consent:  # silence is consent: only a block stops it
        reached = not blocks
    else:
        reached = not blocks and set(strongest) == here and agree > 0
    return reached, {
        "agree": agree,
        "stand_aside": kinds.count(StanceKind.stand_aside),
        "blocks": blocks,
        "consensus": reached,
    }


def _vote(rule: DecisionRule, here: set[str], ballots: list[Vote], delegates: Mapping[str, int]) -> dict:
    totals = [Fraction(0), Fraction(0), Fraction(0)]
    for v in ballots:
        for i, share in enumerate(_weights(rule, v)):
            totals[i] += share
    for_, against, abstain = totals
    if rule.base == "cast":
        base = for_ + against
    elif rule.weight == "members":
        base = Fraction(sum(delegates.get(c, 0) for c in here))
    else:
        base = Fraction(len(here))
    share = fraction(rule.threshold)
    needed = base * share
    if rule.threshold == "majority":  # more than half
        carried = for_ > needed
    else:  # at least the fraction
        carried = for_ >= needed
    carried = carried and for_ > 0
    return {
        "voted": True,
        "for_": for_,
        "against": against,
        "abstain": abstain,
        "base": base,
        "threshold": rule.threshold,
        "needed": needed,
        "result": DecisionResult.carried if carried else DecisionResult.failed,
        "by": "vote",
    }


def _weights(rule: DecisionRule, v: Vote) -> tuple[Fraction, Fraction, Fraction]:
    """A collective's ballot as (for, against, abstain) weights under the rule."""
    counts = (v.for_, v.against, v.abstain)
    if rule.weight == "members":
        return tuple(Fraction(n) for n in counts)  # type: ignore[return-value]
    total = sum(counts)
    if total == 0:
        return Fraction(0), Fraction(0), Fraction(0)
    if rule.split:  # one voice, shared among its delegates
        return tuple(Fraction(n, total) for n in counts)  # type: ignore[return-value]
    # one whole voice: its delegates' clear choice; a tie abstains (the check refuses mixed ballots anyway)
    top = max(counts)
    if counts.count(top) > 1:
        return Fraction(0), Fraction(0), Fraction(1)
    return tuple(Fraction(int(n == top)) for n in counts)  # type: ignore[return-value]


def mixed(v: Vote) -> bool:
    """A ballot whose delegates went more than one way (needs split = true or weight = 'members')."""
    return sum(1 for n in (v.for_, v.against, v.abstain) if n) > 1


def rule_of(default: DecisionRule, d: Decision, motion: Motion | None) -> DecisionRule:
    """The rule in force for one decision: the organisation's, the motion's keys, the decision's own keys; a
    `method` written on the decision itself counts as its own key."""
    own = d.rule
    if "method" in d.model_fields_set:
        own = (own or RuleOverride()).model_copy(update={"method": d.method})
    return resolve(default, motion.rule if motion else None, own)


def describe_rule(rule: DecisionRule) -> str:
    """The rule in one phrase, e.g. 'consensus-then-vote; two-thirds of cast, one voice per collective; quorum 1/2'."""
    weight = (
        "one voice per member"
        if rule.weight == "members"
        else ("one voice per collective, split" if rule.split else "one voice per collective")
    )
    entitled = "participants" if rule.entitled == "participants" else ", ".join(rule.entitled)
    return f"{rule.method.value}; {rule.threshold} of {rule.base}, {weight}; entitled: {entitled}; quorum {rule.quorum}"


@dataclass(frozen=True)
class Review:
    """A decision that comes back: listed on the agenda of the first meeting after its review date."""

    meeting: str  # where it was decided
    number: int  # its place among that meeting's decisions (1 is the first)
    text: str
    review: dt.date
    motion: str | None
    commitments: tuple[str, ...]


def reviews_for(org: Organisation, meeting_id: str) -> list[Review]:
    """The decisions of the same convener's minutes whose review date falls before this meeting and after
    every earlier meeting of that convener: this is the first meeting after it, so its agenda lists them."""
    from redflag_coord.org.commitments import meeting_date

    found = org.find_meeting(meeting_id)
    if found is None:
        return []
    convener, meeting = found
    held = meeting_date(meeting)
    earlier = [meeting_date(m) for mid, m in org.collectives[convener].meetings.items() if mid != meeting_id]
    out = []
    for mid, minutes in org.collectives[convener].minutes.items():
        for i, d in enumerate(minutes.decisions):
            if d.review is None or not d.review < held:
                continue
            if any(d.review < other < held for other in earlier):  # an earlier meeting came after it already
                continue
            out.append(Review(mid, i + 1, d.text.strip(), d.review, d.motion, tuple(d.commitments)))
    return sorted(out, key=lambda r: (r.review, r.meeting, r.number))
