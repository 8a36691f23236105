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
    TRUST_DIR,
    Approval,
    Listed,
    Trust,
    TrustError,
    collective_rel,
    describe_change,
    listed,
    load,
    names,
    parse_chain,
    slugs_with_recipients,
    sources_change,
    sources_owners,
    trust_rel,
)


def _committed(root: Path) -> list[tuple[str, str, str]]:
    """(commit, path, text) of every committed version of every trust file reachable from HEAD, newest first."""
    from redflag_coord.repo.gitinfo import GitError, blobs, git

    try:
        log = git(root, "log", "--format=@%H", "--name-only", "--", f"{TRUST_DIR}/")
    except GitError:
        return []
    wanted, commit = [], ""
    for line in log.splitlines():
        if line.startswith("@"):
            commit = line[1:]
        elif line.endswith(".toml") and line.count("/") == 1:
            wanted.append((commit, line))
    try:  # every version in one `git cat-file` process, not one `git show` each (issue 35)
        found = blobs(root, [f"{commit}:./{line}" for commit, line in wanted])
    except GitError:
        return []
    # a version the commit deleted is absent: whether a chain still extends it is checked on its other versions
    names = ((commit, line, f"{commit}:./{line}") for commit, line in wanted)
    return [(commit, line, found[name].decode("utf-8", "replace")) for commit, line, name in names if name in found]


def check_approvals(trust: Trust, out: Problems) -> None:
    """Every listed change approved by a current reader, every chain intact and extending its history."""
    root = trust.root
    slugs = set(slugs_with_recipients(root)) | set(trust.chains) | set(trust.broken) | sources_owners(root)
    for slug in sorted(slugs):
        rel = trust_rel(slug)
        if slug in trust.broken:
            out.add(
                rel, "trust-chain", f"{trust.broken[slug]}: nothing of {slug!r} can be trusted until it is restored"
            )
            continue
        _check_listed(trust, slug, out)
    _check_history(trust, out)
    _check_names(trust, out)


def _check_history(trust: Trust, out: Problems) -> None:
    """Every committed version of every chain is the start of a current chain: followed through renames
    (the chain, not the file path), so a trust file deleted, rolled back or restarted is an error."""
    current = {slug: [a.digest(slug) for a in chain] for slug, chain in trust.chains.items()}
    seen: set[str] = set()
    for commit, rel, text in _committed(trust.root):
        stem = rel.split("/", 1)[1].removesuffix(".toml")
        if rel in seen or stem in trust.broken:
            continue
        try:
            old = [a.digest(stem) for a in parse_chain(text, stem)]
        except TrustError:
            continue  # a broken version was flagged when it was committed
        if not old or any(now[: len(old)] == old for now in current.values()):
            continue
        seen.add(rel)
        gone = stem not in current
        out.add(
            rel,
            "trust-chain",
            (
                "this approval chain was deleted or moved without a signed rename"
                if gone
                else "the approvals were rewritten, rolled back or restarted"
            )
            + f": no current chain extends its version of commit {commit[:12]}; restore it "
            f"(git checkout {commit[:12]} -- {rel}) and approve on top of it",
        )


def _check_names(trust: Trust, out: Problems) -> None:
    """A slug a collective was renamed from is nobody else's: its values would pass as the other's."""
    for slug in trust.chains:
        for was in sorted(names(trust, slug) - {slug}):
            if was in trust.chains or (trust.root / collective_rel(was)).exists():
                out.add(
                    trust_rel(was) if was in trust.chains else collective_rel(was),
                    "trust-chain",
                    f"{was!r} is a former name of collective {slug!r} ({trust_rel(slug)}): values sealed for one "
                    f"could pass as the other's; rename this collective ('redflag-coord rename collective {was} …')",
                )


def _check_listed(trust: Trust, slug: str, out: Problems) -> None:
    now = listed(trust.root, slug)
    last = trust.latest(slug)
    severity = "error" if trust.on else "warning"
    _check_sources(slug, last, now, out)
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


def _check_sources(slug: str, last: Approval | None, now: Listed, out: Problems) -> None:
    from redflag_coord.repo.sourcestore import CONFIG

    found = sources_change(slug, last, now)
    if found:
        out.add(CONFIG, "trust-unapproved", found[1], severity=found[0])  # type: ignore[arg-type]


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
