"""`roles next MEETING`: the proposal of org.rota for one meeting, refused when the body keeps no rota."""

from __future__ import annotations

from redflag_coord.errors import RedflagError
from redflag_coord.org.load import Organisation, rel_path
from redflag_coord.org.rota import Proposal, in_force, propose


class NoRota(RedflagError):
    """The convening body has no roles.toml (or it did not load)."""


def next_roles(org: Organisation, meeting_id: str, allow_repeat: bool = False) -> Proposal:
    body, _ = org.meeting(meeting_id)
    if org.collectives[body].roles is None:
        raise NoRota(
            f"{rel_path('roles', body)}: {org.name_of(body)} keeps no roles rota; write one with a [[role]] "
            "(name, pool) per role (see docs/formats.md, roles)"
        )
    if not in_force(org, body, meeting_id):
        raise NoRota(
            f"{rel_path('roles', body)}: the rota starts at meeting {org.collectives[body].roles.since!r} "  # type: ignore[union-attr]
            f"(its 'since'), after {meeting_id!r}; ask for a later meeting"
        )
    return propose(org, meeting_id, allow_repeat)
