"""Journey: a collective files its second report, then looks at its network page.

South Africa moves a reader up to writer and meets a new contact, writes its report to the
December meeting with `report new`, commits, and opens `network south-africa` as a page and as
JSON. Both must tell the same movement, and the page must name nobody and no workplace.
All through the console script, in a temporary git repository.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from conftest import seal_private, unseal_private
from git_helpers import example_repo

SCRIPT = Path(sys.executable).with_name("redflag-coord")
TODAY = "2026-11-27"

NEW_CONTACT = """
[[relationship]]
pseudonym = "Nkosi Journeyman"
nature = "neighbour"
stage = "contact"
comrade = "sipho"
since = 2026-11-24
last_contact = 2026-11-24
workplace = "Journey Textile Mill, loom shed"
notes = "journey-note: met at the taxi rank"
"""

MOVED = """pseudonym = "Sisi"
nature = "neighbour"
stage = "writer"
comrade = "lindiwe"
since = 2026-02-10
last_contact = 2026-11-22

[[relationship.history]]
date = 2026-02-10
stage = "reader"

[[relationship.history]]
date = 2026-11-20
stage = "writer"
note = "journey-note: wrote about the bus strike"
"""


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "REDFLAG_TODAY": TODAY, "COLUMNS": "80"}
    env.pop("REDFLAG_ROOT", None)
    return subprocess.run([str(SCRIPT), *args], cwd=root, capture_output=True, text=True, env=env, timeout=120)


def private_values(rel_file: Path) -> list[str]:
    data = tomllib.loads(rel_file.read_text(encoding="utf-8"))
    out = []
    for r in data["relationship"]:
        out.append(r["pseudonym"])
        out += [r[k] for k in ("workplace", "notes") if k in r]
        out += [s["note"] for s in r.get("history", []) if "note" in s]
    return out


def test_second_report_shows_the_movement_on_the_page_and_in_json(tmp_path):
    assert SCRIPT.exists(), f"console script missing: {SCRIPT}"
    repo = example_repo(tmp_path, drop_reports="ic-2026-12")
    rels = repo.root / "collectives" / "south-africa" / "relationships.toml"
    unseal_private(repo.root)  # the collective edits its relationships in the clear (as 'secrets edit' does)
    text = rels.read_text(encoding="utf-8")
    old = re.search(r'pseudonym = "Sisi"\n.*?last_contact = 2026-11-14\n(id = "[a-z2-7]+"\n)?', text, flags=re.S)
    assert old, "the example's Sisi relationship changed; update this journey"
    # the relationship keeps its id (its values are bound to it); the new one gets one as it is sealed
    moved = MOVED.replace("last_contact = 2026-11-22\n", "last_contact = 2026-11-22\n" + (old.group(1) or ""))
    rels.write_text(text.replace(old.group(0), moved) + NEW_CONTACT, encoding="utf-8")
    clear = private_values(rels)  # what the page must never show, read while it is in the clear
    seal_private(repo.root)  # and seals them again before committing

    filed = cli(repo.root, "report", "new", "south-africa", "ic-2026-12")
    assert filed.returncode == 0, filed.stderr
    report = repo.root / "collectives" / "south-africa" / "reports" / "ic-2026-12.toml"
    assert report.exists()
    repo.commit("south-africa: report to ic-2026-12", date="2026-11-26T18:00:00+00:00")
    assert cli(repo.root, "validate").returncode == 0

    as_json = cli(repo.root, "network", "south-africa", "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    sa = json.loads(as_json.stdout)["collectives"][0]
    assert sa["movement"]["baseline"] == "ic-2026-06"
    # Before: Taxi new; Ubaba and Mpho moved up. Now also Sisi (reader -> writer) and a new contact.
    assert (sa["movement"]["new"], sa["movement"]["moved_up"]) == (2, 3)
    marks = sa["circle"]
    assert len(marks) == sa["counts"]["total"] == 6
    assert {"stage": "writer", "nature": "neighbour", "new": False, "moved_from": "reader", "stale": False} in marks
    assert sum(m["new"] and m["stage"] == "contact" for m in marks) == 2
    assert [p["meeting"] for p in sa["reports"]] == ["ic-2026-06", "ic-2026-12"]
    assert sa["reports"][-1]["relationships"] == 6  # `report new` counted the relationships afresh

    page = repo.root / "page.html"
    written = cli(repo.root, "network", "south-africa", "--format", "html", "--output", str(page))
    assert written.returncode == 0, written.stderr
    html = page.read_text(encoding="utf-8")
    circle = re.search(r'<svg class="circles".*?</svg>', html, flags=re.S)
    assert circle
    # the picture: a ring round each new mark, a tail for each move inward
    assert len(re.findall(r'fill="none" stroke="#1d1d1d"', circle.group(0))) == sa["movement"]["new"]
    assert len(re.findall(r"<line ", circle.group(0))) == sa["movement"]["moved_up"]
    # the table beside it: the same totals
    total = re.search(r"<tr class=total><td>all</td>(.*?)</tr>", html)
    assert total
    cells = re.findall(r"<td class=n[^>]*>(\d+)</td>", total.group(1))
    assert cells[:3] == ["6", "2", "3"]
    assert "Nkosi Journeyman" in clear
    for value in clear:
        assert value.casefold() not in html.casefold(), f"private value on the page: {value!r}"

    # and the text in a pipe stays within 100 columns
    text_out = cli(repo.root, "network")
    assert text_out.returncode == 0
    assert max(len(line) for line in text_out.stdout.splitlines()) <= 100
