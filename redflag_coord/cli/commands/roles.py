"""`redflag-coord roles next MEETING`"""

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
from redflag_coord.cli.commands.options import MeetingArgument, RootOption

app = typer.Typer(
    name="roles",
    help="The roles rota of the body holding a meeting (roles.toml): who chairs, takes the minutes, keeps time.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


class Format(str, Enum):
    text = "text"
    json = "json"


@app.command("next")
def next_(
    meeting: MeetingArgument,
    allow_repeat: Annotated[
        bool,
        typer.Option("--allow-repeat", help="Let the last holder of a role hold it again if the rule prefers it."),
    ] = False,
    format: Annotated[
        Format | None,
        typer.Option("--format", "-f", help="text or json. Default: from the --output suffix, else text."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of printing.", show_default=False)
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --output file if it exists.")] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            "-l",
            help="Language of labels, dates and times: en, es, fr, hi or pt. Default: the meeting's.",
            show_default=False,
        ),
    ] = None,
    root: RootOption = None,
) -> None:
    """Propose each role's holder at MEETING, and say why.

    Fewest turns first (counted from the minutes recorded), never the last holder again while another
    is eligible, then a holder whose local hour at the meeting's start is inside its acceptable hours;
    swaps and skips in roles.toml are honoured.
    """
    from redflag_coord.i18n.labels import pick_language
    from redflag_coord.roles.next import next_roles
    from redflag_coord.roles.render import render_json, render_text

    fmt = output_format(format, output, {".json": "json", ".txt": "text"})
    org = load_valid_or_exit(root)
    meeting = meeting_or_exit(org, meeting)  # did you mean
    proposal = next_roles(org, meeting, allow_repeat)
    if fmt == "json":
        write_output(render_json(proposal), output, force)
        return
    language = pick_language(lang, [org.meeting(meeting)[1].language])
    write_output(render_text(proposal, org, language), output, force)
