"""Helpers shared by the calendar and invite tests (no tests here)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

JS = Path(__file__).resolve().parent / "js"
STAMP = "2026-11-27T12:00:00Z"
UTC = dt.UTC


def node_ready() -> bool:
    return shutil.which("node") is not None and (JS / "node_modules" / "ical.js").is_dir()


def read_with_icaljs(ics: bytes, limit: int = 500) -> dict:
    proc = subprocess.run(
        ["node", str(JS / "instants.mjs"), str(limit)], input=ics, capture_output=True, timeout=60, check=True
    )
    return json.loads(proc.stdout)


def add_meeting(root: Path, collective: str, meeting_id: str, toml: str) -> Path:
    path = root / "collectives" / collective / "meetings" / f"{meeting_id}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(toml, encoding="utf-8")
    return path


def meeting_toml(title: str, start: str, zone: str, minutes: int = 60, extra: str = "") -> str:
    return f'title = {json.dumps(title)}\nstart = {start}\ntimezone = "{zone}"\nduration_minutes = {minutes}\n{extra}'


def weekly_expected(start: dt.datetime, zone: str, until: dt.date, skip: set[dt.date]) -> list[dt.datetime]:
    """UTC starts of a weekly meeting, computed directly with zoneinfo (the reference)."""
    tz = ZoneInfo(zone)
    out, wall = [], start
    while wall.date() <= until:
        if wall.date() not in skip:
            out.append(wall.replace(tzinfo=tz).astimezone(UTC))
        wall += dt.timedelta(days=7)
    return out


def utc(value: dt.datetime | dt.date) -> dt.datetime:
    assert isinstance(value, dt.datetime) and value.tzinfo is not None, f"floating or date: {value!r}"
    return value.astimezone(UTC)


def iso(value: dt.datetime) -> str:
    return utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")
