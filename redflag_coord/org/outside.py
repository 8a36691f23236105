"""Private text outside the data values: comments, commit messages and identities, exports.

Each is read by the same check as published text (org.privacy.check_texts): comments in the private
files are a warning (they stay in the repository, but every clone carries them); a commit message or
an author's name and address travel with every clone and every push, so they are errors; an export
written with private values and left inside the repository is an error naming the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel

from redflag_coord.org.load import Organisation, rel_path
from redflag_coord.org.privacy import Published, kind_texts, meeting_texts

COMMENTED = ("members", "relationships")  # the files whose comments sit next to private values


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
