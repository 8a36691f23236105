"""The README's two commands, in the order it gives them, in a fresh clone: the main command (install
and run the tool), then the test command's install and checks. `pip install .` leaves `build/` in the
checkout, which once made `ruff check .` fail the test command that followed it.

Minutes long (two installs from the package index or pip's cache), so deselected by default
(pyproject.toml); `.ci/run` runs it as its own step: `pytest -m readme_order tests/test_readme_order.py`.
The test command's last part, the whole suite, is left out: it is the step before in `.ci/run`.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import REPO

pytestmark = pytest.mark.readme_order

SUITE = " && .venv/bin/python -m pytest"


def readme_command(readme: str, marker: str) -> str:
    """The one command between `<!-- marker -->` and `<!-- /marker -->`."""
    found = re.search(rf"<!-- {marker} -->\n```sh\n(.+?)\n```\n<!-- /{marker} -->", readme, re.S)
    assert found, f"README.md has no <!-- {marker} --> command"
    return found.group(1)


def _sh(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDFLAG_", "VIRTUAL_ENV"))}
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=1200)


def test_readme_commands_pass_in_order_in_a_fresh_clone(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(REPO), str(clone)], check=True)
    readme = (clone / "README.md").read_text(encoding="utf-8")
    main, test = readme_command(readme, "main"), readme_command(readme, "test")
    assert SUITE in test, "the test command no longer ends with the suite: update this test"

    done = _sh(main, clone)
    assert done.returncode == 0, f"main command failed:\n{done.stdout}\n{done.stderr}"
    assert "International Committee" in done.stdout  # the agenda it prints

    checks = test[: test.index(SUITE)]
    done = _sh(checks, clone)
    assert done.returncode == 0, (
        f"test command (before the suite) failed after the main command:\n{done.stdout}\n{done.stderr}"
    )
