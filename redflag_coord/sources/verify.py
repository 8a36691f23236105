"""A fetched source's files checked as the committee's repository sees them: `validate`'s whole table of
checks (schema, published and report text, references, approvals) over the committee's organisation with
the candidate in place of the collective's last good files."""

from __future__ import annotations

from pathlib import Path

from redflag_coord.check.validate import validate_org
from redflag_coord.org.load import COLLECTIVES, load_organisation


def problems_of(root: Path, slug: str, listed: set[str]) -> list[str]:
    """The errors `validate` finds in collectives/<slug>/ (the candidate, in place), as messages. (A reference
    to a collective this repository does not hold is checked where both are: check.validate.)"""
    org = load_organisation(root, workers=1)
    mine = f"{COLLECTIVES}/{slug}"
    approvals = f"trust/{slug}.toml"  # its approvals of who reads it (sent with it, or kept here)
    org.fetched.setdefault(slug, "candidate")  # its members stay in its own repository
    pending = listed - set(org.collectives)
    return [
        f"{p.file}{f' ({p.key_path})' if p.key_path else ''}: {p.code}: {p.message}"
        for p in validate_org(org)
        if p.severity == "error"
        and (p.file in (mine, approvals) or p.file.startswith(mine + "/") or _its_trust(p.code, p.message, slug))
        and p.code != "source-shadowed"
        and not _pending(p.code, p.message, pending)
    ]


def _pending(code: str, message: str, pending: set[str]) -> bool:
    return code in ("unknown-collective", "unresolved-ref") and any(f"collective {s!r}" in message for s in pending)


def _its_trust(code: str, message: str, slug: str) -> bool:
    """A trust error about this collective in another file: mail senders or `require` in organisation.toml that its
    approvals do not approve, or another collective's slug its approvals claim as a former name."""
    return code in ("trust-unapproved", "trust-chain") and (
        f"by {slug!r}" in message or f"collective {slug!r}" in message
    )
