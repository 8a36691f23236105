"""`redflag-coord articles status [EDITION]`"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from redflag_coord.cli.commands.common import load_settings_or_exit, load_valid_or_exit, output_format, write_output
from redflag_coord.cli.commands.options import RootOption

app = typer.Typer(
    name="articles",
    help="Red Flag articles and their translations, language by language.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


class Format(str, Enum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"


@app.command("status")
def status(
    edition: Annotated[
        str | None,
        typer.Argument(
            metavar="EDITION",
            help="An edition some article names in 'editions', e.g. red-flag-2026-12. Default: every article.",
            show_default=False,
        ),
    ] = None,
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
            help="en, es, fr, hi or pt (or the organisation's own catalog). Default: the organisation's language.",
        ),
    ] = None,
    root: RootOption = None,
) -> None:
    """The edition table: one row per article, one column per language (published, reviewed, stale,
    claimed by a collective, requested, or no translation).

    A translation is stale when the source text changed since the rev it was made from (from_rev);
    the JSON gives each source text's rev now. Collectives are named, never members.
    """
    from redflag_coord.articles.build import build_status
    from redflag_coord.articles.render import render
    from redflag_coord.org.reads import for_articles

    fmt = output_format(format, output)
    org = load_valid_or_exit(root, reads=for_articles())
    preferred = [load_settings_or_exit(org.root).defaults.language]
    write_output(render(build_status(org, edition, lang, preferred), fmt), output, force)
