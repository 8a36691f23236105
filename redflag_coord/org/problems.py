"""Problems found in the data, and how they are written out (text, JSON, GitHub)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal

from redflag_coord.org.locate import Pos, locate, positions

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    file: str  # relative to the organisation root, with forward slashes
    code: str
    message: str
    severity: Severity = "error"
    key: tuple[str | int, ...] = ()
    line: int | None = None
    column: int | None = None

    @property
    def key_path(self) -> str:
        return format_key(self.key)

    def sort_key(self) -> tuple:
        return (self.file, self.line or 0, self.column or 0, self.code, self.message)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["key"] = self.key_path or None
        return d


@dataclass
class Problems:
    """An append-only collection of problems with helpers used by the checkers."""

    items: list[Problem] = field(default_factory=list)

    def add(
        self,
        file: str,
        code: str,
        message: str,
        key: Iterable[str | int] = (),
        severity: Severity = "error",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.items.append(Problem(file, code, message, severity, tuple(key), line, column))

    def extend(self, other: Iterable[Problem]) -> None:
        self.items.extend(other)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


KEY_PART_MAX = 60  # a key from the data can be any length; the message names it, not reprints it


def format_key(key: Iterable[str | int]) -> str:
    out = ""
    for part in key:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            part = part if len(part) <= KEY_PART_MAX else part[: KEY_PART_MAX - 3] + "..."
            out += ("." if out else "") + part
    return out


def located(problems: Iterable[Problem], root: Path) -> list[Problem]:
    """Fill in line and column from each file's text (each file read once), then sort."""
    by_file: dict[str, list[Problem]] = {}
    for p in problems:
        by_file.setdefault(p.file, []).append(p)
    out: list[Problem] = []
    for rel, group in by_file.items():
        table: dict | None = None
        for p in group:
            if p.line is None and p.key:
                if table is None:
                    table = _positions_of(root / rel)
                line, col = locate("", p.key, table) if table else (1, 1)
                p = replace(p, line=line, column=col)
            out.append(p)
    return sorted(out, key=Problem.sort_key)


def _positions_of(path: Path) -> dict[tuple, Pos]:
    try:
        return positions(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}


def counts(problems: Iterable[Problem]) -> tuple[int, int]:
    errors = warnings = 0
    for p in problems:
        if p.severity == "error":
            errors += 1
        else:
            warnings += 1
    return errors, warnings


# Characters that could rewrite a terminal, reorder what is shown (bidi controls), or start a new
# line (and with it a forged problem or a GitHub workflow command): C0/C1 controls, DEL, line and
# paragraph separators, bidi embeddings, overrides, isolates and marks.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")


def _escape_char(m: re.Match) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: str) -> str:
    """Text with every unsafe character written as an escape (\\x1b, \\u202e), so a value from the
    data cannot change the shape of the output or the state of the user's terminal."""
    return _UNSAFE.sub(_escape_char, text)


def render_text(problems: list[Problem]) -> str:
    lines = []
    for p in problems:
        where = safe(p.file)
        if p.line is not None:
            where += f":{p.line}:{p.column or 1}"
        key = f"{safe(p.key_path)}: " if p.key else ""
        lines.append(f"{where}: {p.severity}[{p.code}]: {key}{safe(p.message)}")
    return "\n".join(lines)


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")


def _json_escape(m: re.Match) -> str:
    return f"\\u{ord(m.group()):04x}"


def render_json(problems: list[Problem]) -> str:
    """JSON; unsafe characters as \\u escapes (still the same strings once parsed).

    json.dumps escapes C0 controls itself; the rest would reach the terminal raw."""
    text = json.dumps([p.to_dict() for p in problems], ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(_json_escape, text)


def _gh_escape(value: str, prop: bool = False) -> str:
    value = safe(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def render_github(problems: list[Problem]) -> str:
    """GitHub Actions workflow commands: one annotation per problem."""
    lines = []
    for p in problems:
        props = [f"file={_gh_escape(p.file, True)}"]
        if p.line is not None:
            props += [f"line={p.line}", f"col={p.column or 1}"]
        props.append(f"title={_gh_escape(p.code, True)}")
        key = f"{p.key_path}: " if p.key else ""
        lines.append(f"::{p.severity} {','.join(props)}::{_gh_escape(key + p.message)}")
    return "\n".join(lines)


RENDERERS = {"text": render_text, "json": render_json, "github": render_github}
