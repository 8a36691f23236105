"""Real git repositories for tests: commits with fixed dates, branches, no user configuration."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

EXAMPLE_COLLECTIVES = Path(__file__).resolve().parent.parent / "collectives"


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root

    def env(self, date: str | None) -> dict[str, str]:
        env = {
            **os.environ,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": "Test",
            "GIT_AUTHOR_EMAIL": "test@example.org",
            "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.org",
        }
        if date:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
        return env

    def git(self, *args: str, date: str | None = None) -> str:
        done = subprocess.run(
            ["git", "-C", str(self.root), *args], capture_output=True, text=True, env=self.env(date), check=True
        )
        return done.stdout

    def commit(self, message: str, date: str = "2026-11-01T12:00:00+00:00") -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "--no-gpg-sign", "-m", message, date=date)

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path


def example_repo(tmp_path: Path, drop_reports: str | None = "ic-2026-12") -> Repo:
    """The example organisation in a new git repository on branch main (one commit).

    `drop_reports`: leave out every collective's report to this meeting, so tests can add them.
    """
    root = tmp_path / "data"
    shutil.copytree(EXAMPLE_COLLECTIVES, root / "collectives")
    shutil.copy(EXAMPLE_COLLECTIVES.parent / "organisation.toml", root / "organisation.toml")
    shutil.copytree(EXAMPLE_COLLECTIVES.parent / "trust", root / "trust")  # who reads, approved (issue 28)
    if drop_reports:
        for p in (root / "collectives").glob(f"*/reports/{drop_reports}.toml"):
            p.unlink()
    repo = Repo(root)
    repo.git("init", "-q", "-b", "main")
    repo.commit("the organisation", date="2026-10-01T12:00:00+00:00")
    return repo
