"""Writing the site into a folder: only a new or empty folder, or one this command wrote before.

A manifest (MANIFEST) lists what the last run wrote, so a run replaces its own files and removes
those it no longer makes (a meeting deleted from the repository), and never touches anything else.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from redflag_coord.publish.site import Page, PublishError
from redflag_coord.repo.fsio import WriteError, atomic_write

MANIFEST = ".redflag-publish"
_HEADER = "# Written by `redflag-coord publish`: the files below are replaced or removed by the next run.\n"


def _own_files(folder: Path) -> list[str] | None:
    """The files a previous run wrote, or None when the folder holds something else."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return None
    listed = []
    for line in manifest.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line or line.startswith("#"):
            continue
        rel = PurePosixPath(line)
        if rel.is_absolute() or ".." in rel.parts:
            raise PublishError(
                f"{manifest}: {line!r} is not a path inside the folder; remove the folder and publish again"
            )
        listed.append(line)
    return listed


def write_site(folder: Path, pages: list[Page]) -> tuple[int, list[str]]:
    """Write every page; returns how many were written and the paths removed (no longer produced)."""
    if folder.exists() and not folder.is_dir():
        raise PublishError(f"{folder} is a file; give a folder", usage=True)
    old: list[str] = []
    if folder.is_dir() and any(folder.iterdir()):
        found = _own_files(folder)
        if found is None:
            raise PublishError(
                f"{folder} is not empty and was not written by 'publish'; give a new or empty folder", usage=True
            )
        old = found
    written = 0
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for page in pages:
            target = folder / page.path
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, page.body, overwrite=True)
            written += 1
        new = {p.path for p in pages}
        removed = sorted(rel for rel in old if rel not in new)
        for rel in removed:
            path = folder / rel
            if path.is_file() or path.is_symlink():
                path.unlink()
            _prune(folder, path.parent)
        listing = _HEADER + "".join(f"{p}\n" for p in sorted(new))
        atomic_write(folder / MANIFEST, listing.encode(), overwrite=True)
    except WriteError as e:
        more = f"; {written} file(s) before it were replaced: run publish again to finish" if written else ""
        raise PublishError(f"{e}{more}", usage=e.usage) from e
    except OSError as e:
        raise PublishError(f"cannot write {folder}: {e.strerror or e}") from e
    return len(pages), removed


def _prune(root: Path, folder: Path) -> None:
    """Remove folders left empty, up to the site's root."""
    while folder != root and root in folder.parents:
        try:
            os.rmdir(folder)
        except OSError:
            return
        folder = folder.parent
