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
    return problems_by_source(root, {slug}, listed)[slug]


def problems_by_source(root: Path, slugs: set[str], listed: set[str]) -> dict[str, list[str]]:
    """problems_of for many candidates at once: one load and one `validate` of the organisation, each
    error given to the source whose folder holds it (slug -> messages, empty when clean)."""
    org = load_organisation(root)
    for slug in slugs:
        org.fetched.setdefault(slug, "candidate")  # its members stay in its own repository
    pending = listed - set(org.collectives)
    out: dict[str, list[str]] = {slug: [] for slug in slugs}
    for p in validate_org(org):
        parts = p.file.split("/")
        if len(parts) < 2 or parts[0] != COLLECTIVES or parts[1] not in out:
            continue
        if p.severity == "error" and p.code != "source-shadowed" and not _pending(p.code, p.message, pending):
            out[parts[1]].append(f"{p.file}{f' ({p.key_path})' if p.key_path else ''}: {p.code}: {p.message}")
    return out


def _pending(code: str, message: str, pending: set[str]) -> bool:
    return code in ("unknown-collective", "unresolved-ref") and any(f"collective {s!r}" in message for s in pending)
