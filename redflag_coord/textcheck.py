"""Characters in text values that could take over an output or a terminal.

A value ends up in agendas (Markdown, HTML), calendar files and terminals.
Control characters (ESC starts a terminal escape sequence, CR overwrites a
line), bidirectional overrides (which reorder what is displayed) and line
breaks in one-line values (a title, a topic) would change the structure of
those outputs, so they are errors at the source, before any command renders.
"""

from __future__ import annotations

import unicodedata
import typing
from collections.abc import Iterator
from enum import Enum
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from .load import Organisation, rel_path
from .problems import Problems

_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_BREAKS = {"\u2028", "\u2029", "\x85"}
_ALLOWED = {"\t", "\n"}
ONE_LINE_MAX = 300  # ShortText: titles, topics, names


def _bad_char(text: str, one_line: bool) -> tuple[int, str] | None:
    for i, ch in enumerate(text):
        if ch in _ALLOWED and not (one_line and ch == "\n"):
            continue
        if ch in _BIDI or ch in _BREAKS or unicodedata.category(ch) == "Cc":
            return i, ch
    return None


def _describe(i: int, ch: str, one_line: bool) -> tuple[str, str]:
    code = f"U+{ord(ch):04X}"
    if ch == "\n" or ch in _BREAKS:
        return "one-line", (f"a line break at character {i + 1}; this value must be one line "
                            "(a title, topic or name): remove the line break")
    if ch in _BIDI:
        return "unsafe-text", (f"a bidirectional control character ({code}) at character {i + 1}: it reorders "
                               "how the text is displayed; remove it")
    return "unsafe-text", (f"a control character ({code}) at character {i + 1}: control characters "
                           "can rewrite a terminal or break exports; remove it")


@lru_cache(maxsize=None)
def _one_line_fields(cls: type[BaseModel]) -> frozenset[str]:
    return frozenset(n for n, f in cls.model_fields.items() if _is_short(f.annotation, f.metadata))


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


def _strings(value: Any, key: tuple, one_line: bool) -> Iterator[tuple[tuple, str, bool]]:
    if isinstance(value, str):
        yield key, value, one_line
    elif isinstance(value, Enum) or value is None:
        return
    elif isinstance(value, BaseModel):
        short = _one_line_fields(type(value))
        for name, field in type(value).model_fields.items():
            yield from _strings(getattr(value, name), key + (field.alias or name,), name in short)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, key + (i,), one_line)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, key + (str(getattr(k, "value", k)),), one_line)


def _files(org: Organisation) -> Iterator[tuple[str, BaseModel]]:
    for c in org.collectives.values():
        for kind, model in (("collective", c.info), ("members", c.members), ("relationships", c.relationships)):
            if model is not None:
                yield rel_path(kind, c.slug), model
        for mid, m in c.meetings.items():
            yield rel_path("meeting", c.slug, mid), m
        for mid, r in c.reports.items():
            yield rel_path("report", c.slug, mid), r


def check_text(org: Organisation, out: Problems) -> None:
    for rel, model in _files(org):
        for key, text, one_line in _strings(model, (), False):
            if text.isprintable():  # fast path: no control, format or separator characters
                continue
            found = _bad_char(text, one_line)
            if found:
                code, message = _describe(*found, one_line)
                out.add(rel, code, f"holds {message}", key=key)
