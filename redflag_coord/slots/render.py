"""Ranked meeting times as text, JSON and Markdown (for a vote in a pull request)."""

from __future__ import annotations

import json

from redflag_coord.i18n.width import pad, width
from redflag_coord.slots.find import Candidate, LocalSlot, SlotsResult, format_length


def render_json(r: SlotsResult) -> str:
    return json.dumps(r.to_dict(), ensure_ascii=False, indent=2)


def render_text(r: SlotsResult) -> str:
    lines = [*_heading(r), ""]
    if r.current is not None:
        lines += [f"now: {_current(r)}", ""]  # the meeting's time as it stands
    if not r.candidates:
        lines.append("No start times in this range.")
    for c in r.candidates:
        lines.append(f"{c.rank}. {_utc_span(c)} UTC")
        lines.append(f"   {_score(c)}")
        w = max(width(s.slug) for s in c.local)
        z = max(width(s.zone) for s in c.local)
        t = max(width(_local_span(s)) for s in c.local)
        for s in c.local:
            lines.append(f"   {pad(s.slug, w)}  {pad(_local_span(s), t)}  {pad(s.zone, z)}  {s.offset}  {s.band}")
        lines += [f"   why: {e}" for e in c.explanation[1:]]
        lines += [f"   warning: {w_}" for w_ in c.warnings]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_markdown(r: SlotsResult) -> str:
    title = f"Meeting times for `{r.meeting}`" if r.meeting else "Meeting times"
    lines = [f"## {title}", ""]
    lines += [_cell(line) for line in _heading(r)[:2]]
    if r.current is not None:
        lines += ["", _cell(f"Current time: {_current(r)}")]
    lines.append("")
    if not r.candidates:
        return "\n".join([*lines, "No start times in this range.", ""])
    lines += ["Vote by option number in a review comment.", ""]
    slugs = [s.slug for s in r.candidates[0].local]
    lines.append("| Option | UTC | " + " | ".join(slugs) + " | Members by band |")
    lines.append("| --- | --- | " + " | ".join("---" for _ in slugs) + " | --- |")
    for c in r.candidates:
        cells = [f"{_day(s.weekday)} {_local_span(s, short=True)} ({s.band})" for s in c.local]
        lines.append(f"| {c.rank} | {_utc_span(c)} | " + " | ".join(cells) + f" | {_bands(c)} |")
    lines += ["", "### Why", ""]
    for c in r.candidates:
        lines.append(f"- **Option {c.rank}**: " + "; ".join(c.explanation) + f"; fairness {c.fairness}.")
    warned = [c for c in r.candidates if c.warnings]
    if warned:
        lines += ["", "### Clock changes", ""]
        for c in warned:
            lines += [f"- **Option {c.rank}**: {w}." for w in c.warnings]
    lines += [
        "",
        "### Collectives",
        "",
        "| Collective | Zone | Members | Hours | Poor times at past meetings |",
        "| --- | --- | --- | --- | --- |",
    ]
    for p in r.participants:
        past = f"{p.burden} ({', '.join(p.burden_meetings)})" if p.burden else "0"
        lines.append(f"| {p.slug} | {p.zone} | {p.members} | {p.hours} | {past} |")
    return "\n".join(lines) + "\n"


def _heading(r: SlotsResult) -> list[str]:
    what = f"{r.meeting}: {r.title}" if r.meeting and r.title else r.meeting or "Meeting"
    lines = [
        what,
        f"{format_length(r.length_minutes)} long; start times every {r.step_minutes} minutes from "
        f"{r.date_from} to {r.date_to} (UTC dates): {r.considered} ranked, best {len(r.candidates)} shown.",
    ]
    if r.range_note:
        lines.append(f"Range: {r.range_note}.")
    if r.not_before:
        lines.append(f"No start before {r.not_before[:10]} {r.not_before[11:16]} UTC.")
    if r.spread:
        lines.append("Spread: the best start at each distinct time of day.")
    if r.past_meetings:
        lines.append(
            "Fairness: poor or unacceptable times at past meetings ("
            + ", ".join(r.past_meetings)
            + "): "
            + ", ".join(f"{p.slug} {p.burden}" for p in r.participants if p.burden)
            + "."
        )
    defaults = [p.slug for p in r.participants if p.hours == "default"]
    if defaults:
        lines.append("Default hours (no [availability] in collective.toml): " + ", ".join(defaults) + ".")
    return lines


def _current(r: SlotsResult) -> str:
    """'#37 of 1344 - 1 collective at an unacceptable time' for the meeting's current time."""
    c = r.current
    assert c is not None
    worst = [band for band in ("unacceptable", "poor") if any(s.band == band for s in c.local)]
    if worst:
        counts = [(sum(1 for s in c.local if s.band == band), band) for band in worst]
        bands = ", ".join(
            f"{n} collective{'s' if n > 1 else ''} at {'an' if b[0] in 'aeiou' else 'a'} {b} time" for n, b in counts
        )
    else:
        bands = "every collective at an acceptable or good time"
    return f"{_utc_span(c)} UTC (the meeting's current time) is #{c.rank} of {r.considered} — {bands}"


def _score(c: Candidate) -> str:
    return f"members: {_bands(c)}; fairness {c.fairness} (past poor times of those given a poor time now)"


def _bands(c: Candidate) -> str:
    parts = [f"{n} {band}" for band, n in reversed(list(c.members.items())) if n]
    return ", ".join(parts)


def _utc_span(c: Candidate) -> str:
    start, end = c.start_utc, c.end_utc
    tail = end[11:16] if end[:10] == start[:10] else f"{end[:10]} {end[11:16]}"
    return f"{_day(c.weekday_utc)} {start[:10]} {start[11:16]}-{tail}"


def _local_span(s: LocalSlot, short: bool = False) -> str:
    first = s.start[11:16] if short else f"{_day(s.weekday)} {s.start[:10]} {s.start[11:16]}"
    if s.end[:10] == s.start[:10]:
        return f"{first}-{s.end[11:16]}"
    return f"{first}-{_day(s.end_weekday)} {s.end[11:16]}"


def _day(weekday: str) -> str:
    return weekday[:3]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
