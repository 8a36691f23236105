"""Where the cache of checked files lives and how its entries are read and written (bytes only).

One entry per data file, named by a hash of its repository path, holding what the per-file step
made of one exact content (`org.cached` decides what that is). Entries live outside the working
tree: in `<git dir>/redflag-cache/` when the organisation is in a git repository (deleting the
repository deletes them), else in `$XDG_CACHE_HOME/redflag-coord/<hash of the root path>/`.

A cache, not data: losing an entry costs one file's check again. So writes are atomic (a temporary
file renamed over the entry) but not fsynced, reads take no lock, and an entry that is truncated,
corrupt or from another version of the tool is simply treated as absent (each entry carries the
SHA-256 of its body, so a torn or flipped byte is noticed, never believed). Entries are JSON, never
pickle: a planted entry can at worst claim a wrong result for its file, not run code.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from pathlib import Path

ENV_OFF = "REDFLAG_NO_CACHE"
FOLDER = "redflag-cache"
_SUFFIX = ".json"
_INDEX = ".idx"  # an index over many files (org.cached.step_index): not one file's entry
_TMP = ".tmp-"
_STALE_TMP_NS = 3600 * 10**9  # a temporary file this old was left by a killed run
_switch: list[bool] = [True]  # --no-cache turns it off for this process (and the workers it forks)


def set_enabled(on: bool) -> None:
    """The `--no-cache` option: False for this process."""
    _switch[0] = on


def enabled() -> bool:
    """On unless `--no-cache` was given or REDFLAG_NO_CACHE is set to anything but '' or '0'."""
    return _switch[0] and os.environ.get(ENV_OFF, "").strip() in ("", "0")


def git_dir(root: Path) -> Path | None:
    """The git directory of the repository holding `root` (a worktree's own one), or None."""
    for folder in (root, *root.parents):
        dot = folder / ".git"
        if dot.is_dir():
            return dot
        if dot.is_file():  # a worktree or submodule: "gitdir: <path>"
            with contextlib.suppress(OSError, UnicodeDecodeError):
                text = dot.read_text(encoding="utf-8").strip()
                if text.startswith("gitdir:"):
                    target = Path(text[len("gitdir:") :].strip())
                    target = target if target.is_absolute() else folder / target
                    if target.is_dir():
                        return target
            return None
    return None


def location(root: Path | str) -> Path:
    """The cache folder of the organisation at `root` (not created here)."""
    real = Path(os.path.realpath(root))
    git = git_dir(real)
    if git is not None:
        return git / FOLDER / _tag(str(real))
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    home = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return home / "redflag-coord" / _tag(str(real))


def _tag(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Store:
    """The entries of one organisation's cache, one file per repository path."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._made = False

    def name(self, rel: str) -> str:
        return _tag(rel) + _SUFFIX

    def read(self, rel: str) -> bytes | None:
        """The body of `rel`'s entry, or None when there is none or it does not check out."""
        return self._read(self.name(rel))

    def read_index(self, name: str) -> bytes | None:
        """The body of an index over many files (`name` a plain word: `<name>.idx`), as `read`."""
        return self._read(name + _INDEX)

    def write_index(self, name: str, body: bytes) -> None:
        """Replace an index atomically, as `write`; `prune` leaves indexes alone."""
        self._write(name + _INDEX, body)

    def _read(self, filename: str) -> bytes | None:
        try:
            with open(self.folder / filename, "rb") as f:
                data = f.read()
        except OSError:
            return None
        head, sep, body = data.partition(b"\n")
        if not sep or head != digest(body).encode("ascii"):
            return None  # truncated, torn or altered: recomputed (and rewritten) by the caller
        return body

    def write(self, rel: str, body: bytes) -> None:
        """Replace `rel`'s entry atomically; a cache that cannot be written is only a slower run."""
        self._write(self.name(rel), body)

    def _write(self, filename: str, body: bytes) -> None:
        data = digest(body).encode("ascii") + b"\n" + body
        tmp = self.folder / f"{_TMP}{os.getpid()}-{os.urandom(6).hex()}"
        try:
            if not self._made:
                self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                self._made = True
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
            target = self.folder / filename
            # Removed first: renaming over an existing file makes ext4 write the new one out at once
            # (auto_da_alloc), ten milliseconds a file on a busy disk. A reader in between finds no
            # entry and checks the file itself; a reader never finds half an entry.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target)
            os.replace(tmp, target)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    def prune(self, present: set[str]) -> int:
        """Remove the entries of files no longer present and stale temporary files; how many went.

        Cheap when nothing is to go: the folder is only listed, the names compared only when it
        holds more entries than there are files."""
        try:
            with os.scandir(self.folder) as it:
                names = [e.name for e in it]
        except OSError:
            return 0
        gone = 0
        now = time.time_ns()
        entries = [n for n in names if n.endswith(_SUFFIX)]
        keep = {self.name(rel) for rel in present} if len(entries) > len(present) else None
        for n in names:
            if not (n.startswith(_TMP) or (keep is not None and n.endswith(_SUFFIX) and n not in keep)):
                continue  # most names: no path made (ten thousand of them at 10,000 files)
            path = self.folder / n
            with contextlib.suppress(OSError):
                if n.startswith(_TMP):
                    if now - path.stat().st_mtime_ns > _STALE_TMP_NS:
                        path.unlink()
                        gone += 1
                else:
                    path.unlink()
                    gone += 1
        return gone


_STORES: dict[str, Store | None] = {}


def store_for(root: Path | str) -> Store | None:
    """The store of the organisation at `root`, or None when the cache is off."""
    if not enabled():
        return None
    key = str(root)
    if key not in _STORES:
        _STORES[key] = Store(location(root))
    return _STORES[key]
