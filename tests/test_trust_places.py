"""Places that stay put (issue 28): relationships' values bound to their id, a collective renamed by a reader.

The example organisation in a temporary git repository (DEMO identity: a reader of every collective;
an intruder with a key of their own and no reader's key). Every step through the console script, except
the failure injected into the second file's write (in-process, monkeypatched).
"""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import DEMO_IDENTITY, TODAY
from git_helpers import Repo, example_repo

from redflag_coord import crypt
from redflag_coord.crypt import trust as sig

BIN = str(Path(sys.executable).with_name("redflag-coord"))
INDIA = "collectives/india/relationships.toml"
MEXICO = "collectives/mexico/relationships.toml"
HEADER = "[[relationship]]\n"


class Org:
    def __init__(self, tmp_path: Path) -> None:
        self.home = tmp_path / "home"
        self.home.mkdir()
        self.repo: Repo = example_repo(tmp_path, drop_reports=None)
        self.root = self.repo.root

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("REDFLAG_")}
        env.update(REDFLAG_TODAY=TODAY, HOME=str(self.home), XDG_CONFIG_HOME=str(self.home / ".config"))
        return subprocess.run([BIN, *args], cwd=self.root, env=env, capture_output=True, text=True, timeout=120)

    def validate(self, key: bool) -> subprocess.CompletedProcess[str]:
        return self.run("validate", *(["-i", str(DEMO_IDENTITY)] if key else []))

    def text(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def write(self, rel: str, text: str) -> None:
        (self.root / rel).write_text(text, encoding="utf-8")

    def blocks(self, rel: str) -> tuple[str, list[str]]:
        """The text before the first relationship, and each relationship's text (its history included)."""
        head, *rest = self.text(rel).split(HEADER)
        return head, [HEADER + b for b in rest]

    def files(self) -> dict[str, bytes]:
        return {str(p.relative_to(self.root)): p.read_bytes() for p in self.root.rglob("*.toml")}


def clean(done: subprocess.CompletedProcess[str]) -> bool:
    return done.returncode == 0 and "0 error(s), 0 warning(s)" in done.stdout + done.stderr


def problems(done: subprocess.CompletedProcess[str], code: str) -> list[tuple[str, str]]:
    return re.findall(rf"^(\S+?)(?::\d+:\d+)?: error\[{code}\]: (.*)$", done.stdout, re.M)


@pytest.fixture
def org(tmp_path: Path) -> Org:
    return Org(tmp_path)


def test_the_example_is_migrated_every_relationship_has_an_id(org):
    for rel in org.root.glob("collectives/*/relationships.toml"):
        ids = [r.get("id") for r in tomllib.loads(rel.read_text(encoding="utf-8")).get("relationship", [])]
        assert ids and all(isinstance(i, str) and re.fullmatch(r"[a-z][a-z2-7]{9}", i) for i in ids), rel
        assert len(set(ids)) == len(ids)
    assert clean(org.validate(key=True)) and clean(org.validate(key=False))


def test_deleting_and_reordering_relationships_keeps_every_value_valid(org):
    for rel in (INDIA, "collectives/south-africa/relationships.toml", "collectives/el-salvador/relationships.toml"):
        head, blocks = org.blocks(rel)
        kept = list(reversed(blocks[1:]))  # the first one deleted, the others in reverse order
        org.write(rel, head + "".join(b if b.endswith("\n\n") else b + "\n" for b in kept).rstrip("\n") + "\n")
    with_key = org.validate(key=True)
    assert clean(with_key), with_key.stdout
    assert clean(org.validate(key=False))


def test_a_value_copied_between_relationships_or_collectives_is_an_error(org):
    india = tomllib.loads(org.text(INDIA))["relationship"]
    text = org.text(INDIA).replace(india[1]["pseudonym"], india[0]["pseudonym"])  # rel 0's into rel 1
    org.write(INDIA, text)
    moved = org.validate(key=True)
    assert moved.returncode == 1 and [f for f, _ in problems(moved, "sealed-moved")] == [INDIA]
    assert "relationship[1].pseudonym" in moved.stdout
    org.repo.git("checkout", "-q", "--", ".")

    mexico = tomllib.loads(org.text(MEXICO))["relationship"]
    org.write(MEXICO, org.text(MEXICO).replace(mexico[0]["pseudonym"], india[0]["pseudonym"]))
    across = org.validate(key=True)
    assert [f for f, _ in problems(across, "sealed-moved")] == [MEXICO]
    org.repo.git("checkout", "-q", "--", ".")

    # a whole relationship copied, id and all: its values would be at home twice; keyless error, both withheld
    _, blocks = org.blocks(INDIA)
    org.write(INDIA, org.text(INDIA).rstrip("\n") + "\n\n" + blocks[0].rstrip("\n") + "\n")
    for key in (False, True):
        twice = org.validate(key=key)
        assert twice.returncode == 1 and "the id of relationship[0] again" in twice.stdout
        assert [f for f, _ in problems(twice, "relationship-id")] == [INDIA]


def test_an_id_removed_or_changed_without_a_key_is_an_error(org):
    rid = tomllib.loads(org.text(INDIA))["relationship"][0]["id"]
    org.write(INDIA, org.text(INDIA).replace(f'id = "{rid}"\n', "", 1))
    keyless = org.validate(key=False)
    assert [m for _, m in problems(keyless, "relationship-id")] and "secrets migrate" in keyless.stdout
    org.write(INDIA, org.text(INDIA).replace(HEADER, HEADER + 'id = "zzzzzzzzzz"\n', 1))  # another id
    assert problems(org.validate(key=True), "sealed-moved")


def _positional(org: Org, rel: str, index: int) -> None:
    """Seal relationship[index]'s values the way the tool did before ids (a reader, bound to the position)."""
    ids = crypt.read_identities(DEMO_IDENTITY)
    signer = sig.signers(ids)[0]
    slug = rel.split("/")[1]
    recipients = tomllib.loads(org.text(f"collectives/{slug}/collective.toml"))["recipients"]
    text = org.text(rel)
    r = tomllib.loads(text)["relationship"][index]
    for name in ("pseudonym", "workplace", "notes"):
        if name in r:
            env = sig.unwrap(crypt.open_sealed(r[name], ids.keys))
            assert env is not None
            again = crypt.seal(sig.wrap(f"{slug}/relationships/{index}/{name}", env.value, signer), recipients)
            text = text.replace(r[name], again)
    org.write(rel, text.replace(f'id = "{r["id"]}"\n', ""))


def test_positional_values_are_errors_until_migrate_which_is_idempotent(org):
    _positional(org, INDIA, 1)
    _positional(org, MEXICO, 0)
    before = org.validate(key=True)
    assert before.returncode == 1
    assert {f for f, _ in problems(before, "relationship-id")} == {INDIA, MEXICO}
    migrated = org.run("secrets", "migrate", "--all", "-i", str(DEMO_IDENTITY))
    assert migrated.returncode == 0, migrated.stderr
    assert "value(s) bound and signed" in migrated.stderr and "0 value(s)" not in migrated.stderr
    assert clean(org.validate(key=True)) and clean(org.validate(key=False))
    files = org.files()
    again = org.run("secrets", "migrate", "--all", "-i", str(DEMO_IDENTITY))
    assert again.returncode == 0 and "0 approval(s), 0 value(s)" in again.stderr
    assert org.files() == files


def test_a_positional_value_at_another_position_is_not_rebound(org):
    """An old envelope of position 0 pasted into the relationship now at position 0 (after a deletion)."""
    _positional(org, INDIA, 1)
    old = tomllib.loads(org.text(INDIA))["relationship"][1]["pseudonym"]  # bound to position 1
    target = tomllib.loads(org.text(INDIA))["relationship"][2]["pseudonym"]
    org.write(INDIA, org.text(INDIA).replace(target, old))
    with_key = org.validate(key=True)
    assert "relationship[2].pseudonym" in with_key.stdout and problems(with_key, "sealed-positional")
    files = org.files()
    refused = org.run("secrets", "migrate", "--all", "-i", str(DEMO_IDENTITY))
    assert refused.returncode == 1 and "moved or copied here" in refused.stderr
    assert org.files() == files


def test_migrate_is_all_or_nothing_when_the_second_write_fails(org, monkeypatch):
    from typer.testing import CliRunner

    from redflag_coord.cli.app import app
    from redflag_coord.repo import journal

    _positional(org, INDIA, 0)
    _positional(org, MEXICO, 0)
    files = org.files()
    real = journal._put  # the journal's one write of a file (repo.journal: every multi-file change)
    calls: list[Path] = []

    def second_fails(path, data):
        calls.append(Path(path))
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(journal, "_put", second_fails)
    done = CliRunner().invoke(
        app, ["secrets", "migrate", "--all", "-i", str(DEMO_IDENTITY), "-C", str(org.root)], catch_exceptions=False
    )
    assert done.exit_code == 1 and "the disk is full; nothing was changed" in done.stderr
    assert len(calls) >= 3  # the first file written, the second failed, the first put back
    assert org.files() == files


def test_rename_by_a_reader_keeps_every_value_valid_and_the_history_anchored(org):
    refused = org.run("rename", "collective", "india", "bharat")
    assert refused.returncode == 2 and "--identity" in refused.stderr
    assert org.repo.git("status", "--porcelain") == ""
    done = org.run("rename", "collective", "india", "bharat", "-i", str(DEMO_IDENTITY))
    assert done.returncode == 0, done.stderr
    assert not (org.root / "trust/india.toml").exists() and (org.root / "trust/bharat.toml").exists()
    org.repo.commit("india is bharat now")
    assert clean(org.validate(key=True)) and clean(org.validate(key=False))
    # the old slug stays bharat's: another collective may not take it (its values could pass as bharat's)
    taken = org.run("rename", "collective", "mexico", "india", "-i", str(DEMO_IDENTITY))
    assert taken.returncode == 2 and "is or was the name of another collective" in taken.stderr


def test_an_intruders_rename_or_trust_file_swap_is_an_error_without_a_key(org):
    org.repo.git("mv", "collectives/india", "collectives/bharat")
    org.repo.git("mv", "trust/india.toml", "trust/bharat.toml")
    moved = org.validate(key=False)  # read as bharat's, india's signed approvals do not verify; india's is gone
    assert {f for f, _ in problems(moved, "trust-chain")} == {"trust/bharat.toml", "trust/india.toml"}
    # naming the old slug makes the signatures verify, but the last approval is still india's, not bharat's
    chain = org.text("trust/bharat.toml")
    org.write("trust/bharat.toml", chain.replace("\nby = ", '\ncollective = "india"\nby = ', 1))
    keyless = org.validate(key=False)
    assert keyless.returncode == 1 and "its last approval is for collective 'india'" in keyless.stdout
    org.repo.git("reset", "-q", "--hard")

    india, mexico = org.text("trust/india.toml"), org.text("trust/mexico.toml")
    org.write("trust/india.toml", mexico)
    org.write("trust/mexico.toml", india)
    swapped = org.validate(key=False)
    assert {f for f, _ in problems(swapped, "trust-chain")} >= {"trust/india.toml", "trust/mexico.toml"}


def test_a_trust_file_deleted_or_restarted_is_an_error_without_a_key(org):
    (org.root / "trust/india.toml").unlink()
    org.repo.commit("no more approvals for india")
    gone = org.validate(key=False)
    assert "trust/india.toml" in {f for f, _ in problems(gone, "trust-chain")}
    assert "deleted or moved without a signed rename" in gone.stdout

    intruder = org.home / "intruder.txt"
    key = org.run("secrets", "keygen", "--output", str(intruder)).stdout.strip()
    rel = "collectives/india/collective.toml"
    org.write(rel, re.sub(r"(?m)^recipients = .*$", f'recipients = ["{key}"]', org.text(rel)))
    approved = org.run("secrets", "approve", "india", "-i", str(intruder), "--yes")
    assert approved.returncode == 0, approved.stderr
    org.repo.commit("a fresh start")
    restarted = org.validate(key=False)
    assert restarted.returncode == 1 and "restarted" in restarted.stdout
