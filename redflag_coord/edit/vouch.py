"""`secrets vouch` and `secrets edit`: a reader signs the retention dates of a collective (org.vouch).

Listing needs no key: every date that decides when sealed values go and that no current reader vouched
for (or vouched for another day), with its place, the day it removes from, and the last commit that
changed its line, so the reader sees who set it before signing. Signing writes `<key>_vouched` beside
each date with tomlkit (comments and layout kept) as one repo.journal change: all or nothing, under the
organisation's lock, refusing a file that changed since it was listed.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redflag_coord.crypt import Identities
from redflag_coord.crypt import trust as sig
from redflag_coord.errors import RedflagError
from redflag_coord.org.locate import locate, positions
from redflag_coord.org.model import FILE_MODELS
from redflag_coord.org.parse import check_file
from redflag_coord.org.problems import format_key
from redflag_coord.org.retention import VOUCHED, Expiry, Policy, expiries
from redflag_coord.org.secrets import private_files
from redflag_coord.org.settings import load_settings
from redflag_coord.org.trustcheck import TrustError, trust_rel
from redflag_coord.org.vouch import Judged, Vouching, date_key, place_of


class VouchError(RedflagError):
    """Nothing to vouch with: not a reader, no approvals, or a file that cannot be read."""


@dataclass(frozen=True)
class ToVouch:
    """One retention date waiting for a reader's vouch (never a private value)."""

    judged: Judged
    place: str | None  # None: a relationship without an id (cannot be vouched until 'secrets migrate')
    line: int
    commit: str  # the last commit that changed the line ("" outside git)

    @property
    def expiry(self) -> Expiry:
        return self.judged.expiry

    @property
    def where(self) -> str:
        return f"{self.expiry.file}:{self.line}"

    def describe(self) -> str:
        e = self.expiry
        state = {
            "unvouched": self.judged.why,
            "earlier": f"made earlier than the day a reader vouched ({self.judged.vouched})",
            "later": f"made later than the day a reader vouched ({self.judged.vouched}): harmless, vouch to record it",
        }[self.judged.status]
        where = self.place or "no place: its relationship has no id, run 'redflag-coord secrets migrate' first"
        last = f"; {self.commit}" if self.commit else ""
        return (
            f"{e.file}:{self.line}: {format_key(e.source)}: removes from {e.on} ({e.reason}) [{where}]: {state}{last}"
        )


@dataclass
class Listing:
    root: Path
    items: list[ToVouch]
    raws: dict[str, bytes]  # file -> the bytes the items were read from (the journal refuses other bytes)


def pending(root: Path, slug: str, vouching: Vouching | None = None) -> Listing:
    """Every retention date of `slug`'s private files that no current reader vouched for, or vouched for another day."""
    vouching = vouching if vouching is not None else Vouching(root)
    if not vouching.needed(slug):
        raise VouchError(
            f"collective {slug!r} has no approved readers ({trust_rel(slug)}): its dates decide alone, there is "
            "nothing to vouch (docs/privacy.md, Retention)",
            usage=True,
        )
    policy = Policy.of(load_settings(root))
    out = Listing(root, [], {})
    for path, rel, kind in private_files(root, slug):
        raw = path.read_bytes()
        result = check_file(path, rel, "report" if kind.startswith("reports/") else kind)
        if result.model is None or any(p.severity == "error" for p in result.problems):
            raise VouchError(f"{rel} cannot be read as its model: fix it ('redflag-coord validate') first")
        found = [j for j in (vouching.judge(e) for e in expiries(result.model, rel, policy)) if _waiting(j)]
        if not found:
            continue
        out.raws[rel] = raw
        table = positions(raw.decode("utf-8"))
        for j in found:
            line = locate("", j.expiry.source, table)[0]
            out.items.append(ToVouch(j, _place(j.expiry), line, last_change(root, rel, line)))
    return out


def _waiting(j: Judged) -> bool:
    return j.status in ("unvouched", "earlier", "later")


def _place(e: Expiry) -> str | None:
    try:
        return place_of(e)
    except TrustError:
        return None


def last_change(root: Path, rel: str, line: int) -> str:
    """'by AUTHOR on DAY: SUBJECT (commit)' of the last commit that changed this line; '' outside git."""
    from redflag_coord.repo.gitinfo import GitError, git

    try:
        text = git(root, "blame", "--porcelain", "-L", f"{line},{line}", "--", rel)
    except GitError:
        return ""
    head = text.split("\n", 1)[0].split(" ")[0]
    fields: dict[str, str] = {}
    for row in text.splitlines()[1:]:
        name, _, value = row.partition(" ")
        fields.setdefault(name, value)
    if set(head) == {"0"}:
        return "last changed: not committed yet"
    try:
        day = dt.datetime.fromtimestamp(int(fields.get("author-time", "0")), dt.UTC).date()
    except ValueError:
        day = None
    return f"last changed by {fields.get('author', '?')} on {day}: {fields.get('summary', '')!r} ({head[:12]})"


def signer_for(vouching: Vouching, slug: str, ids: Identities) -> sig.Signer:
    """The identity's signing key that is a reader of `slug` now; VouchError otherwise."""
    readers = vouching.readers(slug)
    found = next((s for s in sig.signers(ids) if s.public in readers), None)
    if found is None:
        raise VouchError(
            f"{ids.path} is not a reader in the last approval of {trust_rel(slug)}: only its readers vouch for "
            "when its private values go (nothing was signed)",
            usage=True,
        )
    return found


def sign(root: Path, listing: Listing, chosen: list[ToVouch], signer: sig.Signer) -> tuple[list[str], int]:
    """Write a vouch beside each chosen date (one change: all or nothing); the files written and how many
    dates were vouched (one without a place, a relationship without an id, is left as it was)."""
    import tomlkit  # only where a file is read or written keeping its layout: not at start-up

    from redflag_coord.repo.journal import Change, apply

    by_file: dict[str, list[ToVouch]] = {}
    for item in chosen:
        if item.place is not None:
            by_file.setdefault(item.expiry.file, []).append(item)
    change = Change("secrets vouch")
    for rel, items in by_file.items():
        raw = listing.raws[rel]
        doc = tomlkit.parse(raw.decode("utf-8"))
        for item in items:
            put_vouch(doc, item.expiry, sig.vouch(signer, str(item.place), str(item.expiry.on)).text())
        change.write(rel, raw, tomlkit.dumps(doc).encode("utf-8"))
    apply(root, change)
    return list(by_file), sum(len(items) for items in by_file.values())


def put_vouch(doc: Any, e: Expiry, text: str) -> None:
    holder = doc
    for k in e.key:
        holder = holder[k]
    holder[date_key(e) + VOUCHED] = text


# -- `secrets edit`: the dates a reader changed in the session ----------------------------------------


def vouch_edited(root: Path, slug: str, kind: str, rel: str, before: str, after: str, ids: Identities) -> str:
    """`after` (the sealed text to write) with a vouch beside each retention date the reader changed or added
    in the session (compared with `before` at the same place); the text unchanged where nothing needs one."""
    import tomlkit  # only where a file is read or written keeping its layout: not at start-up

    vouching = Vouching(root)
    if not vouching.needed(slug) or not vouching.readers(slug):
        return after
    try:
        signer = signer_for(vouching, slug, ids)
    except VouchError:
        return after  # a writer who is not a reader: their dates stay unvouched (validate says so)
    policy = Policy.of(load_settings(root))
    was = {_place(e): e.on for e in _expiries(before, kind, rel, policy)}
    doc, touched = None, False
    for e in _expiries(after, kind, rel, policy):
        here = _place(e)
        if here is None or was.get(here) == e.on or vouching.judge(e).status in ("vouched", "unneeded"):
            continue
        doc = doc if doc is not None else tomlkit.parse(after)
        put_vouch(doc, e, sig.vouch(signer, here, str(e.on)).text())
        touched = True
    return tomlkit.dumps(doc) if touched and doc is not None else after


def _expiries(text: str, kind: str, rel: str, policy: Policy) -> list[Expiry]:
    try:
        model = FILE_MODELS[kind].model_validate(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, ValueError):
        return []  # the edit's own checks refuse such a text before it is saved
    return expiries(model, rel, policy)
