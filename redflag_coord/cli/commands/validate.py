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
    fail,
    find_root_or_exit,
    read_identity_or_exit,
)
from redflag_coord.cli.commands.options import IdentityOption, RootOption


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
    commit_msg: Annotated[
        Path | None,
        typer.Option(
            "--commit-msg",
            metavar="FILE",
            help="Check a commit message (the commit-msg hook passes .git/COMMIT_EDITMSG) and the author's "
            "name and address (git var GIT_AUTHOR_IDENT) for private text, instead of the files.",
            show_default=False,
        ),
    ] = None,
    root: RootOption = None,
    identity: IdentityOption = None,
) -> None:
    """Check every file against its schema and against the others.

    Prints each problem as path:line:col: severity[code]: key: message.
    Exit 0 clean, 1 problems in the data, 2 usage error.
    """
    from redflag_coord.check.validate import validate_tree

    identities = read_identity_or_exit(identity)
    if commit_msg is not None:
        _validate_message(find_root_or_exit(root, settle=False), commit_msg, format, identities)
    if changed:
        rev = None if path is None or path.exists() else str(path)
        _validate_changed(
            find_root_or_exit(root if rev or path is None else path, settle=False), rev, format, strict, identities
        )
    found = find_root_or_exit(path if path is not None else root, settle=False)
    outcome = validate_tree(found, identities=identities)
    only = _only_files(found, path)
    problems = _shown(outcome, found, only)
    note = outcome.opened.note("the private-text check did not look for them") if outcome.opened else None
    _report(problems, format, strict, "" if only is not None else f" in {_count_files(outcome)} files", note)


def _shown(outcome, root: Path, only: str | None) -> list:
    """The whole tree's problems with what lies around the files (the registry's repository checks), or
    those of the files asked for."""
    from redflag_coord.check.registry import run_repository
    from redflag_coord.org.problems import Problems

    if only is None:
        out = Problems(list(outcome.problems))
        run_repository(outcome.org, out)
        return sorted(out.items, key=lambda p: p.sort_key())
    return [p for p in outcome.problems if p.file == only or p.file.startswith(only + "/")]


def _validate_message(root: Path, message: Path, format: Format, identities) -> NoReturn:
    """`validate --commit-msg FILE`: the commit-msg hook."""
    from redflag_coord.check.outside import message_problems

    _report(message_problems(root, message, identities), format, False, " in the commit message and author")


def _validate_changed(root: Path, rev: str | None, format: Format, strict: bool, identities) -> None:
    from redflag_coord.check.changed import validate_changed
    from redflag_coord.check.exports import candidates, export_problems
    from redflag_coord.check.keychecks import tree_keys
    from redflag_coord.check.outside import commit_problems, pseudonyms_of, read_files
    from redflag_coord.repo.gitinfo import GitError, changed_against

    try:
        base, paths = changed_against(root, rev)
    except GitError as e:  # handled here: the message says which option needs git
        fail(f"--changed needs a git repository: {e}", EXIT_USAGE)
    if base is not None:
        typer.echo(f"redflag-coord: comparing with {base.describe()}", err=True)
    outcome = validate_changed(root, paths, identities=identities)
    if base is not None:
        outcome.problems += commit_problems(root, rev, lambda: pseudonyms_of(root, identities))
    if candidates(root, paths):
        # every private value, the reports' distribution sites too: what the whole validate looks for
        private = read_files(root, identities, ("collective", "members", "relationships", "report"))
        outcome.problems += export_problems(root, private, paths)
    outcome.problems += tree_keys(root)  # a secret key about to be committed stops the hook
    if base is not None and base.is_head and not outcome.changed and not outcome.full:
        # nothing to compare with: never a silent "0 changed files"; check everything instead
        typer.echo("redflag-coord: no changed data files against HEAD: checking every file", err=True)
        _validate_all(root, format, strict, identities)
    if outcome.full:
        scope = " in all files (a collective was removed)"
    else:
        scope = f" in {len(outcome.changed)} changed file(s), {len(outcome.read)} read"
    _report(outcome.problems, format, strict, scope)


def _validate_all(root: Path, format: Format, strict: bool, identities) -> NoReturn:
    from redflag_coord.check.exports import export_problems
    from redflag_coord.check.keychecks import check_keys
    from redflag_coord.check.validate import validate_tree

    outcome = validate_tree(root, identities=identities)
    outside = [*export_problems(root, outcome.org), *check_keys(outcome.org)]
    problems = sorted([*outcome.problems, *outside], key=lambda p: p.sort_key())
    _report(problems, format, strict, f" in {_count_files(outcome)} files")


def _report(problems: list, format: Format, strict: bool, scope: str, note: str | None = None) -> NoReturn:
    """The one renderer of every validate path: the problems (always for json), then for text a note and
    the count line on stderr; exit 1 on an error (or, with --strict, a warning), else 0."""
    from redflag_coord.org.problems import RENDERERS

    if problems or format is Format.json:
        typer.echo(RENDERERS[format.value](problems))
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if format is Format.text:
        if note:
            typer.echo(f"redflag-coord: note: {note}", err=True)
        typer.echo(f"{errors} error(s), {warnings} warning(s){scope}", err=True)
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
    """Every data file looked at, including those that failed to load."""
    return len(outcome.org.files)
