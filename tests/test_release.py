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


def test_the_lock_pins_every_dependency_within_the_declared_range():
    """requirements/test.lock (scripts/lock.sh) is what the README's test command installs: a range changed
    in pyproject.toml without refreshing the lock would make that install fail."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [Requirement(r) for r in [*project["dependencies"], *project["optional-dependencies"]["test"]]]
    lock = (REPO / "requirements" / "test.lock").read_text(encoding="utf-8")
    pins = {canonicalize_name(n): v for n, v in re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", lock, re.M)}
    for req in declared:
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not in requirements/test.lock: run scripts/lock.sh"
        assert req.specifier.contains(pins[name], prereleases=True), f"{req.name}=={pins[name]} is outside {req}"
