"""The table of outputs and fields (redflag_coord/org/published.py, docs/privacy.md) is what the code does.

A distinct marker goes into every text field an output could show (and some that none should), the
outputs are made, and each marker an output shows must be listed for that output. The private-text
check reads every field the table calls published, which is the other half of the promise.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tomlkit

from redflag_coord.check.privacy import Pseudonyms, check_texts, published_texts
from redflag_coord.check.validate import validate_path
from redflag_coord.org import published
from redflag_coord.org.model import FILE_MODELS
from redflag_coord.org.problems import Problems

# One file of each kind to plant in: the meeting the agenda shows, a report to it, minutes of the first.
FILES = {
    "meeting": "collectives/international-committee/meetings/ic-2026-12.toml",
    "report": "collectives/los-angeles/reports/ic-2026-12.toml",
    "minutes": "collectives/international-committee/minutes/ic-2026-06.toml",
    "collective": "collectives/los-angeles/collective.toml",
    "members": "collectives/los-angeles/members.toml",
    "article": "collectives/el-salvador/articles/maquilas.toml",
    "motion": "collectives/el-salvador/motions/bilingual-editions.toml",
}
# Text fields no output should show at all (they must never appear): planted too.
UNSHOWN = ("collective.city", "collective.sectors[]")


def _set(doc, path: str, value: str) -> bool:
    """Set the field a path names (the first element of each list) in a tomlkit document."""
    *heads, last = path.split(".")
    node = doc
    for head in heads:
        name = head.removesuffix("[]")
        if name not in node:
            return False
        node = node[name]
        if head.endswith("[]"):
            if not len(node):
                return False
            node = node[0]
    if last.endswith("[]"):
        node[last[:-2]] = [value]
    else:
        node[last] = value
    return True


def _marker(i: int) -> str:
    return f"zqmark{i:02d}x"


@pytest.fixture
def planted(org_copy: Path) -> tuple[Path, dict[str, str]]:
    fields = [f for f in (*published.published_fields(), *UNSHOWN) if not f.endswith(published.ID)]
    markers: dict[str, str] = {}
    docs = {kind: tomlkit.parse((org_copy / rel).read_text(encoding="utf-8")) for kind, rel in FILES.items()}
    for i, field in enumerate(fields):
        kind, path = published.split(field)
        value = f"https://{_marker(i)}.example/" if path == "url" else f"about {_marker(i)} here"
        if _set(docs[kind], path, value):
            markers[_marker(i)] = field
    for kind, rel in FILES.items():
        (org_copy / rel).write_text(tomlkit.dumps(docs[kind]), encoding="utf-8")
    return org_copy, markers


OUTPUT_RUNS = {
    "agenda (text, Markdown, HTML, JSON)": [
        ("agenda", "ic-2026-12", "--format", "json"),
        ("agenda", "ic-2026-12", "--format", "html"),
        ("agenda", "ic-2026-12"),
    ],
    "invitation and calendar feed (iCalendar)": [("invite", "ic-2026-12"), ("calendar",)],
    "minutes and commitments (HTML, Markdown, JSON, iCalendar)": [
        ("minutes", "show", "ic-2026-06", "--format", "json"),
        ("commitments", "--format", "json"),
    ],
    "network (text, JSON, HTML)": [("network", "--format", "json"), ("network", "--format", "html")],
    "summary": [("summary", "--format", "json")],
    "edition table (text, Markdown, HTML, JSON)": [
        ("articles", "status", "--format", "json"),
        ("articles", "status", "--format", "html"),
    ],
    "decisions and votes (text, JSON, CSV; HTML on the published site)": [
        ("decisions", "--format", "json"),
        ("decisions", "--format", "csv"),
        ("decisions",),
    ],
}


def _unfold(text: str) -> str:
    return re.sub(r"\r?\n[ \t]", "", text)  # iCalendar folds long lines


def test_every_output_of_the_table_is_run_here() -> None:
    names = {o.name for o in published.OUTPUTS}
    assert set(OUTPUT_RUNS) <= names
    site_minutes = "minutes on the published site (collectives present, decisions, commitments by collective)"
    # tested below, in tests/test_privacy_mail.py, (the site's minutes) tests/test_publish_privacy.py and (a
    # comrade's own feed, from sealed values only) tests/test_journey_followups.py
    follow_ups = "a comrade's follow-ups (iCalendar tasks)"
    assert names - set(OUTPUT_RUNS) == {"published site (index and URLs)", "reminders (mail)", site_minutes, follow_ups}


@pytest.mark.parametrize("name", sorted(OUTPUT_RUNS))
def test_each_output_shows_only_the_fields_its_row_lists(name, planted, run, monkeypatch) -> None:
    root, markers = planted
    monkeypatch.chdir(root)
    row = next(o for o in published.OUTPUTS if o.name == name)
    shown: set[str] = set()
    for argv in OUTPUT_RUNS[name]:
        result = run(*argv)
        assert result.exit_code in (0, 1), (argv, result.stdout, result.stderr)  # 1: commitments overdue
        text = _unfold(result.stdout)
        shown |= {field for marker, field in markers.items() if marker in text}
    if set(row.fields) - published.NAMES - {"meeting.(id)"}:
        assert shown, "the markers reach the output at all"
    assert shown <= set(row.fields), f"{name} shows fields its row does not list: {sorted(shown - set(row.fields))}"


def test_the_published_site_shows_only_the_fields_of_its_outputs(planted, run, monkeypatch, tmp_path) -> None:
    root, markers = planted
    monkeypatch.chdir(root)
    site = tmp_path / "site"
    result = run("publish", str(site))
    assert result.exit_code == 0, result.stdout + result.stderr
    allowed = {f for o in published.OUTPUTS if "`publish`" in o.commands for f in o.fields}
    text = "".join(_unfold(p.read_text(encoding="utf-8")) for p in site.rglob("*") if p.is_file())
    shown = {field for marker, field in markers.items() if marker in text}
    assert shown and shown <= allowed, sorted(shown - allowed)


def test_the_check_reads_every_published_field(planted) -> None:
    """Every planted field is among the texts the private-text check reads, as an error."""
    root, markers = planted
    org = validate_path(root).org
    read = " ".join(p.text for p in published_texts(org) if p.severity == "error")
    missing = {field for marker, field in markers.items() if marker not in read and field not in UNSHOWN}
    assert not missing
    out = Problems()
    check_texts(published_texts(org), Pseudonyms(org), out)
    assert not out.items  # the markers are ordinary words


def test_every_field_in_the_table_exists_in_the_models() -> None:
    for field in (*published.published_fields(), *(f for o in published.OUTPUTS for f in (*o.fields, *o.asked))):
        kind, path = published.split(field)
        assert kind in FILE_MODELS, field
        if path != published.ID:
            list(published.values(FILE_MODELS[kind].model_construct(), path))  # raises on an unknown name


def test_private_fields_are_the_models_x_private_ones() -> None:
    assert published.private_fields() == [
        "members.member[].email",
        "members.member[].phone",
        "relationships.relationship[].pseudonym",
        "relationships.relationship[].workplace",
        "relationships.relationship[].notes",
        "relationships.relationship[].history[].note",
        "relationships.relationship[].next_step",
        "relationships.relationship[].next_due",
        "relationships.relationship[].conversation[].date",
        "relationships.relationship[].conversation[].kind",
        "relationships.relationship[].conversation[].note",
        "report.red_flag.distribution[].site",
    ]
