"""`redflag-coord slots [MEETING]`"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from redflag_coord.cli.commands.common import (
    EXIT_DATA,
    EXIT_USAGE,
    OptionalMeetingArgument,
    RootOption,
    collective_or_exit,
    fail,
    format_for,
    load_valid_or_exit,
    meeting_or_exit,
    normalise_id,
    write_output,
)

if TYPE_CHECKING:
    from redflag_coord.org.load import Organisation
    from redflag_coord.org.model import Meeting
    from redflag_coord.slots.find import SlotsResult

DEFAULT_DAYS = 28
DEFAULT_LENGTH = 120
DEFAULT_WINDOW = 14


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
    window: Annotated[
        int,
        typer.Option("--window", help="For a MEETING without --from/--to/--days: days either side of its date."),
    ] = DEFAULT_WINDOW,
    spread: Annotated[
        bool, typer.Option("--spread", help="The best start at each distinct time of day (options for a vote).")
    ] = False,
    apply: Annotated[
        int | None,
        typer.Option(
            "--apply",
            metavar="N",
            help="Write candidate N's start into the meeting file (wall time in the meeting's zone).",
            show_default=False,
        ),
    ] = None,
    root: RootOption = None,
) -> None:
    """Find the least bad meeting times across the collectives' timezones, sharing the burden fairly.

    Each collective's local time over the whole meeting falls in a band (good, acceptable, poor,
    unacceptable) from [availability] in its collective.toml; start times rank by the members in each
    band, then by fairness (who had a poor time at past meetings), then earliest.
    """
    from redflag_coord.org.clock import today_default
    from redflag_coord.slots.find import MAX_DAYS, Request, find_slots, parse_length
    from redflag_coord.slots.render import RENDERERS
    from redflag_coord.slots.window import MAX_WINDOW, around_meeting, current_start, first_second

    if meeting is None and collectives is None:
        fail("give a meeting id or --collectives a,b,c", EXIT_USAGE)
    for option, value, least in (("--top", top, 1), ("--days", days, 1), ("--dst-days", dst_days, 0)):
        if value is not None and value < least:
            fail(f"{option} must be at least {least}, not {value}", EXIT_USAGE)
    if not 0 <= window <= MAX_WINDOW:
        fail(f"--window must be 0 to {MAX_WINDOW} days, not {window}", EXIT_USAGE)
    if apply is not None and meeting is None:
        fail("--apply writes a meeting's start: give the meeting id", EXIT_USAGE)
    if apply is not None and apply < 1:
        fail("--apply N: N is a candidate's number, 1 for the first", EXIT_USAGE)
    fmt = format_for(format.value if format else None, output, tuple(f.value for f in Format))
    now = _now_or_exit()
    from redflag_coord.org.reads import for_meeting

    named = [c.strip() for c in (collectives or "").split(",") if c.strip()]
    meeting = normalise_id(meeting) if meeting is not None else None
    org = load_valid_or_exit(root, reads=for_meeting(meeting or "", collectives=named, all_meetings=True))
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
    current = current_start(found, today_default()) if found is not None else None
    not_before, note = first_second(now), None
    if found is not None and date_from is None and date_to is None and days is None:
        around = around_meeting(found, current, now, window)
        start, end, not_before, note = around.date_from, around.date_to, around.not_before, around.note
    else:
        start, end = _range_or_exit(date_from, date_to, days, now.date(), MAX_DAYS)
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
        not_before=not_before,
        current=current,
        by_time_of_day=spread,
        range_note=note,
    )
    result = find_slots(org, req)
    if apply is None:
        write_output(RENDERERS[fmt](result), output, force)
        return
    assert found is not None and meeting is not None
    _apply_or_exit(org, meeting, found, result, apply)


def _now_or_exit() -> dt.datetime:
    from redflag_coord.org.clock import now_default

    try:
        return now_default()
    except ValueError as e:
        fail(str(e), EXIT_USAGE)


def _apply_or_exit(org: Organisation, meeting: str, found: Meeting, result: SlotsResult, n: int) -> None:
    from redflag_coord.calendar.sequence import head_version
    from redflag_coord.org.load import rel_path
    from redflag_coord.repo.fsio import WriteError
    from redflag_coord.slots.apply import ApplyError, apply_start

    if n > len(result.candidates):
        fail(
            f"--apply {n}: there are {len(result.candidates)} candidate(s); run without --apply to see them", EXIT_USAGE
        )
    cand = result.candidates[n - 1]
    located = org.find_meeting(meeting)
    assert located is not None
    path = org.root / rel_path("meeting", located[0], meeting)
    try:
        done = apply_start(path, found, cand.start_utc)
    except ApplyError as e:
        fail(str(e), EXIT_USAGE)
    except WriteError as e:
        fail(str(e), EXIT_USAGE if e.usage else EXIT_DATA)
    typer.echo(
        f"{rel_path('meeting', located[0], meeting)}: start = {done.new:%Y-%m-%dT%H:%M} ({done.timezone}), "
        f"was {done.old:%Y-%m-%dT%H:%M}; {cand.start_utc[:10]} {cand.start_utc[11:16]} UTC"
    )
    for s in cand.local:
        typer.echo(f"  {s.slug}: {s.start.replace('T', ' ')} {s.zone} ({s.band})")
    invited = found.sequence > 0 or head_version(path) is not None
    if invited:
        typer.echo(
            f"Next: invitations may have gone out: run 'redflag-coord invite {meeting} --method request --bump' "
            "so calendars replace the old time, then commit the meeting file"
        )
    else:
        typer.echo(f"Next: commit the meeting file, then send 'redflag-coord invite {meeting} --method request'")


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
