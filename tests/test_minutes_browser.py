"""The HTML minutes and commitments list in a real headless Chromium (as the agenda's, see
tests/test_agenda_browser.py): no sideways scrolling at 360 px, text rendered, no script, printable."""

from __future__ import annotations

import json
import os
import re
from html import escape, unescape
from pathlib import Path

import pytest
from test_agenda_browser import browse

PAGES = {
    "minutes": (["minutes", "show", "ic-2026-06", "--lang", "fr"], "Compte rendu", "EN RETARD"),
    "commitments": (["commitments", "--lang", "es"], "Compromisos al 27 de noviembre de 2026", "VENCIDO"),
    "agenda-for": (["agenda", "ic-2026-12", "--for", "honduras"], "Lo que Honduras debe", "Help write an article"),
}


@pytest.fixture(scope="module", params=sorted(PAGES))
def page(request, tmp_path_factory) -> tuple[Path, str, str]:
    from conftest import EXAMPLE
    from typer.testing import CliRunner

    from redflag_coord.cli.app import app

    argv, *expect = PAGES[request.param]
    out = tmp_path_factory.mktemp("pages") / f"{request.param}.html"
    os.environ.setdefault("REDFLAG_TODAY", "2026-11-27")
    r = CliRunner().invoke(app, [*argv, "--format", "html", "-o", str(out), "--root", str(EXAMPLE)])
    assert r.exit_code == 0, r.stderr
    return out, expect[0], expect[1]


@pytest.mark.parametrize("width", [360, 1280])
def test_no_sideways_scrolling_and_text_is_rendered(page, tmp_path, width):
    path, heading, marker = page
    html = path.read_text(encoding="utf-8")
    probe = (
        "<script>window.onload = () => { const d = document.getElementById('f').contentDocument;"
        " document.body.setAttribute('data-probe', JSON.stringify({w: d.documentElement.scrollWidth,"
        " view: d.documentElement.clientWidth, text: d.body.innerText})) }</script>"
    )
    outer = tmp_path / "outer.html"
    outer.write_text(
        f'<!doctype html><html><body style="margin:0"><iframe id="f" style="border:0" width="{width}" '
        f'height="900" srcdoc="{escape(html, quote=True)}"></iframe>{probe}</body></html>',
        encoding="utf-8",
    )
    r = browse(outer, "--dump-dom", "--virtual-time-budget=5000", width=max(width, 500) + 50, height=1000)
    m = re.search(r'data-probe="([^"]*)"', r.stdout)
    assert m, r.stderr[-2000:]
    found = json.loads(unescape(m.group(1)))
    assert found["view"] == width
    assert found["w"] <= width, f"the page is {found['w']}px wide in a {width}px viewport"
    assert heading in found["text"] and marker in found["text"]


def test_self_contained_and_printable(page, tmp_path):
    path, _, _ = page
    html = path.read_text(encoding="utf-8")
    assert "<script" not in html and "src=" not in html and "url(" not in html
    assert "default-src 'none'" in html and "@media print" in html
    pdf = tmp_path / "page.pdf"
    r = browse(path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-", r.stderr[-2000:]
