"""One file: read, decode, parse and check against its model.

Reading is tomllib's parser (as tomli, compiled). A file that cannot be read, decoded,
parsed or validated becomes a Problem naming it, never an exception. Both the serial
loader and the worker pool (`pool`) call `check_file`, so it depends on neither.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import stat

try:  # the standard library's parser, compiled: same results and messages, about twice as fast
    import tomli as tomllib
except ImportError:  # pragma: no cover - tomli is a dependency; tomllib is the same code, slower
    import tomllib  # type: ignore[no-redef]
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from redflag_coord.org.model import (
    FILE_MODELS,
    HANDLE_PATTERN,
    HOURS_PATTERN,
    LANGUAGE_PATTERN,
    SLUG_PATTERN,
    FileModel,
    is_private,
    submodel,
)
from redflag_coord.org.problems import Problem
from redflag_coord.org.textcheck import comment_problems, text_problems

MAX_FILE_BYTES = 1 << 20  # 1 MiB: a report is a few KB; anything larger is a mistake


@dataclass(slots=True)  # one per data file, all held at once: no per-instance __dict__ (memory at 10,000 files)
class Entry:
    path: Path | str  # the os.DirEntry path as found: building a Path per file costs more than reading it
    rel: str
    kind: str
    slug: str
    name: str | None = None


# -- one file ---------------------------------------------------------------


@dataclass
class FileResult:
    rel: str
    kind: str
    model: FileModel | None
    problems: list[Problem]


def read_toml(path: Path | str, rel: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Read and parse one TOML file; problems instead of exceptions."""
    raw, problems = read_bytes(path, rel)
    if raw is None:
        return None, problems
    return parse_toml(raw, rel)


def read_bytes(path: Path | str, rel: str) -> tuple[bytes | None, list[Problem]]:
    """The bytes of one data file, within the size limit; problems instead of exceptions.

    Four system calls a file (open, fstat, read, close): every file of every command comes through
    here. O_NONBLOCK so that opening a pipe does not wait for a writer; the fstat then refuses it.
    The read asks for the size found plus one byte, not the limit: a buffer of the limit's size
    would be mapped and unmapped for every file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError:  # where a folder cannot be opened at all
        return None, [Problem(rel, "not-a-file", "this is a folder, but a TOML file belongs here")]
    except OSError as e:
        return None, [Problem(rel, "unreadable", f"cannot read the file: {e.strerror or e}")]
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            return None, [Problem(rel, "not-a-file", "this is a folder, but a TOML file belongs here")]
        if not stat.S_ISREG(st.st_mode):  # reading a pipe would wait forever
            return None, [
                Problem(
                    rel,
                    "not-a-file",
                    "this is a pipe, socket or device, but a TOML file belongs here; replace it with the file",
                )
            ]
        size = st.st_size
        if size > MAX_FILE_BYTES:
            return None, [
                Problem(
                    rel,
                    "too-large",
                    f"file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}; "
                    "a data file is a few KB: check that this is the right file",
                )
            ]
        raw = os.read(fd, size + 1)  # a regular file gives all of it at once but at the very end
        if len(raw) < size:
            raw += _read_up_to(fd, size + 1 - len(raw))
        if len(raw) > size:  # it grew after the fstat: read on, up to the limit
            raw += _read_up_to(fd, MAX_FILE_BYTES + 1 - len(raw))
    except OSError as e:
        return None, [Problem(rel, "unreadable", f"cannot read the file: {e.strerror or e}")]
    finally:
        os.close(fd)
    if len(raw) > MAX_FILE_BYTES:  # it grew after the stat
        return None, [Problem(rel, "too-large", f"file is over the limit of {MAX_FILE_BYTES:,} bytes")]
    return raw, []


def _read_up_to(fd: int, n: int) -> bytes:
    """Up to n bytes, fewer only at the end of the file (a read may return less than asked)."""
    chunks = []
    while n > 0:
        chunk = os.read(fd, n)
        if not chunk:
            break
        chunks.append(chunk)
        n -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def parse_toml(raw: bytes, rel: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return None, [
            Problem(rel, "bom", "file starts with a byte-order mark; save it as UTF-8 without BOM", line=1, column=1)
        ]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [Problem(rel, "encoding", "file is UTF-16; save it as UTF-8", line=1, column=1)]
    if _looks_utf16(raw):
        return None, [
            Problem(
                rel,
                "encoding",
                "file looks like UTF-16 (without a byte-order mark); save it as UTF-8",
                line=1,
                column=1,
            )
        ]
    if b"\x00" in raw:
        line, col = _line_col(raw, raw.index(b"\x00"))  # type: tuple[int | None, int | None]
        return None, [
            Problem(rel, "binary", "file holds NUL bytes: it is binary, not TOML text", line=line, column=col)
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line, col = _line_col(raw, e.start)
        guess = "" if _cut_off(raw, e.start) else " (it looks like Latin-1 or Windows-1252)"
        return None, [
            Problem(
                rel,
                "encoding",
                f"invalid UTF-8 (byte 0x{raw[e.start]:02x}){guess}; save the file as UTF-8",
                line=line,
                column=col,
            )
        ]
    if not text.strip(_TOML_WHITESPACE):  # only TOML's whitespace: a form feed or NBSP is a syntax error, with a place
        return None, [
            Problem(rel, "empty", "file is empty; fill it in (see docs/formats.md) or delete it", line=1, column=1)
        ]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line, col, msg = _toml_error(e, text)
        return None, [Problem(rel, "syntax", msg, line=line, column=col)]
    except RecursionError as e:
        if "key has more than" in str(e):  # tomli's limit on dotted keys and table names
            line, col = _many_dots_at(text)
            return None, [
                Problem(
                    rel,
                    "too-deep",
                    "a key or [table] name has more than 1000 dotted parts; "
                    "a data file needs two or three: check the dots in the key names",
                    line=line,
                    column=col,
                )
            ]
        line, col = _deep_at(text)
        return None, [
            Problem(
                rel,
                "too-deep",
                f"arrays or inline tables nested more than {_MAX_DEPTH} deep; "
                "a data file needs two or three levels: check for unclosed or repeated brackets",
                line=line,
                column=col,
            )
        ]
    except ValueError:  # an integer over Python's digit limit (sys.get_int_max_str_digits)
        line, col = _long_number_at(text)
        return None, [
            Problem(
                rel,
                "bad-number",
                "a number has thousands of digits; no value here needs more than a few: check this line",
                line=line,
                column=col,
            )
        ]
    return data, ([] if text.isascii() else comment_problems(rel, text))


_MAX_DEPTH = 64
_TOML_WHITESPACE = " \t\r\n"


def _looks_utf16(raw: bytes) -> bool:
    """ASCII text saved as UTF-16: every other byte is NUL."""
    head = raw[:200]
    half = len(head) // 2
    return half >= 2 and max(head[1::2].count(0), head[0::2].count(0)) >= half * 0.9


def _cut_off(raw: bytes, start: int) -> bool:
    """True when the bad bytes are only a multi-byte character cut off at the end of the file."""
    return len(raw) - start < 4 and raw[start] >= 0xC2


_LONG_NUMBER = re.compile(r"[0-9_]{1000,}")


def _deep_at(text: str) -> tuple[int | None, int | None]:
    """Where bracket nesting (outside quotes, roughly) first passes _MAX_DEPTH."""
    depth, quote = 0, ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote or ch == "\n":
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
            if depth > _MAX_DEPTH:
                return _text_line_col(text, i)
        elif ch in "]}":
            depth -= 1
    return None, None


def _many_dots_at(text: str) -> tuple[int, int]:
    """The first line with more than 1000 dots (where tomli gave up on a key)."""
    for n, line in enumerate(text.split("\n"), 1):
        if line.count(".") > 1000:
            return n, len(line) - len(line.lstrip()) + 1
    return 1, 1


def _long_number_at(text: str) -> tuple[int | None, int | None]:
    m = _LONG_NUMBER.search(text)
    return _text_line_col(text, m.start()) if m else (None, None)


def _text_line_col(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _line_col(raw: bytes, offset: int) -> tuple[int, int]:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", errors="replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column


_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)|\s*\(at end of document\)")
_SYNTAX_HINTS = {
    "Cannot overwrite a value": "a key is given twice",
    "Cannot declare": "a table is declared twice: merge them",
    "Cannot mutate immutable namespace": "it was already given as a value (key = [...] or {...}), so it cannot "
    "also have a [table] header: write it one way",
    "Unescaped '\\' in a string": "write a backslash as \\\\, or use a 'literal string'",
    "Invalid hex value": "write \\u with four hex digits (\\u00e9) or \\U with eight",
    "Escaped character is not a Unicode scalar value": "that \\u or \\U code is not a character",
    "Invalid initial character for a key part": "an inline table { } must be on one line, without a trailing "
    "comma; a key is letters, digits, '_' and '-', or in quotes",
    "Expected ']' at the end of a table declaration": "a [table] header is missing its closing ']'",
    "Expected ']]' at the end of an array declaration": "an [[array]] header needs its closing ']]'",
    "Expected \"'''\"": "a multi-line literal string is missing its closing three quotes",
    'Expected "\'"': "a 'literal string' is missing its closing quote",
    "Invalid value": "check quotes, brackets, commas and date formats",
    "Invalid date or datetime": "the date does not exist or is not written as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS",
    "Invalid statement": "expected 'key = value' or a [table] header",
    "Expected '=' after a key": "keys with spaces need quotes",
    "Unclosed array": "an array is missing its closing ']' or a comma between values",
    "Unclosed inline table": "an inline table must close '}' on the same line",
    "Unterminated string": "a string is missing its closing quote",
    "Illegal character '\\n'": "a string is missing its closing quote",
    "Illegal character": "control characters must be written as escapes such as \\t or \\u0007",
}


_TUPLE = re.compile(r"\((?:'[^']*',?\s?)+\)")  # tomllib names a key as a Python tuple
_AFTER_STATEMENT = "Expected newline or end of document after a statement"
_DATE_LIKE = re.compile(r"=\s*\d{1,4}[-/:]")
_NUMBER_LIKE = re.compile(r"=\s*[+-]?\d")
_YAML_LIKE = re.compile(r"^\s*[\w-]+:(\s|$)")


def _statement_hint(line_text: str, col: int | None) -> str:
    """Why tomllib stopped after a value: usually a bad date, time or number."""
    if col is not None and line_text[col - 1 : col] == "\r":
        return "a carriage return without a line feed: save the file with LF or CRLF line endings"
    if _DATE_LIKE.search(line_text):
        return (
            "dates are YYYY-MM-DD and times HH:MM:SS, with a real month (01-12), day, hour (00-23) "
            "and minute (00-59), e.g. 2026-12-12T07:00:00"
        )
    if _NUMBER_LIKE.search(line_text):
        return (
            "numbers are written without leading zeros, units, thousands separators or doubled underscores, e.g. 1200"
        )
    return "one 'key = value' per line; text needs quotes"


def _opening_line(text: str) -> int | None:
    """For an error at the end of the document (an unclosed string): the shortest failing prefix."""
    lines = text.splitlines(keepends=True)
    lo, hi = 1, len(lines)
    while lo < hi:
        mid = (lo + hi) // 2
        try:
            tomllib.loads("".join(lines[:mid]))
            lo = mid + 1
        except tomllib.TOMLDecodeError as e:
            if "end of document" in str(e):
                hi = mid
            else:
                lo = mid + 1
        except (RecursionError, ValueError):
            return None
    return lo if lines else None


def _opening_column(line_text: str) -> int:
    """Where the value that never closes starts on its line (after the '='), else the line's first character."""
    eq = line_text.find("=")
    for i in range(eq + 1 if eq >= 0 else 0, len(line_text)):
        if line_text[i] in "\"'[{":
            return i + 1
    return len(line_text) - len(line_text.lstrip()) + 1


def _toml_error(e: tomllib.TOMLDecodeError, source: str = "") -> tuple[int | None, int | None, str]:
    text = str(e)
    m = _AT.search(text)
    line = int(m.group(1)) if m and m.group(1) else getattr(e, "lineno", None)
    col = int(m.group(2)) if m and m.group(2) else getattr(e, "colno", None)
    msg = _AT.sub("", getattr(e, "msg", None) or text).strip()
    if "(at end of document)" in text and source:  # the end says little: point at where the string opens
        line = _opening_line(source) or line or source.count("\n") + 1
        col = None
    line_text = source.split("\n")[line - 1] if line and source else ""
    if line and col is None:
        col = _opening_column(line_text)
    hint = next((h for k, h in _SYNTAX_HINTS.items() if msg.startswith(k)), "")
    msg = _TUPLE.sub(lambda t: "[" + ".".join(re.findall(r"'([^']*)'", t.group())) + "]", msg)
    msg = msg.replace("Cannot mutate immutable namespace", "cannot add a table to")
    if msg.startswith(_AFTER_STATEMENT):
        hint = _statement_hint(line_text, col)
    elif msg.startswith("Invalid statement") and source.lstrip().startswith("{"):
        hint = "this looks like JSON; data files are TOML: key = value"
    elif msg.startswith("Expected '=' after a key") and _YAML_LIKE.match(line_text):
        hint = "this looks like YAML (key: value); TOML writes key = value"
    msg = f"invalid TOML: {msg[:1].lower()}{msg[1:]}"
    return line, col, f"{msg} ({hint})" if hint else msg


def check_file(path: Path | str, rel: str, kind: str) -> FileResult:
    """Read, parse and validate one file against its model."""
    raw, problems = read_bytes(path, rel)
    if raw is None:
        return FileResult(rel, kind, None, problems)
    return check_bytes(raw, rel, kind)


def check_bytes(raw: bytes, rel: str, kind: str) -> FileResult:
    """Parse and validate one file's bytes (as read by `read_bytes`) against its model."""
    data, problems = parse_toml(raw, rel)
    if data is None:
        return FileResult(rel, kind, None, problems)
    model, found = _check_data(data, rel, kind, raw)
    return FileResult(rel, kind, model, problems + found)


def _check_data(data: dict[str, Any], rel: str, kind: str, raw: bytes) -> tuple[FileModel | None, list[Problem]]:
    model_cls = FILE_MODELS[kind]
    # An array of more than MAX_ARRAY values takes at least two bytes a value (one and a comma):
    # a smaller file cannot hold one, and walking every value of every file costs a tenth of a run.
    long = _long_array(data) if len(raw) > 2 * MAX_ARRAY else None
    if long is not None:  # one problem per element would take GiBs: say it once
        key, n = long
        message = f"an array of {n:,} values, over the limit of {MAX_ARRAY:,}; a data file has hundreds: check this key"
        line, col = _key_at(raw.decode("utf-8"), key)  # placed here: locating keys in such a file takes seconds
        return None, [Problem(rel, "too-many", message, key=key, line=line, column=col)]
    try:
        return model_cls.model_validate(data), cap(rel, text_problems(rel, data, model_cls))
    except ValidationError as err:
        return None, cap(rel, schema_problems(rel, model_cls, err), err.error_count())
    except RecursionError:
        return None, [Problem(rel, "too-deep", "values nested too deeply to check")]


MAX_ARRAY = 10_000  # the longest list in a data file (members, relationships) holds hundreds
MAX_PROBLEMS_PER_FILE = 100


def _key_at(text: str, key: tuple) -> tuple[int, int]:
    """Where `key = ` is written (its last name part, at the start of a line), else the top of the file."""
    names = [k for k in key if isinstance(k, str)]
    if names:
        m = re.search(rf"(?m)^[ \t]*[\"']?{re.escape(names[-1])}[\"']?[ \t]*=", text)
        if m:
            return _text_line_col(text, m.start() + len(m.group()) - len(m.group().lstrip()))
    return 1, 1


def _long_array(data: Any) -> tuple[tuple, int] | None:
    """The key of the first array longer than MAX_ARRAY, and its length."""
    stack: list[tuple[Any, tuple]] = [(data, ())]
    while stack:
        value, key = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, (*key, k)) for k, v in value.items())
        elif isinstance(value, list):
            if len(value) > MAX_ARRAY:
                return key, len(value)
            stack.extend((v, (*key, i)) for i, v in enumerate(value) if isinstance(v, (dict, list)))
    return None


def cap(rel: str, problems: list[Problem], total: int | None = None) -> list[Problem]:
    """The first MAX_PROBLEMS_PER_FILE problems of a file and one more that counts the rest."""
    total = len(problems) if total is None else total
    if total <= MAX_PROBLEMS_PER_FILE:
        return problems
    rest = total - MAX_PROBLEMS_PER_FILE
    return [
        *problems[:MAX_PROBLEMS_PER_FILE],
        Problem(rel, "too-many", f"and {rest:,} more problem(s) in this file, not listed; fix the ones above first"),
    ]


# -- schema errors, in words ----------------------------------------------------

_EXPECTED = {
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "string_type": "text in quotes",
    "bool_type": "true or false",
    "date_type": "a date such as 2026-12-05 (no quotes)",
    "datetime_type": "a local date and time such as 2026-12-12T07:00:00 (no quotes)",
    "list_type": 'an array, e.g. ["a", "b"]',
    "model_type": "a table",
    "model_attributes_type": "a table",
    "dict_type": "a table",
}
_PATTERN_WORDS = {
    SLUG_PATTERN: "a slug: lower-case letters, digits and inner hyphens (e.g. 'los-angeles')",
    HANDLE_PATTERN: "a handle: lower-case letters of any language, digits, and inner '.', '_' or '-' "
    "(e.g. 'rosa-m', 'doña-rosa', 'आशा')",
    LANGUAGE_PATTERN: "a language code such as 'es', 'en' or 'zu'",
    HOURS_PATTERN: "hours such as '18:00-22:00'",
    r"^[A-Z]{2}$": "a two-letter country code such as 'SV'",
}
_CODES = {
    "extra_forbidden": "unknown-key",
    "missing": "missing-key",
    "enum": "bad-choice",
    "literal_error": "bad-choice",
    "unknown_zone": "unknown-zone",
    "offset_datetime": "offset-datetime",
    "date_range": "date-range",
    "reserved_name": "reserved-name",
    "invisible_handle": "invisible-text",
    "string_pattern_mismatch": "bad-format",
}


def _describe(value: Any) -> str:
    if isinstance(value, _Hidden):
        return repr(value)
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"text {shown!r}"
    if isinstance(value, int) and abs(value) >= 10**15:
        return f"a number with {len(str(abs(value)))} digits"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, dt.datetime):
        return "a date with a time"
    if isinstance(value, dt.date):
        return "a date without a time"
    if isinstance(value, dt.time):
        return "a time without a date"
    return type(value).__name__


def schema_problems(rel: str, model: type[BaseModel], err: ValidationError) -> list[Problem]:
    out = []
    for e in err.errors(include_url=False)[:MAX_PROBLEMS_PER_FILE]:
        loc = tuple(p for p in e["loc"] if p != "[key]")
        typ = e["type"]
        code = _CODES.get(typ, "wrong-type" if typ in _EXPECTED else "bad-value")
        if _is_private(model, loc):  # never echo a private value (CI logs, screens)
            e = {**e, "input": _Hidden()}
        out.append(Problem(rel, code, _message(model, loc, e), key=loc))
    return out


class _Hidden:
    def __repr__(self) -> str:
        return "a private value (not shown)"


def _is_private(model: type[BaseModel], loc: tuple) -> bool:
    return any(is_private(f) for f in _along(model, loc)[0])


def _message(model: type[BaseModel], loc: tuple, e: Any) -> str:
    typ, ctx, value = e["type"], e.get("ctx") or {}, e.get("input")
    name = loc[-1] if loc else ""
    if typ == "extra_forbidden":
        known = fields_at(model, loc[:-1])
        close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"allowed keys: {', '.join(known)}"
        return f"unknown key {_quote(name)}; {hint}"
    if typ == "missing":
        return f"missing required key {name!r}; add it"
    if typ in ("enum", "literal_error"):
        return f"{_quote(value)} is not allowed; choose one of {ctx.get('expected', '')}"
    if typ in ("unknown_zone", "offset_datetime", "url", "date_range", "reserved_name", "invisible_handle"):
        return e["msg"]
    if typ == "string_pattern_mismatch":
        words = _PATTERN_WORDS.get(ctx.get("pattern", ""), f"text matching {ctx.get('pattern')}")
        return f"{_quote(value)} is not {words}"
    if typ in _EXPECTED:
        return f"expected {_EXPECTED[typ]}, found {_describe(value)}"
    if typ == "string_too_short":
        return "must not be empty; write the text or remove the key"
    if typ == "string_too_long":
        size = f"{len(value):,} characters" if isinstance(value, str) else "too long"
        return f"is {size}; at most {ctx.get('max_length')} characters are allowed: shorten it"
    if typ == "too_short":
        return f"give at least {ctx.get('min_length')} value(s)"
    if typ == "too_long":
        return f"give at most {ctx.get('max_length')} value(s)"
    if typ in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = {
            "greater_than_equal": "at least {ge}",
            "less_than_equal": "at most {le}",
            "greater_than": "more than {gt}",
            "less_than": "less than {lt}",
        }[typ].format(**ctx)
        return f"must be {bound}, found {_describe(value)}"
    msg = e["msg"]
    return f"{msg[:1].lower()}{msg[1:]} (found {_describe(value)})"


def _quote(value: Any) -> str:
    if isinstance(value, str) and len(value) > 40:
        return repr(value[:37] + "...")
    return repr(value)


def fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys allowed at a location inside a model (by their TOML names)."""
    found, complete = _along(model, loc)
    sub = submodel(found[-1].annotation if found else model) if complete else None
    return list(_by_alias(sub)) if sub else []


def _along(model: type[BaseModel], loc: tuple) -> tuple[list[Any], bool]:
    """The fields a key path passes through, and whether all of it lies inside the model."""
    current: Any = model
    found: list[Any] = []
    for part in loc:
        if isinstance(part, int):
            continue
        sub = submodel(current)
        field = _by_alias(sub).get(part) if sub is not None else None
        if field is None:
            return found, False
        found.append(field)
        current = field.annotation
    return found, True


def _by_alias(model: type[BaseModel]) -> dict[str, Any]:
    return {(f.alias or n): f for n, f in model.model_fields.items()}
