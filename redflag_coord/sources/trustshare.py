"""A source's own approvals of who reads it (trust/<slug>.toml), received with its collective.toml.

The file lies outside the collective's folder: it is the only one a source may send there, and only its
own slug's (any other trust file is a path outside the shared set: fetch._paths). It is held to the rules
a change made here would meet (org/trustcheck.py, check/trust.py): the chain verifies (each approval
signed by a reader of the one before), it extends the chain this repository holds (never rolled back,
rewritten or restarted from a new first approval), it claims no other collective's slug as a former name,
and, with it in place, `validate` finds no trust error for the collective (its recipients equal the last
approval; every committed version of the file here is a prefix of it). So a source that adds its own key
to who reads it, without a reader's signature, is refused and the approvals here stay as they were.

Accepted, it is written as an ordinary file of this repository (not read-only, not excluded): commit it
with sources.lock, so its history here anchors the chain for every clone.
"""

from __future__ import annotations

import os
from pathlib import Path

from redflag_coord.org.trustcheck import (
    TrustError,
    collective_rel,
    parse_chain,
    trust_rel,
    verify_chain,
)
from redflag_coord.repo import fsio


def refusal(root: Path, slug: str, data: bytes) -> str | None:
    """Why the approvals a source sent are not accepted here (None: they may be put in place and validated)."""
    rel = trust_rel(slug)
    try:
        chain = parse_chain(data.decode("utf-8"), slug)
    except (UnicodeDecodeError, TrustError) as e:
        return f"{rel} sent by {slug!r}: {e}; nothing of it was kept"
    why = verify_chain(slug, chain)
    if why:
        return f"{rel} sent by {slug!r} does not hold: {why}; only a reader of {slug!r} approves who reads it"
    here = root / rel
    if here.is_file():
        try:
            held = parse_chain(here.read_text(encoding="utf-8"), slug)
        except (OSError, UnicodeDecodeError, TrustError):
            held = None  # a broken file here: validate's history check (with the candidate in place) judges it
        if held is not None and [a.digest(slug) for a in chain[: len(held)]] != [a.digest(slug) for a in held]:
            return (
                f"{rel} sent by {slug!r} does not extend the {len(held)} approval(s) this repository holds (a chain "
                "rolled back, rewritten or restarted from a new first approval): only a reader of "
                f"{slug!r} approves who reads it; ask the collective, and keep {rel} as it is"
            )
    for was in sorted({a.collective for a in chain if a.collective} - {slug}):
        if (root / trust_rel(was)).exists() or (root / collective_rel(was)).exists():
            return (
                f"{rel} sent by {slug!r} names {was!r}, another collective here, as a former name of {slug!r}: "
                "values sealed for one could pass as the other's; nothing of it was kept"
            )
    return None


class Staged:
    """The approvals a source sent, in place while `validate` checks them with its files; `undo` puts back
    what was here (nothing: the file is gone again)."""

    def __init__(self, root: Path, slug: str, data: bytes | None) -> None:
        self.path = root / trust_rel(slug)
        self.old = self.path.read_bytes() if self.path.is_file() else None
        self.new = data if data is not None and data != self.old else None
        if self.new is not None:
            self.path.parent.mkdir(exist_ok=True)
            fsio.write_if_unchanged(self.path, self.old, self.new)

    def undo(self) -> None:
        if self.new is None:
            return
        if self.old is not None:
            fsio.write_if_unchanged(self.path, self.new, self.old)
        elif self.path.read_bytes() == self.new:
            os.unlink(self.path)
