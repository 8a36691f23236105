"""Render `network.Network` as text, JSON, or a self-contained HTML page with inline SVG charts.

Every renderer shows what the Network holds and nothing more: the private
fields are there only when the figures were computed with include_private.
HTML escapes every piece of text and loads nothing from anywhere.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import asdict
from html import escape
from typing import Any

from redflag_coord.i18n.labels import Labels
from redflag_coord.i18n.width import pad, wrap
from redflag_coord.i18n.width import width as cells
from redflag_coord.network.build import (
    STAGES,
    CollectiveNetwork,
    ComradeFigures,
    Counts,
    FunnelStep,
    Mark,
    Movement,
    Network,
    Overview,
    RelationshipLine,
    ReportPoint,
    Trend,
)
from redflag_coord.network.svg import Look, circle_description, circle_svg, funnel_svg, legend_glyph, line_svg, looks
from redflag_coord.org.followups import DUE_DAYS, FollowUpCounts

CUE = "the collective's cue to help them build their first (fight individualism)"


# -- small formatting helpers ------------------------------------------------------------


def plural(n: int, word: str) -> str:
    """'1 relationship', '2 relationships': the catalog's count forms (English), by the one plural rule."""
    return Labels("en").count(f"count.{word}s", n)


def change(value: int | None) -> str:
    if value is None:
        return ""
    if value == 0:
        return "(=)"
    return f"({value:+d})"


def trend_line(t: Trend, points: list[ReportPoint] | None = None) -> str:
    """Each report's value (with the organisation's points: how many reports a total stands for, when not
    all of them gave the figure), then the change; a figure not reported is never "=" (org.figures)."""
    shown = [_value(v, t, i, points) for i, v in enumerate(t.values)]
    values = " → ".join(shown)
    if len(t.values) < 2:
        return values
    return f"{values} {change(t.change) if t.change is not None else '(not reported)'}"


def _value(v: int | None, t: Trend, i: int, points: list[ReportPoint] | None) -> str:
    if v is None:
        return "–"
    if points is None or t.reported_by is None or t.reported_by[i] == points[i].reported_by:
        return str(v)
    return f"{v} ({t.reported_by[i]} of {points[i].reported_by} reports)"


def share(step: FunnelStep) -> str:
    return "" if step.share_of_previous is None else f" ({step.share_of_previous:.0%})"


def funnel_line(steps: list[FunnelStep]) -> str:
    return " → ".join(f"{s.stage} {s.reached}{share(s)}" for s in steps)


def stages_line(by_stage: dict[str, int], keep_zero: bool = True) -> str:
    parts = [f"{k} {v}" for k, v in by_stage.items() if v or keep_zero]
    return " · ".join(parts) or "none"


def natures_line(by_nature: dict[str, int]) -> str:
    return " · ".join(f"{k} {v}" for k, v in by_nature.items()) or "none"


def shown_trends(trends: list[Trend]) -> list[Trend]:
    """Every figure, except stages that no report has counted."""
    return [t for t in trends if not (t.figure.startswith("stage ") and not any(t.values))]


def movement_parts(new: int | None, moved: int | None, stale: int, weeks: int) -> list[str]:
    parts = []
    if new is not None:
        parts.append(f"{new} new")
    if moved is not None:
        parts.append(f"{moved} moved up")
    parts.append(f"{stale} without contact for {weeks}+ weeks")
    return parts


# -- text --------------------------------------------------------------------------------------


TEXT_WIDTH = 100  # when the output is not a terminal


def render_text(n: Network, width: int = TEXT_WIDTH) -> str:
    """Plain text, every line at most `width` cells wide (a long line continues indented)."""
    return "".join(line + "\n" for line in wrap_lines(_text_lines(n).splitlines(), width))


def wrap_lines(lines: list[str], width: int) -> list[str]:
    """Fold each line wider than `width` cells at spaces (never inside a grapheme cluster: i18n.width);
    continuation lines are indented past the label."""
    width = max(width, 40)
    out: list[str] = []
    for line in lines:
        if cells(line) <= width:
            out.append(line)
            continue
        lead = len(line) - len(line.lstrip(" "))
        rest = line[lead:].split("  ", 1)[-1].lstrip(" ") if "  " in line[lead:] else line[lead + 2 :]
        label = cells(line[: len(line) - len(rest)])
        indent = " " * min(label, width // 2)
        out += wrap(line[lead:], width, initial_indent=line[:lead], subsequent_indent=indent)
    return out


def _text_lines(n: Network) -> str:
    privacy = "with private details: do not forward" if n.include_private else "counts only; pseudonyms stay private"
    lines = [f"Relationship networks on {n.today} ({privacy})"]
    if n.overview is not None:
        lines += ["", *_text_overview(n.overview, n.stale_weeks)]
    for c in n.collectives:
        lines += ["", *_text_collective(c)]
    return "\n".join(lines) + "\n"


def _text_counts(counts: Counts) -> list[str]:
    return [
        f"  by stage   {stages_line(counts.by_stage)}",
        f"  by nature  {natures_line(counts.by_nature)}",
        *([f"  assessed   {natures_line(counts.by_assessment)}"] if counts.by_assessment else []),
    ]


def follow_ups_line(f: FollowUpCounts) -> str:
    """Next steps by when they are due: counts only (issue 33); the sealed ones this identity cannot read apart."""
    parts = [f"{f.due} due within {DUE_DAYS} days", f"{f.overdue} overdue", f"{f.later} later"]
    if f.unread:
        parts.append(f"{f.unread} not readable here (no identity that opens them)")
    return " · ".join(parts)


def _text_trends(points: list[ReportPoint], trends: list[Trend], counted: bool = False) -> list[str]:
    if not points:
        return ["  over time  no reports yet"]
    names = [
        f"{p.meeting} ({plural(p.reported_by, 'report')})" if counted else p.meeting + _state_note(p) for p in points
    ]
    out = [f"  over time  {' → '.join(names)}"]
    shown = shown_trends(trends)
    w = max(len(t.figure) for t in shown) if shown else 0
    out += [f"    {t.figure:<{w}}  {trend_line(t, points if counted else None)}" for t in shown]
    return out


def _state_note(p: ReportPoint) -> str:
    return " (draft)" if p.status == "draft" else " (late)" if p.status == "late" else ""


def _text_overview(o: Overview, weeks: int) -> list[str]:
    head = (
        f"Organisation: {plural(o.collectives, 'collective')}, {plural(o.counts.total, 'relationship')} held by "
        f"{plural(o.comrades, 'comrade')}; {plural(o.without_relationships, 'comrade')} without any yet"
    )
    return [
        head,
        *_text_counts(o.counts),
        f"  movement   {' · '.join(movement_parts(o.new, o.moved_up, o.stale, weeks))}",
        f"  funnel     {funnel_line(o.funnel)}",
        *([f"  follow-ups {follow_ups_line(o.follow_ups)}"] if o.follow_ups.total else []),
        *_text_trends(o.reports, o.trends, counted=True),
    ]


def _text_collective(c: CollectiveNetwork) -> list[str]:
    m = c.movement
    if m.since is None:
        since = "no earlier report"
    elif m.baseline:
        since = f"since the report to {m.baseline} (filed {m.since})"
    else:
        since = f"since {m.since}"
    lines = [
        f"{c.slug} ({c.name}): {plural(c.counts.total, 'relationship')}",
        *_text_counts(c.counts),
        f"  movement   {since}: {' · '.join(movement_parts(m.new, m.moved_up, m.stale, m.stale_weeks))}",
        f"  funnel     {funnel_line(c.funnel)}",
        *([f"  follow-ups {follow_ups_line(c.follow_ups)}"] if c.follow_ups.total else []),
    ]
    if c.comrades:
        lines.append("  comrades")
        w = max(cells(x.handle) for x in c.comrades)
        lines += [f"    {_text_comrade(x, w, m.stale_weeks)}" for x in c.comrades]
    if c.without_relationships:
        lines.append(f"  no relationships yet: {', '.join(c.without_relationships)} — {CUE}")
    lines += _text_trends(c.reports, c.trends)
    if c.relationships is not None:
        lines += _text_private(c)
    return lines


def _text_comrade(x: ComradeFigures, width: int, weeks: int) -> str:
    moving = [p for p in movement_parts(x.new, x.moved_up, x.stale, weeks) if not p.startswith("0 ")]
    tail = f"; {', '.join(moving)}" if moving else ""
    return (
        f"{pad(x.handle, width)}  {x.counts.total:>2}  {stages_line(x.counts.by_stage, keep_zero=False)}"
        f"  ({natures_line(x.counts.by_nature)}){tail}"
    )


def _text_private(c: CollectiveNetwork) -> list[str]:
    lines = ["  relationships (PRIVATE: pseudonyms, workplaces and notes; do not forward)"]
    for r in c.relationships or []:
        lines.append(
            f"    {r.pseudonym}: {r.nature}, {r.stage}, held by {r.comrade}; since {r.since}, "
            f"last contact {r.last_contact or '–'} ({plural(r.days_without_contact, 'day')} ago){_flags(r)}"
        )
        if r.workplace:
            lines.append(f"      workplace: {r.workplace}")
        if r.notes:
            lines.append(f"      notes: {r.notes}")
        if r.history:
            lines.append("      history: " + "; ".join(_step(s) for s in r.history))
    sites = [(p.meeting, p.site_names) for p in c.reports if p.site_names]
    if sites:
        lines.append("  Red Flag sites (PRIVATE)")
        lines += [f"    {mid}: {'; '.join(names)}" for mid, names in sites]
    return lines


def _flags(r: RelationshipLine) -> str:
    flags = [name for name, on in (("new", r.new), ("moved up", r.moved_up), ("no contact", r.stale)) if on]
    return f" [{', '.join(flags)}]" if flags else ""


def _step(s: dict[str, str | None]) -> str:
    return f"{s['date']} {s['stage']}" + (f" ({s['note']})" if s.get("note") else "")


# -- json -------------------------------------------------------------------------------------------


def to_dict(n: Network) -> dict[str, Any]:
    """Plain data; keys for private details exist only when they were asked for."""
    d = asdict(n)
    for c in d["collectives"]:
        if c["relationships"] is None:
            del c["relationships"]
        _drop_site_names(c["reports"])
    if d["overview"] is None:
        del d["overview"]
    else:
        _drop_site_names(d["overview"]["reports"])
    return d


def _drop_site_names(points: list[dict[str, Any]]) -> None:
    for p in points:
        if p.get("site_names") is None:
            p.pop("site_names", None)


def _default(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def render_json(n: Network) -> str:
    return json.dumps(to_dict(n), ensure_ascii=False, indent=2, default=_default) + "\n"


# -- html ----------------------------------------------------------------------------------------------

CSS = """
body{font:15px/1.45 system-ui,"Noto Sans","Noto Sans Devanagari",sans-serif;margin:1.2rem auto;max-width:64rem;padding:0 .8rem;color:#1d1d1d}
p,li,h1,h2,h3,figcaption,caption{overflow-wrap:anywhere}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-top:3px solid #b3121f;padding-top:.6rem}
h3{font-size:1rem;margin:1rem 0 .3rem}.private{background:#fff3cd;border:1px solid #e0b000;padding:.4rem .7rem}
table{border-collapse:collapse;margin:.3rem 0 .8rem}th,td{text-align:left;padding:.15rem .7rem .15rem 0;vertical-align:top}
caption{text-align:left;font-size:.85rem;color:#555;padding-bottom:.2rem}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}th{font-weight:600;border-bottom:1px solid #bbb}
tr.total td{border-top:1px solid #bbb;font-weight:600}.cue{color:#b3121f;font-weight:600}.none{color:#666;font-style:italic}
.scroll{overflow-x:auto;max-width:100%}.scroll table{margin-right:1px}table.wide td,table.stages th,table.stages td{white-space:nowrap}
table.stages td:last-child{white-space:normal;min-width:9rem}table.trends{margin-top:.6rem}
svg{max-width:100%;height:auto}svg text{font:11px system-ui,"Noto Sans",sans-serif}
.circle-block{display:flex;flex-wrap:wrap;gap:.5rem 2rem;align-items:flex-start}.circle-block>figure{flex:0 1 300px}
.circle-block>.scroll{flex:1 1 22rem}
.charts{display:flex;flex-wrap:wrap;gap:1rem 1.5rem}figure{margin:0;max-width:100%}figcaption{font-size:.85rem;color:#555;max-width:300px;margin:0 0 .25rem}
.legend{list-style:none;padding:0;margin:.3rem 0;display:flex;flex-wrap:wrap;gap:.1rem .9rem;font-size:.85rem;max-width:300px}
.legend svg.key{vertical-align:-3px;margin-right:.25rem}
.comrade-circles{display:grid;grid-template-columns:repeat(auto-fill,minmax(9.5rem,1fr));gap:.5rem 1rem}
.comrade-circles figcaption{text-align:center}.muted{color:#666}
@media (max-width:480px){body{font-size:14px;padding:0 .6rem}th,td{padding-right:.45rem}
table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
table.stack,table.stack tbody,table.stack tr,table.stack caption{display:block;width:auto}table.stack tr{border-bottom:1px solid #ddd;padding:.2rem 0}
table.stack td{display:inline-block;white-space:normal;padding:0 .8rem 0 0;text-align:left;border:0}
table.stack td:first-child{display:block;font-weight:600}table.stack td[data-label]::before{content:attr(data-label) ": ";color:#666}
table.stack td:last-child{min-width:0}table.stack td:empty{display:none}}
@media print{body{max-width:none;margin:0;font-size:9pt}section{break-inside:avoid}h2,h3{break-after:avoid}
h2{margin-top:1rem}figure,table,.circle-block{break-inside:avoid}.scroll{overflow:visible}
.circle-block>figure{flex:0 0 210px}svg.circles{width:210px}.charts{gap:.3rem .8rem}.charts figure{width:18.5%}
.comrade-circles{grid-template-columns:repeat(auto-fill,minmax(6.5rem,1fr))}svg.trend,svg.funnel{width:100%}}
"""
MOVED = "moved inward"


def render_html(n: Network) -> str:
    title = "Relationship networks"
    look = looks(m.nature for m in _all_marks(n))
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="muted">On {escape(str(n.today))}. '
        f"Without contact means none for {plural(n.stale_weeks, 'week')} or more. Each circle has a ring per stage, "
        "contact outside to member in the centre, and a mark per relationship: its shape and colour say the "
        "nature. Nothing on this page names a person or a place.</p>",
    ]
    if n.include_private:
        parts.append(
            '<p class="private"><strong>Private:</strong> this page holds pseudonyms, workplaces '
            "and notes. Do not forward it; delete it after the meeting.</p>"
        )
    if n.overview is not None:
        parts.append(_html_overview(n.overview, n.stale_weeks, look))
    parts += [_html_collective(c, look) for c in n.collectives]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _all_marks(n: Network) -> list[Mark]:
    return [m for c in n.collectives for m in c.circle]


def _since(m: Movement) -> str:
    if m.since is None:
        return "(no earlier report)"
    return f"since the report to {m.baseline} (filed {m.since})" if m.baseline else f"since {m.since}"


def _html_movement(new: int | None, moved: int | None, stale: int, weeks: int, since: str) -> str:
    parts = movement_parts(new, moved, stale, weeks)
    return f"<p>Movement {escape(since)}: {escape(' · '.join(parts).replace('moved up', MOVED))}.</p>"


def _html_circle(marks: list[Mark], look: dict[str, Look], weeks: int, has_baseline: bool, what: str) -> str:
    """The circle, its legend, and a table with the same figures (for screen readers and print)."""
    if not marks:
        return "<p>No relationships on the circles yet.</p>"
    desc = circle_description(marks, weeks)
    natures = Counter(m.nature for m in marks)
    keys = [f"<li>{legend_glyph(look[k])}{escape(k)} {v}</li>" for k, v in _by_look(natures, look)]
    moves = [
        ("new", "ringed: new", sum(m.new for m in marks)),
        ("moved", f"tail from the ring it was on: {MOVED}", sum(m.moved_from is not None for m in marks)),
        ("stale", f"hollow: no contact for {weeks}+ weeks", sum(m.stale for m in marks)),
    ]
    keys += [f"<li>{legend_glyph(None, kind)}{escape(text)} {v}</li>" for kind, text, v in moves if v]
    figure = (
        f'<figure class="circle"><figcaption><ul class="legend">{"".join(keys)}</ul></figcaption>'
        f"{circle_svg(marks, look, desc)}</figure>"
    )
    return f'<div class="circle-block">{figure}{_stage_table(marks, weeks, has_baseline, what)}</div>'


def _by_look(natures: Counter[str], look: dict[str, Look]) -> list[tuple[str, int]]:
    order = list(look)
    return sorted(natures.items(), key=lambda kv: order.index(kv[0]))


def _stage_table(marks: list[Mark], weeks: int, has_baseline: bool, what: str) -> str:
    stale = f"no contact {weeks}+ weeks"

    def cell(v: int, label: str) -> str:
        return f'<td class=n data-label="{label}">{v if has_baseline else "–"}</td>'

    def row(name: str, here: list[Mark], natures: str, cls: str = "") -> str:
        return (
            f"<tr{cls}><td>{escape(name)}</td><td class=n data-label=relationships>{len(here)}</td>"
            f"{cell(sum(m.new for m in here), 'new')}{cell(sum(m.moved_from is not None for m in here), MOVED)}"
            f'<td class=n data-label="{stale}">{sum(m.stale for m in here)}</td><td>{escape(natures)}</td></tr>'
        )

    rows = []
    for stage in STAGES:
        here = [m for m in marks if m.stage == stage.value]
        rows.append(
            row(stage.value, here, natures_line(dict(Counter(m.nature for m in here).most_common())) if here else "")
        )
    rows.append(row("all", marks, "", " class=total"))
    return (
        f'<div class="scroll"><table class="stages stack"><caption>{escape(what)}: the rings from outside (contact) '
        "to centre (member)</caption><thead><tr><th>stage</th><th class=n>relationships</th><th class=n>new</th>"
        f"<th class=n>{MOVED}</th><th class=n>{stale}</th><th>by nature</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _html_overview(o: Overview, weeks: int, look: dict[str, Look]) -> str:
    return "\n".join(
        [
            '<section id="organisation"><h2>Organisation</h2>',
            f"<p>{plural(o.collectives, 'collective')}, {plural(o.counts.total, 'relationship')} held by "
            f"{plural(o.comrades, 'comrade')}; <span class=cue>{plural(o.without_relationships, 'comrade')} "
            "without any yet</span>.</p>",
            _html_movement(o.new, o.moved_up, o.stale, weeks, "since each collective's previous report"),
            _html_follow_ups(o.counts, o.follow_ups),
            _html_circle(o.circle, look, weeks, True, "Every collective's relationships"),
            _html_charts(o.funnel, o.reports),
            _html_trends(o.reports, o.trends, counted=True),
            "</section>",
        ]
    )


def _html_follow_ups(counts: Counts, f: FollowUpCounts) -> str:
    """Assessments and follow-ups as counts (issue 33); nothing when there are none."""
    parts = []
    if counts.by_assessment:
        parts.append(f"<p>Assessed: {escape(natures_line(counts.by_assessment))}.</p>")
    if f.total:
        parts.append(f"<p>Follow-ups: {escape(follow_ups_line(f))}.</p>")
    return "\n".join(parts)


def _html_collective(c: CollectiveNetwork, look: dict[str, Look]) -> str:
    m = c.movement
    parts = [
        f'<section id="{escape(c.slug)}"><h2>{escape(c.name)} <span class=muted>({escape(c.slug)})</span></h2>',
        f"<p>{plural(c.counts.total, 'relationship')}.</p>",
        _html_movement(m.new, m.moved_up, m.stale, m.stale_weeks, _since(m)),
        _html_follow_ups(c.counts, c.follow_ups),
        _html_circle(c.circle, look, m.stale_weeks, m.since is not None, f"{c.name}: relationships"),
        _html_comrades(c, look),
        _html_charts(c.funnel, c.reports),
        _html_trends(c.reports, c.trends),
    ]
    if c.relationships is not None:
        parts.append(_html_private(c))
    parts.append("</section>")
    return "\n".join(p for p in parts if p)


def _html_comrades(c: CollectiveNetwork, look: dict[str, Look]) -> str:
    weeks = c.movement.stale_weeks
    circles = "".join(
        f"<figure><figcaption>{escape(x.handle)}: {plural(x.counts.total, 'relationship')}</figcaption>"
        f"{circle_svg(x.circle, look, f'{x.handle}: {circle_description(x.circle, weeks)}', 150, False)}</figure>"
        for x in c.comrades
    )
    rows = "".join(
        f"<tr><td>{escape(x.handle)}</td><td class=n data-label=held>{x.counts.total}</td>"
        f"<td>{escape(stages_line(x.counts.by_stage, keep_zero=False))}</td>"
        f"<td>{escape(natures_line(x.counts.by_nature))}</td>"
        f"<td class=n data-label=new>{'–' if x.new is None else x.new}</td>"
        f'<td class=n data-label="{MOVED}">{"–" if x.moved_up is None else x.moved_up}</td>'
        f'<td class=n data-label="no contact">{x.stale}</td></tr>'
        for x in c.comrades
    )
    table = (
        f'<h3>Comrades</h3><div class="comrade-circles">{circles}</div>'
        '<div class="scroll"><table class="comrades wide stack"><thead><tr><th>comrade</th><th class=n>held</th>'
        f"<th>by stage</th><th>by nature</th><th class=n>new</th><th class=n>{MOVED}</th>"
        f"<th class=n>no contact</th></tr></thead><tbody>{rows}</tbody></table></div>"
        if c.comrades
        else ""
    )
    cue = (
        f"<p class=cue>No relationships yet: {escape(', '.join(c.without_relationships))}: {escape(CUE)}.</p>"
        if c.without_relationships
        else ""
    )
    return table + cue


TREND_CHARTS = (
    ("copies", "Red Flag copies"),
    ("readers", "Red Flag readers"),
    ("sites", "distribution sites"),
    ("relationships", "relationships"),
)


def _html_charts(steps: list[FunnelStep], points: list[ReportPoint]) -> str:
    desc = funnel_line(steps)
    charts = [
        "<figure><figcaption>From reader to recruit: relationships at each stage or beyond</figcaption>"
        f"{funnel_svg([(s.stage, s.reached, share(s)) for s in steps], desc)}</figure>"
    ]
    names = [p.meeting for p in points]
    for name, caption in TREND_CHARTS if points else ():
        values = [getattr(p, name) for p in points]
        said = ", ".join(f"{mid} {'no figure' if v is None else v}" for mid, v in zip(names, values))
        note = "; ○ on the axis: the report gave no figure" if None in values else ""
        charts.append(
            f"<figure><figcaption>{escape(caption)}, report by report{note}</figcaption>"
            f"{line_svg(values, names, f'{caption}, report by report: {said}')}</figure>"
        )
    return f'<h3>Over time</h3><div class="charts">{"".join(charts)}</div>'


def _html_trends(points: list[ReportPoint], trends: list[Trend], counted: bool = False) -> str:
    """Every figure of every report, with "no figure" where a report gave none."""
    shown = shown_trends(trends)
    if not points or not shown:
        return "<p>No reports yet.</p>" if not points else ""
    heads = "".join(
        f"<th class=n>{escape(p.meeting)}"
        + (f"<br><span class=muted>{plural(p.reported_by, 'report')}</span>" if counted else "")
        + "</th>"
        for p in points
    )
    rows = "".join(
        f"<tr><td>{escape(t.figure)}</td>"
        + "".join(
            '<td class="n none">no figure</td>'
            if v is None
            else f"<td class=n>{escape(_value(v, t, i, points if counted else None))}</td>"
            for i, v in enumerate(t.values)
        )
        + f"<td class=n>{escape(change(t.change) if t.change is not None else 'not reported')}</td></tr>"
        for t in shown
    )
    return (
        '<div class="scroll"><table class="trends wide"><caption>Every report\'s figures</caption>'
        f"<thead><tr><th>figure</th>{heads}<th class=n>change</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )


def _html_private(c: CollectiveNetwork) -> str:
    rows = "".join(
        f"<tr><td>{escape(r.pseudonym)}</td><td>{escape(r.nature)}</td><td>{escape(r.stage)}</td>"
        f"<td>{escape(r.comrade)}</td><td>{r.since}</td><td>{r.last_contact or '–'}</td>"
        f"<td>{escape(_flags(r).strip(' []'))}</td><td>{escape(r.workplace or '')}</td>"
        f"<td>{escape(r.notes or '')}</td><td>{escape('; '.join(_step(s) for s in r.history))}</td></tr>"
        for r in c.relationships or []
    )
    sites = "".join(
        f"<li>{escape(p.meeting)}: {escape('; '.join(p.site_names))}</li>" for p in c.reports if p.site_names
    )
    return (
        '<div class="private"><h3>Relationships (private)</h3><div class="scroll"><table><tr><th>pseudonym</th>'
        "<th>nature</th><th>stage</th><th>comrade</th><th>since</th><th>last contact</th><th>flags</th><th>workplace</th>"
        f"<th>notes</th><th>history</th></tr>{rows}</table></div>"
        + (f"<h3>Red Flag sites (private)</h3><ul>{sites}</ul>" if sites else "")
        + "</div>"
    )


RENDERERS = {"text": render_text, "json": render_json, "html": render_html}
