"""The data model: one pydantic model per kind of TOML file.

These models are the single description of the data. `validate` checks files
against them, the JSON Schemas are generated from them, and fields marked
private (`private_field`) never leave the tool unless the user asks.

No `from __future__ import annotations` here: pydantic would compile and evaluate every field's
annotation from its text when the classes are made, at each start of every command (about 4 ms).
"""

import datetime as dt
import re
import typing
import unicodedata
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
)
from pydantic import Strict as StrictMode
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from redflag_coord import crypt
from redflag_coord.org.glyphs import invisible_at
from redflag_coord.tz import span
from redflag_coord.tz.duration import parse_period
from redflag_coord.tz.recurrence import DAY_NAMES
from redflag_coord.tz.zones import check_zone_name

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
# Handles: letters of any script (lower-case where the script has case), digits, inner '.', '_', '-';
# NFC. The pattern is the coarse shape (the same in every regex engine and in the JSON Schema);
# _check_handle decides letter by letter with unicodedata.
HANDLE_PATTERN = r"^[^\s._-](?:[^\s]{0,38}[^\s._-])?$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$"

# Names Windows keeps for devices, in any case and with any extension ("CON", "nul.toml", "com1.txt"): a
# file or folder so named cannot be checked out there, so no slug (folder, meeting id) may be one.
WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
)


def windows_reserved(name: str) -> bool:
    """Whether Windows refuses a file or folder of this name (the part before the first dot decides)."""
    return name.split(".", 1)[0].rstrip(" ").lower() in WINDOWS_RESERVED


def slug_problem(value: str) -> str | None:
    """Why a slug (a collective's folder, a meeting id, a reference to either) is not acceptable, or None:
    the one decision validate (the Slug type, folder and file names) and every writer ask."""
    if not re.fullmatch(SLUG_PATTERN, value):
        return f"{value!r} is not a slug: use lower-case letters, digits and inner hyphens (e.g. 'el-salvador')"
    if windows_reserved(value):
        return f"{value!r} is a name Windows keeps for a device: a checkout on Windows breaks; choose another"
    return None


def _check_slug(value: str) -> str:
    if windows_reserved(value):  # the pattern is checked first (StringConstraints)
        raise PydanticCustomError("reserved_name", "{problem}", {"problem": slug_problem(value)})
    return value


Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN), AfterValidator(_check_slug)]
# A relationship's id: random, written by the tool (`secrets encrypt`/`migrate`), never a name. Its
# sealed values are bound to it, so deleting or reordering relationships moves none of them (issue 28).
# A letter first and a fixed length: never a list position, hard to mistake for a word.
RELATIONSHIP_ID_PATTERN = r"^[a-z][a-z2-7]{9}$"
RelationshipId = Annotated[str, StringConstraints(pattern=RELATIONSHIP_ID_PATTERN)]


def _new_list() -> list[Any]:
    """A list field's default. Not `list` itself: pydantic reads each factory's signature when it builds
    a model, and a builtin's is parsed from its text each time (28 fields: 15-30 ms at every start)."""
    return []


def _nfc(value: Any) -> Any:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def _handle_char(c: str, first: bool) -> bool:
    kind = unicodedata.category(c)
    if kind in ("Ll", "Lo", "Lm", "Nd"):
        return True
    return not first and (kind in ("Mn", "Mc") or c in "._-")  # marks (Devanagari vowel signs) after a letter


def handle_problem(value: str) -> str | None:
    """Why a handle is not acceptable, or None: the one decision of validate (the Handle type) and writers.
    An invisible character is never part of one: a handle of Hangul fillers (U+3164, a letter to
    Unicode) shows as blank, and one ending in a joiner looks like another member's."""
    value = _nfc(value)
    ok = (
        bool(re.fullmatch(HANDLE_PATTERN, value))
        and value == value.lower()
        and _handle_char(value[0], True)
        and value[-1] not in "._-"
        and all(_handle_char(c, False) for c in value[1:])
    )
    if not ok:
        return f"{value!a} is not a handle"
    if not value.isascii():
        at = invisible_at(value)
        if at is not None:
            return (
                f"{value!a} holds an invisible character (U+{ord(value[at]):04X}) at character {at + 1}: a handle "
                "must show every character it has, or it passes for another member's; remove it"
            )
    return None


def _check_handle(value: str) -> str:
    problem = handle_problem(value)
    if problem is None:
        return value
    if problem.endswith("is not a handle"):
        raise PydanticCustomError("string_pattern_mismatch", "not a handle", {"pattern": HANDLE_PATTERN})
    raise PydanticCustomError("invisible_handle", "{problem}", {"problem": problem})


# NFC first: a BeforeValidator placed after the pattern runs before it and keeps it in the JSON Schema
Handle = Annotated[str, StringConstraints(pattern=HANDLE_PATTERN), BeforeValidator(_nfc), AfterValidator(_check_handle)]
Language = Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]
ZoneName = Annotated[str, AfterValidator(check_zone_name)]


def _no_offset(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        raise PydanticCustomError(
            "offset_datetime",
            "write the local wall time without an offset (e.g. {example}) and name the zone in "
            "'timezone': an offset is wrong on the other side of a DST change",
            {"example": value.replace(tzinfo=None).isoformat()},
        )
    return value


LAX = StrictMode(False)  # enums: TOML gives their values as strings

LocalDateTime = Annotated[dt.datetime, AfterValidator(_no_offset), AfterValidator(span.check)]
# Every date of every file: in the one supported range (tz.span), so no later step overflows.
Date = Annotated[dt.date, AfterValidator(span.check)]


def _with_offset(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise PydanticCustomError(
            "instant_offset",
            "an instant carries its UTC offset (e.g. {example}Z): a wall time alone is a different instant in "
            "every zone",
            {"example": value.isoformat()},
        )
    return value


# One moment for everyone (a vote's opening and close): a date-time with its offset, written in UTC.
Instant = Annotated[dt.datetime, AfterValidator(_with_offset), AfterValidator(span.check)]


def _http_url(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise PydanticCustomError("url", "expected a web address starting with https://", {})
    return value


Url = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_http_url)]


SEALED_PREFIX = crypt.PREFIX  # an encrypted private value "age:…" (see crypt and org.secrets)
MAX_SEALED = 100_000


def _sealed_or_plain(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """An encrypted value ("age:…") is longer than its plain text may be: check only its form here."""
    if isinstance(value, str) and value.startswith(SEALED_PREFIX):
        if len(value) > MAX_SEALED:
            raise PydanticCustomError(
                "sealed_too_long", "encrypted value is over {limit} characters", {"limit": f"{MAX_SEALED:,}"}
            )
        return value
    return handler(value)


# Private text: plain (with the usual limits) or encrypted to the collective's recipients.
def _private_schema(max_length: int) -> WithJsonSchema:
    sealed = {"type": "string", "pattern": f"^{SEALED_PREFIX}[A-Za-z0-9+/]+=*$", "maxLength": MAX_SEALED}
    return WithJsonSchema({"anyOf": [{"type": "string", "minLength": 1, "maxLength": max_length}, sealed]})


PrivateShortText = Annotated[ShortText, WrapValidator(_sealed_or_plain), _private_schema(300)]
PrivateText = Annotated[Text, WrapValidator(_sealed_or_plain), _private_schema(20_000)]


def _date_or_sealed(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """A private date: a TOML date, its ISO text (how `secrets edit` shows an opened one), or sealed."""
    if isinstance(value, str) and value.startswith(SEALED_PREFIX):
        return _sealed_or_plain(value, handler)
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("date_type", "expected a date (YYYY-MM-DD) or an encrypted value", {}) from None
    return handler(value)


_SEALED_TEXT = {"type": "string", "pattern": f"^{SEALED_PREFIX}[A-Za-z0-9+/]+=*$", "maxLength": MAX_SEALED}
# A date that says when a member meets someone ("rosa, on the 12th"): private, sealed like the text.
PrivateDate = Annotated[
    Date,
    WrapValidator(_date_or_sealed),
    WithJsonSchema({"anyOf": [{"type": "string", "format": "date"}, _SEALED_TEXT]}),
]


def private_date(value: object) -> dt.date | None:
    """A private date as a date: None when absent or still sealed (not opened with this identity)."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and not value.startswith(SEALED_PREFIX):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


RECIPIENT_PATTERN = r"^(age1[02-9ac-hj-np-z]{58}|ssh-ed25519 [A-Za-z0-9+/]+={0,2}( [^\n]*)?)$"
RecipientKey = Annotated[str, StringConstraints(pattern=RECIPIENT_PATTERN, max_length=1000)]


def expires_field() -> Any:
    """`expires` of a table holding private values: from that day its private values are to be removed
    (`secrets forget --expired`). On the table rather than beside each value: one date per member, relationship,
    stage change or conversation note reads as one decision, and a value added later expires with the rest."""
    return Field(
        None,
        description="From this day its private values are expired: 'validate' warns before, 'secrets forget "
        "--expired' removes them (default: organisation.toml [retention])",
    )


VOUCH_PATTERN = r"^\d{4}-\d{2}-\d{2} ed25519:[A-Za-z0-9+/=]{1,100} [A-Za-z0-9+/=]{1,200}$"
VouchText = Annotated[str, StringConstraints(pattern=VOUCH_PATTERN, max_length=320)]


def vouched_field(date_key: str) -> Any:
    """`<date key>_vouched`: a reader's signature that the table's private values may go from a day (docs/privacy.md,
    Retention): without it, where the collective has readers, an unsigned date never removes sealed values."""
    return Field(
        None,
        description=f"'<day> <signing key> <signature>': a reader vouched that the day its '{date_key}' decides "
        "may remove its private values, not before ('redflag-coord secrets vouch'); written by the tool",
    )


def private_field(default: Any = None, **kwargs: Any) -> Any:
    """A field whose value is personal: kept out of every export unless asked for."""
    extra = kwargs.pop("json_schema_extra", {}) or {}
    return Field(default, json_schema_extra={**extra, "x-private": True}, **kwargs)


class FileModel(BaseModel):
    """Base for file models: strict types (TOML has real ones) and no unknown keys."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True, frozen=False, defer_build=True)


class Kind(str, Enum):
    committee = "committee"
    collective = "collective"
    contact = "contact"


class Stage(str, Enum):
    """The path a relationship can travel, in order."""

    contact = "contact"
    reader = "reader"
    writer = "writer"
    study_group = "study-group"
    recruit = "recruit"
    member = "member"

    @property
    def rank(self) -> int:
        return _STAGE_ORDER[self]


_STAGE_ORDER = {stage: i for i, stage in enumerate(Stage)}


DEFAULT_NATURES: tuple[str, ...] = (
    "co-worker",
    "friend",
    "family",
    "neighbour",
    "fellow-student",
    "former-co-worker",
    "community",
)

# The names are tz.recurrence's DAY_NAMES (the one list); a Literal must spell them for the type checker and
# the JSON Schema, and tests/test_facts.py holds the two equal.
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[str, ...] = DAY_NAMES

HOURS_PATTERN = r"^([01][0-9]|2[0-4]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$"
Hours = Annotated[str, StringConstraints(pattern=HOURS_PATTERN)]


def hours_minutes(hours: str) -> tuple[int, int]:
    """'18:00-22:30' -> (1080, 1350): minutes after local midnight, end excluded."""
    start, end = (int(t[:2]) * 60 + int(t[3:]) for t in hours.split("-"))
    return start, end


DayHours = list[Hours] | None


def _named_day(day: str) -> Any:
    return Field(None, description=f"{day.capitalize()}: replaces weekdays/weekend for this day ([] = no hours)")


class DayHoursModel(FileModel):
    """Hours per day: `weekdays` and `weekend` are shorthands; a named day (monday ... sunday) overrides them."""

    weekdays: list[Hours] = Field(default_factory=_new_list, description="Monday to Friday, e.g. '18:00-22:00'")
    weekend: list[Hours] = Field(default_factory=_new_list, description="Saturday and Sunday")
    monday: DayHours = _named_day("monday")
    tuesday: DayHours = _named_day("tuesday")
    wednesday: DayHours = _named_day("wednesday")
    thursday: DayHours = _named_day("thursday")
    friday: DayHours = _named_day("friday")
    saturday: DayHours = _named_day("saturday")
    sunday: DayHours = _named_day("sunday")

    def on(self, weekday: int) -> list[str]:
        """The hours of one day of the week (0 = Monday): the named day, else its shorthand."""
        named = getattr(self, WEEKDAYS[weekday])
        if named is not None:
            return list(named)
        return list(self.weekdays if weekday < 5 else self.weekend)


DAY_KEYS: tuple[str, ...] = ("weekdays", "weekend", *WEEKDAYS)


class BandHours(DayHoursModel):
    """Local hours that are better or worse than the collective's acceptable hours."""


class Availability(DayHoursModel):
    """Local hours a collective can meet, used to find meeting times.

    The day keys are the acceptable hours; `good` and `poor` optionally name better and
    worse hours (without `poor`, other waking hours 07:00-23:00 are poor).
    """

    avoid: list[Date] = Field(default_factory=_new_list, description="Dates the collective cannot meet")
    good: BandHours | None = Field(None, description="Preferred hours (band 'good')")
    poor: BandHours | None = Field(None, description="Possible but hard hours (band 'poor')")


# The hours of a collective that names none: `slots` and the roles rota judge them alike.
DEFAULT_AVAILABILITY = Availability(weekdays=["18:00-22:00"], weekend=["09:00-20:00"])


class Collective(FileModel):
    """collectives/<slug>/collective.toml"""

    name: ShortText
    kind: Annotated[Kind, LAX] = Kind.collective
    timezone: ZoneName = Field(description="IANA zone name, e.g. 'America/Los_Angeles'")
    languages: list[Language] = Field(min_length=1, description="BCP 47 codes, preferred first")
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    city: ShortText | None = None
    description: Text | None = None
    sectors: list[ShortText] = Field(default_factory=_new_list)
    availability: Availability | None = None
    recipients: list[RecipientKey] = Field(
        default_factory=_new_list,
        description="Public keys (age 'age1…' or 'ssh-ed25519 …') that can read the collective's private values",
    )


class Member(FileModel):
    handle: Handle = Field(description="The name the organisation knows a member by; never a legal name")
    role: ShortText | None = None
    languages: list[Language] = Field(default_factory=_new_list)
    joined: Date | None = None
    email: PrivateShortText | None = private_field(description="Private: used only for opted-in invites")
    phone: PrivateShortText | None = private_field(description="Private")
    invite: bool = Field(False, description="Opted in to calendar invitations by email")
    left: Date | None = Field(None, description="The day the member left: [retention] member_left counts from it")
    left_vouched: VouchText | None = vouched_field("left")
    expires: Date | None = expires_field()
    expires_vouched: VouchText | None = vouched_field("expires")


class MembersFile(FileModel):
    """collectives/<slug>/members.toml"""

    members: list[Member] = Field(default_factory=_new_list, alias="member")


class StageChange(FileModel):
    date: Date
    stage: Annotated[Stage, LAX]
    note: PrivateText | None = private_field()
    expires: Date | None = expires_field()
    expires_vouched: VouchText | None = vouched_field("expires")


class Conversation(FileModel):
    """[[relationship.conversation]]: one conversation with the person, as the comrade remembers it.
    Every key is private: even its date and kind say when and how a member meets someone."""

    date: PrivateDate = private_field(..., description="Private: the day of the conversation")
    kind: PrivateShortText = private_field(..., description="Private: e.g. one-on-one, call, visit")
    note: PrivateText | None = private_field(description="Private: what was said, what was agreed")
    expires: Date | None = expires_field()
    expires_vouched: VouchText | None = vouched_field("expires")


class Relationship(FileModel):
    pseudonym: PrivateShortText = private_field(..., description="Private: never a real name")
    nature: Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
    stage: Annotated[Stage, LAX]
    comrade: Handle = Field(description="Handle of the member who holds this relationship")
    since: Date
    last_contact: Date | None = None
    workplace: PrivateShortText | None = private_field()
    notes: PrivateText | None = private_field()
    id: RelationshipId | None = Field(
        None,
        description="Stable random id its sealed values are bound to: written by 'secrets encrypt' or "
        "'secrets migrate'; never type a name here",
    )
    history: list[StageChange] = Field(default_factory=_new_list)
    left: Date | None = Field(
        None, description="The day the relationship ended: [retention] relationship_left counts from it"
    )
    left_vouched: VouchText | None = vouched_field("left")
    expires: Date | None = expires_field()
    expires_vouched: VouchText | None = vouched_field("expires")
    assessment: Annotated[str, StringConstraints(pattern=SLUG_PATTERN)] | None = Field(
        None, description="One id of the organisation's assessment scale ([relationships] in organisation.toml)"
    )
    next_step: PrivateShortText | None = private_field(description="Private: the comrade's next step with the person")
    next_due: PrivateDate | None = private_field(
        description="Private: the day the next step is due, in the collective's zone (sealed: a date next to a "
        "handle says when a member meets someone)"
    )
    conversations: list[Conversation] = Field(default_factory=_new_list, alias="conversation")


class RelationshipsFile(FileModel):
    """collectives/<slug>/relationships.toml"""

    natures: list[Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]] = Field(
        default_factory=_new_list, description="Natures this collective adds to the default list"
    )
    relationships: list[Relationship] = Field(default_factory=_new_list, alias="relationship")


class ItemKind(str, Enum):
    opening = "opening"
    report = "report"
    discussion = "discussion"
    break_ = "break"
    closing = "closing"


class Item(FileModel):
    topic: ShortText
    duration_minutes: Annotated[int, Field(ge=1, le=24 * 60)]
    lead: Slug | None = None
    kind: Annotated[ItemKind, LAX] = ItemKind.discussion
    notes: Text | None = None


Frequency = Literal["daily", "weekly", "monthly"]


class Recurrence(FileModel):
    frequency: Frequency
    interval: Annotated[int, Field(ge=1, le=52)] = 1
    weekdays: list[Weekday] = Field(default_factory=_new_list)
    until: Date | None = None
    count: Annotated[int, Field(ge=1, le=1000)] | None = None
    exceptions: list[Date] = Field(default_factory=_new_list, description="Dates skipped (local)")


class OccurrenceChange(FileModel):
    """[[occurrence]] in a recurring meeting's file: one date of the series moved or cancelled."""

    date: Date = Field(description="The local date the series gives for this occurrence")
    start: LocalDateTime | None = Field(None, description="Its new local start in the meeting's zone")
    cancelled: bool = Field(False, description="This occurrence does not take place")


class Status(str, Enum):
    tentative = "tentative"
    confirmed = "confirmed"
    cancelled = "cancelled"


class Meeting(FileModel):
    """collectives/<slug>/meetings/<meeting-id>.toml"""

    title: ShortText
    start: LocalDateTime = Field(description="Local wall time in 'timezone', no offset")
    timezone: ZoneName
    duration_minutes: Annotated[int, Field(ge=1, le=24 * 60)]
    participants: list[Slug] = Field(default_factory=_new_list)
    opens: Slug | None = None
    reports_due: Date | None = None
    sequence: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    status: Annotated[Status, LAX] = Status.confirmed
    language: Language = Field(
        "en",
        description="The language its title, topics, location, description and minutes are written in; "
        "pages in another language mark them with it (lang).",
    )
    location: ShortText | None = None
    url: Url | None = None
    description: Text | None = None
    reminders_minutes: list[Annotated[int, Field(ge=0, le=40_320)]] = Field(default_factory=_new_list)
    recurrence: Recurrence | None = None
    items: list[Item] = Field(default_factory=_new_list, alias="item")
    occurrences: list[OccurrenceChange] = Field(
        default_factory=_new_list,
        alias="occurrence",
        description="Occurrences of a recurring meeting moved or cancelled",
    )
    reports: bool | None = Field(
        None, description="Collectives file reports for it; default: a one-off meeting takes them, a recurring one not"
    )


class Distribution(FileModel):
    # Where and when members hand out the paper is a place to wait for them: private like a workplace
    # (sealed to the collective's readers; the copies and the date stay public).
    site: PrivateShortText | None = private_field(description="Private: where the paper was handed out")
    copies: Count
    date: Date | None = None
    expires: Date | None = expires_field()
    expires_vouched: VouchText | None = vouched_field("expires")


class RedFlag(FileModel):
    readers: Count | None = None
    distribution: list[Distribution] = Field(default_factory=_new_list)

    @property
    def copies(self) -> int:
        return sum(d.copies for d in self.distribution)


class RelationshipFigures(FileModel):
    """A snapshot of the collective's relationships when the report was filed."""

    by_stage: dict[Annotated[Stage, LAX], Count] = Field(default_factory=dict)
    by_nature: dict[Annotated[str, StringConstraints(pattern=SLUG_PATTERN)], Count] = Field(default_factory=dict)
    new: Count = 0
    moved_up: Count = 0


class ArticleStatus(str, Enum):
    idea = "idea"
    drafting = "drafting"
    offered = "offered"
    submitted = "submitted"
    published = "published"


class Article(FileModel):
    title: ShortText
    language: Language
    status: Annotated[ArticleStatus, LAX] = ArticleStatus.offered
    topic: Text | None = None


class Request(FileModel):
    to: Slug
    text: Text
    id: Slug | None = Field(
        None, description="Optional stable id; without it the request is '<meeting>-<collective>-<n>' (see commitments)"
    )


class CommitmentStatus(str, Enum):
    open = "open"
    done = "done"
    dropped = "dropped"


class Answer(FileModel):
    """A collective's answer, in its report, to a commitment it owes or a request made to it."""

    commitment: Slug = Field(description="The id of the commitment or request answered")
    status: Annotated[CommitmentStatus, LAX]
    note: Text | None = None


class Report(FileModel):
    """collectives/<slug>/reports/<meeting-id>.toml"""

    filed: Date
    filed_by: Handle | None = None
    summary: Text
    recruits: Count = 0
    red_flag: RedFlag | None = None
    relationships: RelationshipFigures | None = None
    articles: list[Article] = Field(default_factory=_new_list, alias="article")
    requests: list[Request] = Field(default_factory=_new_list, alias="request")
    answers: list[Answer] = Field(default_factory=_new_list, alias="answer")


class Attendance(FileModel):
    present: list[Slug] = Field(default_factory=_new_list, description="Collectives present")
    members: dict[Slug, Count] = Field(default_factory=dict, description="How many members of each were there")
    apologies: list[Slug] = Field(default_factory=_new_list, description="Collectives that sent apologies")


class ItemNote(FileModel):
    item: Annotated[int, Field(ge=1, le=1000)] = Field(description="The agenda item's number (1 is the first)")
    note: Text


class DecisionMethod(str, Enum):
    consensus = "consensus"
    vote = "vote"
    consent = "consent"
    consensus_then_vote = "consensus-then-vote"


# A threshold: "majority" (more than half of the base), "two-thirds" (at least 2/3), or a fraction "N/D" (at least).
THRESHOLD_PATTERN = r"^(majority|two-thirds|unanimous|[1-9][0-9]{0,2}/[1-9][0-9]{0,2})$"
FRACTION_PATTERN = r"^[0-9]{1,3}/[1-9][0-9]{0,2}$"
Threshold = Annotated[str, StringConstraints(pattern=THRESHOLD_PATTERN)]
# A quorum: a number of entitled collectives present, or a fraction of them "N/D" (at least).
Quorum = Annotated[int, Field(ge=0, le=10_000)] | Annotated[str, StringConstraints(pattern=FRACTION_PATTERN)]
Entitled = Literal["participants"] | list[Slug]
Acceptable = Annotated[int, Field(ge=1, le=720 * 60)]
MinWait = Annotated[int, Field(ge=0, le=92 * 1440)]  # at most the window's horizon (org.window.HORIZON_DAYS)
Weight = Literal["collective", "members"]
Base = Literal["cast", "entitled"]


class DecisionRule(FileModel):
    """[decisions] in organisation.toml: how a motion is decided, unless the motion or the decision says otherwise."""

    method: Annotated[DecisionMethod, LAX] = Field(
        DecisionMethod.consensus, description="consensus, consent, vote or consensus-then-vote"
    )
    entitled: Entitled = Field(
        "participants", description="Who decides: 'participants' (the meeting's) or a list of collectives"
    )
    weight: Weight = Field(
        "collective", description="'collective': one voice per collective; 'members': one voice per member"
    )
    split: bool = Field(False, description="With weight 'collective': its one voice split among its delegates' votes")
    threshold: Threshold = Field(
        "majority", description="'majority' (more than half), 'two-thirds', 'unanimous' or 'N/D' (at least)"
    )
    base: Base = Field("cast", description="'cast': of the votes for and against; 'entitled': of every entitled voice")
    quorum: Quorum = Field(
        "1/2", description="Entitled collectives present: a number, or a fraction 'N/D' of the entitled (at least)"
    )
    acceptable_minutes: Acceptable = Field(
        1440,
        description="A vote between meetings closes only after every entitled collective had this many minutes "
        "inside its acceptable local hours ([availability])",
    )
    min_wait_minutes: MinWait = Field(2880, description="A vote between meetings stays open at least this many minutes")


class RuleOverride(FileModel):
    """A motion's or a decision's own rule: the keys given replace the organisation's [decisions]."""

    method: Annotated[DecisionMethod, LAX] | None = None
    entitled: Entitled | None = None
    weight: Weight | None = None
    split: bool | None = None
    threshold: Threshold | None = None
    base: Base | None = None
    quorum: Quorum | None = None


class StanceKind(str, Enum):
    agree = "agree"
    stand_aside = "stand-aside"
    block = "block"


class Stance(FileModel):
    """One collective's stance in a consensus or consent round; a block names its reason."""

    collective: Slug
    stance: Annotated[StanceKind, LAX]
    reason: Text | None = Field(None, description="Why it blocks (required for a block)")


class DecisionResult(str, Enum):
    carried = "carried"
    failed = "failed"
    no_quorum = "no-quorum"


class Vote(FileModel):
    """How one collective voted, counted in members."""

    collective: Slug
    for_: Count = Field(0, alias="for")
    against: Count = 0
    abstain: Count = 0


class Decision(FileModel):
    item: Annotated[int, Field(ge=1, le=1000)] | None = None
    text: Text
    method: Annotated[DecisionMethod, LAX] = DecisionMethod.consensus
    votes: list[Vote] = Field(default_factory=_new_list, alias="vote")
    motion: Slug | None = Field(None, description="The motion decided (collectives/*/motions/<id>.toml)")
    rule: RuleOverride | None = Field(None, description="Rule keys replacing the motion's and the organisation's")
    stances: list[Stance] = Field(default_factory=_new_list, alias="stance")
    result: Annotated[DecisionResult, LAX] | None = Field(
        None, description="carried, failed or no-quorum: validate computes it by the rule and refuses another"
    )
    review: Date | None = Field(None, description="The agenda of the first meeting after this date lists it again")
    commitments: list[Slug] = Field(default_factory=_new_list, description="Ids of the commitments it creates")


class Commitment(FileModel):
    """What a collective took on at the meeting; its id is how answers point at it."""

    id: Slug = Field(description="Unique across the organisation, e.g. 'ic-2026-06-translation'")
    text: Text
    owner: Slug = Field(description="The collective that owes it")
    handle: Handle | None = Field(None, description="Optionally, the member who carries it")
    due: Date | None = Field(None, description="Due at the end of this day in the owner's zone")
    item: Annotated[int, Field(ge=1, le=1000)] | None = None
    request: Slug | None = Field(None, description="The id of a report's request this takes up")
    status: Annotated[CommitmentStatus, LAX] = CommitmentStatus.open
    date: Date | None = Field(None, description="When the status was last set")
    note: Text | None = None


class Update(FileModel):
    """A status recorded at this meeting for an earlier commitment or request."""

    commitment: Slug
    status: Annotated[CommitmentStatus, LAX]
    note: Text | None = None


class MinutesStatus(str, Enum):
    """The lifecycle of minutes, in order: written, sent to the collectives, approved by the minutes of a
    later meeting (`approves`), locked (no amendment any more)."""

    draft = "draft"
    circulated = "circulated"
    approved = "approved"
    locked = "locked"

    @property
    def rank(self) -> int:
        return _MINUTES_ORDER[self]


_MINUTES_ORDER = {status: i for i, status in enumerate(MinutesStatus)}


class MinutesAmendment(FileModel):
    """A change to approved minutes, recorded in the minutes of the meeting that approved them."""

    minutes: Slug = Field(description="The meeting id of the approved minutes changed")
    text: Text = Field(description="What was changed, and why")


class Minutes(FileModel):
    """collectives/<slug>/minutes/<meeting-id>.toml"""

    status: Annotated[MinutesStatus, LAX] = Field(
        MinutesStatus.draft, description="draft, circulated, approved (by a later meeting's minutes) or locked"
    )
    approves: list[Slug] = Field(
        default_factory=_new_list, description="Meeting ids whose minutes this meeting approved (earlier meetings)"
    )
    chair: Handle | None = None
    minute_taker: Handle | None = None
    roles: dict[Slug, Handle] = Field(
        default_factory=dict, description="Other roles held (role = handle), named as in the body's roles.toml"
    )
    attendance: Attendance = Field(default_factory=Attendance)
    items: list[ItemNote] = Field(default_factory=_new_list, alias="item")
    decisions: list[Decision] = Field(default_factory=_new_list, alias="decision")
    commitments: list[Commitment] = Field(default_factory=_new_list, alias="commitment")
    updates: list[Update] = Field(default_factory=_new_list, alias="update")
    amendments: list[MinutesAmendment] = Field(
        default_factory=_new_list, alias="amendment", description="Changes to the minutes this meeting approved"
    )


class Role(FileModel):
    """[[role]] in roles.toml: a role taken in turn, and who may take it."""

    name: Slug = Field(description="e.g. 'chair', 'minute-taker' (the minutes' minute_taker), 'timekeeper'")
    pool: list[Handle] = Field(min_length=1, description="Collectives (slugs) or members (handles) who take turns")


class Swap(FileModel):
    """[[swap]]: at one meeting, the holder the rota proposes gives the role to another."""

    meeting: Slug
    role: Slug
    from_: Handle = Field(alias="from", description="The holder the rota proposed")
    to: Handle = Field(description="Who holds the role instead")


class Skip(FileModel):
    """[[skip]]: a holder passed over at one meeting (their turn comes later)."""

    meeting: Slug
    holder: Handle
    reason: ShortText | None = None


class RolesFile(FileModel):
    """collectives/<slug>/roles.toml: the rota of the body (the collective that holds the meetings)."""

    since: Slug | None = Field(
        None, description="The first meeting the rota proposes for: earlier minutes count turns but are not checked"
    )
    roles: list[Role] = Field(default_factory=_new_list, alias="role")
    swaps: list[Swap] = Field(default_factory=_new_list, alias="swap")
    skips: list[Skip] = Field(default_factory=_new_list, alias="skip")


class TranslationState(str, Enum):
    """The path a translation travels, in order (declined ends it at any point before published)."""

    requested = "requested"
    claimed = "claimed"
    translated = "translated"
    reviewed = "reviewed"
    published = "published"
    declined = "declined"

    @property
    def rank(self) -> int:
        return _TRANSLATION_ORDER[self]


_TRANSLATION_ORDER = {state: i for i, state in enumerate(TranslationState)}
REV_PATTERN = r"^sha256:[0-9a-f]{16}$"


class Translation(FileModel):
    """[[translation]] of an article file: one language, one translator (Weblate's and Lingua's states)."""

    language: Language
    requested_by: Slug = Field(description="The collective that asked for this translation")
    requested: Date = Field(description="When it was asked for: the commitment is made that day")
    to: Slug | None = Field(None, description="The collective asked to translate, until one claims it")
    due: Date | None = Field(None, description="Due at the end of this day in the translating collective's zone")
    claimed_by: Slug | None = Field(None, description="The collective that translates (one per language)")
    translator: Handle | None = Field(None, description="Optionally, the member who translates")
    state: Annotated[TranslationState, LAX] = TranslationState.requested
    date: Date | None = Field(None, description="When the state was last set")
    reviewer: Handle | None = Field(None, description="The member who reviewed it: never the translator")
    machine: bool = Field(
        False, description="Machine text (a human reviews it before it counts); the tool never sends text anywhere"
    )
    from_rev: Annotated[str, StringConstraints(pattern=REV_PATTERN)] | None = Field(
        None, description="The source text's rev (validate and `articles status` show it) it was translated from"
    )
    text: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]{0,120}\.md$")] | None = Field(
        None, description="Its text file beside this one (default '<article>.<language>.md')"
    )
    commitment: Slug | None = Field(
        None,
        description="The id of a commitment in minutes that this translation carries out: its state then "
        "opens, closes and reopens that commitment (one commitment, not two)",
    )


class ArticleFile(FileModel):
    """collectives/<slug>/articles/<article-id>.toml: an article, its editions and its translations."""

    title: ShortText
    language: Language = Field(description="The language the source text is written in")
    status: Annotated[ArticleStatus, LAX] = ArticleStatus.offered
    topic: Text | None = None
    editions: list[Slug] = Field(default_factory=_new_list, description="Editions it is in, e.g. 'red-flag-2026-12'")
    text: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]{0,120}\.md$")] | None = Field(
        None, description="The source text file beside this one (default '<article>.<language>.md')"
    )
    translations: list[Translation] = Field(default_factory=_new_list, alias="translation")


# -- organisation.toml: settings every command reads; one submodel per table ----------------

Address = Annotated[str, StringConstraints(pattern=r"^[^@\s<>\"]+@[^@\s<>\"]+$", max_length=300)]
Domain = Annotated[
    str,
    StringConstraints(
        max_length=253, pattern=r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$"
    ),
]


class CalendarSettings(FileModel):
    """[calendar]: how invitations name events and who organises them."""

    domain: Domain | None = Field(None, description="Makes event UIDs unique (MEETING@DOMAIN); a domain you own")
    organiser: Address | None = Field(
        None, description="Address that receives replies to invitations (default: CONVENER@domain)"
    )
    organisers: dict[Slug, Address] = Field(
        default_factory=dict, description="Per convening collective: slug = address (overrides organiser)"
    )


class MailSettings(FileModel):
    """[mail]: the SMTP server both sending commands use. The password comes only from REDFLAG_SMTP_PASSWORD."""

    host: ShortText = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 25
    tls: Literal["starttls", "tls", "none"] = Field(
        "starttls", description="starttls: upgrade when offered; tls: implicit TLS (port 465); none: never"
    )
    user: ShortText | None = Field(None, description="SMTP login (the password is read from REDFLAG_SMTP_PASSWORD)")
    sender: Address | None = Field(None, alias="from", description="From address of the messages")


class DefaultSettings(FileModel):
    """[defaults]: values new files and commands start from."""

    language: Language = "en"
    reports_due_days: Annotated[int, Field(ge=0, le=365)] = Field(
        7, description="Days before a meeting that reports are due (new meeting)"
    )


class EncryptionSettings(FileModel):
    """[encryption]: who besides each collective reads contact fields, and whether plain text is refused."""

    mail_senders: list[RecipientKey] = Field(
        default_factory=_new_list,
        description="Recipients that also read every member's email and phone (not relationships): the secretariat",
    )
    require: bool = Field(False, description="Every collective must list recipients and seal every private value")


class PublishSettings(FileModel):
    """[publish]: what the public site (`publish`) may show. By default it names collectives, never members."""

    members: bool = Field(
        False,
        description="Show members on the site: chair, minute taker, each commitment's handle and how many of each "
        "collective attended (default: collectives only; a handle on a page stops publish)",
    )


class SourcesSettings(FileModel):
    """[sources]: what a committee's repository accepts from its collectives' repositories (docs/sources.md)."""

    require_signed: bool = Field(
        False,
        description="Accept a source's commits only when signed by one of the keys sources.toml lists for it "
        "(`sources fetch` refuses the others)",
    )


def _period(value: str) -> str:
    try:
        parse_period(value)
    except ValueError as e:
        raise PydanticCustomError("period", "{problem}", {"problem": str(e)}) from None
    return value


PeriodText = Annotated[str, StringConstraints(max_length=40), AfterValidator(_period)]


class RetentionSettings(FileModel):
    """[retention]: how long private values are kept, per kind of data, when a table gives no `expires`.

    Periods: 30d, 6w, 6mo, 2y, 1y6mo, or "never". Counted from the date named; an `expires` wins."""

    conversation_notes: PeriodText = Field("2y", description="A conversation note: from its date")
    relationship_left: PeriodText = Field(
        "1y", description="A relationship's private values (pseudonym, workplace, notes): from its 'left' date"
    )
    member_left: PeriodText = Field("6mo", description="A member's email and phone: from their 'left' date")
    warn: PeriodText = Field("30d", description="'validate' warns this long before private values expire")
    grace: PeriodText = Field(
        "30d", description="After expiry 'validate' warns this long, then reports an error until they are removed"
    )


class AssessmentLevel(FileModel):
    """One step of the organisation's assessment scale: an id relationships name, a label per language."""

    id: Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
    labels: dict[Language, ShortText] = Field(min_length=1, description='language = label, e.g. en = "Supporter"')

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels.get(language.split("-")[0]) or self.labels.get("en") or self.id


def _level(level_id: str, en: str, es: str, fr: str, pt: str, hi: str) -> AssessmentLevel:
    return AssessmentLevel(id=level_id, labels={"en": en, "es": es, "fr": fr, "pt": pt, "hi": hi})


def default_assessment() -> list[AssessmentLevel]:
    """The scale when organisation.toml names none: from leading others to opposed (one scale for everyone,
    as organising tools keep one per organisation, so counts add up across collectives)."""
    return [
        _level(
            "leader", "Leads others", "Dirige a otros", "Entraîne les autres", "Lidera outros", "दूसरों का नेतृत्व करते हैं"
        ),
        _level("active", "Acts with us", "Actúa con nosotros", "Agit avec nous", "Age conosco", "हमारे साथ काम करते हैं"),
        _level("supportive", "Supportive", "Nos apoya", "Favorable", "Apoia", "समर्थक"),
        _level("undecided", "Undecided", "Indeciso", "Indécis", "Indeciso", "अनिश्चित"),
        _level("opposed", "Opposed", "En contra", "Opposé", "Contra", "विरोधी"),
    ]


class RelationshipSettings(FileModel):
    """[relationships]: the organisation's one assessment scale (each relationship's `assessment` names an id)."""

    assessment: list[AssessmentLevel] = Field(
        default_factory=default_assessment,
        min_length=1,
        description="The scale, first = strongest: [[relationships.assessment]] id and labels per language "
        "(default: leader, active, supportive, undecided, opposed)",
    )

    def ids(self) -> list[str]:
        return [level.id for level in self.assessment]


class AmendmentStatus(str, Enum):
    proposed = "proposed"
    accepted = "accepted"
    rejected = "rejected"
    withdrawn = "withdrawn"


class Amendment(FileModel):
    """A change proposed to a motion (by pull request); once settled, who accepted or rejected it."""

    text: Text
    by: Slug = Field(description="The collective proposing it")
    status: Annotated[AmendmentStatus, LAX] = AmendmentStatus.proposed
    accepted_by: Slug | None = Field(
        None, description="Who settled it: the mover (a friendly amendment) or the meeting's convener"
    )
    date: Date | None = Field(None, description="When it was settled")


class VoteWindow(FileModel):
    """[window] of a motion decided between meetings: replaces [decisions] acceptable_minutes and min_wait_minutes."""

    acceptable_minutes: Acceptable | None = Field(
        None, description="Minutes inside its acceptable local hours every entitled collective gets"
    )
    min_wait_minutes: MinWait | None = Field(None, description="The least time from opening to close, in minutes")


class Ballot(FileModel):
    """[[vote]] of a motion decided between meetings: one collective's stance or votes, added by pull request."""

    collective: Slug
    stance: Annotated[StanceKind, LAX] | None = Field(None, description="agree, stand-aside or block (consensus)")
    reason: Text | None = Field(None, description="Why it blocks (required for a block)")
    for_: Count = Field(0, alias="for")
    against: Count = 0
    abstain: Count = 0
    cast: Instant | Date = Field(description="When it was cast: a date (the collective's own) or an instant")


class Motion(FileModel):
    """collectives/<mover>/motions/<motion-id>.toml: the folder names the collective that moves it."""

    title: ShortText
    text: Text
    filed: Date
    seconds: list[Slug] = Field(default_factory=_new_list, description="Collectives seconding it (not the mover)")
    meeting: Slug | None = Field(None, description="The meeting it goes to")
    between: bool = Field(False, description="Decided between meetings instead of at one")
    forwarded_from: Slug | None = Field(None, description="The mover's own meeting that sent it on")
    rule: RuleOverride | None = Field(None, description="Rule keys replacing the organisation's [decisions]")
    amendments: list[Amendment] = Field(default_factory=_new_list, alias="amendment")
    # A vote between meetings (`motion open`, then collectives add their [[vote]] by pull request, `motion close`)
    window: VoteWindow | None = Field(None, description="The window's parameters: the motion's own, or those used")
    opened: Instant | None = Field(None, description="When the vote opened (UTC; written by 'motion open')")
    closes: Instant | None = Field(
        None, description="When the window closes, computed from 'opened' and [window]: validate recomputes it"
    )
    closed: Instant | None = Field(None, description="When it was closed (written by 'motion close')")
    result: Annotated[DecisionResult, LAX] | None = Field(
        None, description="carried, failed or no-quorum: validate computes it from the votes by the rule"
    )
    sequence: Annotated[int, Field(ge=0, le=1_000_000)] = Field(
        0, description="Raised when the close moves later: calendar apps then replace each collective's task"
    )
    ballots: list[Ballot] = Field(default_factory=_new_list, alias="vote")


class Settings(FileModel):
    """organisation.toml, at the root of the data repository. Command-line flags override it."""

    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    defaults: DefaultSettings = Field(default_factory=DefaultSettings)
    encryption: EncryptionSettings = Field(default_factory=EncryptionSettings)
    publish: PublishSettings = Field(default_factory=PublishSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    relationships: RelationshipSettings = Field(default_factory=RelationshipSettings)
    decisions: DecisionRule = Field(default_factory=DecisionRule)
    example: bool = Field(
        False,
        description="A demonstration whose keys are published (redflag-coord's own example): only then may the DEMO "
        "keys of tests/keys/ be used. Never true in a real organisation",
    )
    sources: SourcesSettings = Field(default_factory=SourcesSettings)


FILE_MODELS: dict[str, type[FileModel]] = {
    "collective": Collective,
    "members": MembersFile,
    "relationships": RelationshipsFile,
    "meeting": Meeting,
    "report": Report,
    "organisation": Settings,
    "minutes": Minutes,
    "roles": RolesFile,
    "article": ArticleFile,
    "motion": Motion,
}


def submodel(annotation: Any) -> type[BaseModel] | None:
    """The model inside a field's annotation (through Annotated, Optional and list), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) is dict:
        return None
    for arg in typing.get_args(annotation):
        found = submodel(arg)
        if found:
            return found
    return None


def is_private(field: FieldInfo) -> bool:
    """The one test of privacy: the marker `private_field` sets (the schema's and docs' "x-private")."""
    extra = field.json_schema_extra
    return isinstance(extra, dict) and bool(extra.get("x-private"))


def private_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """Names (by alias) of the private fields of a model, in file order: what `secrets` seals and exporters drop."""
    return tuple(field.alias or name for name, field in model.model_fields.items() if is_private(field))


def private_paths(model: type[BaseModel]) -> set[str]:
    """Names (by alias) of the private fields of a model, for exporters to drop."""
    return set(private_fields(model))
