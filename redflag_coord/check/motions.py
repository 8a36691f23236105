"""Motions and the decisions on them: motion files resolve, and every recorded result follows from its rule.

A motion lives in its mover's folder (collectives/<mover>/motions/<id>.toml), so a collective files one by
pull request like a report. A decision in the minutes that names a motion (or records a result) is recomputed
here by org.decide under the rule in force (organisation.toml [decisions], the motion's [rule], the decision's
[decision.rule]); minutes whose recorded result does not follow are refused with the rule and the figures.
"""

from __future__ import annotations

from redflag_coord.org.decide import compute, describe_rule, entitled_of, mixed, rule_of
from redflag_coord.org.load import Organisation, rel_path
from redflag_coord.org.model import (
    AmendmentStatus,
    Decision,
    DecisionRule,
    Meeting,
    Minutes,
    Motion,
    RuleOverride,
    StanceKind,
)
from redflag_coord.org.problems import Problems


def motion_index(org: Organisation) -> dict[str, tuple[str, Motion]]:
    """Motion id -> (mover, motion); the first file wins (a second one is a duplicate-id)."""
    out: dict[str, tuple[str, Motion]] = {}
    for c in org.collectives.values():
        for mid, motion in c.motions.items():
            out.setdefault(mid, (c.slug, motion))
    return out


def check_motions(org: Organisation, out: Problems) -> None:
    """Each motion names known collectives and meetings, is seconded by others than its mover, amendments settled."""
    seen: dict[str, str] = {}
    meetings = org.meetings()
    for c in org.collectives.values():
        for mid, motion in c.motions.items():
            rel = rel_path("motion", c.slug, mid)
            if mid in seen:
                out.add(
                    rel,
                    "duplicate-id",
                    f"motion id {mid!r} is used already by {rel_path('motion', seen[mid], mid)}; "
                    "motion ids are unique across the organisation: rename this file",
                )
                continue
            seen[mid] = c.slug
            _check_motion(org, c.slug, rel, motion, meetings, out)


def _check_motion(
    org: Organisation, mover: str, rel: str, motion: Motion, meetings: dict[str, tuple[str, Meeting]], out: Problems
) -> None:
    known = org.collectives
    for i, s in enumerate(motion.seconds):
        if s == mover:
            out.add(rel, "self-second", f"{s!r} moves this motion and cannot second it too", key=("seconds", i))
        elif s not in known:
            out.add(rel, "unresolved-ref", f"no collective {s!r}", key=("seconds", i))
        elif s in motion.seconds[:i]:
            out.add(rel, "duplicate-second", f"{s!r} seconds it twice", key=("seconds", i))
    if (motion.meeting is None) == (not motion.between):
        out.add(
            rel,
            "motion-destination",
            "a motion goes to one meeting ('meeting = \"ID\"') or is decided between meetings ('between = true'): "
            "give exactly one",
        )
    if motion.meeting is not None:
        found = meetings.get(motion.meeting)
        if found is None:
            out.add(rel, "unresolved-ref", f"no meeting {motion.meeting!r}", key=("meeting",))
        elif mover not in (found[0], *found[1].participants):
            out.add(rel, "not-invited", f"{mover!r} is not invited to {motion.meeting!r}", key=("meeting",))
    if motion.forwarded_from is not None:
        found = meetings.get(motion.forwarded_from)
        if found is None or found[0] != mover:
            out.add(
                rel,
                "unresolved-ref",
                f"no meeting {motion.forwarded_from!r} convened by {mover!r}: a motion is forwarded from the "
                "mover's own meeting",
                key=("forwarded_from",),
            )
    _check_rule(org, rel, motion.rule, ("rule",), out)
    for i, a in enumerate(motion.amendments):
        for key, who in (("by", a.by), ("accepted_by", a.accepted_by)):
            if who is not None and who not in known:
                out.add(rel, "unresolved-ref", f"no collective {who!r}", key=("amendment", i, key))
        settled = a.status in (AmendmentStatus.accepted, AmendmentStatus.rejected)
        if settled and (a.accepted_by is None or a.date is None):
            out.add(
                rel,
                "amendment-state",
                f"an amendment {a.status.value} names who settled it and when ('accepted_by', 'date')",
                key=("amendment", i, "status"),
            )
        elif not settled and a.accepted_by is not None:
            out.add(
                rel,
                "amendment-state",
                f"an amendment still {a.status.value} has nobody who accepted it: remove 'accepted_by' or "
                "set its status",
                key=("amendment", i, "accepted_by"),
            )
        if a.date is not None and a.date < motion.filed:
            out.add(
                rel,
                "date-order",
                f"settled {a.date}, before the motion was filed ({motion.filed})",
                key=("amendment", i, "date"),
            )


def _check_rule(org: Organisation, rel: str, rule: RuleOverride | None, key: tuple, out: Problems) -> None:
    if rule is not None and isinstance(rule.entitled, list):
        for j, s in enumerate(rule.entitled):
            if s not in org.collectives:
                out.add(rel, "unresolved-ref", f"no collective {s!r}", key=(*key, "entitled", j))


def check_results(org: Organisation, default: DecisionRule, out: Problems) -> None:
    """Each decision on a motion names it, records stances and votes of entitled collectives, and its result."""
    motions = motion_index(org)
    decided: dict[str, str] = {}
    meetings = org.meetings()
    for c in org.collectives.values():
        for mid, minutes in c.minutes.items():
            found = meetings.get(mid)
            if found is None:
                continue  # the commitments check names minutes without their meeting
            rel = rel_path("minutes", c.slug, mid)
            for i, d in enumerate(minutes.decisions):
                if d.motion is None and d.result is None:
                    continue  # a decision recorded without a motion or result: accepted as before
                motion = _motion_of(d, i, mid, rel, motions, decided, out)
                _check_decision(org, default, rel, i, d, motion, found[1], minutes, out)


def _motion_of(
    d: Decision,
    i: int,
    mid: str,
    rel: str,
    motions: dict[str, tuple[str, Motion]],
    decided: dict[str, str],
    out: Problems,
) -> Motion | None:
    if d.motion is None:
        return None
    found = motions.get(d.motion)
    if found is None:
        out.add(
            rel, "unresolved-ref", f"no motion {d.motion!r} in collectives/*/motions/", key=("decision", i, "motion")
        )
        return None
    motion = found[1]
    if motion.meeting != mid:
        goes = f"goes to {motion.meeting!r}" if motion.meeting else "is decided between meetings"
        out.add(rel, "wrong-meeting", f"motion {d.motion!r} {goes}, not to {mid!r}", key=("decision", i, "motion"))
    if d.motion in decided:
        out.add(
            rel,
            "duplicate-id",
            f"motion {d.motion!r} is decided already in {decided[d.motion]}",
            key=("decision", i, "motion"),
        )
    decided.setdefault(d.motion, rel)
    return motion


def _check_decision(
    org: Organisation,
    default: DecisionRule,
    rel: str,
    i: int,
    d: Decision,
    motion: Motion | None,
    meeting: Meeting,
    minutes: Minutes,
    out: Problems,
) -> None:
    _check_rule(org, rel, d.rule, ("decision", i, "rule"), out)
    rule = rule_of(default, d, motion)
    entitled = entitled_of(rule, meeting.participants)
    present = set(minutes.attendance.present)
    for table, names in (("stance", [s.collective for s in d.stances]), ("vote", [v.collective for v in d.votes])):
        seen: set[str] = set()
        for j, who in enumerate(names):
            key = ("decision", i, table, j, "collective")
            if who not in entitled or who not in present:
                why = "not entitled to decide" if who not in entitled else "not recorded present"
                out.add(rel, "not-entitled", f"{who!r} is {why}: its {table} does not count", key=key)
            if who in seen:
                out.add(rel, "duplicate-entry", f"{who!r} has two {table}s in this decision", key=key)
            seen.add(who)
    for j, s in enumerate(d.stances):
        if s.stance is StanceKind.block and s.reason is None:
            out.add(
                rel,
                "block-reason",
                "a block records its reason ('reason = \"…\"')",
                key=("decision", i, "stance", j, "stance"),
            )
    if rule.weight == "collective" and not rule.split:
        for j, v in enumerate(d.votes):
            if mixed(v):
                out.add(
                    rel,
                    "mixed-vote",
                    f"{v.collective!r} has one voice under this rule but its delegates voted more than one way: "
                    "record its one voice, or set 'split = true' (or weight = 'members') in the rule",
                    key=("decision", i, "vote", j, "collective"),
                )
    tally = compute(rule, entitled, present, d.stances, d.votes, minutes.attendance.members)
    if d.result is None:
        out.add(
            rel,
            "missing-result",
            f"record the result: 'result = \"{tally.result.value}\"' by the rule "
            f"({describe_rule(rule)}): {tally.figures()}",
            key=("decision", i),
        )
    elif d.result is not tally.result:
        out.add(
            rel,
            "wrong-result",
            f"recorded '{d.result.value}' but the rule ({describe_rule(rule)}) gives '{tally.result.value}': "
            f"{tally.figures()}",
            key=("decision", i, "result"),
        )
    for j, cid in enumerate(d.commitments):
        if cid not in {cm.id for cm in minutes.commitments}:
            out.add(
                rel, "unresolved-ref", f"no commitment {cid!r} in these minutes", key=("decision", i, "commitments", j)
            )


def check_between(org: Organisation, default: DecisionRule, out: Problems) -> None:
    """Each vote between meetings: its close is not earlier than its window computed again, a close before it held
    the early-close condition, votes are entitled, single and in time, and the recorded result follows."""
    for c in org.collectives.values():
        for mid, motion in c.motions.items():
            if motion.between and (motion.opened or motion.closes or motion.ballots or motion.closed or motion.result):
                _check_between(org, default, rel_path("motion", c.slug, mid), motion, out)


def _check_between(org: Organisation, default: DecisionRule, rel: str, motion: Motion, out: Problems) -> None:
    from redflag_coord.org import ballot
    from redflag_coord.org.window import WindowError

    if motion.opened is None or motion.closes is None:
        out.add(
            rel,
            "vote-window",
            "a vote between meetings records 'opened' and 'closes': run 'redflag-coord "
            "motion open' (votes, a close or a result need an open vote)",
        )
        return
    rule = ballot.rule_for(default, motion)
    params = ballot.parameters(default, motion)
    try:
        computed = ballot.instant(ballot.window_of(org, rule, motion.opened, params).closes)
    except WindowError as e:
        out.add(rel, "vote-window", str(e), key=("opened",))
        return
    if motion.closes < computed:
        _shortened(rel, motion, params, computed, out)
    who = ballot.entitled(org, rule)
    _check_ballots(org, rel, motion, who, max(motion.closes, computed), out)
    _check_close(org, rel, motion, rule, who, params.min_wait_minutes, out)


def _shortened(rel: str, motion: Motion, params, computed, out: Problems) -> None:
    """A close earlier than the window computed again: an error while the vote is open (someone is being cut
    off); once it is closed, a warning, since the collectives' hours today may not be those it was opened with
    (a collective that changes its [availability] must not turn every past vote into an error)."""
    said = (
        f"closes {_z(motion.closes)} is earlier than the window computed from 'opened' and [window] "
        f"({params.acceptable_minutes} acceptable minutes each, minimum wait {params.min_wait_minutes} minutes): "
        f"{_z(computed)}"
    )
    if motion.closed is None:
        out.add(
            rel,
            "vote-window",
            f"{said}; a window is never shortened: write closes = {_z(computed)} or later",
            key=("closes",),
        )
        return
    out.add(
        rel,
        "vote-window",
        f"{said} with the collectives' hours as they are today; if none changed since the vote was opened, "
        f"'closes' was shortened after the vote: see 'git log -p {rel}'",
        key=("closes",),
        severity="warning",
    )


def _z(value) -> str:
    from redflag_coord.org.ballot import UTC

    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_ballots(org: Organisation, rel: str, motion: Motion, who: list[str], closes, out: Problems) -> None:
    from redflag_coord.org.ballot import cast_after

    seen: set[str] = set()
    end = min(closes, motion.closed) if motion.closed else closes
    for j, b in enumerate(motion.ballots):
        key = ("vote", j, "collective")
        if b.collective not in who:
            out.add(rel, "not-entitled", f"{b.collective!r} is not entitled to vote on this motion", key=key)
        if b.collective in seen:
            out.add(rel, "duplicate-entry", f"{b.collective!r} has two votes on this motion", key=key)
        seen.add(b.collective)
        if cast_after(b, end, org.zone_of(b.collective) or "UTC"):
            out.add(
                rel,
                "late-vote",
                f"cast {b.cast}, after the vote closed ({_z(end)}): it does not count; remove it",
                key=("vote", j, "cast"),
            )
        if b.stance is StanceKind.block and b.reason is None:
            out.add(rel, "block-reason", "a block records its reason ('reason = \"…\"')", key=("vote", j, "stance"))


def _check_close(
    org: Organisation, rel: str, motion: Motion, rule: DecisionRule, who: list[str], wait_minutes: int, out: Problems
) -> None:
    import datetime as dt

    from redflag_coord.org.ballot import cast_after, settled, tally

    if motion.closed is None:
        if motion.result is not None:
            out.add(rel, "wrong-result", "a result is recorded by 'motion close', with 'closed'", key=("result",))
        return
    assert motion.opened is not None and motion.closes is not None
    if motion.closed < motion.opened:
        out.add(rel, "date-order", f"closed {_z(motion.closed)}, before it opened", key=("closed",))
    closed = motion.closed
    in_time = [b for b in motion.ballots if not cast_after(b, closed, org.zone_of(b.collective) or "UTC")]
    if motion.closed < motion.closes:
        wait = motion.opened + dt.timedelta(minutes=wait_minutes)
        if not settled(rule, who, in_time) or motion.closed < wait:
            out.add(
                rel,
                "early-close",
                f"closed {_z(motion.closed)}, before closes {_z(motion.closes)}, while the result could still change "
                "or the minimum wait had not passed: an early close needs both",
                key=("closed",),
            )
    result = tally(rule, who, in_time)
    if motion.result is None:
        out.add(
            rel,
            "missing-result",
            f"record the result: 'result = \"{result.result.value}\"' ({result.figures()})",
            key=("closed",),
        )
    elif motion.result is not result.result:
        out.add(
            rel,
            "wrong-result",
            f"recorded '{motion.result.value}' but the rule ({describe_rule(rule)}) gives "
            f"'{result.result.value}': {result.figures()}",
            key=("result",),
        )
