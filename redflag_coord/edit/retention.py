"""`secrets forget --expired`: removing expired private values from every file, all or nothing.

Which values are expired is org.retention's answer (the one `validate` gives); where a collective has
readers, a date removes its sealed values only when one of them vouched for it (org.vouch), and an expired
table whose date nobody vouched is listed (`unvouched`), not removed. Nothing is opened: a sealed
value is removed by its table's date, so no key is needed and no plain text is ever in memory. The one
exception is a default counted from a sealed date (a conversation note's): only a key can say when that
was, so such a note is judged when the caller has opened the organisation with one (`opened`), and
otherwise listed as not judged (an `expires` on the table needs no key). A table
whose model requires a private value (a relationship's pseudonym, a conversation note's note) cannot stand
without it and is removed whole, with what it holds; elsewhere only the private values go, with the
`expires` that named their date (a member keeps their handle; a stage change its date and stage).
Files are rewritten with tomlkit (comments and layout kept) as one repo.journal change: the organisation's
lock, a check that no file changed since it was read, then the renames; a failure changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redflag_coord.errors import RedflagError
from redflag_coord.org.load import Organisation, rel_path
from redflag_coord.org.parse import check_file
from redflag_coord.org.retention import EXPIRES, VOUCHED, Expiry, Policy, expired, expiries
from redflag_coord.org.secrets import private_files
from redflag_coord.org.settings import load_settings
from redflag_coord.org.vouch import Judged, Vouching

# Kept only beside a private value: a member without an email cannot be invited.
DEPENDENT: dict[str, dict[str, Any]] = {"member": {"invite": False}}


class ForgetError(RedflagError):
    """A private file cannot be read as its model: nothing is removed anywhere (all or nothing)."""


@dataclass
class Forgotten:
    """What was (or, in a dry run, would be) removed: the expiries, by file."""

    removed: list[Expiry] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    unjudged: list[tuple[str, tuple[str | int, ...]]] = field(default_factory=list)  # (file, key): date sealed
    unvouched: list[Judged] = field(default_factory=list)  # expired by a date no reader vouched: not removed


def forget_expired(
    org: Organisation, slugs: list[str], today: dt.date, dry_run: bool = False, opened: bool = False
) -> Forgotten:
    """Remove every private value of these collectives expired on `today` (see the module docstring).

    `opened`: `org`'s sealed values were opened in place with a key (org.secrets.reveal): its models,
    whose positions are the files', then date the tables whose default counts from a sealed date."""
    import tomlkit  # only where a file is read or written keeping its layout: not at start-up

    from redflag_coord.repo.journal import Change, apply

    policy = Policy.of(load_settings(org.root))
    vouching = Vouching(org.root)
    done = Forgotten()
    change = Change("secrets forget --expired")
    for slug in slugs:
        for path, rel, kind in private_files(org.root, slug):
            raw = path.read_bytes()  # the journal writes only if the file still holds exactly these bytes
            model = _model(path, rel, kind)  # every file read and valid first: all or nothing
            if opened:
                model = _opened(org, slug, rel) or model
            due = _vouched(expired(expiries(model, rel, policy, done.unjudged), today), vouching, today, done)
            if not due:
                continue
            doc = tomlkit.parse(raw.decode("utf-8"))
            for e in _deepest_first(due):
                _remove(doc, e)
            change.write(rel, raw, tomlkit.dumps(doc).encode("utf-8"))
            done.removed.extend(due)
            done.files.append(rel)
    if not dry_run:
        apply(org.root, change)
    return done


def _vouched(found: list[Expiry], vouching: Vouching, today: dt.date, done: Forgotten) -> list[Expiry]:
    """Those whose date may remove them today (org.vouch); the rest, expired by an unvouched date, go to
    `done.unvouched` (a date only made earlier than its vouch is simply not due yet)."""
    due = []
    for e in found:
        judged = vouching.judge(e)
        if judged.removable(today):
            due.append(judged.effective())
        elif judged.status == "unvouched":
            done.unvouched.append(judged)
    return due


def _opened(org: Organisation, slug: str, rel: str) -> Any:
    """The model of `rel` as loaded (and opened) in `org`, if it holds it."""
    c = org.collectives.get(slug)
    if c is None:
        return None
    if rel == rel_path("members", slug):
        return c.members
    if rel == rel_path("relationships", slug):
        return c.relationships
    return next((r for mid, r in c.reports.items() if rel == rel_path("report", slug, mid)), None)


def _model(path: Path, rel: str, kind: str) -> Any:
    result = check_file(path, rel, "report" if kind.startswith("reports/") else kind)
    errors = [p for p in result.problems if p.severity == "error"]
    if result.model is None or errors:
        first = errors[0].message if errors else "it cannot be read"
        raise ForgetError(f"{rel}: {first}; nothing was removed anywhere: fix it ('redflag-coord validate') first")
    return result.model


def _deepest_first(found: list[Expiry]) -> list[Expiry]:
    """Later entries first, so removing one leaves the positions of the rest unchanged; an entry inside
    one removed whole is skipped (it goes with it)."""
    wholes = [e.key for e in found if e.whole]
    inside = [e for e in found if not any(len(w) < len(e.key) and e.key[: len(w)] == w for w in wholes)]
    return sorted(inside, key=lambda e: tuple((0, k) if isinstance(k, int) else (1, k) for k in e.key), reverse=True)


def _remove(doc: Any, e: Expiry) -> None:
    *parent, last = e.key
    holder = doc
    for k in parent:
        holder = holder[k]
    if e.whole:
        del holder[last]  # the whole table, its comments and nested tables ("relationship = []" after the last:
        # a file with nothing in it is refused by validate)
        return
    table = holder[last]
    for name in (*e.values, EXPIRES, EXPIRES + VOUCHED):
        if name in table:
            del table[name]
    name = next((k for k in reversed(e.key) if isinstance(k, str)), "")
    for dependent, value in DEPENDENT.get(name, {}).items():
        if dependent in table and table[dependent] != value:
            table[dependent] = value
