"""Where a committee's fetched sources live on this machine, and the lock that says which commit is good.

Layout (issue 34, docs/sources.md): `sources.lock` at the organisation root (committed: every clone of
the committee's repository agrees on each source's last good commit); per source, in the git directory
(never committed, never cloned):

    <git dir>/redflag-sources/<slug>.git       a bare repository holding only verified objects
    <git dir>/redflag-sources/<slug>.commit    the commit whose files this clone holds

and the shared files of that commit, read-only, in collectives/<slug>/ like a local collective's, listed
in .git/info/exclude so git never commits them. There, every reader (the loader, approvals, article
texts, line numbers) reads them unchanged; writers refuse them (`guard_source_write`).

The lock is read with tomllib (stdlib): only the loader and the write guard read it, `sources` writes it.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from redflag_coord.errors import RedflagError

COLLECTIVES = "collectives"  # org.load.COLLECTIVES
LOCK = "sources.lock"
CONFIG = "sources.toml"
STORE = "redflag-sources"
_COMMIT = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


class LockError(RedflagError):
    """sources.lock cannot be read: it was edited by hand or merged badly."""


@dataclass(frozen=True)
class Locked:
    """One source's last good commit, as sources.lock records it."""

    slug: str
    commit: str
    fetched: str  # when this machine or another accepted it (UTC, ISO 8601)


def read_lock(root: Path | str) -> dict[str, Locked]:
    """slug -> its last good commit; empty when the organisation has no sources.lock (the single layout)."""
    path = Path(root) / LOCK
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise LockError(f"{path}: cannot be read ({e}); restore it from git (git checkout -- {LOCK})") from None
    out: dict[str, Locked] = {}
    table = data.get("source", {})
    if not isinstance(table, dict):
        raise LockError(f"{path}: [source] must be a table of sources; restore it from git")
    for slug, entry in table.items():
        commit = entry.get("commit") if isinstance(entry, dict) else None
        if not isinstance(commit, str) or not _COMMIT.fullmatch(commit):
            raise LockError(f"{path}: source {slug!r} has no valid commit; restore it from git or run 'sources fetch'")
        out[slug] = Locked(slug, commit, str(entry.get("fetched", "")))
    return out


def render_lock(entries: dict[str, Locked]) -> bytes:
    """The lock's text: slugs and commits are checked values (a slug pattern, hex), so plain formatting is safe."""
    lines = [
        "# Written by `redflag-coord sources fetch`: the last good commit of each source (docs/sources.md).",
        "# Commit this file, so every clone of the committee's repository reads the same state.",
    ]
    for slug in sorted(entries):
        e = entries[slug]
        lines += ["", f'[source."{slug}"]', f'commit = "{e.commit}"', f'fetched = "{e.fetched}"']
    return ("\n".join(lines) + "\n").encode()


def git_dir(root: Path | str) -> Path | None:
    """The git directory of the repository holding `root` (a worktree's: the common one), read from the
    files git keeps (no git process: every load asks); None outside git."""
    here = Path(root).absolute()
    for folder in (here, *here.parents):
        dot = folder / ".git"
        if dot.is_dir():
            return dot
        if dot.is_file():
            try:
                text = dot.read_text(encoding="utf-8").strip()
            except OSError:
                return None
            if not text.startswith("gitdir:"):
                return None
            found = Path(text[len("gitdir:") :].strip())
            found = found if found.is_absolute() else folder / found
            common = found / "commondir"
            if common.is_file():
                target = Path(common.read_text(encoding="utf-8").strip())
                found = target if target.is_absolute() else found / target
            return Path(os.path.normpath(found))
    return None


def store(root: Path | str) -> Path | None:
    """The folder of every fetched source of this clone; None outside git."""
    found = git_dir(root)
    return found / STORE if found is not None else None


def bare_of(root: Path | str, slug: str) -> Path | None:
    base = store(root)
    return base / f"{slug}.git" if base is not None else None


def materialised(root: Path | str, slug: str) -> str | None:
    """The commit whose files collectives/<slug>/ holds on this machine; None when never fetched here."""
    base = store(root)
    if base is None:
        return None
    try:
        return (base / f"{slug}.commit").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


class Staged:
    """A source's new files in place (collectives/<slug>/), the previous ones kept aside until `keep` or
    `undo`: the checks read the candidate where every reader reads, and a refusal puts the old files back."""

    def __init__(self, root: Path | str, slug: str, files: dict[str, bytes]) -> None:
        self.root, self.slug = Path(root), slug
        base = self.root / COLLECTIVES
        self.dest, self.new, self.old = base / slug, base / f".{slug}.sources-new", base / f".{slug}.sources-old"
        for leftover in (self.new, self.old):
            if leftover.exists():
                remove_tree(leftover)
        self.new.mkdir(parents=True)
        prefix = f"{COLLECTIVES}/{slug}/"
        for rel, data in files.items():
            if not rel.startswith(prefix):  # sources.verify allows nothing else; never write outside the folder
                raise RedflagError(f"{rel}: not inside {prefix}")
            target = self.new / rel[len(prefix) :]
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as f:
                f.write(data)
            os.chmod(target, 0o444)  # read-only: a fetched file is changed in its own repository
        self.had = self.dest.exists()
        if self.had:
            os.replace(self.dest, self.old)
        os.replace(self.new, self.dest)

    def keep(self, commit: str) -> None:
        """Accept: record the commit this clone now holds, drop the previous files."""
        base = store(self.root)
        assert base is not None
        base.mkdir(parents=True, exist_ok=True)
        marker = base / f"{self.slug}.commit"
        tmp = marker.with_name(marker.name + ".tmp")
        tmp.write_text(commit + "\n", encoding="utf-8")
        os.replace(tmp, marker)
        if self.had:
            remove_tree(self.old)

    def undo(self) -> None:
        """Refuse: the previous files back in place (none: the folder is gone again)."""
        remove_tree(self.dest)
        if self.had:
            os.replace(self.old, self.dest)


def exclude(root: Path | str, slug: str, *more: str) -> None:
    """Tell git (this clone only: .git/info/exclude) to ignore each fetched collective's folder, so no `git add`
    commits it into the committee's repository. Many at once: the file is read once, not once per source."""
    found = git_dir(root)
    if found is None:
        return
    top = Path(os.path.abspath(root))
    while not (top / ".git").exists() and top.parent != top:
        top = top.parent
    rel = Path(os.path.abspath(root)).relative_to(top).as_posix()
    lines = [f"/{'' if rel == '.' else rel + '/'}{COLLECTIVES}/{s}/" for s in (slug, *more)]
    path = found / "info" / "exclude"
    path.parent.mkdir(parents=True, exist_ok=True)
    have = set(path.read_text(encoding="utf-8").splitlines()) if path.exists() else set()
    new = [line for line in dict.fromkeys(lines) if line not in have]
    if new:
        with open(path, "a", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in new))


def remove_tree(path: Path) -> None:
    """Remove a folder of read-only files (Windows refuses to delete those: make them writable first)."""
    import shutil

    for folder, _dirs, names in os.walk(path):
        for name in names:
            os.chmod(os.path.join(folder, name), 0o644)
    shutil.rmtree(path)


class ReadOnlySource(RedflagError):
    """A write to a collective that the committee only receives from its own repository."""

    usage = True


def guard_source_write(root: Path | str, path: Path | str) -> None:
    """Refuse a write into a fetched tree, or into collectives/<slug>/ of a collective the lock names:
    its files come from its own repository (`sources fetch`), a local copy would shadow them."""
    full = Path(os.path.abspath(path))
    if STORE in full.parts:
        raise ReadOnlySource(
            f"{full}: a fetched source's files are read-only; change them in the collective's own repository "
            "and run 'redflag-coord sources fetch'"
        )
    try:
        rel = full.relative_to(Path(os.path.abspath(root)))
    except ValueError:
        return
    inside = len(rel.parts) >= 3 and rel.parts[0] == COLLECTIVES
    if inside and (Path(root) / LOCK).is_file() and rel.parts[1] in read_lock(root):
        raise ReadOnlySource(
            f"{rel.as_posix()}: collective {rel.parts[1]!r} is a source of this repository ({LOCK}): its files "
            "are written in its own repository and arrive by 'redflag-coord sources fetch'; nothing was written"
        )
