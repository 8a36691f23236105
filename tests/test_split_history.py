"""Journey (issue 34): `split --history keep`. The single repository has a history: a member planted in an
old commit of mexico's members.toml and later removed (the canary), a report filed by pull request (merged
late), and one commit touching two collectives. Each new repository gets its own paths' history and no
object of any other; filed dates in the committee equal those of the single repository. Through the console
script, in temporary git repositories.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TODAY
from git_helpers import EXAMPLE_COLLECTIVES, Repo, example_repo

BIN = Path(sys.executable).parent
CANARY = "canary.member.5h2k@example.net"
COMMITTEE = "international-committee"
MEETING = "ic-2026-12"
MERGED = "2026-11-20T18:00:00+00:00"  # the committee's merge of mexico's report: its filed date
TWO = "reports: india and south-africa"
LATIN1 = "france: la réunion de décembre\n\nun message dans un autre codage\n".encode("latin-1")


def _env() -> dict[str, str]:
    """The conftest's fixed day, git filed dates (not the files' keys): this module's fixture outlives
    the function-scoped monkeypatch."""
    env = {k: v for k, v in Repo(Path()).env(None).items() if k != "REDFLAG_ROOT"}
    env.update({"REDFLAG_TODAY": TODAY, "REDFLAG_FILED_DATES": "", "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"})
    return env


def _rc(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "redflag-coord"), *args], cwd=root, capture_output=True, text=True, env=_env())


def _all_objects(root: Path) -> bytes:
    """Every object the repository holds, reachable or not (what a seized laptop's copy holds)."""
    return subprocess.run(
        ["git", "-C", str(root), "cat-file", "--batch-all-objects", "--batch"], capture_output=True, check=True
    ).stdout


def _private_blobs(single: Repo) -> dict[str, set[str]]:
    """Every version ever committed of each collective's members.toml and relationships.toml."""
    found: dict[str, set[str]] = {}
    for line in single.git("rev-list", "--objects", "--all").splitlines():
        oid, _, path = line.partition(" ")
        parts = path.split("/")
        if len(parts) == 3 and parts[0] == "collectives" and parts[2] in ("members.toml", "relationships.toml"):
            found.setdefault(parts[1], set()).add(oid)
    return found


def _history(single: Repo) -> None:
    members = single.root / "collectives/mexico/members.toml"
    before = members.read_text(encoding="utf-8")
    members.write_text(before + f'\n[[member]]\nhandle = "lupe"\n# {CANARY}\n', encoding="utf-8")
    single.commit("mexico: a member joins", date="2026-10-05T09:00:00+00:00")
    members.write_text(before, encoding="utf-8")
    single.commit("mexico: a member leaves", date="2026-10-10T09:00:00+00:00")
    single.git("checkout", "-q", "-b", "mexico-report")
    shutil.copy(EXAMPLE_COLLECTIVES / f"mexico/reports/{MEETING}.toml", single.root / "collectives/mexico/reports/")
    single.commit("mexico: report for December", date="2026-11-02T10:00:00+00:00")  # backdated: the merge counts
    single.git("checkout", "-q", "main")
    single.git("merge", "-q", "--no-ff", "--no-gpg-sign", "-m", "merge mexico's report", "mexico-report", date=MERGED)
    for slug in ("india", "south-africa"):
        shutil.copy(
            EXAMPLE_COLLECTIVES / f"{slug}/reports/{MEETING}.toml", single.root / f"collectives/{slug}/reports/"
        )
    single.commit(TWO, date="2026-11-21T08:00:00+00:00")
    (single.root / "collectives/france/collective.toml").write_bytes(
        (single.root / "collectives/france/collective.toml").read_bytes() + b"# r\xc3\xa9union\n"
    )
    (single.root.parent / "message").write_bytes(LATIN1)
    single.git("add", "-A")
    single.git("-c", "i18n.commitEncoding=ISO-8859-1", "commit", "-q", "--no-gpg-sign", "-F", "../message", date=MERGED)


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> tuple[Repo, Path]:
    tmp = tmp_path_factory.mktemp("split-history")
    single = example_repo(tmp)
    _history(single)
    out = tmp / "split"
    done = _rc(single.root, "split", "--output", str(out), "--history", "keep")
    assert done.returncode == 0, done.stdout + done.stderr
    fetched = _rc(out / COMMITTEE, "sources", "fetch")
    assert fetched.returncode == 0 and "mexico: updated at " in fetched.stdout, fetched.stdout + fetched.stderr
    return single, out


def _log(root: Path, *args: str) -> list[str]:
    return Repo(root).git("log", "--format=%s", *args).splitlines()


def test_the_canary_is_in_its_collectives_history_and_no_other_repositorys_objects(world):
    single, out = world
    repos = sorted(p for p in out.iterdir() if (p / ".git").is_dir())
    assert len(repos) == len(list((single.root / "collectives").iterdir())) - 1  # README.md is no collective
    mexico = Repo(out / "mexico")
    old = mexico.git("log", "--format=%H", "--grep", "a member joins")
    assert CANARY in mexico.git("show", f"{old.strip()}:collectives/mexico/members.toml")
    private = _private_blobs(single)
    for repo in repos:
        held = _all_objects(repo)
        assert (CANARY.encode() in held) == (repo.name == "mexico"), repo.name
        ids = set(Repo(repo).git("cat-file", "--batch-all-objects", "--batch-check=%(objectname)").split())
        for slug, blobs in private.items():  # no version of another collective's private files, at any commit
            if slug != repo.name:
                assert not (ids & (blobs - private.get(repo.name, set()))), (repo.name, slug)
    shared = mexico.git("rev-list", "--objects", "redflag-shared").split()
    blobs = subprocess.run(
        ["git", "-C", str(mexico.root), "cat-file", "--batch"],
        input="\n".join(shared[::2] + shared[1::2]).encode(),
        capture_output=True,
        check=True,
    ).stdout
    assert CANARY.encode() not in blobs  # the shared branch never held the members file


def test_each_repository_gets_only_the_commits_that_touched_its_paths(world):
    out = world[1]
    assert _log(out / "mexico")[1:] == [
        "merge mexico's report",
        "mexico: a member leaves",
        "mexico: a member joins",
        "the organisation",
    ]
    for slug in ("india", "south-africa"):
        assert _log(out / slug)[1] == TWO  # a message travels to each repository the commit touched
    assert TWO not in _log(out / COMMITTEE) and TWO not in _log(out / "mexico")
    assert _log(out / COMMITTEE)[1:] == ["the organisation"]
    assert Repo(out / "mexico").git("rev-list", "--merges", "main") == ""  # linearised, first parent
    for repo in out.iterdir():  # each has its shared branch, built from the kept history
        assert Repo(repo).git("rev-parse", "--verify", "-q", "redflag-shared").strip(), repo.name
    dates = Repo(out / "mexico").git("log", "--format=%cI", "redflag-shared").split()
    assert dates[0] == MERGED and len(dates) == 2  # the organisation's commit, then the merged report


def _headers_and_message(repo: Repo, commit: str) -> bytes:
    """A commit object without its tree and parent lines: author, committer, encoding, message."""
    raw = subprocess.run(["git", "-C", str(repo.root), "cat-file", "commit", commit], capture_output=True, check=True)
    return b"\n".join(line for line in raw.stdout.split(b"\n") if not line.startswith((b"tree ", b"parent ")))


def test_authors_committers_dates_encodings_and_messages_are_kept_byte_for_byte(world):
    single, out = world
    for slug in ("mexico", "france"):
        repo = Repo(out / slug)
        kept = repo.git("rev-list", "main").split()[1:]  # the last: split's sources.toml
        originals = single.git("rev-list", "--first-parent", "main").split()
        carried = [_headers_and_message(repo, c) for c in kept]
        assert carried and all(c in {_headers_and_message(single, o) for o in originals} for c in carried), slug
    assert LATIN1 in _headers_and_message(Repo(out / "france"), "main~1")
    assert b"encoding ISO-8859-1" in _headers_and_message(Repo(out / "france"), "main~1")


def test_filed_dates_in_the_committee_equal_the_single_repositorys(world):
    single, out = world

    def filed(root: Path) -> dict[str, str]:
        agenda = _rc(root, "agenda", MEETING, "--format", "json")
        assert agenda.returncode == 0, agenda.stderr
        return {r["collective"]: r["filed"] for r in json.loads(agenda.stdout)["reports"]}

    before, after = filed(single.root), filed(out / COMMITTEE)
    assert before["mexico"] == MERGED[:10]  # the merge's date, not the backdated commit's
    assert {s: after[s] for s in ("mexico", "india", "south-africa")} == {
        s: before[s] for s in ("mexico", "india", "south-africa")
    }
    checked = _rc(out / COMMITTEE, "validate")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_keep_and_fresh_end_with_the_same_files(world, tmp_path):
    single, out = world
    fresh = tmp_path / "fresh"
    done = _rc(single.root, "split", "--output", str(fresh))
    assert done.returncode == 0, done.stderr

    def files(top: Path) -> dict[str, str]:  # each repository's committed files (the committee's also
        # holds the fetched sources' files, outside git)
        return {p.name: Repo(p).git("ls-tree", "-r", "main") for p in top.iterdir()}

    assert files(fresh) == files(out)
    assert Repo(fresh / "mexico").git("rev-list", "--count", "main").strip() == "1"
    for repo in fresh.iterdir():  # a fresh start carries no old version: the canary nowhere
        assert CANARY.encode() not in _all_objects(repo), repo.name
        assert Repo(repo).git("log", "--format=%s", "main").count("\n") == 1, repo.name


def test_uncommitted_changes_are_refused_and_nothing_is_written(world, tmp_path):
    single, _ = world
    members = single.root / "collectives/france/members.toml"
    before = members.read_bytes()
    try:
        members.write_bytes(before + b"\n# not committed\n")
        done = _rc(single.root, "split", "--output", str(tmp_path / "out"), "--history", "keep")
    finally:
        members.write_bytes(before)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "collectives/france/members.toml" in done.stderr and "commit or stash" in done.stderr
    assert not (tmp_path / "out").exists()


def test_an_organisation_in_a_subfolder_becomes_the_top_of_each_repository(tmp_path):
    outer = Repo(tmp_path / "outer")
    shutil.copytree(EXAMPLE_COLLECTIVES, outer.root / "org/collectives")
    shutil.copy(EXAMPLE_COLLECTIVES.parent / "organisation.toml", outer.root / "org/organisation.toml")
    shutil.copytree(EXAMPLE_COLLECTIVES.parent / "trust", outer.root / "org/trust")
    outer.write("collectives/mexico/members.toml", f"# {CANARY}\n")  # outside the organisation: never carried
    outer.git("init", "-q", "-b", "main")
    outer.commit("the organisation in a folder")
    done = _rc(outer.root / "org", "split", "--output", str(tmp_path / "out"), "--history", "keep")
    assert done.returncode == 0, done.stdout + done.stderr
    mexico = Repo(tmp_path / "out/mexico")
    top = mexico.git("ls-tree", "-r", "--name-only", "main").split()
    assert "collectives/mexico/members.toml" in top and "organisation.toml" in top
    assert not [p for p in top if p.startswith("org/")]
    assert CANARY.encode() not in _all_objects(mexico.root)


@pytest.mark.parametrize("history", ["fresh", "keep"])
def test_a_symbolic_link_to_another_collectives_members_is_refused(history, tmp_path):
    """A careless (or hostile) member links india's member list into mexico's folder: split would copy
    india's members into mexico's repository. It is refused, and nothing is written."""
    single = example_repo(tmp_path)
    (single.root / "collectives/mexico/notes.toml").symlink_to("../india/members.toml")
    single.commit("mexico: notes")
    out = tmp_path / "out"
    done = _rc(single.root, "split", "--output", str(out), "--history", history)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "collectives/mexico/notes.toml is a symbolic link" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()
