"""The agenda of a meeting: computed from the meeting file and the reports filed for it.

`build_agenda` returns an `Agenda` (plain dataclasses, instants as aware UTC
datetimes); the renderers in `agenda.text`, `agenda.html` and `agenda.as_json` turn it into text, Markdown, HTML
or JSON. Nothing private (emails, phones, pseudonyms, workplaces, notes) is
read into an Agenda unless `include_private` is set.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from redflag_coord.errors import RedflagError
from redflag_coord.i18n.labels import pick_language
from redflag_coord.org import figures
from redflag_coord.org.commitments import CommitmentState, for_meeting
from redflag_coord.org.decide import Review, reviews_for
from redflag_coord.org.lifecycle import to_approve
from redflag_coord.org.load import Organisation, rel_path
from redflag_coord.org.model import Meeting, Report, Stage
from redflag_coord.org.occurrences import Occurrence, OccurrenceError, accepts_reports, pick, reports_due
from redflag_coord.org.reportstate import MeetingReports, ReportState, Status, report_states
from redflag_coord.org.rota import propose
from redflag_coord.tz.zones import UTC, resolve, to_local, zone

Fit = Literal["inside", "partly", "outside"]


class AgendaError(RedflagError, ValueError):
    """The agenda cannot be built; `usage` when the request (not the data) is wrong."""

    usage = False

    def __init__(self, message: str, usage: bool | None = None) -> None:
        super().__init__(message, usage=usage)


@dataclass(frozen=True)
class Notice:
    """Something the reader must know, as a code and values (renderers put it in words)."""

    code: Literal["ambiguous-start", "cancelled", "tentative"]
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ZoneRow:
    collective: str
    name: str
    zone: str
    start: dt.datetime  # aware, in `zone`
    end: dt.datetime
    start_day_differs: bool  # local date differs from the meeting's date in the meeting's zone
    end_day_differs: bool


@dataclass(frozen=True)
class ItemSlot:
    number: int
    kind: str
    topic: str
    lead: str | None
    lead_name: str | None
    start: dt.datetime  # aware UTC
    end: dt.datetime
    minutes: int
    fit: Fit
    notes: str | None = None


@dataclass(frozen=True)
class TimeCheck:
    meeting_minutes: int
    scheduled_minutes: int
    over_minutes: int
    spare_minutes: int
    break_minutes: int
    outside: tuple[int, ...]  # item numbers that end after the meeting does


@dataclass(frozen=True)
class Distribution:
    site: str | None  # private: only with include_private (and an identity that opens it)
    copies: int
    date: dt.date | None


@dataclass(frozen=True)
class Article:
    title: str
    language: str
    status: str
    topic: str | None


@dataclass(frozen=True)
class RequestOut:
    source: str
    source_name: str
    to: str
    to_name: str
    text: str


@dataclass(frozen=True)
class Figures:
    """The numbers of one report, comparable between meetings. None: not reported (absent is not zero)."""

    copies: int | None
    readers: int | None
    recruits: int
    by_stage: dict[str, int] | None
    by_nature: dict[str, int] | None
    new: int | None
    moved_up: int | None


@dataclass(frozen=True)
class Change:
    """What changed since the same collective's report for the previous meeting."""

    previous_meeting: str
    copies: int | None  # None when either report left it out
    readers: int | None
    recruits: int
    by_stage: dict[str, int]  # only figures that changed
    by_nature: dict[str, int]
    not_reported: tuple[str, ...] = ()  # copies, readers, relationships: left out of either report (org.figures)


@dataclass(frozen=True)
class ReportSlot:
    collective: str
    name: str
    filed: dt.date  # the filed date of org.reportstate (git or the file), in the collective's zone
    filed_by: str | None
    on_time: bool | None  # None when the meeting sets no due date, or for a draft
    summary: str
    figures: Figures
    distribution: tuple[Distribution, ...]
    articles: tuple[Article, ...]
    requests: tuple[RequestOut, ...]
    change: Change | None
    private: dict[str, str] = field(default_factory=dict)  # only with include_private
    status: Status = "filed"  # filed, late or draft (org.reportstate)


@dataclass(frozen=True)
class MissingReport:
    collective: str
    name: str
    status: Literal["missing", "late", "draft"]
    filed: dt.date | None = None


@dataclass(frozen=True)
class RoleSlot:
    """A role at this meeting and who holds it: the rota's proposal, or the holder a recorded swap names."""

    role: str
    holder: str
    name: str  # a collective's name, or a member's handle


@dataclass(frozen=True)
class Agenda:
    meeting_id: str
    convener: str
    convener_name: str
    title: str
    status: str
    sequence: int
    description: str | None
    location: str | None
    url: str | None
    lang: str
    for_collective: str | None
    include_private: bool
    today: dt.date
    occurrence: Occurrence
    zone: str  # the meeting's zone
    view_zone: str  # the zone times are shown in first (the --for collective's, else the meeting's)
    start: dt.datetime  # aware UTC
    end: dt.datetime
    minutes: int
    opens: str | None
    opens_name: str | None
    reports_due: dt.date | None
    zones: tuple[ZoneRow, ...]
    items: tuple[ItemSlot, ...]
    time_check: TimeCheck
    reports: tuple[ReportSlot, ...]
    missing: tuple[MissingReport, ...]
    requests_to_you: tuple[RequestOut, ...]
    warnings: tuple[Notice, ...] = ()
    commitments: tuple[CommitmentState, ...] = ()  # open when the agenda is read, overdue first
    names: dict[str, str] = field(default_factory=dict)  # collective slug -> name, for the commitments block
    takes_reports: bool = True  # org.occurrences.accepts_reports: not cancelled, and reports asked for
    text_lang: str | None = None  # the meeting's `language`: that of its title, topics, description, location
    roles: tuple[RoleSlot, ...] = ()  # the body's rota (org.rota): each role's holder, after swaps
    approve: tuple[str, ...] = ()  # earlier meetings whose circulated minutes this one is to approve (org.lifecycle)
    reviews: tuple[Review, ...] = ()  # decisions whose review date this is the first meeting after (org.decide)

    @property
    def expects_reports(self) -> bool:
        """Whether a "missing reports" section belongs: never for a meeting that takes none (or cancelled)."""
        return self.takes_reports and (self.reports_due is not None or bool(self.reports))

    def local(self, instant: dt.datetime, zone_name: str | None = None) -> dt.datetime:
        """An instant of this agenda on the wall clock of a zone (default: the view zone)."""
        return to_local(instant, zone_name or self.view_zone)


# -- building -----------------------------------------------------------------------


def build_agenda(
    org: Organisation,
    meeting_id: str,
    *,
    lang: str | None = None,
    for_collective: str | None = None,
    include_private: bool = False,
    on: dt.date | None = None,
    today: dt.date | None = None,
    reports: bool = True,
) -> Agenda:
    """The agenda of `meeting_id` (for a recurring meeting: its occurrence `on`, else the next one).

    `reports=False` builds only what an invite shows (`render_invite_text`, `render_series_text`): no
    reports, missing reports, requests or commitments, so neither the reports nor git history nor
    every collective's minutes are read for it (a feed asks this for each of its meetings).
    """
    from redflag_coord.org.clock import today_default

    today = today or today_default()
    convener, meeting = org.meeting(meeting_id)
    if for_collective is not None:
        org.collective(for_collective, "--for")
    language = _language(org, meeting, lang, for_collective)
    occurrence = _occurrence(meeting, today, on)
    start, warnings = _start_instant(meeting, occurrence, rel_path("meeting", convener, meeting_id))
    if meeting.status.value != "confirmed":
        warnings.append(Notice(meeting.status.value))  # type: ignore[arg-type]
    elif occurrence.cancelled:  # one date of the series: the agenda says so, as report status does
        warnings.append(Notice("cancelled"))
    end = start + dt.timedelta(minutes=meeting.duration_minutes)
    names = org.names()
    view_zone = org.zone_of(for_collective) or meeting.timezone
    items = _items(meeting, start, end, names)
    states = report_states(org, meeting_id, occurrence) if reports else None
    slots = (
        _reports(org, convener, meeting_id, meeting, start, names, include_private, states)
        if states is not None
        else ()
    )
    return Agenda(
        meeting_id=meeting_id,
        convener=convener,
        convener_name=names.get(convener, convener),
        title=meeting.title,
        status=meeting.status.value,
        sequence=meeting.sequence,
        description=(meeting.description or "").strip() or None,
        location=meeting.location,
        url=meeting.url,
        lang=language,
        for_collective=for_collective,
        include_private=include_private,
        today=today,
        occurrence=occurrence,
        zone=meeting.timezone,
        view_zone=view_zone,
        start=start,
        end=end,
        minutes=meeting.duration_minutes,
        opens=meeting.opens,
        opens_name=names.get(meeting.opens) if meeting.opens else None,
        reports_due=reports_due(meeting, occurrence),
        zones=zone_rows(org, convener, meeting, start, end, for_collective),
        items=items,
        time_check=_time_check(meeting, items),
        reports=slots,
        missing=_missing(meeting, states, slots, names) if states is not None else (),
        requests_to_you=_requests_to(for_collective, slots),
        warnings=tuple(warnings),
        commitments=_commitments(org, meeting_id, for_collective) if reports else (),
        names=names,
        takes_reports=accepts_reports(meeting, occurrence),
        text_lang=meeting.language,
        roles=_roles(org, meeting_id, names),
        approve=to_approve(org, convener, meeting_id),
        reviews=tuple(reviews_for(org, meeting_id)) if reports else (),
    )


def _roles(org: Organisation, meeting_id: str, names: dict[str, str]) -> tuple[RoleSlot, ...]:
    proposal = propose(org, meeting_id)
    return tuple(RoleSlot(c.role, c.holder, names.get(c.holder, c.holder)) for c in proposal.roles if c.holder)


def _commitments(org: Organisation, meeting_id: str, for_collective: str | None) -> tuple[CommitmentState, ...]:
    return tuple(s for s in for_meeting(org, meeting_id) if for_collective in (None, s.owner, s.owed_to))


def _occurrence(meeting: Meeting, today: dt.date, on: dt.date | None) -> Occurrence:
    try:
        return pick(meeting, today, on, cancelled=True)  # a cancelled date is shown as cancelled, not refused
    except OccurrenceError as e:
        raise AgendaError(str(e), usage=True) from e


def _start_instant(meeting: Meeting, occ: Occurrence, rel: str) -> tuple[dt.datetime, list[Notice]]:
    wall = occ.wall(meeting)
    local = resolve(wall, meeting.timezone)
    when = wall.isoformat(timespec="minutes")
    if local.kind == "gap":
        raise AgendaError(
            f"{rel}: the meeting on {occ.date} would start at {when}, which does not exist in "
            f"{meeting.timezone} (the clocks skip that hour for daylight saving time); "
            f"move the meeting or add {occ.date} to its recurrence exceptions"
        )
    if local.kind == "ambiguous":
        return local.instants[0], [
            Notice("ambiguous-start", {"wall": when, "zone": meeting.timezone, "used": local.instants[0].isoformat()})
        ]
    return local.instant, []


def _language(org: Organisation, meeting: Meeting, lang: str | None, for_collective: str | None) -> str:
    wanted = org.languages_of(for_collective) or [meeting.language]
    try:
        return pick_language(lang, wanted)
    except ValueError as e:
        raise AgendaError(str(e), usage=True) from e


def zone_rows(
    org: Organisation,
    convener: str,
    meeting: Meeting,
    start: dt.datetime,
    end: dt.datetime,
    for_collective: str | None = None,
) -> tuple[ZoneRow, ...]:
    """Start and end in each participating collective's zone: the --for collective, the convener, then the rest."""
    order = [s for s in (for_collective, convener, *meeting.participants) if s]
    day = start.astimezone(zone(meeting.timezone)).date()
    rows: list[ZoneRow] = []
    for slug in dict.fromkeys(order):
        zone_name = org.zone_of(slug)
        if zone_name is None:
            continue
        s, e = start.astimezone(zone(zone_name)), end.astimezone(zone(zone_name))
        rows.append(ZoneRow(slug, org.name_of(slug), zone_name, s, e, s.date() != day, e.date() != day))
    return tuple(rows)


def item_times(start: dt.datetime, minutes: list[int]) -> list[tuple[dt.datetime, dt.datetime]]:
    """Start and end instants of consecutive items: elapsed time, so a DST change inside a meeting is right."""
    out = []
    at = start.astimezone(UTC)
    for m in minutes:
        nxt = at + dt.timedelta(minutes=m)
        out.append((at, nxt))
        at = nxt
    return out


def _items(meeting: Meeting, start: dt.datetime, end: dt.datetime, names: dict[str, str]) -> tuple[ItemSlot, ...]:
    times = item_times(start, [i.duration_minutes for i in meeting.items])
    out = []
    for n, (item, (s, e)) in enumerate(zip(meeting.items, times), start=1):
        fit: Fit = "inside" if e <= end else ("partly" if s < end else "outside")
        out.append(
            ItemSlot(
                n,
                item.kind.value,
                item.topic,
                item.lead,
                names.get(item.lead) if item.lead else None,
                s,
                e,
                item.duration_minutes,
                fit,
                item.notes,
            )
        )
    return tuple(out)


def _time_check(meeting: Meeting, items: tuple[ItemSlot, ...]) -> TimeCheck:
    used = sum(i.minutes for i in items)
    return TimeCheck(
        meeting_minutes=meeting.duration_minutes,
        scheduled_minutes=used,
        over_minutes=max(0, used - meeting.duration_minutes),
        spare_minutes=max(0, meeting.duration_minutes - used),
        break_minutes=sum(i.minutes for i in items if i.kind == "break"),
        outside=tuple(i.number for i in items if i.fit != "inside"),
    )


# -- reports ---------------------------------------------------------------------------


def _reports(
    org: Organisation,
    convener: str,
    meeting_id: str,
    meeting: Meeting,
    start: dt.datetime,
    names: dict[str, str],
    include_private: bool,
    states: MeetingReports,
) -> tuple[ReportSlot, ...]:
    filed = org.reports_for(meeting_id)
    state = states.by_collective()
    previous = previous_meeting(org, convener, meeting_id, start)
    before = org.reports_for(previous) if previous else {}
    order = [i.lead for i in meeting.items if i.lead] + list(meeting.participants) + sorted(filed)
    slots = []
    for slug in dict.fromkeys(order):
        if slug not in filed:
            continue
        report = filed[slug]
        figures = figures_of(report)
        change = _change(previous, figures, figures_of(before[slug])) if previous and slug in before else None
        slots.append(_slot(org, slug, report, state[slug], figures, change, names, include_private))
    return tuple(slots)


def previous_meeting(org: Organisation, convener: str, meeting_id: str, start: dt.datetime) -> str | None:
    """The convener's latest one-off meeting before `start` (recurring series are not compared)."""
    c = org.collectives.get(convener)
    best: tuple[dt.datetime, str] | None = None
    for mid, m in c.meetings.items() if c else ():
        if mid == meeting_id or m.recurrence is not None:
            continue
        local = resolve(m.start, m.timezone)
        if local.instants and local.instants[0] < start and (best is None or local.instants[0] > best[0]):
            best = (local.instants[0], mid)
    return best[1] if best else None


def figures_of(r: Report) -> Figures:
    rel, flag = r.relationships, r.red_flag
    stages = {s.value: rel.by_stage[s] for s in Stage if s in rel.by_stage} if rel else None
    return Figures(
        copies=flag.copies if flag and flag.distribution else None,  # as `network` counts them
        readers=flag.readers if flag else None,
        recruits=r.recruits,
        by_stage=stages,
        by_nature=dict(rel.by_nature) if rel else None,
        new=rel.new if rel else None,
        moved_up=rel.moved_up if rel else None,
    )


def _change(previous: str, now: Figures, then: Figures) -> Change:
    copies, readers = figures.difference(now.copies, then.copies), figures.difference(now.readers, then.readers)
    unreported = [("copies", copies is None), ("readers", readers is None)]
    unreported.append(("relationships", now.by_stage is None or then.by_stage is None))
    return Change(
        previous_meeting=previous,
        copies=copies,
        readers=readers,
        recruits=now.recruits - then.recruits,
        by_stage=_deltas(now.by_stage, then.by_stage, [s.value for s in Stage]),
        by_nature=_deltas(now.by_nature, then.by_nature, sorted({*(now.by_nature or {}), *(then.by_nature or {})})),
        not_reported=tuple(name for name, left_out in unreported if left_out),
    )


def _deltas(now: dict[str, int] | None, then: dict[str, int] | None, keys: list[str]) -> dict[str, int]:
    if now is None or then is None:  # not reported in one of them: no change to show
        return {}
    out = {k: now.get(k, 0) - then.get(k, 0) for k in keys}
    return {k: v for k, v in out.items() if v}


def _slot(
    org: Organisation,
    slug: str,
    r: Report,
    state: ReportState,
    figures: Figures,
    change: Change | None,
    names: dict[str, str],
    include_private: bool,
) -> ReportSlot:
    return ReportSlot(
        collective=slug,
        name=names.get(slug, slug),
        filed=state.filed or r.filed,
        filed_by=r.filed_by,
        on_time=state.on_time,
        summary=r.summary.strip(),
        figures=figures,
        distribution=tuple(
            Distribution(d.site if include_private else None, d.copies, d.date)
            for d in (r.red_flag.distribution if r.red_flag else [])
        ),
        articles=tuple(Article(a.title, a.language, a.status.value, a.topic) for a in r.articles),
        requests=tuple(
            RequestOut(slug, names.get(slug, slug), q.to, names.get(q.to, q.to), q.text.strip()) for q in r.requests
        ),
        change=change,
        private=_filer_contact(org, slug, r.filed_by) if include_private else {},
        status=state.status,
    )


def _filer_contact(org: Organisation, slug: str, handle: str | None) -> dict[str, str]:
    """With --include-private: how to reach the member who filed the report."""
    c = org.collectives.get(slug)
    for m in c.members.members if c and c.members else []:
        if m.handle == handle:
            return {k: v for k, v in (("email", m.email), ("phone", m.phone)) if v}
    return {}


def _missing(
    meeting: Meeting, states: MeetingReports, reports: tuple[ReportSlot, ...], names: dict[str, str]
) -> tuple[MissingReport, ...]:
    """Invited collectives without a finished report on time (missing, draft or late), from org.reportstate;
    a meeting that takes no reports (a study group) or is cancelled (org.occurrences.accepts_reports), or has
    no due date and no reports, asks for none."""
    if not states.accepts or (states.due is None and not reports):
        return ()
    out = []
    for s in states.states:
        if s.status == "filed" or (s.status == "late" and states.due is None):
            continue
        filed = s.filed if s.status in ("late", "draft") else None
        out.append(MissingReport(s.collective, names.get(s.collective, s.collective), s.status, filed))
    return tuple(out)


def _requests_to(slug: str | None, reports: tuple[ReportSlot, ...]) -> tuple[RequestOut, ...]:
    if slug is None:
        return ()
    return tuple(q for r in reports for q in r.requests if q.to == slug)
