"""`redflag-coord motion open|close|status`"""

from __future__ import annotations

import datetime as dt
import json
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from redflag_coord.cli.commands.common import EXIT_USAGE, fail, load_settings_or_exit, load_valid_or_exit
from redflag_coord.cli.commands.options import RootOption, duration_option

if TYPE_CHECKING:
    from redflag_coord.org.ballot import VoteState

app = typer.Typer(
    name="motion",
    help="Decide a motion between meetings: open its vote, see who has voted, close it with the result.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


class Format(str, Enum):
    text = "text"
    json = "json"


MotionArg = Annotated[str, typer.Argument(metavar="MOTION", help="The motion's id (its file name without .toml).")]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="text or json.")]
AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="INSTANT",
        show_default=False,
        help="Act as at this instant, with its offset (2026-07-01T06:00Z); default: now.",
    ),
]


def _at(text: str | None) -> dt.datetime:
    if text is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        fail(f"--at: {text!r} is not an instant; write e.g. 2026-07-01T06:00Z", EXIT_USAGE)
    if value.tzinfo is None:
        fail(f"--at: {text!r} has no offset; add Z (UTC) or +HH:MM", EXIT_USAGE)
    return value


@app.command("open")
def open_(
    motion: MotionArg,
    acceptable: Annotated[
        int | None,
        duration_option(
            "--acceptable",
            "Time inside its acceptable local hours every entitled collective gets before the close (default: the "
            "motion's [window], else [decisions] acceptable_minutes, 24h).",
            most=720 * 60,
        ),
    ] = None,
    min_wait: Annotated[
        int | None,
        duration_option(
            "--min-wait",
            "The least time from opening to close (default: [window], else [decisions] min_wait_minutes, 48h).",
            least=0,
            most=92 * 1440,
        ),
    ] = None,
    at: AtOption = None,
    format: FormatOption = Format.text,
    root: RootOption = None,
) -> None:
    """Open the vote on MOTION (between = true): compute its window and write opened and closes.

    The window closes only after every entitled collective has had the hours inside its acceptable local
    hours ([availability]) and the minimum wait has passed. Each collective's deadline is shown in its own
    zone. On an open vote, new parameters may move the close later, never earlier. Exit 0 written, 1 data,
    2 usage.
    """
    from redflag_coord.edit.motion import open_motion
    from redflag_coord.tz.duration import format_duration

    org = load_valid_or_exit(root)
    done = open_motion(org, load_settings_or_exit(org.root).decisions, motion, _at(at), acceptable, min_wait)
    if format is Format.json:
        typer.echo(json.dumps(done.state.to_dict(), ensure_ascii=False, indent=2))
        return
    verb = "unchanged" if done.unchanged else ("extended" if done.extended else "opened")
    each, wait = format_duration(done.params.acceptable_minutes), format_duration(done.params.min_wait_minutes)
    typer.echo(f"{done.rel}: {verb}; {each} of acceptable local time for each collective, minimum wait {wait}")
    typer.echo(_render(done.state))


@app.command("close")
def close(motion: MotionArg, at: AtOption = None, format: FormatOption = Format.text, root: RootOption = None) -> None:
    """Close the vote on MOTION and record the result its rule gives.

    Before its close only when the result can no longer change, whatever the collectives still to vote
    do, and the minimum wait has passed. Exit 0 written, 1 data, 2 refused (too early, not open).
    """
    from redflag_coord.edit.motion import close_motion

    org = load_valid_or_exit(root)
    done = close_motion(org, load_settings_or_exit(org.root).decisions, motion, _at(at))
    if format is Format.json:
        typer.echo(json.dumps({**done.state.to_dict(), "early": done.early}, ensure_ascii=False, indent=2))
        return
    early = " (early: the result could no longer change)" if done.early else ""
    typer.echo(f"{done.rel}: closed {done.closed:%Y-%m-%d %H:%M}Z{early}; result {done.state.tally.result.value}")
    typer.echo(f"  {done.state.tally.figures()}")


@app.command("status")
def status(motion: MotionArg, format: FormatOption = Format.text, root: RootOption = None) -> None:
    """The vote on MOTION: the votes in, who is still to vote, and each collective's deadline in its own zone.

    Exit 0 shown, 2 unknown motion.
    """
    from redflag_coord.org.ballot import vote_state

    org = load_valid_or_exit(root)
    found = next(((c.slug, c.motions[motion]) for c in org.collectives.values() if motion in c.motions), None)
    if found is None:
        fail(f"no motion {motion!r} in collectives/*/motions/", EXIT_USAGE)
    state = vote_state(org, load_settings_or_exit(org.root).decisions, found[0], motion, found[1])
    typer.echo(json.dumps(state.to_dict(), ensure_ascii=False, indent=2) if format is Format.json else _render(state))


def _render(s: VoteState) -> str:
    def when(value: dt.datetime | None) -> str:
        return f"{value.astimezone(dt.UTC):%Y-%m-%d %H:%M}Z" if value else "-"

    lines = [
        f"{s.motion}: {s.title} (moved by {s.mover})",
        f"  rule: {s.rule}",
        f"  opened {when(s.opened)}, closes {when(s.closes)}"
        + (f", closed {when(s.closed)}: {s.recorded}" if s.closed else ""),
    ]
    width = max([len(d.collective) for d in s.deadlines] + [10])
    # Once closed, nobody is "still to vote": those who had not voted did not, and the figures are final.
    absent = "did not vote" if s.closed else "to vote"
    for d in s.deadlines:
        mark = "voted" if d.voted else absent
        lines.append(f"  {d.collective:<{width}}  {mark:<{len(absent)}}  closes {d.local or '-'} ({d.zone})")
    lines += _tail(s)
    return "\n".join(lines)


def _tail(s: VoteState) -> list[str]:
    """Who has not voted and the figures: final once closed, "so far" while open."""
    waiting = s.waiting()
    names = ", ".join(waiting) if waiting else "none"
    if s.closed:
        return [f"  did not vote: {names}", f"  final: {s.tally.figures()}"]
    settled = "; it can no longer change" if s.settled and waiting else ""
    return [f"  still to vote: {names}", f"  so far: {s.tally.figures()}{settled}"]
