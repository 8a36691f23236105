"""`redflag-coord init DIR`"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from redflag_coord.cli.commands.common import EXIT_DATA, EXIT_USAGE, fail


def init(
    folder: Annotated[Path, typer.Argument(help="A new or empty folder.", show_default=False)],
    timezone: Annotated[
        str, typer.Option("--timezone", help="IANA zone of the committee, e.g. 'America/Los_Angeles'.")
    ] = "UTC",
    language: Annotated[str, typer.Option("--language", help="Language code of the committee.")] = "en",
) -> None:
    """Start a new organisation repository: a committee, one collective, one meeting,
    a .gitignore, a GitHub Actions workflow that checks pull requests, and JSON
    Schemas with a taplo config so editors check the TOML files while typing.

    Refuses a folder that is not empty. Exit 0 done, 2 usage error.
    """
    from redflag_coord.org.validate import today_default
    from redflag_coord.repo.fsio import WriteError
    from redflag_coord.scaffold.init import InitError, Options, init_repository

    try:
        written = init_repository(folder, Options(timezone, language), today_default())
    except InitError as e:
        fail(str(e), EXIT_USAGE)
    except (WriteError, OSError) as e:
        fail(str(e), EXIT_DATA)
    for rel in written:
        typer.echo(f"wrote {folder / rel}")
    typer.echo(f"Next: cd {folder} && git init && redflag-coord validate")
