"""Meeting times across the collectives' timezones: candidates, bands, scores, fairness.

Candidates are UTC instants every `step` minutes. Over the whole span of the meeting,
each collective's local time falls in a band (good, acceptable, poor, unacceptable);
its band for a candidate is the worst one met. Candidates rank lexicographically by
members at an unacceptable time, then at a poor time, then fewest not at a good time,
then by fairness (the past burden of the collectives given a poor time), then earliest.

Local times come from zoneinfo: each zone's UTC offset is found once per constant-offset
period of the range (its transitions), and each collective's hours are turned into UTC
intervals per period, so DST changes, half-hour and 45-minute zones and the date line
need no special case and no per-candidate conversion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from operator import add

from redflag_coord.org.hours import (  # the one reading of [availability] (slots, the rota, a vote)
    ACCEPTABLE,
    BANDS,
    DAY,
    GOOD,
    MINUTES_PER_DAY,
    POOR,
    UNACCEPTABLE,
    Hours,
    band_intervals,
    hours_of,
    transitions,
    worst_band,
)
from redflag_coord.org.load import Organisation
from redflag_coord.org.model import Meeting, Status
from redflag_coord.org.occurrences import Occurrence, occurrences
from redflag_coord.tz.duration import format_duration, parse_duration
from redflag_coord.tz.zones import UTC, resolve, zone

MAX_DAYS = 366


# -- lengths: the one duration syntax (tz/duration.py) ----------------------------------------


def parse_length(text: str, *, maximum: int = MINUTES_PER_DAY) -> int:
    """Minutes from '90', '90m', '2h' or '2h30m' (tz.duration's syntax); ValueError naming the syntax."""
    return parse_duration(text, least=1, most=maximum)


format_length = format_duration


# -- ranking ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Participant:
    slug: str
    zone: str
    members: int
    hours: Hours
    burden: int = 0  # past meetings at which this collective had a poor or unacceptable time


@dataclass(frozen=True)
class Grid:
    """Candidate start times: `count` UTC instants, `step` minutes apart from `first`, each `length` long."""

    first: int  # Unix seconds
    count: int
    step: int  # minutes
    length: int  # minutes

    def start(self, k: int) -> int:
        return self.first + k * self.step * 60

    @property
    def end(self) -> int:
        return self.start(self.count - 1) + self.length * 60 if self.count else self.first


def candidate_bands(p: Participant, grid: Grid) -> bytearray:
    """Each candidate's worst band for one participant."""
    step, length = grid.step * 60, grid.length * 60
    worst = bytearray((GOOD,)) * grid.count
    fills = {band: bytes((band,)) * grid.count for band in (UNACCEPTABLE, POOR, ACCEPTABLE)}
    intervals = band_intervals(p.hours, p.zone, grid.first, grid.end)
    for band in (ACCEPTABLE, POOR, UNACCEPTABLE):  # worse bands overwrite better ones
        fill = fills[band]
        for x, y, b in intervals:
            if b != band:
                continue
            lo = max((x - length - grid.first) // step + 1, 0)
            hi = min(-((grid.first - y) // step), grid.count)  # first k whose start is >= y
            if lo < hi:
                worst[lo:hi] = fill[: hi - lo]
    return worst


def score_keys(participants: Sequence[Participant], grid: Grid) -> tuple[list[int], list[bytearray]]:
    """One integer per candidate whose order is the ranking (lower is better), and the bands."""
    base = sum(p.members for p in participants) + 1
    fair_base = sum(p.burden for p in participants) + 1
    weights = (base * base, base, 1, 0)  # members unacceptable, poor, not good
    keys = [0] * grid.count
    bands = []
    for p in participants:
        worst = candidate_bands(p, grid)
        table = [p.members * weights[b] * fair_base + (p.burden if b <= POOR else 0) for b in range(4)]
        keys = list(map(add, keys, map(table.__getitem__, worst)))
        bands.append(worst)
    return keys, bands


def rank(participants: Sequence[Participant], grid: Grid) -> list[int]:
    """Candidate indices, best first (ties: earliest first)."""
    keys, _ = score_keys(participants, grid)
    return sorted(range(grid.count), key=keys.__getitem__)


def pick(order: Iterable[int], grid: Grid, top: int, spread: bool = True) -> list[int]:
    """The first `top` candidates of a ranking; with `spread`, none overlapping a better one."""
    chosen: list[int] = []
    gap = grid.length / grid.step
    for k in order:
        if len(chosen) == top:
            break
        if not spread or all(abs(k - c) >= gap for c in chosen):
            chosen.append(k)
    return chosen


# -- the result -------------------------------------------------------------------------------


@dataclass
class LocalSlot:
    slug: str
    zone: str
    members: int
    start: str  # local wall time, 'YYYY-MM-DDTHH:MM'
    end: str
    weekday: str
    end_weekday: str
    offset: str  # 'UTC+05:30'
    band: str


@dataclass
class Candidate:
    rank: int
    start_utc: str
    end_utc: str
    weekday_utc: str
    members: dict[str, int]  # band -> members
    fairness: int  # past burden of the collectives given a poor or unacceptable time
    local: list[LocalSlot]
    explanation: list[str]
    warnings: list[str]


@dataclass
class ParticipantInfo:
    slug: str
    zone: str
    members: int
    hours: str  # 'collective.toml' or 'default'
    burden: int
    burden_meetings: list[str]


@dataclass
class SlotsResult:
    meeting: str | None
    title: str | None
    length_minutes: int
    step_minutes: int
    date_from: str
    date_to: str
    considered: int
    participants: list[ParticipantInfo]
    past_meetings: list[str]
    candidates: list[Candidate] = field(default_factory=list)
    not_before: str | None = None  # first start considered (UTC), when later than --from's midnight
    range_note: str | None = None
    current: Candidate | None = None  # the meeting's current time, its `rank` among the `considered`
    spread: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Request:
    collectives: tuple[str, ...]
    date_from: dt.date
    date_to: dt.date  # included
    length: int
    step: int = 15
    top: int = 5
    spread: bool = True
    dst_days: int = 7
    meeting: str | None = None
    not_before: int | None = None  # Unix seconds: no candidate starts earlier (now, reports due); rounded up to step
    current: int | None = None  # Unix seconds: the meeting's current start, to rank against the candidates
    by_time_of_day: bool = False  # --spread: the best candidate at each distinct UTC time of day
    range_note: str | None = None  # how the range was chosen, shown with it


def find_slots(org: Organisation, req: Request) -> SlotsResult:
    """Rank meeting times for collectives already checked to exist in `org`."""
    first = _ts(dt.datetime.combine(req.date_from, dt.time(), UTC))
    stop = _ts(dt.datetime.combine(req.date_to + dt.timedelta(days=1), dt.time(), UTC))
    midnight = first
    if req.not_before is not None and req.not_before > first:
        first += -((first - req.not_before) // (req.step * 60)) * req.step * 60  # rounded up to the step
    first = min(first, stop)
    grid = Grid(first, max(0, -((first - stop) // (req.step * 60))), req.step, req.length)
    base = [_participant(org, slug) for slug in req.collectives]
    history = past_burden(org, base, first, exclude=req.meeting)
    participants = [Participant(p.slug, p.zone, p.members, p.hours, len(history[p.slug])) for p in base]
    keys, bands = score_keys(participants, grid)
    order = sorted(range(grid.count), key=keys.__getitem__)
    window = req.dst_days * DAY
    changes = {p.zone: transitions(p.zone, first - window, grid.end + window) for p in participants}
    title = None
    if req.meeting is not None and (found := org.find_meeting(req.meeting)) is not None:
        title = found[1].title
    result = SlotsResult(
        meeting=req.meeting,
        title=title,
        length_minutes=req.length,
        step_minutes=req.step,
        date_from=req.date_from.isoformat(),
        date_to=req.date_to.isoformat(),
        considered=grid.count,
        participants=[
            ParticipantInfo(
                p.slug,
                p.zone,
                p.members,
                "default" if p.hours.default else "collective.toml",
                len(history[p.slug]),
                history[p.slug],
            )
            for p in participants
        ],
        past_meetings=sorted({m for ms in history.values() for m in ms}),
        not_before=_iso(first) if first > midnight else None,
        range_note=req.range_note,
        spread=req.by_time_of_day,
    )
    chosen = by_time_of_day(order, grid, req.top) if req.by_time_of_day else pick(order, grid, req.top, req.spread)
    for n, k in enumerate(chosen, 1):
        result.candidates.append(_candidate(n, participants, [b[k] for b in bands], grid, k, changes, window))
    if req.current is not None:
        result.current = _current(participants, keys, req.current, grid, window)
    return result


def _current(
    participants: Sequence[Participant], keys: Sequence[int], start: int, grid: Grid, window: int
) -> Candidate:
    """The meeting's current time scored like a candidate; its rank is 1 + the candidates strictly better."""
    one = Grid(start, 1, grid.step, grid.length)
    key, bands = score_keys(participants, one)
    changes = {p.zone: transitions(p.zone, start - window, one.end + window) for p in participants}
    better = sum(1 for k in keys if k < key[0])
    return _candidate(better + 1, participants, [b[0] for b in bands], one, 0, changes, window)


def by_time_of_day(order: Iterable[int], grid: Grid, top: int) -> list[int]:
    """The best candidate at each distinct time of day, best first, at most `top` (options for a vote).

    Times of day are distinct when their meetings would not overlap on the same day, so the
    options differ by more than a shift of one step."""
    chosen: list[int] = []
    seen: list[int] = []
    gap = min(grid.length * 60, DAY // 2)
    for k in order:
        if len(chosen) == top:
            break
        tod = grid.start(k) % DAY
        if all(min((tod - t) % DAY, (t - tod) % DAY) >= gap for t in seen):
            seen.append(tod)
            chosen.append(k)
    return chosen


def _participant(org: Organisation, slug: str) -> Participant:
    c = org.collectives[slug]
    assert c.info is not None
    members = max(1, len(c.members.members) if c.members else 0)
    return Participant(slug, c.info.timezone, members, hours_of(c.info.availability))


def past_burden(
    org: Organisation, participants: Sequence[Participant], before: int, exclude: str | None = None
) -> dict[str, list[str]]:
    """For each participant, the past occurrences (starting before `before`) where its local time was poor or worse.

    Only meetings that join several collectives count: a collective's own study group at an
    evening it chose is no burden. Each occurrence of a recurring meeting counts once
    ('id@date'); a one-off meeting counts once by its id.
    """
    by_slug = {p.slug: p for p in participants}
    out: dict[str, list[str]] = {p.slug: [] for p in participants}
    last = dt.datetime.fromtimestamp(before, dt.UTC).date() + dt.timedelta(days=1)
    for mid, m in sorted(_meetings(org), key=lambda x: x[0]):
        joined = list(dict.fromkeys(m.participants))
        if mid == exclude or len(joined) < 2 or m.status is Status.cancelled:
            continue
        held = occurrences(m, last) if m.recurrence is not None else [None]
        for occ in held:  # a recurring meeting weighs once for each occurrence held at a poor hour
            start = _meeting_start(m, occ)
            if start is None or start >= before:
                continue
            end = start + m.duration_minutes * 60
            label = mid if occ is None else f"{mid}@{occ.date.isoformat()}"
            for slug in joined:
                p = by_slug.get(slug)
                if p is not None and worst_band(band_intervals(p.hours, p.zone, start, end), start, end) <= POOR:
                    out[slug].append(label)
    return out


def _meetings(org: Organisation) -> Iterable[tuple[str, Meeting]]:
    for c in org.collectives.values():
        yield from c.meetings.items()


def _meeting_start(m: Meeting, occ: Occurrence | None = None) -> int | None:
    local = resolve(occ.wall(m) if occ is not None else m.start, m.timezone)
    return _ts(local.instants[0]) if local.instants else None


def _candidate(
    n: int,
    participants: Sequence[Participant],
    bands: Sequence[int],
    grid: Grid,
    k: int,
    changes: dict[str, list[tuple[int, int, int]]],
    window: int,
) -> Candidate:
    start, end = grid.start(k), grid.start(k) + grid.length * 60
    members = {name: 0 for name in reversed(BANDS)}
    local = []
    for p, band in zip(participants, bands):
        members[BANDS[band]] += p.members
        a, b = (dt.datetime.fromtimestamp(t, zone(p.zone)) for t in (start, end))
        local.append(
            LocalSlot(
                p.slug,
                p.zone,
                p.members,
                _wall(a),
                _wall(b),
                a.strftime("%A"),
                b.strftime("%A"),
                _offset_label(a),
                BANDS[band],
            )
        )
    burdened = [(p, b) for p, b in zip(participants, bands) if b <= POOR]
    return Candidate(
        rank=n,
        start_utc=_iso(start),
        end_utc=_iso(end),
        weekday_utc=dt.datetime.fromtimestamp(start, UTC).strftime("%A"),
        members=members,
        fairness=sum(p.burden for p, _ in burdened),
        local=local,
        explanation=_explain(members, burdened),
        warnings=_dst_warnings(participants, changes, start, end, window),
    )


def _explain(members: dict[str, int], burdened: Sequence[tuple[Participant, int]]) -> list[str]:
    counts = ", ".join(f"{members[band]} {band}" for band in BANDS if members[band])
    out = [f"members by band: {counts}"]
    for p, band in burdened:
        times = "never before" if p.burden == 0 else f"{p.burden} past meeting(s) already"
        article = "an" if BANDS[band][0] in "aeiou" else "a"
        out.append(f"{p.slug} gets {article} {BANDS[band]} time ({times})")
    return out


def _dst_warnings(
    participants: Sequence[Participant],
    changes: dict[str, list[tuple[int, int, int]]],
    start: int,
    end: int,
    window: int,
) -> list[str]:
    out = []
    for zone_name in dict.fromkeys(p.zone for p in participants):
        for t, before, after in changes[zone_name]:
            if start - window <= t <= end + window:
                slugs = ", ".join(p.slug for p in participants if p.zone == zone_name)
                utc = dt.datetime.fromtimestamp(t, UTC).replace(tzinfo=None)
                old, new = utc + dt.timedelta(seconds=before), utc + dt.timedelta(seconds=after)
                out.append(
                    f"clocks change in {zone_name} ({slugs}) on {old:%a %Y-%m-%d}: {old:%H:%M} becomes {new:%H:%M} "
                    f"({_offset_text(before)} -> {_offset_text(after)}), {_distance(t, start, end)}: "
                    "check that calendars show the new local time"
                )
    return out


def _distance(t: int, start: int, end: int) -> str:
    if start < t < end:
        return "during this meeting"
    side = "after" if t >= end else "before"
    days = abs(t - (end if t >= end else start)) // DAY
    return f"{days} day(s) {side} this meeting" if days else f"less than a day {side} this meeting"


def _ts(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def _iso(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%MZ")


def _wall(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def _offset_label(moment: dt.datetime) -> str:
    return _offset_text(int(moment.utcoffset().total_seconds()))  # type: ignore[union-attr]


def _offset_text(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    minutes = abs(seconds) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
