"""The data model: one pydantic model per kind of TOML file.

These models are the single description of the data. `validate` checks files
against them, the JSON Schemas are generated from them, and fields marked
private (`private_field`) never leave the tool unless the user asks.
"""

from __future__ import annotations

import datetime as dt
import typing
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
)
from pydantic import Strict as StrictMode
from pydantic_core import PydanticCustomError

from redflag_coord.tz.zones import check_zone_name

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
HANDLE_PATTERN = r"^[a-z0-9](?:[a-z0-9_.-]{0,38}[a-z0-9])?$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$"

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Handle = Annotated[str, StringConstraints(pattern=HANDLE_PATTERN)]
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

LocalDateTime = Annotated[dt.datetime, AfterValidator(_no_offset)]


def _http_url(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise PydanticCustomError("url", "expected a web address starting with https://", {})
    return value


Url = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_http_url)]


SEALED_PREFIX = "age:"  # an encrypted private value (see crypt and org.secrets)
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
    sealed = {"type": "string", "pattern": "^age:[A-Za-z0-9+/]+=*$", "maxLength": MAX_SEALED}
    return WithJsonSchema({"anyOf": [{"type": "string", "minLength": 1, "maxLength": max_length}, sealed]})


PrivateShortText = Annotated[ShortText, WrapValidator(_sealed_or_plain), _private_schema(300)]
PrivateText = Annotated[Text, WrapValidator(_sealed_or_plain), _private_schema(20_000)]
RECIPIENT_PATTERN = r"^(age1[02-9ac-hj-np-z]{58}|ssh-ed25519 [A-Za-z0-9+/]+={0,2}( [^\n]*)?)$"
RecipientKey = Annotated[str, StringConstraints(pattern=RECIPIENT_PATTERN, max_length=1000)]


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

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)

HOURS_PATTERN = r"^([01][0-9]|2[0-4]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$"
Hours = Annotated[str, StringConstraints(pattern=HOURS_PATTERN)]


def hours_minutes(hours: str) -> tuple[int, int]:
    """'18:00-22:30' -> (1080, 1350): minutes after local midnight, end excluded."""
    start, end = (int(t[:2]) * 60 + int(t[3:]) for t in hours.split("-"))
    return start, end


class BandHours(FileModel):
    """Local hours that are better or worse than the collective's acceptable hours."""

    weekdays: list[Hours] = Field(default_factory=list, description="Monday to Friday")
    saturday: list[Hours] = Field(default_factory=list)
    sunday: list[Hours] = Field(default_factory=list)


class Availability(FileModel):
    """Local hours a collective can meet, used to find meeting times.

    weekdays/saturday/sunday are the acceptable hours; `good` and `poor` optionally
    name better and worse hours (without `poor`, other waking hours 07:00-23:00 are poor).
    """

    weekdays: list[Hours] = Field(default_factory=list, description="Monday to Friday, e.g. '18:00-22:00'")
    saturday: list[Hours] = Field(default_factory=list)
    sunday: list[Hours] = Field(default_factory=list)
    avoid: list[dt.date] = Field(default_factory=list, description="Dates the collective cannot meet")
    good: BandHours | None = Field(None, description="Preferred hours (band 'good')")
    poor: BandHours | None = Field(None, description="Possible but hard hours (band 'poor')")


class Collective(FileModel):
    """collectives/<slug>/collective.toml"""

    name: ShortText
    kind: Annotated[Kind, LAX] = Kind.collective
    timezone: ZoneName = Field(description="IANA zone name, e.g. 'America/Los_Angeles'")
    languages: list[Language] = Field(min_length=1, description="BCP 47 codes, preferred first")
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    city: ShortText | None = None
    description: Text | None = None
    sectors: list[ShortText] = Field(default_factory=list)
    availability: Availability | None = None
    recipients: list[RecipientKey] = Field(
        default_factory=list,
        description="Public keys (age 'age1…' or 'ssh-ed25519 …') that can read the collective's private values",
    )


class Member(FileModel):
    handle: Handle = Field(description="The name the organisation knows a member by; never a legal name")
    role: ShortText | None = None
    languages: list[Language] = Field(default_factory=list)
    joined: dt.date | None = None
    email: PrivateShortText | None = private_field(description="Private: used only for opted-in invites")
    phone: PrivateShortText | None = private_field(description="Private")
    invite: bool = Field(False, description="Opted in to calendar invitations by email")


class MembersFile(FileModel):
    """collectives/<slug>/members.toml"""

    members: list[Member] = Field(default_factory=list, alias="member")


class StageChange(FileModel):
    date: dt.date
    stage: Annotated[Stage, LAX]
    note: PrivateText | None = private_field()


class Relationship(FileModel):
    pseudonym: PrivateShortText = private_field(..., description="Private: never a real name")
    nature: Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
    stage: Annotated[Stage, LAX]
    comrade: Handle = Field(description="Handle of the member who holds this relationship")
    since: dt.date
    last_contact: dt.date | None = None
    workplace: PrivateShortText | None = private_field()
    notes: PrivateText | None = private_field()
    history: list[StageChange] = Field(default_factory=list)


class RelationshipsFile(FileModel):
    """collectives/<slug>/relationships.toml"""

    natures: list[Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]] = Field(
        default_factory=list, description="Natures this collective adds to the default list"
    )
    relationships: list[Relationship] = Field(default_factory=list, alias="relationship")


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
    weekdays: list[Weekday] = Field(default_factory=list)
    until: dt.date | None = None
    count: Annotated[int, Field(ge=1, le=1000)] | None = None
    exceptions: list[dt.date] = Field(default_factory=list, description="Dates skipped (local)")


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
    participants: list[Slug] = Field(default_factory=list)
    opens: Slug | None = None
    reports_due: dt.date | None = None
    sequence: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    status: Annotated[Status, LAX] = Status.confirmed
    language: Language = "en"
    location: ShortText | None = None
    url: Url | None = None
    description: Text | None = None
    reminders_minutes: list[Annotated[int, Field(ge=0, le=40_320)]] = Field(default_factory=list)
    recurrence: Recurrence | None = None
    items: list[Item] = Field(default_factory=list, alias="item")


class Distribution(FileModel):
    site: ShortText
    copies: Count
    date: dt.date | None = None


class RedFlag(FileModel):
    readers: Count | None = None
    distribution: list[Distribution] = Field(default_factory=list)

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


class Report(FileModel):
    """collectives/<slug>/reports/<meeting-id>.toml"""

    filed: dt.date
    filed_by: Handle | None = None
    summary: Text
    recruits: Count = 0
    red_flag: RedFlag | None = None
    relationships: RelationshipFigures | None = None
    articles: list[Article] = Field(default_factory=list, alias="article")
    requests: list[Request] = Field(default_factory=list, alias="request")


FILE_MODELS: dict[str, type[FileModel]] = {
    "collective": Collective,
    "members": MembersFile,
    "relationships": RelationshipsFile,
    "meeting": Meeting,
    "report": Report,
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


def private_paths(model: type[BaseModel]) -> set[str]:
    """Names (by alias) of the private fields of a model, for exporters to drop."""
    out = set()
    for name, field in model.model_fields.items():
        extra = field.json_schema_extra
        if isinstance(extra, dict) and extra.get("x-private"):
            out.add(field.alias or name)
    return out
