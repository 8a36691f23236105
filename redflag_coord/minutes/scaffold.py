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

from redflag_coord.minutes.build import MinutesError, names_of
from redflag_coord.org.commitments import for_meeting, meeting_instant, now_default
from redflag_coord.org.load import Organisation, rel_path
from redflag_coord.org.model import Minutes

PLACEHOLDER = "TODO"


@dataclass
class NewMinutes:
    rel: str
    text: str
    language: str
    open_commitments: int


def template_language(languages: list[str]) -> str:
    folder = resources.files("redflag_coord.minutes") / "templates"
    for code in languages:
        base = code.split("-")[0].lower()
        if (folder / f"{base}.toml").is_file():
            return base
    return "en"


def one_line(text: str) -> str:
    """Data shown in a comment: one line, whatever it holds (a line break would end the comment)."""
    return " ".join("".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text).split())


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a TOML basic string is a JSON string for these texts


def new_minutes(org: Organisation, meeting_id: str, now: dt.datetime | None = None) -> NewMinutes:
    now = now or now_default()
    found = org.find_meeting(meeting_id)
    if found is None:
        raise MinutesError(f"no meeting {meeting_id!r}; known meetings: {', '.join(sorted(org.meetings())) or 'none'}")
    convener, meeting = found
    rel = rel_path("minutes", convener, meeting_id)
    if meeting_id in org.collectives[convener].minutes or (org.root / rel).exists():
        raise MinutesError(f"{rel} exists already; edit it instead (nothing was changed)")
    if meeting_instant(meeting) > now:
        raise MinutesError(
            f"meeting {meeting_id!r} has not started yet ({meeting.start.isoformat(timespec='minutes')} "
            f"{meeting.timezone}); write its minutes once it is held"
        )
    c = org.collectives[convener]
    lang = template_language([meeting.language, *(c.info.languages if c.info else [])])
    invited = list(dict.fromkeys([convener, *meeting.participants]))
    names = names_of(org)
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
        + (f" (due {s.due.isoformat()})" if s.due else "")
        + f'\ncommitment = {_string(s.id)}\nstatus = "open"\n# note = "..."'
        for s in opened
    )
    words = {
        "meeting_id": meeting_id,
        "meeting_date": meeting.start.date().isoformat(),
        "convener": one_line(names.get(convener, convener)),
        "attendance": attendance,
        "items": items or "# (the meeting has no items)",
        "updates": updates or "# (none open)",
    }
    template = (resources.files("redflag_coord.minutes") / "templates" / f"{lang}.toml").read_text(encoding="utf-8")
    import tomllib

    from redflag_coord.edit.fmt import format_text

    text = format_text(string.Template(template).safe_substitute(words), "minutes")

    Minutes.model_validate(tomllib.loads(text))  # the scaffold must always be valid minutes
    return NewMinutes(rel, text, lang, len(opened))
