"""`redflag-coord init DIR`"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from redflag_coord.cli.commands.common import EXIT_DATA, EXIT_USAGE, fail
from redflag_coord.cli.commands.options import RootOption


def init(
    folder: Annotated[
        Path | None, typer.Argument(help="A new or empty folder. Default: --root.", show_default=False)
    ] = None,
    timezone: Annotated[
        str, typer.Option("--timezone", help="IANA zone of the committee, e.g. 'America/Los_Angeles'.")
    ] = "UTC",
    language: Annotated[str, typer.Option("--language", help="Language code of the committee.")] = "en",
    install_spec: Annotated[
        str | None,
        typer.Option(
            "--install-spec",
            help="What the CI workflow gives to 'pip install' to get redflag-coord (a git URL such as "
            "'redflag-coord @ git+https://host/org/redflag-coord@v0.2', or a version on your package index). "
            "Default: where this redflag-coord was installed from.",
            show_default=False,
        ),
    ] = None,
    allow_local_spec: Annotated[
        bool,
        typer.Option(
            "--allow-local-spec",
            help="Write the workflow even when it installs redflag-coord from a path on this machine "
            "(a runner on another machine cannot reach it). Default: refuse (exit 1).",
        ),
    ] = False,
    root: RootOption = None,
) -> None:
    """Start a new organisation repository: a committee, one collective, one meeting,
    a .gitignore, a GitHub Actions workflow that checks pull requests, and JSON
    Schemas with a taplo config so editors check the TOML files while typing.

    Refuses a folder that is not empty, and a workflow that installs from this machine's disk
    unless --allow-local-spec. Exit 0 done, 1 an install spec a forge cannot reach, 2 usage error.
    """
    from redflag_coord.org.clock import today_default
    from redflag_coord.scaffold.init import Options, init_repository

    folder = folder or root
    if folder is None:
        fail("give the new organisation's folder: redflag-coord init FOLDER (or --root FOLDER)", EXIT_USAGE)
    try:
        written = init_repository(folder, Options(timezone, language, install_spec, allow_local_spec), today_default())
    except OSError as e:  # not a RedflagError: a folder the system refuses is said as a data problem (exit 1)
        fail(str(e), EXIT_DATA)
    for rel in written:
        typer.echo(f"wrote {folder / rel}")
    if install_spec is None:
        from redflag_coord import __version__
        from redflag_coord.scaffold.init import install_source

        spec, known = install_source(__version__)
        typer.echo(f"The CI workflow installs {spec!r}.", err=True)
        if allow_local_spec:
            typer.echo(
                "redflag-coord: warning: that is a path on this machine: a runner elsewhere cannot install it",
                err=True,
            )
        if not known:
            typer.echo(
                "redflag-coord: warning: this copy was installed from a package index, where that version may not "
                "be published; if CI cannot install it, run init again with --install-spec "
                "'redflag-coord @ git+https://...' (or edit .github/workflows/check.yml)",
                err=True,
            )
    typer.echo(f"Next: cd {folder} && git init && redflag-coord validate")
