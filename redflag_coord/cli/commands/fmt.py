"""`redflag-coord fmt [--check] [PATHS]`"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from redflag_coord.cli.commands.common import EXIT_DATA, EXIT_OK, EXIT_USAGE, fail, find_root_or_exit
from redflag_coord.cli.commands.options import RootOption


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

    targets, base = _targets(paths, root)
    _render(format_paths(targets, base, write=not check), check, diff)


def _targets(paths: list[Path] | None, root: Path | None) -> tuple[list[Path], Path]:
    """The files or folders to format and the folder their names are shown from."""
    if paths:
        missing = [p for p in paths if not p.exists()]
        if missing:
            fail(f"{missing[0]}: no such file or folder", EXIT_USAGE)
        return [_data_path(p) for p in paths], Path.cwd()
    found = find_root_or_exit(root)
    return [found / "collectives"], found


def _data_path(path: Path) -> Path:
    """A path fmt may rewrite: in an organisation's collectives/, or its organisation.toml (the root
    itself means its collectives/). Anything else, another project's pyproject.toml, is refused (exit 2)."""
    from redflag_coord.org.load import COLLECTIVES, RootNotFound, find_root
    from redflag_coord.org.settings import SETTINGS_FILE

    try:
        org = find_root(path).absolute()
    except RootNotFound:
        org = None
    full = Path(os.path.abspath(path))
    if org is not None:
        if full == org:
            return path / COLLECTIVES
        if full == org / SETTINGS_FILE or full.is_relative_to(org / COLLECTIVES):
            return path
    where = f"the organisation {org}" if org is not None else "any organisation (no collectives/ folder above it)"
    fail(
        f"{path} is not a data file of {where}: fmt rewrites only the files in an organisation's "
        f"{COLLECTIVES}/ and its {SETTINGS_FILE}; give one of those, or run 'redflag-coord fmt' inside the "
        "repository (or with --root)",
        EXIT_USAGE,
    )


def _render(results: list, check: bool, diff: bool) -> None:
    """Each file that failed (stderr) or changed, the count line; exit 1 if --check found changes or a file failed."""
    failed = [r for r in results if r.error is not None]
    changed = [r for r in results if r.changed and r.error is None]
    _say_failed(failed)
    _say_changed(changed, check, diff)
    done = "would be reformatted" if check else "reformatted"
    typer.echo(f"{len(changed)} of {len(results)} file(s) {done}", err=True)
    raise typer.Exit(EXIT_DATA if failed or (check and changed) else EXIT_OK)


def _say_failed(failed: list) -> None:
    from redflag_coord.org.problems import safe

    for r in failed:
        where = f"{safe(r.rel)}:{r.error.line}:{r.error.column or 1}" if r.error.line else safe(r.rel)
        typer.echo(f"{where}: error[fmt]: {safe(str(r.error))}", err=True)


def _say_changed(changed: list, check: bool, diff: bool) -> None:
    from redflag_coord.org.problems import safe

    for r in changed:
        typer.echo(f"would reformat {safe(r.rel)}" if check else f"reformatted {safe(r.rel)}")
        if check and diff:  # the file's text, escaped: a bidi control or ESC in it must not reach the terminal
            typer.echo("".join(safe(line) + "\n" for line in r.diff().splitlines()), nl=False)
