"""Characters in text values that could take over an output or a terminal.

A value ends up in agendas (Markdown, HTML), calendar files and terminals.
Control characters (ESC starts a terminal escape sequence, CR overwrites a
line), bidirectional overrides (which reorder what is displayed) and line
breaks in one-line values (a title, a topic) would change the structure of
those outputs, so they are errors at the source, before any command renders.
"""

from __future__ import annotations

import re
import typing
import unicodedata
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel

from redflag_coord.org.glyphs import INVISIBLE, invisible_at
from redflag_coord.org.model import submodel
from redflag_coord.org.problems import Problem, Severity

ONE_LINE_MAX = 300  # ShortText: titles, topics, names
# Control characters (Cc) but tab and line feed, bidirectional controls, and line/paragraph separators.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_UNSAFE_ONE_LINE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_BREAKS = {"\n", "\u2028", "\u2029", "\x85"}


_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
MAX_STACKED_MARKS = 5  # combining marks on one letter: scripts need up to three or four


def stacked_marks_at(text: str) -> int | None:
    """Where a run of more than MAX_STACKED_MARKS combining marks starts (text that spills over lines)."""
    run = 0
    for i, ch in enumerate(text):
        if unicodedata.category(ch) in ("Mn", "Me"):
            run += 1
            if run > MAX_STACKED_MARKS:
                return i - run + 1
        else:
            run = 0
    return None


def _name(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, '')}".rstrip()


class _Confusables(dict[int, str]):
    """The mapping as str.translate reads it: each character's line is looked up in the data file the
    first time a text holds that character. Parsing all 9,464 lines at once took longer than a small
    organisation's whole check (start-up time); the answers are the file's, line for line."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = "\n" + text  # every line, the first included, starts after a line feed
        self._absent: set[int] = set()

    def __missing__(self, code: int) -> str:
        if code in self._absent:
            raise KeyError(code)  # translate keeps the character
        at = self._text.find(f"\n{code:04X}\t")
        if at < 0:
            self._absent.add(code)
            raise KeyError(code)
        start = self._text.index("\t", at) + 1
        end = self._text.find("\n", start)
        target = self._text[start : end if end >= 0 else None]
        self[code] = value = "".join(chr(int(c, 16)) for c in target.split())
        return value


@cache
def _confusables() -> dict[int, str]:
    """Unicode's TR 39 confusable mapping (data/confusables.txt, made by scripts/make_confusables.py)."""
    return _Confusables(
        resources.files("redflag_coord.org").joinpath("data/confusables.txt").read_text(encoding="utf-8")
    )


def skeleton(text: str) -> str:
    """The TR 39 skeleton: two strings with the same skeleton look the same ("Mexico", "M\u0435xico")."""
    nfd = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", nfd.translate(_confusables()))


def fold(text: str, confusables: bool = True) -> str:
    """A form for comparing what text says, whatever its spelling: NFKC, case-folded, default-ignorable
    characters removed, and (`confusables`) look-alike letters mapped to one."""
    if text.isascii():  # most text: the same result by a few C-level passes (tested against the long way)
        return _fold_ascii(text, confusables)
    folded = INVISIBLE.sub("", unicodedata.normalize("NFKC", text).casefold())
    return unicodedata.normalize("NFC", skeleton(folded)) if confusables else folded


def _fold_ascii(text: str, confusables: bool) -> str:
    """`fold` of ASCII text: NFKC changes nothing, case folding is lower(), nothing is invisible, and
    the few ASCII look-alikes are replaced one after the other (no replacement holds another's source)."""
    lowered = text.lower()
    if not confusables:
        return lowered
    for source, target in _ascii_confusables():
        if source in lowered:
            lowered = lowered.replace(source, target)
    return lowered


def _listed(table: dict[int, str], code: int) -> bool:
    try:
        table[code]
    except KeyError:
        return False
    return True


@cache
def _ascii_confusables() -> tuple[tuple[str, str], ...]:
    table = _confusables()  # read per character (see _Confusables): ask for each ASCII one
    pairs = tuple((chr(c), table[c]) for c in range(128) if not chr(c).isupper() and _listed(table, c))
    targets = "".join(t for _, t in pairs)
    # Replacing one after the other equals one simultaneous translation only if no target holds a source,
    # and skipping the normalisations is right only if the targets are normalised already.
    assert not any(s in targets for s, _ in pairs)
    assert unicodedata.is_normalized("NFD", targets) and unicodedata.is_normalized("NFC", targets)
    return pairs


def comment_problems(rel: str, text: str) -> list[Problem]:
    """Bidi controls in comments (Trojan Source): they make a comment show code that is not there."""
    out = []
    for m in _BIDI_CONTROLS.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        if "#" not in text[start : m.start()]:
            continue  # in a value: the value checks report it
        out.append(
            Problem(
                rel,
                "unsafe-text",
                f"a bidirectional control character ({_name(m.group())}) in a comment: it reorders how the line "
                'is displayed, so the file can show something other than what it holds ("Trojan Source"); '
                "remove it",
                line=text.count("\n", 0, m.start()) + 1,
                column=m.start() - start + 1,
            )
        )
        if len(out) >= 10:
            break
    return out


def _describe(i: int, ch: str) -> tuple[str, str]:
    code = f"U+{ord(ch):04X}"
    if ch in _BREAKS:
        return "one-line", (
            f"a line break at character {i + 1}; this value must be one line "
            "(a title, topic or name): remove the line break"
        )
    if ch in _BIDI:
        return "unsafe-text", (
            f"a bidirectional control character ({code}) at character {i + 1}: it reorders "
            "how the text is displayed; remove it"
        )
    return "unsafe-text", (
        f"a control character ({code}) at character {i + 1}: control characters "
        "can rewrite a terminal or break exports; remove it"
    )


@cache
def _fields(cls: type[BaseModel]) -> dict[str, tuple[type[BaseModel] | None, bool]]:
    """TOML key -> (the model inside that field, if any; whether it is a one-line value)."""
    return {
        (f.alias or n): (submodel(f.annotation), _is_short(f.annotation, f.metadata))
        for n, f in cls.model_fields.items()
    }


def _is_short(annotation: Any, metadata: list) -> bool:
    if any(getattr(m, "max_length", None) == ONE_LINE_MAX for m in metadata):
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        return _is_short(base, extra)
    if origin is not None and origin not in (list, dict):
        return any(_is_short(a, []) for a in typing.get_args(annotation))
    return False


def _lookalike_problems(rel: str, value: str, key: tuple, one_line: bool) -> list[Problem]:
    """Invisible characters and piles of combining marks: errors in one-line values, warnings in text."""
    severity: Severity = "error" if one_line else "warning"
    out = []
    at = invisible_at(value)
    if at is not None:
        out.append(
            Problem(
                rel,
                "invisible-text",
                f"holds an invisible character ({_name(value[at])}) at character {at + 1}: it makes the text look "
                "like another (a name passing for someone else's); remove it",
                severity=severity,
                key=key,
            )
        )
    at = stacked_marks_at(value)
    if at is not None:
        out.append(
            Problem(
                rel,
                "invisible-text",
                f"holds more than {MAX_STACKED_MARKS} combining marks in a row at character {at + 1}: they pile up "
                "over other lines of an agenda; remove them",
                severity=severity,
                key=key,
            )
        )
    return out


def confusable_groups(names: list[tuple[str, str, tuple]]) -> list[list[tuple[str, str, tuple]]]:
    """Groups of (text, file, key) whose texts differ but look the same (same NFC form or TR 39 skeleton)."""
    by: dict[str, list[tuple[str, str, tuple]]] = {}
    for entry in names:
        by.setdefault(skeleton(unicodedata.normalize("NFC", entry[0])), []).append(entry)
    return [group for group in by.values() if len(group) > 1]


def text_problems(rel: str, data: dict, model: type[BaseModel]) -> list[Problem]:
    """Unsafe characters in the text values of one parsed file (already valid against `model`).

    Every value of every file passes here, so the walk is lean: plain ASCII text is passed over in
    place, and a key path is built only for a value with a problem. Validation bounds the depth."""
    out: list[Problem] = []
    _walk_table(rel, data, (), model, out)
    return out


_NO_FIELDS: dict[str, tuple[type[BaseModel] | None, bool]] = {}


def _walk_table(rel: str, table: dict, key: tuple, cls: type[BaseModel] | None, out: list[Problem]) -> None:
    fields = _fields(cls) if cls is not None else _NO_FIELDS
    for k, v in table.items():
        kind = type(v)
        if kind is str:
            if not (v.isascii() and v.isprintable()):  # else: no control, format or separator characters
                _check_value(rel, v, (*key, k), fields.get(k, (None, False))[1], out)
        elif kind is dict or kind is list:
            sub, short = fields.get(k, (None, False))
            _walk_value(rel, v, (*key, k), sub, short, out)


def _walk_value(rel: str, value: Any, key: tuple, cls: type[BaseModel] | None, one_line: bool, out: list) -> None:
    kind = type(value)
    if kind is str:
        if not (value.isascii() and value.isprintable()):
            _check_value(rel, value, key, one_line, out)
    elif kind is dict:
        _walk_table(rel, value, key, cls, out)
    elif kind is list:
        for i, v in enumerate(value):
            if type(v) is not str or not (v.isascii() and v.isprintable()):
                _walk_value(rel, v, (*key, i), cls, one_line, out)


def _check_value(rel: str, value: str, key: tuple, one_line: bool, out: list[Problem]) -> None:
    m = (_UNSAFE_ONE_LINE if one_line else _UNSAFE).search(value)
    if m:
        code, message = _describe(m.start(), m.group())
        out.append(Problem(rel, code, f"holds {message}", key=key))
    elif not value.isascii():  # invisible characters and combining marks are all outside ASCII
        out.extend(_lookalike_problems(rel, value, key, one_line))


def unsafe_char(value: str, one_line: bool) -> tuple[str, str] | None:
    """(code, message) for the first unsafe character of one value, or None (for values opened after loading)."""
    m = (_UNSAFE_ONE_LINE if one_line else _UNSAFE).search(value)
    return _describe(m.start(), m.group()) if m else None


def one_line_problem(value: str) -> str | None:
    """Why validate refuses a one-line value (a title, a topic, a name), or None: the same check
    (`_check_value`) that validate runs on every file, for writers to ask before they write."""
    out: list[Problem] = []
    _check_value("", value, (), True, out)
    return next((p.message for p in out if p.severity == "error"), None)
