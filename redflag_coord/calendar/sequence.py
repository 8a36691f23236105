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

from redflag_coord.org.model import Meeting
from redflag_coord.repo.fsio import atomic_write

# Fields whose change makes calendar apps need a new SEQUENCE.
TIMING_FIELDS = ("start", "timezone", "duration_minutes", "recurrence", "status")


class SequenceError(Exception):
    pass


def bump(path: Path, cancel: bool = False) -> int:
    """Raise `sequence` by one in a meeting file (and set status = "cancelled" for a cancellation).

    Comments and layout survive (tomlkit); the file is replaced atomically.
    """
    import tomlkit

    try:
        doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.ParseError) as e:
        raise SequenceError(f"{path}: cannot read the meeting file to bump its sequence: {e}") from e
    current = doc.get("sequence", 0)
    if not isinstance(current, int) or isinstance(current, bool):
        raise SequenceError(f"{path}: 'sequence' must be a whole number to be bumped")
    new = int(current) + 1
    doc["sequence"] = new  # a new key goes after the plain keys, before the tables
    if cancel:
        doc["status"] = "cancelled"
    atomic_write(path, tomlkit.dumps(doc).encode("utf-8"), overwrite=True)
    return new


def head_version(path: Path) -> Meeting | None:
    """The meeting as committed at git HEAD, or None (not in git, new file, unreadable at HEAD)."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(path.parent), "show", f"HEAD:./{path.name}"],
            capture_output=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    try:
        return Meeting.model_validate(tomllib.loads(proc.stdout.decode("utf-8")))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, ValidationError):
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
