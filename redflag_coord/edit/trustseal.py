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

from redflag_coord import crypt
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
    writes: list[tuple[Path, bytes, bytes, str]] = []
    for slug in slugs:
        for path, rel, kind in files.private_files(org.root, slug):
            raw = path.read_bytes()
            doc = tomlkit.parse(raw.decode("utf-8"))
            n = 0
            for container, name, kpath, contact in files.doc_slots(doc, kind):
                spot = _Spot(slug, rel, kpath, contact, place(slug, kind, kpath, container.get("handle")))
                new = _one(trust, spot, str(container[name]), identities, mine, mode, settings, org, done, files)
                if new is not None:
                    container[name] = new
                    n += 1
            if n:
                writes.append((path, raw, tomlkit.dumps(doc).encode("utf-8"), rel))
                done.files.append(rel)
                done.sealed += n
    if write and writes:
        whole = change if change is not None else Change(f"secrets {mode}")
        for path, raw, data, _ in writes:
            whole.write(os.path.relpath(path, org.root), raw, data)
        if change is None:
            apply(org.root, whole)
    return done


@dataclass(frozen=True)
class _Spot:
    slug: str
    rel: str
    key: tuple[str | int, ...]
    contact: bool
    place: str

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
    if env.place != spot.place:
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
    """Approve each collective's readers (first approval where none) and bind every value: all or nothing."""
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
    trust.on = True
    done = reseal(org, slugs, settings, identities, "migrate", files, trust, write=False)
    change = Change("secrets migrate")  # the approvals and every value: one change, all or nothing
    for p in proposals:
        trust.chains[p.slug] = trust.chains[p.slug][:-1]
        done.approved.append(approval_change(trust, p, change))
    reseal(org, slugs, settings, identities, "migrate", files, trust, write=True, change=change)
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
    """For `secrets edit`: seal a new or changed value bound to its place, to the approved recipients."""
    trust = trustcheck.load(org.root)
    mine = sig.signers(identities) if identities else []
    done = Resealed()

    def bind(container: Any, kpath: tuple[str | int, ...], contact: bool, value: str) -> str | None:
        spot = _Spot(
            slug, f"collectives/{slug}/{kind}.toml", kpath, contact, place(slug, kind, kpath, container.get("handle"))
        )
        return _one(trust, spot, value, identities, mine, "encrypt", settings, org, done, files)

    return bind
