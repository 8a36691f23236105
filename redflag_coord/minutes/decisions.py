"""Every decision and vote of the organisation, from the minutes: text, JSON and CSV (`decisions`), and a page
of the published site.

Collectives, never people: no handle appears. How many members of a collective voted each way tells how big
it is, so a collective's own counts show only when the organisation publishes its members ([publish]
members = true); otherwise a collective with one whole voice shows that voice, and the totals the rule
computed show for every decision.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

from redflag_coord.org.commitments import meeting_date
from redflag_coord.org.decide import Tally, compute, describe_rule, entitled_of, rule_of, show
from redflag_coord.org.load import Organisation
from redflag_coord.org.model import Decision, DecisionRule, Minutes, Motion, Vote


@dataclass(frozen=True)
class Voice:
    collective: str
    name: str
    stance: str | None  # agree, stand-aside, block
    reason: str | None  # a block's reason
    vote: str | None  # the collective's one whole voice: for, against, abstain (None: split or not shown)
    counts: tuple[int, int, int] | None  # its members for, against, abstain: only when members are published


@dataclass(frozen=True)
class DecisionEntry:
    meeting: str
    convener: str
    date: dt.date
    number: int  # 1 is the first [[decision]] of the minutes
    text: str
    method: str
    motion: str | None
    motion_title: str | None
    mover: str | None
    seconds: tuple[str, ...]
    rule: str | None  # the rule in force, in words (decisions on a motion or with a result)
    recorded: str | None  # the result the minutes record
    tally: Tally | None  # the result the rule computes, with its figures
    voices: tuple[Voice, ...]
    review: dt.date | None
    commitments: tuple[str, ...]
    totals: tuple[int, int, int] | None = None  # a vote recorded without a rule: the members' counts summed


def build_decisions(org: Organisation, default: DecisionRule, members: bool = False) -> list[DecisionEntry]:
    """Every decision in every minutes file, oldest meeting first."""
    motions = {mid: (c.slug, m) for c in org.collectives.values() for mid, m in c.motions.items()}
    meetings = org.meetings()
    out = []
    for c in org.collectives.values():
        for mid, minutes in c.minutes.items():
            found = meetings.get(mid)
            if found is None:
                continue
            held = meeting_date(found[1])
            for i, d in enumerate(minutes.decisions):
                mover, motion = motions.get(d.motion or "", (None, None))
                out.append(
                    _entry(
                        org, default, c.slug, mid, held, i, d, minutes, found[1].participants, mover, motion, members
                    )
                )
    return sorted(out, key=lambda e: (e.date, e.meeting, e.number))


def _entry(
    org: Organisation,
    default: DecisionRule,
    convener: str,
    mid: str,
    held: dt.date,
    i: int,
    d: Decision,
    minutes: Minutes,
    participants: list[str],
    mover: str | None,
    motion: Motion | None,
    members: bool,
) -> DecisionEntry:
    ruled = d.motion is not None or d.result is not None
    rule = rule_of(default, d, motion)
    tally = None
    if ruled:
        entitled = entitled_of(rule, participants)
        tally = compute(rule, entitled, minutes.attendance.present, d.stances, d.votes, minutes.attendance.members)
    stances = {s.collective: s for s in d.stances}
    votes = {v.collective: v for v in d.votes}
    voices = tuple(
        Voice(
            slug,
            org.name_of(slug),
            stances[slug].stance.value if slug in stances else None,
            stances[slug].reason if slug in stances else None,
            _whole(votes[slug]) if slug in votes and (rule.weight == "collective" and not rule.split) else None,
            (votes[slug].for_, votes[slug].against, votes[slug].abstain) if slug in votes and members else None,
        )
        for slug in sorted({*stances, *votes})
    )
    return DecisionEntry(
        meeting=mid,
        convener=convener,
        date=held,
        number=i + 1,
        text=d.text.strip(),
        method=rule.method.value if ruled else d.method.value,
        motion=d.motion,
        motion_title=motion.title if motion else None,
        mover=mover,
        seconds=tuple(motion.seconds) if motion else (),
        rule=describe_rule(rule) if ruled else None,
        recorded=d.result.value if d.result else None,
        tally=tally,
        voices=voices,
        review=d.review,
        commitments=tuple(d.commitments),
        totals=None
        if ruled or not d.votes
        else tuple(sum(n) for n in zip(*((v.for_, v.against, v.abstain) for v in d.votes))),
    )


def _whole(v: Vote) -> str | None:
    """A collective's one voice when its delegates all went one way."""
    ways = [w for w, n in (("for", v.for_), ("against", v.against), ("abstain", v.abstain)) if n]
    return ways[0] if len(ways) == 1 else None


def as_data(e: DecisionEntry) -> dict[str, Any]:
    t = e.tally
    return {
        "meeting": e.meeting,
        "convener": e.convener,
        "date": e.date.isoformat(),
        "decision": e.number,
        "text": e.text,
        "method": e.method,
        "motion": e.motion,
        "motion_title": e.motion_title,
        "mover": e.mover,
        "seconds": list(e.seconds),
        "rule": e.rule,
        "result": e.recorded,
        "computed": None
        if t is None
        else {
            "result": t.result.value,
            "by": t.by or None,
            "entitled": t.entitled,
            "present": t.present,
            "quorum": t.quorum_needed,
            "quorum_met": t.quorum_met,
            "agree": t.agree,
            "stand_aside": t.stand_aside,
            "blocks": [{"collective": c, "reason": r} for c, r in t.blocks],
            "for": show(t.for_),
            "against": show(t.against),
            "abstain": show(t.abstain),
            "base": show(t.base),
            "threshold": t.threshold or None,
            "needed": show(t.needed),
            "figures": t.figures(),
        },
        "totals": None if e.totals is None else dict(zip(("for", "against", "abstain"), e.totals)),
        "collectives": [
            {
                "collective": v.collective,
                "stance": v.stance,
                "reason": v.reason,
                "vote": v.vote,
                **({"for": v.counts[0], "against": v.counts[1], "abstain": v.counts[2]} if v.counts else {}),
            }
            for v in e.voices
        ],
        "review": e.review.isoformat() if e.review else None,
        "commitments": list(e.commitments),
    }


def render_json(entries: list[DecisionEntry]) -> str:
    return json.dumps({"decisions": [as_data(e) for e in entries]}, ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = (
    "meeting",
    "date",
    "decision",
    "motion",
    "result",
    "computed",
    "collective",
    "stance",
    "reason",
    "vote",
    "for",
    "against",
    "abstain",
    "review",
    "text",
)


def render_csv(entries: list[DecisionEntry]) -> str:
    """One row per decision (collective empty: the totals the rule computed), then one per collective in it."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for e in entries:
        t = e.tally
        computed = t.result.value if t else ""
        base = [e.meeting, e.date.isoformat(), e.number, e.motion or "", e.recorded or "", computed]
        totals = [show(t.for_), show(t.against), show(t.abstain)] if t and t.voted else ["", "", ""]
        totals = [str(n) for n in e.totals] if e.totals else totals
        w.writerow(_cells([*base, "", "", "", "", *totals, e.review.isoformat() if e.review else "", e.text]))
        for v in e.voices:
            counts = [str(n) for n in v.counts] if v.counts else ["", "", ""]
            w.writerow(_cells([*base, v.collective, v.stance or "", v.reason or "", v.vote or "", *counts, "", ""]))
    return buf.getvalue()


def _cells(row: list[Any]) -> list[str]:
    """A spreadsheet runs a cell starting with = + - @ as a formula: such text is quoted with a leading '."""
    return [f"'{c}" if isinstance(c, str) and c[:1] in ("=", "+", "-", "@", "\t", "\r") else str(c) for c in row]


def render_text(entries: list[DecisionEntry]) -> str:
    if not entries:
        return "No decisions recorded yet.\n"
    lines: list[str] = []
    for e in entries:
        head = f"{e.meeting} ({e.date}) decision {e.number}"
        if e.motion:
            head += f": motion {e.motion}" + (f" by {e.mover}" if e.mover else "")
        lines += [head, f"  {e.text}"]
        if e.rule:
            lines.append(f"  rule: {e.rule}")
        if e.tally is not None:
            lines.append(f"  recorded: {e.recorded or '(none)'}; computed: {e.tally.figures()}")
        else:
            lines.append(f"  by {e.method}")
        if e.totals:
            lines.append("  for {}, against {}, abstain {}".format(*e.totals))
        for v in e.voices:
            parts = [p for p in (v.stance, f"voice {v.vote}" if v.vote else None) if p]
            if v.counts:
                parts.append("for {}, against {}, abstain {}".format(*v.counts))
            parts = parts or ["voted"]
            reason = f" — {v.reason}" if v.reason else ""
            lines.append(f"    {v.name}: {', '.join(parts)}{reason}")
        if e.review:
            lines.append(f"  review after {e.review}")
        if e.commitments:
            lines.append(f"  commitments: {', '.join(e.commitments)}")
        lines.append("")
    return "\n".join(lines)
