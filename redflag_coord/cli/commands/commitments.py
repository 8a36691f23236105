"""`redflag-coord commitments [COLLECTIVE]`"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from redflag_coord.cli.commands.common import (
    EXIT_USAGE,
    SUFFIXES,
    collective_or_exit,
    fail,
    load_settings_or_exit,
    load_valid_or_exit,
    output_format,
    write_output,
)
from redflag_coord.cli.commands.options import RootOption


class Format(str, Enum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"
    ics = "ics"


def commitments(
    collective: Annotated[
        str | None,
        typer.Argument(
            metavar="COLLECTIVE", help="Only what this collective owes (its folder name).", show_default=False
        ),
    ] = None,
    format: Annotated[
        Format | None,
        typer.Option(
            "--format",
            "-f",
            help="text, markdown, html, json or ics (VTODO tasks: the open ones, and the closed ones the look-back "
            "shows, as completed or cancelled).",
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
            help="en, es, fr, hi or pt (or the organisation's own catalog). Default: the collective's language.",
        ),
    ] = None,
    days: Annotated[
        int, typer.Option("--days", min=0, max=3650, help="Show those done or dropped this many days back.")
    ] = 180,
    domain: Annotated[
        str | None, typer.Option("--domain", envvar="REDFLAG_DOMAIN", help="For ics: the domain of the task UIDs.")
    ] = None,
    root: RootOption = None,
) -> None:
    """Commitments by owner: open (overdue first, due dates in the owner's zone) and recently done.

    A commitment comes from a meeting's minutes or is a request in a report; it is overdue once its
    due day has ended in the owner's zone.
    """
    from redflag_coord.org.reads import for_commitments

    fmt = output_format(format, output, {**SUFFIXES, ".ics": "ics"})
    # the files commitments come from: a broken file elsewhere is a note, as in every other command
    org = load_valid_or_exit(root, reads=for_commitments(None if collective is None else [collective]))
    collective = collective_or_exit(org, collective) if collective is not None else None  # did you mean
    from redflag_coord.minutes.build import build_commitments

    listing = build_commitments(org, collective, lang, days=days)
    if fmt == "ics":
        from redflag_coord.calendar import ics
        from redflag_coord.minutes.ics import render_ics

        cal = load_settings_or_exit(org.root).calendar  # the same UIDs' domain and organisers as 'invite'
        try:
            settings = ics.settings_for(cal, ics.check_domain(domain) if domain else None, ics.stamp_default())
            text = render_ics(listing, org, settings).decode("utf-8")
        except ics.CalendarError as e:  # --domain or REDFLAG_DTSTAMP, this command's inputs to the calendar
            fail(str(e), EXIT_USAGE)
        write_output(text, output, force)
        return
    from redflag_coord.minutes.render import render

    write_output(render(listing, fmt), output, force)
