"""fmt's layout written out from a tomlkit parse tree (see edit.fmt for the rules and the safety checks).

Kept apart from edit.fmt so that a run over files that are already canonical never imports tomlkit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import tomlkit
from pydantic import BaseModel
from tomlkit.items import AoT, Array, Comment, InlineTable, Item, String, StringType, Table, Whitespace

from redflag_coord.edit.canonical import LINE_WIDTH, comments
from redflag_coord.errors import RedflagError
from redflag_coord.org.model import FILE_MODELS, submodel

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


class LayoutError(RedflagError, ValueError):
    """A layout fmt refuses to rewrite (its message says why and what to do)."""


def layout(text: str, kind: str | None) -> str:
    """The canonical layout of a valid TOML text (raises LayoutError, or tomlkit's and Python's errors)."""
    doc = tomlkit.parse(text)
    emitter = _Emitter()
    emitter.container(doc.body, FILE_MODELS.get(kind or ""), (), top=True)
    return emitter.text()


@dataclass
class _Unit:
    key: str | None  # None: comments that stay where they are (file header, end of a table)
    item: Item | None
    comments: list[str]
    blank_before: bool


class _Emitter:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.glued = False

    def text(self) -> str:
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n" if self.lines else ""

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def container(self, body: list, model: type[BaseModel] | None, path: tuple[str, ...], top: bool = False) -> None:
        header, units, trailer, glued = _units(body, top)
        if header:
            self.lines.extend(header)
            self.blank()
        fields = _fields(model)
        values = [u for u in units if not _is_section(u.item, fields.get(u.key or ""))]
        sections = [u for u in units if _is_section(u.item, fields.get(u.key or ""))]
        for i, u in enumerate(_ordered(values, fields)):
            if u.comments and u.blank_before and i > 0:
                self.blank()
            self.lines.extend(u.comments)
            assert u.item is not None  # a value unit always holds its item; only comment runs have none
            self.lines.append(self.key_value(u.key or "", u.item))
        for u in _ordered(sections, fields):
            self.section(u, submodel(fields.get(u.key or "")), path)
        if trailer:
            self.blank()
            self.lines.extend(trailer)
            self.glued = glued  # those comments sit right above the next table header

    def key_value(self, key: str, item: Item) -> str:
        prefix = f"{_key(key)} = "
        return prefix + _value(item, len(prefix)) + _trailing_comment(item)

    def section(self, u: _Unit, sub: type[BaseModel] | None, path: tuple[str, ...]) -> None:
        item, here = u.item, (*path, u.key or "")
        if isinstance(item, Table) and item.is_super_table():
            self.lines.extend(u.comments)
            self.glued = self.glued or bool(u.comments)
            self.container(item.value.body, sub, here)
            return
        tables = list(item.body) if isinstance(item, AoT) else list(item) if isinstance(item, Array) else [item]
        double = isinstance(item, (AoT, Array))
        for n, table in enumerate(tables):
            if not self.glued or (n == 0 and u.comments):
                self.blank()
            self.glued = False
            if n == 0:
                self.lines.extend(u.comments)
            name = ".".join(_key(k) for k in here)
            header = f"[[{name}]]" if double else f"[{name}]"
            comment = _trailing_comment(table) if isinstance(table, Table) else ""
            self.lines.append(header + comment)
            self.container(table.value.body, sub, here)


def _units(body: list, top: bool) -> tuple[list[str], list[_Unit], list[str], bool]:
    """Split a table body into its leading comment block, its keys (with the comments above them) and the rest."""
    header: list[str] = []
    units: list[_Unit] = []
    pending: list[str] = []
    blank = pending_blank = False
    for key, item in body:
        if isinstance(item, Whitespace):
            if "\n" in item.as_string():
                if top and not units and not header and pending:
                    header, pending = pending, []
                elif pending and pending[-1] != "":
                    pending.append("")  # a blank line between comment blocks stays
                blank = True
            continue
        if isinstance(item, Comment):
            if not pending:
                pending_blank = blank
            pending.append(item.as_string().lstrip(" \t").rstrip("\r\n"))
            blank = False
            continue
        if key is None:
            continue
        if key.is_dotted():
            raise LayoutError(f"dotted key {key.as_string().strip()!r}: write it as a [table] first")
        units.append(_Unit(key.key, item, pending, pending_blank if pending else blank))
        pending, blank = [], False
    glued = bool(pending) and pending[-1] != "" and not blank
    while pending and pending[-1] == "":
        pending.pop()
    return header, units, pending, glued


def _fields(model: type[BaseModel] | None) -> dict[str, Any]:
    """Field name (by alias) -> annotation, in the model's order."""
    if model is None:
        return {}
    return {(f.alias or n): f.annotation for n, f in model.model_fields.items()}


def _is_section(item: Item | None, annotation: Any) -> bool:
    """Tables, arrays of tables, and inline forms of the model's tables (written out as tables)."""
    if isinstance(item, (Table, AoT)):
        return True
    if annotation is None or submodel(annotation) is None:
        return False
    if isinstance(item, InlineTable):
        return True
    return (
        isinstance(item, Array)
        and len(item) > 0
        and all(isinstance(e, InlineTable) for e in item)
        and not _has_comments(item)
    )


def _ordered(units: list[_Unit], fields: dict[str, Any]) -> list[_Unit]:
    rank = {name: i for i, name in enumerate(fields)}
    return sorted(units, key=lambda u: rank.get(u.key or "", len(rank)))  # stable: unknown keys keep their order


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else tomlkit.string(key).as_string()


def _trailing_comment(item: Any) -> str:
    trivia = None if isinstance(item, Whitespace) else getattr(item, "trivia", None)
    if trivia is None or not trivia.comment:
        return ""
    return (trivia.comment_ws or " ") + trivia.comment.rstrip("\r\n")


def _value(item: Item, indent: int) -> str:
    if isinstance(item, String):
        if item.type is StringType.SLL:
            return tomlkit.string(str(item)).as_string()
        return item.as_string().replace("\r\n", "\n")
    if isinstance(item, InlineTable):
        pairs = [f"{_key(k.key)} = {_value(v, 0)}" for k, v in item.value.body if k is not None]
        return "{ " + ", ".join(pairs) + " }" if pairs else "{}"
    if isinstance(item, Array):
        return _array(item, indent)
    return item.as_string()


def _array(item: Array, indent: int) -> str:
    if _has_comments(item) or any(isinstance(e, String) and e.type in (StringType.MLB, StringType.MLL) for e in item):
        return item.as_string().replace("\r\n", "\n")
    parts = [_value(e, 0) for e in item]
    one_line = "[" + ", ".join(parts) + "]"
    if indent + len(one_line) <= LINE_WIDTH or not parts or any("\n" in p for p in parts):
        return one_line
    return "[\n" + "".join(f"  {p},\n" for p in parts) + "]"


def _has_comments(item: Array) -> bool:
    """Whether the array's own text holds a comment: read from its TOML text (public API), not its internals."""
    return bool(comments(item.as_string()))
