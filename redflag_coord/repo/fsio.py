"""Writing files without losing anything: temp file + fsync + rename, no silent overwrite."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path


class WriteError(Exception):
    def __init__(self, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


def atomic_write(path: Path | str, data: bytes, *, overwrite: bool = False) -> None:
    """Write `data` to `path` atomically; the old file survives any failure part-way."""
    path = Path(path)
    if path.is_dir():
        raise WriteError(f"{path} is a folder; give a file name", usage=True)
    if path.exists() and not overwrite:
        raise WriteError(f"{path} exists; not overwriting it (use --force to replace it)", usage=True)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise WriteError(f"{folder}: no such folder", usage=True)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, path)
        tmp = None
    except OSError as e:
        raise WriteError(_explain(path, e)) from e
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _explain(path: Path, e: OSError) -> str:
    if e.errno == errno.ENOSPC:
        return f"cannot write {path}: the disk is full; nothing was changed"
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write {path}: permission denied (read-only folder?); nothing was changed"
    return f"cannot write {path}: {e.strerror or e}; nothing was changed"
