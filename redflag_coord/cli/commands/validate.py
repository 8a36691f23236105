"""`redflag-coord validate [PATH]`"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from redflag_coord.cli.commands.common import (
    EXIT_DATA,
    EXIT_OK,
    EXIT_USAGE,
    IdentityOption,
    RootOption,
    fail,
    find_root_or_exit,
    read_identity_or_exit,
)


class Format(str, Enum):
    text = "text"
    json = "json"
    github = "github"


def validate(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Organisation folder, its collectives/ folder, or files in it to report on. "
            "Default: the repository around the current folder.",
            show_default=False,
        ),
    ] = None,
    format: Annotated[
        Format, typer.Option("--format", "-f", help="Output: text, json, or github (workflow annotations).")
    ] = Format.text,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1).")] = False,
    changed: Annotated[
        bool,
        typer.Option(
            "--changed",
            help="Check only the files changed since REV, committed or not, plus the "
            "references that touch them: `validate --changed [REV]`, where REV takes the place of PATH. "
            "Default base, the first that exists: the branch's upstream, origin/main, origin/master, main, "
            "master (its merge-base with HEAD); the base used is printed. When it is HEAD itself and "
            "nothing changed, every file is checked.",
        ),
    ] = False,
    root: RootOption = None,
    identity: IdentityOption = None,
) -> None:
    """Check every file against its schema and against the others.

    Prints each problem as path:line:col: severity[code]: key: message.
    Exit 0 clean, 1 problems in the data, 2 usage error.
    """
    from redflag_coord.org.problems import RENDERERS
    from redflag_coord.org.validate import validate_tree

    if changed:
        rev = None if path is None or path.exists() else str(path)
        _validate_changed(find_root_or_exit(root if rev or path is None else path), rev, format, strict)
    found = find_root_or_exit(path if path is not None else root)
    outcome = validate_tree(found, identities=read_identity_or_exit(identity))
    problems = outcome.problems
    only = _only_files(found, path)
    if only is None:
        from redflag_coord.org.keychecks import check_keys  # secret keys in the tree and history, DEMO/ssh keys

        problems = sorted([*problems, *_commit_identities(found), *check_keys(outcome.org)], key=lambda p: p.sort_key())
    if only is not None:
        problems = [p for p in problems if p.file == only or p.file.startswith(only + "/")]
    if problems or format is Format.json:
        typer.echo(RENDERERS[format.value](problems))
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if format is Format.text:
        note = outcome.opened.note("the private-text check did not look for them") if outcome.opened else None
        if note:
            typer.echo(f"redflag-coord: note: {note}", err=True)
        files = "" if only is not None else f" in {_count_files(outcome)} files"
        typer.echo(f"{errors} error(s), {warnings} warning(s){files}", err=True)
    raise typer.Exit(EXIT_DATA if errors or (strict and warnings) else EXIT_OK)


def _validate_changed(root: Path, rev: str | None, format: Format, strict: bool) -> None:
    from redflag_coord.org.changed import validate_changed
    from redflag_coord.org.problems import RENDERERS
    from redflag_coord.repo.gitinfo import GitError, changed_against

    try:
        base, paths = changed_against(root, rev)
    except GitError as e:
        fail(f"--changed needs a git repository: {e}", EXIT_USAGE)
    if base is not None:
        typer.echo(f"redflag-coord: comparing with {base.describe()}", err=True)
    outcome = validate_changed(root, paths)
    if base is not None and base.is_head and not outcome.changed and not outcome.full:
        # nothing to compare with: never a silent "0 changed files"; check everything instead
        typer.echo("redflag-coord: no changed data files against HEAD: checking every file", err=True)
        _validate_all(root, format, strict)
    from redflag_coord.org.keychecks import tree_keys  # a secret key about to be committed stops the hook

    outcome.problems.extend(tree_keys(root))
    problems = outcome.problems
    if problems or format is Format.json:
        typer.echo(RENDERERS[format.value](problems))
    warnings = len(problems) - outcome.errors
    if format is Format.text:
        scope = (
            "all files (a collective was removed)"
            if outcome.full
            else (f"{len(outcome.changed)} changed file(s), {len(outcome.read)} read")
        )
        typer.echo(f"{outcome.errors} error(s), {warnings} warning(s) in {scope}", err=True)
    raise typer.Exit(EXIT_DATA if outcome.errors or (strict and warnings) else EXIT_OK)


def _validate_all(root: Path, format: Format, strict: bool) -> NoReturn:
    from redflag_coord.org.keychecks import check_keys
    from redflag_coord.org.problems import RENDERERS
    from redflag_coord.org.validate import validate_tree

    outcome = validate_tree(root)
    problems = [*outcome.problems, *check_keys(outcome.org)]
    if problems or format is Format.json:
        typer.echo(RENDERERS[format.value](problems))
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if format is Format.text:
        typer.echo(f"{errors} error(s), {warnings} warning(s) in {_count_files(outcome)} files", err=True)
    raise typer.Exit(EXIT_DATA if errors or (strict and warnings) else EXIT_OK)


def _commit_identities(root: Path) -> list:
    from redflag_coord.org.problems import Problems
    from redflag_coord.org.secrets import check_commit_identities
    from redflag_coord.repo.gitinfo import commit_emails

    out = Problems()
    check_commit_identities(commit_emails(root), out)
    return out.items


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
    """Every data file looked at, including those that failed to load."""
    return len(outcome.org.files)
