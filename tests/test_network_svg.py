"""The network page's pictures: circles draw every relationship and nothing private; trend charts
place labels that never overlap and mark a report without a figure; text wraps to its width."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from conftest import CANARIES
from hypothesis import given, settings
from hypothesis import strategies as st

from redflag_coord.network.build import STAGES, Mark
from redflag_coord.network.render import wrap_lines
from redflag_coord.network.svg import PALETTE, SHAPES, Box, Labels, circle_svg, line_svg, looks, text_box
from redflag_coord.org.model import DEFAULT_NATURES

NS = "{http://www.w3.org/2000/svg}"
stages = st.sampled_from([s.value for s in STAGES])
marks = st.builds(
    Mark,
    stage=stages,
    nature=st.sampled_from(["co-worker", "friend", "neighbour", "church", "family", "union", "student"]),
    new=st.booleans(),
    moved_from=st.none(),
    stale=st.booleans(),
)


def _texts(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(svg).iter(f"{NS}text"))


def _boxes(svg: str) -> list[Box]:
    return [
        text_box(
            t.text or "",
            float(t.get("x", 0)),
            float(t.get("y", 0)),
            t.get("text-anchor", "start"),
            float(t.get("font-size", 11)),
        )
        for t in _texts(svg)
    ]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 250_000)), min_size=1, max_size=40))
def test_trend_labels_never_overlap_and_gaps_are_marked(values):
    names = [f"ic-20{26 + i // 12}-{i % 12 + 1:02d}" for i in range(len(values))]
    svg = line_svg(values, names, "desc")
    boxes = _boxes(svg)
    for i, a in enumerate(boxes):
        assert a.x0 >= 0 and a.x1 <= 300 and a.y0 >= 0 and a.y1 <= 150
        assert not any(a.hits(b, pad=0) for b in boxes[i + 1 :])
    root = ET.fromstring(svg)
    hollow = [c for c in root.iter(f"{NS}circle") if c.get("stroke-dasharray")]
    assert len(hollow) == values.count(None)  # a dashed ring on the axis for each report without a figure
    labels = [t.text for t in _texts(svg)]
    assert (names[0] in labels and names[-1] in labels) or len(values) == 1
    if values.count(None) == 1 and len(values) <= 4:
        assert "no figure" in labels


def test_first_value_is_not_printed_over_the_axis_label():
    """The old bug: "158" on the axis drawn over the first point's "125"."""
    svg = line_svg([125, 158], ["ic-2026-06", "ic-2026-12"], "readers")
    boxes = _boxes(svg)
    assert {"125", "158", "0"} <= {t.text for t in _texts(svg)}
    assert not any(a.hits(b, pad=0) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_flat_series_labels_do_not_jumble():
    """India's sites: 1 and 1, the axis' 1 and 0 (was drawn on top of each other)."""
    svg = line_svg([1, 1], ["ic-2026-06", "ic-2026-12"], "sites")
    boxes = _boxes(svg)
    assert not any(a.hits(b, pad=0) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_labels_placer_skips_what_would_touch():
    placer = Labels(Box(0, 0, 100, 100))
    assert placer.place("123", [(10, 20, "start")])
    assert not placer.place("456", [(12, 21, "start")])
    assert placer.place("456", [(12, 21, "start"), (12, 60, "start")])


@settings(max_examples=60, deadline=None)
@given(st.lists(marks, max_size=90))
def test_circle_draws_a_mark_for_each_relationship(ms):
    look = looks(m.nature for m in ms)
    for size, labelled in ((300, True), (150, False)):
        svg = circle_svg(ms, look, "desc", size, labelled)
        root = ET.fromstring(svg)
        glyphs = [e for e in root if e.tag in (f"{NS}circle", f"{NS}rect", f"{NS}polygon")]
        rings = [e for e in glyphs if e.get("stroke") == "#c4c4c4"]
        halos = [e for e in glyphs if e.get("fill") == "none"]
        assert len(rings) == len(STAGES)
        assert len(halos) == sum(m.new for m in ms)
        assert len(glyphs) - len(rings) - len(halos) == len(ms)
        for e in glyphs:  # every mark inside the picture
            if e.tag == f"{NS}circle":
                assert 0 <= float(e.get("cx")) <= size and 0 <= float(e.get("cy")) <= size
        boxes = _boxes(svg)
        assert not any(a.hits(b, pad=0) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_moved_inward_has_a_tail_from_its_old_ring():
    ms = [Mark("writer", "co-worker", False, "reader", False), Mark("recruit", "friend", False, "contact", False)]
    svg = circle_svg(ms, looks(["co-worker", "friend"]), "desc")
    assert len(re.findall(r"<line ", svg)) == 2


def test_pictures_on_a_private_page_hold_no_private_value(run, canary_org):
    html = run("network", "--root", str(canary_org), "los-angeles", "--include-private", "--format", "html").stdout
    assert any(c in html for c in CANARIES)  # the private table is there, as asked
    pictures = "".join(re.findall(r"<svg\b.*?</svg>", html, flags=re.S))
    page_without_private = html.split('<div class="private"><h3>')[0]
    for canary in CANARIES:
        assert canary.casefold() not in pictures.casefold()
        assert canary.casefold() not in page_without_private.split("<body>", 1)[1].casefold()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(st.sampled_from("ab →·()-1"), max_size=300), max_size=5),
    st.integers(40, 200),
)
def test_text_wraps_to_the_width_and_keeps_every_word(lines, width):
    lines = ["  " + line for line in lines]
    out = wrap_lines(lines, width)
    assert all(len(line) <= width for line in out)
    assert "".join("".join(out).split()) == "".join("".join(lines).split())


def test_a_nature_looks_the_same_on_every_page():
    """South Africa's page has no church, El Salvador's has: neighbour must not change its look."""
    assert looks(["co-worker", "neighbour"])["neighbour"] == looks(["church", "neighbour", "co-worker"])["neighbour"]
    mixed = looks(["co-worker", "union", "church", "friend"])
    assert len({(v.colour, v.shape) for v in mixed.values()}) == 4


def test_an_organisations_own_nature_gets_a_colour_of_its_own():
    got = looks(["co-worker", "neighbour", "church"])
    assert got["church"].colour not in {got["co-worker"].colour, got["neighbour"].colour}
    many = looks([*DEFAULT_NATURES, *(f"own-{i}" for i in range(40))])
    assert len(many) == 47 and len(set(many.values())) == 47  # every look used before any repeats
    assert len(PALETTE) * len(SHAPES) >= 47


# -- contrast and shapes (issue 31; WCAG 1.4.11 non-text contrast, 1.4.1 use of colour) ----------------


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of #rgb or #rrggbb."""
    h = colour.lstrip("#")
    h = "".join(c * 2 for c in h) if len(h) == 3 else h
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_is_the_wcag_formula():
    assert round(contrast("#000", "#fff"), 2) == 21.0
    assert round(contrast("#E69F00", "#e9e9e9"), 2) == 1.86  # the old yellow on the inner rings (issue 31)


def test_every_mark_colour_stands_out_from_every_ring_and_the_page():
    from redflag_coord.network.svg import BACKGROUND, RING_FILL

    for colour in PALETTE:
        for ground in (*RING_FILL, BACKGROUND):
            assert contrast(colour, ground) >= 3, f"{colour} on {ground}: {contrast(colour, ground):.2f}:1"


def test_the_drawn_circles_hold_to_it(example_root):
    """The example's network page as drawn: every mark's colour (fill of a filled mark, edge of a hollow
    one) against every ring's fill in the same picture and the page, computed from the SVG itself."""
    import datetime as dt

    from redflag_coord.network.build import network
    from redflag_coord.network.render import render_html
    from redflag_coord.org.load import load_organisation

    html = render_html(network(load_organisation(example_root), today=dt.date(2026, 11, 27)))
    circles = re.findall(r'<svg class="circles".*?</svg>', html, re.S)
    assert circles
    pairs = 0
    for svg in circles:
        root = ET.fromstring(svg)
        rings = {c.get("fill") for c in root.iter(f"{NS}circle") if c.get("stroke") == "#c4c4c4"}
        marks = {
            (e.get("stroke") if e.get("fill") == "#fff" else e.get("fill"))
            for e in root
            if e.tag in (f"{NS}circle", f"{NS}rect", f"{NS}polygon")
            and e.get("stroke") != "#c4c4c4"
            and e.get("fill") not in (None, "none")
            and not (e.tag == f"{NS}circle" and e.get("r") == "1.8")
        }
        assert rings and marks
        for mark in marks:
            for ground in (*rings, "#ffffff"):
                pairs += 1
                assert contrast(mark, ground) >= 3, f"{mark} on {ground}: {contrast(mark, ground):.2f}:1"
    assert pairs > 10


def test_each_nature_has_a_shape_of_its_own():
    """Up to len(SHAPES) natures on a page, no two share a shape: none is told from another by colour alone."""
    natures = [*DEFAULT_NATURES, "church", "union"]
    assert len(natures) == len(SHAPES)
    got = looks(natures)
    assert len({v.shape for v in got.values()}) == len(natures)
    for some in (natures[:3], ["co-worker", "church"], ["church", "union", "friend", "community"]):
        got = looks(some)
        assert len({v.shape for v in got.values()}) == len(some), got


def test_every_shape_is_drawn_differently():
    from redflag_coord.network.svg import Look, glyph

    drawn = {glyph(Look("#000000", s), 10, 10, 5) for s in SHAPES}
    assert len(drawn) == len(SHAPES)
