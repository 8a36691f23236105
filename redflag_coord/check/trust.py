"""Who may read (issue 28), checked without a key: validate, CI and hooks.

The approval chains verify and extend every committed version of themselves; the lists in
collective.toml and organisation.toml equal the last approval; every sealed value has as many
recipient stanzas as the approved list. The facts (chains, lists, approvals) are org/trustcheck.py's.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from redflag_coord.crypt import trust as sig
from redflag_coord.org.problems import Problems
from redflag_coord.org.trustcheck import (
    Trust,
    TrustError,
    collective_rel,
    describe_change,
    listed,
    load,
    parse_chain,
    slugs_with_recipients,
    trust_rel,
)


def _committed(root: Path, rel: str) -> list[tuple[str, str]]:
    """(commit, text) of every committed version of `rel` reachable from HEAD, newest first."""
    from redflag_coord.repo.gitinfo import GitError, git

    try:
        commits = git(root, "log", "--format=%H", "--", rel).split()
    except GitError:
        return []
    out = []
    for c in commits:
        try:
            out.append((c, git(root, "show", f"{c}:./{rel}")))
        except GitError:
            continue  # the commit deleted it: the check below sees the deletion through the current file
    return out


def check_approvals(trust: Trust, out: Problems) -> None:
    """Every listed change approved by a current reader, every chain intact and extending its history."""
    root = trust.root
    slugs = set(slugs_with_recipients(root)) | set(trust.chains) | set(trust.broken)
    for slug in sorted(slugs):
        rel = trust_rel(slug)
        if slug in trust.broken:
            out.add(
                rel, "trust-chain", f"{trust.broken[slug]}: nothing of {slug!r} can be trusted until it is restored"
            )
            continue
        _check_history(trust, slug, out)
        _check_listed(trust, slug, out)


def _check_history(trust: Trust, slug: str, out: Problems) -> None:
    rel = trust_rel(slug)
    current = [a.digest(slug) for a in trust.chains.get(slug, [])]
    for commit, text in _committed(trust.root, rel):
        try:
            old = [a.digest(slug) for a in parse_chain(text)]
        except TrustError:
            continue  # a broken version was flagged when it was committed
        if current[: len(old)] != old:
            out.add(
                rel,
                "trust-chain",
                f"the approvals were rewritten or rolled back: they no longer extend the version of commit "
                f"{commit[:12]}; restore it (git checkout {commit[:12]} -- {rel}) and approve on top of it",
            )
            return


def _check_listed(trust: Trust, slug: str, out: Problems) -> None:
    now = listed(trust.root, slug)
    last = trust.latest(slug)
    severity = "error" if trust.on else "warning"
    if last is None:
        if now.recipients:
            out.add(
                collective_rel(slug),
                "trust-unapproved",
                "its recipients are approved by no reader yet: a reader runs 'redflag-coord secrets migrate' "
                f"(or 'secrets approve {slug}') with their identity",
                key=("recipients",),
                severity=severity,  # type: ignore[arg-type]
            )
        return
    for problem in describe_change(slug, last, now):
        out.add(*problem, severity=severity)  # type: ignore[arg-type]


def check_stanzas(trust: Trust, sealed: Iterable[tuple[str, str, tuple, bool, str]], out: Problems) -> None:
    """Values sealed to more or fewer recipients than the approved list (file, slug, key, contact, value)."""
    counts: dict[tuple[str, bool], int] = {}  # read each collective's lists once, not once per value
    for rel, slug, key, contact, value in sealed:
        if (slug, contact) not in counts:
            last = trust.latest(slug)  # before approvals (not migrated) the lists are not yet trusted: no count
            counts[(slug, contact)] = len(last.seal_to(contact)) if last is not None else 0
        expected = counts[(slug, contact)]
        got = sig.stanzas(value)
        if got is not None and expected and got != expected:
            out.add(
                rel,
                "sealed-recipients",
                f"sealed to {got} recipient(s) but {expected} are approved for it: it was sealed before a "
                f"recipient was added or removed; run 'redflag-coord secrets reencrypt {slug}'",
                key=key,
            )


def require_approved(root: Path | str) -> None:
    """Before mail goes out: TrustError naming the first recipient, mail sender or chain nobody approved."""
    found = Problems()
    check_approvals(load(root), found)
    errors = [p for p in found if p.severity == "error"]
    if errors:
        first = errors[0]
        raise TrustError(
            f"{first.file}: {first.message}; nothing is mailed while who reads is not approved "
            f"({len(errors)} problem(s): see 'redflag-coord validate')"
        )
