"""Render `network.Network` as text, JSON, or a self-contained HTML page with inline SVG charts.

Every renderer shows what the Network holds and nothing more: the private
fields are there only when the figures were computed with include_private.
HTML escapes every piece of text and loads nothing from anywhere.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from html import escape
from typing import Any

from redflag_coord.network.build import (
    CollectiveNetwork,
    ComradeFigures,
    Counts,
    FunnelStep,
    Network,
    Overview,
    RelationshipLine,
    ReportPoint,
    Trend,
)

CUE = "the collective's cue to help them build their first (fight individualism)"


# -- small formatting helpers ------------------------------------------------------------


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def change(value: int | None) -> str:
    if value is None:
        return ""
    if value == 0:
        return "(=)"
    return f"({value:+d})"


def trend_line(t: Trend) -> str:
    values = " → ".join("–" if v is None else str(v) for v in t.values)
    return f"{values} {change(t.change)}" if len(t.values) > 1 else values


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


def render_text(n: Network) -> str:
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
    ]


def _text_trends(points: list[ReportPoint], trends: list[Trend], counted: bool = False) -> list[str]:
    if not points:
        return ["  over time  no reports yet"]
    names = [
        f"{p.meeting} ({plural(p.reported_by, 'report')})" if counted else p.meeting + _state_note(p) for p in points
    ]
    out = [f"  over time  {' → '.join(names)}"]
    shown = shown_trends(trends)
    w = max(len(t.figure) for t in shown) if shown else 0
    out += [f"    {t.figure:<{w}}  {trend_line(t)}" for t in shown]
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
    ]
    if c.comrades:
        lines.append("  comrades")
        w = max(len(x.handle) for x in c.comrades)
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
        f"{x.handle:<{width}}  {x.counts.total:>2}  {stages_line(x.counts.by_stage, keep_zero=False)}"
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
body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:62rem;padding:0 1rem;color:#1d1d1d}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-top:3px solid #b3121f;padding-top:.6rem}
h3{font-size:1rem;margin:1rem 0 .3rem}.private{background:#fff3cd;border:1px solid #e0b000;padding:.4rem .7rem}
table{border-collapse:collapse;margin:.3rem 0 .8rem}th,td{text-align:left;padding:.15rem .7rem .15rem 0;vertical-align:top}
td.n,th.n{text-align:right}th{font-weight:600;border-bottom:1px solid #bbb}.cue{color:#b3121f;font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:1rem 1.5rem}figure{margin:0;max-width:300px}figcaption{font-size:.85rem;color:#555}
svg text{font:11px system-ui,sans-serif}.muted{color:#666}
"""
COLOURS = ("#b3121f", "#1f5fb3", "#2b8a3e")


def render_html(n: Network) -> str:
    title = "Relationship networks"
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="muted">On {escape(str(n.today))}. '
        f"Without contact means none for {n.stale_weeks} weeks or more.</p>",
    ]
    if n.include_private:
        parts.append(
            '<p class="private"><strong>Private:</strong> this page holds pseudonyms, workplaces '
            "and notes. Do not forward it; delete it after the meeting.</p>"
        )
    if n.overview is not None:
        parts.append(_html_overview(n.overview, n.stale_weeks))
    parts += [_html_collective(c) for c in n.collectives]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _html_counts(counts: Counts) -> str:
    stages = "".join(f"<th class=n>{escape(k)}</th>" for k in counts.by_stage)
    values = "".join(f"<td class=n>{v}</td>" for v in counts.by_stage.values())
    natures = escape(natures_line(counts.by_nature))
    return f"<table><tr><th>by stage</th>{stages}</tr><tr><td></td>{values}</tr></table><p>By nature: {natures}</p>"


def _html_movement(new: int | None, moved: int | None, stale: int, weeks: int, since: str) -> str:
    return f"<p>Movement {escape(since)}: {escape(' · '.join(movement_parts(new, moved, stale, weeks)))}.</p>"


def _html_overview(o: Overview, weeks: int) -> str:
    return "\n".join(
        [
            "<section><h2>Organisation</h2>",
            f"<p>{plural(o.collectives, 'collective')}, {plural(o.counts.total, 'relationship')} held by "
            f"{plural(o.comrades, 'comrade')}; <span class=cue>{plural(o.without_relationships, 'comrade')} "
            "without any yet</span>.</p>",
            _html_counts(o.counts),
            _html_movement(o.new, o.moved_up, o.stale, weeks, "since each collective's previous report"),
            _html_charts(o.funnel, o.reports),
            _html_trends(o.trends),
            "</section>",
        ]
    )


def _html_collective(c: CollectiveNetwork) -> str:
    m = c.movement
    since = (
        "(no earlier report)"
        if m.since is None
        else f"since the report to {m.baseline} (filed {m.since})"
        if m.baseline
        else f"since {m.since}"
    )
    parts = [
        f'<section id="{escape(c.slug)}"><h2>{escape(c.name)} <span class=muted>({escape(c.slug)})</span></h2>',
        f"<p>{plural(c.counts.total, 'relationship')}.</p>",
        _html_counts(c.counts),
        _html_movement(m.new, m.moved_up, m.stale, m.stale_weeks, since),
        _html_comrades(c),
        _html_charts(c.funnel, c.reports),
        _html_trends(c.trends),
    ]
    if c.relationships is not None:
        parts.append(_html_private(c))
    parts.append("</section>")
    return "\n".join(p for p in parts if p)


def _html_comrades(c: CollectiveNetwork) -> str:
    rows = "".join(
        f"<tr><td>{escape(x.handle)}</td><td class=n>{x.counts.total}</td>"
        f"<td>{escape(stages_line(x.counts.by_stage, keep_zero=False))}</td>"
        f"<td>{escape(natures_line(x.counts.by_nature))}</td>"
        f"<td class=n>{'' if x.new is None else x.new}</td><td class=n>{'' if x.moved_up is None else x.moved_up}</td>"
        f"<td class=n>{x.stale}</td></tr>"
        for x in c.comrades
    )
    table = (
        "<h3>Comrades</h3><table><tr><th>comrade</th><th class=n>held</th><th>by stage</th><th>by nature</th>"
        f"<th class=n>new</th><th class=n>moved up</th><th class=n>no contact</th></tr>{rows}</table>"
        if c.comrades
        else ""
    )
    cue = (
        f"<p class=cue>No relationships yet: {escape(', '.join(c.without_relationships))}: {escape(CUE)}.</p>"
        if c.without_relationships
        else ""
    )
    return table + cue


def _html_trends(trends: list[Trend]) -> str:
    rows = "".join(
        f"<tr><td>{escape(t.figure)}</td><td>{escape(trend_line(t))}</td></tr>" for t in shown_trends(trends)
    )
    return f"<h3>Over time</h3><table>{rows}</table>" if rows else ""


def _html_charts(steps: list[FunnelStep], points: list[ReportPoint]) -> str:
    charts = [
        f"<figure>{funnel_svg(steps)}<figcaption>From reader to recruit: relationships at each stage "
        "or beyond</figcaption></figure>"
    ]
    if points:
        labels = [p.meeting for p in points]
        for name, caption in (
            ("copies", "Red Flag copies"),
            ("readers", "Red Flag readers"),
            ("sites", "distribution sites"),
        ):
            values = [getattr(p, name) for p in points]
            charts.append(
                f"<figure>{line_svg([(name, values)], labels)}"
                f"<figcaption>{escape(caption)}, report by report</figcaption></figure>"
            )
    return f'<div class="charts">{"".join(charts)}</div>'


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
        '<div class="private"><h3>Relationships (private)</h3><table><tr><th>pseudonym</th><th>nature</th>'
        "<th>stage</th><th>comrade</th><th>since</th><th>last contact</th><th>flags</th><th>workplace</th>"
        f"<th>notes</th><th>history</th></tr>{rows}</table>"
        + (f"<h3>Red Flag sites (private)</h3><ul>{sites}</ul>" if sites else "")
        + "</div>"
    )


# -- svg -----------------------------------------------------------------------------------------------------


def funnel_svg(steps: list[FunnelStep], width: int = 280) -> str:
    """Horizontal bars, one per stage, scaled to the first (widest) step."""
    row, label_w = 24, 90
    top = max((s.reached for s in steps), default=0) or 1
    bars = []
    for i, s in enumerate(steps):
        y = i * row
        w = round((width - label_w - 40) * s.reached / top)
        bars.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end">{escape(s.stage)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{w}" height="16" fill="{COLOURS[0]}"/>'
            f'<text x="{label_w + w + 4}" y="{y + 16}">{s.reached}{escape(share(s))}</text>'
        )
    height = row * len(steps)
    desc = escape(funnel_line(steps))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{desc}"><title>{desc}</title>'
        f"{''.join(bars)}</svg>"
    )


def line_svg(series: list[tuple[str, list[int | None]]], labels: list[str], width: int = 220, height: int = 130) -> str:
    """A small line chart from 0 to the largest value, one polyline per series, points labelled."""
    left, right, top, bottom = 36, 30, 22, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for _, vs in series for v in vs if v is not None), default=0) or 1
    step = plot_w / (len(labels) - 1) if len(labels) > 1 else 0

    def xy(i: int, v: int) -> tuple[float, float]:
        x = left + (i * step if len(labels) > 1 else plot_w / 2)
        return round(x, 1), round(top + plot_h - plot_h * v / peak, 1)

    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{peak}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    for i, label in enumerate(labels):
        x, _ = xy(i, 0)
        anchor = (
            "start" if i == 0 and len(labels) > 1 else "end" if i == len(labels) - 1 and len(labels) > 1 else "middle"
        )
        body.append(f'<text x="{x}" y="{height - 8}" text-anchor="{anchor}">{escape(label)}</text>')
    for k, (name, values) in enumerate(series):
        colour = COLOURS[k % len(COLOURS)]
        pts = [xy(i, v) for i, v in enumerate(values) if v is not None]
        if len(pts) > 1:
            body.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                f'points="{" ".join(f"{x},{y}" for x, y in pts)}"/>'
            )
        body += [f'<circle cx="{x}" cy="{y}" r="3" fill="{colour}"/>' for x, y in pts]
        body += [
            f'<text x="{x}" y="{y - 6}" text-anchor="middle" fill="{colour}">{v}</text>'
            for (x, y), v in zip(pts, [v for v in values if v is not None])
        ]
        body.append(f'<text x="{left + 4 + 70 * k}" y="11" fill="{colour}">■ {escape(name)}</text>')
    desc = escape(
        "; ".join(f"{name}: " + ", ".join("–" if v is None else str(v) for v in values) for name, values in series)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{desc}"><title>{desc}</title>'
        f"{''.join(body)}</svg>"
    )


RENDERERS = {"text": render_text, "json": render_json, "html": render_html}
