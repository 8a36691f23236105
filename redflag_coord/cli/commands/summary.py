"""`redflag-coord summary`"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from redflag_coord.cli.commands.common import load_valid_or_exit
from redflag_coord.cli.commands.options import RootOption


class Format(str, Enum):
    text = "text"
    json = "json"


def summary(
    root: RootOption = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="text or json")] = Format.text,
) -> None:
    """Overview of the organisation: collectives, zones, members, meetings and reports (counts only)."""
    import json

    from redflag_coord.org.summary import render_text, summarise

    s = summarise(load_valid_or_exit(root))
    if format is Format.json:
        typer.echo(json.dumps(s.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(render_text(s))
