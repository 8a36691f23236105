"""A fetched source's files checked as the committee's repository sees them: `validate`'s whole table of
checks (schema, published and report text, references, approvals) over the committee's organisation with
the candidate in place of the collective's last good files."""

from __future__ import annotations

from pathlib import Path

from redflag_coord.check.validate import validate_org
from redflag_coord.org.load import COLLECTIVES, load_organisation
from redflag_coord.org.problems import Problem


def problems_of(root: Path, slug: str, listed: set[str]) -> list[str]:
    """The errors `validate` finds in collectives/<slug>/ (the candidate, in place), as messages. (A reference
    to a collective this repository does not hold is checked where both are: check.validate.)"""
    return problems_by_source(root, {slug}, listed)[slug]


def problems_by_source(root: Path, slugs: set[str], listed: set[str]) -> dict[str, list[str]]:
    """problems_of for many candidates at once: one load and one `validate` of the organisation, each
    error given to the source it belongs to (slug -> messages, empty when clean): in its folder, in its
    approvals (trust/<slug>.toml, sent with it or kept here), or a trust error naming it."""
    org = load_organisation(root)
    for slug in slugs:
        org.fetched.setdefault(slug, "candidate")  # its members stay in its own repository
    pending = listed - set(org.collectives)
    out: dict[str, list[str]] = {slug: [] for slug in slugs}
    for p in validate_org(org):
        if p.severity != "error" or p.code == "source-shadowed" or _pending(p.code, p.message, pending):
            continue
        for slug in _belongs_to(p, out):
            out[slug].append(f"{p.file}{f' ({p.key_path})' if p.key_path else ''}: {p.code}: {p.message}")
    return out


def _belongs_to(p: Problem, slugs: dict[str, list[str]]) -> list[str]:
    parts = p.file.split("/")
    if len(parts) >= 2 and parts[0] == COLLECTIVES and parts[1] in slugs:
        return [parts[1]]
    if len(parts) == 2 and parts[0] == "trust" and parts[1].removesuffix(".toml") in slugs:
        return [parts[1].removesuffix(".toml")]
    return [slug for slug in slugs if _its_trust(p.code, p.message, slug)]


def _pending(code: str, message: str, pending: set[str]) -> bool:
    return code in ("unknown-collective", "unresolved-ref") and any(f"collective {s!r}" in message for s in pending)


def _its_trust(code: str, message: str, slug: str) -> bool:
    """A trust error about this collective in another file: mail senders or `require` in organisation.toml that its
    approvals do not approve, or another collective's slug its approvals claim as a former name."""
    return code in ("trust-unapproved", "trust-chain") and (
        f"by {slug!r}" in message or f"collective {slug!r}" in message
    )
