"""`redflag-coord new collective|meeting`"""

from __future__ import annotations

from typing import Annotated

import typer

from redflag_coord.cli.commands.common import EXIT_USAGE, fail, load_settings_or_exit, load_valid_or_exit
from redflag_coord.cli.commands.options import RootOption, duration_option

app = typer.Typer(
    name="new",
    help="Add a collective or a meeting: commented TOML files that validate as written.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _written(root, written) -> None:
    for rel in written.paths:
        typer.echo(f"wrote {rel}")  # repository-relative, as git and validate name files
    for note in written.notes:
        typer.echo(note)


@app.command("collective")
def collective(
    slug: Annotated[str, typer.Argument(help="The folder name, e.g. 'kathmandu'.", show_default=False)],
    name: Annotated[str, typer.Option("--name", help="The collective's name.", show_default=False)],
    timezone: Annotated[str, typer.Option("--timezone", help="IANA zone, e.g. 'Asia/Kathmandu'.", show_default=False)],
    languages: Annotated[
        str | None,
        typer.Option(
            "--languages", help="Language codes, preferred first (default: organisation.toml's).", show_default=False
        ),
    ] = None,
    root: RootOption = None,
) -> None:
    """Add collectives/SLUG/ with collective.toml and members.toml. Refuses an existing slug.

    Exit 0 done, 1 problems in the data, 2 usage error.
    """
    from redflag_coord.scaffold.new import new_collective

    org = load_valid_or_exit(root)
    settings = load_settings_or_exit(org.root)
    codes = _split(languages) if languages is not None else [settings.defaults.language]
    written = new_collective(org.root, org, slug, name, timezone, codes)
    _written(org.root, written)
    typer.echo(f"Next: add members to collectives/{slug}/members.toml and hours ([availability])")


@app.command("meeting")
def meeting(
    meeting_id: Annotated[str, typer.Argument(help="The meeting id (its file name), e.g. 'ic-2027-01'.")],
    convener: Annotated[str, typer.Option("--convener", help="The collective that convenes it.", show_default=False)],
    start: Annotated[
        str, typer.Option("--start", help="Local wall time, e.g. 2027-01-16T15:00 (see 'slots').", show_default=False)
    ],
    participants: Annotated[
        str, typer.Option("--participants", help="Collective slugs, comma-separated.", show_default=False)
    ],
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", help="IANA zone of the start. Default: the convener's.", show_default=False),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Default: the id.", show_default=False)] = None,
    duration: Annotated[int, duration_option("--duration", "Meeting length (default 2h).")] = 120,
    language: Annotated[
        str | None, typer.Option("--language", help="Default: organisation.toml's, else the convener's.")
    ] = None,
    reports_due_days: Annotated[
        int | None,
        typer.Option(
            "--reports-due-days",
            help="Days before the meeting that reports are due (0: none). Default: organisation.toml's (7).",
            show_default=False,
        ),
    ] = None,
    allow_past: Annotated[
        bool, typer.Option("--allow-past", help="Accept a start in the past (to record a meeting already held).")
    ] = False,
    root: RootOption = None,
) -> None:
    """Add collectives/CONVENER/meetings/ID.toml. Refuses an id already used; a start that does
    not exist or happens twice in the zone (a clock change) is refused, never guessed; so are a start
    in the past (unless --allow-past) and a date without a time (write T00:00 for midnight).

    Exit 0 done, 1 problems in the data, 2 usage error.
    """
    from redflag_coord.scaffold.new import MeetingSpec, new_meeting

    if reports_due_days is not None and not 0 <= reports_due_days <= 365:
        fail("--reports-due-days: between 0 and 365", EXIT_USAGE)
    org = load_valid_or_exit(root)
    settings = load_settings_or_exit(org.root)
    spec = MeetingSpec(
        meeting_id,
        convener,
        start,
        tuple(_split(participants)),
        timezone,
        title,
        duration,
        language,
        reports_due_days,
        allow_past,
    )
    written = new_meeting(org.root, org, spec, settings)
    _written(org.root, written)
