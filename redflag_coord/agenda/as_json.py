"""The agenda as JSON: a stable shape for other tools (documented in docs/guide.md, "redflag-coord agenda").

Instants are ISO 8601 with their offset (UTC as +00:00, local ones in their own
zone); dates are YYYY-MM-DD. Values are data, not labels: the same agenda in
any --lang gives the same JSON except for "lang". `schema` changes only when a
key is removed or changes meaning.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from redflag_coord.agenda.build import Agenda, ReportSlot
from redflag_coord.org.commitments import to_dict as commitment_dict

SCHEMA = "redflag-coord/agenda/1"


def _distribution(d: Any) -> dict[str, Any]:
    """Copies and date; the site only when it was asked for and opened (it is private)."""
    out: dict[str, Any] = {"copies": d.copies, "date": _iso(d.date)}
    return {"site": d.site, **out} if d.site is not None else out


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes")
    return value.isoformat()


def to_dict(a: Agenda) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "meeting": a.meeting_id,
        "title": a.title,
        "convener": a.convener,
        "status": a.status,
        "sequence": a.sequence,
        "lang": a.lang,
        "for": a.for_collective,
        "include_private": a.include_private,
        "today": _iso(a.today),
        "occurrence": {
            "date": _iso(a.occurrence.date),
            "number": a.occurrence.index,
            "recurring": a.occurrence.recurring,
            "chosen": a.occurrence.chosen,
        },
        "timezone": a.zone,
        "start": _iso(a.local(a.start, a.zone)),
        "end": _iso(a.local(a.end, a.zone)),
        "start_utc": _iso(a.start),
        "end_utc": _iso(a.end),
        "duration_minutes": a.minutes,
        "location": a.location,
        "url": a.url,
        "description": a.description,
        "opens": a.opens,
        "roles": [{"role": r.role, "holder": r.holder} for r in a.roles],
        "approve_minutes": list(a.approve),
        "reports_due": _iso(a.reports_due),
        "zones": [
            {
                "collective": z.collective,
                "timezone": z.zone,
                "start": _iso(z.start),
                "end": _iso(z.end),
                "start_day_differs": z.start_day_differs,
                "end_day_differs": z.end_day_differs,
            }
            for z in a.zones
        ],
        "items": [
            {
                "number": i.number,
                "kind": i.kind,
                "topic": i.topic,
                "lead": i.lead,
                "start": _iso(a.local(i.start, a.zone)),
                "end": _iso(a.local(i.end, a.zone)),
                "start_utc": _iso(i.start),
                "minutes": i.minutes,
                "fit": i.fit,
                "notes": i.notes,
            }
            for i in a.items
        ],
        "time_check": {
            "meeting_minutes": a.time_check.meeting_minutes,
            "scheduled_minutes": a.time_check.scheduled_minutes,
            "over_minutes": a.time_check.over_minutes,
            "spare_minutes": a.time_check.spare_minutes,
            "break_minutes": a.time_check.break_minutes,
            "outside": list(a.time_check.outside),
        },
        "reports": [_report(r) for r in a.reports],
        "missing": [{"collective": m.collective, "status": m.status, "filed": _iso(m.filed)} for m in a.missing],
        "requests_to_you": [{"from": q.source, "text": q.text} for q in a.requests_to_you],
        "warnings": [{"code": n.code, **n.values} for n in a.warnings],
        "commitments": [commitment_dict(s) for s in a.commitments],
        "reviews": [
            {
                "meeting": r.meeting,
                "decision": r.number,
                "text": r.text,
                "review": r.review.isoformat(),
                "motion": r.motion,
                "commitments": list(r.commitments),
            }
            for r in a.reviews
        ],
    }


def _report(r: ReportSlot) -> dict[str, Any]:
    f = r.figures
    out: dict[str, Any] = {
        "collective": r.collective,
        "filed": _iso(r.filed),
        "filed_by": r.filed_by,
        "on_time": r.on_time,
        "status": r.status,
        "summary": r.summary,
        "red_flag": {  # a figure not reported is null, never 0
            "reported": f.copies is not None or f.readers is not None,
            "copies": f.copies,
            "readers": f.readers,
            "distribution": [_distribution(d) for d in r.distribution],
        },
        "relationships": {
            "reported": f.by_stage is not None,
            "by_stage": f.by_stage,
            "by_nature": f.by_nature,
            "new": f.new,
            "moved_up": f.moved_up,
        },
        "recruits": f.recruits,
        "articles": [
            {"title": x.title, "language": x.language, "status": x.status, "topic": x.topic} for x in r.articles
        ],
        "requests": [{"to": q.to, "text": q.text} for q in r.requests],
        "change": None
        if r.change is None
        else {
            "previous_meeting": r.change.previous_meeting,
            "copies": r.change.copies,
            "readers": r.change.readers,
            "recruits": r.change.recruits,
            "by_stage": r.change.by_stage,
            "by_nature": r.change.by_nature,
            "not_reported": list(r.change.not_reported),  # left out of either report: not compared
        },
    }
    if r.private:
        out["private"] = dict(r.private)
    return out


def render_json(a: Agenda) -> str:
    return json.dumps(to_dict(a), ensure_ascii=False, indent=2) + "\n"
