"""fmt's layout for the simple shapes of TOML, cheaply, without tomlkit.

`quick_format` reads the text line by line with a strict grammar covering the shapes fmt
writes (comment lines, one blank line before each `[table]`/`[[table]]` header, bare
`key = value` lines, double-quoted strings, arrays of plain values, `{ a = 1 }` inline tables,
multi-line basic strings). For those it returns what fmt's tomlkit emitter would write: the
same text when it is canonical, or the keys in the model's order and arrays wrapped by width.
For anything else it returns None ("not sure") and the full tomlkit path decides.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections import Counter
from typing import Any

from redflag_coord.org.model import FILE_MODELS, submodel

LINE_WIDTH = 100  # fmt writes an array on one line when `key = [...]` fits in this many characters

_BARE = r"[A-Za-z0-9_-]+"
_BASIC = r'"(?:[^"\\\x00-\x1f\x7f]|\\[^\x00-\x1f\x7f])*"'  # one-line basic string ('\\' + any printable)
# numbers, booleans, dates and times without a space; not nan, which is not equal to itself, so fmt's
# check that the data stays the same refuses a file holding it
_SCALAR = r"(?![+-]?nan(?![A-Za-z0-9_+.:-]))[A-Za-z0-9_+.:-]+"
_ATOM = rf"(?:{_BASIC}|{_SCALAR})"
_SIMPLE = re.compile(rf"({_BARE}) = {_ATOM}(?:[ \t]+#[^\n]*(?<![ \t]))?")  # a comment after the value stays as written
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


# One `key = value` of a table as it will be written: its rank in the model's order, the comment lines
# right above it, whether a blank line comes before those, and its lines.
_Unit = tuple[int, list[str], bool, "list[str] | tuple[str]"]


class _Frame:
    """One table being read: its path, its model's fields, its keys so far, and the tables seen in it."""

    __slots__ = ("fields", "last_section", "last_section_rank", "path", "ranks", "sections", "units")

    def __init__(self, path: tuple[str, ...], fields: dict[str, Any]) -> None:
        self.path = path
        self.fields = fields
        self.ranks = _ranks(fields)
        self.units: list[_Unit] = []  # this table's keys, in the order read
        self.last_section: str | None = None
        self.last_section_rank = -1
        self.sections: set[str] = set()

    def rank(self, key: str) -> int:
        return self.ranks.get(key, len(self.ranks))


_RANKS: dict[int, dict[str, int]] = {}
_FIELDS: dict[Any, dict[str, Any]] = {}
_SUBFIELDS: dict[tuple[int, str], dict[str, Any]] = {}
_NO_FIELDS: dict[str, Any] = {}


def _ranks(fields: dict[str, Any]) -> dict[str, int]:
    found = _RANKS.get(id(fields))  # the field dicts are cached for good: their ids stay theirs
    if found is None:
        found = _RANKS[id(fields)] = {name: i for i, name in enumerate(fields)}
    return found


def _fields(model: Any) -> dict[str, Any]:
    """Field name (by alias) -> annotation, in the model's order (as edit.fmt; cached per model)."""
    if model is None:
        return _NO_FIELDS
    found = _FIELDS.get(model)
    if found is None:
        found = _FIELDS[model] = {(f.alias or n): f.annotation for n, f in model.model_fields.items()}
    return found


def _subfields(fields: dict[str, Any], key: str) -> dict[str, Any]:
    found = _SUBFIELDS.get((id(fields), key))
    if found is None:
        found = _SUBFIELDS[(id(fields), key)] = _fields(submodel(fields.get(key)))
    return found


_NO_COMMENTS: list[str] = []


class _Unsure(Exception):
    pass


def quick_format(text: str, kind: str | None) -> str | None:
    """fmt's layout of `text` when the text is one of the simple shapes read here, else None (not sure).

    Within those shapes the only changes made are the ones fmt makes most: keys put in the model's
    order (in a table without comments) and arrays put on one line or one element per line by width.
    The caller has checked that the text is valid TOML (org.parse) and within fmt's size limits.
    """
    if not text.endswith("\n") or text.endswith("\n\n") or "\r" in text or text.startswith("\n"):
        return None
    try:
        return _scan(text, kind)
    except _Unsure:
        return None


def already_canonical(text: str, kind: str | None) -> bool:
    """True only if fmt would return `text` unchanged; False: it would not, or not sure."""
    return quick_format(text, kind) == text


def _scan(text: str, kind: str | None) -> str:
    out: list[str] = []
    frames = [_Frame((), _fields(FILE_MODELS.get(kind or "")))]
    pos, end = 0, len(text)
    prev = "start"  # the kind of the previous line: start, blank, comment, key, header
    blank_after = ""  # what the last blank line followed: key, header, or top (the file's opening comments)
    block_after = ""  # what the comment block being read follows: start, key, header, or blank-<blank_after>
    comments: list[str] = _NO_COMMENTS  # that block's lines (never append to the shared empty list)
    while pos < end:
        nl = text.index("\n", pos)
        line = text[pos:nl]
        if not line:
            if prev == "comment" and block_after == "start":
                out.extend(comments)  # the file's opening comments, then one blank line
                out.append("")
                comments, blank_after = _NO_COMMENTS, "top"
            elif prev == "comment":
                comments.append("")  # between two blocks of comments: stays (a comment must follow)
                blank_after = "comment"
            elif prev in ("key", "header"):
                blank_after = prev
            else:
                raise _Unsure  # a blank line first, or two in a row: fmt removes them
            prev, pos = "blank", nl + 1
            continue
        first = line[0]
        if first == "#":
            if not _COMMENT.fullmatch(line):
                raise _Unsure
            if prev == "comment" or (prev == "blank" and blank_after == "comment"):
                comments.append(line)
            else:
                comments, block_after = [line], (f"blank-{blank_after}" if prev == "blank" else prev)
            prev, pos = "comment", nl + 1
            continue
        if first == "[":
            if prev == "blank" and blank_after == "comment":
                pass  # comments above a table, then a blank line: both stay
            elif prev == "comment":
                if block_after not in ("start", "blank-key", "blank-header", "blank-top"):
                    raise _Unsure  # comments right below a key, above a table: fmt puts a blank line first
            elif prev not in ("blank", "start"):
                raise _Unsure  # a table right below a key: fmt puts a blank line first
            _flush(frames[-1], out)
            _header(line, frames)
            _blank(out)
            out.extend(comments)  # comments above a table stay there, after one blank line
            out.append(line)
            comments, prev, pos = _NO_COMMENTS, "header", nl + 1
            continue
        blank_before = False
        if prev == "blank" and blank_after == "comment":
            raise _Unsure  # comments, a blank line, then a key: left to fmt
        if prev == "comment":
            if block_after == "blank-header":
                raise _Unsure  # a blank line before the comments above a table's first key: fmt drops it
            blank_before = block_after == "blank-key"
        elif prev == "blank" and blank_after != "top":
            raise _Unsure  # a blank line between two keys (or after a header): fmt removes it
        simple = _SIMPLE.fullmatch(line)
        if simple is not None:  # most lines: `key = "text"`, `key = 12`, `key = 2026-11-27`
            ranks = frames[-1].ranks
            frames[-1].units.append((ranks.get(simple.group(1), len(ranks)), comments, blank_before, (line,)))
            pos = nl + 1
        else:
            pos = _key_value(text, pos, nl, line, frames[-1], comments, blank_before)
        comments, prev = _NO_COMMENTS, "key"
    if prev == "comment" and block_after not in ("blank-key", "blank-header", "blank-top"):
        raise _Unsure  # comments at the end right below a key: fmt puts a blank line first
    if prev == "blank":
        raise _Unsure
    _flush(frames[-1], out)
    if comments:
        _blank(out)
        out.extend(comments)
    return "\n".join(out) + "\n"


def _flush(frame: _Frame, out: list[str]) -> None:
    """Write a table's keys: in the model's order, which moves no comment only when none is there."""
    units = frame.units
    if any(a[0] > b[0] for a, b in itertools.pairwise(units)):
        if any(u[1] for u in units):
            raise _Unsure  # keys to reorder and comments among them: fmt decides where the comments go
        units = sorted(units, key=operator.itemgetter(0))
    for _, comments, blank_before, lines in units:
        if blank_before:
            _blank(out)
        out.extend(comments)
        out.extend(lines)
    frame.units = []


def _blank(out: list[str]) -> None:
    if out and out[-1] != "":
        out.append("")


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
    frames.append(_Frame(path, _subfields(parent.fields, key)))


def _key_value(text: str, pos: int, nl: int, line: str, frame: _Frame, comments: list[str], blank_before: bool) -> int:
    """Read one `key = value` (which may run over several lines); returns where the next line starts."""
    m = _KEY_LINE.fullmatch(line)
    if m is None:
        raise _Unsure
    key, value = m.group(1), m.group(2)
    width = len(key) + 3
    after = nl + 1
    if _ATOM_RE.fullmatch(value):
        lines = [line]
    elif value.startswith('"""'):
        ml = _MULTILINE.match(text, pos + width)
        if ml is None:
            raise _Unsure
        after = ml.end()
        lines = text[pos : after - 1].split("\n")
    elif value == "[":
        parts, after = _long_array(text, after)
        lines = _array(key, parts)
    elif value.startswith("[") and _ARRAY.fullmatch(value):
        lines = _array(key, _ATOM_RE.findall(value[1:-1]))
    elif value.startswith("{") and _INLINE.fullmatch(value):
        if submodel(frame.fields.get(key)) is not None:
            raise _Unsure  # an inline form of one of the model's tables: fmt writes it as a [table]
        lines = [line]
    else:
        raise _Unsure
    frame.units.append((frame.rank(key), comments, blank_before, lines))
    return after


def _array(key: str, parts: list[str]) -> list[str]:
    """As edit.fmt writes an array of plain values: on one line when it fits, else one element per line."""
    one_line = f"{key} = [" + ", ".join(parts) + "]"
    if len(one_line) <= LINE_WIDTH or not parts:
        return [one_line]
    return [f"{key} = [", *(f"  {p}," for p in parts), "]"]


def _long_array(text: str, pos: int) -> tuple[list[str], int]:
    """The elements of an array written one per line (as fmt writes it), and where the next line starts."""
    parts: list[str] = []
    while True:
        nl = text.find("\n", pos)
        if nl < 0:
            raise _Unsure
        line = text[pos:nl]
        if line == "]":
            return parts, nl + 1
        m = _ARRAY_LINE.fullmatch(line)
        if m is None:
            raise _Unsure
        parts.append(m.group(1))
        pos = nl + 1


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
