"""The published folder in a real headless Chromium: every page at 360 px without sideways
scrolling, every link resolving to a file inside the folder, and no request leaving it.

Requests are read from Chromium's own network log (--log-net-log): a request a page makes has
the page as initiator; the browser's own background traffic has none ("not an origin"). A
control page that loads an outside image proves the check sees such a request.
Needs Chromium (skipped locally without it, failed in CI).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import urllib.parse
from html import unescape
from pathlib import Path

import pytest
from conftest import need
from test_agenda_browser import FLAGS, chromium

WIDTH = 360


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from conftest import EXAMPLE
    from typer.testing import CliRunner

    from redflag_coord.cli.app import app

    out = tmp_path_factory.mktemp("published") / "site"
    os.environ.setdefault("REDFLAG_TODAY", "2026-11-27")
    r = CliRunner().invoke(app, ["publish", str(out), "--base-url", "https://example.org/", "--root", str(EXAMPLE)])
    assert r.exit_code == 0, r.stderr
    return out


def probe(folder: Path, pages: list[str], tmp_path: Path) -> tuple[list[dict], list[dict]]:
    """Load each page in a WIDTH-px iframe of one outer page in the folder; returns what each
    page holds (widths, links, resources) and the requests pages initiated."""
    exe = chromium()
    need(exe is not None, "chromium is not installed (apt-get install chromium)")
    frames = "".join(
        f'<iframe style="border:0;display:block" width="{WIDTH}" height="600" src="{p}"></iframe>' for p in pages
    )
    # The outer page's load waits for every frame's; then each frame's fonts (Devanagari), then measure.
    script = (
        "<script>window.onload = async () => { const frames = [...document.querySelectorAll('iframe')];"
        " await Promise.all(frames.map(f => f.contentDocument.fonts.ready));"
        " document.body.setAttribute('data-probe', JSON.stringify("
        "frames.map(f => { const w = f.contentWindow, d = w.document; return {"
        " page: f.getAttribute('src'), w: d.documentElement.scrollWidth, view: d.documentElement.clientWidth,"
        " links: [...d.querySelectorAll('[href]')].map(a => a.href),"
        " nav: [...d.querySelectorAll('nav a, nav [aria-current]')].map(a => ({href: a.href || null,"
        " hreflang: a.getAttribute('hreflang'), current: a.getAttribute('aria-current'), lang: a.lang})),"
        " srcs: [...d.querySelectorAll('[src]')].map(a => a.src),"
        " resources: w.performance.getEntriesByType('resource').map(r => r.name),"
        " scrolled: [...d.querySelectorAll('.scroll')].filter(e => e.scrollWidth > e.clientWidth + 1).length,"
        " text: d.body ? d.body.innerText.length : 0 } }))) }</script>"
    )
    outer = folder / "probe-outer.html"
    outer.write_text(f'<!doctype html><html><body style="margin:0">{frames}{script}</body></html>', encoding="utf-8")
    netlog = tmp_path / "netlog.json"
    try:
        with tempfile.TemporaryDirectory(prefix="rfc-chromium-") as profile:
            r = subprocess.run(
                [exe, *FLAGS, f"--user-data-dir={profile}", "--allow-file-access-from-files",
                 f"--log-net-log={netlog}", "--dump-dom", "--virtual-time-budget=8000",
                 "--window-size=600,1000", outer.as_uri()],
                capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": profile},
            )  # fmt: skip
    finally:
        outer.unlink()
    m = re.search(r'data-probe="([^"]*)"', r.stdout)
    assert m, r.stderr[-2000:]
    return json.loads(unescape(m.group(1))), page_requests(netlog)


def page_requests(netlog: Path) -> list[dict]:
    """Network requests a page initiated (the browser's own have no initiator origin)."""
    log = json.loads(netlog.read_text(encoding="utf-8"))
    kinds = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    out = []
    for event in log["events"]:
        params = event.get("params") or {}
        if (
            kinds.get(event["type"]) == "URL_REQUEST_START_JOB"
            and "url" in params
            and params.get("initiator") != "not an origin"
        ):
            out.append(params)
    return out


def test_every_page_at_360px_links_inside_and_fetches_nothing(site, tmp_path):
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert len(pages) == 13  # the index, the decisions page and each meeting's agendas and minutes
    found, requests = probe(site, pages, tmp_path)
    assert requests == [], f"pages made network requests: {[r.get('url') for r in requests]}"
    assert [f["page"] for f in found] == pages
    root = site.resolve().as_uri() + "/"
    linked = set()
    for f in found:
        assert f["view"] == WIDTH, f
        assert f["w"] <= WIDTH, f"{f['page']} is {f['w']}px wide at {WIDTH}px"
        assert f["scrolled"] == 0, f"{f['page']}: a table scrolls sideways at {WIDTH}px"
        assert f["text"] > 200, f"{f['page']} shows no text"
        assert f["srcs"] == [] and all(r.startswith(root) for r in f["resources"]), f
        for href in f["links"]:
            assert href.startswith(root), f"{f['page']} links outside the folder: {href}"
            target = site / urllib.parse.unquote(
                urllib.parse.urlsplit(href).path[len(urllib.parse.urlsplit(root).path) :]
            )
            assert target.is_file(), f"{f['page']} links to a missing file: {href}"
            linked.add(target.relative_to(site).as_posix())
    everything = {
        p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and p.name != ".redflag-publish"
    }
    assert everything == linked, "every page and feed is linked (the index from every meeting's page)"


def _inside(site: Path, href: str) -> str:
    """The path inside the folder a link points at (without its #fragment)."""
    root = urllib.parse.urlsplit(site.resolve().as_uri() + "/").path
    path = urllib.parse.unquote(urllib.parse.urlsplit(href).path)
    assert path.startswith(root), f"a link leaves the folder: {href}"
    return path[len(root) :]


def test_a_crawl_from_the_index_reaches_every_page_through_working_links(site, tmp_path):
    """Follow every link from the index, as a member on a phone would, page after page: every page and
    feed is reached, no link is broken, no page scrolls sideways at 360 px; each meeting's page leads
    back to the index (at that meeting), to its agenda in each language, its minutes, and its feed."""
    seen: dict[str, dict] = {}
    reached: set[str] = set()
    queue = ["index.html"]
    while queue:
        found, requests = probe(site, queue, tmp_path)
        assert requests == [], f"pages made network requests: {[r.get('url') for r in requests]}"
        for f in found:
            assert f["w"] <= WIDTH and f["scrolled"] == 0, f"{f['page']} scrolls sideways at {WIDTH}px"
            seen[f["page"]] = f
            for href in f["links"]:
                target = _inside(site, href)
                assert (site / target).is_file(), f"{f['page']}: broken link {href}"
                reached.add(target)
        queue = sorted(p for p in reached if p.endswith(".html") and p not in seen)
    everything = {
        p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and p.name != ".redflag-publish"
    }
    assert reached | {"index.html"} == everything
    assert len(seen) == len([p for p in everything if p.endswith(".html")])
    for page, f in seen.items():
        if page in ("index.html", "decisions.html"):  # not a meeting's page: no meeting navigation
            continue
        meeting = page.split("/")[1]
        nav = f["nav"]
        hrefs = [_inside(site, x["href"]) + "#" + urllib.parse.urlsplit(x["href"]).fragment for x in nav if x["href"]]
        assert f"index.html#{meeting}" in hrefs, f"{page}: no way back to the index"
        assert any(h.startswith("feeds/") and h.split("#")[0].endswith(".ics") for h in hrefs), f"{page}: no feed"
        siblings = sorted(p for p in everything if p.startswith(f"meetings/{meeting}/") and p.endswith(".html"))
        shown = sorted({h.split("#")[0] for h in hrefs if h.startswith("meetings/")} | {page})
        assert shown == siblings, f"{page}: its nav links {shown}, the meeting has {siblings}"
        assert [x for x in nav if x["current"] == "page"], f"{page}: the nav does not say where the reader is"
        for x in nav:
            if x["hreflang"]:  # a language's name is written in that language, and marked so
                assert x["lang"] in ("", x["hreflang"]), x


def test_the_request_check_sees_an_outside_request(tmp_path):
    """Control: a page that loads an image from elsewhere is caught by the same check."""
    folder = tmp_path / "control"
    folder.mkdir()
    (folder / "leak.html").write_text(
        '<!doctype html><p>x</p><img src="http://127.0.0.1:9/pixel.png">', encoding="utf-8"
    )
    _, requests = probe(folder, ["leak.html"], tmp_path)
    assert [r["url"] for r in requests] == ["http://127.0.0.1:9/pixel.png"]
