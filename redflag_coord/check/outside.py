"""Private text outside the data values: comments, commit messages and identities, exports.

Each is read by the same check as published text (check.privacy.check_texts): comments in the private
files are a warning (they stay in the repository, but every clone carries them); a commit message or
an author's name and address travel with every clone and every push, so they are errors; an export
written with private values and left inside the repository is an error naming the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from redflag_coord.check.privacy import Pseudonyms, Published, check_texts, kind_texts, meeting_texts
from redflag_coord.errors import RedflagError
from redflag_coord.org.load import Organisation, rel_path
from redflag_coord.org.model import Report
from redflag_coord.org.problems import Problem, Problems

if TYPE_CHECKING:
    from redflag_coord.crypt import Identities

COMMENTED = ("members", "relationships")


class MessageError(RedflagError):
    """A commit message file that cannot be read (a usage error: the hook or the user names it)."""

    usage = True  # the files whose comments sit next to private values


def comments(text: str) -> Iterator[tuple[int, str]]:
    """(line number, comment text) of each TOML comment: a '#' outside a one-line string."""
    for number, line in enumerate(text.splitlines(), 1):
        if "#" not in line:
            continue
        quote = ""
        for i, ch in enumerate(line):
            if quote:
                if ch == quote and (quote == "'" or line[i - 1] != "\\"):
                    quote = ""
            elif ch in "\"'":
                quote = ch
            elif ch == "#":
                yield number, line[i + 1 :]
                break


def comment_texts(org: Organisation) -> Iterator[Published]:
    """The comments of every members.toml and relationships.toml, as warnings."""
    for c in org.collectives.values():
        for kind in COMMENTED:
            rel = rel_path(kind, c.slug)
            if getattr(c, kind) is None:
                continue
            yield from _comment_texts(Path(org.root), rel)


# -- commits --------------------------------------------------------------------------------------

COMMIT_WHERE = "commit messages travel with every clone and push"
IDENTITY_WHERE = "the commit author's name and address travel with every clone and push"


def message_texts(rel: str, message: str) -> Iterator[Published]:
    """A commit message, line by line (git's comment lines left out: git drops them)."""
    for line, text in enumerate(message.splitlines(), 1):
        if not text.startswith("#") and text.strip():
            yield Published(rel, (), text, line=line, where=COMMIT_WHERE)


_IDENT = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^>]*)>")


def identity_texts(rel: str, ident: str) -> Iterator[Published]:
    """An author identity ('Name <address> 1700000000 +0000'): the name only. The address is the
    commit-identity check's (it tells pseudonymous addresses from real ones); the name is checked here
    for pseudonyms and contact details."""
    m = _IDENT.match(ident)
    name = m.group("name") if m else ident
    if name.strip():
        yield Published(rel, (), name, where=IDENTITY_WHERE)


def file_texts(root: Path, kind: str, slug: str, name: str | None, model: BaseModel) -> Iterator[Published]:
    """What the private-text check reads in one file: its published texts, and the comments of a
    members.toml or relationships.toml (validate --changed, one changed file at a time)."""
    if kind == "meeting":
        yield from meeting_texts(slug, name or "", model)  # type: ignore[arg-type]
    else:
        yield from kind_texts(kind, slug, name, model)
    if kind in COMMENTED:
        yield from _comment_texts(Path(root), rel_path(kind, slug))


def _comment_texts(root: Path, rel: str) -> Iterator[Published]:
    try:
        text = (root / rel).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return  # reported by the file's own checks
    for line, comment in comments(text):
        yield Published(rel, (), comment, severity="warning", line=line)


def pseudonyms_of(root: Path, identities: Identities | None) -> Pseudonyms:
    """The organisation's pseudonyms (opened with `identities`) and countries, from its collective.toml
    and relationships.toml files only: what a commit message is checked against."""
    return Pseudonyms(read_files(root, identities, ("collective", "relationships")))


def read_files(root: Path, identities: Identities | None, kinds: tuple[str, ...]) -> Organisation:
    """An organisation of only these files of each collective (fixed kinds, and "report" for every report),
    private values opened with `identities`."""
    from redflag_coord.org.load import COLLECTIVES, CollectiveData
    from redflag_coord.org.parse import check_file
    from redflag_coord.org.secrets import reveal
    from redflag_coord.org.settings import settings_or_defaults

    org = Organisation(root=root)
    base = root / COLLECTIVES
    for folder in sorted(base.iterdir()) if base.is_dir() else []:
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        c = org.collectives[folder.name] = CollectiveData(folder.name)
        for kind in kinds:
            if kind == "report":  # a collective's reports: their distribution sites are private values
                for path in sorted((folder / "reports").glob("*.toml")):
                    rel = rel_path(kind, folder.name, path.stem)
                    if isinstance(report := check_file(path, rel, kind).model, Report):
                        c.reports[path.stem] = report
                continue
            rel = rel_path(kind, folder.name)
            if (root / rel).is_file():
                model = check_file(root / rel, rel, kind).model
                setattr(c, "info" if kind == "collective" else kind, model)
    if identities is not None:
        reveal(org, settings_or_defaults(root), identities, Problems())
    return org


def check_message(rel: str, message: str, ident: str, pseudonyms: Pseudonyms, out: Problems) -> None:
    """The commit-msg hook: the message and the author's name (`git var GIT_AUTHOR_IDENT`), as errors;
    a real-looking author address, as `validate` warns of it (commit-identity)."""
    from redflag_coord.check.sealed import check_commit_identities

    check_texts(message_texts(rel, message), pseudonyms, out)
    check_texts(identity_texts(rel, ident), pseudonyms, out)
    m = _IDENT.match(ident)
    if m:
        check_commit_identities([m.group("email")], out)


_RECORD = "\x1e"


def unpushed(root: Path, base: str | None = None) -> list[tuple[str, str, str]]:
    """(commit, author name, message) of each commit on HEAD not yet on the base (`--changed`'s base:
    the branch's upstream, then origin/main, origin/master, main, master); none outside git or without one."""
    from redflag_coord.repo.gitinfo import GitError, git, has_commits, pick_base

    try:
        if not has_commits(root):
            return []
        found = pick_base(root, base)
        if found.is_head:
            return []
        log = git(root, "log", "--format=%H%x00%an%x00%B" + _RECORD, f"{found.commit}..HEAD")
    except GitError:
        return []
    out = []
    for record in log.split(_RECORD):
        parts = record.strip("\n").split("\x00")
        if len(parts) == 3:
            out.append((parts[0], parts[1], parts[2]))
    return out


def check_commits(commits: list[tuple[str, str, str]], pseudonyms: Pseudonyms, out: Problems) -> None:
    """Private text in the messages and author names of commits not yet pushed to the base."""
    for sha, name, message in commits:
        for p in message_texts(".git", message):
            where = f"the message of commit {sha[:12]} (line {p.line}), not yet on the base branch, travels everywhere"
            check_texts([replace(p, line=None, where=where)], pseudonyms, out)
        who = f"the author name of commit {sha[:12]}, not yet on the base branch, travels with every clone"
        check_texts([Published(".git", (), name, where=who)], pseudonyms, out)


def commit_problems(root: Path, rev: str | None, pseudonyms: Callable[[], Pseudonyms]) -> list[Problem]:
    """`check_commits` on the commits not yet on the base (REV's merge-base, else the default base);
    `pseudonyms` is called only when there are such commits."""
    commits = unpushed(root, rev)
    if not commits:
        return []
    out = Problems()
    check_commits(commits, pseudonyms(), out)
    return out.items


def message_problems(root: Path, message_file: Path, identities: Identities | None) -> list[Problem]:
    """The commit-msg hook's check (`validate --commit-msg FILE`): the message and the author identity."""
    from redflag_coord.repo.gitinfo import GitError, git

    try:
        message = message_file.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise MessageError(f"{message_file}: cannot read the commit message ({e.strerror})") from e
    try:
        ident = git(root, "var", "GIT_AUTHOR_IDENT").strip()
    except GitError:
        ident = ""  # outside git (a message checked by hand): the message alone
    out = Problems()
    rel = message_file.name
    check_message(rel, message, ident, pseudonyms_of(root, identities), out)
    return out.items
