"""`redflag-coord slots [MEETING]`"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from redflag_coord.cli.commands.common import (
    EXIT_USAGE,
    OptionalMeetingArgument,
    RootOption,
    collective_or_exit,
    fail,
    format_for,
    load_valid_or_exit,
    meeting_or_exit,
    write_output,
)

if TYPE_CHECKING:
    from redflag_coord.org.load import Organisation

DEFAULT_DAYS = 28
DEFAULT_LENGTH = 120


class Format(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def slots(
    meeting: OptionalMeetingArgument = None,
    collectives: Annotated[
        str | None,
        typer.Option(
            "--collectives",
            "-c",
            help="Comma-separated collective slugs (instead of, or replacing, the meeting's participants).",
            show_default=False,
        ),
    ] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="First date (YYYY-MM-DD, UTC). Default: today.", show_default=False)
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Last date, included (YYYY-MM-DD, UTC).", show_default=False)
    ] = None,
    days: Annotated[
        int | None,
        typer.Option("--days", help=f"Number of days from --from (default {DEFAULT_DAYS}).", show_default=False),
    ] = None,
    length: Annotated[
        str | None,
        typer.Option(
            "--length",
            "-l",
            help=f"Meeting length: minutes (90) or 2h30m. Default: the meeting's duration, else "
            f"{DEFAULT_LENGTH} minutes.",
            show_default=False,
        ),
    ] = None,
    step: Annotated[str, typer.Option("--step", help="Minutes between candidate start times (or 1h).")] = "15",
    top: Annotated[int, typer.Option("--top", "-n", help="How many start times to show.")] = 5,
    overlap: Annotated[bool, typer.Option("--overlap", help="Also show start times overlapping a better one.")] = False,
    dst_days: Annotated[
        int, typer.Option("--dst-days", help="Warn about clock changes this many days around a start time.")
    ] = 7,
    format: Annotated[
        Format | None,
        typer.Option(
            "--format",
            "-f",
            help="text, json, or markdown (for a vote in a pull request). "
            "Default: from the --output suffix (.txt .json .md), else text.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to a file instead of stdout.", show_default=False)
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --output if it exists.")] = False,
    root: RootOption = None,
) -> None:
    """Find the least bad meeting times across the collectives' timezones, sharing the burden fairly.

    Each collective's local time over the whole meeting falls in a band (good, acceptable, poor,
    unacceptable) from [availability] in its collective.toml; start times rank by the members in each
    band, then by fairness (who had a poor time at past meetings), then earliest.
    """
    from redflag_coord.org.validate import today_default
    from redflag_coord.slots.find import MAX_DAYS, Request, find_slots, parse_length
    from redflag_coord.slots.render import RENDERERS

    if meeting is None and collectives is None:
        fail("give a meeting id or --collectives a,b,c", EXIT_USAGE)
    for option, value, least in (("--top", top, 1), ("--days", days, 1), ("--dst-days", dst_days, 0)):
        if value is not None and value < least:
            fail(f"{option} must be at least {least}, not {value}", EXIT_USAGE)
    org = load_valid_or_exit(root)
    found = _meeting_or_exit(org, meeting) if meeting is not None else None
    slugs = (
        _collectives_or_exit(org, collectives)
        if collectives is not None
        else list(dict.fromkeys(found.participants if found is not None else []))
    )
    if not slugs:
        fail(f"meeting {meeting!r} has no participants; give --collectives a,b,c", EXIT_USAGE)
    minutes = (
        _length_or_exit(parse_length, length, "--length")
        if length is not None
        else (found.duration_minutes if found is not None else DEFAULT_LENGTH)
    )
    start, end = _range_or_exit(date_from, date_to, days, today_default(), MAX_DAYS)
    req = Request(
        tuple(slugs),
        start,
        end,
        minutes,
        _length_or_exit(parse_length, step, "--step"),
        top,
        not overlap,
        dst_days,
        meeting,
    )
    fmt = format_for(format.value if format else None, output, tuple(f.value for f in Format))
    write_output(RENDERERS[fmt](find_slots(org, req)), output, force)


def _meeting_or_exit(org: Organisation, meeting_id: str):
    found = org.find_meeting(meeting_or_exit(org, meeting_id))
    assert found is not None
    return found[1]


def _collectives_or_exit(org: Organisation, text: str) -> list[str]:
    slugs = [s.strip() for s in text.split(",") if s.strip()]
    if not slugs:
        fail("--collectives is empty; give slugs separated by commas, e.g. --collectives india,mexico", EXIT_USAGE)
    return list(dict.fromkeys(collective_or_exit(org, slug, "--collectives") for slug in slugs))


def _length_or_exit(parse, text: str, option: str) -> int:
    try:
        return parse(text)
    except ValueError as e:
        fail(f"{option}: {e}", EXIT_USAGE)


def _date_or_exit(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{option}: {text!r} is not a date; write YYYY-MM-DD, e.g. 2026-12-12", EXIT_USAGE)


def _range_or_exit(
    date_from: str | None, date_to: str | None, days: int | None, today: dt.date, max_days: int
) -> tuple[dt.date, dt.date]:
    if date_to is not None and days is not None:
        fail("give --to or --days, not both", EXIT_USAGE)
    if days is not None and days > max_days:
        fail(f"--days {days}: look at most {max_days} days at a time", EXIT_USAGE)
    start = _date_or_exit(date_from, "--from") if date_from is not None else today
    if date_to is not None:
        end = _date_or_exit(date_to, "--to")
    elif start.year > 9000:
        fail(f"--from {start}: choose a date before the year 9000", EXIT_USAGE)
    else:
        end = start + dt.timedelta(days=(days or DEFAULT_DAYS) - 1)
    if not (start.year >= 1900 and end.year <= 9000):
        fail("choose dates between the years 1900 and 9000", EXIT_USAGE)
    if end < start:
        fail(f"the range is reversed: --to {end} is before --from {start}", EXIT_USAGE)
    if (end - start).days + 1 > max_days:
        fail(f"the range is {(end - start).days + 1} days; look at most {max_days} days at a time", EXIT_USAGE)
    return start, end
