"""A one-collective organisation with one meeting, for recurrence tests (written as TOML files)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

COLLECTIVE = """name = "Test collective"
timezone = "{zone}"
languages = ["en"]
"""


def toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dt.date, dt.datetime, int)):
        return v.isoformat() if not isinstance(v, int) else str(v)
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    raise TypeError(v)


def meeting_text(
    start: dt.datetime,
    zone: str,
    recurrence: dict | None = None,
    changes: list[dict] = (),  # type: ignore[assignment]
    **extra: object,
) -> str:
    lines = [
        'title = "Test meeting"',
        f"start = {start.isoformat()}",
        f'timezone = "{zone}"',
        "duration_minutes = 60",
        'participants = ["test"]',
    ]
    lines += [f"{k} = {toml_value(v)}" for k, v in extra.items()]
    if recurrence:
        lines.append("\n[recurrence]")
        lines += [f"{k} = {toml_value(v)}" for k, v in recurrence.items()]
    for c in changes:
        lines.append("\n[[occurrence]]")
        lines += [f"{k} = {toml_value(v)}" for k, v in c.items()]
    return "\n".join(lines) + "\n"


def make_org(root: Path, meeting: str, zone: str = "America/Los_Angeles", mid: str = "m") -> Path:
    folder = root / "collectives" / "test"
    (folder / "meetings").mkdir(parents=True, exist_ok=True)
    (folder / "collective.toml").write_text(COLLECTIVE.format(zone=zone), encoding="utf-8")
    (folder / "meetings" / f"{mid}.toml").write_text(meeting, encoding="utf-8")
    return root
