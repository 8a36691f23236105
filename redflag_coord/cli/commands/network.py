"""`redflag-coord network [COLLECTIVE]`"""

from __future__ import annotations

import shutil
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from redflag_coord.cli.commands.common import (
    EXIT_USAGE,
    collective_or_exit,
    fail,
    format_for,
    load_valid_or_exit,
    normalise_id,
    write_output,
)
from redflag_coord.cli.commands.options import IdentityOption, OptionalCollectiveArgument, RootOption, parse_date


class Format(str, Enum):
    text = "text"
    json = "json"
    html = "html"


def network(
    collective: OptionalCollectiveArgument = None,
    root: RootOption = None,
    format: Annotated[
        Format | None,
        typer.Option(
            "--format",
            "-f",
            help="text, json, or html (self-contained, with charts). "
            "Default: from the --output suffix (.txt .json .html), else text.",
            show_default=False,
        ),
    ] = None,
    include_private: Annotated[
        bool,
        typer.Option(
            "--include-private",
            help="Also show pseudonyms, workplaces, notes and Red Flag sites. "
            "Needs a COLLECTIVE: one collective at a time.",
        ),
    ] = False,
    stale_weeks: Annotated[
        int,
        typer.Option(
            "--stale-weeks", min=1, max=520, help="Count a relationship as without contact after this many weeks."
        ),
    ] = 8,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="YYYY-MM-DD",
            show_default=False,
            help="Count movement from this date. Default: the collective's previous report (to the "
            "latest meeting already held).",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file instead of the screen.", show_default=False),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --output if it exists.")] = False,
    identity: IdentityOption = None,
) -> None:
    """Relationship circles and Red Flag networks, per collective and per comrade.

    Relationships by stage and nature; movement since the previous report (new, moved up a stage,
    no contact for --stale-weeks); the funnel from reader to recruit; Red Flag copies, sites and
    readers report by report; comrades who hold no relationships yet. Counts only, unless
    --include-private.
    """
    if include_private and collective is None:
        fail(
            "--include-private shows pseudonyms for one collective at a time: name the collective, "
            "e.g. 'redflag-coord network los-angeles --include-private'",
            EXIT_USAGE,
        )
    start = parse_date(since, "--since")
    fmt = format_for(format.value if format else None, output, tuple(f.value for f in Format))

    from redflag_coord.network.build import network as compute
    from redflag_coord.network.render import RENDERERS
    from redflag_coord.org.clock import now_or_today, today_default
    from redflag_coord.org.reads import for_collective

    purpose = "pseudonyms, workplaces and notes show as '(encrypted)' or not at all" if include_private else None
    org = load_valid_or_exit(
        root,
        reads=for_collective(normalise_id(collective)) if collective is not None else None,
        identity=identity,
        purpose=purpose,
        contact=False,
    )
    if collective is not None:
        collective = collective_or_exit(org, collective)
    result = compute(
        org,
        collective,
        today=today_default(),
        stale_weeks=stale_weeks,
        include_private=include_private,
        since=start,
        now=now_or_today(),
    )
    if fmt == "text":
        from redflag_coord.network.render import render_text

        write_output(render_text(result, width=_text_width(output)), output, force)
    else:
        write_output(RENDERERS[fmt](result), output, force)


def _text_width(output: Path | None) -> int:
    """The terminal's width when writing to one; 100 columns into a pipe or a file."""
    if output is None and sys.stdout.isatty():
        return shutil.get_terminal_size((100, 24)).columns
    return 100
