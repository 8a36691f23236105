"""`redflag-coord network`: formats, golden output, privacy by default, usage errors."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from conftest import seal_private

GOLDEN = Path(__file__).parent / "golden" / "network"
UPDATE = os.environ.get("REDFLAG_UPDATE_GOLDEN") == "1"

# Every pseudonym in the example relationships.toml files: none may leave the tool by default.
EXAMPLE_PSEUDONYMS = [
    "Hondureño",
    "La Overlock",
    "El Conserje",
    "Tortillera",
    "El Soldador",
    "Prima",
    "La Planchadora",
    "El Cortador",
    "Doña Flor",
    "Toño",
    "La Hermana",
    "Chamba",
    "Didi",
    "Chhotu",
    "Masterji",
    "El Maestro",
    "Ubaba",
    "Sisi",
    "Mkhulu",
    "Mpho",
    "Taxi",
]
CANARY = "Canary-7f3Q"
# A site is published text, so it must not share a word with a pseudonym (issue 29): its own canary.
SITE = "Sitecanary-9k2W"
CANARY_RELATIONSHIP = f"""

[[relationship]]
pseudonym = "{CANARY}-pseudonym <script>alert(1)</script>"
nature = "friend"
stage = "reader"
comrade = "chayo"
since = 2026-02-01
last_contact = 2026-03-01
workplace = "{CANARY}-workplace"
notes = "{CANARY}-notes & more"

[[relationship.history]]
date = 2026-02-01
stage = "study-group"

[[relationship.history]]
date = 2026-03-01
stage = "reader"
note = "{CANARY}-history-note"
"""
CANARY_SITE = f"""
[[red_flag.distribution]]
site = "{SITE}"
copies = 5
"""


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with REDFLAG_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (REDFLAG_UPDATE_GOLDEN=1 to accept)"


@pytest.fixture
def canary_root(org_copy: Path) -> Path:
    la = org_copy / "collectives" / "los-angeles"
    with (la / "relationships.toml").open("a", encoding="utf-8") as f:
        f.write(CANARY_RELATIONSHIP)
    with (la / "reports" / "ic-2026-12.toml").open("a", encoding="utf-8") as f:
        f.write(CANARY_SITE)
    return seal_private(org_copy)  # the example lists recipients: plain private values there are an error


def network(run, root: Path, *args: str):
    return run("network", "--root", str(root), *args)


# -- golden output for the example organisation ----------------------------------------------


@pytest.mark.parametrize("fmt,name", [("text", "all.txt"), ("json", "all.json"), ("html", "all.html")])
def test_golden_whole_organisation(run, example_root, fmt, name):
    result = network(run, example_root, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    golden(name, result.stdout)


def test_golden_one_collective_private(run, example_root):
    result = network(run, example_root, "los-angeles", "--include-private")
    assert result.exit_code == 0, result.stderr
    golden("los-angeles-private.txt", result.stdout)


def test_text_shows_trends_and_the_cue(run, example_root):
    out = network(run, example_root, "south-africa").stdout
    assert re.search(r"copies\s+250 → 400 \(\+150\)", out)
    assert re.search(r"readers\s+25 → 40 \(\+15\)", out)
    assert "funnel     reader 4 → writer 2 (50%) → study-group 2 (100%) → recruit 1 (50%)" in out
    assert re.search(r"1 new · 2 moved up · 1 without\s+contact for 8\+ weeks", out)  # wrapped at 100 columns
    flat = " ".join(out.split())  # the text wraps at 100 columns
    assert "no relationships yet: naledi" in flat and "fight individualism" in flat
    assert max(len(line) for line in out.splitlines()) <= 100


def test_json_is_counts_only(run, example_root):
    data = json.loads(network(run, example_root, "--format", "json").stdout)
    assert data["include_private"] is False
    la = {c["slug"]: c for c in data["collectives"]}["los-angeles"]
    assert la["counts"]["by_stage"]["reader"] == 3
    assert la["without_relationships"] == ["chayo"]
    assert "relationships" not in la
    assert all("site_names" not in p for p in la["reports"])
    assert data["overview"]["counts"]["total"] == 21


def test_html_is_self_contained(run, example_root):
    html = network(run, example_root, "--format", "html").stdout
    assert html.startswith("<!doctype html>")
    pictures = html.count('role="img"')
    # a funnel each, a circle for each of the 5 with relationships; 4 trend charts per collective with
    # reports; the organisation's circle, funnel and 4 charts; one circle per comrade who holds any
    comrades = 13
    assert pictures == 7 + 5 + 4 * 5 + (2 + 4) + comrades
    assert html.count("No relationships on the circles yet.") == 2  # france, philippines
    without_svg_ns = html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for outside in ("http://", "https://", "<script", "<link", "src=", "href=", "@import", "url("):
        assert outside not in without_svg_ns


# -- privacy ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "html"])
@pytest.mark.parametrize("which", [[], ["los-angeles"]])
def test_no_private_field_by_default(run, canary_root, fmt, which):
    result = network(run, canary_root, *which, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert CANARY not in result.stdout and CANARY not in result.stderr
    assert SITE not in result.stdout
    for pseudonym in EXAMPLE_PSEUDONYMS:
        assert not re.search(rf"\b{re.escape(pseudonym)}\b", result.stdout), pseudonym
    # the canary relationship is still counted: chayo now holds one
    assert "chayo" in result.stdout


@pytest.mark.parametrize("fmt", ["text", "json", "html"])
def test_no_private_field_in_a_written_file(run, canary_root, tmp_path, fmt):
    out = tmp_path / f"network.{fmt}"
    result = network(run, canary_root, "los-angeles", "--format", fmt, "--output", str(out))
    assert result.exit_code == 0, result.stderr
    assert CANARY not in out.read_text(encoding="utf-8") and SITE not in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["text", "json", "html"])
def test_include_private_shows_that_collective_only(run, canary_root, fmt):
    result = network(run, canary_root, "los-angeles", "--include-private", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    for field in ("pseudonym", "workplace", "notes", "history-note"):
        assert f"{CANARY}-{field}" in result.stdout
    assert SITE in result.stdout
    assert "La Overlock" in result.stdout
    other = network(run, canary_root, "mexico", "--include-private", "--format", fmt)
    assert other.exit_code == 0
    assert CANARY not in other.stdout and SITE not in other.stdout and "La Overlock" not in other.stdout
    assert "El Maestro" in other.stdout


def test_html_escapes_private_text(run, canary_root):
    html = network(run, canary_root, "los-angeles", "--include-private", "--format", "html").stdout
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f"{CANARY}-notes &amp; more" in html


def test_include_private_needs_a_collective(run, example_root):
    result = network(run, example_root, "--include-private")
    assert result.exit_code == 2
    assert "one collective at a time" in result.stderr
    assert result.stdout == ""


# -- options and usage errors ---------------------------------------------------------------------


def test_unknown_collective(run, example_root):
    result = network(run, example_root, "los-angles")
    assert result.exit_code == 2
    assert "no collective 'los-angles'" in result.stderr and "did you mean 'los-angeles'?" in result.stderr


def test_bad_since(run, example_root):
    result = network(run, example_root, "--since", "13/06/2026")
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr


def test_since_and_stale_weeks(run, example_root):
    out = network(run, example_root, "los-angeles", "--since", "2026-10-01", "--stale-weeks", "7").stdout
    # since 2026-10-01: Hondureño new; nobody known then moved up; Tortillera and El Soldador quiet for 7+ weeks
    assert "movement   since 2026-10-01: 1 new · 0 moved up · 2 without contact for 7+ weeks" in out


def test_stale_weeks_must_be_positive(run, example_root):
    assert network(run, example_root, "--stale-weeks", "0").exit_code == 2


def test_output_is_not_overwritten_without_force(run, example_root, tmp_path):
    out = tmp_path / "n.html"
    out.write_text("keep", encoding="utf-8")
    result = network(run, example_root, "--format", "html", "--output", str(out))
    assert result.exit_code != 0
    assert out.read_text(encoding="utf-8") == "keep"
    assert network(run, example_root, "--format", "html", "--output", str(out), "--force").exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_bad_data_stops_with_exit_1(run, org_copy):
    rel = org_copy / "collectives" / "mexico" / "relationships.toml"
    rel.write_text(rel.read_text(encoding="utf-8").replace('comrade = "tere"', 'comrade = "nobody"'), encoding="utf-8")
    result = network(run, org_copy)
    assert result.exit_code == 1
    assert "collectives/mexico/relationships.toml" in result.stderr and "nobody" in result.stderr


def test_help_lists_network(run):
    result = run("--help")
    assert "network" in result.stdout


def test_svg_charts_are_well_formed(run, canary_root):
    import xml.etree.ElementTree as ET

    html = network(run, canary_root, "los-angeles", "--include-private", "--format", "html").stdout
    pictures = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    ns = "{http://www.w3.org/2000/svg}"
    for svg in pictures:
        root = ET.fromstring(svg)  # raises on anything that is not well-formed XML
        assert root.tag == f"{ns}svg"
        assert root.find(f"{ns}title") is not None or root.get("aria-hidden") == "true"
    charts = [svg for svg in pictures if 'class="trend"' in svg]
    assert len(charts) == 4  # copies, readers, sites, relationships
    copies = ET.fromstring(charts[0])
    labels = [t.text for t in copies.iter(f"{ns}text")]
    assert "400" in labels and "455" in labels  # LA copies: 400, then 350 + 60 + 40 + the canary's 5
