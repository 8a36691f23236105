"""Questions for git about the data repository, asked through the `git` command.

Paths given and returned are relative to the organisation root (which may be a
sub-folder of the git work tree), with forward slashes.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

DEFAULT_BASES = ("main", "origin/main", "master", "origin/master")


class GitError(Exception):
    """git is missing, the folder is not a repository, or a revision does not exist."""


def git(root: Path | str, *args: str) -> str:
    cmd = ["git", "-C", str(root), "-c", "core.quotepath=off", *args]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", check=False)
    except FileNotFoundError as e:
        raise GitError("git is not installed (or not on PATH)") from e
    if done.returncode != 0:
        raise GitError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"git {args[0]} failed")
    return done.stdout


def is_repository(root: Path | str) -> bool:
    try:
        return git(root, "rev-parse", "--is-inside-work-tree").strip() == "true"
    except GitError:
        return False


def has_commits(root: Path | str) -> bool:
    try:
        git(root, "rev-parse", "--verify", "--quiet", "HEAD")
        return True
    except GitError:
        return False


def resolve_base(root: Path | str, rev: str | None) -> str:
    """The commit to compare with: the merge-base of REV (default: main) and HEAD, or REV itself."""
    candidates = (rev,) if rev else DEFAULT_BASES
    for name in candidates:
        try:
            commit = git(root, "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}").strip()
        except GitError:
            continue
        try:
            return git(root, "merge-base", commit, "HEAD").strip()
        except GitError:
            return commit
    if rev:
        raise GitError(f"no revision {rev!r} in this repository")
    raise GitError("no branch 'main' (or 'master') to compare with; name one: --changed REV")


def changed_since(root: Path | str, rev: str | None = None) -> list[str]:
    """Files changed since REV's merge-base with HEAD: committed, staged, unstaged, untracked, deleted."""
    if not has_commits(root):  # a new repository: everything is new
        listed = git(root, "ls-files", "--cached", "--others", "--exclude-standard")
        return sorted({line for line in listed.splitlines() if line})
    base = resolve_base(root, rev)
    diff = git(root, "diff", "--name-only", "--no-renames", "--relative", base, "--")
    untracked = git(root, "ls-files", "--others", "--exclude-standard")
    return sorted({line for line in (diff + untracked).splitlines() if line})


def first_added(root: Path | str, pathspecs: list[str]) -> dict[str, dt.datetime]:
    """For each file matching the pathspecs: the committer date of the earliest commit that added it.

    Committer date: when the commit was made in the history it sits in (a rebase
    renews it; the author date would keep the first draft's date).
    One `git log` call for all files; files never committed are absent.
    """
    out = git(
        root,
        "log",
        "--diff-filter=A",
        "--no-renames",
        "--format=%x01%cI",
        "--name-only",
        "--relative",
        "--",
        *pathspecs,
    )
    found: dict[str, dt.datetime] = {}
    when: dt.datetime | None = None
    for line in out.splitlines():
        if line.startswith("\x01"):
            when = dt.datetime.fromisoformat(line[1:])
        elif line and when is not None:
            found[line] = when  # the log runs newest first: the last seen is the earliest
    return found


def commit_emails(root: Path | str, limit: int = 200) -> list[str]:
    """Author and committer addresses of the last `limit` commits (none outside a repository)."""
    try:
        return git(root, "log", f"-{limit}", "--format=%ae%n%ce").split()
    except GitError:
        return []
