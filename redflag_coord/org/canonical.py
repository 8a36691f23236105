"""A cheap test that a TOML text is already in fmt's canonical layout, without tomlkit.

`already_canonical` reads the text line by line with a strict grammar covering the shapes
fmt writes (comment lines, one blank line before each `[table]`/`[[table]]` header, bare
`key = value` lines in the model's order, double-quoted strings, arrays on one line when they
fit and one element per line when not, `{ a = 1 }` inline tables, multi-line basic strings).
It answers True only when fmt's emitter would give back the very same text; for anything
outside those shapes it answers False, meaning "don't know": the full tomlkit path decides.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from redflag_coord.org.model import FILE_MODELS, submodel

LINE_WIDTH = 100  # as org.fmt: an array on one line when `key = [...]` fits in this many characters

_BARE = r"[A-Za-z0-9_-]+"
_BASIC = r'"(?:[^"\\\x00-\x1f\x7f]|\\[^\x00-\x1f\x7f])*"'  # one-line basic string ('\\' + any printable)
# numbers, booleans, dates and times without a space; not nan, which is not equal to itself, so fmt's
# check that the data stays the same refuses a file holding it
_SCALAR = r"(?![+-]?nan(?![A-Za-z0-9_+.:-]))[A-Za-z0-9_+.:-]+"
_ATOM = rf"(?:{_BASIC}|{_SCALAR})"
_KEY_LINE = re.compile(rf"({_BARE}) = (.*)")
_HEADER = re.compile(rf"(\[\[?)({_BARE}(?:\.{_BARE})*)(\]\]?)")
_ATOM_RE = re.compile(_ATOM)
_ARRAY = re.compile(rf"\[(?:{_ATOM}(?:, {_ATOM})*)?\]")
_INLINE = re.compile(rf"\{{ {_BARE} = {_ATOM}(?:, {_BARE} = {_ATOM})* \}}|\{{\}}")
_ARRAY_LINE = re.compile(rf"  ({_ATOM}),")
# A multi-line basic string from its opening quotes to its closing ones and the newline after them;
# content that ends in a quote ("a"""") does not match (fmt decides those).
_MULTILINE = re.compile(r'"""(?:[^"\\]|\\[\s\S]|"{1,2}(?!"))*"""\n')
_COMMENT = re.compile(r"#[^\n]*(?<![ \t])")


class _Frame:
    """One table being read: its path, its model's field ranks, and what has been seen in it."""

    __slots__ = ("fields", "keys", "last_key_rank", "last_section", "last_section_rank", "path", "sections")

    def __init__(self, path: tuple[str, ...], fields: dict[str, Any]) -> None:
        self.path = path
        self.fields = fields
        self.last_key_rank = -1
        self.keys = 0
        self.last_section: str | None = None
        self.last_section_rank = -1
        self.sections: set[str] = set()

    def rank(self, key: str) -> int:
        ranks = _ranks(self.fields)
        return ranks.get(key, len(ranks))


_RANKS: dict[int, dict[str, int]] = {}


def _ranks(fields: dict[str, Any]) -> dict[str, int]:
    found = _RANKS.get(id(fields))
    if found is None:
        found = _RANKS[id(fields)] = {name: i for i, name in enumerate(fields)}
    return found


_FIELDS: dict[Any, dict[str, Any]] = {}


def _fields(model: Any) -> dict[str, Any]:
    """Field name (by alias) -> annotation, in the model's order (as org.fmt; cached per model)."""
    if model is None:
        return _NO_FIELDS
    found = _FIELDS.get(model)
    if found is None:
        found = _FIELDS[model] = {(f.alias or n): f.annotation for n, f in model.model_fields.items()}
    return found


_NO_FIELDS: dict[str, Any] = {}


def already_canonical(text: str, kind: str | None) -> bool:
    """True only if fmt would return `text` unchanged; False: not canonical, or not sure.

    The caller has checked that the text is valid TOML (org.parse) and within fmt's size limits.
    """
    if not text.endswith("\n") or text.endswith("\n\n") or "\r" in text or text.startswith("\n"):
        return False
    try:
        return _scan(text, kind)
    except _Unsure:
        return False


class _Unsure(Exception):
    pass


def _scan(text: str, kind: str | None) -> bool:
    frames = [_Frame((), _fields(FILE_MODELS.get(kind or "")))]
    pos, end = 0, len(text)
    prev = "start"  # the kind of the previous line: start, blank, comment, key, header
    at_top_block = True  # the comment lines read so far open the file (fmt keeps them as its header)
    comments_before_blank = False  # the blank line just read follows a comment block
    while pos < end:
        nl = text.index("\n", pos)
        line = text[pos:nl]
        if not line:
            if prev in ("start", "blank"):
                return False
            comments_before_blank = prev == "comment"
            if comments_before_blank and not at_top_block:
                return False  # comments after the last key of a table: fmt moves them
            prev, pos = "blank", nl + 1
            continue
        first = line[0]
        if first == "#":
            if not _COMMENT.fullmatch(line):
                return False
            if prev == "blank" and not comments_before_blank and frames[-1].keys == 0:
                return False  # a blank line before the comments above a table's first key: fmt drops it
            if prev not in ("start", "comment"):
                at_top_block = False
            prev, pos = "comment", nl + 1
            continue
        if first == "[":
            if prev not in ("blank", "start"):
                return False
            _header(line, frames)
            at_top_block = False
            prev, pos = "header", nl + 1
            continue
        if prev == "blank" and not comments_before_blank:
            return False  # a blank line between two keys (or after a header): fmt removes it
        at_top_block = False
        pos = _key_value(text, pos, nl, line, frames[-1])
        prev = "key"
    return prev in ("key", "header")


def _header(line: str, frames: list[_Frame]) -> None:
    m = _HEADER.fullmatch(line)
    if m is None or len(m.group(1)) != len(m.group(3)):
        raise _Unsure
    double = len(m.group(1)) == 2
    path = tuple(m.group(2).split("."))
    depth = len(path) - 1
    if len(frames) <= depth or frames[depth].path != path[:-1]:
        raise _Unsure  # a table whose parent is not the table just above it (or is implicit): fmt decides
    del frames[depth + 1 :]
    parent, key = frames[depth], path[-1]
    if key == parent.last_section:
        if not double:
            raise _Unsure
    else:
        rank = parent.rank(key)
        if key in parent.sections or rank < parent.last_section_rank:
            raise _Unsure  # tables out of the model's order (or split): fmt reorders them
        parent.sections.add(key)
        parent.last_section, parent.last_section_rank = key, rank
    frames.append(_Frame(path, _fields(submodel(parent.fields.get(key)))))


def _key_value(text: str, pos: int, nl: int, line: str, frame: _Frame) -> int:
    """Check one `key = value` (which may run over several lines); returns where the next line starts."""
    m = _KEY_LINE.fullmatch(line)
    if m is None:
        raise _Unsure
    key, value = m.group(1), m.group(2)
    rank = frame.rank(key)
    if rank < frame.last_key_rank:
        raise _Unsure  # keys out of the model's order: fmt sorts them
    frame.last_key_rank, frame.keys = rank, frame.keys + 1
    width = len(key) + 3
    if _ATOM_RE.fullmatch(value):
        return nl + 1
    if value.startswith('"""'):
        ml = _MULTILINE.match(text, pos + width)
        if ml is None:
            raise _Unsure
        return ml.end()
    if value.startswith("["):
        if value == "[":
            return _long_array(text, nl + 1, width)
        if _ARRAY.fullmatch(value) and len(line) <= LINE_WIDTH:
            return nl + 1
        raise _Unsure
    if value.startswith("{") and _INLINE.fullmatch(value):
        if submodel(frame.fields.get(key)) is not None:
            raise _Unsure  # an inline form of one of the model's tables: fmt writes it as a [table]
        return nl + 1
    raise _Unsure


def _long_array(text: str, pos: int, width: int) -> int:
    """An array written one element per line: canonical only when it would not fit on one line."""
    parts: list[str] = []
    while True:
        nl = text.find("\n", pos)
        if nl < 0:
            raise _Unsure
        line = text[pos:nl]
        if line == "]":
            break
        m = _ARRAY_LINE.fullmatch(line)
        if m is None:
            raise _Unsure
        parts.append(m.group(1))
        pos = nl + 1
    if not parts or width + len("[" + ", ".join(parts) + "]") <= LINE_WIDTH:
        raise _Unsure
    return nl + 1


# Every string form of TOML, then comments, and the rest in between; for valid TOML only (org.parse read it).
_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\[\s\S]|"{1,2}(?!"))*"{3,5}'
    r"|'''(?:[^']|'{1,2}(?!'))*'{3,5}"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'[^'\n]*'"
    r"|(#[^\n]*)"
    r"""|[^"'#]+"""
)


def comments(text: str) -> Counter[str]:
    """Every comment of a valid TOML text, stripped, counted (fmt checks that a rewrite keeps them all)."""
    found: Counter[str] = Counter()
    for m in _TOKENS.finditer(text):
        if m.group(1) is not None:
            found[m.group(1).strip()] += 1
    return found
