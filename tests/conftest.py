"""Shared fixtures: the example organisation, a writable copy of it, and the CLI runner."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from redflag_coord.cli import app

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO  # the example organisation: REPO/collectives
TODAY = "2026-11-27"  # the example data is dated around this day

# In CI, a test that cannot find a tool it needs (node, a browser, a server) fails instead of skipping.
REQUIRE_ALL = os.environ.get("REDFLAG_REQUIRE_ALL") == "1"


def need(condition: bool, reason: str) -> None:
    """Skip locally when a tool is missing; fail in CI (REDFLAG_REQUIRE_ALL=1)."""
    if condition:
        return
    if REQUIRE_ALL:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDFLAG_TODAY", TODAY)
    monkeypatch.delenv("REDFLAG_ROOT", raising=False)


@pytest.fixture
def example_root() -> Path:
    """The example organisation in the repository (read-only use)."""
    return EXAMPLE


@pytest.fixture
def org_copy(tmp_path: Path) -> Path:
    """A writable copy of the example organisation; returns its root."""
    root = tmp_path / "org"
    shutil.copytree(EXAMPLE / "collectives", root / "collectives")
    return root


@pytest.fixture
def run():
    """Run the CLI in-process: run("validate", str(path)) -> click Result (stdout, stderr, exit_code)."""
    runner = CliRunner()

    def _run(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return _run
