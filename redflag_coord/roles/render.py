"""`roles next` as text or JSON: each role's holder and why, then the others weighed.

The proposal comes from org.rota (the one rule); this module only puts it in words, in the language asked.
"""

from __future__ import annotations

import json
from typing import Any

from redflag_coord.i18n.labels import Labels
from redflag_coord.org.load import Organisation
from redflag_coord.org.rota import Candidate, Choice, Proposal, role_label


def holder_name(org: Organisation, holder: str) -> str:
    """A collective by its name, a member by its handle."""
    return org.name_of(holder) if holder in org.collectives else holder


def _why(org: Organisation, t: Labels, choice: Choice, k: Candidate) -> str:
    parts = [t.count("roles.turns", k.turns)]
    place = choice.places.get(k.holder)
    if place is not None and place.local is not None:
        parts.append(t("roles.local", time=t.time(place.local), day=t.weekday(place.local), zone=place.zone))
        parts.append(t("roles.good_hour" if place.acceptable else "roles.bad_hour"))
    else:
        parts.append(t("roles.unknown_hour"))
    if k.excluded == "repeat":
        parts.append(t("roles.repeat"))
    elif k.excluded == "skipped":
        reason = choice.skipped.get(k.holder)
        parts.append(t("roles.skipped_reason", reason=reason) if reason else t("roles.skipped"))
    elif k.busy:
        parts.append(t("roles.busy"))
    return "; ".join(parts)


def _holder_line(org: Organisation, t: Labels, choice: Choice) -> str:
    label = t.with_colon(role_label(t, choice.role))
    if choice.holder is None:
        return f"{label} {t('roles.nobody')}"
    chosen = next((k for k in choice.candidates if k.holder == choice.holder), None)
    why = _why(org, t, choice, chosen) if chosen is not None else ""
    line = f"{label} {holder_name(org, choice.holder)}" + (f" ({why})" if why else "")
    swap = choice.swap
    if swap is not None and swap.from_ == choice.proposed:
        line += "; " + t("roles.swap", from_=holder_name(org, swap.from_), to=holder_name(org, swap.to))
    elif swap is not None:
        line += "; " + t("roles.swap_unused", from_=holder_name(org, swap.from_), name=choice.proposed or "-")
    if choice.recorded is not None:
        line += "; " + t("roles.recorded", who=choice.recorded)
    return line


def render_text(p: Proposal, org: Organisation, lang: str = "en") -> str:
    t = Labels(lang)
    lines = [
        t("roles.heading", meeting=p.meeting_id),
        t("roles.body", name=org.name_of(p.body)),
        t("roles.starts", when=f"{t.date(p.start)} {t.time(p.start)}"),
    ]
    if p.allow_repeat:
        lines.append(t("roles.repeat_allowed"))
    for choice in p.roles:
        lines += ["", _holder_line(org, t, choice)]
        others = [k for k in choice.candidates if k.holder != choice.holder]
        if others:
            lines.append("  " + t.with_colon(t("roles.weighed")))
            lines += [f"  - {holder_name(org, k.holder)}: {_why(org, t, choice, k)}" for k in others]
    return "\n".join(lines) + "\n"


def as_dict(p: Proposal) -> dict[str, Any]:
    def candidate(choice: Choice, k: Candidate) -> dict[str, Any]:
        place = choice.places.get(k.holder)
        return {
            "holder": k.holder,
            "collective": place.collective if place else None,
            "turns": k.turns,
            "zone": place.zone if place else None,
            "local_start": place.local.isoformat() if place and place.local else None,
            "acceptable_hour": k.acceptable,
            "holds_another_role": k.busy,
            "excluded": k.excluded,
        }

    return {
        "meeting": p.meeting_id,
        "body": p.body,
        "start_utc": p.start.isoformat().replace("+00:00", "Z"),
        "allow_repeat": p.allow_repeat,
        "roles": [
            {
                "role": c.role,
                "holder": c.holder,
                "proposed": c.proposed,
                "swap": {"from": c.swap.from_, "to": c.swap.to} if c.swap is not None else None,
                "recorded": c.recorded,
                "candidates": [candidate(c, k) for k in c.candidates],
            }
            for c in p.roles
        ],
    }


def render_json(p: Proposal) -> str:
    return json.dumps(as_dict(p), ensure_ascii=False, indent=2) + "\n"
