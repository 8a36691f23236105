"""`redflag-coord validate [PATH]`"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from .common import EXIT_DATA, EXIT_OK, find_root_or_exit


class Format(str, Enum):
    text = "text"
    json = "json"
    github = "github"


def validate(
    path: Annotated[
        Path | None,
        typer.Argument(help="Organisation folder, its collectives/ folder, or files in it to report on. "
                       "Default: the repository around the current folder.", show_default=False),
    ] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output: text, json, or github (workflow annotations).")] = Format.text,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1).")] = False,
) -> None:
    """Check every file against its schema and against the others.

    Prints each problem as path:line:col: severity[code]: key: message.
    Exit 0 clean, 1 problems in the data, 2 usage error.
    """
    from ..problems import RENDERERS
    from ..validate import validate_path

    root = find_root_or_exit(path)
    outcome = validate_path(root)
    problems = outcome.problems
    only = _only_files(root, path)
    if only is not None:
        problems = [p for p in problems if p.file == only or p.file.startswith(only + "/")]
    if problems or format is Format.json:
        typer.echo(RENDERERS[format.value](problems))
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if format is Format.text:
        files = "" if only is not None else f" in {_count_files(outcome)} files"
        typer.echo(f"{errors} error(s), {warnings} warning(s){files}", err=True)
    raise typer.Exit(EXIT_DATA if errors or (strict and warnings) else EXIT_OK)


def _only_files(root: Path, path: Path | None) -> str | None:
    """A file or sub-folder below the collectives to report on, as a relative path."""
    if path is None:
        return None
    here = path.absolute()
    if here == root.absolute() or here == (root / "collectives").absolute():
        return None
    try:
        return here.relative_to(root.absolute()).as_posix()
    except ValueError:
        return None


def _count_files(outcome) -> int:
    n = 0
    for c in outcome.org.collectives.values():
        n += sum(x is not None for x in (c.info, c.members, c.relationships))
        n += len(c.meetings) + len(c.reports)
    return n
