"""`minutes new`: the minutes file of a held meeting, from its agenda, in the convener's language.

Like `report new`: a commented template, data filled in (invited collectives, one note per item,
one status line per commitment open before the meeting), valid as it is, never overwriting.
"""

from __future__ import annotations

import datetime as dt
import json
import string
import unicodedata
from dataclasses import dataclass
from importlib import resources

from redflag_coord.i18n.labels import Labels, choose
from redflag_coord.minutes.build import MinutesError
from redflag_coord.org.clock import now_or_today as now_default
from redflag_coord.org.commitments import for_meeting, meeting_instant
from redflag_coord.org.lifecycle import to_approve
from redflag_coord.org.load import COLLECTIVES, Organisation, rel_path
from redflag_coord.org.model import Minutes
from redflag_coord.org.reportstate import PLACEHOLDER  # the one draft marker: "TODO"
from redflag_coord.org.rota import propose, role_key


@dataclass
class NewMinutes:
    rel: str
    text: str
    language: str
    open_commitments: int


def template_language(languages: list[str]) -> str:
    """The first of `languages` with a minutes template, by the one rule (`i18n.labels.choose`)."""
    folder = resources.files("redflag_coord.minutes") / "templates"
    return choose(languages, [p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")])


def one_line(text: str) -> str:
    """Data shown in a comment: one line, whatever it holds (a line break would end the comment)."""
    return " ".join("".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text).split())


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a TOML basic string is a JSON string for these texts


def new_minutes(org: Organisation, meeting_id: str, now: dt.datetime | None = None) -> NewMinutes:
    now = now or now_default()
    convener, meeting = org.meeting(meeting_id)
    rel = rel_path("minutes", convener, meeting_id)
    if meeting_id in org.collectives[convener].minutes or (org.root / rel).exists():
        raise MinutesError(f"{rel} exists already; edit it instead (nothing was changed)")
    if meeting_instant(meeting) > now:
        raise MinutesError(
            f"meeting {meeting_id!r} has not started yet ({meeting.start.isoformat(timespec='minutes')} "
            f"{meeting.timezone}); write its minutes once it is held"
        )
    lang = template_language([meeting.language, *org.languages_of(convener)])
    t = Labels(lang)  # the comments the template's blocks carry, in the template's language
    invited = list(dict.fromkeys([convener, *meeting.participants]))
    names = org.names()
    attendance = "\n".join(
        [
            "[attendance]",
            "present = [" + ", ".join(_string(s) for s in invited) + "]",
            "members = {}",
            "apologies = []",
        ]
    )
    items = "\n\n".join(
        f"[[item]]\n# {n}. {one_line(item.topic)}\nitem = {n}\nnote = {_string(PLACEHOLDER)}"
        for n, item in enumerate(meeting.items, start=1)
    )
    opened = for_meeting(org, meeting_id, now)
    updates = "\n\n".join(
        f"[[update]]\n# {one_line(names.get(s.owner, s.owner))}: {one_line(s.text)}"
        + (f" ({t('scaffold.due', date=s.due.isoformat())})" if s.due else "")
        + f'\ncommitment = {_string(s.id)}\nstatus = "open"\n# note = "..."'
        for s in opened
    )
    words = {
        "meeting_id": meeting_id,
        "meeting_date": meeting.start.date().isoformat(),
        "convener": one_line(names.get(convener, convener)),
        "attendance": attendance,
        "items": items or f"# {t('scaffold.no_items')}",
        "updates": updates or f"# {t('scaffold.none_open')}",
        "roles": _roles(org, convener, meeting_id, t),
    }
    template = (resources.files("redflag_coord.minutes") / "templates" / f"{lang}.toml").read_text(encoding="utf-8")
    import tomllib

    from redflag_coord.edit.fmt import format_text

    text = format_text(string.Template(template).safe_substitute(words), "minutes")

    Minutes.model_validate(tomllib.loads(text))  # the scaffold must always be valid minutes
    return NewMinutes(rel, text, lang, len(opened))


def _roles(org: Organisation, convener: str, meeting_id: str, t: Labels) -> str:
    """The status line, the rota's holders (org.rota) and the minutes this meeting is to approve (org.lifecycle).

    A holder that is a member is written as the key's value; a collective is named in a comment, since the
    minutes record a member's handle."""
    lines = [f"# {t('roles.scaffold_status')}", 'status = "draft"']
    proposal = propose(org, meeting_id)
    if proposal.roles:
        lines.append(f"# {t('roles.scaffold_rota')}")
    others: list[str] = []
    for choice in proposal.roles:
        holder = choice.holder
        if holder is None:
            continue
        key = role_key(choice.role)
        if holder in org.collectives:
            lines.append(f"# {'.'.join(key)} = {_string(t.with_colon(one_line(org.name_of(holder))) + ' handle')}")
        elif len(key) == 1:
            lines.append(f"{key[0]} = {_string(holder)}")
        else:
            others.append(f"{json.dumps(choice.role)} = {_string(holder)}")
    if others:
        lines.append("roles = { " + ", ".join(others) + " }")
    approve = to_approve(org, convener, meeting_id)
    if approve:
        lines.append(f"# {t('roles.scaffold_approve', meetings=', '.join(approve))}")
        lines.append("# approves = [" + ", ".join(_string(mid) for mid in approve) + "]")
    return "\n".join(lines)


def same_collectives(org: Organisation) -> None:
    """Under the write lock: the collectives are those the minutes were made from (no rename meanwhile)."""
    from redflag_coord.repo.fsio import Changed

    base = org.root / COLLECTIVES
    now = {p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")}
    if now != set(org.collectives):
        gone = sorted(set(org.collectives) - now) or sorted(now - set(org.collectives))
        raise Changed(
            f"{COLLECTIVES}/{gone[0]} was renamed, added or removed meanwhile; "
            "nothing was written: run the command again"
        )
