"""A committee's repository with sources (issue 34, docs/sources.md): it receives only what collectives share.

sources.toml must read, list each collective once and never share a collective's members.toml or
relationships.toml; and no members.toml or relationships.toml may lie in the repository but the
repository's own (`_own`): a member list of another collective there would travel with every clone,
which is what the separate repositories are for.
"""

from __future__ import annotations

from redflag_coord.org.load import Organisation, rel_path
from redflag_coord.org.model import Kind
from redflag_coord.org.problems import Problems
from redflag_coord.org.sources import SourcesError, read_sources, share_problems
from redflag_coord.repo.sourcestore import CONFIG

PRIVATE_FILES = ("members", "relationships")


def check_sources(org: Organisation, out: Problems) -> None:
    try:
        sources = read_sources(org.root)
    except SourcesError as e:
        out.add(CONFIG, "bad-sources", f"{e}: fix it (docs/sources.md)")
        return
    if sources is None:
        return  # the single-repository layout: every collective keeps its files here
    for p in share_problems(sources):
        if p.code == "duplicate-source":
            out.add(CONFIG, "duplicate-source", p.message, key=p.key)
        elif p.code == "bad-sources":  # a signing key that verifies nothing (a fingerprint alone)
            out.add(CONFIG, "bad-sources", p.message, key=p.key)
        else:
            out.add(CONFIG, "private-share", p.message, key=p.key)
    own = _own(org)
    for c in org.collectives.values():
        for kind in PRIVATE_FILES:
            rel = rel_path(kind, c.slug)
            if c.slug not in own and (org.root / rel).is_file():
                out.add(
                    rel,
                    "private-elsewhere",
                    f"a committee's repository with sources ({CONFIG}) holds no collective's {kind}.toml but its "
                    f"own: keep {c.slug!r}'s in its own repository (docs/sources.md), remove it here and from the "
                    "history",
                )


def _own(org: Organisation) -> set[str]:
    """The repository's own collective: the committee (kind "committee") in a committee's repository, else
    the one collective kept here (a collective's repository that reads the committee's files as a source)."""
    local = [c for c in org.collectives.values() if c.slug not in org.fetched]
    committees = {c.slug for c in local if c.info is not None and c.info.kind == Kind.committee}
    return committees or ({local[0].slug} if len(local) == 1 else set())
