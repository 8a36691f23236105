"""The checks across meeting, member, relationship and report files: references resolve, names and ids
are unique, dates come in order, wall times exist. The registry (check.registry) names each one.

Each check is one pass over what was loaded (linear in the number of files);
lookups go through dicts built once.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from itertools import pairwise
from typing import Literal

from redflag_coord.org.clock import today_default
from redflag_coord.org.load import CollectiveData, Organisation, rel_path
from redflag_coord.org.model import (
    DAY_KEYS,
    DEFAULT_NATURES,
    SEALED_PREFIX,
    Availability,
    BandHours,
    Meeting,
    Report,
    hours_minutes,
)
from redflag_coord.org.problems import Problems, format_key
from redflag_coord.org.reportstate import PLACEHOLDER, is_draft
from redflag_coord.org.textcheck import confusable_groups
from redflag_coord.tz.zones import resolve


def check_settings_file(org: Organisation, out: Problems) -> None:
    """organisation.toml against its model; organiser addresses that can never receive replies are warnings."""
    from redflag_coord.org.settings import SETTINGS_FILE, check_settings, undeliverable

    settings, problems = check_settings(org.root)
    out.extend(problems)
    cal = settings.calendar
    for key, address in [(("calendar", "organiser"), cal.organiser)] + [
        (("calendar", "organisers", slug), a) for slug, a in cal.organisers.items()
    ]:
        if address is not None and undeliverable(address):
            out.add(
                SETTINGS_FILE,
                "undeliverable-organiser",
                f"{address!r} cannot receive mail (a reserved domain): replies to invitations would be lost; "
                "give an address the organisation reads",
                key=key,
                severity="warning",
            )
    for slug in cal.organisers:
        if slug not in org.collectives:
            out.add(
                SETTINGS_FILE,
                "unknown-collective",
                _no_collective(slug, org.collectives),
                key=("calendar", "organisers", slug),
            )


def check_lookalikes(org: Organisation, out: Problems) -> None:
    """Collective names and handles that look the same but differ (Unicode TR 39 skeletons): an error naming both."""
    names: list[tuple[str, str, tuple]] = []
    handles: list[tuple[str, str, tuple]] = []
    for c in org.collectives.values():
        if c.info is not None:
            names.append((c.info.name, rel_path("collective", c.slug), ("name",)))
        if c.members is not None:
            rel = rel_path("members", c.slug)
            handles.extend((m.handle, rel, ("member", i, "handle")) for i, m in enumerate(c.members.members))
    for what, entries in (("collective name", names), ("handle", handles)):
        for group in confusable_groups(entries):
            first_text, first_rel, first_key = group[0]
            for text, rel, key in group[1:]:
                if what == "handle" and text == first_text:
                    continue  # the same handle twice: reported as duplicate-handle
                same = "is the same text as" if text == first_text else "looks the same as"
                out.add(
                    rel,
                    "lookalike-name",
                    f"{what} {text!a} {same} {first_text!a} in {first_rel} "
                    f"({format_key(first_key)}); one could pass for the other: make them clearly different",
                    key=key,
                )


# -- uniqueness -----------------------------------------------------------------


def check_handles(org: Organisation, out: Problems) -> dict[str, str]:
    """Handles are unique across the organisation; returns handle -> collective."""
    seen: dict[str, tuple[str, int]] = {}
    owner: dict[str, str] = {}
    for c in org.collectives.values():
        if c.members is None:
            continue
        rel = rel_path("members", c.slug)
        for i, m in enumerate(c.members.members):
            if m.handle in seen:
                other, j = seen[m.handle]
                where = "earlier in this file" if other == rel else f"in {other}"
                out.add(
                    rel,
                    "duplicate-handle",
                    f"handle {m.handle!r} is already used {where} "
                    f"(member[{j}]); each member needs a handle of their own",
                    key=("member", i, "handle"),
                )
                continue
            seen[m.handle] = (rel, i)
            owner[m.handle] = c.slug
    return owner


def check_meeting_ids(org: Organisation, out: Problems) -> dict[str, tuple[str, Meeting]]:
    found: dict[str, tuple[str, Meeting]] = {}
    for c in org.collectives.values():
        for mid, meeting in c.meetings.items():
            if mid in found:
                other = rel_path("meeting", found[mid][0], mid)
                out.add(
                    rel_path("meeting", c.slug, mid),
                    "duplicate-meeting",
                    f"meeting id {mid!r} is already used by {other}; meeting ids are unique "
                    "across the organisation, so rename one file",
                )
                continue
            found[mid] = (c.slug, meeting)
    return found


# -- meetings ---------------------------------------------------------------------


def check_meeting(org: Organisation, slug: str, mid: str, m: Meeting, out: Problems) -> None:
    rel = rel_path("meeting", slug, mid)
    known = org.collectives
    seen: set[str] = set()
    for i, p in enumerate(m.participants):
        if p not in known:
            out.add(rel, "unresolved-ref", _no_collective(p, known), key=("participants", i))
        elif p in seen:
            out.add(rel, "duplicate-participant", f"{p!r} is listed twice", key=("participants", i), severity="warning")
        seen.add(p)
    if m.opens is not None:
        if m.opens not in known:
            out.add(rel, "unresolved-ref", _no_collective(m.opens, known), key=("opens",))
        elif m.opens not in seen:
            out.add(
                rel,
                "not-invited",
                f"{m.opens!r} opens the meeting but is not in participants; add it there",
                key=("opens",),
            )
    for i, item in enumerate(m.items):
        if item.lead is None:
            continue
        if item.lead not in known:
            out.add(rel, "unresolved-ref", _no_collective(item.lead, known), key=("item", i, "lead"))
        elif item.lead not in seen and item.lead != slug:
            out.add(
                rel,
                "not-invited",
                f"{item.lead!r} leads an item but is not in participants",
                key=("item", i, "lead"),
                severity="warning",
            )
    _check_meeting_times(rel, m, out)


def _check_occurrences(rel: str, m: Meeting, out: Problems) -> None:
    """Every occurrence (up to the horizon for an open-ended series) in the zone, and the
    [[occurrence]] entries against the series."""
    from redflag_coord.org.occurrences import horizon, occurrences, rule, time_problems

    rl = rule(m)
    assert rl is not None
    problem = rl.problem()
    if problem:
        out.add(rel, "bad-recurrence", f"{problem}: move 'start' to a meeting day", key=("start",))
        return
    if (m.recurrence and m.recurrence.until is not None and m.recurrence.count is not None) or (
        m.recurrence and m.recurrence.until is not None and m.recurrence.until < m.start.date()
    ):
        return  # reported below
    if not occurrences(m, horizon(m, today_default())):
        out.add(
            rel,
            "no-occurrence",
            "every meeting of the series is excluded or cancelled: nothing is left to hold or to invite to; "
            "remove an exception or a cancellation, or delete the meeting",
            key=("recurrence",),
        )
        return
    for p in time_problems(m, today_default()):
        if p.occurrence.original == m.start.date() and not p.occurrence.moved:
            continue  # the first meeting's start is checked above
        index = next((i for i, c in enumerate(m.occurrences) if c.date == p.occurrence.original), None)
        key = ("occurrence", index, "start") if index is not None and p.occurrence.moved else ("start",)
        severity: Literal["error", "warning"] = "error" if p.kind == "gap" else "warning"
        out.add(rel, f"dst-{p.kind}", p.message, key=key, severity=severity)
    days = set(rl.raw_through(max((c.date for c in m.occurrences), default=rl.start)))
    seen: set[dt.date] = set()
    for i, c in enumerate(m.occurrences):
        if c.date not in days:
            out.add(
                rel,
                "bad-occurrence",
                f"occurrence {c.date} is not a date of the series; give the date the series gives for it",
                key=("occurrence", i, "date"),
            )
        elif c.date in seen:
            out.add(rel, "bad-occurrence", f"occurrence {c.date} is given twice", key=("occurrence", i, "date"))
        if c.cancelled == (c.start is not None):
            out.add(
                rel,
                "bad-occurrence",
                f"occurrence {c.date}: give either a new 'start' or 'cancelled = true'",
                key=("occurrence", i),
            )
        seen.add(c.date)


def _check_meeting_times(rel: str, m: Meeting, out: Problems) -> None:
    local = resolve(m.start, m.timezone)
    wall = m.start.isoformat(timespec="minutes")
    if local.kind == "gap":
        out.add(
            rel,
            "dst-gap",
            f"{wall} does not exist in {m.timezone}: the clocks skip that hour "
            "for daylight saving time; choose a time outside the gap",
            key=("start",),
        )
    elif local.kind == "ambiguous":
        a, b = (t.strftime("%H:%M UTC") for t in local.instants)
        out.add(
            rel,
            "dst-ambiguous",
            f"{wall} occurs twice in {m.timezone} (at {a} and at {b}) as the "
            "clocks go back; the earlier is used: move the meeting to be unambiguous",
            key=("start",),
            severity="warning",
        )
    if m.recurrence is not None:
        _check_occurrences(rel, m, out)
    elif m.occurrences:
        out.add(
            rel,
            "bad-occurrence",
            "[[occurrence]] moves or cancels one date of a recurring meeting; this meeting has no "
            "[recurrence]: change 'start' or 'status' instead",
            key=("occurrence", 0),
            severity="warning",
        )
    if m.reports_due is not None and m.reports_due > m.start.date():
        out.add(
            rel,
            "date-order",
            f"reports_due {m.reports_due} is after the meeting ({m.start.date()})",
            key=("reports_due",),
        )
    r = m.recurrence
    if r is not None:
        if r.until is not None and r.until < m.start.date():
            out.add(
                rel,
                "date-order",
                f"recurrence ends ({r.until}) before the first meeting ({m.start.date()})",
                key=("recurrence", "until"),
            )
        if r.until is not None and r.count is not None:
            out.add(rel, "bad-recurrence", "give either 'until' or 'count', not both", key=("recurrence", "count"))
    used = sum(i.duration_minutes for i in m.items)
    if used > m.duration_minutes:
        out.add(
            rel,
            "items-overrun",
            f"items take {used} minutes but the meeting lasts "
            f"{m.duration_minutes}: {used - m.duration_minutes} minutes over",
            key=("duration_minutes",),
            severity="warning",
        )


def _no_collective(slug: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(slug, list(known), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else "; it must name a folder in collectives/"
    return f"no collective {slug!r}{hint}"


# -- availability -------------------------------------------------------------------


def check_availability(rel: str, a: Availability | BandHours, out: Problems, key: tuple = ("availability",)) -> None:
    """Each range starts before it ends (within the day); ranges of one list do not overlap."""
    for day in DAY_KEYS:
        spans: list[tuple[int, int, int]] = []
        for i, hours in enumerate(getattr(a, day) or ()):
            start, end = hours_minutes(hours)
            where = key + (day, i)
            if max(start, end) > 24 * 60:
                out.add(rel, "bad-hours", f"{hours!r}: a day ends at 24:00", key=where)
            elif start >= end:
                out.add(
                    rel,
                    "bad-hours",
                    f"{hours!r} does not start before it ends; a range cannot cross "
                    "midnight: write the hours before midnight here and the rest on the next day",
                    key=where,
                )
            else:
                spans.append((start, end, i))
        spans.sort()
        for (_s1, e1, i1), (s2, _e2, i2) in pairwise(spans):
            if s2 < e1:
                out.add(
                    rel,
                    "overlapping-hours",
                    f"{getattr(a, day)[i2]!r} overlaps {getattr(a, day)[i1]!r}; merge them",
                    key=key + (day, i2),
                    severity="warning",
                )
    if isinstance(a, Availability):
        for band in ("good", "poor"):
            if getattr(a, band) is not None:
                check_availability(rel, getattr(a, band), out, key + (band,))


# -- reports ------------------------------------------------------------------------


def check_report(
    org: Organisation,
    c: CollectiveData,
    mid: str,
    r: Report,
    meetings: dict[str, tuple[str, Meeting]],
    out: Problems,
    handles: set[str] | None = None,
) -> None:
    """`handles`: the collective's member handles, when the caller has them already."""
    rel = rel_path("report", c.slug, mid)
    if mid not in meetings:
        if _meeting_failed(org, mid):
            return
        close = difflib.get_close_matches(mid, list(meetings), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else "; name the file after a meeting id"
        out.add(rel, "unresolved-ref", f"no meeting {mid!r} for this report{hint}")
    else:
        convener, meeting = meetings[mid]
        if c.slug not in meeting.participants and c.slug != convener:
            out.add(
                rel,
                "not-invited",
                f"{c.slug!r} is not a participant of meeting {mid!r} "
                f"({rel_path('meeting', convener, mid)}); ask its convener to add it",
            )
        if r.filed > meeting.start.date():
            out.add(
                rel,
                "report-after-meeting",
                f"the report is dated {r.filed}, after its meeting on "
                f"{meeting.start.date()}; a report is filed before the meeting",
                key=("filed",),
            )
    if is_draft(r):
        out.add(
            rel,
            "draft-report",
            f"the summary still starts with {PLACEHOLDER!r} from the template: write the report "
            "(it counts as a draft, not as filed, until then)",
            key=("summary",),
            severity="warning",
        )
    if handles is None:
        handles = {m.handle for m in c.members.members} if c.members else set()
    # a fetched collective's members stay in its own repository (issue 34): its own validate checks the filer
    fetched = c.slug in org.fetched
    if r.filed_by is not None and r.filed_by not in handles and org.loaded("members", c.slug) and not fetched:
        out.add(rel, "unresolved-ref", f"no member {r.filed_by!r} in {rel_path('members', c.slug)}", key=("filed_by",))
    for i, req in enumerate(r.requests):
        if req.to not in org.collectives:
            out.add(rel, "unresolved-ref", _no_collective(req.to, org.collectives), key=("request", i, "to"))
        elif req.to == c.slug:
            out.add(
                rel,
                "self-request",
                "a request from this collective to itself; address it to another collective",
                key=("request", i, "to"),
                severity="warning",
            )


def _meeting_failed(org: Organisation, mid: str) -> bool:
    return any(f.endswith(f"/meetings/{mid}.toml") for f in org.failed)


# -- relationships ----------------------------------------------------------------------


def check_relationships(
    org: Organisation, c: CollectiveData, handles: dict[str, str], out: Problems, today: dt.date
) -> None:
    if c.relationships is None:
        return
    members_ok = org.loaded("members", c.slug)
    rel = rel_path("relationships", c.slug)
    members = {m.handle for m in c.members.members} if c.members else set()
    natures = set(DEFAULT_NATURES) | set(c.relationships.natures)
    pseudonyms: dict[str, int] = {}
    for i, r in enumerate(c.relationships.relationships):
        key = ("relationship", i)
        if r.comrade not in members and members_ok:
            where = f"; {r.comrade!r} is a member of {handles[r.comrade]!r}" if r.comrade in handles else ""
            out.add(
                rel,
                "unresolved-ref",
                f"no member {r.comrade!r} in {rel_path('members', c.slug)}{where}",
                key=key + ("comrade",),
            )
        if r.nature not in natures:
            out.add(
                rel,
                "bad-choice",
                f"nature {r.nature!r} is not known; choose one of "
                f"{', '.join(sorted(natures))}, or add it to 'natures' at the top of this file",
                key=key + ("nature",),
            )
        if r.pseudonym.startswith(SEALED_PREFIX):  # unreadable here: its twin, if any, is checked by a key holder
            pass
        elif r.pseudonym in pseudonyms:
            out.add(
                rel,
                "duplicate-pseudonym",
                f"the pseudonym is already used by relationship[{pseudonyms[r.pseudonym]}]",
                key=key + ("pseudonym",),
            )
        pseudonyms.setdefault(r.pseudonym, i)
        _relationship_dates(rel, key, r, out, today)


def _relationship_dates(rel: str, key: tuple, r, out: Problems, today: dt.date) -> None:
    for name in ("since", "last_contact"):
        value = getattr(r, name)
        if value is not None and value > today:
            out.add(rel, "future-date", f"{name} {value} is in the future (today is {today})", key=key + (name,))
    if r.last_contact is not None and r.last_contact < r.since:
        out.add(
            rel, "date-order", f"last_contact {r.last_contact} is before since {r.since}", key=key + ("last_contact",)
        )
    previous = None
    for j, step in enumerate(r.history):
        hkey = key + ("history", j)
        if step.date < r.since:
            out.add(
                rel,
                "date-order",
                f"history date {step.date} is before since {r.since}, when the relationship began",
                key=hkey + ("date",),
            )
        if step.date > today:
            out.add(rel, "future-date", f"date {step.date} is in the future (today is {today})", key=hkey + ("date",))
        if previous is not None:
            if step.date < previous.date:
                out.add(
                    rel,
                    "date-order",
                    f"history is out of order: {step.date} comes after {previous.date}",
                    key=hkey + ("date",),
                )
            if step.stage.rank < previous.stage.rank and not step.note:
                out.add(
                    rel,
                    "stage-backwards",
                    f"stage goes back from {previous.stage.value!r} to "
                    f'{step.stage.value!r} without a note; add note = "..." saying why',
                    key=hkey + ("stage",),
                )
        previous = step
    if previous is not None and previous.stage != r.stage:
        out.add(
            rel,
            "stage-mismatch",
            f"stage is {r.stage.value!r} but the last history entry says {previous.stage.value!r}",
            key=key + ("stage",),
            severity="warning",
        )


def check_assessments(org: Organisation, ids: list[str], out: Problems) -> None:
    """Each relationship's `assessment` is one id of the organisation's scale; the scale names each id once."""
    from redflag_coord.org.settings import SETTINGS_FILE

    seen: set[str] = set()
    for i, level_id in enumerate(ids):
        if level_id in seen:
            out.add(
                SETTINGS_FILE,
                "duplicate-assessment",
                f"the assessment id {level_id!r} is in the scale twice: give each step its own id",
                key=("relationships", "assessment", i, "id"),
            )
        seen.add(level_id)
    for c in org.collectives.values():
        if c.relationships is None:
            continue
        rel = rel_path("relationships", c.slug)
        for i, r in enumerate(c.relationships.relationships):
            if r.assessment is not None and r.assessment not in seen:
                out.add(
                    rel,
                    "unknown-assessment",
                    f"assessment {r.assessment!r} is not on the organisation's scale; choose one of "
                    f"{', '.join(ids)} (the scale is [relationships] assessment in {SETTINGS_FILE})",
                    key=("relationship", i, "assessment"),
                )
