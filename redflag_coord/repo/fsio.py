"""Writing files without losing anything: a lock, a check that nobody changed the file, then a rename.

Every command that writes a file goes through one of these (nothing else in the
package opens a file for writing):

- ``create(path, data)``: a NEW file. Never replaces one, not even one that appeared
  a moment ago (the temporary file is hard-linked into place, which fails if the name
  exists; an exclusive create where links are not supported). Raises ``Exists``.
- ``update(path)``: read-modify-write. A context manager that takes the folder's lock,
  reads the file (``u.old``: its bytes, or None if there is none) and writes with
  ``u.write(new)``; before the rename it checks that the file still holds ``u.old``,
  and if it does not, it writes nothing and raises ``Changed`` ("changed meanwhile").
- ``write_if_unchanged(path, old, data)``: the same check for a caller that read the
  file earlier without the lock (as ``fmt`` does): ``old`` is what it read.
- ``replace(path, data)``: overwrite whatever is there (an ``--output FILE --force``).
- ``atomic_write(path, data, overwrite=...)``: ``create`` or ``replace``.
- ``write_output(path, data, force=...)``: a command's ``--output FILE``. A target that is not a
  regular file (a device such as /dev/null, a named pipe, /dev/stdout, a link to one of them) is
  written as a stream: opened for writing, never replaced. ``--force`` replaces only a regular file;
  a symbolic link to a regular file is refused (give the file itself).
- ``repo.journal``: a change to several files (and folders) as one, all or nothing even
  across a crash, under the organisation's lock (``rename collective``, ``new collective``,
  ``minutes new``, the ``secrets`` writers).
- ``Batch``: several files written as one; if any fails, the files and the folders it
  created are removed again (``init``, ``schema --output-dir``, ``report remind``), so a
  full disk leaves nothing behind.

All of them write a temporary file ``.NAME.XXXXXXXX.tmp`` in the same folder, fsync
it and rename it. The temporary file is removed on every exit path, including
SIGTERM/SIGHUP/SIGINT while writing; only SIGKILL or a power cut can leave one, and
``validate`` reports those (``is_leftover``) and ``init``'s ``.gitignore`` ignores them.
The lock is ``flock`` on the folder itself (no lock file to leave behind); it is
re-entrant within one process and waits at most ``LOCK_WAIT`` seconds.
No write goes through a symbolic link that leaves the organisation (repo.contain: ``collectives/``
linked elsewhere, a data file linked to one outside), and no writer replaces a link with a file.
Errors are ``WriteError`` (``usage=True``: the user asked for something refused,
exit 2; otherwise exit 1); ``Exists`` and ``Changed`` are WriteErrors.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from redflag_coord.errors import RedflagError
from redflag_coord.repo import contain

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the check before the rename still guards
    fcntl = None  # type: ignore[assignment]

LOCK_WAIT = float(os.environ.get("REDFLAG_LOCK_WAIT", "30"))
_LEFTOVER = re.compile(r"\.(.+)\.[A-Za-z0-9_]{8}\.tmp\Z")


class WriteError(RedflagError):
    """A file cannot be written; `usage` when the request is wrong (the file exists, a folder is missing)."""

    def __init__(self, message: str, usage: bool | None = None) -> None:
        super().__init__(message, usage=usage)


class Exists(WriteError):
    """The file to create exists (perhaps it appeared while the command ran)."""

    usage = True  # the user asked to create it: --force, or another name


class Changed(WriteError):
    """The file was changed by someone else between the read and the write; nothing was written."""


def is_leftover(name: str) -> bool:
    """True for the name of a temporary file a killed write left behind (``.NAME.XXXXXXXX.tmp``)."""
    return _LEFTOVER.fullmatch(name) is not None


# -- the lock -----------------------------------------------------------------------

_held: dict[str, int] = {}  # folder -> depth of this process's re-entrant hold
_held_lock = threading.Lock()


@contextlib.contextmanager
def locked(folder: Path | str) -> Iterator[None]:
    """Hold the write lock of a folder (every fsio write in it takes the same lock)."""
    key = os.path.realpath(folder)
    with _held_lock:
        nested = key in _held
        if nested:
            _held[key] += 1
    if nested:
        try:
            yield
        finally:
            with _held_lock:
                _held[key] -= 1
        return
    fd = _take(key)
    with _held_lock:
        _held[key] = 1
    try:
        yield
    finally:
        with _held_lock:
            del _held[key]
        if fd >= 0:
            os.close(fd)  # closing releases the flock


def _take(folder: str) -> int:
    if fcntl is None:  # pragma: no cover
        return -1
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError as e:
        raise WriteError(_explain(Path(folder), e)) from e
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except OSError as e:
            if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                os.close(fd)  # a filesystem without flock: the check before the rename still guards
                return -1
        if time.monotonic() > deadline:
            os.close(fd)
            raise WriteError(f"{folder}: another redflag-coord command is writing here; try again in a moment")
        time.sleep(0.01)


# -- signals: a temporary file must not outlive the command -----------------------------


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived while writing: handled like Ctrl-C (the CLI says 'interrupted', exit 130)."""


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """While writing, SIGTERM/SIGHUP raise, so `finally` removes the temporary file."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved: dict[int, Any] = {}
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is None:
            continue
        with contextlib.suppress(OSError, ValueError):
            if signal.getsignal(sig) in (signal.SIG_DFL, None):
                saved[sig] = signal.signal(sig, _raise)
    try:
        yield
    finally:
        for sig, old in saved.items():
            signal.signal(sig, old)


# -- the temporary file -----------------------------------------------------------------


@contextlib.contextmanager
def _temporary(path: Path, data: bytes, mode: int) -> Iterator[str]:
    """A fsynced temporary file beside `path` holding `data`; removed unless the caller renamed it."""
    folder = path.parent if str(path.parent) else Path(".")
    tmp: str | None = None
    with _signals_raise():
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, mode)
            yield tmp
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)  # after a rename or link the name is gone or a second link


def _check_target(path: Path) -> Path:
    try:
        contain.guard_write(path)
    except contain.Outside as e:
        raise WriteError(str(e)) from None
    if path.is_symlink():
        raise WriteError(
            f"{path} is a symbolic link to {os.path.realpath(path)}; a write would replace the link with a "
            "copy, so nothing was written: replace the link with the file itself, or name the file it points to",
            usage=True,
        )
    if path.is_dir():
        raise WriteError(f"{path} is a folder; give a file name", usage=True)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise WriteError(f"{folder}: no such folder", usage=True)
    return folder


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _new_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o644 & ~mask


def _mode_of(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return _new_mode()


def _exists_error(path: Path) -> Exists:
    return Exists(f"{path} exists; not overwriting it (use --force to replace it)", usage=True)


# -- the ways to write ------------------------------------------------------------------


def create(path: Path | str, data: bytes) -> None:
    """Write a new file; raise Exists if `path` exists, even if it appeared a moment ago."""
    path = Path(path)
    folder = _check_target(path)
    if path.exists() or path.is_symlink():
        raise _exists_error(path)
    try:
        with locked(folder), _temporary(path, data, _new_mode()) as tmp:
            try:
                os.link(tmp, path)  # atomic and never replaces: EEXIST if the name is taken
            except FileExistsError:
                raise _exists_error(path) from None
            except OSError as e:
                if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS):
                    raise
                _create_exclusive(path, data)
    except WriteError:
        raise
    except OSError as e:
        raise WriteError(_explain(path, e)) from e


def _create_exclusive(path: Path, data: bytes) -> None:
    """Where hard links are not supported: O_EXCL, and the half-written file removed on failure."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        raise _exists_error(path) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise


def replace(path: Path | str, data: bytes) -> None:
    """Write `path`, replacing whatever is there (the user asked to overwrite it)."""
    path = Path(path)
    folder = _check_target(path)
    try:
        with locked(folder), _temporary(path, data, _mode_of(path)) as tmp:
            os.replace(tmp, path)
    except OSError as e:
        raise WriteError(_explain(path, e)) from e


def write_if_unchanged(path: Path | str, old: bytes | None, data: bytes) -> None:
    """Write `path` only if it still holds `old` (None: it must still not exist); else raise Changed."""
    path = Path(path)
    if old is None:
        try:
            create(path, data)
        except Exists:
            raise _changed(path) from None
        return
    folder = _check_target(path)
    try:
        with locked(folder), _temporary(path, data, _mode_of(path)) as tmp:
            if _read(path) != old:
                raise _changed(path)
            os.replace(tmp, path)
    except WriteError:
        raise
    except OSError as e:
        raise WriteError(_explain(path, e)) from e


def _changed(path: Path) -> Changed:
    return Changed(
        f"{path} changed meanwhile (someone else saved it while this command ran); "
        "nothing was written: look at it and run the command again"
    )


class Update:
    """One read-modify-write under the folder's lock: `old` is what was read."""

    def __init__(self, path: Path, old: bytes | None) -> None:
        self.path = path
        self.old = old
        self.written = False

    def write(self, data: bytes) -> None:
        write_if_unchanged(self.path, self.old, data)
        self.written = True


@contextlib.contextmanager
def update(path: Path | str) -> Iterator[Update]:
    """Lock the file's folder, read the file, and let the caller write it once (see the module docstring)."""
    path = Path(path)
    folder = _check_target(path)
    with locked(folder):
        try:
            old = _read(path)
        except OSError as e:
            raise WriteError(_explain(path, e)) from e
        yield Update(path, old)


def atomic_write(path: Path | str, data: bytes, *, overwrite: bool = False) -> None:
    """Write `data` to `path` atomically; the old file survives any failure part-way.

    Without `overwrite`, an existing file (even one that appeared meanwhile) is an error.
    """
    path = Path(path)
    if overwrite:
        replace(path, data)
    else:
        create(path, data)


def write_output(path: Path | str, data: bytes, *, force: bool = False) -> bool:
    """A command's --output: a stream target is written in place, a file atomically (see the docstring).

    Returns True when a stream was written (nothing to replace, nothing --force could change).
    """
    path = Path(path)
    if is_stream(path):
        _write_stream(path, data)
        return True
    atomic_write(path, data, overwrite=force)
    return False


def check_output(path: Path | str, *, force: bool = False) -> None:
    """Raise the error `write_output` would raise for the target itself (exists, a link, a folder, no folder),
    so that a command can refuse before it changes anything (invite --bump)."""
    path = Path(path)
    if is_stream(path):
        return
    _check_target(path)
    if not force and (path.exists() or path.is_symlink()):
        raise _exists_error(path)


# A process's own descriptors: written through even when they lead to a regular file (`> log.txt`),
# which is then appended to, never renamed over.
_DESCRIPTORS = re.compile(r"/dev/(?:stdout|stderr|fd/\d+)|/proc/[^/]+/fd/\d+")


def is_stream(path: Path | str) -> bool:
    """True for an output that is written, never replaced: a device, a named pipe, a socket,
    /dev/stdout (or /dev/fd/N), or a link to one of them."""
    if any(_DESCRIPTORS.fullmatch(hop) for hop in _link_chain(path)):
        return True
    try:
        mode = os.stat(path).st_mode  # follows links: a link to /dev/null is a stream too
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _link_chain(path: Path | str, limit: int = 40) -> list[str]:
    """The path and each link it leads through, as absolute paths (not resolved past /dev/stdout)."""
    hops = [os.path.abspath(path)]
    while len(hops) < limit and os.path.islink(hops[-1]):
        try:
            target = os.readlink(hops[-1])
        except OSError:
            break
        hops.append(os.path.abspath(os.path.join(os.path.dirname(hops[-1]), target)))
    return hops


def _write_stream(path: Path, data: bytes) -> None:
    """Open without creating or truncating (a pipe waits for its reader) and write everything."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        raise WriteError(_explain(path, e)) from e
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except BrokenPipeError:
        raise WriteError(f"cannot write {path}: its reader closed it before the end", usage=False) from None
    except OSError as e:
        raise WriteError(_explain(path, e)) from e
    finally:
        os.close(fd)


class Batch:
    """Files written as one: on any failure the files written and folders made so far are removed.

    with Batch() as b:
        b.folder(out)                 # made if missing, removed again on failure
        b.write(out / "a.json", data, overwrite=force)
    """

    def __init__(self) -> None:
        self.files: list[Path] = []
        self.folders: list[Path] = []

    def __enter__(self) -> Batch:
        return self

    def folder(self, folder: Path | str) -> Path:
        folder = Path(folder)
        missing = []
        p = folder
        while not p.exists() and p != p.parent:
            missing.append(p)
            p = p.parent
        for m in reversed(missing):
            try:
                m.mkdir()
            except FileExistsError:
                continue
            except OSError as e:
                raise WriteError(_explain(m, e)) from e
            self.folders.append(m)
        return folder

    def write(self, path: Path | str, data: bytes, *, overwrite: bool = False) -> None:
        path = Path(path)
        self.folder(path.parent)
        existed = path.exists()
        atomic_write(path, data, overwrite=overwrite)
        if not existed:
            self.files.append(path)

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if kind is None:
            return
        for f in reversed(self.files):
            with contextlib.suppress(OSError):
                f.unlink()
        for d in reversed(self.folders):
            with contextlib.suppress(OSError):
                d.rmdir()  # only if empty: never removes what someone else put there


def _explain(path: Path, e: OSError) -> str:
    """What went wrong writing `path`, that nothing changed, and what to do about it."""
    if e.errno == errno.ENOSPC:
        return (
            f"cannot write {path}: the disk is full; nothing was changed: free some space, then run the command again"
        )
    if e.errno == errno.EROFS:
        return (
            f"cannot write {path}: the file system is read-only; nothing was changed: work in a writable copy "
            "(or mount it read-write), then run the command again"
        )
    if e.errno in (errno.EACCES, errno.EPERM):
        return (
            f"cannot write {path}: permission denied (read-only folder?); nothing was changed: make the folder "
            "writable for you (or work in a copy you own), then run the command again"
        )
    if e.errno == errno.ENOENT:
        return (
            f"cannot write {path}: its folder was moved or removed meanwhile (a 'rename collective'?); "
            "nothing was changed: run the command again"
        )
    return f"cannot write {path}: {e.strerror or e}; nothing was changed: fix that, then run the command again"


# For repo.journal (several files as one change), which writes under these same locks and rules.
explain = _explain
new_mode = _new_mode
signals_raise = _signals_raise
