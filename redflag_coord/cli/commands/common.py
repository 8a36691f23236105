"""Options and exits shared by the commands. Imports only typer and the stdlib."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from redflag_coord.org.load import Organisation
    from redflag_coord.org.model import Settings
    from redflag_coord.org.reads import Reads

EXIT_OK = 0
EXIT_DATA = 1  # problems in the data
EXIT_USAGE = 2  # the command was called wrongly (also click's own usage errors)
EXIT_INTERNAL = 70  # a bug in redflag-coord (EX_SOFTWARE)

RootOption = Annotated[
    Path | None,
    typer.Option(
        "--root",
        "-C",
        help="Organisation repository (a folder holding collectives/). Default: search upwards from here.",
        envvar="REDFLAG_ROOT",
        show_default=False,
    ),
]


IdentityOption = Annotated[
    Path | None,
    typer.Option(
        "--identity",
        "-i",
        help="age identity file (or unencrypted ssh-ed25519 key) that opens encrypted private values. "
        "Default: REDFLAG_IDENTITY. Without one, everything that needs no private value still works.",
        show_default=False,
    ),
]


def read_identity_or_exit(option: Path | None):  # -> crypt.Identities | None
    """The identities from --identity or REDFLAG_IDENTITY, or None when neither is given."""
    from redflag_coord.crypt import CryptError, identity_from_env, read_identities

    path = identity_from_env(option)
    if path is None:
        return None
    try:
        return read_identities(path)
    except CryptError as e:
        fail(str(e), EXIT_USAGE)


def fail(message: str, code: int = EXIT_DATA) -> NoReturn:
    from redflag_coord.org.problems import safe  # a path or value the user typed may hold terminal escapes

    typer.echo(f"redflag-coord: {safe(message)}", err=True)
    raise typer.Exit(code)


def find_root_or_exit(start: Path | None) -> Path:
    from redflag_coord.org.load import RootNotFound, find_root

    if start is not None and not start.exists():
        fail(f"{start}: no such file or folder", EXIT_USAGE)
    try:
        return find_root(start)
    except RootNotFound as e:
        fail(str(e), EXIT_USAGE)


def load_valid_or_exit(
    start: Path | None,
    strict: bool = False,
    reads: Reads | None = None,
    identity: Path | None = None,
    purpose: str | None = None,
    contact: bool | None = None,
) -> Organisation:
    """Load the organisation; stop with the problems (exit 1) if a file the command reads has errors.

    `reads` (see org.reads): the files this command reads. A problem in any other file does not stop
    it: one line says how many there are and that 'validate' shows them. Without `reads`, every file.
    Encrypted private values are opened with the identity (--identity or REDFLAG_IDENTITY); the
    rest are withheld. When the command needs them (`purpose` says for what), one line says so.
    """
    from redflag_coord.org.problems import render_text
    from redflag_coord.org.secrets import withhold
    from redflag_coord.org.validate import validate_path

    identities = read_identity_or_exit(identity)  # a key holder's commands check the values they can open
    outcome = validate_path(find_root_or_exit(start), identities=identities)
    blocking = [p for p in outcome.problems if p.severity == "error" or strict]
    mine = blocking
    if reads is not None:
        test = reads(outcome.org)
        mine = [p for p in blocking if test(p.file)]
    if mine:
        typer.echo(render_text(mine), err=True)
        fail(f"{len(mine)} problem(s) in the data; fix them (see 'redflag-coord validate') and run again")
    elsewhere = len(blocking) - len(mine)
    if elsewhere:
        typer.echo(
            f"redflag-coord: note: {elsewhere} problem(s) in files this command does not read; "
            "'redflag-coord validate' shows them",
            err=True,
        )
    withhold(outcome.org)
    note = outcome.opened.note(purpose, contact) if outcome.opened is not None and purpose else None
    if note:
        typer.echo(f"redflag-coord: note: {note}", err=True)
    return outcome.org


def load_settings_or_exit(root: Path) -> Settings:
    """organisation.toml (defaults when absent); stop with its problems (exit 1) if it has errors."""
    from redflag_coord.org.problems import located, render_text
    from redflag_coord.org.settings import SettingsError, load_settings

    try:
        return load_settings(root)
    except SettingsError as e:
        typer.echo(render_text(located(e.problems, root)), err=True)
        fail("organisation.toml has problems; fix them (see 'redflag-coord validate') and run again")


def write_output(text: str, output: Path | None, force: bool = False) -> None:
    """Print to stdout, or write a file atomically (refusing to overwrite unless forced)."""
    if output is None or str(output) == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    from redflag_coord.repo.fsio import WriteError, atomic_write

    try:
        atomic_write(output, text.encode("utf-8"), overwrite=force)
    except WriteError as e:
        fail(str(e), EXIT_USAGE if e.usage else EXIT_DATA)
    typer.echo(f"wrote {output}", err=True)
