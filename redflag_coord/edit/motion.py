"""`motion open` and `motion close`: the one writer of a between-meetings vote's opening, window and result.

Each works from the motion file's own bytes: read once, checked as a Motion, computed from, and written back
only if the file still holds those bytes (repo.fsio: atomic, under the folder's lock, "changed meanwhile"
otherwise), with its comments and layout kept (tomlkit, edit.fmt.keep_layout). Collectives add their
`[[vote]]` tables by pull request; nothing here touches them.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from redflag_coord.errors import RedflagError
from redflag_coord.org import ballot
from redflag_coord.org.load import Organisation, rel_path
from redflag_coord.org.model import DecisionRule, Motion
from redflag_coord.org.parse import parse_toml
from redflag_coord.org.window import VotingWindow, may_close_early
from redflag_coord.repo import fsio


class MotionError(RedflagError):
    """A motion cannot be opened or closed as asked; nothing was written."""


@dataclass(frozen=True)
class Opened:
    rel: str
    window: VotingWindow
    params: ballot.Parameters
    extended: bool  # an open vote whose close moved later (sequence raised)
    unchanged: bool  # opened already with this very window: nothing written
    state: ballot.VoteState  # as written


@dataclass(frozen=True)
class Closed:
    rel: str
    closed: dt.datetime
    early: bool
    state: ballot.VoteState


def _read(org: Organisation, motion_id: str) -> tuple[str, Path, bytes, Motion]:
    for slug, c in sorted(org.collectives.items()):
        if motion_id in c.motions:
            rel = rel_path("motion", slug, motion_id)
            path = org.root / rel
            try:
                old = path.read_bytes()
            except OSError as e:
                raise MotionError(f"{rel}: cannot read it ({e.strerror or e})") from None
            data, problems = parse_toml(old, rel)
            if data is None:
                raise MotionError(f"{rel}: {problems[0].message}; nothing was written")
            try:
                motion = Motion.model_validate(data)
            except ValidationError:
                raise MotionError(f"{rel} does not validate; run 'redflag-coord validate'") from None
            if not motion.between:
                raise MotionError(
                    f"{rel} goes to meeting {motion.meeting!r}: only a motion with 'between = true' is decided "
                    "between meetings"
                )
            return slug, path, old, motion
    known = sorted(m for c in org.collectives.values() for m in c.motions)
    raise MotionError(
        f"no motion {motion_id!r} in collectives/*/motions/" + (f" (motions: {', '.join(known)})" if known else ""),
        usage=True,
    )


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(microsecond=0)


def _write(path: Path, old: bytes, changes: dict[str, object], window: dict[str, int] | None = None) -> Motion:
    import tomlkit

    from redflag_coord.edit.fmt import keep_layout

    text = old.decode("utf-8")
    doc = tomlkit.parse(text)
    for key, value in changes.items():
        if key in doc:
            doc[key] = value  # in place: its comments stay where they are
    doc = _with_keys(doc, {k: v for k, v in changes.items() if k not in doc})
    if window is not None:
        table = doc.get("window")
        if table is None:
            table = tomlkit.table()
            doc["window"] = table
        for key, value in window.items():
            table[key] = value
    new = keep_layout(text, tomlkit.dumps(doc), "motion")
    try:
        motion = Motion.model_validate(tomllib.loads(new))
    except (ValidationError, tomllib.TOMLDecodeError) as e:  # a bug: what was written must read back
        raise MotionError(f"{path}: the motion would not validate after the change ({e}); nothing was written") from e
    fsio.write_if_unchanged(path, old, new.encode("utf-8"))
    return motion


def _with_keys(doc, new: dict[str, object]):
    """`doc` with `new` keys right after its last plain key: tomlkit would put them after the comment that
    introduces the first table, separating the two."""
    import tomlkit
    from tomlkit.items import AoT, Table

    if not new:
        return doc
    body = list(doc.body)
    first = next((i for i, (_, v) in enumerate(body) if isinstance(v, Table | AoT)), len(body))
    last = max((i for i, (k, _) in enumerate(body[:first]) if k is not None), default=-1)
    out = tomlkit.document()
    out.parsing(True)  # as read: no blank line added before a table
    if last == -1:
        for key, value in new.items():
            out.append(key, tomlkit.item(value))
    for i, (key, item) in enumerate(body):
        if key is None:
            out.add(item)
        else:
            out.append(key, item)
        if i == last:
            for k, value in new.items():
                out.append(k, tomlkit.item(value))
    out.parsing(False)
    return out


def open_motion(
    org: Organisation,
    default: DecisionRule,
    motion_id: str,
    at: dt.datetime,
    acceptable: int | None = None,
    min_wait: int | None = None,
) -> Opened:
    """Open the vote at `at` (or, on an open vote, recompute its window from the same opening: later, never
    earlier) and write `opened`, `closes` and [window]."""
    mover, path, old, motion = _read(org, motion_id)
    rel = rel_path("motion", mover, motion_id)
    if motion.closed is not None:
        raise MotionError(
            f"{rel} was closed at {_utc(motion.closed):%Y-%m-%d %H:%M}Z: a closed vote is not opened again"
        )
    params = ballot.parameters(default, motion, acceptable, min_wait)
    opened = _utc(motion.opened or at)
    window = ballot.window_of(org, ballot.rule_for(default, motion), opened, params)
    closes = ballot.instant(window.closes)
    if motion.closes is not None and closes < motion.closes:
        raise MotionError(
            f"{rel}: the vote is open until {_utc(motion.closes):%Y-%m-%d %H:%M}Z; these parameters would close it "
            f"at {closes:%Y-%m-%d %H:%M}Z, earlier: a window is never shortened (ask for more acceptable time or a "
            "longer wait)",
            usage=True,
        )
    unchanged = motion.closes == closes and motion.opened is not None
    written = motion
    if not unchanged:
        changes: dict[str, object] = {"opened": opened, "closes": closes}
        if motion.closes is not None:  # calendar apps replace each collective's task only for a higher SEQUENCE
            changes["sequence"] = motion.sequence + 1
        written = _write(
            path,
            old,
            changes,
            {"acceptable_minutes": params.acceptable_minutes, "min_wait_minutes": params.min_wait_minutes},
        )
    state = ballot.vote_state(org, default, mover, motion_id, written)
    return Opened(rel, window, params, motion.closes is not None and not unchanged, unchanged, state)


def close_motion(org: Organisation, default: DecisionRule, motion_id: str, at: dt.datetime) -> Closed:
    """Record the close at `at` and the result by the rule: at or after `closes`, or earlier only when the result
    can no longer change and the minimum wait has passed."""
    mover, path, old, motion = _read(org, motion_id)
    rel = rel_path("motion", mover, motion_id)
    if motion.opened is None or motion.closes is None:
        raise MotionError(f"{rel} is not open: run 'redflag-coord motion open {motion_id}' first", usage=True)
    if motion.closed is not None:
        raise MotionError(f"{rel} was closed already at {_utc(motion.closed):%Y-%m-%d %H:%M}Z", usage=True)
    at = _utc(at)
    state = ballot.vote_state(org, default, mover, motion_id, motion)
    early = at < motion.closes
    if early:
        _refuse_early(rel, motion, state, at)
    written = _write(path, old, {"closed": at, "result": state.tally.result.value})
    return Closed(rel, at, early, ballot.vote_state(org, default, mover, motion_id, written))


def _refuse_early(rel: str, motion: Motion, state: ballot.VoteState, at: dt.datetime) -> None:
    assert motion.opened is not None and motion.closes is not None
    wait_until = _utc(motion.opened) + dt.timedelta(minutes=state.params.min_wait_minutes)
    window = VotingWindow(
        ballot.unix(motion.opened), ballot.unix(motion.closes), 0, state.params.min_wait_minutes * 60, ()
    )
    if may_close_early(window, ballot.unix(at), settled=state.settled):
        return
    if not state.settled:
        why = f"the result can still change: {', '.join(state.waiting())} may still vote"
    else:
        why = f"the minimum wait runs until {wait_until:%Y-%m-%d %H:%M}Z"
    raise MotionError(
        f"{rel}: the vote closes at {_utc(motion.closes):%Y-%m-%d %H:%M}Z and {why}; nothing was written",
        usage=True,
    )
