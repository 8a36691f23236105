"""A reader vouching for retention dates (docs/privacy.md, Retention): the honest step before
`secrets forget --expired` removes sealed values by a date someone set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import DEMO_IDENTITY

BIN = str(Path(sys.executable).with_name("redflag-coord"))


def vouch(root: Path, *slugs: str, identity: Path = DEMO_IDENTITY) -> None:
    """Vouch for every unvouched retention date of these collectives, as the DEMO reader (through the CLI)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDFLAG_")}
    for slug in slugs:
        done = subprocess.run(
            [BIN, "secrets", "vouch", slug, "--yes", "--identity", str(identity), "--root", str(root)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
