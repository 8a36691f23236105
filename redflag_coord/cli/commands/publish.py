"""`redflag-coord publish DIR`"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from redflag_coord.cli.commands.common import EXIT_USAGE, fail, load_settings_or_exit, load_valid_or_exit
from redflag_coord.cli.commands.options import DomainOption, IdentityOption, RootOption


def publish(
    folder: Annotated[
        Path, typer.Argument(metavar="DIR", help="The folder to write (new, empty, or published before).")
    ],
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            metavar="URL",
            show_default=False,
            help="Where the folder will be served (https://...): the index shows the feeds' subscription addresses.",
        ),
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", "-l", help="Language of the index page (agendas come in every participant's).")
    ] = "en",
    domain: DomainOption = None,
    identity: IdentityOption = None,
    root: RootOption = None,
) -> None:
    """Write a static site to host anywhere: an index of meetings with times in every collective's zone,
    each agenda in its participants' languages, and the feeds (the organisation's and one per collective).

    No private field, and collectives rather than members (handles only with organisation.toml
    [publish] members = true). Before anything is written every page is searched for member handles and
    for every private value this run can read (more with --identity): a hit stops it, nothing written.
    The same repository gives the same bytes (DTSTAMP from the last commit).
    Exit 0 ok, 1 problems in the data (or on a page), 2 usage error.
    """
    from redflag_coord.calendar import ics
    from redflag_coord.i18n.labels import pick_language
    from redflag_coord.org.clock import today_default
    from redflag_coord.publish.site import build_site
    from redflag_coord.publish.write import write_site

    lang = pick_language(lang, [])  # the one rule (es-MX -> es); an unknown one: exit 2, as for agenda --lang
    url = _base_url(base_url)
    org = load_valid_or_exit(root, identity=identity)  # what a key opens is looked for on every page
    org_settings = load_settings_or_exit(org.root)
    cal = org_settings.calendar  # the same UIDs and organisers as 'invite' and 'calendar'
    stamp, reproducible = ics.stamp_from_history(org.root)
    settings = ics.settings_for(cal, domain, stamp)
    pages, warnings = build_site(org, settings, today_default(), lang, url, members=org_settings.publish.members)
    if not reproducible:
        warnings.append("not in a git repository: DTSTAMP is now (set SOURCE_DATE_EPOCH for the same bytes each run)")
    written, removed = write_site(folder, pages)
    for warning in warnings:
        typer.echo(f"redflag-coord: warning: {warning}", err=True)
    for rel in removed:
        typer.echo(f"removed {folder / rel}", err=True)
    typer.echo(f"wrote {written} file(s) to {folder}", err=True)


def _base_url(value: str | None) -> str | None:
    if value is None:
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
        fail(f"--base-url {value!r} is not a web address such as https://example.org/meetings/", EXIT_USAGE)
    return value if value.endswith("/") else value + "/"
