"""An Agenda in words: the localized strings and rows that every human-readable renderer shows.

Text, Markdown and HTML all draw from these functions, so they say the same
thing in the same language; each only lays it out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from redflag_coord.agenda.build import Agenda, Change, ReportSlot, ZoneRow
from redflag_coord.i18n.labels import Labels, shared
from redflag_coord.org.commitments import CommitmentState
from redflag_coord.org.decide import Review
from redflag_coord.org.rota import role_label
from redflag_coord.tz.zones import UTC


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    right: tuple[int, ...] = ()  # columns aligned right


def labels(a: Agenda) -> Labels:
    return shared(a.lang)


def subtitle(a: Agenda, t: Labels) -> str:
    return " · ".join(
        [t("meeting_id", id=a.meeting_id), t("convened_by", name=a.convener_name), t.term("status", a.status)]
    )


def occurrence_note(a: Agenda, t: Labels) -> str | None:
    occ = a.occurrence
    if not occ.recurring:
        return None
    if occ.cancelled:
        return t("occurrence_cancelled", date=t.date(occ.date, "long"))
    # An [[occurrence]] moved it to another date, or ("moved": a calendar's override) to another time.
    if occ.original is not None and (occ.chosen == "moved" or occ.original != occ.date):
        new = a.local(a.start, a.zone)
        original = t.date(occ.original, "long")
        return t("occurrence_moved", n=t.number(occ.index), original=original, new=_moved_to(t, new), zone=a.zone)
    if occ.chosen == "on":
        return t("occurrence_on", n=t.number(occ.index))
    return t("occurrence_next", n=t.number(occ.index), today=t.date(a.today, "long"))


def _moved_to(t: Labels, moment: dt.datetime) -> str:
    return f"{t.date(moment, 'long')}, {t.time(moment)}"


def when_lines(a: Agenda, t: Labels) -> list[str]:
    """The date, then start and end in the view zone, the meeting's zone (if other) and UTC."""
    zones = list(dict.fromkeys([a.view_zone, a.zone, "UTC"]))
    first = a.local(a.start)
    return [t.date(first)] + [_span(a, t, z) for z in zones]


def _span(a: Agenda, t: Labels, zone: str) -> str:
    s, e = a.local(a.start, zone), a.local(a.end, zone)
    day = a.local(a.start).date()
    start = _clock(t, s, s.date() != day)
    end = _clock(t, e, e.date() != day)
    name = "UTC" if zone == "UTC" else f"{t.zone_name(s)} ({zone})"
    return f"{start} – {end}  {name}"


def _clock(t: Labels, moment: dt.datetime, with_day: bool) -> str:
    return f"{t.weekday(moment)} {t.time(moment)}" if with_day else t.time(moment)


def utc_row(a: Agenda) -> ZoneRow:
    day = a.local(a.start, a.zone).date()
    s, e = a.start.astimezone(UTC), a.end.astimezone(UTC)
    return ZoneRow("", "UTC", "UTC", s, e, s.date() != day, e.date() != day)


def zone_table(a: Agenda, t: Labels) -> Table:
    rows = tuple(
        (r.name, r.zone, _clock(t, r.start, r.start_day_differs), _clock(t, r.end, r.end_day_differs))
        for r in (*a.zones, utc_row(a))
    )
    return Table((t("collective"), t("zone"), t("start"), t("end")), rows, right=(2, 3))


def zone_note(a: Agenda, t: Labels) -> str:
    return t("times_note", day=t.date(a.local(a.start, a.zone), "EEEE"), zone=a.zone)


def item_table(a: Agenda, t: Labels) -> Table:
    rows = []
    for i in a.items:
        mark = "" if i.fit == "inside" else " !"
        rows.append((f"{i.number}{mark}", t.time(a.local(i.start)), t.minutes(i.minutes), i.lead_name or "", i.topic))
    return Table(("#", t("time"), t("length"), t("lead"), t("topic")), tuple(rows), right=(0, 1, 2))


def items_zone_note(a: Agenda, t: Labels) -> str:
    return t("items_zone", zone=a.view_zone)


def time_check_lines(a: Agenda, t: Labels) -> list[str]:
    c = a.time_check
    m = t.minutes
    if c.over_minutes:
        lines = [t("over", used=m(c.scheduled_minutes), total=m(c.meeting_minutes), over=m(c.over_minutes))]
    else:
        lines = [t("fits", used=m(c.scheduled_minutes), total=m(c.meeting_minutes), spare=m(c.spare_minutes))]
    if c.outside:
        lines.append(t("outside", items=", ".join(t("item_n", n=n) for n in c.outside)))
    lines.append(t("breaks", minutes=m(c.break_minutes)) if c.break_minutes else t("no_breaks"))
    return lines


def filed_line(r: ReportSlot, a: Agenda, t: Labels) -> str:
    if r.status == "draft":  # a draft is not filed, whatever its date: no "Filed" and no date
        return t("draft_not_filed_by", who=r.filed_by) if r.filed_by else t("draft_not_filed")
    date = t.date(r.filed, "medium")
    line = t("filed_by", date=date, who=r.filed_by) if r.filed_by else t("filed", date=date)
    if r.on_time is False and a.reports_due:
        line += f" ({t('late', date=t.date(a.reports_due, 'medium'))})"
    return line


def red_flag_line(r: ReportSlot, t: Labels) -> str:
    f = r.figures
    parts = [t.count("copies_total", f.copies)] if f.copies is not None else []
    if f.readers is not None:
        parts.append(f"{t.colon('readers')} {t.number(f.readers)}")
    return "; ".join(parts) or t("report_state.not_reported")  # absent is not zero


def distribution_table(r: ReportSlot, t: Labels) -> Table:
    """Copies and dates; the site column only when a site is shown (--include-private, opened)."""
    rows = tuple((t.number(d.copies), t.date(d.date, "medium") if d.date else "") for d in r.distribution)
    if not any(d.site is not None for d in r.distribution):
        return Table((t("copies"), t("date")), rows, right=(0,))
    sited = tuple((d.site or "", *row) for d, row in zip(r.distribution, rows, strict=True))
    return Table((t("site"), t("copies"), t("date")), sited, right=(1,))


def relationship_lines(r: ReportSlot, t: Labels) -> list[str]:
    f = r.figures
    if f.by_stage is None:
        return [t("report_state.not_reported")]  # no [relationships] in the report: not zero
    out = []
    if f.by_stage:
        out.append(
            f"{t.colon('by_stage')} " + ", ".join(f"{t.term('stage', k)} {t.number(v)}" for k, v in f.by_stage.items())
        )
    if f.by_nature:
        out.append(
            f"{t.colon('by_nature')} "
            + ", ".join(f"{t.term('nature', k)} {t.number(v)}" for k, v in f.by_nature.items())
        )
    counts = [(t("new"), f.new), (t("moved_up"), f.moved_up)]
    shown = [f"{t.with_colon(label)} {t.number(v)}" for label, v in counts if v is not None]
    if shown and (f.by_stage or f.by_nature or any(v for _, v in counts)):
        out.append("; ".join(shown))
    return out


def figures_line(r: ReportSlot, t: Labels) -> str:
    return f"{t.colon('recruits')} {t.number(r.figures.recruits)}"


def change_line(c: Change | None, t: Labels) -> str | None:
    if c is None:
        return None
    parts: list[tuple[str, int | None]] = [(t("copies"), c.copies), (t("readers"), c.readers)]
    parts += [(t("recruits"), c.recruits)]
    parts += [(t.term("stage", k), v) for k, v in c.by_stage.items()]
    parts += [(t.term("nature", k), v) for k, v in c.by_nature.items()]
    shown = [f"{label} {t.signed(v)}" for label, v in parts if v]  # None (not reported) and 0 are left out
    if c.not_reported:  # a figure left out of either report is not reported, never "no change" (org.figures)
        figures = ", ".join(t(name) for name in c.not_reported)
        shown.append(t("report_state.not_compared", figures=figures))
    return f"{t.colon('since', meeting=c.previous_meeting)} " + (", ".join(shown) if shown else t("no_change"))


def article_line(title: str, language: str, status: str, t: Labels) -> str:
    return f"“{title}” ({language}, {t.term('article_status', status)})"


def missing_heading(a: Agenda, t: Labels) -> str:
    """'Missing reports', or 'Missing and late reports' when a late one is listed (late is not missing)."""
    return t("missing_late_heading") if any(m.status == "late" for m in a.missing) else t("missing_heading")


def missing_lines(a: Agenda, t: Labels) -> list[tuple[str, str]]:
    out = []
    for m in a.missing:
        if m.status == "late" and m.filed:  # filed, but after the due date: said so, with the days
            late = (m.filed - a.reports_due).days if a.reports_due else 0
            why = t.count("missing_late", late, date=t.date(m.filed, "medium"))
        elif m.status == "draft":
            why = t("report_state.missing_draft")
        elif a.reports_due is None:
            why = t("missing_nodue")
        elif a.today > a.reports_due:
            why = t("missing_overdue", date=t.date(a.reports_due, "medium"))
        else:
            why = t("missing_pending", date=t.date(a.reports_due, "medium"))
        out.append((m.name, why))
    return out


def role_facts(a: Agenda, t: Labels) -> list[tuple[str, str]]:
    """Each role and its holder (org.rota), then "approve the minutes of …" for each set awaiting approval."""
    facts = [(role_label(t, r.role), r.name) for r in a.roles]
    return facts + [(t("roles.approve_heading"), mid) for mid in a.approve]


def notice_lines(a: Agenda, t: Labels) -> list[str]:
    out = []
    for n in a.warnings:
        if n.code == "ambiguous-start":
            used = dt.datetime.fromisoformat(n.values["used"])
            local = a.local(used, n.values["zone"])
            out.append(
                t(
                    "notice.ambiguous-start",
                    wall=f"{t.date(local, 'medium')} {t.time(local)}",
                    zone=n.values["zone"],
                    used=t.time(used.astimezone(UTC)),
                )
            )
        else:
            out.append(t(f"notice.{n.code}"))
    return out


def private_line(r: ReportSlot, t: Labels) -> str | None:
    if not r.private:
        return None
    return f"{t.colon('contact')} " + ", ".join(r.private.values())


def commitment_groups(a: Agenda, t: Labels) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """The open commitments block: (heading, [(owner, what and when, overdue)]); with --for, what
    that collective owes and what it is owed. Overdue ones first, due dates in the owner's zone."""
    if a.for_collective is None:
        return [(t("commitments.heading"), [commitment_row(a, t, s) for s in a.commitments])]
    name = a.names.get(a.for_collective, a.for_collective)
    owes = [commitment_row(a, t, s) for s in a.commitments if s.owner == a.for_collective]
    owed = [commitment_row(a, t, s) for s in a.commitments if s.owner != a.for_collective]
    return [(t("commitments.owes", name=name), owes), (t("commitments.owed", name=name), owed)]


def commitment_row(a: Agenda, t: Labels, s: CommitmentState) -> tuple[str, str, bool]:
    owner = a.names.get(s.owner, s.owner) + (f" ({s.handle})" if s.handle else "")
    return owner, f"{s.text} — {commitment_when(t, s)}", s.overdue


def commitment_when(t: Labels, s: CommitmentState) -> str:
    """'due Sep 30, 2026 (Asia/Kolkata); from the minutes of ic-2026-06 · id' (overdue is marked apart)"""
    if s.due is None:
        due = t("commitments.no_due")
    else:
        due = t("commitments.due", date=t.date(s.due, "medium"), zone=s.owner_zone or "UTC")
    origin = t(s.origin_key, meeting=s.meeting)
    return f"{due}; {origin} · {s.id}"


def review_line(a: Agenda, t: Labels, r: Review) -> str:
    """One decision that comes back: its text, where it was decided, the review date and its commitments."""
    line = t("reviews.line", text=r.text, meeting=r.meeting, date=t.date(r.review, "medium"))
    if r.commitments:
        line += " " + t("reviews.commitments", ids=", ".join(r.commitments))
    return line
