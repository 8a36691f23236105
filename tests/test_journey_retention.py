"""Journey (issue 33): a conversation note that outlives its purpose. It is warned before it expires,
warned again in the grace period, an error after it, listed by a dry run that writes nothing, removed by
`secrets forget --expired` (no key needed), and then absent from every output and from every value of
the working tree. Then the squashed private branch of docs/privacy.md (History) drops it from the
repository's objects too. Through the console script, in a temporary git repository."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from conftest import CANARY_NOTE, DEMO_IDENTITY, REPO, seal_private, strings_in
from git_helpers import Repo, example_repo
from vouch_helpers import vouch

BIN = str(Path(sys.executable).with_name("redflag-coord"))
FILE = "collectives/mexico/relationships.toml"


def cli(root: Path, today: str, *args: str, key: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDFLAG_")}
    env.update(REDFLAG_TODAY=today, REDFLAG_FILED_DATES="file")
    if key:
        env["REDFLAG_IDENTITY"] = str(DEMO_IDENTITY)
    return subprocess.run([BIN, *args], cwd=root, env=env, capture_output=True, text=True, timeout=120)


def plant_note(repo: Repo, commit: bool = True) -> None:
    """The comrade writes down a conversation, to be kept until 2026-12-10; sealed, the date vouched by a
    reader (and committed)."""
    path = repo.root / FILE
    path.write_text(
        path.read_text(encoding="utf-8")
        + f'\n[[relationship.history]]\ndate = 2026-02-02\nstage = "reader"\nnote = "{CANARY_NOTE}"\n'
        "expires = 2026-12-10\n",
        encoding="utf-8",
    )
    seal_private(repo.root)
    vouch(repo.root, "mexico")  # a reader decided the date: only then does it remove a sealed note
    if commit:
        repo.commit("a conversation note, kept until 2026-12-10")


def opened_values(root: Path) -> list[str]:
    """Every sealed value of the working tree's data files, opened with the DEMO key."""
    from redflag_coord import crypt
    from redflag_coord.edit.trustseal import open_bound

    keys = crypt.read_identities(DEMO_IDENTITY).keys
    return [
        open_bound(crypt.open_sealed(value, keys))
        for path in (root / "collectives").rglob("*.toml")
        for value in strings_in(tomllib.loads(path.read_text(encoding="utf-8")))
        if crypt.is_sealed(value)
    ]


def outputs(root: Path, today: str) -> str:
    """What the committee and the collective see, with the key: everything that could show a note."""
    runs = [
        ("validate",),
        ("secrets", "show", "mexico"),
        ("network", "mexico", "--include-private"),
        ("network", "--include-private", "--format", "json"),
        ("summary",),
    ]
    done = [cli(root, today, *args) for args in runs]
    return "".join(d.stdout + d.stderr for d in done)


def test_journey_an_expired_note_is_warned_then_an_error_then_forgotten(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    root = repo.root
    plant_note(repo)
    assert CANARY_NOTE in outputs(root, "2026-11-27")  # the outputs below can see it: its absence means something

    # 1. Within the warning period (30 days by default): a warning naming file, line, key, date and command.
    done = cli(root, "2026-11-27", "validate", key=False)
    assert done.returncode == 0, done.stdout + done.stderr
    line = next(n for n, text in enumerate((root / FILE).read_text().splitlines(), 1) if text == "expires = 2026-12-10")
    assert (
        f"{FILE}:{line}:1: warning[expiring]: relationship[0].history[0].expires: its private value(s) (note) "
        "expire on 2026-12-10 (expires = 2026-12-10): from that day run 'redflag-coord secrets forget --expired'"
    ) in done.stdout

    # 2. Expired, in the grace period: still a warning, saying from when it is an error.
    done = cli(root, "2026-12-15", "validate", key=False)
    assert done.returncode == 0
    assert re.search(
        rf"{FILE}:{line}:1: warning\[expired\]: .*expired on 2026-12-10.*an error from 2027-01-09", done.stdout
    )

    # 3. After the grace period: an error, and validate fails (so does CI, which runs it).
    done = cli(root, "2027-01-09", "validate", key=False)
    assert done.returncode == 1
    assert re.search(
        rf"{FILE}:{line}:1: error\[expired\]: .*grace period of 30d ended on 2027-01-09: run 'redflag-coord "
        r"secrets forget --expired' now",
        done.stdout,
    )

    # 4. A dry run lists it (where, never what) and writes nothing.
    done = cli(root, "2027-01-09", "secrets", "forget", "--expired", "--dry-run", key=False)
    assert done.returncode == 0, done.stderr
    assert f"would remove {FILE}: relationship[0].history[0]: note (expired on 2026-12-10" in done.stdout
    assert "nothing was written" in done.stderr
    assert repo.git("status", "--porcelain") == ""

    # 5. Forgotten, with no key at all.
    done = cli(root, "2027-01-09", "secrets", "forget", "--expired", key=False)
    assert done.returncode == 0, done.stderr
    assert f"removed {FILE}: relationship[0].history[0]: note" in done.stdout
    assert "git history" in done.stderr  # says what forget cannot reach
    assert repo.git("status", "--porcelain").split() == ["M", FILE, "M", "collectives/south-africa/relationships.toml"]
    assert cli(root, "2027-01-09", "validate", key=False).returncode == 0

    # 6. Absent from every output and every value of the working tree; the stage change itself stays.
    assert CANARY_NOTE not in outputs(root, "2027-01-09")
    values = opened_values(root)
    assert values and CANARY_NOTE not in values
    rel = tomllib.loads((root / FILE).read_text(encoding="utf-8"))["relationship"][0]
    assert rel["history"][0] == {"date": __import__("datetime").date(2026, 2, 2), "stage": "reader"}

    # 7. ... but not from history: the commit before still holds its ciphertext (docs/privacy.md, History).
    repo.commit("forget expired values", date="2027-01-09T12:00:00+00:00")
    assert "expires = 2026-12-10" in repo.git("show", f"HEAD~1:{FILE}")


INDEX = "GIT_INDEX_FILE=.git/private-index"
SAVE = (  # the page's save after an edit: the private files, committed on 'private' after its last commit
    f"{INDEX} git add -f collectives/*/members.toml collectives/*/relationships.toml && "
    f'git update-ref refs/heads/private "$(git commit-tree -p private -m edit "$({INDEX} git write-tree)")"'
)


def squash_commands() -> list[str]:
    """The commands docs/privacy.md gives for the squashed private branch, as the page shows them."""
    text = (REPO / "docs" / "privacy.md").read_text(encoding="utf-8")
    section = text[text.index("#### A private branch, squashed") :]
    block = section[section.index("```console\n") + 11 : section.index("```\n", section.index("```console\n") + 11)]
    return [line[2:] for line in block.splitlines() if line.startswith("$ ")]


def test_squashed_private_branch_drops_a_forgotten_note_from_the_objects(tmp_path: Path) -> None:
    """The layout of docs/privacy.md: after the note is forgotten and the branch squashed, no object of the
    repository holds its ciphertext (git cat-file --batch-all-objects), while main keeps its history."""
    repo = example_repo(tmp_path)
    root = repo.root
    commands = squash_commands()

    def sh(command: str) -> str:
        """One of the page's commands, as a reader's shell runs it."""
        done = subprocess.run(["bash", "-c", command], cwd=root, env=repo.env(None), capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    for command in commands[: commands.index(next(c for c in commands if "commit-tree -m 'private files'" in c)) + 1]:
        sh(command)  # the layout: private files leave main and live on the branch 'private'
    plant_note(repo, commit=False)
    assert repo.git("status", "--porcelain") == ""  # main no longer sees the private files
    sh(SAVE)
    sealed = tomllib.loads((root / FILE).read_text(encoding="utf-8"))["relationship"][0]["history"][0]["note"]
    assert cli(root, "2027-01-09", "secrets", "forget", "--expired", key=False).returncode == 0
    sh(SAVE)

    def everything() -> bytes:
        """Every object of the repository, reachable or not, as git stores it (decompressed)."""
        return subprocess.run(
            ["git", "cat-file", "--batch-all-objects", "--batch"], cwd=root, capture_output=True, check=True
        ).stdout

    assert sealed.encode() in everything()  # the branch's older commit still holds it
    for command in commands[commands.index(next(c for c in commands if "squashed" in c)) :]:
        if "push" not in command:
            sh(command)
    assert sh("git rev-list --count private").strip() == "1"
    assert sealed.encode() not in everything()
    assert int(sh("git rev-list --count main").strip()) >= 2  # main's history is untouched
