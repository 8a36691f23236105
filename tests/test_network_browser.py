"""The HTML network page in a real headless Chromium: circles and charts whose labels never overlap,
no sideways scrolling on a phone, screenshots at phone and desktop widths, print to PDF, and Hindi
drawn with real Devanagari glyphs (fonts installed by .ci/run).

Needs Chromium and a Devanagari font: skipped locally without them, failed in CI.
Set REDFLAG_SCREENSHOTS=/some/folder to keep the screenshots.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html import escape, unescape
from pathlib import Path

import pytest
from conftest import EXAMPLE, need
from test_agenda_browser import _png_size, browse

from redflag_coord.network.svg import circle_svg, line_svg, looks

HINDI = "भारत के मज़दूर"


@pytest.fixture(scope="module")
def org(tmp_path_factory) -> Path:
    """The example organisation, with India's name in Hindi (so the page carries Devanagari)."""
    root = tmp_path_factory.mktemp("org")
    shutil.copytree(EXAMPLE / "collectives", root / "collectives")
    info = root / "collectives" / "india" / "collective.toml"
    info.write_text(info.read_text(encoding="utf-8").replace('name = "India"', f'name = "{HINDI}"'), encoding="utf-8")
    return root


def _page(org: Path, out: Path, *args: str) -> Path:
    from typer.testing import CliRunner

    from redflag_coord.cli.app import app

    os.environ.setdefault("REDFLAG_TODAY", "2026-11-27")
    r = CliRunner().invoke(app, ["network", *args, "--format", "html", "-o", str(out), "--root", str(org)])
    assert r.exit_code == 0, r.stderr
    return out


@pytest.fixture(scope="module")
def page(org, tmp_path_factory) -> Path:
    return _page(org, tmp_path_factory.mktemp("network") / "network.html")


@pytest.fixture(scope="module")
def stress(tmp_path_factory) -> Path:
    """Pictures with many reports, gaps, big numbers and a crowded circle."""
    from redflag_coord.network.build import Mark

    values = [None, 12, 1_250, 1_310, None, 98_765, 98_700, 5, 5, 5, 120_000, None, 7, 64, 63, 62]
    names = [f"ic-20{26 + i // 12}-{i % 12 + 1:02d}" for i in range(len(values))]
    natures = ["co-worker", "friend", "neighbour", "church", "family", "fellow-student", "community", "union"]
    marks = [
        Mark(
            stage,
            natures[i % len(natures)],
            i % 5 == 0,
            "contact" if i % 7 == 0 and stage != "contact" else None,
            i % 3 == 0,
        )
        for i, stage in enumerate(["contact"] * 40 + ["reader"] * 55 + ["writer"] * 9 + ["member"] * 4)
    ]
    body = (
        line_svg(values, names, "many reports")
        + line_svg([None], names[:1], "one report without a figure")
        + line_svg([1, 1], names[:2], "flat")
        + circle_svg(marks, looks(natures), "crowded")
        + circle_svg(marks[:7], looks(natures), "small", 150, False)
    )
    out = tmp_path_factory.mktemp("stress") / "stress.html"
    out.write_text(
        f"<!doctype html><html><head><meta charset=utf-8></head><body>{body}</body></html>", encoding="utf-8"
    )
    return out


def _keep(shot: Path) -> None:
    folder = os.environ.get("REDFLAG_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(folder) / shot.name)


@pytest.mark.parametrize("width,height", [(1280, 3000), (390, 3000), (360, 3000)], ids=["desktop", "phone", "small"])
def test_screenshot(page, tmp_path, width, height):
    shot = tmp_path / f"network-{width}.png"
    r = browse(page, f"--screenshot={shot}", width=width, height=height)
    assert shot.exists(), r.stderr[-2000:]
    assert _png_size(shot) == (width, height)
    assert shot.stat().st_size > 30_000  # a rendered page, not a blank one
    _keep(shot)


# The measure waits for the frame's own document (about:srcdoc, not the about:blank a frame starts
# with) to have loaded, laid out, and its fonts ready: under load, the outer page's load event could
# come while the frame still showed its first, empty document, and the text missed the heading.
PROBE = """<script>
async function loaded(f) {
  for (let i = 0; i < 400; i++) {
    const d = f.contentDocument;
    if (d && d.URL === 'about:srcdoc' && d.readyState === 'complete' && d.body && d.body.childElementCount) {
      void d.body.offsetHeight;  // lay it out now, so that every font it needs is asked for
      await d.fonts.ready;
      return d;
    }
    await new Promise(r => setTimeout(r, 25));
  }
  throw new Error('the frame never loaded');
}
window.onload = async () => {
  const d = await loaded(document.getElementById('f'));
  const overlaps = [];
  const outside = [];
  d.querySelectorAll('svg[role=img]').forEach((svg, k) => {
    const frame = svg.getBoundingClientRect();
    const boxes = [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getBoundingClientRect()]);
    boxes.forEach(([name, b], i) => {
      if (b.left < frame.left - 0.5 || b.right > frame.right + 0.5
          || b.top < frame.top - 0.5 || b.bottom > frame.bottom + 0.5)
        outside.push(k + ':' + name);
      boxes.slice(i + 1).forEach(([other, c]) => {
        if (b.left < c.right && c.left < b.right && b.top < c.bottom && c.top < b.bottom)
          overlaps.push(k + ':' + name + '/' + other);
      });
    });
  });
  const widths = ['क', 'ग', 'ि', 'ष', 'ज़'].map(ch => {
    const s = d.createElement('span'); s.textContent = ch; d.body.appendChild(s);
    const w = s.getBoundingClientRect().width; s.remove(); return Math.round(w * 100);
  });
  // text squeezed into a sliver (one letter per line): any caption, heading, cell or paragraph
  const slivers = [...d.querySelectorAll('caption, h1, h2, h3, p, td, th, figcaption, li')]
    .filter(e => e.innerText.trim().length > 12 && e.getBoundingClientRect().width < 48)
    .map(e => e.innerText.slice(0, 30));
  document.body.setAttribute('data-probe', JSON.stringify({slivers,
    w: d.documentElement.scrollWidth, view: d.documentElement.clientWidth,
    svgs: d.querySelectorAll('svg[role=img]').length, overlaps, outside, widths, text: d.body.innerText}));
}</script>"""


def probe(page: Path, tmp_path: Path, width: int) -> dict:
    """Lay the page out in an iframe of the given width (headless windows are at least 500px wide)
    and measure it from the outer page: the network page itself forbids scripts."""
    html = page.read_text(encoding="utf-8")
    outer = tmp_path / "outer.html"
    outer.write_text(
        f'<!doctype html><html><body style="margin:0"><iframe id="f" style="border:0" width="{width}" '
        f'height="900" srcdoc="{escape(html, quote=True)}"></iframe>{PROBE}</body></html>',
        encoding="utf-8",
    )
    r = browse(outer, "--dump-dom", "--virtual-time-budget=20000", width=max(width, 500) + 50, height=1000)
    m = re.search(r'data-probe="([^"]*)"', r.stdout)
    assert m, r.stderr[-2000:]
    return json.loads(unescape(m.group(1)))


@pytest.mark.parametrize("width", [360, 390, 1280])
def test_no_sideways_scrolling_and_no_label_overlaps(page, tmp_path, width):
    found = probe(page, tmp_path, width)
    assert found["view"] == width
    assert found["w"] <= width, f"the page is {found['w']}px wide in a {width}px viewport"
    assert found["svgs"] > 30
    assert found["overlaps"] == [], f"labels drawn over each other: {found['overlaps'][:10]}"
    assert found["outside"] == [], f"labels cut off at the picture's edge: {found['outside'][:10]}"
    assert found["slivers"] == [], f"text squeezed to a letter per line: {found['slivers'][:5]}"
    assert "Every collective's relationships" in found["text"] and HINDI in found["text"]


def test_crowded_pictures_keep_their_labels_apart(stress, tmp_path):
    found = probe(stress, tmp_path, 1280)
    assert found["svgs"] == 5
    assert found["overlaps"] == [] and found["outside"] == []
    assert "no figure" in found["text"]


def test_hindi_is_drawn_with_real_glyphs(page, tmp_path):
    """Missing glyphs are drawn as boxes of one width; real Devanagari letters differ in width."""
    fonts = subprocess.run(["fc-list", ":lang=hi", "family"], capture_output=True, text=True).stdout
    need(bool(fonts.strip()), "no Devanagari font (apt-get install fonts-noto-core)")
    widths = probe(page, tmp_path, 1280)["widths"]
    assert len(set(widths)) > 2, f"Devanagari drawn as boxes (widths {widths})"


def test_the_page_runs_no_script_and_fetches_nothing(page):
    html = page.read_text(encoding="utf-8")
    without_svg_ns = html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for outside in ("<script", "src=", "href=", "@import", "url(", "http://", "https://"):
        assert outside not in without_svg_ns
    assert "default-src 'none'" in html and "@media print" in html and "break-inside:avoid" in html


def test_prints_to_pdf(page, tmp_path):
    pdf = tmp_path / "network.pdf"
    r = browse(page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert pdf.exists(), r.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", data)) >= 3
    _keep(pdf)
