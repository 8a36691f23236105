"""Static SVG for the network page: relationship circles and trend charts.

Pure drawing from plain figures; no script, nothing fetched. Labels are placed by
estimating their boxes generously and skipping any label that would touch another.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from redflag_coord.i18n.labels import Labels as Words
from redflag_coord.network.build import STAGES, Mark
from redflag_coord.org.model import DEFAULT_NATURES

# Okabe–Ito's hues, told apart with the common colour-vision deficiencies, darkened where needed so
# that every mark stands at 3:1 or more against the rings and the page (WCAG 1.4.11, non-text
# contrast; tests/test_network_svg.py computes it): blue and black as they are, vermillion, bluish
# green, reddish purple and orange darker. Sky blue and yellow are left out: no darker sky blue is
# told from the blue but by lightness, and a yellow dark enough is the orange's brown.
PALETTE = ("#0072B2", "#C04F00", "#007A5B", "#A8548C", "#8C6100", "#000000")
# One shape per nature: the seven default natures and two of an organisation's own each have a shape
# of their own, so no two natures on a page differ by colour alone (1.4.1, use of colour).
SHAPES = ("circle", "square", "triangle", "diamond", "triangle-down", "plus", "star", "hexagon", "cross")
INK, MUTED = "#1d1d1d", "#666"
RING_FILL = ("#f4f4f4", "#e9e9e9")
BACKGROUND = "#ffffff"  # the network page's and the charts'
FONT = 11
TURNS = (-0.42, 0.3, -0.15, 0.42, -0.3, 0.0)  # per stage: where in its slot a ring's marks begin
CHAR_EM = 0.7  # wider than any system-ui digit or lowercase letter, so real boxes fit inside the estimate


# -- natures: one look per nature, the same across the page ----------------------------------------


def nature_order(natures: Iterable[str]) -> list[str]:
    """The default natures in their usual order, then an organisation's own, alphabetically."""
    known = {n: i for i, n in enumerate(DEFAULT_NATURES)}
    return sorted(set(natures), key=lambda n: (known.get(n, len(known)), n))


@dataclass(frozen=True)
class Look:
    colour: str
    shape: str


def looks(natures: Iterable[str]) -> dict[str, Look]:
    """The default natures keep one look on every page (by their place in the default list);
    an organisation's own natures follow, alphabetically, each in a shape not yet used on the page
    (while there is one) and never in a look already taken."""
    known = {n: i for i, n in enumerate(DEFAULT_NATURES)}
    ordered = nature_order(natures)
    out = {n: _look(known[n]) for n in ordered if n in known}
    i = len(known)
    for n in ordered:
        if n not in known:
            i = _fresh(i, set(out.values()))
            out[n] = _look(i)
            i += 1
    return out


def _fresh(i: int, taken: set[Look]) -> int:
    """The first look from the i-th on that no nature on the page has, best in a shape and a colour
    the page does not use yet; past every distinct look, looks repeat (the table still tells)."""
    shapes, colours = {v.shape for v in taken}, {v.colour for v in taken}
    best: tuple[tuple[bool, bool], int] | None = None
    for j in range(i, i + len(PALETTE) * len(SHAPES)):
        look = _look(j)
        if look in taken:
            continue
        score = (look.shape not in shapes, look.colour not in colours)
        if score == (True, True):
            return j
        if best is None or score > best[0]:
            best = (score, j)
    return i if best is None else best[1]


def _look(i: int) -> Look:
    """The i-th look: every shape in turn, the colours shifted by one on each round, so that the first
    len(PALETTE) * len(SHAPES) looks are all different."""
    rnd, shape = divmod(i, len(SHAPES))
    return Look(PALETTE[(shape + rnd) % len(PALETTE)], SHAPES[shape])


def glyph(look: Look, x: float, y: float, r: float, hollow: bool = False) -> str:
    """One mark: filled in the nature's colour, or hollow (white inside, coloured edge)."""
    fill = "#fff" if hollow else look.colour
    paint = f'fill="{fill}" stroke="{look.colour if hollow else "#fff"}" stroke-width="{1.6 if hollow else 0.8}"'
    x, y, r = round(x, 1), round(y, 1), round(r, 1)
    if look.shape == "circle":
        return f'<circle cx="{x}" cy="{y}" r="{r}" {paint}/>'
    if look.shape == "square":
        s = round(r * 0.9, 1)
        return f'<rect x="{round(x - s, 1)}" y="{round(y - s, 1)}" width="{2 * s}" height="{2 * s}" {paint}/>'
    if look.shape == "plus":
        t = round(r * 0.42, 1)
        pts = [
            (-t, -r),
            (t, -r),
            (t, -t),
            (r, -t),
            (r, t),
            (t, t),
            (t, r),
            (-t, r),
            (-t, t),
            (-r, t),
            (-r, -t),
            (-t, -t),
        ]
    elif look.shape == "cross":  # the plus turned by 45°
        t, q = r * 0.3, r * 0.95
        pts = [
            (-q, -q + t),
            (-q + t, -q),
            (0, -t),
            (q - t, -q),
            (q, -q + t),
            (t, 0),
            (q, q - t),
            (q - t, q),
            (0, t),
            (-q + t, q),
            (-q, q - t),
            (-t, 0),
        ]
    elif look.shape == "star":
        pts = [
            (
                r * (1.3 if k % 2 == 0 else 0.55) * math.sin(k * math.pi / 5),
                -r * (1.3 if k % 2 == 0 else 0.55) * math.cos(k * math.pi / 5),
            )
            for k in range(10)
        ]
    elif look.shape == "hexagon":
        pts = [(r * 1.1 * math.cos(k * math.pi / 3), r * 1.1 * math.sin(k * math.pi / 3)) for k in range(6)]
    elif look.shape == "diamond":
        pts = [(0, -r * 1.15), (r * 1.15, 0), (0, r * 1.15), (-r * 1.15, 0)]
    elif look.shape == "triangle":
        pts = [(0, -r * 1.2), (r * 1.1, r * 0.8), (-r * 1.1, r * 0.8)]
    else:  # triangle-down
        pts = [(0, r * 1.2), (r * 1.1, -r * 0.8), (-r * 1.1, -r * 0.8)]
    points = " ".join(f"{round(x + dx, 1)},{round(y + dy, 1)}" for dx, dy in pts)
    return f'<polygon points="{points}" {paint}/>'


def legend_glyph(look: Look | None, kind: str = "mark") -> str:
    """A small inline picture for the HTML legend (decorative: the words beside it say it all)."""
    inner = {
        "mark": glyph(look, 8, 8, 5) if look else "",
        "new": f'<circle cx="8" cy="8" r="3.5" fill="{MUTED}"/>'
        f'<circle cx="8" cy="8" r="6.5" fill="none" stroke="{INK}" stroke-width="1.4"/>',
        "moved": f'<line x1="1" y1="8" x2="11" y2="8" stroke="{INK}" stroke-width="1.3"/>'
        f'<circle cx="1.8" cy="8" r="1.6" fill="{INK}"/><circle cx="12" cy="8" r="3.5" fill="{MUTED}"/>',
        "stale": f'<circle cx="8" cy="8" r="4.5" fill="#fff" stroke="{MUTED}" stroke-width="1.6"/>',
        "none": f'<circle cx="8" cy="12" r="3" fill="#fff" stroke="{MUTED}" stroke-dasharray="2 1.5"/>',
    }[kind]
    return (
        '<svg class="key" xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16" '
        f'aria-hidden="true">{inner}</svg>'
    )


# -- label boxes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def hits(self, other: Box, pad: float = 1.5) -> bool:
        return not (
            self.x1 + pad <= other.x0
            or other.x1 + pad <= self.x0
            or self.y1 + pad <= other.y0
            or other.y1 + pad <= self.y0
        )


def text_box(text: str, x: float, y: float, anchor: str, size: float = FONT) -> Box:
    """A box at least as large as the text drawn at baseline (x, y) with this anchor."""
    w = len(text) * size * CHAR_EM + 2
    x0 = x - w / 2 if anchor == "middle" else x - w if anchor == "end" else x
    return Box(x0, y - size * 0.95, x0 + w, y + size * 0.3)


class Labels:
    """Labels placed one by one; each goes to the first candidate spot that touches nothing placed."""

    def __init__(self, bounds: Box) -> None:
        self.bounds = bounds
        self.boxes: list[Box] = []
        self.svg: list[str] = []

    def place(self, text: str, spots: Sequence[tuple[float, float, str]], fill: str = INK, size: float = FONT) -> bool:
        for x, y, anchor in spots:
            box = text_box(text, x, y, anchor, size)
            inside = box.x0 >= self.bounds.x0 and box.x1 <= self.bounds.x1 and box.y0 >= self.bounds.y0
            if inside and box.y1 <= self.bounds.y1 and not any(box.hits(b) for b in self.boxes):
                self.boxes.append(box)
                size_attr = "" if size == FONT else f' font-size="{size}"'
                fill_attr = "" if fill == INK else f' fill="{fill}"'
                self.svg.append(
                    f'<text x="{round(x, 1)}" y="{round(y, 1)}" text-anchor="{anchor}"{fill_attr}{size_attr}>'
                    f"{escape(text)}</text>"
                )
                return True
        return False


def _svg(width: float, height: float, desc: str, body: Iterable[str], cls: str) -> str:
    d = escape(desc)
    return (
        f'<svg class="{cls}" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{d}"><title>{d}</title>{"".join(body)}</svg>'
    )


# -- relationship circles ---------------------------------------------------------------------------


def ring_radii(outer: float) -> dict[str, tuple[float, float]]:
    """(inner, outer) radius per stage: contact the outermost ring, member the disc in the middle."""
    core = outer * 0.22
    band = (outer - core) / (len(STAGES) - 1)
    radii = {}
    for i, stage in enumerate(STAGES[:-1]):
        hi = outer - i * band
        radii[stage.value] = (hi - band, hi)
    radii[STAGES[-1].value] = (0.0, core)
    return radii


def circle_svg(marks: Sequence[Mark], look: dict[str, Look], desc: str, size: int = 300, labelled: bool = True) -> str:
    """Concentric rings, contact outside to member inside; one mark per relationship.

    Ringed: new since the previous report. A tail from the ring it was on: moved inward.
    Hollow: no contact for the stale weeks. Nothing that names a person or a place.
    """
    c = size / 2
    outer = c - 3
    radii = ring_radii(outer)
    mark_r = 5.0 if size >= 200 else 3.6
    body: list[str] = []
    for i, stage in enumerate(STAGES):
        _, hi = radii[stage.value]
        body.append(f'<circle cx="{c}" cy="{c}" r="{round(hi, 1)}" fill="{RING_FILL[i % 2]}" stroke="#c4c4c4"/>')
    labels = Labels(Box(0, 0, size, size))
    gaps: dict[str, float] = {}
    for stage in STAGES:
        lo, hi = radii[stage.value]
        mid = (lo + hi) / 2 if lo else hi * 0.45
        if labelled:
            y = c - mid + 3.5 if lo else c - hi * 0.3
            labels.place(stage.value, [(c, y, "middle")], fill="#444", size=9.5)
            half = len(stage.value) * 9.5 * CHAR_EM / 2 + mark_r + 3
            gaps[stage.value] = math.pi / 2 if not lo else min(math.pi / 2, math.asin(min(1.0, half / mid)))
    by_stage: dict[str, list[Mark]] = {}
    for m in marks:
        by_stage.setdefault(m.stage, []).append(m)
    tails, glyphs = [], []
    for stage in STAGES:
        group = by_stage.get(stage.value, [])
        lo, hi = radii[stage.value]
        for m, (x, y, angle) in zip(
            group, _spots(len(group), lo, hi, gaps.get(stage.value, 0.0), mark_r, c, TURNS[stage.rank])
        ):
            if m.moved_from:
                flo, fhi = radii[m.moved_from]
                fr = (flo + fhi) / 2 if flo else fhi * 0.45
                fx, fy = c + fr * math.cos(angle), c + fr * math.sin(angle)
                tails.append(
                    f'<line x1="{round(fx, 1)}" y1="{round(fy, 1)}" x2="{round(x, 1)}" y2="{round(y, 1)}" '
                    f'stroke="{INK}" stroke-width="1.3"/>'
                    f'<circle cx="{round(fx, 1)}" cy="{round(fy, 1)}" r="1.8" fill="{INK}"/>'
                )
            if m.new:
                glyphs.append(
                    f'<circle cx="{round(x, 1)}" cy="{round(y, 1)}" r="{mark_r + 3}" fill="none" '
                    f'stroke="{INK}" stroke-width="1.4"/>'
                )
            glyphs.append(glyph(look[m.nature], x, y, mark_r, hollow=m.stale))
    return _svg(size, size, desc, [*body, *labels.svg, *tails, *glyphs], "circles")


def _spots(
    n: int, lo: float, hi: float, gap: float, mark_r: float, c: float, turn: float = 0.0
) -> list[tuple[float, float, float]]:
    """n places in a ring, evenly round the arc that the ring's label leaves free (the top is the label's).

    A crowded ring uses two tracks; beyond that the marks sit closer together rather than leave the ring.
    `turn` (within half a slot either way) starts each ring elsewhere, so lone marks and tails do not line up.
    """
    if n == 0:
        return []
    if lo == 0 and n == 1:
        return [(c, c + hi * 0.45 if gap else c, math.pi / 2)]
    mid = (lo + hi) / 2 if lo else hi * 0.5
    start = -math.pi / 2 + gap
    span = 2 * math.pi - 2 * gap
    tracks = [mid]
    if n * (2 * mark_r + 3) > span * mid and lo:
        offset = (hi - lo) * 0.24
        tracks = [mid - offset, mid + offset]
    out = []
    for k in range(n):
        angle = start + span * (k + 0.5 + turn) / n
        r = tracks[k % len(tracks)]
        out.append((c + r * math.cos(angle), c + r * math.sin(angle), angle))
    return out


def circle_description(marks: Sequence[Mark], weeks: int) -> str:
    """What the picture shows, in words (for the SVG title; the table beside it has the same figures)."""
    if not marks:
        return "No relationships yet."
    per = []
    for stage in STAGES:
        n = sum(m.stage == stage.value for m in marks)
        if n:
            per.append(f"{stage.value} {n}")
    new = sum(m.new for m in marks)
    moved = sum(m.moved_from is not None for m in marks)
    stale = sum(m.stale for m in marks)
    return (
        f"{Words('en').count('count.relationships', len(marks))}, from the outer ring (contact) to the centre "
        f"(member): {', '.join(per)}. "
        f"{new} new, {moved} moved inward, {stale} without contact for {weeks}+ weeks."
    )


# -- trend charts -------------------------------------------------------------------------------------


def line_svg(values: Sequence[int | None], names: Sequence[str], desc: str, width: int = 300, height: int = 150) -> str:
    """One figure over every report: a point per report, the line broken where a report gave no figure.

    Axis labels, point values and "no figure" notes go through one label placer, so none overlap;
    what does not fit is in the table beside the chart.
    """
    left, right, top, bottom = 38, 8, 16, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    base = top + plot_h
    peak = max((v for v in values if v is not None), default=0) or 1
    n = len(values)

    def x_at(i: int) -> float:
        return left + plot_w / 2 if n == 1 else left + 10 + (plot_w - 20) * i / (n - 1)

    def y_at(v: int) -> float:
        return base - plot_h * v / peak

    body = [
        f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#999"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="#ccc"/>',
    ]
    placer = Labels(Box(0, 0, width, height))
    placer.place(str(peak), [(left - 5, top + 4, "end")], fill=MUTED)
    placer.place("0", [(left - 5, base + 3, "end")], fill=MUTED)
    colour = PALETTE[0]
    runs: list[list[tuple[float, float]]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append((x_at(i), y_at(v)))
    for run in runs:
        if len(run) > 1:
            pts = " ".join(f"{round(x, 1)},{round(y, 1)}" for x, y in run)
            body.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{pts}"/>')
    for i, v in enumerate(values):
        x = round(x_at(i), 1)
        if v is None:
            body.append(f'<circle cx="{x}" cy="{base}" r="3.5" fill="#fff" stroke="{MUTED}" stroke-dasharray="2 1.5"/>')
        else:
            body.append(f'<circle cx="{x}" cy="{round(y_at(v), 1)}" r="3.2" fill="{colour}"/>')
    # the reports along the bottom: first and last, then the others where they fit
    for i in dict.fromkeys([0, n - 1, *range(1, n - 1)]):
        x = x_at(i)
        if n == 1:
            spots = [(x, height - 18, "middle")]
        elif i == 0:
            spots = [(x - 10, height - 18, "start")]
        elif i == n - 1:
            spots = [(x + 10, height - 18, "end")]
        else:
            spots = [(x, height - 18, "middle"), (x, height - 4, "middle")]
        placer.place(names[i], spots, fill=MUTED)
    # "no figure" first, just above the axis (a gap must never pass for a low figure), then values over
    # their points (or under, or not at all: the table beside the chart holds every one)
    for i, v in enumerate(values):
        if v is None:
            x = x_at(i)
            spots = [(x, y, a) for y in (base - 6, base - 20) for a in ("middle", "start", "end")]
            placer.place("no figure", spots, fill=MUTED, size=9.5)
    for i, v in enumerate(values):
        if v is None:
            continue
        x, y = x_at(i), y_at(v)
        placer.place(
            str(v),
            [(x, y - 7, "middle"), (x + 4, y - 6, "start"), (x - 4, y - 6, "end"), (x, y + 15, "middle")],
            fill=INK,
        )
    return _svg(width, height, desc, [*body, *placer.svg], "trend")


def funnel_svg(steps: Sequence[tuple[str, int, str]], desc: str, width: int = 300) -> str:
    """Horizontal bars, one per stage (name, reached, share), scaled to the widest."""
    row, label_w = 24, 90
    top = max((reached for _, reached, _ in steps), default=0) or 1
    bars = []
    for i, (stage, reached, share) in enumerate(steps):
        y = i * row
        w = round((width - label_w - 72) * reached / top)
        bars.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end">{escape(stage)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{w}" height="16" fill="{PALETTE[0]}"/>'
            f'<text x="{label_w + w + 4}" y="{y + 16}">{reached}{escape(share)}</text>'
        )
    return _svg(width, row * len(steps), desc, bars, "funnel")
