"""How a meeting's SEQUENCE rises: `invite --bump` edits the file, and a change of time
against git HEAD without a bump is reported.

Calendar apps replace an event they already hold only when the new copy has the
same UID and a higher SEQUENCE (RFC 5546 §2.1.4: DTSTART, DTEND, the recurrence
and STATUS are the changes that require it).
"""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

from pydantic import ValidationError

from redflag_coord.errors import RedflagError
from redflag_coord.org.model import Meeting
from redflag_coord.repo import fsio

# Fields whose change makes calendar apps need a new SEQUENCE.
TIMING_FIELDS = ("start", "timezone", "duration_minutes", "recurrence", "status")


class SequenceError(RedflagError):
    """The meeting file's sequence cannot be raised (bad TOML, a file that changed)."""


MAX_SEQUENCE = 1_000_000  # the model's maximum (Meeting.sequence)


def bump(path: Path, cancel: bool = False) -> tuple[int, Meeting]:
    """Raise `sequence` by one in a meeting file (and set status = "cancelled" for a cancellation).

    Read, bump and write happen under the folder's lock, and the write is refused if the
    file changed since it was read (fsio.Changed): no edit and no increment is lost. The
    meeting returned is the one written, so the invite is built from the same read.
    Comments and layout survive (tomlkit).
    """
    import tomlkit

    from redflag_coord.edit.fmt import keep_layout
    from redflag_coord.org.parse import parse_toml

    with fsio.update(path) as u:
        if u.old is None:
            raise SequenceError(f"{path}: no such meeting file")
        data, problems = parse_toml(u.old, str(path))
        if data is None:
            raise SequenceError(f"{path}: cannot read the meeting file to bump its sequence: {problems[0].message}")
        current = data.get("sequence", 0)
        if not isinstance(current, int) or isinstance(current, bool):
            raise SequenceError(f"{path}: 'sequence' must be a whole number to be bumped")
        if current >= MAX_SEQUENCE:
            raise SequenceError(
                f"{path}: sequence is {current}, the highest allowed; nothing was changed. Calendar apps compare "
                "it as a number: a meeting changed this often should get a new id (a new meeting file)"
            )
        doc = tomlkit.parse(u.old.decode("utf-8"))
        doc["sequence"] = current + 1  # a new key goes after the plain keys, before the tables
        if cancel:
            doc["status"] = "cancelled"
        text = keep_layout(u.old.decode("utf-8"), tomlkit.dumps(doc), "meeting")  # where fmt puts the keys
        try:
            meeting = Meeting.model_validate(tomllib.loads(text))
        except (ValidationError, tomllib.TOMLDecodeError) as e:
            raise SequenceError(f"{path}: the meeting file does not validate; run 'redflag-coord validate'") from e
        u.write(text.encode("utf-8"))
    return current + 1, meeting


def head_version(path: Path) -> Meeting | None:
    """The meeting as committed at git HEAD, or None (not in git, new file, unreadable or invalid at HEAD).

    The committed bytes go through the same reader and limits as the working copy (org.parse).
    """
    from redflag_coord.org.parse import MAX_FILE_BYTES, parse_toml

    try:
        proc = subprocess.run(
            ["git", "-C", str(path.parent), "show", f"HEAD:./{path.name}"],
            capture_output=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0 or len(proc.stdout) > MAX_FILE_BYTES:
        return None
    data, _ = parse_toml(proc.stdout, str(path))
    if data is None:
        return None
    try:
        return Meeting.model_validate(data)
    except (ValidationError, RecursionError, ValueError):
        return None


def unbumped_change(path: Path, meeting: Meeting) -> str | None:
    """A warning when the time or status changed since git HEAD but `sequence` did not rise."""
    old = head_version(path)
    if old is None or meeting.sequence > old.sequence:
        return None
    changed = [f for f in TIMING_FIELDS if getattr(old, f) != getattr(meeting, f)]
    if not changed:
        return None
    return (
        f"{path}: {', '.join(changed)} changed since the last commit but sequence is still "
        f"{meeting.sequence}: calendar apps would keep the old event. Run 'redflag-coord invite "
        f"{path.stem} --bump' (or raise 'sequence' by one) before sending"
    )
