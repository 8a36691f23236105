"""gitinfo.history_usable (one git process) answers as is_repository, has_commits and not is_shallow did."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from git_helpers import Repo

from redflag_coord.repo import gitinfo


def _three_calls(root: Path) -> bool:
    return gitinfo.is_repository(root) and gitinfo.has_commits(root) and not gitinfo.is_shallow(root)


def _places(tmp_path: Path) -> dict[str, Path]:
    plain = tmp_path / "plain"
    plain.mkdir()
    (tmp_path / "empty").mkdir()
    (tmp_path / "full").mkdir()
    empty = Repo(tmp_path / "empty")
    empty.git("init", "-q", "-b", "main")
    full = Repo(tmp_path / "full")
    full.git("init", "-q", "-b", "main")
    for n in range(3):
        full.write(f"f{n}.txt", str(n))
        full.commit(f"commit {n}")
    full.write("HEAD", "a file named like the revision")
    (full.root / "sub").mkdir()
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{full.root}", str(shallow)], check=True, capture_output=True
    )
    return {
        "not a repository": plain,
        "no commit yet": empty.root,
        "full history": full.root,
        "a sub-folder": full.root / "sub",
        "inside .git": full.root / ".git",
        "shallow clone": shallow,
        "missing folder": tmp_path / "nowhere",
    }


def test_one_process_answers_as_three(tmp_path: Path) -> None:
    places = _places(tmp_path)
    answers = {name: gitinfo.history_usable(root) for name, root in places.items()}
    assert answers == {name: _three_calls(root) for name, root in places.items()}
    assert answers["full history"] and answers["a sub-folder"]
    assert not answers["shallow clone"] and not answers["no commit yet"] and not answers["not a repository"]


@pytest.mark.parametrize("wanted", ["file", ""])
def test_dates_source_asks_git_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wanted: str) -> None:
    from redflag_coord.org import reportstate

    calls: list[tuple[str, ...]] = []
    real = gitinfo.git
    monkeypatch.setattr(gitinfo, "git", lambda root, *args: calls.append(args) or real(root, *args))
    monkeypatch.setenv("REDFLAG_FILED_DATES", wanted)
    org = type("Org", (), {"root": _places(tmp_path)["full history"]})()
    calls.clear()
    assert reportstate.dates_source(org) == ("file" if wanted else "git")  # type: ignore[arg-type]
    assert len(calls) == (0 if wanted else 1)
