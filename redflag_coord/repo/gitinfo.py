"""Questions for git about the data repository, asked through the `git` command.

Paths given and returned are relative to the organisation root (which may be a
sub-folder of the git work tree), with forward slashes.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from redflag_coord.errors import RedflagError

DEFAULT_BASES = ("origin/main", "origin/master", "main", "master")  # after the upstream of the branch


class GitError(RedflagError):
    """git is missing, the folder is not a repository, or a revision does not exist."""

    usage = True


def git(root: Path | str, *args: str) -> str:
    cmd = ["git", "-C", str(root), "-c", "core.quotepath=off", *args]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", check=False)
    except FileNotFoundError as e:
        raise GitError("git is not installed (or not on PATH)") from e
    if done.returncode != 0:
        if "safe.directory" in done.stderr or "dubious ownership" in done.stderr:
            raise _unsafe(root, done.stderr)
        raise GitError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"git {args[0]} failed")
    return done.stdout


class UnsafeRepository(GitError):
    """git refuses a repository owned by someone else (safe.directory): its history cannot be read."""


_warned: set[str] = set()  # one warning per repository and run, however often the history is asked


def _unsafe(root: Path | str, stderr: str) -> UnsafeRepository:
    """The refusal as an error, and (once) as a warning on stderr: a caller that goes on without the
    history (report dates from the files' `filed` keys) must not do so silently."""
    match = re.search(r"safe\.directory '?([^'\n]+)'?", stderr)
    where = match.group(1).strip() if match else str(Path(root).absolute())
    message = (
        f"git refuses to read the repository {where}: it belongs to another user (safe.directory). Without its "
        "history, report dates come from each report's 'filed' key, which its author can set. If you trust "
        f"it, run: git config --global --add safe.directory {where}"
    )
    if where not in _warned:
        _warned.add(where)
        sys.stderr.write(f"redflag-coord: warning: {message}\n")
    return UnsafeRepository(message)


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


def is_shallow(root: Path | str) -> bool:
    """A shallow clone (as CI checkouts often are) does not know when older files were added."""
    try:
        return git(root, "rev-parse", "--is-shallow-repository").strip() == "true"
    except GitError:
        return False


def history_usable(root: Path | str) -> bool:
    """A work tree with commits and its full history: is_repository, has_commits and not is_shallow,
    asked in one git process instead of three (each command that dates reports asks it at start)."""
    try:
        out = git(root, "rev-parse", "--is-inside-work-tree", "--is-shallow-repository", "--verify", "--quiet", "HEAD")
    except GitError:  # not a repository, or no commit yet
        return False
    lines = out.splitlines()
    return len(lines) == 3 and lines[0] == "true" and lines[1] != "true"


@dataclass(frozen=True)
class Base:
    """What `--changed` compares with: the name tried, the commit (a merge-base with HEAD), and
    whether that is HEAD itself (then only uncommitted changes differ)."""

    name: str
    commit: str
    is_head: bool

    def describe(self) -> str:
        head = "; that is HEAD itself, so only uncommitted changes differ" if self.is_head else ""
        return f"{self.name} (merge-base {self.commit[:12]}){head}"


def base_candidates(root: Path | str) -> list[str]:
    """The documented order: the upstream of the current branch, then origin/main, origin/master, main, master."""
    try:
        upstream = git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}").strip()
    except GitError:
        upstream = ""
    return list(dict.fromkeys([u for u in (upstream,) if u] + list(DEFAULT_BASES)))


def pick_base(root: Path | str, rev: str | None) -> Base:
    """The commit to compare with: the merge-base of REV (default: the first of `base_candidates` that
    exists) and HEAD, or REV itself when they share no history."""
    candidates = [rev] if rev else base_candidates(root)
    head = git(root, "rev-parse", "HEAD").strip()
    for name in candidates:
        try:
            commit = git(root, "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}").strip()
        except GitError:
            continue
        try:
            commit = git(root, "merge-base", commit, "HEAD").strip()
        except GitError:
            pass
        return Base(name, commit, commit == head)
    if rev:
        raise GitError(f"no revision {rev!r} in this repository")
    raise GitError(
        "no upstream branch, origin/main, origin/master, main or master to compare with; name one: --changed REV"
    )


def resolve_base(root: Path | str, rev: str | None) -> str:
    return pick_base(root, rev).commit


def changed_since(root: Path | str, rev: str | None = None) -> list[str]:
    """Files changed since REV's merge-base with HEAD: committed, staged, unstaged, untracked, deleted."""
    return changed_against(root, rev)[1]


def changed_against(root: Path | str, rev: str | None = None) -> tuple[Base | None, list[str]]:
    """The base chosen (None in a repository without commits: everything is new) and the changed files."""
    if not has_commits(root):
        listed = git(root, "ls-files", "--cached", "--others", "--exclude-standard")
        return None, sorted({line for line in listed.splitlines() if line})
    base = pick_base(root, rev)
    diff = git(root, "diff", "--name-only", "--no-renames", "--relative", base.commit, "--")
    untracked = git(root, "ls-files", "--others", "--exclude-standard")
    return base, sorted({line for line in (diff + untracked).splitlines() if line})


def _instant(text: str) -> dt.datetime | None:
    """A committer date as git prints it (%cI), or None when Python cannot hold it (year 10000 and after):
    a clock set wrong, or a date typed by hand, is the reader's to judge (org.reportstate)."""
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class Version:
    """One first-parent commit of the current branch that added or changed a file: when, and the file's blob."""

    when: dt.datetime | None  # committer date; None: a date Python cannot hold
    blob: str  # the file's content in that commit (object id)


def versions(
    root: Path | str, pathspecs: list[str], whole: bool = False, rev: str | None = None
) -> dict[str, list[Version]]:
    """For each file matching the pathspecs: every first-parent commit of the current branch that added or
    changed it (a merge compared with its first parent: the files it brought), oldest first, with the blob.
    On the main branch that is the committee's merge of the branch the report was written on, not the
    report's own commit, whose dates (author and committer) its author can set to anything
    (GIT_COMMITTER_DATE): a backdated commit merged late is dated by the late merge. A commit made on
    the main branch itself (or fast-forwarded onto it) is dated by its own committer date.
    A file deleted and added again starts afresh: only the versions since its last addition are listed.

    `whole=True` keeps the whole first-parent history, deletions included (their blob is all zeros):
    what a file held before it was deleted and added again (the minutes' lifecycle check).

    One `git log` call for all files, whatever their number: the reader (org.reportstate) then asks for the
    few blobs it must read in one `blobs` call. Files never committed are absent.

    `rev`: the history of that commit instead of the current branch, with paths from the repository's top
    (a fetched source's bare repository, which has no work tree to be relative to).
    """
    where = [rev] if rev else ["--relative"]
    out = git(
        root,
        "log",
        "--first-parent",
        "--diff-merges=first-parent",
        "--diff-filter=AMD",
        "--no-renames",
        "--raw",
        "--no-abbrev",
        "--format=%x01%cI",
        *where,
        "--",
        *pathspecs,
    )
    found: dict[str, list[Version]] = {}
    when: dt.datetime | None = None
    for line in out.splitlines():
        if line.startswith("\x01"):
            when = _instant(line[1:])
        elif line.startswith(":") and "\t" in line:
            meta, path = line.split("\t", 1)
            found.setdefault(path, []).append(Version(when, meta.split()[3]))
    since_added: dict[str, list[Version]] = {}
    for path, listed in found.items():
        listed.reverse()  # the log runs newest first
        gone = [i for i, v in enumerate(listed) if not v.blob.strip("0")]  # a deletion: the new blob is all zeros
        kept = listed[gone[-1] + 1 :] if gone and not whole else listed
        if kept:
            since_added[path] = kept
    return since_added


def blobs(root: Path | str, ids: list[str]) -> dict[str, bytes]:
    """The content of each blob, read by one `git cat-file --batch` process; ids git does not know are absent."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    cmd = ["git", "-C", str(root), "cat-file", "--batch"]
    try:
        done = subprocess.run(cmd, input="\n".join(wanted).encode() + b"\n", capture_output=True, check=False)
    except FileNotFoundError as e:
        raise GitError("git is not installed (or not on PATH)") from e
    if done.returncode != 0:
        raise GitError(done.stderr.decode("utf-8", "replace").strip() or "git cat-file failed")
    data, at, found = done.stdout, 0, {}
    for oid in wanted:
        end = data.index(b"\n", at)
        line = data[at:end]
        head = line.split()
        at = end + 1
        if len(head) < 3 or line.endswith((b" missing", b" ambiguous")):  # a name may hold spaces
            continue
        size = int(head[2])
        found[oid] = data[at : at + size]
        at += size + 1  # the content, then a newline
    return found


def last_commit_time(root: Path | str, *pathspecs: str) -> dt.datetime | None:
    """The committer date of the last commit touching the pathspecs (all: HEAD), or None outside git.

    For outputs that must be the same bytes for the same data (a published feed's DTSTAMP)."""
    try:
        stamp = git(root, "log", "-1", "--format=%cI", "--", *pathspecs).strip()
    except GitError:
        return None
    return _instant(stamp) if stamp else None


def commit_emails(root: Path | str, limit: int = 200) -> list[str]:
    """Author and committer addresses of the last `limit` commits (none outside a repository)."""
    try:
        return git(root, "log", f"-{limit}", "--format=%ae%n%ce").split()
    except GitError:
        return []
