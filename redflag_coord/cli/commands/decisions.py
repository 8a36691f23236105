"""`redflag-coord decisions`"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from redflag_coord.cli.commands.common import (
    load_settings_or_exit,
    load_valid_or_exit,
    output_format,
    write_output,
)
from redflag_coord.cli.commands.options import RootOption


class Format(str, Enum):
    text = "text"
    json = "json"
    csv = "csv"


def decisions(
    format: Annotated[Format | None, typer.Option("--format", "-f", help="text, json or csv.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of printing.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --output file if it exists.")] = False,
    root: RootOption = None,
) -> None:
    """Every decision and vote in the minutes: its motion, the rule in force and the result it computes.

    Collectives, never people; how many members of a collective voted each way shows only when
    organisation.toml allows members on the site ([publish] members = true).
    """
    from redflag_coord.minutes.decisions import build_decisions, render_csv, render_json, render_text
    from redflag_coord.org.reads import for_commitments

    fmt = output_format(format, output, {".txt": "text", ".json": "json", ".csv": "csv"})
    org = load_valid_or_exit(root, reads=for_commitments())
    settings = load_settings_or_exit(org.root)
    entries = build_decisions(org, settings.decisions, members=settings.publish.members)
    render = {"text": render_text, "json": render_json, "csv": render_csv}[fmt]
    write_output(render(entries), output, force)
