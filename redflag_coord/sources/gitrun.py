"""git for sources: one process per call, bytes in and out, a clean environment for what it may not inherit."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from redflag_coord.repo.gitinfo import GitError


def run(
    where: Path | str,
    *args: str,
    input: bytes | None = None,
    env: dict[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[bytes]:
    """`git -C where ARGS`; GitError (its last line of stderr) when it fails and `check`."""
    cmd = ["git", "-C", str(where), "-c", "core.quotepath=off", *args]
    try:
        done = subprocess.run(cmd, input=input, capture_output=True, env={**os.environ, **(env or {})}, check=False)
    except FileNotFoundError as e:
        raise GitError("git is not installed (or not on PATH)") from e
    if check and done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(err[-1] if err else f"git {args[0]} failed")
    return done


def text(where: Path | str, *args: str, env: dict[str, str] | None = None) -> str:
    return run(where, *args, env=env).stdout.decode("utf-8", "replace")


def init_bare(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    run(path, "init", "-q", "--bare")
