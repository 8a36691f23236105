"""Releases: one version everywhere, a changelog section for it, and the tag that data repositories pin."""

from __future__ import annotations

import re
import runpy
import tomllib

from conftest import REPO

import redflag_coord

VERSION = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def test_the_package_reports_the_version_pyproject_declares():
    assert redflag_coord.__version__ == VERSION


def test_the_changelog_opens_with_this_version():
    """CHANGELOG.md is regenerated (scripts/changelog.py) before the release is tagged v<version>."""
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    first = re.search(r"^## (\S+) \(\d{4}-\d{2}-\d{2}\)$", text, re.M)
    assert first and first.group(1) == VERSION, "bump the version, then run python scripts/changelog.py"
    entries = text[first.end() :].split("\n## ")[0]
    assert re.search(r"^- .+ \([0-9a-f]{7,}\)$", entries, re.M), "the section lists no commit"


def test_the_changelog_script_puts_untagged_commits_under_the_coming_version():
    script = runpy.run_path(str(REPO / "scripts" / "changelog.py"))
    made = script["render"]()
    assert re.search(rf"^## {re.escape(VERSION)} \(", made, re.M)
    assert made.startswith("# Changelog\n")
