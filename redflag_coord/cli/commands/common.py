"""Options and exits shared by the commands. Imports only typer and the stdlib."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

if TYPE_CHECKING:
    from redflag_coord.org.load import Organisation
    from redflag_coord.org.model import Settings
    from redflag_coord.org.reads import Reads

EXIT_OK = 0
EXIT_DATA = 1  # problems in the data
EXIT_USAGE = 2  # the command was called wrongly (also click's own usage errors)
EXIT_INTERNAL = 70  # a bug in redflag-coord (EX_SOFTWARE)


_READ: dict[str, Any] = {}  # this command's identities, by option: a passphrase is asked once per command


def read_identity_or_exit(option: Path | None):  # -> crypt.Identities | None
    """The identities from --identity, REDFLAG_IDENTITY or REDFLAG_IDENTITY_COMMAND, or None when none is given.

    Read once per command (the app forgets them when the command ends): a command that loads the
    organisation with a key and then seals with it asks for a protected key's passphrase once."""
    from redflag_coord.crypt.identity import load

    key = str(option)
    if key not in _READ:
        _READ[key] = load(option)  # an identity that cannot be read or unlocked is a CryptError: usage, exit 2
    return _READ[key]


def forget_identities() -> None:
    """Drop the identities the command read (called by the app when a command ends)."""
    _READ.clear()


def fail(message: str, code: int = EXIT_DATA) -> NoReturn:
    """Stop the command with a message: raised as the one error type, printed by the app's one handler."""
    from redflag_coord.errors import RedflagError

    raise RedflagError(message, usage=code == EXIT_USAGE)


def find_root_or_exit(start: Path | None, settle: bool = True) -> Path:
    """The organisation's root; first, unless `settle` is False (validate), a multi-file change a killed
    command left half-done is completed or rolled back (repo.journal), with a line saying so."""
    from redflag_coord.org.load import find_root

    if start is not None and not start.exists():
        fail(f"{start}: no such file or folder", EXIT_USAGE)
    root = find_root(start)
    if settle:
        from redflag_coord.repo.journal import settle as finish

        said = finish(root)
        if said:
            typer.echo(f"redflag-coord: {said}", err=True)
    if (root / "locales").is_dir():  # the organisation's own catalogs: a language added without reinstalling
        from redflag_coord.i18n.labels import use_folder

        use_folder(root / "locales")
    return root


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
    from redflag_coord.check.validate import validate_path
    from redflag_coord.org.secrets import withhold

    identities = read_identity_or_exit(identity)  # a key holder's commands check the values they can open
    root = find_root_or_exit(start)
    before = _moment(root)
    whole = reads is None or os.environ.get("REDFLAG_READ_ALL", "") not in ("", "0")  # the old way, for comparison
    outcome = validate_path(root, identities=identities, reads=None if whole else reads)
    if _moment(root) != before and any(p.severity == "error" for p in outcome.problems):
        fail("the organisation changed while this command read it (another command wrote several files); run it again")
    _stop_on_problems(outcome, strict, reads, whole)
    withhold(outcome.org)
    note = outcome.opened.note(purpose, contact) if outcome.opened is not None and purpose else None
    if note:
        typer.echo(f"redflag-coord: note: {note}", err=True)
    return outcome.org


def _moment(root: Path) -> tuple[int, bool]:
    """What a multi-file change alters while it runs: collectives/ (a rename, a new collective) or its journal."""
    from redflag_coord.repo.journal import journal_path

    try:
        stamp = (root / "collectives").stat().st_mtime_ns
    except OSError:
        stamp = 0
    return stamp, journal_path(root).exists()


def _stop_on_problems(outcome, strict: bool, reads: Reads | None, whole: bool = True) -> None:
    """Exit 1 with the problems in the files this command reads; a note counts those elsewhere."""
    from redflag_coord.org.problems import render_text

    blocking = [p for p in outcome.problems if p.severity == "error" or strict]
    mine = blocking
    test = None
    if reads is not None:
        test = reads(outcome.org)
        mine = [p for p in blocking if test(p.file) or p.file == "collectives"]  # the tree itself: every command
    if mine:
        typer.echo(render_text(mine), err=True)
        fail(f"{len(mine)} problem(s) in the data; fix them (see 'redflag-coord validate') and run again")
    _note_elsewhere(_elsewhere(outcome, strict, len(blocking) - len(mine), test, whole))


def _elsewhere(outcome, strict: bool, counted: int, test, whole: bool) -> int:
    """The problems in files the command does not read: `counted` after a whole load; after a partial one
    (org.reads) those found in the files it loaded only for the checks (their own, and what the checks across
    files found there: a sealed value that does not open). A file left unparsed is not looked at: the note
    says what was seen, and 'validate' reads everything."""
    if whole or test is None:
        return counted
    return sum((p.severity == "error" or strict) and not test(p.file) for p in outcome.problems)


def _note_elsewhere(count: int) -> None:
    if count:
        typer.echo(
            f"redflag-coord: note: {count} problem(s) in files this command does not read; "
            "'redflag-coord validate' shows them",
            err=True,
        )


def load_settings_or_exit(root: Path) -> Settings:
    """organisation.toml (defaults when absent); stop with its problems (exit 1) if it has errors."""
    from redflag_coord.org.problems import located, render_text
    from redflag_coord.org.settings import SettingsError, load_settings

    try:
        return load_settings(root)
    except SettingsError as e:  # handled here: its problems are listed, one per line, before the one message
        typer.echo(render_text(located(e.problems, root)), err=True)
        fail("organisation.toml has problems; fix them (see 'redflag-coord validate') and run again")


def write_output(text: str, output: Path | None, force: bool = False) -> None:
    """Print to stdout, or write --output (repo.fsio.write_output: a device or pipe is written as a stream,
    never replaced; a file atomically, refusing to overwrite unless forced)."""
    if output is None or str(output) == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    from redflag_coord.repo.fsio import write_output as write

    if not write(output, text.encode("utf-8"), force=force):
        typer.echo(f"wrote {output}", err=True)


def check_output(output: Path | None, force: bool) -> None:
    """Refuse an --output that cannot be written BEFORE the command changes any data (exit 2)."""
    if output is None or str(output) == "-":
        return
    from redflag_coord.repo.fsio import check_output as check

    check(output, force=force)


# -- one wording for every command ---------------------------------------------------------------

# The suffixes an --output file may end in, and the format each one means: every command with
# formats takes its format from here when --format is not given.
SUFFIX_FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".ics": "ics",
}


def format_for(given: str | None, output: Path | None, allowed: tuple[str, ...], default: str = "text") -> str:
    """The output format: --format if given, else the --output file's suffix, else `default`.

    A suffix this command cannot write, or a folder, is a usage error naming --output.
    """
    if given is not None:
        return given
    if output is None or str(output) == "-":
        return default
    if output.is_dir() or str(output).endswith(("/", "\\")):
        fail(f"--output {str(output)!r} is a folder; give a file name such as agenda.{_suffix(allowed[0])}", EXIT_USAGE)
    found = SUFFIX_FORMATS.get(output.suffix.lower())
    if found is None or found not in allowed:
        endings = ", ".join(s for s, f in SUFFIX_FORMATS.items() if f in allowed)
        fail(
            f"--output {output.name!r}: cannot tell the format from its ending; "
            f"give --format {'|'.join(allowed)} or a file ending in {endings}",
            EXIT_USAGE,
        )
    return found


def _suffix(fmt: str) -> str:
    return next((s.lstrip(".") for s, f in SUFFIX_FORMATS.items() if f == fmt), "txt")


def normalise_id(given: str) -> str:
    """What the user meant by an id: a file name or path forgiven (`ic-2026-12.toml`, `collectives/x/`)."""
    text = given.strip().rstrip("/\\")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    return text[: -len(".toml")] if text.lower().endswith(".toml") else text


def unknown(kind: str, given: str, known: list[str], option: str | None = None) -> str:
    """The one wording for an id that names nothing (`org.load.unknown_id`: the library says it the same way)."""
    from redflag_coord.org.load import unknown_id

    return unknown_id(kind, given, known, option)


def lookup(kind: str, given: str, known: list[str] | set[str] | dict, option: str | None = None) -> str:
    """The id the user meant, or exit 2 with the one wording for unknown ids."""
    names = sorted(known)
    wanted = normalise_id(given)
    if wanted in known:
        return wanted
    fail(unknown(kind, given, names, option), EXIT_USAGE)


def meeting_or_exit(org: Organisation, given: str, option: str | None = None) -> str:
    return lookup("meeting", given, org.meetings(), option)


def collective_or_exit(org: Organisation, given: str, option: str | None = None) -> str:
    return lookup("collective", given, org.collectives, option)


def collective_folder_or_exit(root: Path, given: str) -> str:
    """The collective a slug names, by its folder (for commands that do not load the organisation): a
    folder with a collective.toml; otherwise exit 2 with the one wording (and "did you mean")."""
    base = root / "collectives"
    known = sorted(p.name for p in base.iterdir() if (p / "collective.toml").is_file()) if base.is_dir() else []
    return lookup("collective", given, known)


SUFFIXES = {".txt": "text", ".md": "markdown", ".html": "html", ".htm": "html", ".json": "json"}


def output_format(format: Enum | None, output: Path | None, suffixes: dict[str, str] = SUFFIXES) -> str:
    """--format, else the --output suffix (common.format_for: one rule for every command)."""
    return format_for(
        str(format.value) if format is not None else None, output, tuple(dict.fromkeys(suffixes.values()))
    )


# -- completion: ids from the repository, without loading it --------------------------------------


def _completion_root() -> Path | None:
    import os

    from redflag_coord.org.load import RootNotFound, find_root

    try:
        return find_root(os.environ.get("REDFLAG_ROOT") or None)
    except (RootNotFound, OSError):
        return None


def complete_meeting(incomplete: str) -> list[str]:
    """Meeting ids for shell completion: the file names under collectives/*/meetings/."""
    root = _completion_root()
    if root is None:
        return []
    ids = {p.stem for p in root.glob("collectives/*/meetings/*.toml")}
    return sorted(i for i in ids if i.startswith(incomplete))


def complete_collective(incomplete: str) -> list[str]:
    """Collective slugs for shell completion: the folders under collectives/ with a collective.toml."""
    root = _completion_root()
    if root is None:
        return []
    slugs = {p.parent.name for p in root.glob("collectives/*/collective.toml")}
    return sorted(s for s in slugs if s.startswith(incomplete))
