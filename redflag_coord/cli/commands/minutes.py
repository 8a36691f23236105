"""`redflag-coord minutes new|show MEETING`"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from redflag_coord.cli.commands.common import (
    load_valid_or_exit,
    meeting_or_exit,
    output_format,
    write_output,
)
from redflag_coord.cli.commands.options import RootOption

app = typer.Typer(
    name="minutes",
    help="A held meeting's minutes: start them from the agenda, or show them.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

MeetingArg = Annotated[
    str,
    typer.Argument(metavar="MEETING", help="Meeting id (the meeting's file name without .toml).", show_default=False),
]


class Format(str, Enum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"


@app.command("new")
def new(meeting: MeetingArg, root: RootOption = None) -> None:
    """Write collectives/CONVENER/minutes/MEETING.toml from the agenda, in the convener's language.

    Lists the invited collectives, one note per item, and a status line for each commitment
    open before the meeting. Only once the meeting has started; never overwrites (exit 2).
    """
    from redflag_coord.minutes.scaffold import new_minutes, same_collectives
    from redflag_coord.repo.journal import Change, apply

    org = load_valid_or_exit(root)
    meeting = meeting_or_exit(org, meeting)  # did you mean
    made = new_minutes(org, meeting)
    path = org.root / made.rel
    change = Change("minutes new")  # under the organisation's lock: a rename meanwhile makes it refuse
    if not path.parent.is_dir():  # made in the same change: a failed write leaves no empty minutes/ behind
        change.folder(str(Path(made.rel).parent))
    change.write(made.rel, None, made.text.encode("utf-8"))
    change.guards.append(lambda: same_collectives(org))
    apply(org.root, change)
    from redflag_coord.i18n.labels import Labels

    owed = Labels("en").count("count.open_commitments", made.open_commitments)
    typer.echo(f"wrote {made.rel} (template: {made.language}; {owed})")
    typer.echo("Fill in the notes marked TODO, decisions, commitments and the status of each open one;")
    typer.echo("then run 'redflag-coord validate' and open a pull request.")


@app.command("show")
def show(
    meeting: MeetingArg,
    format: Annotated[
        Format | None,
        typer.Option(
            "--format", "-f", help="text, markdown, html or json. Default: from the --output suffix, else text."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of printing.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --output file if it exists.")] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            "-l",
            help="en, es, fr, hi or pt (or the organisation's own catalog). Default: the meeting's language.",
        ),
    ] = None,
    root: RootOption = None,
) -> None:
    """Show a meeting's minutes: attendance, notes, decisions with votes, commitments and their state now."""
    from redflag_coord.org.reads import either, for_commitments, for_meeting

    fmt = output_format(format, output)
    # the meeting, its minutes and the commitments' state now: a broken file elsewhere is a note, as elsewhere
    org = load_valid_or_exit(root, reads=either(for_meeting(meeting), for_commitments(())))
    meeting = meeting_or_exit(org, meeting)  # did you mean
    from redflag_coord.minutes.build import build_minutes
    from redflag_coord.minutes.render import render

    view = build_minutes(org, meeting, lang)
    write_output(render(view, fmt), output, force)
