"""`redflag-coord agenda MEETING`"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from redflag_coord.cli.commands.common import (
    collective_or_exit,
    format_for,
    load_valid_or_exit,
    meeting_or_exit,
    normalise_id,
    write_output,
)
from redflag_coord.cli.commands.options import IdentityOption, MeetingArgument, RootOption, parse_date


class Format(str, Enum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"


def agenda(
    meeting: MeetingArgument,
    format: Annotated[
        Format | None,
        typer.Option(
            "--format",
            "-f",
            help="text, markdown, html or json. Default: from the --output suffix (.txt .md .html .json), else text.",
            show_default=False,
        ),
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
            help="Language of labels, dates and times: en, es, fr, hi or pt (or the organisation's own catalog). "
            "Default: the --for collective's language, else the meeting's.",
            show_default=False,
        ),
    ] = None,
    for_collective: Annotated[
        str | None,
        typer.Option(
            "--for",
            help="Render for one collective: its language and its own zone first, and the requests made to it.",
            show_default=False,
        ),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            help="For a recurring meeting: the date (YYYY-MM-DD) of the "
            "occurrence. Default: the next one on or after today.",
            show_default=False,
        ),
    ] = None,
    include_private: Annotated[
        bool,
        typer.Option(
            "--include-private",
            help="Also show private fields (the contact of the member who filed each report). Off by default.",
        ),
    ] = False,
    identity: IdentityOption = None,
    root: RootOption = None,
) -> None:
    """Build a meeting's agenda: times in every collective's zone, items, reports, missing reports.

    Exit 0 ok, 1 problems in the data (printed, as by 'validate'), 2 usage error
    (unknown meeting id, collective, language or date).
    """
    fmt = format_for(format.value if format else None, output, tuple(f.value for f in Format))
    day = parse_date(on, "--on")
    from redflag_coord.org.reads import for_meeting

    meeting = normalise_id(meeting)  # a file name or path is forgiven; the lookup below says "did you mean"
    purpose = "their filers' contacts are left out" if include_private else None
    org = load_valid_or_exit(
        root,
        reads=for_meeting(meeting, collectives=[for_collective or ""], members=include_private),
        identity=identity,
        purpose=purpose,
        contact=True,
    )
    meeting = meeting_or_exit(org, meeting)
    if for_collective is not None:
        for_collective = collective_or_exit(org, for_collective, "--for")
    from redflag_coord.agenda.build import build_agenda
    from redflag_coord.agenda.text import RENDERERS

    result = build_agenda(
        org, meeting, lang=lang, for_collective=for_collective, include_private=include_private, on=day
    )
    write_output(RENDERERS[fmt](result), output, force)
