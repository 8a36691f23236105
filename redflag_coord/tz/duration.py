"""The one syntax of a span of time typed by a user, for every option that takes one (--length, --step,
--duration, --reminder): minutes or hours and minutes.

    90      a bare number is minutes
    90m     minutes
    2h      hours
    1h30m   hours and minutes (minutes under 60); also "1h 30m"

Case and surrounding blanks do not matter. Data files keep whole minutes under a key that names the
unit (duration_minutes = 90, reminders_minutes = [15]): TOML has no duration type, and a number under
such a key cannot be misread. Pure text arithmetic; imports nothing of redflag_coord.
"""

from __future__ import annotations

import re

MINUTES_PER_DAY = 1440

# hours, then minutes; a blank may separate the two parts but not a number from its unit ("2 h" is
# more likely a typo than a duration).
_DURATION = re.compile(r"(?:(?P<h>\d{1,4})h)?\s*(?:(?P<m>\d{1,6})(?P<unit>m?))?")

EXAMPLES = "90 (minutes), 90m, 2h or 1h30m"


def parse_duration(text: str, *, least: int = 1, most: int = MINUTES_PER_DAY) -> int:
    """Whole minutes from `text` in the one duration syntax, between `least` and `most`; ValueError
    with the syntax and an example otherwise (callers name their option in front of it)."""
    clean = text.strip().lower()
    m = _DURATION.fullmatch(clean)
    if not clean or m is None or (m["h"] is None and m["m"] is None):
        raise ValueError(f"{text!r} is not a duration; write {EXAMPLES}")
    if m["h"] is not None and m["m"] is not None and (int(m["m"]) >= 60 or not m["unit"]):
        raise ValueError(f"{text!r} is not a duration; after hours give minutes under 60 ending in m, e.g. 1h30m")
    total = int(m["h"] or 0) * 60 + int(m["m"] or 0)
    if not least <= total <= most:
        raise ValueError(f"{text!r}: give a duration from {format_duration(least)} to {format_duration(most)}")
    return total


def format_duration(minutes: int) -> str:
    """The canonical spelling, which parse_duration reads back: 45m, 2h, 1h05m (0m for none)."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h{rest:02d}m"
    return f"{hours}h" if hours else f"{rest}m"
