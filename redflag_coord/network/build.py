"""Relationship circles and Red Flag networks: the figures behind `redflag-coord network`.

`network()` is a pure function of a loaded organisation and a day: it counts
relationships by stage and nature (per collective and per comrade), the
movement since the previous report, the funnel from reader to recruit, and the
Red Flag figures each report carried. Counts only, unless `include_private`
asks for the relationships themselves (pseudonyms, workplaces, notes).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from redflag_coord.errors import RedflagError
from redflag_coord.org import figures
from redflag_coord.org.followups import FollowUpCounts
from redflag_coord.org.followups import counts as follow_up_counts
from redflag_coord.org.load import CollectiveData, Organisation
from redflag_coord.org.model import Kind, Meeting, Relationship, Report, Stage
from redflag_coord.org.reportstate import ReportState, report_states
from redflag_coord.tz.zones import resolve

STAGES: tuple[Stage, ...] = tuple(Stage)
FUNNEL: tuple[Stage, ...] = (Stage.reader, Stage.writer, Stage.study_group, Stage.recruit)
DEFAULT_STALE_WEEKS = 8


@dataclass
class Counts:
    """Relationships by stage (every stage, in path order) and by nature (largest first)."""

    total: int
    by_stage: dict[str, int]
    by_nature: dict[str, int]
    by_assessment: dict[str, int] = field(default_factory=dict)  # the scale's ids (issue 33), largest first


@dataclass
class Movement:
    """What moved since `since` (the previous report's filing date), and who went quiet."""

    since: dt.date | None
    baseline: str | None  # the meeting id of the previous report
    new: int | None
    moved_up: int | None
    stale: int
    stale_weeks: int


@dataclass
class Mark:
    """One relationship as the circles draw it: stage, nature and movement, never who or where.

    Marks are sorted by stage, nature and movement, so their order says nothing about the file.
    """

    stage: str
    nature: str
    new: bool
    moved_from: str | None  # the stage it had at the previous report, when it has moved inward since
    stale: bool


@dataclass
class ComradeFigures:
    handle: str
    counts: Counts
    new: int | None
    moved_up: int | None
    stale: int
    circle: list[Mark] = field(default_factory=list)


@dataclass
class FunnelStep:
    """Relationships that have reached `stage` or gone beyond it."""

    stage: str
    reached: int
    share_of_previous: float | None  # None for the first step or when the previous step is empty


@dataclass
class ReportPoint:
    """The figures one report carried, for the meeting it reports to."""

    meeting: str
    meeting_date: dt.date | None
    filed: dt.date
    copies: int | None
    sites: int | None
    readers: int | None
    recruits: int
    relationships: int | None
    by_stage: dict[str, int] | None
    new: int | None
    moved_up: int | None
    site_names: list[str] | None = None  # private: where the paper goes
    reported_by: int = 1  # collectives whose reports are added up in this point
    status: str = "filed"  # org.reportstate: filed, late or draft; drafts stay out of trends and totals


@dataclass
class Trend:
    """org.figures.trend: change None when the latest report, or every earlier one, left the figure out."""

    figure: str
    values: list[int | None]
    first: int | None
    last: int | None
    change: int | None
    reported_by: list[int] | None = None  # the organisation: per meeting, the reports that gave this figure


@dataclass
class RelationshipLine:
    """One relationship, with its private fields: only with include_private."""

    pseudonym: str
    nature: str
    stage: str
    comrade: str
    since: dt.date
    last_contact: dt.date | None
    days_without_contact: int
    new: bool
    moved_up: bool
    stale: bool
    workplace: str | None
    notes: str | None
    history: list[dict[str, str | None]]


@dataclass
class CollectiveNetwork:
    slug: str
    name: str
    counts: Counts
    movement: Movement
    funnel: list[FunnelStep]
    comrades: list[ComradeFigures]
    without_relationships: list[str]
    reports: list[ReportPoint]
    trends: list[Trend]
    circle: list[Mark] = field(default_factory=list)
    relationships: list[RelationshipLine] | None = None
    # next steps due (within a week) and overdue on the collective's wall clock: counts only, never who or what
    follow_ups: FollowUpCounts = field(default_factory=FollowUpCounts)


@dataclass
class Overview:
    """The organisation as a whole: the collectives' figures added up."""

    collectives: int
    counts: Counts
    new: int
    moved_up: int
    stale: int
    funnel: list[FunnelStep]
    comrades: int
    without_relationships: int
    reports: list[ReportPoint]
    trends: list[Trend]
    circle: list[Mark] = field(default_factory=list)
    follow_ups: FollowUpCounts = field(default_factory=FollowUpCounts)


@dataclass
class Network:
    today: dt.date
    stale_weeks: int
    include_private: bool
    collectives: list[CollectiveNetwork] = field(default_factory=list)
    overview: Overview | None = None  # only for the whole organisation


class UnknownCollective(RedflagError, ValueError):
    """A collective slug that names no folder in collectives/."""

    usage = True


# -- entry point --------------------------------------------------------------------


def network(
    org: Organisation,
    collective: str | None = None,
    *,
    today: dt.date,
    stale_weeks: int = DEFAULT_STALE_WEEKS,
    include_private: bool = False,
    since: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Network:
    """The network figures of one collective, or of every collective that builds networks.

    `since` overrides the baseline date (by default the filing date of each
    collective's latest report to a meeting held before `today`). `now` (aware) is the instant follow-ups
    are judged at, each on its collective's wall clock (default: noon UTC of `today`).
    """
    moment = now if now is not None else dt.datetime.combine(today, dt.time(12), dt.UTC)
    if collective is not None and collective not in org.collectives:
        raise UnknownCollective(collective)
    if include_private and collective is None:
        raise ValueError("private details are given for one collective at a time")
    meetings = org.meetings()
    chosen = (
        [org.collectives[collective]]
        if collective
        else [c for c in sorted(org.collectives.values(), key=lambda c: c.slug) if builds_networks(c)]
    )
    result = Network(today=today, stale_weeks=stale_weeks, include_private=include_private)
    states = _report_states(org, chosen, today)
    for c in chosen:
        filed = {mid: s.filed for (slug, mid), s in states.items() if slug == c.slug and s.filed is not None}
        net = collective_network(c, meetings, today, stale_weeks, include_private, since, filed)
        for p in net.reports:
            state = states.get((c.slug, p.meeting))
            if state is not None:
                p.status = state.status
        net.trends = trends([p for p in net.reports if p.status != "draft"])
        net.follow_ups = follow_up_counts(org, c, moment)
        result.collectives.append(net)
    if collective is None:
        result.overview = overview(result.collectives)
    return result


def _report_states(
    org: Organisation, chosen: Sequence[CollectiveData], today: dt.date
) -> dict[tuple[str, str], ReportState]:
    """(collective, meeting) -> the report's state (org.reportstate), one git question per meeting."""
    wanted = {mid for c in chosen for mid in c.reports if org.find_meeting(mid) is not None}
    out = {}
    for mid in sorted(wanted):
        for state in report_states(org, mid, today=today).states:
            out[(state.collective, mid)] = state
    return out


def builds_networks(c: CollectiveData) -> bool:
    """Collectives proper (with members), and any collective that keeps relationships."""
    if c.relationships is not None:
        return True
    kind = c.info.kind if c.info else Kind.collective
    return kind is Kind.collective and c.members is not None and bool(c.members.members)


# -- one collective -------------------------------------------------------------------


def collective_network(
    c: CollectiveData,
    meetings: dict[str, tuple[str, Meeting]],
    today: dt.date,
    stale_weeks: int,
    include_private: bool,
    since: dt.date | None = None,
    filed: Mapping[str, dt.date] | None = None,
) -> CollectiveNetwork:
    """`filed`: meeting id -> the report's filed date (org.reportstate: git or the file), the one every
    command names; without it, the reports' `filed` keys."""
    rels = list(c.relationships.relationships) if c.relationships else []
    reports = ordered_reports(c.reports, meetings)
    dates = {mid: (filed or {}).get(mid, r.filed) for mid, r in reports}
    baseline_id, baseline = previous_report(reports, meetings, today)
    cut = since if since is not None else (dates[baseline_id] if baseline_id and baseline else None)
    handles = [m.handle for m in c.members.members] if c.members else []
    holders = _by_comrade(rels, handles)
    points = [replace(report_point(mid, r, meetings, include_private), filed=dates[mid]) for mid, r in reports]
    return CollectiveNetwork(
        slug=c.slug,
        name=c.name,
        counts=count(rels),
        movement=Movement(
            since=cut,
            baseline=baseline_id if since is None else None,
            new=_count_if(rels, lambda r: is_new(r, cut)) if cut else None,
            moved_up=_count_if(rels, lambda r: moved_up(r, cut)) if cut else None,
            stale=_count_if(rels, lambda r: is_stale(r, today, stale_weeks)),
            stale_weeks=stale_weeks,
        ),
        funnel=funnel(r.stage for r in rels),
        comrades=[comrade_figures(h, holders[h], cut, today, stale_weeks) for h in holders if holders[h]],
        without_relationships=[h for h in handles if not holders.get(h)],
        reports=points,
        trends=trends(points),
        circle=circle(rels, cut, today, stale_weeks),
        relationships=[relationship_line(r, cut, today, stale_weeks) for r in rels] if include_private else None,
    )


def _by_comrade(rels: Iterable[Relationship], handles: Sequence[str]) -> dict[str, list[Relationship]]:
    """Members in file order, then any other holder; each with the relationships they hold."""
    out: dict[str, list[Relationship]] = {h: [] for h in handles}
    for r in rels:
        out.setdefault(r.comrade, []).append(r)
    return out


def comrade_figures(
    handle: str, rels: list[Relationship], cut: dt.date | None, today: dt.date, stale_weeks: int
) -> ComradeFigures:
    return ComradeFigures(
        handle=handle,
        counts=count(rels),
        new=_count_if(rels, lambda r: is_new(r, cut)) if cut else None,
        moved_up=_count_if(rels, lambda r: moved_up(r, cut)) if cut else None,
        stale=_count_if(rels, lambda r: is_stale(r, today, stale_weeks)),
        circle=circle(rels, cut, today, stale_weeks),
    )


def mark(r: Relationship, cut: dt.date | None, today: dt.date, stale_weeks: int) -> Mark:
    before = stage_on(r, cut) if cut is not None else None
    return Mark(
        stage=r.stage.value,
        nature=r.nature,
        new=cut is not None and is_new(r, cut),
        moved_from=before.value if before is not None and r.stage.rank > before.rank else None,
        stale=is_stale(r, today, stale_weeks),
    )


def circle(rels: Iterable[Relationship], cut: dt.date | None, today: dt.date, stale_weeks: int) -> list[Mark]:
    """Every relationship as a mark, in an order that follows the figures, not the file."""
    return sorted((mark(r, cut, today, stale_weeks) for r in rels), key=mark_key)


def mark_key(m: Mark) -> tuple:
    from_rank = Stage(m.moved_from).rank if m.moved_from else -1
    return (Stage(m.stage).rank, m.nature, m.new, from_rank, m.stale)


def relationship_line(r: Relationship, cut: dt.date | None, today: dt.date, stale_weeks: int) -> RelationshipLine:
    return RelationshipLine(
        pseudonym=r.pseudonym,
        nature=r.nature,
        stage=r.stage.value,
        comrade=r.comrade,
        since=r.since,
        last_contact=r.last_contact,
        days_without_contact=(today - last_contact(r)).days,
        new=cut is not None and is_new(r, cut),
        moved_up=cut is not None and moved_up(r, cut),
        stale=is_stale(r, today, stale_weeks),
        workplace=r.workplace,
        notes=r.notes,
        history=[{"date": s.date.isoformat(), "stage": s.stage.value, "note": s.note} for s in r.history],
    )


# -- the rules ------------------------------------------------------------------------------


def count(rels: Iterable[Relationship]) -> Counts:
    rels = list(rels)
    stages = Counter(r.stage for r in rels)
    natures = Counter(r.nature for r in rels)
    assessed = Counter(r.assessment for r in rels if r.assessment is not None)
    return Counts(
        total=len(rels),
        by_stage={s.value: stages.get(s, 0) for s in STAGES},
        by_nature=dict(sorted(natures.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_assessment=dict(sorted(assessed.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


def stage_on(r: Relationship, day: dt.date) -> Stage | None:
    """The stage a relationship had at the end of `day`; None if it had not begun."""
    if r.since > day:
        return None
    current = None
    for step in r.history:
        if step.date > day:
            break
        current = step.stage
    if current is None:  # no history yet on that day: the first step, or the stage it has always had
        current = r.history[0].stage if r.history else r.stage
    return current


def is_new(r: Relationship, cut: dt.date) -> bool:
    """Begun after the previous report was filed."""
    return r.since > cut


def moved_up(r: Relationship, cut: dt.date) -> bool:
    """Known at the previous report and at a higher stage now; a new relationship counts as new."""
    before = stage_on(r, cut)
    return before is not None and r.stage.rank > before.rank


def last_contact(r: Relationship) -> dt.date:
    return r.last_contact or r.since


def is_stale(r: Relationship, today: dt.date, weeks: int) -> bool:
    """No contact for `weeks` weeks or more."""
    return (today - last_contact(r)).days >= 7 * weeks


def funnel(stages: Iterable[Stage]) -> list[FunnelStep]:
    ranks = [s.rank for s in stages]
    steps: list[FunnelStep] = []
    previous: int | None = None
    for stage in FUNNEL:
        reached = sum(rank >= stage.rank for rank in ranks)
        share = reached / previous if previous else None
        steps.append(FunnelStep(stage.value, reached, share))
        previous = reached
    return steps


def _count_if(rels: Iterable[Relationship], test) -> int:
    return sum(1 for r in rels if test(r))


# -- reports over time ------------------------------------------------------------------------


def meeting_instant(mid: str, meetings: dict[str, tuple[str, Meeting]]) -> dt.datetime | None:
    if mid not in meetings:
        return None
    m = meetings[mid][1]
    local = resolve(m.start, m.timezone)
    return local.instants[0] if local.instants else None


def ordered_reports(reports: dict[str, Report], meetings: dict[str, tuple[str, Meeting]]) -> list[tuple[str, Report]]:
    """Reports in the order of their meetings' start (then filing date)."""
    far = dt.datetime.max.replace(tzinfo=dt.UTC)

    def key(item: tuple[str, Report]) -> tuple:
        mid, r = item
        return (meeting_instant(mid, meetings) or far, r.filed, mid)

    return sorted(reports.items(), key=key)


def previous_report(
    reports: list[tuple[str, Report]], meetings: dict[str, tuple[str, Meeting]], today: dt.date
) -> tuple[str | None, Report | None]:
    """The latest report to a meeting already held (before today): the baseline for movement."""
    held = [(mid, r) for mid, r in reports if mid in meetings and meetings[mid][1].start.date() < today]
    return held[-1] if held else (None, None)


def report_point(mid: str, r: Report, meetings: dict[str, tuple[str, Meeting]], include_private: bool) -> ReportPoint:
    flag, snap = r.red_flag, r.relationships
    stages = {s.value: snap.by_stage.get(s, 0) for s in STAGES} if snap else None
    return ReportPoint(
        meeting=mid,
        meeting_date=meetings[mid][1].start.date() if mid in meetings else None,
        filed=r.filed,
        copies=flag.copies if flag and flag.distribution else None,
        sites=len(flag.distribution) if flag else None,
        readers=flag.readers if flag else None,
        recruits=r.recruits,
        relationships=sum(stages.values()) if stages is not None else None,
        by_stage=stages,
        new=snap.new if snap else None,
        moved_up=snap.moved_up if snap else None,
        # sealed sites nobody here can open were withheld (None): left out, as pseudonyms are
        site_names=[d.site for d in flag.distribution if d.site is not None] if include_private and flag else None,
    )


TREND_FIGURES: tuple[str, ...] = ("copies", "sites", "readers", "recruits", "relationships")


def trends(points: Sequence[ReportPoint]) -> list[Trend]:
    """First-to-last change of each figure the reports carry (and of each stage)."""
    out = [_trend(name, [getattr(p, name) for p in points]) for name in TREND_FIGURES]
    for stage in STAGES:
        values = [p.by_stage.get(stage.value) if p.by_stage is not None else None for p in points]
        out.append(_trend(f"stage {stage.value}", values))
    return [t for t in out if t.first is not None]


def _trend(name: str, values: list[int | None]) -> Trend:
    return Trend(name, values, *figures.trend(values))


def _figure(p: ReportPoint, name: str) -> int | None:
    if name.startswith("stage "):
        return p.by_stage.get(name.removeprefix("stage ")) if p.by_stage is not None else None
    return getattr(p, name)


# -- the organisation -----------------------------------------------------------------------------


def overview(collectives: Sequence[CollectiveNetwork]) -> Overview:
    stages: Counter[str] = Counter()
    natures: Counter[str] = Counter()
    assessed: Counter[str] = Counter()
    follow_ups = FollowUpCounts()
    for c in collectives:
        stages.update(c.counts.by_stage)
        natures.update(c.counts.by_nature)
        assessed.update(c.counts.by_assessment)
        follow_ups.add(c.follow_ups)
    counts = Counts(
        total=sum(c.counts.total for c in collectives),
        by_stage={s.value: stages.get(s.value, 0) for s in STAGES},
        by_nature=dict(sorted(natures.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_assessment=dict(sorted(assessed.items(), key=lambda kv: (-kv[1], kv[0]))),
    )
    points = _sum_points(collectives)
    counted = trends(points)
    for t in counted:  # a total stands for the reports that gave the figure, not for every report
        t.reported_by = [_given(collectives, p.meeting, t.figure) for p in points]
    return Overview(
        collectives=len(collectives),
        counts=counts,
        new=sum(c.movement.new or 0 for c in collectives),
        moved_up=sum(c.movement.moved_up or 0 for c in collectives),
        stale=sum(c.movement.stale for c in collectives),
        funnel=_sum_funnel([c.funnel for c in collectives]),
        comrades=sum(len(c.comrades) for c in collectives),
        without_relationships=sum(len(c.without_relationships) for c in collectives),
        reports=points,
        trends=counted,
        circle=sorted((m for c in collectives for m in c.circle), key=mark_key),
        follow_ups=follow_ups,
    )


def _given(collectives: Sequence[CollectiveNetwork], meeting: str, figure: str) -> int:
    """Reports to `meeting` (drafts aside, as in the totals) that gave `figure`."""
    points = [p for c in collectives for p in c.reports if p.meeting == meeting and p.status != "draft"]
    return figures.given([_figure(p, figure) for p in points])


def _sum_funnel(funnels: Sequence[list[FunnelStep]]) -> list[FunnelStep]:
    steps: list[FunnelStep] = []
    previous: int | None = None
    for i, stage in enumerate(FUNNEL):
        reached = sum(f[i].reached for f in funnels)
        steps.append(FunnelStep(stage.value, reached, reached / previous if previous else None))
        previous = reached
    return steps


def _sum_points(collectives: Sequence[CollectiveNetwork]) -> list[ReportPoint]:
    """One point per meeting: the figures of every collective that reported to it, added up."""
    by_meeting: dict[str, list[ReportPoint]] = {}
    for c in collectives:
        for p in c.reports:
            if p.status == "draft":  # not a report yet: its figures are the template's
                continue
            by_meeting.setdefault(p.meeting, []).append(p)
    out = [_add(mid, ps) for mid, ps in by_meeting.items()]
    far = dt.date.max
    return sorted(out, key=lambda p: (p.meeting_date or far, p.filed, p.meeting))


def _add(mid: str, ps: list[ReportPoint]) -> ReportPoint:
    def total(name: str) -> int | None:
        values = [getattr(p, name) for p in ps if getattr(p, name) is not None]
        return sum(values) if values else None

    stage_maps = [p.by_stage for p in ps if p.by_stage is not None]
    stages = {s.value: sum(m[s.value] for m in stage_maps) for s in STAGES} if stage_maps else None
    return ReportPoint(
        meeting=mid,
        meeting_date=ps[0].meeting_date,
        filed=max(p.filed for p in ps),
        copies=total("copies"),
        sites=total("sites"),
        readers=total("readers"),
        recruits=sum(p.recruits for p in ps),
        relationships=total("relationships"),
        by_stage=stages,
        new=total("new"),
        moved_up=total("moved_up"),
        reported_by=len(ps),
    )
