"""`redflag-coord fmt [--check] [PATHS]`"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from redflag_coord.cli.commands.common import EXIT_DATA, EXIT_OK, EXIT_USAGE, RootOption, fail, find_root_or_exit


def fmt(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="TOML files or folders. Default: the collectives/ folder of the repository.", show_default=False
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Change nothing; list the files that would change and exit 1 if there are any."),
    ] = False,
    diff: Annotated[bool, typer.Option("--diff", help="With --check: also print what would change.")] = False,
    root: RootOption = None,
) -> None:
    """Write the TOML files in one canonical layout, keeping every comment and unknown key.

    Keys follow the model's order; one blank line before each table; arrays on one
    line when they fit. Exit 0 done (or nothing to change), 1 files would change
    (--check) or could not be formatted, 2 usage error.
    """
    from redflag_coord.edit.fmt import format_paths
    from redflag_coord.org.problems import safe

    if paths:
        missing = [p for p in paths if not p.exists()]
        if missing:
            fail(f"{missing[0]}: no such file or folder", EXIT_USAGE)
        targets, base = list(paths), Path.cwd()
    else:
        found = find_root_or_exit(root)
        targets, base = [found / "collectives"], found
    results = format_paths(targets, base, write=not check)
    failed = [r for r in results if r.error is not None]
    changed = [r for r in results if r.changed and r.error is None]
    for r in failed:
        assert r.error is not None
        where = f"{safe(r.rel)}:{r.error.line}:{r.error.column or 1}" if r.error.line else safe(r.rel)
        typer.echo(f"{where}: error[fmt]: {safe(str(r.error))}", err=True)
    for r in changed:
        typer.echo(f"would reformat {safe(r.rel)}" if check else f"reformatted {safe(r.rel)}")
        if check and diff:  # the file's text, escaped: a bidi control or ESC in it must not reach the terminal
            typer.echo("".join(safe(line) + "\n" for line in r.diff().splitlines()), nl=False)
    n = len(results)
    if check:
        typer.echo(f"{len(changed)} of {n} file(s) would be reformatted", err=True)
        raise typer.Exit(EXIT_DATA if changed or failed else EXIT_OK)
    typer.echo(f"{len(changed)} of {n} file(s) reformatted", err=True)
    raise typer.Exit(EXIT_DATA if failed else EXIT_OK)
