"""`redflag-coord slots [MEETING]`"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from redflag_coord.cli.commands.common import (
    EXIT_USAGE,
    collective_or_exit,
    fail,
    format_for,
    load_valid_or_exit,
    meeting_or_exit,
    normalise_id,
    write_output,
)
from redflag_coord.cli.commands.options import (
    OptionalMeetingArgument,
    RootOption,
    SinceOption,
    duration_option,
    parse_date,
)

if TYPE_CHECKING:
    from redflag_coord.org.load import Organisation
    from redflag_coord.org.model import Meeting
    from redflag_coord.slots.find import SlotsResult

DEFAULT_DAYS = 28
DEFAULT_LENGTH = 120  # minutes: "2h" in --length's help
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
    since: SinceOption = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Last date, included (YYYY-MM-DD, UTC).", show_default=False)
    ] = None,
    days: Annotated[
        int | None,
        typer.Option("--days", help=f"Number of days from --since (default {DEFAULT_DAYS}).", show_default=False),
    ] = None,
    length: Annotated[
        int | None,
        duration_option("--length", "Meeting length. Default: the meeting's duration, else 2h."),
    ] = None,
    step: Annotated[int, duration_option("--step", "Time between candidate start times (default 15m).")] = 15,
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
        typer.Option("--window", help="For a MEETING without --since/--to/--days: days either side of its date."),
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
    from redflag_coord.slots.find import MAX_DAYS, Request, find_slots
    from redflag_coord.slots.render import RENDERERS
    from redflag_coord.slots.window import current_start, search_window

    _check_options(meeting, collectives, top, days, dst_days, window, apply)
    fmt = format_for(format.value if format else None, output, tuple(f.value for f in Format))
    dates = (parse_date(since, "--since"), parse_date(date_to, "--to"), days)
    now = _now_or_exit()
    org, meeting, found = _load(root, meeting, collectives)
    current = current_start(found, today_default()) if found is not None else None
    span = search_window(found, current, dates, now, window, MAX_DAYS, DEFAULT_DAYS)
    req = Request(
        tuple(_slugs(org, found, meeting, collectives)),
        span.date_from,
        span.date_to,
        _minutes(found, length),
        step,
        top,
        not overlap,
        dst_days,
        meeting,
        not_before=span.not_before,
        current=current,
        by_time_of_day=spread,
        range_note=span.note,
    )
    result = find_slots(org, req)
    if apply is None:
        write_output(RENDERERS[fmt](result), output, force)
        return
    _apply_or_exit(org, meeting, found, result, apply)


def _check_options(
    meeting: str | None,
    collectives: str | None,
    top: int,
    days: int | None,
    dst_days: int,
    window: int,
    apply: int | None,
) -> None:
    """The options' own rules, before anything is read."""
    from redflag_coord.slots.window import MAX_WINDOW

    if meeting is None and collectives is None:
        fail("give a meeting id or --collectives a,b,c", EXIT_USAGE)
    for option, value, least in (("--top", top, 1), ("--days", days, 1), ("--dst-days", dst_days, 0)):
        if value is not None and value < least:
            fail(f"{option} must be at least {least}, not {value}", EXIT_USAGE)
    if not 0 <= window <= MAX_WINDOW:
        fail(f"--window must be 0 to {MAX_WINDOW} days, not {window}", EXIT_USAGE)
    if apply is not None:
        _check_apply(meeting, apply)


def _check_apply(meeting: str | None, apply: int) -> None:
    if meeting is None:
        fail("--apply writes a meeting's start: give the meeting id", EXIT_USAGE)
    if apply < 1:
        fail("--apply N: N is a candidate's number, 1 for the first", EXIT_USAGE)


def _load(
    root: Path | None, meeting: str | None, collectives: str | None
) -> tuple[Organisation, str | None, Meeting | None]:
    """The organisation (only the files slots reads must be valid), the meeting's id and the meeting."""
    from redflag_coord.org.reads import for_meeting

    named = [c.strip() for c in (collectives or "").split(",") if c.strip()]
    meeting = normalise_id(meeting) if meeting is not None else None
    org = load_valid_or_exit(root, reads=for_meeting(meeting or "", collectives=named, all_meetings=True))
    return org, meeting, _meeting_or_exit(org, meeting) if meeting is not None else None


def _slugs(org: Organisation, found: Meeting | None, meeting: str | None, collectives: str | None) -> list[str]:
    """--collectives, else the meeting's participants."""
    if collectives is not None:
        return _collectives_or_exit(org, collectives)
    slugs = list(dict.fromkeys(found.participants if found is not None else []))
    if not slugs:
        fail(f"meeting {meeting!r} has no participants; give --collectives a,b,c", EXIT_USAGE)
    return slugs


def _minutes(found: Meeting | None, length: int | None) -> int:
    """--length, else the meeting's duration, else the default."""
    if length is not None:
        return length
    return found.duration_minutes if found is not None else DEFAULT_LENGTH


def _now_or_exit() -> dt.datetime:
    from redflag_coord.org.clock import now_default

    try:
        return now_default()
    except ValueError as e:  # not a RedflagError: org.clock's ValueError says what is wrong with REDFLAG_NOW
        fail(str(e), EXIT_USAGE)


def _apply_or_exit(org: Organisation, meeting: str | None, found: Meeting | None, result: SlotsResult, n: int) -> None:
    from redflag_coord.calendar.sequence import head_version
    from redflag_coord.org.load import rel_path
    from redflag_coord.slots.apply import apply_start

    assert found is not None and meeting is not None  # _check_apply: --apply needs a meeting
    if n > len(result.candidates):
        fail(
            f"--apply {n}: there are {len(result.candidates)} candidate(s); run without --apply to see them", EXIT_USAGE
        )
    cand = result.candidates[n - 1]
    located = org.find_meeting(meeting)
    assert located is not None
    path = org.root / rel_path("meeting", located[0], meeting)
    done = apply_start(path, found, cand.start_utc)
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
