"""The roles rota checked: roles.toml names known holders, meetings and roles, and the minutes name the
holder the rota proposed (or one a recorded swap names). The rule itself is org.rota's."""

from __future__ import annotations

from redflag_coord.org.load import COLLECTIVES, CollectiveData, Organisation, rel_path
from redflag_coord.org.model import RolesFile
from redflag_coord.org.problems import Problems
from redflag_coord.org.rota import body_meetings, holds, in_force, owners, propose, role_key, swapped


def check_roles_file(
    org: Organisation, c: CollectiveData, rota: RolesFile, out: Problems, people: bool = True, meetings_ok: bool = True
) -> None:
    """Pool entries are collectives or members; swaps and skips name the body's meetings and its roles."""
    rel = rel_path("roles", c.slug)
    owner = owners(org)
    known = set(org.collectives) | set(owner)
    if not people:  # a members.toml did not load: its handles are unknown, not wrong
        known = _Everything()
    meetings = {mid for _, mid in body_meetings(org, c.slug)}
    names: set[str] = set()
    for i, role in enumerate(rota.roles):
        if role.name in names:
            out.add(rel, "duplicate-role", f"role {role.name!r} is listed twice; keep one [[role]] for it", ("role", i))
        names.add(role.name)
        for j, who in enumerate(role.pool):
            if who not in known:
                out.add(
                    rel,
                    "unresolved-ref",
                    f"{who!r} in the pool of {role.name!r} is neither a collective nor a member's handle",
                    ("role", i, "pool", j),
                )
    if not meetings_ok:  # a meeting file did not load: any meeting id may be its
        meetings = _Everything()
    if rota.since is not None and rota.since not in meetings:
        out.add(rel, "unresolved-ref", f"'since' names {rota.since!r}, not a meeting of {c.slug!r}", ("since",))
    entries: list[tuple[str, int, str, str | None, dict[str, str]]] = [
        ("swap", i, w.meeting, w.role, {"from": w.from_, "to": w.to}) for i, w in enumerate(rota.swaps)
    ]
    entries += [("skip", i, k.meeting, None, {"holder": k.holder}) for i, k in enumerate(rota.skips)]
    for kind, i, meeting, role_name, holders in entries:
        if meeting not in meetings:
            out.add(rel, "unresolved-ref", f"[[{kind}]] names {meeting!r}, not a meeting of {c.slug!r}", (kind, i))
        if role_name is not None and role_name not in names:
            out.add(rel, "unresolved-ref", f"[[swap]] names role {role_name!r}, not a [[role]] of this file", (kind, i))
        for key, who in holders.items():
            if who not in known:
                out.add(rel, "unresolved-ref", f"{who!r} is neither a collective nor a member's handle", (kind, i, key))


class _Everything(set):
    """Holds every value: what a file that did not load might have named."""

    def __contains__(self, _: object) -> bool:
        return True


def check_holders(org: Organisation, c: CollectiveData, rota: RolesFile, out: Problems) -> None:
    """A warning where the minutes name someone else than the rota's holder and no [[swap]] records it."""
    owner = owners(org)
    for _, mid in body_meetings(org, c.slug):
        minutes = c.minutes.get(mid)
        if minutes is None or not in_force(org, c.slug, mid):
            continue
        for choice in propose(org, mid).roles:
            who = choice.recorded
            if who is None or holds(choice.holder, who, owner) or swapped(rota, mid, choice.role, who, owner):
                continue
            out.add(
                rel_path("minutes", c.slug, mid),
                "role-holder",
                f"the {choice.role} is {who!r}, but the rota ({rel_path('roles', c.slug)}) proposed "
                f"{choice.holder or 'nobody'!r} and no [[swap]] records the change: add one there (meeting = "
                f"{mid!r}, role = {choice.role!r}, from = {choice.holder or ''!r}, to = {who!r}) or correct "
                "the minutes",
                role_key(choice.role),
                severity="warning",
            )


def check_rota(org: Organisation, out: Problems) -> None:
    """Each body's rota; a file that did not load is not judged through (its problem is named already):
    no reference into a broken meeting or members file, no holder check while turns cannot be counted."""
    people = not any(f.endswith(("/members.toml", "/collective.toml")) for f in org.failed)
    for c in org.collectives.values():
        if c.roles is None:
            continue
        meetings = not any(f.startswith(f"{COLLECTIVES}/{c.slug}/meetings/") for f in org.failed)
        check_roles_file(org, c, c.roles, out, people, meetings)
        minutes = not any(f.startswith(f"{COLLECTIVES}/{c.slug}/minutes/") for f in org.failed)
        if people and meetings and minutes:
            check_holders(org, c, c.roles, out)
