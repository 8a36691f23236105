"""The hooks of .pre-commit-hooks.yaml, run by real pre-commit in temporary repositories (issue 14).

The hooks are taken from .pre-commit-hooks.yaml as they are, as a local repository with
`language: system` (the redflag-coord of this checkout on PATH), so no package index is needed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO
from git_helpers import Repo, example_repo

BIN = Path(sys.executable).parent
LA_MEMBERS = "collectives/los-angeles/members.toml"


def _hooks() -> list[dict]:
    return yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def _install(repo: Repo, ids: tuple[str, ...]) -> None:
    hooks = [{**h, "language": "system"} for h in _hooks() if h["id"] in ids]
    config = {"repos": [{"repo": "local", "hooks": hooks}]}
    repo.write(".pre-commit-config.yaml", yaml.safe_dump(config, sort_keys=False))
    repo.commit("pre-commit config", date="2026-10-02T12:00:00+00:00")
    _pre_commit(repo, "install")


def _env(repo: Repo, tmp: Path) -> dict[str, str]:
    env = repo.env("2026-11-01T12:00:00+00:00")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PRE_COMMIT_HOME"] = str(tmp / "pre-commit-home")
    env.pop("REDFLAG_ROOT", None)
    return env


def _pre_commit(repo: Repo, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "pre-commit"), *args],
        cwd=repo.root,
        capture_output=True,
        text=True,
        env=_env(repo, repo.root.parent),
    )


def _git(repo: Repo, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", *args], cwd=repo.root, capture_output=True, text=True, env=_env(repo, repo.root.parent)
    )


@pytest.fixture
def repo(tmp_path) -> Repo:
    if not (BIN / "pre-commit").exists():
        pytest.fail("pre-commit is a test dependency: pip install -e '.[test]'")
    return example_repo(tmp_path, drop_reports=None)


def test_the_validate_hooks_always_run(repo):
    for hook in _hooks():
        if hook["id"].startswith("redflag-coord-validate"):
            assert hook.get("always_run") is True and hook.get("pass_filenames") is False, hook["id"]


@pytest.mark.parametrize("hook", ["redflag-coord-validate", "redflag-coord-validate-changed"])
def test_a_commit_that_only_deletes_a_file_is_checked(repo, hook):
    _install(repo, (hook,))
    _git(repo, "rm", "-q", LA_MEMBERS)
    done = _git(repo, "commit", "-q", "--no-gpg-sign", "-m", "remove members")
    out = done.stdout + done.stderr
    assert done.returncode != 0, out
    assert "Failed" in out and "8 error(s)" in out and "unresolved-ref" in out
    assert "no files to check" not in out and "Skipped" not in out


@pytest.mark.parametrize("hook", ["redflag-coord-validate", "redflag-coord-validate-changed"])
def test_run_all_files_checks_broken_committed_data(repo, hook):
    _install(repo, (hook,))
    (repo.root / LA_MEMBERS).unlink()
    assert _git(repo, "commit", "-qa", "--no-verify", "--no-gpg-sign", "-m", "broken").returncode == 0
    done = _pre_commit(repo, "run", "--all-files")
    assert done.returncode != 0, done.stdout
    assert "unresolved-ref" in done.stdout


def test_changed_prints_its_base_upstream_first(repo, tmp_path):
    clone = Repo(tmp_path / "clone")
    subprocess.run(["git", "clone", "-q", str(repo.root), str(clone.root)], check=True, env=repo.env(None))
    clone.git("checkout", "-q", "-b", "report", "--track", "origin/main")
    (clone.root / LA_MEMBERS).unlink()
    clone.commit("unpushed and broken")
    env = _env(clone, tmp_path)
    done = subprocess.run(
        [str(BIN / "redflag-coord"), "validate", "--changed"], cwd=clone.root, capture_output=True, text=True, env=env
    )
    assert done.returncode == 1
    assert "redflag-coord: comparing with origin/main (merge-base " in done.stderr
    assert "1 changed file(s)" in done.stderr


def test_changed_against_head_itself_is_never_a_silent_zero(tmp_path):
    repo = example_repo(tmp_path, drop_reports=None)
    repo.git("branch", "-q", "-m", "main", "master")  # a local master, no remote: the base is HEAD
    (repo.root / LA_MEMBERS).unlink()
    repo.commit("broken, unpushed")
    done = subprocess.run(
        [str(BIN / "redflag-coord"), "validate", "--changed"],
        cwd=repo.root,
        capture_output=True,
        text=True,
        env=_env(repo, tmp_path),
    )
    assert done.returncode == 1, done.stderr
    assert "comparing with master (merge-base " in done.stderr and "HEAD itself" in done.stderr
    assert "checking every file" in done.stderr
    assert "0 changed file(s)" not in done.stderr


def test_the_guides_pre_commit_config_is_complete_and_pins_this_release(tmp_path):
    """Issue 26: the hooks asked for `rev: <a tag>` with no tag and no example config. The guide's config
    is one pre-commit accepts, names hooks this repository ships, and pins the tag of this version."""
    import re
    import tomllib

    guide = (REPO / "docs" / "guide.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- pre-commit-config -->\n```yaml\n(.+?)```\n<!-- /pre-commit-config -->", guide, re.S)
    assert found, "docs/guide.md has no <!-- pre-commit-config --> block"
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(found.group(1), encoding="utf-8")
    done = subprocess.run([str(BIN / "pre-commit"), "validate-config", str(config)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    [entry] = yaml.safe_load(found.group(1))["repos"]
    version = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert entry["rev"] == f"v{version}"
    shipped = {h["id"] for h in _hooks()}
    assert entry["hooks"] and {h["id"] for h in entry["hooks"]} <= shipped


def test_commit_msg_hook_refuses_private_text_in_the_message_and_author(repo):
    """Issue 29: the message and the author's name travel with every clone; the hook stops them first."""
    from conftest import DEMO_IDENTITY

    hooks = [{**h, "language": "system"} for h in _hooks() if h["id"] == "redflag-coord-commit-msg"]
    assert hooks and hooks[0]["stages"] == ["commit-msg"]
    repo.write(".pre-commit-config.yaml", yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}))
    repo.commit("pre-commit config", date="2026-10-02T12:00:00+00:00")
    assert _pre_commit(repo, "install", "--hook-type", "commit-msg").returncode == 0
    env = {**_env(repo, repo.root.parent), "REDFLAG_IDENTITY": str(DEMO_IDENTITY)}

    def commit(message: str, **extra: str) -> subprocess.CompletedProcess:
        repo.write("notes.txt", message)
        subprocess.run(["git", "add", "notes.txt"], cwd=repo.root, env=env, check=True)
        return subprocess.run(
            ["git", "commit", "-q", "--no-gpg-sign", "-m", message],
            cwd=repo.root,
            capture_output=True,
            text=True,
            env={**env, **extra},
        )

    for message in ("Visited Doña Flor", "call 7012 3456", "write to flor at riseup.net"):
        done = commit(message)
        assert done.returncode != 0, done.stdout + done.stderr
        assert "private-text" in done.stdout + done.stderr
        assert message.split()[-1] not in done.stdout + done.stderr
    refused = commit("December report", GIT_AUTHOR_NAME="Planchadora")  # a rare word of a pseudonym
    assert refused.returncode != 0 and "private-text" in refused.stdout + refused.stderr
    clean = commit("December report")
    assert clean.returncode == 0, clean.stdout + clean.stderr
