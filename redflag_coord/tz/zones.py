"""IANA zone names and local wall times: checking, suggesting, resolving.

Zones are stored by name and resolved with zoneinfo; a wall time that does not
exist (DST gap) or occurs twice (DST overlap) is reported, never guessed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic_core import PydanticCustomError

UTC = dt.UTC
_ABBREVIATION = re.compile(r"^[A-Z]{2,5}([+-]?\d+([A-Z]{2,5})?)?$")
_OFFSET = re.compile(r"^(?:UTC|GMT|Z)?\s*[+-]\d{1,2}(?::?\d{2})?$", re.IGNORECASE)
_NO_SLASH_OK = {"UTC"}


@lru_cache(maxsize=1)
def _known() -> dict[str, str]:
    """Lower-cased zone name -> zone name, for suggestions (built only on error)."""
    return {name.lower(): name for name in available_timezones()}


def suggest(name: str, n: int = 3) -> list[str]:
    known = _known()
    cleaned = name.strip().replace(" ", "_")
    exact = known.get(cleaned.lower())
    if exact and exact != name:
        return [exact]
    names = sorted(v for v in known.values() if "/" in v)
    out = difflib.get_close_matches(cleaned, names, n=n, cutoff=0.6)
    if len(out) < n:
        cities = {v.rsplit("/", 1)[-1].lower(): v for v in names}
        city = cleaned.rsplit("/", 1)[-1].lower()
        for c in difflib.get_close_matches(city, list(cities), n=n, cutoff=0.7):
            if cities[c] not in out:
                out.append(cities[c])
    return out[:n]


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The zone for a checked name (raises ValueError for anything else)."""
    return ZoneInfo(check_zone_name(name))


@lru_cache(maxsize=512)
def check_zone_name(name: str) -> str:
    """Accept IANA region names ('Asia/Kolkata', 'UTC'); refuse abbreviations and offsets."""
    problem = _zone_problem(name)
    if problem:
        fixed = name.startswith("Etc/") or _ABBREVIATION.fullmatch(name) or _OFFSET.fullmatch(name) or len(name) > 100
        hint = [] if fixed else suggest(name)
        raise PydanticCustomError(
            "unknown_zone",
            "{problem}{hint}",
            {
                "problem": problem,
                "hint": f"; did you mean {' or '.join(map(repr, hint))}?"
                if hint
                else "; use the IANA name of the place, such as 'America/El_Salvador'",
            },
        )
    return name


def _shown(name: str) -> str:
    return repr(name if len(name) <= 60 else name[:57] + "...")


def _zone_problem(name: str) -> str | None:
    if len(name) > 100:
        return f"{_shown(name)} is {len(name):,} characters long; zone names are short, such as 'Asia/Kolkata'"
    if "/" not in name and name not in _NO_SLASH_OK:
        if _ABBREVIATION.fullmatch(name) or _OFFSET.fullmatch(name):
            return (
                f"{_shown(name)} is an abbreviation or offset, not a zone name: "
                "abbreviations are ambiguous and ignore DST"
            )
        return f"{_shown(name)} is not an IANA zone name"
    if name.startswith("Etc/GMT") and name not in ("Etc/GMT", "Etc/GMT0"):
        return f"{_shown(name)} is a fixed offset, not a place: it will be wrong once DST changes"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return f"unknown zone {_shown(name)}"
    return None


Kind = Literal["ok", "gap", "ambiguous"]


@dataclass(frozen=True)
class LocalTime:
    """A wall time in a zone, with what it means as instants."""

    wall: dt.datetime
    zone: str
    kind: Kind
    instants: tuple[dt.datetime, ...]  # UTC; two for an ambiguous time, none for a gap

    @property
    def instant(self) -> dt.datetime:
        """The single UTC instant; only for kind == 'ok'."""
        if self.kind != "ok":
            raise ValueError(f"{self.wall.isoformat()} in {self.zone} is {self.kind}")
        return self.instants[0]


def resolve(wall: dt.datetime, zone_name: str) -> LocalTime:
    """Resolve a naive local wall time in a zone to UTC, detecting DST gaps and overlaps."""
    if wall.tzinfo is not None:
        raise ValueError("resolve() takes a naive wall time")
    tz = zone(zone_name)
    early = wall.replace(tzinfo=tz, fold=0)
    late = wall.replace(tzinfo=tz, fold=1)
    a, b = early.astimezone(UTC), late.astimezone(UTC)
    if a.astimezone(tz).replace(tzinfo=None) != wall:
        return LocalTime(wall, zone_name, "gap", ())
    if a != b:
        return LocalTime(wall, zone_name, "ambiguous", (min(a, b), max(a, b)))
    return LocalTime(wall, zone_name, "ok", (a,))


def to_local(instant: dt.datetime, zone_name: str) -> dt.datetime:
    """An aware instant shown in a zone (aware result)."""
    if instant.tzinfo is None:
        raise ValueError("to_local() takes an aware instant")
    return instant.astimezone(zone(zone_name))


def describe_offset(instant: dt.datetime) -> str:
    """'UTC+05:30' style label for an aware datetime."""
    off = instant.utcoffset() or dt.timedelta(0)
    sign = "-" if off < dt.timedelta(0) else "+"
    minutes = abs(int(off.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def gap_edges(wall: dt.datetime, zone_name: str) -> tuple[dt.datetime, dt.datetime]:
    """For a wall time in a DST gap: the local times on both sides of the jump (e.g. 00:00 -> 01:00)."""
    tz = zone(zone_name)
    lo = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)  # read with the later offset: before the jump
    hi = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)  # read with the earlier offset: after the jump
    lo, hi = min(lo, hi), max(lo, hi)
    while hi - lo > dt.timedelta(seconds=1):
        mid = (lo + (hi - lo) / 2).replace(microsecond=0)
        if (mid.astimezone(tz).utcoffset()) == (lo.astimezone(tz).utcoffset()):
            lo = mid
        else:
            hi = mid
    before = hi.astimezone(tz).utcoffset() or dt.timedelta(0)
    old = lo.astimezone(tz).utcoffset() or dt.timedelta(0)
    return (hi + old).replace(tzinfo=None), (hi + before).replace(tzinfo=None)
