"""Every read and write stays inside the organisation's root: the one test for symbolic links.

A symbolic link anywhere on the way from the root to a file (``collectives/`` itself, a collective's
folder, a data file) whose target lies outside the root is an error naming the link: loading does not
follow it (``validate`` reports it, check ``links``) and no writer writes through it (``Outside``, exit 1).

Links that stay inside the root are read as the file they name. A writer never replaces a link
itself (a rename over it would turn the link into a copy): it refuses a link as the file to rewrite
(``LinkTarget``) and asks for the file itself. Folders linked inside the root are written through.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from redflag_coord.errors import RedflagError

# What validate says of a link out of the organisation (no target: it would print a private path)
LINK_OUT = "symbolic link leads outside the repository; replace it with the file itself"
ROOT_MARKER = "collectives"  # the folder that makes a folder an organisation root (org.load.COLLECTIVES)


class Outside(RedflagError):
    """A symbolic link on the way to a file leads outside the organisation's root."""

    def __init__(self, link: str, target: str, root: str, doing: str) -> None:
        super().__init__(
            f"{link} is a symbolic link to {target}, outside the organisation ({root}); {doing}. "
            "Replace the link with the folder or file itself (or move its target into the repository)"
        )
        self.link = link


def inside(real_root: str, real_path: str) -> bool:
    """True when a resolved path lies in (or is) a resolved root."""
    try:
        return os.path.commonpath([real_root, real_path]) == real_root
    except ValueError:  # different drives on Windows
        return False


def outside_link(root: Path | str, path: Path | str) -> tuple[str, str] | None:
    """The first symbolic link from `root` down to `path` whose target leaves the root, with that target;
    None when every step stays inside, or when `path` is not under `root` at all (not the organisation's)."""
    base = os.path.abspath(root)
    full = os.path.abspath(os.path.join(base, path))
    if not inside(base, full) or full == base:
        return None
    real_root = os.path.realpath(base)
    here = base
    for part in Path(os.path.relpath(full, base)).parts:
        here = os.path.join(here, part)
        if os.path.islink(here):
            target = os.path.realpath(here)
            if not inside(real_root, target):
                return here, target
    return None


def require_inside(root: Path | str, path: Path | str, doing: str) -> None:
    """Raise `Outside` when a link on the way from `root` to `path` leaves the root (see `outside_link`)."""
    found = outside_link(root, path)
    if found is not None:
        raise Outside(found[0], found[1], os.path.abspath(root), doing)


def root_of(path: Path | str) -> Path | None:
    """The organisation a path lies in, lexically: the nearest folder above it holding `collectives`
    (a folder or a link); None for a path outside any organisation (an --output in /tmp)."""
    full = Path(os.path.abspath(path))
    for folder in full.parents:
        if os.path.lexists(folder / ROOT_MARKER) and folder / ROOT_MARKER != full:
            return folder
    return None


def guard_write(path: Path | str) -> None:
    """Before a write: refuse when the path reaches outside its organisation through a link."""
    root = root_of(path)
    if root is not None:
        require_inside(root, path, "nothing was written")
        from redflag_coord.repo.sourcestore import guard_source_write

        guard_source_write(root, path)  # a fetched source is read-only (issue 34)


def outside_links(root: Path | str, tops: tuple[str, ...]) -> list[tuple[str, str]]:
    """Every symbolic link among the data entries `tops` of the root and in their folders (links are not
    followed) whose target leaves the root, as (path relative to the root with forward slashes, target)."""
    base = os.path.abspath(root)
    real_root = os.path.realpath(base)
    found: list[tuple[str, str]] = []

    def test(full: str) -> None:
        target = os.path.realpath(full)
        if not inside(real_root, target):
            found.append((Path(os.path.relpath(full, base)).as_posix(), target))

    def walk(folder: str) -> None:
        """Each folder's entries in name order, then its sub-folders (not links): os.walk's order, but
        from the directory entries' own types, without a stat of every file."""
        try:
            with os.scandir(folder) as it:
                listed = sorted(it, key=lambda e: e.name)
        except OSError:
            return
        for e in listed:
            if e.is_symlink():
                test(e.path)
        for e in listed:
            with contextlib.suppress(OSError):
                if not e.is_symlink() and e.is_dir():
                    walk(e.path)

    for top in tops:
        start = os.path.join(base, top)
        if os.path.islink(start):
            test(start)
        elif os.path.isdir(start):
            walk(start)
    return found
