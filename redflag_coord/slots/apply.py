"""Setting a meeting's start to a chosen candidate: the UTC instant becomes wall time in the meeting's zone.

The file is edited with tomlkit (comments and layout kept) and replaced atomically through repo/fsio.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from redflag_coord.errors import RedflagError
from redflag_coord.org import values
from redflag_coord.org.model import Meeting
from redflag_coord.repo.fsio import update
from redflag_coord.tz.zones import UTC, resolve, zone


class ApplyError(RedflagError):
    """`slots --apply` cannot change the meeting file (a candidate that is not there, a file that changed)."""

    usage = True


class MovedMeanwhile(ApplyError):
    """The meeting's start or zone changed after the candidates were computed: they no longer fit."""

    usage = False


@dataclass(frozen=True)
class Applied:
    path: Path
    old: dt.datetime  # wall times in `timezone`
    new: dt.datetime
    timezone: str
    instant: dt.datetime  # UTC


def wall_time(instant: dt.datetime, zone_name: str) -> dt.datetime:
    """The naive wall time of a UTC instant in a zone, refused when that wall time names two instants."""
    wall = instant.astimezone(zone(zone_name)).replace(tzinfo=None)
    local = resolve(wall, zone_name)
    if local.instants != (instant.astimezone(UTC),):
        raise ApplyError(
            f"{wall:%Y-%m-%d %H:%M} in {zone_name} happens twice (clocks go back): a start written there "
            "would be ambiguous; choose another candidate"
        )
    problem = values.start(wall, zone_name)  # the check validate and `new meeting` make of a start
    if problem:
        raise ApplyError(f"the chosen start {problem}; choose another candidate")
    return wall


def apply_start(path: Path, meeting: Meeting, start_utc: str) -> Applied:
    """Write `start_utc` ('YYYY-MM-DDTHH:MMZ') into the meeting file as local wall time in its zone."""
    import tomlkit
    from tomlkit.exceptions import ParseError

    if meeting.recurrence is not None:
        raise ApplyError(
            "the meeting repeats ([recurrence]): changing start moves the whole series; edit start by hand "
            "and check the occurrences with 'redflag-coord agenda'"
        )
    instant = dt.datetime.strptime(start_utc, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
    wall = wall_time(instant, meeting.timezone)
    # Read, change and write under the folder's lock; a file edited meanwhile is not overwritten (Changed).
    # The start replaced is the one read under the lock, and it must still be the one the candidates were
    # computed from: a second `slots --apply` (or an edit) in between would otherwise be silently undone.
    from redflag_coord.edit.fmt import keep_layout  # where fmt would put it: the one layout rule

    with update(path) as u:
        try:
            doc = tomlkit.parse((u.old or b"").decode("utf-8"))
        except (UnicodeDecodeError, ParseError) as e:
            raise ApplyError(f"{path}: cannot read the meeting file: {e}") from e
        item = doc.get("start")
        old = _still(path, item, doc.get("timezone"), meeting)
        new = tomlkit.item(wall)
        if item is not None and hasattr(item, "trivia"):
            new.trivia.comment = item.trivia.comment  # keep a comment on the same line
            new.trivia.comment_ws = item.trivia.comment_ws
        doc["start"] = new
        u.write(keep_layout((u.old or b"").decode("utf-8"), tomlkit.dumps(doc), "meeting").encode("utf-8"))
    return Applied(path, old, wall, meeting.timezone, instant)


def _still(path: Path, item: object, zone_name: object, meeting: Meeting) -> dt.datetime:
    """The start read under the lock, refused unless it is the start (and zone) the candidates came from."""
    now = item if isinstance(item, dt.datetime) else None
    same_zone = str(zone_name) == meeting.timezone
    if (
        now is not None
        and now.tzinfo is None
        and same_zone
        and now.replace(second=0) == meeting.start.replace(second=0)
    ):
        return dt.datetime.combine(now.date(), now.time())  # a plain datetime, not tomlkit's item
    said = f"{now:%Y-%m-%dT%H:%M}" if now is not None else repr(item)
    raise MovedMeanwhile(
        f"{path}: start is now {said} ({zone_name}), not {meeting.start:%Y-%m-%dT%H:%M} ({meeting.timezone}) as "
        "when the candidates were computed: it changed meanwhile (another 'slots --apply' or an edit); nothing "
        "was changed. Run 'redflag-coord slots' for the meeting again and choose from the new candidates"
    )
