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

Most files are simple (plain `key = value` lines): edit.canonical writes their layout
without tomlkit, and says "not sure" for anything else, which edit.layout then writes
from the tomlkit tree. Both give the same text (tests/test_fmt_quick.py).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import tomli  # as org.parse: tomllib's parser, compiled

from redflag_coord.edit.canonical import comments, quick_format
from redflag_coord.errors import RedflagError
from redflag_coord.org.load import FIXED_FILES, FOLDERS
from redflag_coord.org.parse import parse_toml, read_bytes


class FormatError(RedflagError):
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
    A text that edit.canonical recognises as already canonical is returned as it is, without
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
    from tomlkit.exceptions import TOMLKitError  # only here: a formatted organisation never needs tomlkit

    from redflag_coord.edit.layout import LayoutError, layout

    try:
        out = layout(text, kind)
    except LayoutError as e:
        raise FormatError(str(e)) from e
    except (TOMLKitError, ValueError, TypeError, KeyError, RecursionError, IndexError, AttributeError) as e:
        raise FormatError(f"this layout cannot be rewritten safely ({type(e).__name__}: {e}); left as it is") from e
    _check_same(text, out, before)
    return out


def keep_layout(old: str | None, new: str, kind: str | None) -> str:
    """The one layout rule for every writer that inserts or changes keys (invite --bump, slots --apply,
    secrets, rename): a file that was in fmt's layout is written in it, so `fmt --check` (the pre-commit
    hook) passes after the writer; a file that was not is left as the writer made it (only fmt
    reformats a file its owner laid out by hand). A new file (`old` None) is written in the layout."""
    try:
        if old is not None and format_text(old, kind) != old:
            return new
        return format_text(new, kind)
    except FormatError:
        return new  # fmt could not lay it out either: the writer's text, which validate then judges


def _same(text: str, out: str, before: dict) -> bool:
    """The rewrite reads back as the same data with the same comments (counted by edit.canonical's
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

    jobs, refused = [], []
    for path in toml_files(paths):
        try:
            rel = path.absolute().relative_to(base.absolute()).as_posix()
        except ValueError:
            rel = str(path)
        outside = _outside(path)
        if outside:  # never read (nor copy in) a file through a link out of the organisation
            refused.append(FileResult(path, rel, False, error=FormatError(outside)))
        else:
            jobs.append((path, rel))
    results = refused + map_files(_format_job, jobs, workers, stage="formatting")
    if write:
        from redflag_coord.repo.fsio import WriteError, write_if_unchanged  # --check writes nothing

        for r in results:
            if r.changed and r.new_text is not None:
                try:
                    write_if_unchanged(r.path, r.old_bytes, r.new_text.encode("utf-8"))
                except WriteError as e:
                    r.error = FormatError(str(e))
    return results


def _outside(path: Path) -> str | None:
    """Why a file must not be read: a symbolic link on its way leaves its organisation (repo.contain)."""
    from redflag_coord.repo.contain import outside_link, root_of

    root = root_of(path)
    found = outside_link(root, path) if root is not None else None
    if found is None:
        return None
    return (
        f"{found[0]} is a symbolic link to {found[1]}, outside the organisation; not read, nothing was written: "
        "replace the link with the folder or file itself"
    )


def _format_job(job: tuple[Path, str]) -> FileResult:
    r = format_file(*job)
    if not r.changed and r.error is None:
        r.new_text = r.old_text = r.old_bytes = None
    return r
