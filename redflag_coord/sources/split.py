"""`split --output DIR`: one repository becomes a committee's repository plus one repository per collective.

By default a fresh start with the current files; `--history keep` carries each repository's own paths'
history instead (sources/history.py: nothing of another repository's paths, at any commit). The
committee's repository gets organisation.toml, trust/, its own collective and a sources.toml listing
every other collective; each collective's repository gets organisation.toml, its own and the committee's
approvals (trust/), its folder, and a sources.toml with the committee's meetings and minutes. Each is
committed, and its shared branch built (`share`). The old repository is left as it was: its clones
still hold everything (retire them).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from redflag_coord.errors import UsageError
from redflag_coord.org.load import COLLECTIVES, Organisation
from redflag_coord.org.model import Kind
from redflag_coord.repo.fsio import Batch
from redflag_coord.repo.gitinfo import GitError
from redflag_coord.sources import gitrun, history
from redflag_coord.sources.share import share

COMMITTEE_SHARES = ("collective.toml", "meetings/", "minutes/")
ROOT_FILES = ("organisation.toml",)


class History(str, Enum):
    """What each new repository starts with."""

    fresh = "fresh"  # the current files, in one commit
    keep = "keep"  # every first-parent commit that changed its paths, replayed (sources/history.py)


@dataclass(frozen=True)
class Split:
    committee: Path
    collectives: dict[str, Path]


def split(root: Path, out: Path, committee: str | None = None, keep: History = History.fresh) -> Split:
    from redflag_coord.org.load import load_organisation

    org = load_organisation(root)
    slugs = sorted(org.collectives)
    chosen = committee or _the_committee(org)
    if chosen not in org.collectives:
        from redflag_coord.org.load import UnknownCollective

        raise UnknownCollective(chosen, slugs, "--committee")
    if out.exists() and any(out.iterdir()):
        raise UsageError(f"{out} is not empty: give a new folder for the repositories")
    others = [s for s in slugs if s != chosen and s not in org.fetched]
    _refuse_links(root, [chosen, *others])
    if keep == History.keep:
        return _split_keeping_history(root, out, chosen, others)
    with Batch() as batch:
        home = out / chosen
        _copy_repo(root, home, chosen, batch, trust=None)
        batch.write(home / "sources.toml", _sources_toml([(s, f"../{s}", None) for s in others]))
        made = {}
        for slug in others:
            made[slug] = out / slug
            _copy_repo(root, made[slug], slug, batch, trust={slug, chosen})
            batch.write(made[slug] / "sources.toml", _sources_toml([(chosen, f"../{chosen}", COMMITTEE_SHARES)]))
    for folder in [home, *made.values()]:
        _commit(folder, _identity(root))
    share(home, chosen, list(COMMITTEE_SHARES))
    for slug, folder in made.items():
        share(folder, slug)
    return Split(home, made)


def _split_keeping_history(root: Path, out: Path, chosen: str, others: list[str]) -> Split:
    _refuse_uncommitted(root)
    targets: dict[str, Callable[[str], bool]] = {chosen: _belongs(chosen, None)}
    targets.update({slug: _belongs(slug, {slug, chosen}) for slug in others})
    with tempfile.TemporaryDirectory(prefix="redflag-split-") as tmp:
        work = Path(tmp) / "scratch.git"
        history.scratch(root, work)
        tips = history.replay(root, work, targets)
        for slug in targets:
            _clone_line(work, out / slug, slug if tips[slug] else None)
    home = out / chosen
    made = {slug: out / slug for slug in others}
    with Batch() as batch:
        batch.write(home / "sources.toml", _sources_toml([(s, f"../{s}", None) for s in others]))
        for slug in others:
            batch.write(made[slug] / "sources.toml", _sources_toml([(chosen, f"../{chosen}", COMMITTEE_SHARES)]))
    who = _identity(root)
    for folder in [home, *made.values()]:
        gitrun.run(folder, "add", "sources.toml")
        message = "split from the single repository: the sources (docs/sources.md)"
        gitrun.run(folder, "commit", "-q", "-m", message, env=who)
    share(home, chosen, list(COMMITTEE_SHARES))
    for slug, folder in made.items():
        share(folder, slug)
    return Split(home, made)


def _refuse_links(root: Path, slugs: list[str]) -> None:
    """A symbolic link is refused, not followed: `collectives/mexico/x.toml -> ../india/members.toml` would
    copy india's members into mexico's repository (and `--history keep` would carry the link, not the file)."""
    found = [root / name for name in ROOT_FILES if (root / name).is_symlink()]
    for top in [root / "trust", *(root / COLLECTIVES / slug for slug in slugs)]:
        if top.is_symlink():
            found.append(top)
            continue
        for folder, dirs, names in os.walk(top):
            found += [Path(folder) / n for n in sorted(dirs + names) if (Path(folder) / n).is_symlink()]
    if found:
        raise UsageError(
            f"{found[0].relative_to(root).as_posix()} is a symbolic link ({len(found)} in all): split copies "
            "files, never links (a link could carry another collective's file); replace it with the file "
            "itself, commit, and split again"
        )


def _belongs(slug: str, trust: set[str] | None) -> Callable[[str], bool]:
    """The paths (from the organisation's folder) a repository carries: as `_copy_repo` copies them."""
    own = f"{COLLECTIVES}/{slug}/"

    def belongs(path: str) -> bool:
        if path in ROOT_FILES or path.startswith(own):
            return True
        folder, _, name = path.partition("/")
        if folder != "trust" or "/" in name or not name.endswith(".toml"):
            return False
        return trust is None or name.removesuffix(".toml") in trust

    return belongs


def _refuse_uncommitted(root: Path) -> None:
    """History ends at the last commit: a change not committed would be lost from the new repositories."""
    try:
        gitrun.run(root, "rev-parse", "--verify", "-q", "HEAD")
        pending = gitrun.text(
            root, "status", "--porcelain", "--untracked-files=all", "--", *ROOT_FILES, "trust", COLLECTIVES
        )
    except GitError as e:
        raise UsageError(f"{root}: --history keep needs a git repository with commits ({e})") from None
    if pending.strip():
        first = pending.splitlines()[0][3:]
        raise UsageError(
            f"{root}: {len(pending.splitlines())} change(s) not committed (first: {first}): commit or stash them "
            "first; --history keep carries the last commit's files"
        )


def _clone_line(work: Path, dest: Path, slug: str | None) -> None:
    """A new repository on branch main holding the target's line of commits (fetched: only what it reaches)."""
    dest.mkdir(parents=True, exist_ok=True)
    gitrun.run(dest, "init", "-q", "-b", "main")
    if slug is None:
        return
    gitrun.run(dest, "fetch", "-q", "--no-tags", "--update-head-ok", str(work), f"refs/split/{slug}:refs/heads/main")
    gitrun.run(dest, "reset", "-q", "--hard", "main")


def _the_committee(org: Organisation) -> str:
    found = [c.slug for c in org.collectives.values() if c.info is not None and c.info.kind == Kind.committee]
    if len(found) != 1:
        raise UsageError(f"{len(found)} collectives of kind 'committee': name the committee with --committee")
    return found[0]


def _copy_repo(root: Path, dest: Path, slug: str, batch: Batch, trust: set[str] | None) -> None:
    """organisation.toml, trust/ (all, or the approvals named) and the collective's folder, as they are."""
    for name in ROOT_FILES:
        if (root / name).is_file():
            batch.write(dest / name, (root / name).read_bytes())
    for path in sorted((root / "trust").glob("*.toml")) if (root / "trust").is_dir() else []:
        if trust is None or path.stem in trust:
            batch.write(dest / "trust" / path.name, path.read_bytes())
    base = root / COLLECTIVES / slug
    for folder, _dirs, names in os.walk(base):
        for name in sorted(names):
            if name.startswith("."):
                continue  # a temporary file left by a killed write
            path = Path(folder) / name
            batch.write(dest / COLLECTIVES / slug / path.relative_to(base), path.read_bytes())


def _sources_toml(sources: list[tuple[str, str, tuple[str, ...] | None]]) -> bytes:
    lines = ["# The collectives whose shared files this repository receives (docs/sources.md).", ""]
    for slug, url, shares in sources:
        lines += ["[[source]]", f'collective = "{slug}"', f"url = {json.dumps(url)}"]
        if shares:
            lines.append(f"shares = {json.dumps(list(shares))}")
        lines.append("")
    return "\n".join(lines).encode()


def _identity(root: Path) -> dict[str, str]:
    """Who commits in the new repositories: the single repository's user.name and user.email (its own
    configuration or the global one), unless the environment names someone; a new repository has none."""
    env: dict[str, str] = {}
    for key, names in (
        ("name", ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME")),
        ("email", ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL")),
    ):
        value = gitrun.run(root, "config", "--get", f"user.{key}", check=False).stdout.decode().strip()
        for name in names:
            if value and name not in os.environ:
                env[name] = value
    return env


def _commit(folder: Path, who: dict[str, str]) -> None:
    gitrun.run(folder, "init", "-q", "-b", "main")
    gitrun.run(folder, "add", "-A")
    message = "split from the single repository (a fresh start: docs/sources.md)"
    gitrun.run(folder, "commit", "-q", "-m", message, env=who)
