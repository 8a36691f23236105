"""Sealing private values bound to their place and signed (issue 28): encrypt, reencrypt, migrate, accept.

Every value sealed in an organisation with approvals (see trustcheck) is an envelope (crypt.trust):
its place (collective/file/member or relationship/field), the signing key of the reader who sealed
it and their signature, then the value. A writer who is no reader seals a *pending* envelope (no
signature): readers see it, nothing uses it until a reader runs `secrets accept`. Values go only to
the approved recipients. Every command here checks every value first and writes nothing unless all
are good (all files at once: a failing run never rewrites a file).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from redflag_coord import crypt, progress
from redflag_coord.crypt import CryptError, Identities
from redflag_coord.crypt import trust as sig
from redflag_coord.org import trustcheck
from redflag_coord.org.load import Organisation
from redflag_coord.org.model import Settings
from redflag_coord.org.trustcheck import Trust, TrustError, place

Mode = Literal["encrypt", "reencrypt", "migrate", "accept"]


@dataclass(frozen=True)
class Files:
    """How org.secrets finds private values in files (passed in: org.secrets calls this module)."""

    private_files: Any  # (root, slug) -> (path, rel, kind) for each private file
    doc_slots: Any  # (doc, kind) -> (container, key, key path, contact) for each value
    listed: Any  # (org, settings, slug, contact) -> recipients before approvals


def key_text(key: tuple[str | int, ...]) -> str:
    from redflag_coord.org.problems import format_key

    return format_key(key)


@dataclass
class Resealed:
    files: list[str] = field(default_factory=list)
    sealed: int = 0
    approved: list[str] = field(default_factory=list)  # trust files written
    pending: list[tuple[str, str, str]] = field(default_factory=list)  # (file, key, value) accepted or waiting
    writes: list[tuple[Path, bytes | None, bytes]] = field(default_factory=list)  # (path, old, new): all or none


def reseal(
    org: Organisation,
    slugs: list[str],
    settings: Settings,
    identities: Identities | None,
    mode: Mode,
    files: Files,
    trust: Trust | None = None,
    write: bool = True,
    change: Any = None,
) -> Resealed:
    """Check every private value of these collectives, seal what `mode` asks, then write every file at once.

    The files are one repo.journal change (all or nothing, even across a signal or a crash); given
    `change` (a journal.Change), the files are added to it and the caller applies it.
    """
    import os

    import tomlkit  # only where a file is read or written keeping its layout: not at start-up

    from redflag_coord.repo.journal import Change, apply

    trust = trust or trustcheck.load(org.root)
    mine = sig.signers(identities) if identities else []
    done = Resealed()
    progress.begin(mode if mode in ("reencrypt", "migrate") else "sealing", len(slugs))
    for slug in slugs:
        for path, rel, kind in files.private_files(org.root, slug):
            raw = path.read_bytes()
            doc = tomlkit.parse(raw.decode("utf-8"))
            given = give_ids(doc, rel, kind, mode == "migrate" or (mode == "encrypt" and trust.on))
            n = 0
            for container, name, kpath, contact in files.doc_slots(doc, kind):
                spot = _spot(slug, rel, kind, kpath, contact, owner_of(doc, kind, kpath, container))
                new = _one(trust, spot, str(container[name]), identities, mine, mode, settings, org, done, files)
                if new is not None:
                    container[name] = new
                    n += 1
            if n or given:
                done.writes.append((path, raw, tomlkit.dumps(doc).encode("utf-8")))
                done.files.append(rel)
                done.sealed += n
        progress.advance()
    if write and done.writes:
        whole = change if change is not None else Change(f"secrets {mode}")
        for path, raw, data in done.writes:
            whole.write(os.path.relpath(path, org.root), raw, data)
        if change is None:
            apply(org.root, whole)
    return done


def write_all(writes: list[tuple[Path, bytes | None, bytes]]) -> None:
    """Write every file, each only if unchanged meanwhile; on a failure put back those already written."""
    from redflag_coord.repo.fsio import write_if_unchanged

    done: list[tuple[Path, bytes | None, bytes]] = []
    try:
        for path, old, data in writes:
            write_if_unchanged(path, old, data)
            done.append((path, old, data))
    except BaseException:
        for path, old, data in reversed(done):
            if old is None:
                path.unlink(missing_ok=True)
            else:
                write_if_unchanged(path, data, old)
        raise


def new_id(taken: set[str]) -> str:
    """A relationship's id: random (50 bits), a letter first, naming nobody (model.RELATIONSHIP_ID_PATTERN)."""
    import secrets

    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    while True:
        found = secrets.choice(alphabet[:26]) + "".join(secrets.choice(alphabet) for _ in range(9))
        if found not in taken:
            return found


def give_ids(doc: Any, rel: str, kind: str, assign: bool) -> int:
    """Give each relationship without an id a new one (when `assign`); how many were given.

    TrustError on an id used twice: one of them is a copy, and which one only a member can tell.
    """
    if kind != "relationships":
        return 0
    tables = [r for r in doc.get("relationship", []) if hasattr(r, "get")]
    seen: dict[str, int] = {}
    for i, r in enumerate(tables):
        rid = r.get("id")
        if isinstance(rid, str) and rid in seen:
            raise TrustError(
                f"{rel}: relationship[{i}] has the id of relationship[{seen[rid]}] ({rid!r}): if one was copied to "
                "make a new relationship, delete the id line of the new one (the tool gives it another) and seal "
                "its values again; nothing was written"
            )
        if isinstance(rid, str):
            seen[rid] = i
    given = 0
    for r in tables:
        if assign and not isinstance(r.get("id"), str):
            r["id"] = new_id(set(seen))
            seen[str(r["id"])] = -1
            given += 1
    return given


def owner_of(doc: Any, kind: str, kpath: tuple[str | int, ...], container: Any) -> Any:
    """The table a value's place is named by: its member, or its relationship (a history note's too)."""
    if kind == "relationships":
        return doc["relationship"][kpath[1]]
    return container


def _spot(slug: str, rel: str, kind: str, kpath: tuple[str | int, ...], contact: bool, owner: Any) -> _Spot:
    name = owner.get("id") if kind == "relationships" else owner.get("handle")
    before = f"{slug}/{kind}/" + "/".join(str(k) for k in kpath[1:])  # the place by position, before ids
    if kind != "relationships":  # a member (by handle) or a report's site (by report and position)
        return _Spot(slug, rel, kpath, contact, place(slug, kind, kpath, name))
    here = place(slug, kind, kpath, name) if name is not None else ""  # "" : a relationship without an id
    return _Spot(slug, rel, kpath, contact, here, before)


@dataclass(frozen=True)
class _Spot:
    slug: str
    rel: str
    key: tuple[str | int, ...]
    contact: bool
    place: str
    by_position: str = ""  # where a relationship's value was bound before relationships had ids

    def fail(self, why: str) -> TrustError:
        return TrustError(f"{self.rel}: {key_text(self.key)}: {why}; nothing was written")


def _one(
    trust: Trust,
    spot: _Spot,
    value: str,
    identities: Identities | None,
    mine: list[sig.Signer],
    mode: Mode,
    settings: Settings,
    org: Organisation,
    done: Resealed,
    files: Files,
) -> str | None:
    """The new text of one value, or None to keep it exactly."""
    to = trustcheck.seal_to(trust, spot.slug, spot.contact)
    legacy = to is None  # no approvals in this organisation yet: values as before issue 28
    if legacy:
        to = files.listed(org, settings, spot.slug, spot.contact)
    assert to is not None
    signer = None if legacy else _signer(trust, spot, mine)
    if not legacy and not spot.place:
        raise spot.fail(
            f"its relationship has no id: run 'redflag-coord secrets migrate' (or 'secrets encrypt {spot.slug}') "
            "to give it one"
        )
    if not crypt.is_sealed(value):
        if mode == "accept":
            return None
        return crypt.seal(value if legacy else sig.wrap(spot.place, value, signer), to)
    if mode == "encrypt":
        return None
    if identities is None:
        raise spot.fail("needs an identity that opens it")
    try:
        plain = crypt.open_sealed(value, identities.keys)
    except CryptError as e:
        raise spot.fail(str(e)) from None
    env = sig.unwrap(plain)
    stale = sig.stanzas(value) != len(to)
    if env is None:
        if legacy:
            return crypt.seal(plain, to) if mode == "reencrypt" else None
        if mode != "migrate":
            raise spot.fail("sealed without its place and signature: a reader runs 'redflag-coord secrets migrate'")
        return crypt.seal(sig.wrap(spot.place, plain, _need_signer(spot, signer)), to)
    if trustcheck.positional(env.place):
        if env.place != spot.by_position:
            raise spot.fail(f"this value was sealed for {env.place!r}: it was moved or copied here")
        if mode != "migrate":
            raise spot.fail("bound to a list position, not its relationship's id: a reader runs 'secrets migrate'")
        return crypt.seal(sig.wrap(spot.place, env.value, _need_signer(spot, signer)), to)
    if not trustcheck.same_place(trust, spot.slug, env.place, spot.place):
        raise spot.fail(f"this value was sealed for {env.place!r}: it was moved or copied here")
    if env.pending:
        done.pending.append((spot.rel, key_text(spot.key), env.value))
        if mode == "accept":
            return crypt.seal(sig.wrap(spot.place, env.value, _need_signer(spot, signer)), to)
        return crypt.seal(plain, to) if mode == "reencrypt" or stale else None
    if not env.authentic() or (not legacy and env.signer not in trust.ever_signed(spot.slug, spot.contact)):
        raise spot.fail("its signature is not from an approved reader: it was forged")
    current = legacy or env.signer in _current(trust, spot)
    if mode == "reencrypt" or stale or not current:
        return crypt.seal(sig.wrap(spot.place, env.value, _need_signer(spot, signer)) if not current else plain, to)
    return None


def _current(trust: Trust, spot: _Spot) -> set[str]:
    last = trust.latest(spot.slug)
    return last.value_signers(spot.contact) if last else set()


def _signer(trust: Trust, spot: _Spot, mine: list[sig.Signer]) -> sig.Signer | None:
    allowed = _current(trust, spot)
    return next((s for s in mine if s.public in allowed), None)


def _need_signer(spot: _Spot, signer: sig.Signer | None) -> sig.Signer:
    if signer is None:
        raise spot.fail("signing it needs the identity of an approved reader of this value")
    return signer


def migrate(
    org: Organisation, slugs: list[str], settings: Settings, identities: Identities, extra: dict[str, str], files: Files
) -> Resealed:
    """Approve each collective's readers (first approval where none), give every relationship an id and bind
    every value (positional and unbound ones re-bound): checked first, then the approvals and every file
    as one repo.journal change, all or nothing even across a signal or a crash."""
    import os

    from redflag_coord.org.trustcheck import approval_change, propose
    from redflag_coord.repo.journal import Change, apply

    trust = trustcheck.load(org.root)
    proposals = []
    for slug in slugs:
        p = propose(trust, slug, identities, extra)
        if p is not None:
            proposals.append(p)
            trust.chains[slug] = [*trust.chains.get(slug, []), p.new]  # in memory until every value is good
    trust.on = True
    done = reseal(org, slugs, settings, identities, "migrate", files, trust, write=False)
    change = Change("secrets migrate")  # the approvals and every value: one change, all or nothing
    for p in proposals:
        trust.chains[p.slug] = trust.chains[p.slug][:-1]
        done.approved.append(approval_change(trust, p, change))
    for path, raw, data in done.writes:
        change.write(os.path.relpath(path, org.root), raw, data)
    if change.files:
        apply(org.root, change)
    return done


def listed_recipients(root: Path, slug: str) -> list[str]:
    return list(trustcheck.listed(root, slug).recipients)


def open_bound(plain: str) -> Any:
    """The value inside an opened envelope (for the editor's clear view); a legacy value as is."""
    env = sig.unwrap(plain)
    return env.value if env is not None else plain


def binder(
    org: Organisation, settings: Settings, slug: str, kind: str, identities: Identities | None, files: Files
) -> Any:
    """For `secrets edit`: the ciphertext of each value of the edited text (see edit.secrets.seal_text).

    A value unchanged at its place (`was`) keeps its exact ciphertext while that is sealed to as many
    recipients as are approved now and signed by a current reader; otherwise it is sealed again to the
    approved recipients. A new or changed value is sealed fresh, bound to its place."""
    trust = trustcheck.load(org.root)
    mine = sig.signers(identities) if identities else []
    done = Resealed()

    def bind(owner: Any, kpath: tuple[str | int, ...], contact: bool, value: str, was: Any = None) -> str:
        """`owner`: the member's or relationship's table (owner_of), not a history step's."""
        rel = f"collectives/{slug}/{kind}.toml"
        if kind == "relationships" and owner.get("id") is None:
            owner["id"] = new_id(set())  # a relationship added in the editor: its id, before its values are bound
        spot = _spot(slug, rel, kind, kpath, contact, owner)
        if was is not None:
            return _kept(trust, spot, was.sealed, was.opened, mine, settings, org, files)
        new = _one(trust, spot, value, identities, mine, "encrypt", settings, org, done, files)
        assert new is not None  # a plain value is always sealed in "encrypt" mode
        return new

    return bind


def _kept(
    trust: Trust,
    spot: _Spot,
    sealed: str,
    opened: str,
    mine: list[sig.Signer],
    settings: Settings,
    org: Organisation,
    files: Files,
) -> str:
    """An unchanged value at its own place: its exact ciphertext, or sealed again where that is stale.

    Stale as check.trust and _one judge it: sealed to more or fewer recipients than approved now, or
    signed by a reader who no longer is one. A value that is not good here (moved from elsewhere, forged,
    unbound where values are bound) keeps its exact ciphertext: `secrets edit` never vouches for it with
    a new seal or signature, and `validate` keeps reporting it."""
    to = trustcheck.seal_to(trust, spot.slug, spot.contact)
    legacy = to is None
    if to is None:
        to = files.listed(org, settings, spot.slug, spot.contact)
    stale = sig.stanzas(sealed) != len(to)
    env = sig.unwrap(opened)
    if legacy:
        return crypt.seal(opened, to) if stale else sealed
    if env is None or env.place != spot.place:
        return sealed
    if env.pending:
        return crypt.seal(opened, to) if stale else sealed
    if not env.authentic() or env.signer not in trust.ever_signed(spot.slug, spot.contact):
        return sealed
    if env.signer not in _current(trust, spot):
        return crypt.seal(sig.wrap(spot.place, env.value, _need_signer(spot, _signer(trust, spot, mine))), to)
    return crypt.seal(opened, to) if stale else sealed


def seal_new_text(
    org: Organisation,
    slug: str,
    rel: str,
    kind: str,
    text: str,
    settings: Settings,
    identities: Identities | None,
    files: Files,
) -> str:
    """A new file's text (not yet written) with each plain private value sealed bound to its place there.

    For `report new`: a site opened from the last report is sealed again for the new report, so no
    plain text and no ciphertext bound to the old place reaches the disk."""
    import tomlkit  # only where a file is read or written keeping its layout: not at start-up

    trust = trustcheck.load(org.root)
    mine = sig.signers(identities) if identities else []
    doc = tomlkit.parse(text)
    done = Resealed()
    for container, name, kpath, contact in files.doc_slots(doc, kind):
        spot = _Spot(slug, rel, kpath, contact, place(slug, kind, kpath, container.get("handle")))
        new = _one(trust, spot, str(container[name]), identities, mine, "encrypt", settings, org, done, files)
        if new is not None:
            container[name] = new
    return tomlkit.dumps(doc)
