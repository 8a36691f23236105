"""`redflag-coord secrets keygen|encrypt|show|edit|reencrypt|forget` (and, from cli.commands.trust,
whoami|recipients|approve|accept|migrate): private values encrypted at rest."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # the organisation is loaded late: `--help` imports no model
    from redflag_coord.edit.retention import Forgotten
    from redflag_coord.org.load import Organisation

from redflag_coord.cli.commands.common import (
    EXIT_USAGE,
    collective_folder_or_exit,
    collective_or_exit,
    fail,
    find_root_or_exit,
    load_valid_or_exit,
    read_identity_or_exit,
)
from redflag_coord.cli.commands.options import IdentityOption, RootOption

app = typer.Typer(
    name="secrets",
    help="Private values (emails, phones, pseudonyms, workplaces, notes) encrypted to each collective's keys.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

CollectiveArg = Annotated[
    str | None, typer.Argument(help="A collective's slug. Default with --all: every collective.", show_default=False)
]
AllOption = Annotated[bool, typer.Option("--all", help="Every collective that lists recipients.")]
HISTORY_NOTE = (
    "old ciphertext stays in git history, readable with any key that could read it before: "
    "a key that leaked or a member who left can still read what was committed then (see docs/privacy.md, Threat model)"
)


def _default_identity() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "redflag-coord" / "identity.txt"


def _inside_repository(path: Path) -> Path | None:
    for folder in path.absolute().parents:
        if (folder / ".git").exists() or (folder / "collectives").is_dir():
            return folder
    return None


@app.command("keygen")
def keygen(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Identity file. Default: ~/.config/redflag-coord/identity.txt."),
    ] = None,
    passphrase: Annotated[
        bool,
        typer.Option(
            "--passphrase",
            help="Protect the identity with a passphrase (asked twice, or REDFLAG_PASSPHRASE_COMMAND's output): "
            "recommended, a seized or copied file then yields nothing without it.",
        ),
    ] = False,
    root: RootOption = None,
) -> None:
    """Create an identity (secret key) outside the repository and print its recipient (public key).

    Put the recipient in your collective's collective.toml (recipients = [...]); keep the file secret.
    """
    from redflag_coord.crypt import write_identity
    from redflag_coord.crypt.identity import new_passphrase

    path = output or _default_identity()
    repo = _inside_repository(path)
    if repo is None and root is not None and path.absolute().is_relative_to(root.absolute()):
        repo = root  # the organisation named by --root / REDFLAG_ROOT, even outside git
    if repo is not None:
        fail(f"{path} is inside the repository {repo}: an identity must never be committed; choose a path outside it")
    recipient = write_identity(path, new_passphrase() if passphrase else None)
    typer.echo(f"wrote {path} (keep it secret; use it with --identity or REDFLAG_IDENTITY)", err=True)
    typer.echo(recipient)


def _slugs(org, collective: str | None, all_: bool) -> list[str]:
    if collective is None and not all_:
        fail("name a collective, or give --all", EXIT_USAGE)
    if collective is not None:
        return [collective_or_exit(org, collective)]
    return sorted(s for s, c in org.collectives.items() if c.info is not None and c.info.recipients)


def _loaded(root: Path | None):
    from redflag_coord.org.load import load_organisation

    org = load_organisation(find_root_or_exit(root))
    broken = [p for p in org.problems if p.severity == "error"]
    if broken:
        from redflag_coord.org.problems import located, render_text

        typer.echo(render_text(located(broken, org.root)), err=True)
        fail("fix these problems first (nothing was written)")
    return org


@app.command("encrypt")
def encrypt(
    collective: CollectiveArg = None, all_: AllOption = False, identity: IdentityOption = None, root: RootOption = None
) -> None:
    """Encrypt every plaintext private value of COLLECTIVE (or --all) to its approved recipients.

    Values already encrypted keep their exact ciphertext. Needs no identity: anyone can encrypt; without
    a reader's identity the values are pending until a reader runs 'secrets accept'.
    """
    from redflag_coord.edit.secrets import encrypt as seal_all

    org = _loaded(root)
    done = seal_all(org, _slugs(org, collective, all_), identities=read_identity_or_exit(identity))
    for rel in done.files:
        typer.echo(f"encrypted {rel}")
    typer.echo(f"{done.sealed} value(s) encrypted in {len(done.files)} file(s)", err=True)


@app.command("show")
def show(
    collective: Annotated[str, typer.Argument(help="A collective's slug.")],
    identity: IdentityOption = None,
    root: RootOption = None,
) -> None:
    """Print the private values of COLLECTIVE that your identity opens (file, key, value). Do not forward."""
    from redflag_coord.org.secrets import slots

    org = load_valid_or_exit(root, identity=identity, purpose="they are not shown")
    collective = collective_or_exit(org, collective)
    from redflag_coord.edit.secrets import _key

    for s in slots(org):
        if s.slug == collective and s.value is not None and not (s.attr == "pseudonym" and s.value == "(encrypted)"):
            typer.echo(f"{s.file}: {_key(s.key)} = {s.value!r}")


@app.command("edit")
def edit(
    file: Annotated[
        Path, typer.Argument(help="A members.toml or relationships.toml file (relative to --root if given).")
    ],
    identity: IdentityOption = None,
    root: RootOption = None,
) -> None:
    """Edit FILE in the clear with $VISUAL or $EDITOR; on save, encrypt it again.

    The clear text lives only in a private folder (0700, the file 0600) under $TMPDIR while the editor
    runs; it is overwritten and removed afterwards, also on Ctrl-C, SIGTERM or SIGHUP (the editor is
    stopped and nothing is written). Nothing is written if FILE changed while the editor was open
    (a 'reencrypt', 'forget', 'accept', git pull or hand edit is kept; run 'edit' again), or if the edit
    adds a comment (comments are never encrypted) or a key the file may not hold. A value unchanged at
    its place keeps its exact ciphertext unless the approved recipients changed; every other value is
    encrypted fresh, bound to its place. A retention date (`expires`, `left`) you change or add is
    vouched for with your key ('secrets vouch'), when you are a reader of the collective.
    """
    from redflag_coord.edit.secrets import open_text
    from redflag_coord.org.load import load_organisation
    from redflag_coord.org.secrets import recipients
    from redflag_coord.org.settings import settings_or_defaults

    file, kind = _edit_target(file, root)
    ids = read_identity_or_exit(identity)
    if ids is None:
        fail("editing needs your identity: --identity FILE, REDFLAG_IDENTITY or REDFLAG_IDENTITY_COMMAND", EXIT_USAGE)
    root = find_root_or_exit(file)
    slug = file.absolute().parent.name
    org = load_organisation(root)
    settings = settings_or_defaults(root)
    if not recipients(org, settings, slug, False):
        fail(f"collective {slug!r} lists no recipients: add them to its collective.toml first")
    raw = file.read_bytes()  # written back only if FILE still holds exactly these bytes
    plain = open_text(raw.decode("utf-8"), kind, ids, str(file), slug)
    edited = _run_editor(file.name, plain.text)
    if edited == plain.text:
        typer.echo(f"{file}: no change", err=True)
        return
    problems = _check(plain.text, edited, kind, str(file))
    if problems:
        typer.echo(problems, err=True)
        fail(f"{file}: the edited text has problems; nothing was written (your edit is discarded)")
    _save_edited(file, raw, edited, kind, plain.memo, (org, settings, slug, ids))
    typer.echo(f"{file}: saved and encrypted", err=True)


def _edit_target(file: Path, root: Path | None) -> tuple[Path, str]:
    """The file to edit (relative to --root if given) and its kind; a usage error for any other file."""
    if root is not None and not file.is_absolute():
        file = root / file
    kind = {"members.toml": "members", "relationships.toml": "relationships"}.get(file.name)
    if kind is None or not file.is_file():
        fail(f"{file}: give a collective's members.toml or relationships.toml", EXIT_USAGE)
    return file, kind


def _save_edited(file: Path, raw: bytes, edited: str, kind: str, memo, where: tuple) -> None:
    """Seal the edited text (bound to its place, to the approved recipients: issue 28) and write it,
    only if FILE still holds `raw` (what was opened)."""
    from redflag_coord.edit.secrets import files, seal_text
    from redflag_coord.edit.trustseal import binder
    from redflag_coord.edit.vouch import vouch_edited
    from redflag_coord.errors import RedflagError
    from redflag_coord.org.load import rel_path
    from redflag_coord.org.secrets import recipients
    from redflag_coord.repo.fsio import Changed, WriteError, write_if_unchanged

    org, settings, slug, ids = where
    bind = binder(org, settings, slug, kind, ids, files())
    try:
        sealed = seal_text(edited, kind, memo, lambda contact: recipients(org, settings, slug, contact), bind, slug)
        sealed = vouch_edited(org.root, slug, kind, rel_path(kind, slug), raw.decode("utf-8"), sealed, ids)
    except RedflagError as e:
        fail(f"{e} (your edit is discarded)")
    try:
        write_if_unchanged(file, raw, sealed.encode("utf-8"))
    except Changed:
        fail(
            f"{file} changed while your editor was open (a 'secrets reencrypt', 'forget' or 'accept', a git "
            "pull or a hand edit): nothing was written, so that change stands; your edit is discarded (it is "
            f"never kept in clear text): run 'redflag-coord secrets edit {file}' again and redo it"
        )
    except WriteError as e:  # always exit 1 here, even for a usage-kind WriteError (unchanged behaviour)
        fail(str(e))


STOP_SIGNALS = ("SIGTERM", "SIGHUP", "SIGINT")


def _run_editor(name: str, text: str) -> str:
    """The text as the editor left it. The clear copy lives in a private folder, overwritten and removed
    on every way out; a stop signal stops the editor too (exit 1, nothing written)."""
    import shlex
    import signal

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        argv = shlex.split(editor)
    except ValueError as e:
        fail(f"cannot read the editor command {editor!r}: {e}", EXIT_USAGE)
    got: list[int] = []
    with _recording(got):
        edited, code = _edit_privately(name, text, argv, got)
    if got:
        fail(
            f"stopped by {signal.Signals(got[0]).name} while the editor ran: the editor was stopped and the "
            "clear text overwritten and removed; nothing was written"
        )
    if code != 0:
        fail(f"the editor {editor!r} exited with {code}; nothing was written")
    return edited


def _edit_privately(name: str, text: str, argv: list[str], got: list[int]) -> tuple[str, int]:
    import tempfile

    try:
        folder = tempfile.mkdtemp(prefix="redflag-edit-")  # mode 0700: only you can read the clear text
    except OSError as e:
        fail(f"cannot make a private folder in {tempfile.gettempdir()}: {e.strerror or e}; nothing was written")
    path = Path(folder) / name
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        code = _wait_editor([*argv, str(path)], got)  # only the path: the clear text is never in argv or env
        if got or code != 0:
            return "", code
        try:
            return path.read_text(encoding="utf-8"), 0
        except FileNotFoundError:
            fail(f"the editor removed {name}; nothing was written")
    finally:
        _wipe(Path(folder))


def _wait_editor(argv: list[str], got: list[int]) -> int:
    """Run the editor; when a stop signal arrives, ask it to end (SIGTERM), then kill it after 3 s."""
    import subprocess
    import time

    if got:
        return 1
    try:
        proc = subprocess.Popen(argv)
    except OSError as e:
        fail(f"cannot run the editor {argv[0]!r}: {e.strerror or e}", EXIT_USAGE)
    deadline: float | None = None
    while True:
        try:
            return proc.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            if got and deadline is None:
                proc.terminate()
                deadline = time.monotonic() + 3
            elif deadline is not None and time.monotonic() > deadline:
                proc.kill()


def _wipe(folder: Path) -> None:
    """Overwrite every file in the folder (the clear copy, an editor's swap or backup), then remove it."""
    import shutil

    for base, _, names in os.walk(folder):
        for n in names:
            f = Path(base) / n
            try:
                if f.is_file() and not f.is_symlink():
                    size = f.stat().st_size
                    with f.open("r+b") as out:
                        out.write(b"\0" * size)
                        out.flush()
                        os.fsync(out.fileno())
            except OSError:
                continue  # removed below all the same
    shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _recording(got: list[int]) -> Iterator[None]:
    """While the clear copy exists, SIGTERM/SIGHUP/SIGINT are recorded instead of ending the process
    (so the copy is always removed first); the previous handlers come back afterwards."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {}
    for name in STOP_SIGNALS:
        num = getattr(signal, name, None)
        if num is not None:
            saved[num] = signal.signal(num, lambda n, _frame: got.append(n))
    try:
        yield
    finally:
        for num, old in saved.items():
            signal.signal(num, old)


def _check(before: str, text: str, kind: str, rel: str) -> str:
    """The edited text's problems: syntax, the model (no unknown key), and any comment it adds."""
    from redflag_coord.check.sealed import check_text
    from redflag_coord.edit.secrets import new_comments
    from redflag_coord.org.problems import render_text

    problems = [p for p in check_text(text, rel, kind) if p.severity == "error"]
    found = render_text(problems) if problems else ""
    for line in new_comments(before, text):
        found += (
            f"{rel}:{line}: a new comment: comments are saved in plain text, never encrypted; remove it "
            "(put private words in a notes field, which is encrypted)\n"
        )
    return found.rstrip("\n")


@app.command("reencrypt")
def reencrypt(
    collective: CollectiveArg = None, all_: AllOption = False, identity: IdentityOption = None, root: RootOption = None
) -> None:
    """Encrypt every private value of COLLECTIVE (or --all) again, to the recipients listed now.

    Run it after adding or removing a recipient. Needs an identity that opens every value.
    """
    from redflag_coord.edit.secrets import reencrypt as reseal

    ids = read_identity_or_exit(identity)
    if ids is None:
        fail(
            "re-encrypting needs an identity that opens the values: --identity FILE, REDFLAG_IDENTITY or "
            "REDFLAG_IDENTITY_COMMAND",
            EXIT_USAGE,
        )
    org = _loaded(root)
    done = reseal(org, _slugs(org, collective, all_), ids)
    for rel in done.files:
        typer.echo(f"re-encrypted {rel}")
    typer.echo(f"{done.sealed} value(s) re-encrypted in {len(done.files)} file(s)", err=True)
    typer.echo(f"note: {HISTORY_NOTE}", err=True)


@app.command("forget")
def forget(
    collective: Annotated[
        str | None,
        typer.Argument(help="A collective's slug (with --expired: default every collective).", show_default=False),
    ] = None,
    member: Annotated[str | None, typer.Option("--member", help="Remove this member's email and phone.")] = None,
    relationship: Annotated[
        int | None,
        typer.Option("--relationship", help="Remove relationship[N]'s pseudonym, workplace and notes (N from 0)."),
    ] = None,
    expired: Annotated[
        bool,
        typer.Option(
            "--expired",
            help="Remove every private value whose expiry date has come (its table's 'expires', else "
            "organisation.toml [retention]) and, where the collective has readers, a reader vouched for that "
            "date ('secrets vouch'); needs no key.",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="With --expired: list what would be removed; write nothing.")
    ] = False,
    identity: IdentityOption = None,
    root: RootOption = None,
) -> None:
    """Remove a member's contact details, a relationship's private values, or (--expired) every expired
    private value, from the current files.

    --expired removes them from every file at once or from none (another writer holding the lock makes it
    wait, then stop), and prints where they were, never what they were. They stay in git history:
    docs/privacy.md (Forgetting, History) says how to purge them from it.
    """
    if expired or dry_run:
        _forget_expired(collective, member, relationship, expired, dry_run, root, identity)
        return
    if (member is None) == (relationship is None):
        fail("give exactly one of --member HANDLE, --relationship N or --expired", EXIT_USAGE)
    if collective is None:
        fail("name a collective (or give --expired)", EXIT_USAGE)
    base = find_root_or_exit(root)
    collective = collective_folder_or_exit(base, collective)
    try:
        removed = _drop(base, collective, member, relationship)
    except KeyError as e:  # not a RedflagError: the library's KeyError names the unknown member or relationship
        fail(str(e.args[0]), EXIT_USAGE)
    typer.echo(f"removed {', '.join(removed) or 'nothing (no private values there)'}")
    typer.echo("note: they stay in git history; to purge them from it see docs/privacy.md (Forgetting)", err=True)


def _opened(org: Organisation, identity: Path | None) -> bool:
    """Open the sealed values this identity reads, in place: a conversation's date is sealed, and only a key
    says when its [retention] default comes. False when no identity is given (nothing opened)."""
    identities = read_identity_or_exit(identity)
    if identities is None:
        return False
    from redflag_coord.org.problems import Problems
    from redflag_coord.org.secrets import reveal
    from redflag_coord.org.settings import settings_or_defaults

    reveal(org, settings_or_defaults(org.root), identities, Problems())
    return True


def _forget_expired(
    collective: str | None,
    member: str | None,
    relationship: int | None,
    expired: bool,
    dry_run: bool,
    root: RootOption,
    identity: Path | None,
) -> None:
    from redflag_coord.edit.retention import forget_expired
    from redflag_coord.org.clock import today_default

    if not expired:
        fail("--dry-run goes with --expired", EXIT_USAGE)
    if member is not None or relationship is not None:
        fail("--expired removes what has expired; give it without --member or --relationship", EXIT_USAGE)
    org = _loaded(root)
    slugs = [collective_or_exit(org, collective)] if collective is not None else sorted(org.collectives)
    done = forget_expired(org, slugs, today_default(), dry_run=dry_run, opened=_opened(org, identity))
    _say_forgotten(done, dry_run)


def _say_forgotten(done: Forgotten, dry_run: bool) -> None:
    """Where each expired value was (never what it was), what was not judged, and what history keeps."""
    from redflag_coord.org.problems import format_key

    verb = "would remove" if dry_run else "removed"
    for e in done.removed:
        what = "the whole entry" if e.whole else ", ".join(e.values)
        typer.echo(f"{verb} {e.file}: {format_key(e.key)}: {what} (expired on {e.day()}: {e.reason})")
    if done.unjudged:
        where = sorted({file for file, _ in done.unjudged})
        typer.echo(
            f"note: {len(done.unjudged)} conversation note(s) in {', '.join(where)} count their retention from a "
            "sealed date and have no 'expires': run again with --identity (a key that opens them) to judge them",
            err=True,
        )
    for j in done.unvouched:  # a date nobody who reads vouched for: anyone who can commit could have set it
        e, slug = j.expiry, j.expiry.file.split("/")[1]
        typer.echo(
            f"note: not removed {e.file}: {format_key(e.key)} (expired on {e.day()}: {e.reason}): {j.why}; a reader of "
            f"{slug!r} checks who set it ('git log -p {e.file}') and runs 'redflag-coord secrets vouch {slug}'",
            err=True,
        )
    if not done.removed:
        typer.echo("nothing was removed" if done.unvouched else "nothing has expired", err=True)
    elif dry_run:
        count = f"{len(done.removed)} to remove in {len(done.files)} file(s)"
        typer.echo(f"dry run: nothing was written ({count})", err=True)
    else:
        typer.echo(
            "note: they stay in git history and every clone; see docs/privacy.md (History) to purge them", err=True
        )


def _drop(base: Path, collective: str, member: str | None, relationship: int | None) -> list[str]:
    """Remove the values; once values are bound (issue 28) the stand-in is sealed bound to its place."""
    from redflag_coord.edit.secrets import encrypt as seal_all
    from redflag_coord.edit.secrets import forget as drop
    from redflag_coord.org.secrets import recipients
    from redflag_coord.org.settings import settings_or_defaults
    from redflag_coord.org.trustcheck import load as load_trust

    org = _loaded(base)
    bound = load_trust(base).on
    seal_to = None if bound else recipients(org, settings_or_defaults(base), collective, False)
    removed = drop(base, collective, handle=member, relationship=relationship, seal_to=seal_to)
    if bound and relationship is not None:
        seal_all(_loaded(base), [collective], identities=read_identity_or_exit(None))
    return removed
