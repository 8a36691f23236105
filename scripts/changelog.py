"""Write CHANGELOG.md from the git history: one section per release tag (vX.Y.Z), newest first, each
commit's subject (merges left out). Commits after the last tag go under pyproject.toml's version,
the release being prepared.

Releasing: bump `version` in pyproject.toml, run `python scripts/changelog.py`, commit, then tag the
commit `vX.Y.Z` (data repositories pin it: `rev:` in .pre-commit-config.yaml, `init --install-spec`).
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def _version_key(tag: str) -> tuple[int, ...]:
    return tuple(int(part) for part in tag.removeprefix("v").split(".") if part.isdigit())


def sections() -> list[tuple[str, str, list[str]]]:
    """(title, date, entries) per release, newest first."""
    tags = sorted((t for t in git("tag", "--list", "v*").split() if _version_key(t)), key=_version_key)
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    out = []
    previous = None
    for end in [*tags, "HEAD"]:
        span = f"{previous}..{end}" if previous else end
        log = git("log", "--no-merges", "--date=short", "--format=%ad%x09%h%x09%s", span).splitlines()
        title = end.removeprefix("v") if end != "HEAD" else version
        if log and not (end == "HEAD" and f"v{version}" in tags):
            out.append(
                (title, log[0].split("\t")[0], [f"{s} ({h})" for _, h, s in (row.split("\t", 2) for row in log)])
            )
        previous = end
    return out[::-1]


def render() -> str:
    lines = [
        "# Changelog",
        "",
        "Generated from the git history by `scripts/changelog.py` (do not edit by hand): one section per",
        "release tag `vX.Y.Z`, each commit's subject. Pin a release with `rev: vX.Y.Z` in",
        "`.pre-commit-config.yaml` or `redflag-coord init --install-spec 'redflag-coord @ git+URL@vX.Y.Z'`.",
    ]
    for title, date, entries in sections():
        lines += ["", f"## {title} ({date})", "", *(f"- {e}" for e in entries)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    text = render()
    if sys.argv[1:] == ["--stdout"]:
        sys.stdout.write(text)
    else:
        (ROOT / "CHANGELOG.md").write_text(text, encoding="utf-8")
