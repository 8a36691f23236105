"""Changes to several files at once, all or nothing: one lock, one journal, then the renames (issue 30).

A ``Change`` lists what a command will do: folders to move (``rename collective``), folders to make,
and files to write, each with the bytes it must hold now (None: it must not exist) and the bytes it
will hold (None: removed). ``apply(root, change)``:

1. takes the organisation's lock (fsio's lock on the root folder) and the fsio lock of every folder
   the change touches (and of every folder inside a folder it moves), so single-file writers wait;
2. checks every file against what the command read ("changed meanwhile" -> ``fsio.Changed``, exit 1,
   nothing changed) and that no folder to make exists yet;
3. writes the journal (``.git/redflag-journal.json``, else ``.redflag-journal.json`` in the root;
   mode 0600) with the whole change, fsynced, before the first change. It holds only what the files
   held and will hold (private values in them are sealed), never clear text;
4. moves, makes and writes (each file through a fsynced temporary file and a rename), then removes
   the journal. A failure or SIGTERM/SIGHUP/SIGINT part-way rolls back what was done and removes it.

Only SIGKILL or a power cut can leave a journal. Then ``settle(root)`` (every command but
``validate`` calls it when it finds the root, see cli.commands.common) completes the change, or,
when it cannot (a file edited by hand since), rolls it back; ``validate`` reports the journal as an
error (``interrupted-change``). A file that holds neither the old nor the new bytes is never
overwritten: whoever edited it wins.

Test hook: ``REDFLAG_TEST_PAUSE_AFTER=N`` pauses ``apply`` after step N (0: the journal is written;
then one step per move, folder and file) for ``REDFLAG_TEST_PAUSE_SECONDS`` (default 30), printing
a line to stderr, so tests can signal a process between two files. Nothing else reads it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from redflag_coord.repo import fsio

JOURNAL = "redflag-journal.json"
_SIGNALS = tuple(s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None), signal.SIGINT) if s is not None)


class JournalError(fsio.WriteError):
    """An interrupted change that can be neither completed nor rolled back (or an unreadable journal)."""


@dataclass
class Change:
    """What one command changes; paths are relative to the root, files named as they are after the moves."""

    command: str
    moves: list[tuple[str, str]] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)
    files: dict[str, tuple[bytes | None, bytes | None]] = field(default_factory=dict)
    # Checks run under the lock before the journal is written (not kept in it): each raises
    # fsio.Changed when what the command decided from changed meanwhile (a file appeared).
    guards: list[Callable[[], None]] = field(default_factory=list)

    def move(self, src: str, dst: str) -> None:
        self.moves.append((src, dst))

    def folder(self, rel: str) -> None:
        self.folders.append(rel)

    def write(self, rel: str, old: bytes | None, new: bytes | None) -> None:
        if rel in self.files:  # a second edit of one file: the first's old, the second's new
            old = self.files[rel][0]
        self.files[rel] = (old, new)

    def before(self, rel: str) -> str:
        """Where a file named after the moves is before them."""
        for src, dst in self.moves:
            if rel == dst or rel.startswith(dst + "/"):
                return src + rel[len(dst) :]
        return rel


def journal_path(root: Path) -> Path:
    """In the git folder (never committed), else a hidden file in the root."""
    git = root / ".git"
    if git.is_dir():
        return git / JOURNAL
    if git.is_file():  # a worktree or submodule: "gitdir: PATH"
        with contextlib.suppress(OSError, ValueError):
            text = git.read_text(encoding="utf-8").strip()
            if text.startswith("gitdir:"):
                target = Path(text.split(":", 1)[1].strip())
                target = target if target.is_absolute() else root / target
                if target.is_dir():
                    return target / JOURNAL
    return root / f".{JOURNAL}"


def pending(root: Path) -> str | None:
    """The command whose change was interrupted (its journal is there), or None."""
    path = journal_path(root)
    if not path.exists():
        return None
    try:
        return _load(path).command
    except JournalError:
        return "?"


# -- applying -------------------------------------------------------------------------


def apply(root: Path, change: Change) -> None:
    """Carry out `change` all or nothing (see the module docstring); errors are fsio.WriteError (exit 1)."""
    root = Path(root)
    if not (change.moves or change.folders or change.files):
        return
    with _raising_signals(), _locks(root, change):
        _check(root, change)
        path = journal_path(root)
        if path.exists():  # an earlier one, interrupted: finish it first, then check again
            _recover(root, path)
            _check(root, change)
        saved = False
        try:
            _save(path, change)  # a WriteError here: nothing began, there is nothing to undo or remove
            saved = True
            _forward(root, change, pause=True)
        except BaseException as e:
            if not saved:
                raise
            with _signals_blocked():
                try:
                    _backward(root, change)
                except OSError as again:
                    raise JournalError(
                        f"{_rel(root, path)}: '{change.command}' failed ({_why(root, e)}) and could not be "
                        f"undone ({_why(root, again)}); fix that and run any redflag-coord command "
                        "to finish or undo it"
                    ) from e
                _unlink(path)
            if isinstance(e, OSError):
                raise fsio.WriteError(_why(root, e)) from e
            raise
        _unlink(path)


def settle(root: Path) -> str | None:
    """Complete (or roll back) a change a killed command left; a line saying which, or None."""
    path = journal_path(Path(root))
    if not path.exists():
        return None
    with _locks(root, Change("?")):  # waits for a change still running
        if not path.exists():
            return None
        with _locks(root, _load(path)), _signals_blocked():  # and for writers in the folders it touches
            return _recover(Path(root), path)


def _recover(root: Path, path: Path) -> str:
    change = _load(path)
    try:
        _forward(root, change, pause=False)
        done = "completed"
    except (OSError, fsio.Changed):
        try:
            _backward(root, change)
        except OSError as e:
            raise JournalError(
                f"{_rel(root, path)}: an interrupted '{change.command}' can be neither completed nor undone "
                f"({_why(root, e)}); fix that and run the command again"
            ) from e
        done = "rolled back"
    _unlink(path)
    _leftovers(root, change)
    return f"{done} an interrupted '{change.command}' ({_rel(root, path)})"


def _leftovers(root: Path, change: Change) -> None:
    """The temporary files the killed command left beside the files it wrote (their folders are locked)."""
    for rel in change.files:
        folder = (root / rel).parent
        for tmp in folder.glob(f".{Path(rel).name}.*.tmp") if folder.is_dir() else []:
            if fsio.is_leftover(tmp.name):
                with contextlib.suppress(OSError):
                    tmp.unlink()


def _check(root: Path, change: Change) -> None:
    for guard in change.guards:
        guard()
    for src, dst in change.moves:
        if not (root / src).is_dir():
            raise fsio.Changed(f"{src} was moved or removed meanwhile; nothing was changed: run the command again")
        if (root / dst).exists():
            raise fsio.Changed(f"{dst} appeared meanwhile (another command?); nothing was changed")
    for rel in change.folders:
        if (root / change.before(rel)).exists():
            raise fsio.Changed(
                f"{rel} appeared meanwhile (another command made it); nothing was changed: choose another name"
            )
    for rel, (old, _) in change.files.items():
        if _bytes(root / change.before(rel)) != old:
            raise fsio.Changed(
                f"{change.before(rel)} changed meanwhile (someone else saved it while this command ran); "
                "nothing was changed: look at it and run the command again"
            )


def _forward(root: Path, change: Change, pause: bool) -> None:
    step = _Steps(pause)
    for src, dst in change.moves:
        if (root / src).exists() and not (root / dst).exists():
            os.rename(root / src, root / dst)
        elif not (root / dst).is_dir():
            raise fsio.Changed(f"{src} and {dst}: neither is where '{change.command}' left it")
        step()
    for rel in change.folders:
        (root / rel).mkdir(exist_ok=True)
        step()
    for rel, (old, new) in change.files.items():
        now = _bytes(root / rel)
        if now != new:
            if now != old:
                raise fsio.Changed(
                    f"{rel} changed meanwhile; nothing was changed: look at it and run the command again"
                )
            _put(root / rel, new)
        step()


def _backward(root: Path, change: Change) -> None:
    for rel, (old, new) in reversed(list(change.files.items())):
        if _bytes(root / rel) == new and old != new:
            _put(root / rel, old)  # a file holding anything else was edited since: it stays
    for rel in reversed(change.folders):
        with contextlib.suppress(OSError):
            (root / rel).rmdir()  # only if empty
    for src, dst in reversed(change.moves):
        if (root / dst).exists() and not (root / src).exists():
            os.rename(root / dst, root / src)


class _Steps:
    def __init__(self, pause: bool) -> None:
        self.n = 0
        wanted = os.environ.get("REDFLAG_TEST_PAUSE_AFTER", "") if pause else ""
        self.at = int(wanted) if wanted.isdigit() else -1
        if self.at == 0:
            self._pause()

    def __call__(self) -> None:
        self.n += 1
        if self.n == self.at:
            self._pause()

    def _pause(self) -> None:
        print(f"redflag-coord: test pause after step {self.at} (REDFLAG_TEST_PAUSE_AFTER)", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("REDFLAG_TEST_PAUSE_SECONDS", "30")))


# -- files ----------------------------------------------------------------------------


def _bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None


def _put(path: Path, data: bytes | None) -> None:
    """Write or remove one file: a fsynced temporary file beside it, renamed over it."""
    if data is None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return
    mode = path.stat().st_mode & 0o777 if path.exists() else fsio.new_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _save(path: Path, change: Change) -> None:
    def b64(data: bytes | None) -> str | None:
        return None if data is None else base64.b64encode(data).decode("ascii")

    body = {
        "version": 1,
        "command": change.command,
        "moves": change.moves,
        "folders": change.folders,
        "files": [{"path": rel, "old": b64(old), "new": b64(new)} for rel, (old, new) in change.files.items()],
    }
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(body, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)  # the change begins here: before, nothing; after, settle() finishes it
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        _sync_folder(path.parent)
    except OSError as e:
        raise fsio.WriteError(fsio.explain(path, e)) from e


def _load(path: Path) -> Change:
    def raw(text: str | None) -> bytes | None:
        return None if text is None else base64.b64decode(text)

    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        change = Change(str(body["command"]))
        change.moves = [(str(s), str(d)) for s, d in body["moves"]]
        change.folders = [str(f) for f in body["folders"]]
        for entry in body["files"]:
            change.files[str(entry["path"])] = (raw(entry["old"]), raw(entry["new"]))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise JournalError(
            f"{path}: the journal of an interrupted change cannot be read ({e}); compare the files with "
            "'git status', restore them with 'git checkout', and remove this file"
        ) from e
    for rel in [*change.folders, *change.files, *(p for m in change.moves for p in m)]:
        if rel.startswith("/") or ".." in Path(rel).parts:
            raise JournalError(f"{path}: names a path outside the organisation ({rel}); remove this file")
    return change


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as e:  # the change is whole (done or undone); only its journal stays behind
        raise JournalError(
            f"{path}: the files are whole (the change done, or undone after an error) but its journal cannot be "
            f"removed ({e.strerror or e}); fix that, then run any redflag-coord command to clear it"
        ) from e
    with contextlib.suppress(OSError):
        _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _rel(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _why(root: Path, e: BaseException) -> str:
    if isinstance(e, OSError):
        return fsio.explain(Path(e.filename) if e.filename else root, e)
    return str(e) or type(e).__name__


# -- locks and signals ----------------------------------------------------------------


@contextlib.contextmanager
def _locks(root: Path, change: Change) -> Iterator[None]:
    """The root's lock first (every multi-file change takes it: no two deadlock), then each folder's."""
    folders: set[str] = set()
    for rel in [*change.files, *change.folders]:
        folders.add(os.path.dirname(change.before(rel)))
    for src, dst in change.moves:
        folders.update({os.path.dirname(src), os.path.dirname(dst)})
        for here, _, _ in os.walk(root / src):
            folders.add(os.path.relpath(here, root))
    with contextlib.ExitStack() as stack:
        stack.enter_context(fsio.locked(root))
        for rel in sorted(folders - {"", "."}):
            if (root / rel).is_dir():
                stack.enter_context(fsio.locked(root / rel))
        yield


@contextlib.contextmanager
def _raising_signals() -> Iterator[None]:
    with fsio.signals_raise():
        yield


@contextlib.contextmanager
def _signals_blocked() -> Iterator[None]:
    """While undoing or completing: a second signal waits until the organisation is whole again."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
