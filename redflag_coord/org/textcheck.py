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
from functools import cache
from typing import Any

from pydantic import BaseModel

from redflag_coord.org.model import submodel
from redflag_coord.org.problems import Problem

ONE_LINE_MAX = 300  # ShortText: titles, topics, names
# Control characters (Cc) but tab and line feed, bidirectional controls, and line/paragraph separators.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_UNSAFE_ONE_LINE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_BREAKS = {"\n", "\u2028", "\u2029", "\x85"}


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


def text_problems(rel: str, data: dict, model: type[BaseModel]) -> list[Problem]:
    """Unsafe characters in the text values of one parsed file (already valid against `model`)."""
    out: list[Problem] = []
    stack: list[tuple[Any, tuple, type[BaseModel] | None, bool]] = [(data, (), model, False)]
    while stack:
        value, key, cls, one_line = stack.pop()
        kind = type(value)
        if kind is str:
            if value.isprintable():  # fast path: no control, format or separator characters
                continue
            m = (_UNSAFE_ONE_LINE if one_line else _UNSAFE).search(value)
            if m:
                code, message = _describe(m.start(), m.group())
                out.append(Problem(rel, code, f"holds {message}", key=key))
        elif kind is dict:
            fields = _fields(cls) if cls is not None else {}
            for k, v in value.items():
                sub, short = fields.get(k, (None, False))
                stack.append((v, key + (k,), sub, short))
        elif kind is list:
            for i, v in enumerate(value):
                stack.append((v, key + (i,), cls, one_line))
    return out


def unsafe_char(value: str, one_line: bool) -> tuple[str, str] | None:
    """(code, message) for the first unsafe character of one value, or None (for values opened after loading)."""
    m = (_UNSAFE_ONE_LINE if one_line else _UNSAFE).search(value)
    return _describe(m.start(), m.group()) if m else None
