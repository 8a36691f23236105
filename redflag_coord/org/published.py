"""Which fields each output shows: one table, read by the private-text check and by docs/privacy.md.

A field is written `kind.path`, in the TOML spelling: `meeting.item[].notes` is every `notes` of every
`[[item]]` of a meeting file; `meeting.(id)` is the file name, which becomes the meeting's id (in a
calendar UID and in the published site's URLs). tests/test_published.py plants a marker in every text
field and checks that each output shows only the fields listed for it; the private-text check reads
every field listed as published (PUBLISHED) and, as an error, every one of CHECKED_ALSO.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

ID = "(id)"  # the file name of a meeting, report or minutes (the meeting id)


@dataclass(frozen=True)
class Output:
    name: str  # what the reader sees it as
    commands: str  # the commands that write it
    fields: tuple[str, ...]  # text fields it may show by default
    asked: tuple[str, ...] = ()  # and those shown only when asked (an option)
    option: str = ""


_MEETING = (
    "meeting.(id)",
    "meeting.title",
    "meeting.description",
    "meeting.location",
    "meeting.url",
    "meeting.item[].topic",
    "meeting.item[].notes",
)
_REPORT = (
    "report.summary",
    "report.article[].title",
    "report.article[].topic",
    "report.request[].text",
)
_SITE = "report.red_flag.distribution[].site"  # private: where members hand out the paper (sealed)
_MINUTES = (
    "minutes.item[].note",
    "minutes.decision[].text",
    "minutes.commitment[].text",
    "minutes.commitment[].note",
    "minutes.update[].note",
    "report.answer[].note",
    "minutes.decision[].stance[].reason",
)
_MOTION = ("motion.(id)", "motion.title", "motion.text", "motion.amendment[].text")
_NAMES = ("collective.name", "members.member[].handle")
_ARTICLE = ("article.title",)  # a translation owed is a commitment named by its article's title
_CONTACT = ("members.member[].email", "members.member[].phone")
_RELATIONSHIP = (
    "relationships.relationship[].pseudonym",
    "relationships.relationship[].workplace",
    "relationships.relationship[].notes",
)

OUTPUTS: tuple[Output, ...] = (
    Output(
        "agenda (text, Markdown, HTML, JSON)",
        "`agenda`, `publish`",
        (*_NAMES, *_MEETING, *_REPORT, *_ARTICLE, "minutes.decision[].text"),
        (*_CONTACT, _SITE),
        "`agenda --include-private` (the filer's contact; each distribution site the identity opens)",
    ),
    Output(
        "invitation and calendar feed (iCalendar)",
        "`invite`, `calendar`, `calendar --caldav`, `publish`",
        ("collective.name", *_MEETING),
        ("members.member[].email",),
        "`invite --attendees` (opted-in members)",
    ),
    Output(
        "minutes and commitments (HTML, Markdown, JSON, iCalendar)",
        "`minutes`, `commitments`",
        (
            *_NAMES,
            "meeting.(id)",
            "meeting.title",
            "meeting.item[].topic",
            "report.request[].text",
            *_MINUTES,
            *_ARTICLE,
        ),
    ),
    Output(
        "minutes on the published site (collectives present, decisions, commitments by collective)",
        "`publish`",
        (
            "collective.name",
            "meeting.(id)",
            "meeting.title",
            "meeting.item[].topic",
            "report.request[].text",
            *_MINUTES,
        ),
        ("members.member[].handle",),
        "`[publish] members = true` in organisation.toml",
    ),
    Output(
        "published site (index and URLs)",
        "`publish`",
        ("collective.name", "meeting.(id)", "meeting.title"),
    ),
    Output(
        "network (text, JSON, HTML)",
        "`network`",
        _NAMES,
        (*_RELATIONSHIP, _SITE),
        "`network COLLECTIVE --include-private`",
    ),
    Output("edition table (text, Markdown, HTML, JSON)", "`articles status`", ("collective.name", *_ARTICLE)),
    Output(
        "decisions and votes (text, JSON, CSV; HTML on the published site)",
        "`decisions`, `publish`",
        (
            "collective.name",
            "meeting.(id)",
            "meeting.title",
            "minutes.decision[].text",
            "minutes.decision[].stance[].reason",
            *_MOTION,
        ),
    ),
    Output("summary", "`summary`", ("collective.name", "meeting.(id)", "meeting.title", "members.member[].handle")),
    Output(
        "reminders (mail)",
        "`report remind`",
        ("collective.name", "meeting.(id)", "meeting.title", "members.member[].handle"),
        _CONTACT[:1],
        "`report remind --include-private`, `--send` (each member's own)",
    ),
    Output(
        "a comrade's follow-ups (iCalendar tasks)",
        "`calendar --for HANDLE` only (no site, no shared feed)",
        ("members.member[].handle",),
        (
            "relationships.relationship[].pseudonym",
            "relationships.relationship[].next_step",
            "relationships.relationship[].next_due",
        ),
        "written only with an identity that opens them: the comrade's own feed, nothing without it",
    ),
)

# Plain text that no output shows yet but that is as public as the rest (a role next to a handle, a
# collective's self-description): the private-text check treats it as published.
CHECKED_ALSO: tuple[str, ...] = ("members.member[].role", "collective.description", "article.topic")
# Names the organisation publishes on purpose: handles and collective names are never private text.
NAMES = frozenset(_NAMES)


def published_fields() -> tuple[str, ...]:
    """Every text field an output shows by default, then CHECKED_ALSO, each once (private ones never)."""
    seen = dict.fromkeys(f for o in OUTPUTS for f in o.fields if f not in NAMES)
    return (*seen, *(f for f in CHECKED_ALSO if f not in seen))


def values(model: BaseModel, path: str, key: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """The (key, text) pairs a field path names in one loaded file (`item[].notes` -> each item's notes)."""
    head, _, rest = path.partition(".")
    many = head.endswith("[]")
    name = head.removesuffix("[]")
    value = getattr(model, _attribute(type(model), name), None)
    if value is None:
        return
    for sub_key, item in (((*key, name, i), v) for i, v in enumerate(value)) if many else [((*key, name), value)]:
        if rest:
            yield from values(item, rest, sub_key)
        elif isinstance(item, str):
            yield sub_key, item


def _attribute(cls: type[BaseModel], toml_name: str) -> str:
    for attr, field in cls.model_fields.items():
        if (field.alias or attr) == toml_name:
            return attr
    raise KeyError(f"{cls.__name__} has no field {toml_name!r}")  # a typo in the table above: a bug


def split(field: str) -> tuple[str, str]:
    """'meeting.item[].notes' -> ('meeting', 'item[].notes')."""
    kind, _, path = field.partition(".")
    return kind, path


def fields_of(kind: str) -> list[str]:
    """The published paths of one kind of file."""
    return [path for k, path in map(split, published_fields()) if k == kind]


def texts_of(kind: str, model: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every published text of one loaded file of `kind` (not the id: the caller knows the file name)."""
    for path in fields_of(kind):
        if path != ID:
            yield from values(model, path)


def private_fields() -> list[str]:
    """Every field marked private in the models (x-private), as `kind.path`."""
    from redflag_coord.org.model import FILE_MODELS

    return [f"{kind}.{path}" for kind, model in FILE_MODELS.items() for path in _private_paths(model)]


def _private_paths(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    from redflag_coord.org.model import submodel

    for name, field in model.model_fields.items():
        toml = field.alias or name
        extra = field.json_schema_extra
        if isinstance(extra, dict) and extra.get("x-private"):
            yield prefix + toml
        sub = submodel(field.annotation)
        if sub is not None:
            many = "[]" if "list" in str(field.annotation) else ""
            yield from _private_paths(sub, f"{prefix}{toml}{many}.")


# -- docs/privacy.md --------------------------------------------------------------------------------

BEGIN = "<!-- generated from redflag_coord/org/published.py: python docs/generate.py -->"
END = "<!-- end of generated table -->"


def _field(f: str) -> str:
    return f"`{f}`"


def privacy_table() -> str:
    """The outputs and the fields each may show, then what the private-text check reads (docs/privacy.md)."""
    lines = [
        BEGIN,
        "",
        "| output | written by | text it may show | only when asked |",
        "| --- | --- | --- | --- |",
    ]
    for o in OUTPUTS:
        asked = f"{o.option}: {', '.join(map(_field, o.asked))}" if o.asked else "—"
        lines.append(f"| {o.name} | {o.commands} | {', '.join(map(_field, o.fields))} | {asked} |")
    lines += [
        "",
        "The private-text check (`private-text`) reads, as an **error** (exit 1):",
        "",
        *(
            f"- {_field(f)}" + (" (no output shows it yet; as public as the rest)" if f in CHECKED_ALSO else "")
            for f in published_fields()
        ),
        "- the message and author name of each commit not yet on the base branch (`validate`, "
        "`validate --changed`) and of the commit being made (`validate --commit-msg`, the `commit-msg` hook)",
        "- every line of each article's text and of its translations (the Markdown files beside the article: what",
        "  Red Flag prints), named by file and line",
        "",
        "and, as a **warning**, the comments of every `members.toml` and `relationships.toml`. Handles and",
        "collective names are published on purpose and never private text.",
        "",
        f"The private fields (marked `x-private` in the schemas): {', '.join(map(_field, private_fields()))};",
        "`validate` fails (`export-private`) on an `*.html`, `*.ics` or `*.json` file inside the repository",
        "that holds one, except the private dates (a due day, a conversation's date) and a conversation's kind:",
        "every agenda holds dates and common words by chance, so that no output reads those fields is what the",
        "canary tests check instead.",
        "",
        END,
    ]
    return "\n".join(lines) + "\n"


def splice(page: str) -> str:
    """The page with its generated block replaced by `privacy_table()`."""
    start, end = page.index(BEGIN), page.index(END) + len(END) + 1
    return page[:start] + privacy_table() + page[end:]
