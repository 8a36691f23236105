"""One canonical layout for the organisation's TOML files.

The layout is written out from the tomlkit parse tree, so every comment is kept
(its text byte for byte) and keys the model does not know are kept too:

- keys in the order of the model's fields (unknown keys after the known ones,
  in their own order); the comments directly above a key move with it;
- `key = value`, one key per line, no blank lines between the keys of a table;
- one blank line before each `[table]` / `[[array-of-tables]]` header;
- tables of the model written as `[table]` and lists of tables as `[[table]]`
  (inline forms are expanded); other inline tables as `{ a = 1, b = 2 }`;
- bare keys where possible; single-line strings in double quotes
  (multi-line strings are left as written);
- an array on one line when that line fits in 100 characters, otherwise one
  element per line with a trailing comma; arrays holding comments are left as written;
- LF line ends, one newline at the end of the file.

A file is rewritten only if the result parses to the same data and holds the
same comments; otherwise it is left alone and reported (`FormatError`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli  # as org.parse: tomllib's parser, compiled
import tomlkit
from pydantic import BaseModel
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Array, Comment, InlineTable, Item, String, StringType, Table, Whitespace

from redflag_coord.org.canonical import comments, quick_format
from redflag_coord.org.load import FIXED_FILES, FOLDERS
from redflag_coord.org.model import FILE_MODELS, submodel
from redflag_coord.org.parse import parse_toml, read_bytes

LINE_WIDTH = 100
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


class FormatError(Exception):
    """A file that cannot be formatted (bad TOML, or a layout fmt cannot rewrite safely)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def kind_of(path: Path | str) -> str | None:
    """The kind of data file a path holds, from its place in collectives/ (None: not a data file)."""
    p = Path(path)
    if p.name in FIXED_FILES:
        return FIXED_FILES[p.name]
    return FOLDERS.get(p.parent.name)


def format_text(text: str, kind: str | None = None, data: dict | None = None, *, quick: bool = True) -> str:
    """The canonical layout of a TOML text; raises FormatError when it cannot be done safely.

    The text is first read exactly as `validate` reads it (org.parse: same parser, limits
    and messages); only a text that passes is handed to tomlkit, whose cost is then bounded.
    A text that org.canonical recognises as already canonical is returned as it is, without
    tomlkit (`quick=False` skips that test: the tests compare both ways).
    """
    before = data
    if before is None:
        before, problems = parse_toml(text.encode("utf-8", "surrogatepass"), "")
        if before is None and problems[0].code == "empty":
            return ""  # only TOML whitespace: its layout is nothing (validate reports the empty file)
        if before is None:
            p = problems[0]
            raise FormatError(p.message, p.line, p.column)
    too_big = _too_big(text, before)
    if too_big:
        raise FormatError(too_big)
    quick_out = quick_format(text, kind) if quick else None  # most files: no tomlkit document needed
    if quick_out == text:
        return text
    if quick_out is not None and _same(text, quick_out, before):
        return quick_out
    try:
        doc = tomlkit.parse(text)
        emitter = _Emitter()
        emitter.container(doc.body, FILE_MODELS.get(kind or ""), (), top=True)
        out = emitter.text()
    except FormatError:
        raise
    except (TOMLKitError, ValueError, TypeError, KeyError, RecursionError, IndexError, AttributeError) as e:
        raise FormatError(f"this layout cannot be rewritten safely ({type(e).__name__}: {e}); left as it is") from e
    _check_same(text, out, before)
    return out


def _same(text: str, out: str, before: dict) -> bool:
    """The rewrite reads back as the same data with the same comments (counted by org.canonical's
    own lexer on both texts: a second tomlkit parse cost as much as the whole format)."""
    try:
        return tomli.loads(out) == before and comments(out) == comments(text)
    except (tomli.TOMLDecodeError, ValueError, RecursionError):
        return False


def _check_same(text: str, out: str, before: dict) -> None:
    if not _same(text, out, before):
        raise FormatError("this layout cannot be rewritten safely (dotted keys or tables out of order?); left as it is")


MAX_FORMAT_LINES = 20_000  # a data file has a few hundred; tomlkit's cost grows with every line
MAX_FORMAT_VALUES = 20_000


def _too_big(text: str, data: dict) -> str | None:
    """Beyond these sizes tomlkit takes seconds and hundreds of MiB: refuse (a data file is a few KB)."""
    lines = text.count("\n")
    if lines > MAX_FORMAT_LINES:
        return (
            f"the file has {lines:,} lines, over fmt's limit of {MAX_FORMAT_LINES:,}; "
            "a data file has a few hundred: check that this is the right file (left as it is)"
        )
    if len(text) < MAX_FORMAT_VALUES:
        return None  # every value but the top table takes at least one character of the text: no need to count
    count, stack = 0, [data]
    while stack:
        v = stack.pop()
        count += 1
        if count > MAX_FORMAT_VALUES:
            return (
                f"the file holds more than {MAX_FORMAT_VALUES:,} values; a data file holds a few hundred: "
                "check that this is the right file (left as it is)"
            )
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return None


# -- the emitter ------------------------------------------------------------------


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
            raise FormatError(f"dotted key {key.as_string().strip()!r}: write it as a [table] first")
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
    return any(getattr(g, "comment", None) is not None for g in item._value)


# -- files ------------------------------------------------------------------------------


@dataclass
class FileResult:
    path: Path
    rel: str
    changed: bool
    new_text: str | None = None
    old_text: str | None = None
    error: FormatError | None = None
    old_bytes: bytes | None = None  # what was read: the write checks the file still holds it

    def diff(self) -> str:
        if not self.changed or self.old_text is None or self.new_text is None:
            return ""
        return "".join(
            difflib.unified_diff(
                self.old_text.splitlines(keepends=True),
                self.new_text.splitlines(keepends=True),
                *((self.rel, self.rel) if Path(self.rel).is_absolute() else (f"a/{self.rel}", f"b/{self.rel}")),
            )
        )


def toml_files(paths: list[Path]) -> list[Path]:
    """The .toml files in the given files and folders (hidden folders skipped), sorted."""
    out: set[Path] = set()
    for p in paths:
        if p.is_dir():
            out.update(
                f
                for f in p.rglob("*.toml")
                if not any(part.startswith(".") for part in f.relative_to(p).parts) and f.is_file()
            )
        else:
            out.add(p)
    return sorted(out)


def format_file(path: Path, rel: str) -> FileResult:
    """Read one file with validate's reader and limits (org.parse), and format it."""
    raw, problems = read_bytes(path, rel)
    if raw is None:
        p = problems[0]
        return FileResult(path, rel, False, error=FormatError(p.message, p.line, p.column))
    data, problems = parse_toml(raw, rel)
    if data is None and problems[0].code == "empty":
        text = raw.decode("utf-8")
        return FileResult(path, rel, text != "", "", text, old_bytes=raw)
    if data is None:
        p = problems[0]
        return FileResult(path, rel, False, error=FormatError(p.message, p.line, p.column), old_bytes=raw)
    text = raw.decode("utf-8")
    try:
        new = format_text(text, kind_of(path), data)
    except FormatError as e:
        return FileResult(path, rel, False, old_text=text, error=e, old_bytes=raw)
    return FileResult(path, rel, new != text, new, text, old_bytes=raw)


def format_paths(paths: list[Path], base: Path, write: bool, workers: int | None = None) -> list[FileResult]:
    """Format files, in order; with `write`, rewrite those that change (atomically).

    The files are read and formatted on every core for a large organisation (org.pool, as validate);
    the writes are made here, one after the other, so a worker that dies never leaves a file half done.
    The text of a file that stays as it is is not kept (at 10,000 files: the whole organisation).
    """
    from redflag_coord.org.pool import map_files
    from redflag_coord.repo.fsio import WriteError, write_if_unchanged

    jobs = []
    for path in toml_files(paths):
        try:
            rel = path.absolute().relative_to(base.absolute()).as_posix()
        except ValueError:
            rel = str(path)
        jobs.append((path, rel))
    results = map_files(_format_job, jobs, workers)
    if write:
        for r in results:
            if r.changed and r.new_text is not None:
                try:
                    write_if_unchanged(r.path, r.old_bytes, r.new_text.encode("utf-8"))
                except WriteError as e:
                    r.error = FormatError(str(e))
    return results


def _format_job(job: tuple[Path, str]) -> FileResult:
    r = format_file(*job)
    if not r.changed and r.error is None:
        r.new_text = r.old_text = r.old_bytes = None
    return r
