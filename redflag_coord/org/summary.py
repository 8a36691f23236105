"""A short overview of the organisation: collectives, zones, members, meetings, reports.

Counts only: no handles, emails or pseudonyms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from redflag_coord.i18n.labels import Labels
from redflag_coord.org.load import Organisation
from redflag_coord.org.occurrences import next_or_last
from redflag_coord.org.reportstate import report_states
from redflag_coord.tz.zones import resolve, to_local


@dataclass
class CollectiveLine:
    slug: str
    name: str
    kind: str
    timezone: str
    languages: list[str]
    members: int
    relationships: int
    meetings: list[str]
    reports: list[str]


@dataclass
class MeetingLine:
    id: str
    convener: str
    title: str
    start_local: str
    timezone: str
    start_utc: str | None
    participants: int
    reports_filed: int  # invited collectives whose report is filed, on time or late (drafts are not filed)
    recurring: bool
    reports_late: int = 0
    reports_draft: int = 0
    reports_missing: int = 0
    takes_reports: bool = True  # org.occurrences.accepts_reports for its next occurrence: else no count is shown
    cancelled: bool = False


@dataclass
class Summary:
    collectives: list[CollectiveLine] = field(default_factory=list)
    meetings: list[MeetingLine] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def summarise(org: Organisation, today: dt.date | None = None) -> Summary:
    from redflag_coord.org.clock import today_default

    today = today or today_default()
    out = Summary()
    for c in sorted(org.collectives.values(), key=lambda c: c.slug):
        if c.info is None:
            continue
        out.collectives.append(
            CollectiveLine(
                slug=c.slug,
                name=c.name,
                kind=c.info.kind.value,
                timezone=c.info.timezone,
                languages=list(c.info.languages),
                members=len(c.members.members) if c.members else 0,
                relationships=len(c.relationships.relationships) if c.relationships else 0,
                meetings=sorted(c.meetings),
                reports=sorted(c.reports),
            )
        )
        for mid, m in sorted(c.meetings.items()):
            judged = report_states(org, mid, today=today)
            states = [s for s in judged.states if s.collective in m.participants] if judged.accepts else []
            start = next_or_last(m, today).wall(m)  # a recurring meeting: its next occurrence, not its first
            local = resolve(start, m.timezone)
            utc = local.instants[0].isoformat() if local.instants else None
            out.meetings.append(
                MeetingLine(
                    id=mid,
                    convener=c.slug,
                    title=m.title,
                    start_local=start.isoformat(timespec="minutes"),
                    timezone=m.timezone,
                    start_utc=utc,
                    participants=len(m.participants),
                    reports_filed=sum(s.status in ("filed", "late") for s in states),
                    recurring=m.recurrence is not None,
                    reports_late=sum(s.status == "late" for s in states),
                    reports_draft=sum(s.status == "draft" for s in states),
                    reports_missing=sum(s.status == "missing" for s in states),
                    takes_reports=judged.accepts,
                    cancelled=judged.cancelled,
                )
            )
    out.meetings.sort(key=lambda m: (m.start_utc or "", m.id))
    return out


def _column(t: Labels, key: str, n: int, width: int) -> str:
    """A count in a table column: the number right-aligned, the word (singular or plural) padded."""
    text = t.count(key, n)
    return (" " * (3 - len(str(n))) + text).ljust(width)


def render_text(s: Summary) -> str:
    t = Labels("en")  # the summary is in English; its counts still take the plural rule
    lines = [t.count("count.collectives", len(s.collectives)), ""]
    w = max((len(c.slug) for c in s.collectives), default=4)
    for c in s.collectives:
        lines.append(
            f"  {c.slug:<{w}}  {c.kind:<10} {c.timezone:<22} {','.join(c.languages):<8} "
            f"{_column(t, 'count.members', c.members, 11)}  {_column(t, 'count.relationships', c.relationships, 17)}  "
            f"{t.count('count.reports', len(c.reports))}"
        )
    lines += ["", t.count("count.meetings", len(s.meetings)), ""]
    for m in s.meetings:
        when = f"{m.start_local} {m.timezone}"
        utc = f" ({dt.datetime.fromisoformat(m.start_utc):%Y-%m-%d %H:%M} UTC)" if m.start_utc else ""
        rec = ", recurring" if m.recurring else ""
        lines.append(f"  {m.id}  {m.title}" + (" (cancelled)" if m.cancelled else ""))
        lines.append(f"      {when}{utc}{rec}; convened by {m.convener}" + _reports_part(m, t))
    return "\n".join(lines)


def _reports_part(m: MeetingLine, t: Labels) -> str:
    """The report count, only for a meeting that takes reports now (org.occurrences.accepts_reports)."""
    if not m.takes_reports:
        return ""
    return "; " + t.count("count.reports_filed", m.participants, filed=m.reports_filed) + _report_detail(m)


def _report_detail(m: MeetingLine) -> str:
    parts = [f"{n} {label}" for n, label in ((m.reports_late, "late"), (m.reports_draft, "draft")) if n]
    return f" ({', '.join(parts)})" if parts else ""


__all__ = ["Summary", "render_text", "summarise", "to_local"]
