"""Exports left inside the repository: an agenda written with --include-private is one `git add -A` away
from every clone.

A file counts as one of this tool's exports by what the tool writes into it: a PRODID naming
redflag-coord (iCalendar), a "schema" starting with "redflag-coord/" (JSON), or the Content-Security-Policy
line of its HTML pages. Such a file, or any *.html, *.ics or *.json file, fails `validate` (export-private)
when it holds a private value the check can read (plain, or opened with the identity given); a tool export
also fails when it holds what looks like an email address or a phone number, which published text never
does (so a keyless `validate` still finds an export with the filer's contact).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import Path

from redflag_coord.check.privacy import EMAIL, looks_like_phone
from redflag_coord.org.load import Organisation
from redflag_coord.org.problems import Problem, Problems

CODE = "export-private"
SUFFIXES = (".html", ".htm", ".ics", ".json")
MAX_BYTES = 20_000_000  # larger files are no export of this tool
MIN_VALUE = 4  # shorter private values would match by chance; longer ones only as whole words
_SKIP = {".git", ".venv", "venv", "node_modules", "__pycache__"}
_MARKERS = (
    "PRODID:-//redflag-coord//",
    '"schema": "redflag-coord/',
    "content=\"default-src 'none'; style-src 'unsafe-inline'\"",
)


def candidates(root: Path, paths: Iterable[str] | None = None) -> list[str]:
    """Files that could be exports, relative to root: `paths` (the changed ones) or every file that git
    would commit (tracked, or untracked and not ignored); outside git, every file not in a hidden folder."""
    if paths is None:
        paths = _listed(root)
    return sorted(p for p in paths if p.lower().endswith(SUFFIXES) and (root / p).is_file())


def _listed(root: Path) -> list[str]:
    from redflag_coord.repo.gitinfo import GitError, git, is_repository

    if is_repository(root):
        try:
            return git(root, "ls-files", "--cached", "--others", "--exclude-standard", "-z").split("\0")
        except GitError:
            pass
    return [
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if not any(part in _SKIP or part.startswith(".") for part in p.relative_to(root).parts[:-1])
    ]


def private_values(org: Organisation) -> set[str]:
    """Every private value readable here (plain in the files, or opened by `validate`'s identity)."""
    from redflag_coord import crypt
    from redflag_coord.org.secrets import GUESSABLE, slots

    held = (s.value for s in slots(org) if s.attr not in GUESSABLE)
    return {
        v.strip()
        for v in (*held, *org.let_go)
        if v and not crypt.is_sealed(v) and v != "(encrypted)" and len(v.strip()) >= MIN_VALUE
    }


_ROLE_LINES = re.compile(r"^(?:UID|ORGANIZER|RELATED-TO)[;:].*$", re.MULTILINE)


def readable(text: str) -> str:
    """The text as a reader sees it: iCalendar lines unfolded, escapes undone (HTML entities, JSON's \\u, ICS's \\,)."""
    text = re.sub(r"\r?\n[ \t]", "", text)
    text = html.unescape(text)
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return re.sub(r"\\([,;\\])", r"\1", text)


def check_exports(root: Path, org: Organisation, out: Problems, paths: Iterable[str] | None = None) -> None:
    """export-private for each export inside the repository that holds private values."""
    values: set[str] | None = None
    for rel in candidates(root, paths):
        path = root / rel
        try:
            if path.stat().st_size > MAX_BYTES:
                continue
            raw = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        tool = any(m in raw for m in _MARKERS)
        text = readable(raw)
        if values is None:
            values = private_values(org)
        found = sum(v in text and re.search(rf"(?<!\w){re.escape(v)}(?!\w)", text) is not None for v in values)
        public = _ROLE_LINES.sub("", text)  # the organiser's role address and UIDs (x@domain) are public
        contact = tool and (EMAIL.search(public) is not None or looks_like_phone(public))
        if found or contact:
            what = f"{found} private value(s)" if found else "what looks like a member's email address or phone"
            out.add(
                rel,
                CODE,
                f"{'an export of redflag-coord' if tool else 'this file'} holds {what} (not shown), inside the "
                "repository where a commit would carry it to every clone: delete it, or write exports outside "
                "the repository (--output /some/other/folder)",
            )


def export_problems(root: Path, org: Organisation, paths: Iterable[str] | None = None) -> list[Problem]:
    out = Problems()
    check_exports(Path(root), org, out, paths)
    return out.items
