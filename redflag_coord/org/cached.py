"""The per-file step (`parse.check_file`: read, parse, validate) through the cache (`repo.cache`).

What is kept of a file is exactly what the per-file step made of it: the model as the file wrote it
(pydantic's JSON of the fields the file set, sealed values as their sealed text: this runs before
anything is opened) and its problems. It is found again by the file's content (SHA-256), with git's
shortcut: when size, mtime, inode and ctime are those recorded, the file is not even read. A stat
is recorded only once the file is a few seconds old, so an edit within the clock's granularity is
never mistaken for no edit (git's "racily clean" files). The key also holds the tool's version, the
Python and library versions and a hash of the source of every module the per-file step runs, so an
upgrade or an edited model reads nothing made by another.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from redflag_coord.org import parse
from redflag_coord.org.model import FILE_MODELS
from redflag_coord.org.problems import Problem
from redflag_coord.repo.cache import Store, digest, store_for

RACY_NS = 3 * 10**9  # a file changed this recently may change again without its stat changing

# The modules the per-file step runs (tests/test_cache.py checks this against what parse imports).
SOURCES = (
    "redflag_coord",
    "redflag_coord.crypt.kinds",
    "redflag_coord.crypt.padding",
    "redflag_coord.errors",
    "redflag_coord.org.cached",
    "redflag_coord.org.glyphs",
    "redflag_coord.org.locate",
    "redflag_coord.org.model",
    "redflag_coord.org.parse",
    "redflag_coord.org.problems",
    "redflag_coord.org.textcheck",
    "redflag_coord.repo.cache",
    "redflag_coord.tz.duration",
    "redflag_coord.tz.recurrence",
    "redflag_coord.tz.span",
    "redflag_coord.tz.zones",
)

# rel -> SHA-256 of the content this process last checked (whole-organisation keys, `validate`)
DIGESTS: dict[str, str] = {}
_KEY: list[str] = []


def version_key() -> str:
    """What must be equal for an entry to be used: tool, Python, libraries, time zones, sources."""
    if not _KEY:
        import importlib

        import pydantic
        import pydantic_core

        import redflag_coord

        parts = [redflag_coord.__version__, sys.version, pydantic.VERSION, pydantic_core.__version__]
        parts.append(getattr(parse.tomllib, "__version__", "tomllib"))
        import zoneinfo

        parts.append(repr(zoneinfo.TZPATH))  # the system's zone files first, then the tzdata package
        try:
            parts.append(str(getattr(importlib.import_module("tzdata"), "IANA_VERSION", "")))
        except ImportError:
            parts.append("no tzdata")
        for name in SOURCES:
            file = getattr(importlib.import_module(name), "__file__", None) or ""
            try:
                parts.append(digest(Path(file).read_bytes()))
            except OSError:  # no source (a frozen build): the version alone must do
                parts.append(name)
        _KEY.append(digest("\0".join(parts).encode("utf-8")))
    return _KEY[0]


def forget_key() -> None:
    """Compute the version key again (tests change the version)."""
    _KEY.clear()


def root_of(path: Path | str, rel: str) -> str | None:
    """The organisation root a file was found under (its path minus its repository path)."""
    text = os.fspath(path)
    tail = rel.replace("/", os.sep)
    if not text.endswith(tail):
        return None
    return text[: -len(tail)] or "."


def check(path: Path | str, rel: str, kind: str, defer: bool = False) -> parse.FileResult:
    """`parse.check_file`, answered from the cache when this content was checked before.

    `defer`: an entry to write is held until `keep_step` adds a step's result to it (one write, not two)."""
    DIGESTS.pop(rel, None)  # set again below, only for the content this call reads
    root = root_of(path, rel)
    store = store_for(root) if root is not None else None
    if store is None:
        return parse.check_file(path, rel, kind)
    try:
        st = os.stat(path)
    except OSError:
        return parse.check_file(path, rel, kind)
    if not stat.S_ISREG(st.st_mode) or st.st_size > parse.MAX_FILE_BYTES:
        return parse.check_file(path, rel, kind)  # its problem, not worth keeping
    sig = [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]
    entry = _entry(store, rel, kind)
    if entry is not None and entry["stat"] == sig:
        found = _result(entry, rel, kind)
        if found is not None:
            DIGESTS[rel] = entry["sha"]
            return found
    raw, problems = parse.read_bytes(path, rel)
    if raw is None:
        return parse.FileResult(rel, kind, None, problems)
    sha = digest(raw)
    DIGESTS[rel] = sha
    if entry is not None and entry["sha"] == sha:
        found = _result(entry, rel, kind)
        if found is not None:
            if _settled(st):  # the stat is safe to trust from now on: record it
                _write(store, rel, {**entry, "stat": sig}, defer)  # a step kept with it still holds
            return found
    result = parse.check_bytes(raw, rel, kind)
    model = (
        None
        if result.model is None
        else result.model.model_dump_json(by_alias=True, exclude_unset=True, warnings=False)
    )
    problems_out = [[p.file, p.code, p.message, p.severity, list(p.key), p.line, p.column] for p in result.problems]
    _write(store, rel, _fields(kind, rel, sig if _settled(st) else None, sha, model, problems_out), defer)
    return result


def answered(path: Path | str, rel: str, kind: str) -> parse.FileResult | None:
    """`check`'s answer when the file's stat is the settled one its entry recorded (nothing read but the
    entry); None otherwise, and then `check` is asked."""
    root = root_of(path, rel)
    store = store_for(root) if root is not None else None
    if store is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    entry = _entry(store, rel, kind)
    if entry is None or entry["stat"] != [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]:
        return None
    found = _result(entry, rel, kind)
    if found is not None:
        DIGESTS[rel] = entry["sha"]
    return found


def _settled(st: os.stat_result) -> bool:
    return max(st.st_mtime_ns, st.st_ctime_ns) + RACY_NS < time.time_ns()


_PENDING: dict[str, dict[str, Any]] = {}  # entries held for `keep_step` (check(defer=True))


def _fields(kind: str, rel: str, sig: list | None, sha: str, model: str | None, problems: list) -> dict[str, Any]:
    return {"v": version_key(), "rel": rel, "kind": kind, "stat": sig, "sha": sha, "model": model, "problems": problems}


def _write(store: Store, rel: str, entry: dict[str, Any], defer: bool = False) -> None:
    if defer:
        _PENDING[rel] = entry
        return
    _PENDING.pop(rel, None)
    store.write(rel, json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass"))


def _entry(store: Store, rel: str, kind: str) -> dict[str, Any] | None:
    body = store.read(rel)
    if body is None:
        return None
    try:
        entry = json.loads(body)
    except ValueError:
        return None
    if not isinstance(entry, dict) or entry.get("v") != version_key():
        return None
    if entry.get("rel") != rel or entry.get("kind") != kind or not isinstance(entry.get("sha"), str):
        return None
    return entry


def _result(entry: dict[str, Any], rel: str, kind: str) -> parse.FileResult | None:
    """The entry's result, or None when it does not make one (then the file is checked again)."""
    try:
        text = entry["model"]
        model = None if text is None else FILE_MODELS[kind].model_validate_json(text)
        problems = [Problem(f, c, m, s, tuple(k), ln, col) for f, c, m, s, k, ln, col in entry["problems"]]
    except (ValueError, TypeError, KeyError):
        return None
    return parse.FileResult(rel, kind, model, problems)


def prune(root: Path | str, present: list[str]) -> None:
    """Drop the entries of files no longer in the organisation (after a whole-tree discovery)."""
    store = store_for(str(root))
    if store is not None:
        store.prune(set(present))


# -- a step over one file that also reads the rest (validate's streamed reports) --------------------------


def digests(paths: list[tuple[str, Path | str]]) -> list[tuple[str, str | None]]:
    """(rel, SHA-256 of its content now, None when unreadable) for each file: what a whole-organisation key
    is made of. Read directly, not through the entries: the key must say what is on disk."""
    return [(rel, content_digest(path, rel)) for rel, path in paths]


def content_digest(path: Path | str, rel: str) -> str | None:
    """SHA-256 of a data file's content now; None when it is not a regular file within the size limit.
    Read as every data file is (parse.read_bytes): a planted pipe named like a data file would otherwise
    make a plain open() wait for a writer forever."""
    data, _ = parse.read_bytes(path, rel)
    return digest(data) if data is not None else None


def key_of(parts: list[Any]) -> str:
    return digest(json.dumps([version_key(), *parts], ensure_ascii=False, default=str).encode("utf-8", "surrogatepass"))


def step_result(path: Path | str, rel: str, kind: str, key: str) -> Any | None:
    """What a step over this file stored under `key` (`keep_step`), if the file still holds the content
    it ran on; None otherwise. Answered from the stat alone when that is settled."""
    root = root_of(path, rel)
    store = store_for(root) if root is not None else None
    if store is None:
        return None
    entry = _entry(store, rel, kind)
    step = entry.get("step") if entry is not None else None
    if entry is None or not (isinstance(step, list) and len(step) == 2 and step[0] == key):
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    settled = entry["stat"] == [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]
    if not settled and content_digest(path, rel) != entry["sha"]:
        return None
    return step[1]


def keep_step(path: Path | str, rel: str, kind: str, key: str, value: Any) -> None:
    """Store `value` (JSON; None: nothing) as the step's result for the content this process last checked
    of `rel`, with the entry `check(defer=True)` held back, if any."""
    root = root_of(path, rel)
    store = store_for(root) if root is not None else None
    pending = _PENDING.pop(rel, None)
    if store is None:
        return
    entry = pending if pending is not None else (_entry(store, rel, kind) if value is not None else None)
    if entry is None or entry["sha"] != DIGESTS.get(rel):
        return  # changed since it was checked (or its entry was not written): keep nothing
    if value is not None:
        entry["step"] = [key, value]
    _write(store, rel, entry)


# -- the steps of many files in one read (validate's streamed reports, issue 35) --------------------------

STEP_INDEX = "steps"


def step_index(root: Path | str, key: str) -> dict[str, list]:
    """rel -> [kind, stat, value]: each file's step result under `key` as `keep_step_index` last wrote them,
    read as one file instead of one entry per file; {} when there is none, for another key or version."""
    return keyed(root, STEP_INDEX, key)


def keyed(root: Path | str, name: str, key: str) -> dict[str, Any]:
    """The table the index `name` holds for `key` (this version of the tool); {} when it holds none."""
    store = store_for(str(root))
    body = store.read_index(name) if store is not None else None
    try:
        index = json.loads(body) if body is not None else None
    except ValueError:
        return {}
    if not isinstance(index, dict) or index.get("v") != version_key() or index.get("key") != key:
        return {}
    rows = index.get("rows")
    return rows if isinstance(rows, dict) else {}


def keep_keyed(root: Path | str, name: str, key: str, rows: dict[str, Any]) -> None:
    """Replace the index `name` with `rows` under `key` (atomically: a reader finds the old or the new)."""
    store = store_for(str(root))
    if store is not None:
        body = json.dumps({"v": version_key(), "key": key, "rows": rows}, ensure_ascii=False, separators=(",", ":"))
        store.write_index(name, body.encode("utf-8", "surrogatepass"))


def keyed_among(root: Path | str, name: str, key: str) -> dict[str, Any]:
    """As `keyed`, from an index that holds the tables of the last few keys (`keep_among`)."""
    tables = keyed(root, name, "")
    found = tables.get(key)
    return found if isinstance(found, dict) else {}


def keep_among(root: Path | str, name: str, key: str, rows: dict[str, Any], limit: int = 8) -> None:
    """Add (or replace) `key`'s table in the index `name`, keeping the `limit` newest: commands that load
    different parts of the organisation each find theirs instead of replacing one another's."""
    tables = {k: v for k, v in keyed(root, name, "").items() if k != key}
    tables[key] = rows
    keep_keyed(root, name, "", dict(list(tables.items())[-limit:]))


def indexed(rows: dict[str, list], path: Path | str, rel: str, kind: str) -> Any | None:
    """The value `rel`'s row holds, when the file's stat is still the settled one its entry recorded
    (the same shortcut as `check`: git's); None otherwise (then the file's own entry is asked)."""
    row = rows.get(rel)
    if not (isinstance(row, list) and len(row) == 3 and row[0] == kind and row[1] is not None):
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return row[2] if row[1] == [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns] else None


def keep_step_index(
    root: Path | str, key: str, kept: dict[str, list], fresh: list[tuple[str, Path | str, str]]
) -> None:
    """Write the index: the rows still good (`kept`) and, for each file checked afresh (rel, path, kind), its
    entry's step when it is under `key` with a settled stat that is still the file's."""
    store = store_for(str(root))
    if store is None:
        return
    rows = dict(kept)
    for rel, path, kind in fresh:
        entry = _entry(store, rel, kind)
        step = entry.get("step") if entry is not None else None
        if entry is None or entry["stat"] is None or not (isinstance(step, list) and len(step) == 2):
            continue
        if step[0] == key and indexed({rel: [kind, entry["stat"], True]}, path, rel, kind):
            rows[rel] = [kind, entry["stat"], step[1]]
    keep_keyed(root, STEP_INDEX, key, rows)


def passing(name: str, entries: list[Any], test: Callable[[Any], bool]) -> list[Any]:
    """The entries (parse.Entry) `test` holds for, a function of each file's bytes alone: answered from the
    index `name` for a file whose stat is the settled one recorded with its answer, else asked (and kept)."""
    root = root_of(entries[0].path, entries[0].rel) if entries else None
    if root is None or store_for(root) is None:
        return [e for e in entries if test(e)]
    rows = keyed(root, name, "")
    fresh: dict[str, Any] = {}
    out = []
    for e in entries:
        try:
            st: os.stat_result | None = os.stat(e.path)
        except OSError:
            st = None
        sig = None if st is None else [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]
        row = rows.get(e.rel)
        if sig is not None and isinstance(row, list) and len(row) == 2 and row[0] == sig:
            held = bool(row[1])
        else:
            held = test(e)
            if st is not None and _settled(st):
                fresh[e.rel] = [sig, held]
        if held:
            out.append(e)
    if fresh:  # rows of files not asked about this time stay: another command asks about them
        keep_keyed(root, name, "", {**rows, **fresh})
    return out
