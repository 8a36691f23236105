"""OpenPGP signing keys for sources (issue 34): each new commit of a source is signed by a key sources.toml
lists, checked by git with only the listed keys in reach. Keys are made here with gpg (ed25519, no
passphrase) in temporary homes; an intruder's key trusted by the user's own keyring must not pass."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import need
from gpg_helpers import GPG, Key

from redflag_coord.org.sources import SourceEntry, SourcesFile, key_problem, share_problems
from redflag_coord.sources import signing


@pytest.fixture
def keys() -> Iterator[dict[str, Key]]:
    need(GPG is not None, "gpg (GnuPG) makes and checks the OpenPGP signatures")
    made: dict[str, Key] = {}
    try:
        made["mexico"] = Key("mexico")
        made["intruder"] = Key("intruder")
        yield made
    finally:
        for key in made.values():
            key.close()


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "source"
    subprocess.run(["git", "init", "-q", "-b", "redflag-shared", str(repo)], check=True)
    for k, v in (("user.name", "mexico"), ("user.email", "mexico@sources.invalid"), ("commit.gpgsign", "false")):
        subprocess.run(["git", "-C", str(repo), "config", k, v], check=True)
    return repo


def _commit(repo: Path, message: str, key: Key | None = None, date: str = "2026-11-20T12:00:00+00:00") -> str:
    args = ["-c", f"gpg.program={key.program()}", "-c", f"user.signingkey={key.fpr}"] if key else []
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    if key:
        env["GNUPGHOME"] = str(key.home)
    subprocess.run(
        ["git", "-C", str(repo), *args, "commit", "-q", "--allow-empty", "-m", message, *(["-S"] if key else [])],
        env=env,
        check=True,
    )
    return subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()


def _source(*keys: str) -> SourceEntry:
    return SourceEntry(collective="mexico", url="../mexico.git", signing_keys=list(keys))


def test_a_commit_signed_by_a_listed_openpgp_key_is_accepted(tmp_path, keys):
    repo = _repo(tmp_path)
    first = _commit(repo, "one", keys["mexico"])
    tip = _commit(repo, "two", keys["mexico"])
    assert signing.unsigned(repo, tmp_path, _source(keys["mexico"].public()), tip, None) is None
    # the same key as a file in the committee's repository (what `gpg --export --armor` writes)
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "mexico.asc").write_text(keys["mexico"].public())
    assert signing.unsigned(repo, tmp_path, _source("keys/mexico.asc"), tip, first) is None


def test_an_unlisted_key_is_refused_even_when_the_users_keyring_trusts_it(tmp_path, keys, monkeypatch):
    repo = _repo(tmp_path)
    good = _commit(repo, "one", keys["mexico"])
    tip = _commit(repo, "the intruder's", keys["intruder"])
    # the user's own keyring holds the intruder's key, ultimately trusted (gpg trusts a key it made)
    monkeypatch.setenv("GNUPGHOME", str(keys["intruder"].home))
    why = signing.unsigned(repo, tmp_path, _source(keys["mexico"].public()), tip, good)
    assert why is not None and tip[:12] in why and "not listed for 'mexico'" in why, why
    # nor does any OpenPGP signature pass where only SSH keys are listed
    ssh = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx1c3RlZC1idXQtbm90LXRoZS1zaWduZXIta2V5AAAA mexico"
    assert "not listed for 'mexico'" in (signing.unsigned(repo, tmp_path, _source(ssh), tip, good) or "")


def test_an_unsigned_commit_is_refused(tmp_path, keys):
    repo = _repo(tmp_path)
    good = _commit(repo, "one", keys["mexico"])
    tip = _commit(repo, "unsigned")
    why = signing.unsigned(repo, tmp_path, _source(keys["mexico"].public()), tip, good)
    assert why is not None and why.startswith(f"unsigned commit: {tip[:12]} is not signed"), why


def test_a_revoked_listed_key_is_refused_with_a_clear_message(tmp_path, keys):
    repo = _repo(tmp_path)
    tip = _commit(repo, "signed before the key was revoked", keys["mexico"])
    keys["mexico"].revoke()  # the collective revokes it; the committee lists the revoked key it sent
    why = signing.unsigned(repo, tmp_path, _source(keys["mexico"].public()), tip, None)
    assert why is not None and why.startswith("signed by a revoked key:") and keys["mexico"].fpr in why, why


def test_an_expired_listed_key_is_refused_with_a_clear_message(tmp_path, keys):
    keys["old"] = Key("old", expire="1y", when="20200101T000000")
    repo = _repo(tmp_path)
    tip = _commit(repo, "signed in 2020", keys["old"], date="2020-06-01T12:00:00+00:00")
    why = signing.unsigned(repo, tmp_path, _source(keys["old"].public()), tip, None)
    assert why is not None and why.startswith("signed by an expired key:") and keys["old"].fpr in why, why


def test_keys_that_cannot_verify_are_refused_with_what_to_do(tmp_path, keys, monkeypatch):
    repo = _repo(tmp_path)
    tip = _commit(repo, "one", keys["mexico"])
    fingerprint = keys["mexico"].fpr
    said = key_problem(fingerprint)
    assert said is not None and "a fingerprint alone verifies nothing" in said
    listed = SourcesFile(source=[_source(fingerprint, "../outside.asc")])
    assert [p.code for p in share_problems(listed)] == ["bad-sources", "bad-sources"]
    missing = signing.unsigned(repo, tmp_path, _source("keys/absent.asc"), tip, None)
    assert missing is not None and "cannot read the key file keys/absent.asc" in missing
    garbage = signing.unsigned(
        repo, tmp_path, _source("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n"), tip, None
    )
    assert garbage is not None and "not an OpenPGP public key gpg can read" in garbage
    monkeypatch.setattr(signing, "gpg_program", lambda: None)  # a machine without gnupg
    without = signing.unsigned(repo, tmp_path, _source(keys["mexico"].public()), tip, None)
    assert without is not None and "gpg (GnuPG) is not installed" in without
