"""The HTML agenda in a real headless Chromium: it lays out on a phone without sideways
scrolling, screenshots at desktop and phone widths, and prints to PDF.

Needs Chromium (Debian package `chromium`; .ci/run installs it): skipped locally without it,
failed in CI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
from html import escape, unescape
from pathlib import Path

import pytest
from conftest import need

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
]


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def browse(page: Path, *args: str, width: int = 1280, height: int = 1800) -> subprocess.CompletedProcess:
    exe = chromium()
    need(exe is not None, "chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="rfc-chromium-") as profile:
        return subprocess.run(
            [exe, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}", *args, page.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "HOME": profile},
        )


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    from conftest import EXAMPLE
    from typer.testing import CliRunner

    from redflag_coord.cli.app import app

    out = tmp_path_factory.mktemp("agenda") / "agenda.html"
    os.environ.setdefault("REDFLAG_TODAY", "2026-11-27")
    r = CliRunner().invoke(app, ["agenda", "ic-2026-12", "--lang", "es", "-o", str(out), "--root", str(EXAMPLE)])
    assert r.exit_code == 0, r.stderr
    return out


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize("width,height", [(1280, 1800), (390, 1400)], ids=["desktop", "phone"])
def test_screenshot(page, tmp_path, width, height):
    shot = tmp_path / f"agenda-{width}.png"
    r = browse(page, f"--screenshot={shot}", width=width, height=height)
    assert shot.exists(), r.stderr[-2000:]
    assert _png_size(shot) == (width, height)
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one


@pytest.mark.parametrize("width", [360, 390, 1280])
def test_no_sideways_scrolling_and_text_is_rendered(page, tmp_path, width):
    """Lay the agenda out in an iframe of the given width (headless windows are at least 500px wide)
    and measure it from the outer page; the agenda itself forbids scripts, the outer page probes."""
    html = page.read_text(encoding="utf-8")
    probe = (
        "<script>window.onload = () => { const d = document.getElementById('f').contentDocument;"
        " document.body.setAttribute('data-probe', JSON.stringify({w: d.documentElement.scrollWidth,"
        " view: d.documentElement.clientWidth, h1: d.querySelector('h1').getBoundingClientRect().width,"
        " rows: d.querySelectorAll('table.items tbody tr').length, text: d.body.innerText,"
        " scrolled: [...d.querySelectorAll('.scroll')].filter(e => e.scrollWidth > e.clientWidth + 1).length}))"
        " }</script>"
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
    assert found["scrolled"] == 0, f"{found['scrolled']} table(s) scroll sideways at {width}px"
    assert 0 < found["h1"] <= width
    assert found["rows"] == 8
    assert "sábado, 12 de diciembre de 2026" in found["text"]


def test_the_agenda_itself_runs_no_script_and_fetches_nothing(page):
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "src=" not in html and "@import" not in html and "url(" not in html
    assert "default-src 'none'" in html and "@media print" in html


def test_prints_to_pdf(page, tmp_path):
    pdf = tmp_path / "agenda.pdf"
    r = browse(page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert pdf.exists(), r.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", data)) >= 2
