"""Vouched retention dates: which public date may remove a collective's sealed values (docs/privacy.md, Retention).

An `expires` or a `left` is public and unsigned: anyone who can commit could backdate it, and the next
honest `secrets forget --expired` would delete what it protects. So where a collective has readers (the
organisation has approvals: org.trustcheck), such a date removes nothing until a reader vouched for it:
`<key>_vouched = "<day> <signing key> <signature>"` beside it, signed (crypt.trust.RETENTION_DOMAIN) over
the date key's place (trustcheck.place: a member by handle, a relationship by id, across renames) and the
first day the values may go. A vouch means "not before that day": a date made later keeps the values
longer without a new vouch; one made earlier (or a shorter [retention] period) changes nothing until a
reader vouches again. A conversation's own `date` needs no vouch: it is sealed, and its envelope is signed.
Without approvals there is nobody to vouch, and dates decide alone, as before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from redflag_coord.crypt import trust as sig
from redflag_coord.org import trustcheck
from redflag_coord.org.retention import EXPIRES, VOUCHED, Expiry
from redflag_coord.org.secrets import file_kind

Status = Literal["unneeded", "vouched", "later", "earlier", "unvouched"]
DATE_KEYS = (EXPIRES, "left")  # public dates that need a vouch (a conversation's `date` is sealed and signed)


@dataclass(frozen=True)
class Judged:
    """An expiry and whether its date may remove: `vouched` is the verified "not before" day."""

    expiry: Expiry
    status: Status
    vouched: dt.date | None = None
    why: str = ""  # why the date removes nothing (or only from the vouched day): said by validate and forget

    @property
    def removable_on(self) -> dt.date | None:
        """The first day `secrets forget --expired` removes the values; None: never, until a reader vouches."""
        if self.status == "unneeded":
            return self.expiry.on
        return None if self.vouched is None else max(self.vouched, self.expiry.on)

    def removable(self, today: dt.date) -> bool:
        on = self.removable_on
        return on is not None and today >= on

    @property
    def warns(self) -> bool:
        """A date that removes nothing, or removes later than it says: `retention-unvouched`."""
        return self.status in ("unvouched", "earlier")

    def effective(self) -> Expiry:
        """The expiry as forget acts on it: from the vouched day where the date was made earlier than it."""
        if self.status != "earlier" or self.vouched is None:
            return self.expiry
        return replace(self.expiry, on=self.vouched, reason=f"{self.expiry.reason}, vouched from {self.vouched}")


def slug_of(rel: str) -> str:
    return rel.split("/")[1]


def date_key(e: Expiry) -> str:
    return str(e.source[-1])


def vouched_key(e: Expiry) -> tuple[str | int, ...]:
    return (*e.source[:-1], date_key(e) + VOUCHED)


def place_of(e: Expiry) -> str:
    """Where the deciding date belongs (trustcheck.place of its key); TrustError for a relationship without an id."""
    return trustcheck.place(slug_of(e.file), file_kind(e.file), e.source, e.owner)


class Vouching:
    """Judges expiries against the approvals of their collectives (read once per command)."""

    def __init__(self, root: Path, trust: trustcheck.Trust | None = None) -> None:
        self.root = root
        self.trust = trust if trust is not None else trustcheck.load(root)
        self._needed: dict[str, bool] = {}

    def needed(self, slug: str) -> bool:
        """The collective has readers (or had: a chain deleted or broken still needs them) who must vouch."""
        if slug not in self._needed:
            t = self.trust
            has = slug in t.chains or slug in t.broken or bool(trustcheck.listed(self.root, slug).recipients)
            self._needed[slug] = t.on and has
        return self._needed[slug]

    def readers(self, slug: str) -> set[str]:
        last = self.trust.latest(slug)
        return last.approvers() if last is not None else set()

    def judge(self, e: Expiry) -> Judged:
        slug = slug_of(e.file)
        if date_key(e) not in DATE_KEYS or not self.needed(slug):
            return Judged(e, "unneeded")
        key = date_key(e)
        if e.vouch is None:
            return Judged(e, "unvouched", why=f"no reader of {slug!r} vouched for its {key}")
        v = sig.read_vouch(e.vouch)
        day = _day(v.day) if v is not None else None
        if v is None or day is None:
            return Judged(e, "unvouched", why=f"its {key}{VOUCHED} is not a vouch (the tool writes it)")
        try:
            here = place_of(e)
        except trustcheck.TrustError:
            return Judged(e, "unvouched", why="its relationship has no id: a reader runs 'secrets migrate' first")
        rest = here.partition("/")[2]
        if not any(v.verifies(f"{name}/{rest}") for name in trustcheck.names(self.trust, slug)):
            why = f"its vouch does not verify here (forged, edited, or copied from another table or {key})"
            return Judged(e, "unvouched", why=why)
        if v.signer not in self.readers(slug):
            why = (
                f"its vouch is signed by {v.signer}, not a reader in the last approval of {trustcheck.trust_rel(slug)}"
            )
            return Judged(e, "unvouched", why=why)
        if day > e.on:
            why = f"a reader vouched only from {day}: the earlier date removes nothing before that day"
            return Judged(e, "earlier", day, why)
        return Judged(e, "vouched" if day == e.on else "later", day)


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
