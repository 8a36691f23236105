"""New collectives and meetings: commented TOML files (tomlkit) written atomically, checked before writing."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit

from redflag_coord.errors import RedflagError
from redflag_coord.org import values
from redflag_coord.org.clock import now_default
from redflag_coord.org.load import COLLECTIVES, Organisation, rel_path
from redflag_coord.org.model import LANGUAGE_PATTERN, Settings
from redflag_coord.repo.fsio import Batch, atomic_write
from redflag_coord.tz.zones import check_zone_name


class ScaffoldError(RedflagError):
    """The request cannot be carried out; nothing was written."""

    usage = True


@dataclass
class Written:
    paths: list[str] = field(default_factory=list)  # repository-relative, in the order written
    notes: list[str] = field(default_factory=list)


def check_slug(slug: str, what: str) -> str:
    problem = values.slug(slug)  # the decision validate takes (pattern, Windows device names)
    if problem:
        raise ScaffoldError(f"{what} {problem}")
    return slug


def check_zone(name: str) -> str:
    try:
        return check_zone_name(name)
    except ValueError as e:  # PydanticCustomError is a ValueError; its message has the suggestions
        raise ScaffoldError(f"--timezone: {e}") from e


def check_languages(codes: list[str]) -> list[str]:
    if not codes:
        raise ScaffoldError("--languages: give at least one language code, e.g. --languages es,en")
    for code in codes:
        if not re.match(LANGUAGE_PATTERN, code):
            raise ScaffoldError(f"--languages: {code!r} is not a language code such as 'en', 'es' or 'ne'")
    return codes


def known_collective(org: Organisation, slug: str, option: str) -> str:
    org.collective(slug, option)  # did you mean
    return slug


# -- new collective ---------------------------------------------------------------------------------


def collective_files(slug: str, name: str, timezone: str, languages: list[str]) -> dict[str, str]:
    """Repository-relative path -> text of a new collective's files."""
    info = tomlkit.document()
    info.add(tomlkit.comment(f"The {slug} collective. timezone is an IANA name (never an offset); languages are"))
    info.add(tomlkit.comment("BCP 47 codes, preferred first. Add [availability] so 'slots' knows your hours."))
    info["name"] = name
    info["timezone"] = timezone
    info["languages"] = languages
    members = tomlkit.document()
    members.add(tomlkit.comment("Members are known by handles, never by legal names. email and phone are private:"))
    members.add(tomlkit.comment("they never leave the repository unless asked (--include-private); invite = true"))
    members.add(tomlkit.comment("opts a member in to calendar invitations and reminders by e-mail."))
    members.add(tomlkit.nl())
    member = tomlkit.aot()
    first = tomlkit.table()
    first["handle"] = f"{slug}-secretary"[:40].rstrip("-")
    first["role"] = "secretary"
    first["languages"] = languages[:1]
    member.append(first)
    members["member"] = member
    return {rel_path("collective", slug): tomlkit.dumps(info), rel_path("members", slug): tomlkit.dumps(members)}


def _not_a_former_name(root: Path, slug: str) -> None:
    """A slug a collective was renamed from stays its own (values sealed under it would pass as the new
    collective's): refused here as validate refuses it (check.trust, former names)."""
    from redflag_coord.org import trustcheck

    trust = trustcheck.load(root)
    for other in trust.chains:
        if other != slug and slug in trustcheck.names(trust, other):
            raise ScaffoldError(
                f"{slug!r} is a former name of collective {other!r} ({trustcheck.trust_rel(other)}): values sealed "
                "under it would pass as the new collective's; choose another slug (nothing was written)"
            )


def new_collective(root: Path, org: Organisation, slug: str, name: str, timezone: str, languages: list[str]) -> Written:
    """Create collectives/SLUG/ with collective.toml and members.toml; refuses an existing slug."""
    check_slug(slug, "collective")
    name = unicodedata.normalize("NFC", name.strip())
    if slug in org.collectives or (root / COLLECTIVES / slug).exists():
        raise ScaffoldError(f"collective {slug!r} exists already ({COLLECTIVES}/{slug}); nothing was written")
    _not_a_former_name(root, slug)
    problem = values.name(name, [org.name_of(other) for other in org.collectives])
    if problem:
        raise ScaffoldError(f"--name: {problem}; nothing was written")
    check_zone(timezone)
    check_languages(languages)
    files = collective_files(slug, name, timezone, languages)
    return _write_folder(root, slug, files)


# -- new meeting ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingSpec:
    meeting_id: str
    convener: str
    start: str  # local wall time 'YYYY-MM-DDTHH:MM'
    participants: tuple[str, ...]
    timezone: str | None = None  # default: the convener's zone
    title: str | None = None
    duration_minutes: int = 120
    language: str | None = None  # default: organisation.toml, else the convener's first language
    reports_due_days: int | None = None  # default: organisation.toml [defaults]
    allow_past: bool = False  # record a meeting already held


def _check_title(spec: MeetingSpec) -> None:
    if spec.title is not None:
        problem = values.title(spec.title)
        if problem:
            raise ScaffoldError(f"--title: {problem}; nothing was written")


def parse_wall(text: str) -> dt.datetime:
    try:
        wall = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ScaffoldError(f"--start: {text!r} is not a local date and time; write e.g. 2027-01-16T15:00") from None
    if len(text.strip()) <= len("2027-01-16"):  # a date alone reads as midnight: rarely what was meant
        raise ScaffoldError(
            f"--start: {text.strip()!r} has no time; write the local time (e.g. {text.strip()}T15:00, or "
            f"{text.strip()}T00:00 for midnight)"
        )
    if wall.tzinfo is not None:
        raise ScaffoldError(
            f"--start: {text!r} has an offset; write the local wall time "
            f"(e.g. {wall.replace(tzinfo=None):%Y-%m-%dT%H:%M}) and give the zone with --timezone"
        )
    return wall.replace(second=0, microsecond=0)


def meeting_text(
    spec: MeetingSpec,
    wall: dt.datetime,
    zone: str,
    language: str,
    due: dt.date | None,
    names: dict[str, str] | None = None,
) -> str:
    """The meeting file; its items' topics in the meeting's language, naming each collective by its name."""
    from redflag_coord.i18n.labels import Labels, available, choose

    t = Labels(choose([language], available()))
    names = names or {}
    doc = tomlkit.document()
    doc.add(tomlkit.comment("start is the local wall time in `timezone` (an IANA zone name, never an offset)."))
    doc.add(tomlkit.comment("Find a time with 'redflag-coord slots ID' and set it with 'slots ID --apply N'."))
    doc["title"] = unicodedata.normalize("NFC", spec.title or spec.meeting_id)
    doc["start"] = wall
    doc["timezone"] = zone
    doc["duration_minutes"] = spec.duration_minutes
    doc["participants"] = list(spec.participants)
    if spec.participants:
        doc["opens"] = spec.participants[0]
    if due is not None:
        doc["reports_due"] = due
    doc["language"] = language
    if spec.participants:
        items = tomlkit.aot()
        for slug in spec.participants:
            item = tomlkit.table()
            item["topic"] = t("scaffold.report_from", name=names.get(slug, slug))
            item["duration_minutes"] = max(1, min(60, spec.duration_minutes // (len(spec.participants) + 1)))
            item["lead"] = slug
            item["kind"] = "report"
            items.append(item)
        doc["item"] = items
    return tomlkit.dumps(doc)


def new_meeting(root: Path, org: Organisation, spec: MeetingSpec, settings: Settings) -> Written:
    """Create collectives/CONVENER/meetings/ID.toml; refuses an id used anywhere in the organisation."""
    check_slug(spec.meeting_id, "meeting id")
    _check_title(spec)
    known_collective(org, spec.convener, "--convener")
    if not spec.participants:
        raise ScaffoldError("--participants: name at least one collective, e.g. --participants india,mexico")
    for slug in spec.participants:
        known_collective(org, slug, "--participants")
    if len(set(spec.participants)) != len(spec.participants):
        raise ScaffoldError("--participants: a collective is listed twice")
    if org.find_meeting(spec.meeting_id) is not None:
        raise ScaffoldError(f"meeting {spec.meeting_id!r} exists already ({org.find_meeting(spec.meeting_id)[0]})")  # type: ignore[index]
    if not 1 <= spec.duration_minutes <= 24 * 60:
        raise ScaffoldError("--duration: between 1 and 1440 minutes")
    convener = org.collectives[spec.convener].info
    zone = check_zone(spec.timezone or (convener.timezone if convener else "UTC"))
    wall = parse_wall(spec.start)
    problem = values.start(wall, zone, None if spec.allow_past else now_default())
    if problem:
        hint = " (--allow-past records a meeting already held)" if problem.endswith("in the past") else ""
        raise ScaffoldError(f"--start: {problem}{hint}; nothing was written")
    language = spec.language or (
        settings.defaults.language
        if "language" in settings.defaults.model_fields_set or convener is None
        else convener.languages[0]
    )
    if not re.match(LANGUAGE_PATTERN, language):
        raise ScaffoldError(f"--language: {language!r} is not a language code such as 'en'")
    days = spec.reports_due_days if spec.reports_due_days is not None else settings.defaults.reports_due_days
    due = wall.date() - dt.timedelta(days=days) if days else None
    rel = rel_path("meeting", spec.convener, spec.meeting_id)
    if (root / rel).exists():
        raise ScaffoldError(f"{rel} exists already; nothing was written")
    with Batch() as batch:  # a folder it makes is removed again if the write fails (full disk)
        batch.folder((root / rel).parent)
        written = _write_all(root, {rel: meeting_text(spec, wall, zone, language, due, org.names())})
    written.notes.append(f"Next: redflag-coord slots {spec.meeting_id} (then --apply N to set the time)")
    return written


def _write_folder(root: Path, slug: str, files: dict[str, str]) -> Written:
    """The folder and its files as one repo.journal change: all or nothing, and a second `new collective`
    of the same slug at the same moment finds the folder made under the lock (exit 1, nothing written)."""
    from redflag_coord.repo.journal import Change, apply

    change = Change("new collective")
    change.folder(f"{COLLECTIVES}/{slug}")
    for rel, text in files.items():
        change.write(rel, None, text.encode("utf-8"))
    apply(root, change)
    return Written(list(files))


def _write_all(root: Path, files: dict[str, str]) -> Written:
    out = Written()
    for rel, text in files.items():
        atomic_write(root / rel, text.encode("utf-8"))
        out.paths.append(rel)
    return out
