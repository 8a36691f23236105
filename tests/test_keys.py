"""Keys (issue 28): lengths hidden by padding, protected identities, identity files others can read,
`keygen --passphrase`, and validate's checks for secret keys in the repository, DEMO and ssh recipients.
CLI tests go through the console script in temporary git repositories."""

from __future__ import annotations

import base64
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pyrage
import pytest
from conftest import TODAY
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from git_helpers import Repo, example_repo
from hypothesis import given, settings
from hypothesis import strategies as st

from redflag_coord import crypt
from redflag_coord.crypt import padding as pad

BIN = str(Path(sys.executable).with_name("redflag-coord"))
REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "tests" / "keys" / "demo-identity.txt"
DEMO_RECIPIENT = "age1drhyk3ftvar42gudee02u2z3l34ztfs4uf2sngzf5kwj2kquf4js7952xy"
DEMO_MAIL_SENDER = "age1mw6vfxh3tvkt7fh9zwes5ycxdhqppegxl4pewl4ukt3u27keeg8sy6fltu"  # tests/keys/demo-mail-sender.txt
PASSPHRASE = "correct horse battery staple"
LA = "collectives/los-angeles"


def cli(cwd: Path, *args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The console script with no terminal (a new session, stdin closed) and only the REDFLAG_ variables given."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("REDFLAG_")}
    full.update(REDFLAG_TODAY=TODAY, HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), **env)
    return subprocess.run(
        [BIN, *args],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def script(path: Path, body: str) -> str:
    """An executable that prints `body` (a passphrase or an identity), as a password manager would."""
    path.write_text(f"#!/bin/sh\ncat <<'EOF'\n{body}\nEOF\n", encoding="utf-8")
    path.chmod(0o700)
    return str(path)


def payload_length(sealed: str) -> int:
    """The length of what follows the age header: it grows with the plain text, the header does not."""
    data = base64.b64decode(sealed[len(crypt.PREFIX) :])
    header_end = data.index(b"\n", data.index(b"\n--- ") + 1) + 1
    return len(data) - header_end


# -- padding ----------------------------------------------------------------------------------------


def test_values_of_3_and_20_letters_seal_to_the_same_length() -> None:
    short, long_ = crypt.seal("Ana", [DEMO_RECIPIENT]), crypt.seal("Maximiliana Quetzalli", [DEMO_RECIPIENT])
    assert payload_length(short) == payload_length(long_)
    # age adds a random "grease" stanza to each header; without it the whole values are the same length
    strip = re.compile(rb"-> [^\n]*grease[^\n]*\n(?:[^\n]{64}\n)*[^\n]{0,63}\n")
    lengths = {len(strip.sub(b"", base64.b64decode(v[4:]))) for v in (short, long_)}
    assert len(lengths) == 1


def test_a_longer_value_moves_up_one_bucket_only() -> None:
    ids = crypt.read_identities(DEMO).keys
    for text, size in [("x" * 29, 32), ("x" * 30, 64), ("é" * 20, 64), ("n" * 2000, 2048)]:
        sealed = crypt.seal(text, [DEMO_RECIPIENT])
        assert payload_length(sealed) == 16 + size + 16  # nonce, padded text, tag
        assert crypt.open_sealed(sealed, ids) == text


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_any_text_round_trips(text: str) -> None:
    ids = crypt.read_identities(DEMO).keys
    sealed = crypt.seal(text, [DEMO_RECIPIENT])
    assert crypt.open_sealed(sealed, ids) == text
    assert pad.is_bucket(payload_length(sealed) - 32)


@given(st.binary(max_size=3000))
def test_padding_round_trips_any_bytes(data: bytes) -> None:
    padded = pad.pad(data)
    assert pad.is_bucket(len(padded)) and pad.unpad(padded) == data


def test_values_sealed_before_padding_still_open() -> None:
    legacy = crypt.PREFIX + base64.b64encode(
        pyrage.encrypt(b"rosa@example.org", [pyrage.x25519.Recipient.from_str(DEMO_RECIPIENT)])
    ).decode("ascii")
    assert crypt.open_sealed(legacy, crypt.read_identities(DEMO).keys) == "rosa@example.org"


def test_broken_padding_is_damage_not_text() -> None:
    broken = b"\x00\x01rosa" + b"\0" * 26  # marked, but no 0x80 before the zeros
    sealed = crypt.PREFIX + base64.b64encode(
        pyrage.encrypt(broken, [pyrage.x25519.Recipient.from_str(DEMO_RECIPIENT)])
    ).decode("ascii")
    with pytest.raises(crypt.CryptError) as e:
        crypt.open_sealed(sealed, crypt.read_identities(DEMO).keys)
    assert e.value.kind == "corrupt"


# -- protected identities ---------------------------------------------------------------------------


@pytest.fixture
def org(tmp_path: Path) -> tuple[Repo, Path]:
    """The example (readers approved in trust/, values bound and signed) in a git repository, and a home
    folder outside it."""
    home = tmp_path / "home"
    home.mkdir()
    return example_repo(tmp_path, drop_reports=None), home


def _ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _whoami(repo: Repo, home: Path, *identity: str, **env: str) -> str:
    """RECIPIENT=SIGNING-KEY of a new reader, as they would send it to a reader (one key per identity here)."""
    (line,) = _ok(cli(repo.root, "secrets", "whoami", *identity, home=home, **env)).stdout.splitlines()
    return line


def _move_readers(repo: Repo, home: Path, moves: list[tuple[Path, str, str]], which: list[str], signer: str) -> None:
    """In each (file, old, new) recipient `old` becomes `new`, as users do it under approvals (issue 28): first
    both are listed, a DEMO reader approves that (with the newcomer's signing key) and seals every value to
    both; then the list without `old`, approved by the same reader. The newcomer re-seals afterwards."""
    for phase in ("both", "new only"):
        for path, old, new in moves:
            both = f'{old}", "{new}'
            before, after = (old, both) if phase == "both" else (both, new)
            path.write_text(path.read_text(encoding="utf-8").replace(before, after), encoding="utf-8")
        _ok(cli(repo.root, "secrets", "approve", *which, "--yes", "-i", str(DEMO), "--signer", signer, home=home))
        if phase == "both":
            _ok(cli(repo.root, "secrets", "reencrypt", *which, "-i", str(DEMO), home=home))


def _switch_la_to(repo: Repo, home: Path, recipient: str, *identity: str, **env: str) -> None:
    """Los Angeles reads with `recipient` only (the identity given by `identity` and `env`): approved by a DEMO
    reader, and every value sealed again to it by its new reader, padded and signed with their key."""
    signer = _whoami(repo, home, *identity, **env)
    _move_readers(
        repo, home, [(repo.root / LA / "collective.toml", DEMO_RECIPIENT, recipient)], ["los-angeles"], signer
    )
    _ok(cli(repo.root, "secrets", "reencrypt", "los-angeles", *identity, home=home, **env))
    members = (repo.root / LA / "members.toml").read_text(encoding="utf-8")
    assert DEMO_RECIPIENT not in (repo.root / LA / "collective.toml").read_text(encoding="utf-8")
    for value in re.findall(r'"(age:[^"]+)"', members):
        assert pad.is_bucket(payload_length(value) - 32)  # reencrypt pads old values
    checked = _ok(cli(repo.root, "validate", *identity, home=home, **env))  # bound, signed, approved: no trust problem
    assert not re.search(r"\[(trust|sealed)-", checked.stdout), checked.stdout


def _shows_rosa(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, done.stderr
    assert "rosa@example.org" in done.stdout


def test_protected_age_identity_opens_values_with_a_passphrase_command(org, tmp_path: Path) -> None:
    repo, home = org
    pw = script(tmp_path / "pw.sh", PASSPHRASE)
    key = home / "rosa.age"
    made = cli(repo.root, "secrets", "keygen", "--passphrase", "-o", str(key), home=home, REDFLAG_PASSPHRASE_COMMAND=pw)
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert b"AGE-SECRET-KEY" not in key.read_bytes() and key.read_bytes().startswith(b"-----BEGIN AGE ENCRYPTED")
    _switch_la_to(repo, home, made.stdout.strip(), "-i", str(key), REDFLAG_PASSPHRASE_COMMAND=pw)

    _shows_rosa(
        cli(repo.root, "secrets", "show", "los-angeles", "-i", str(key), home=home, REDFLAG_PASSPHRASE_COMMAND=pw)
    )
    # The same through REDFLAG_IDENTITY (the file) and the passphrase command
    shown = cli(
        repo.root,
        "secrets",
        "show",
        "los-angeles",
        home=home,
        REDFLAG_IDENTITY=str(key),
        **{"REDFLAG_PASSPHRASE_COMMAND": pw},
    )
    _shows_rosa(shown)
    # A wrong passphrase: a usage error that says so, nothing opened
    bad = script(tmp_path / "bad.sh", "not the passphrase")
    done = cli(repo.root, "secrets", "show", "los-angeles", "-i", str(key), home=home, REDFLAG_PASSPHRASE_COMMAND=bad)
    assert done.returncode == 2 and "wrong passphrase" in done.stderr and "rosa@" not in done.stdout + done.stderr


def test_identity_command_gives_the_identity(org, tmp_path: Path) -> None:
    repo, home = org
    secret, recipient = crypt.generate()
    command = script(tmp_path / "agent.sh", secret)  # a password manager printing the key: no file at all
    _switch_la_to(repo, home, recipient, REDFLAG_IDENTITY_COMMAND=command)
    _shows_rosa(cli(repo.root, "secrets", "show", "los-angeles", home=home, REDFLAG_IDENTITY_COMMAND=command))
    # ... and a protected identity from the command, with the passphrase from another
    from redflag_coord.crypt.identity import protect

    protected = protect(secret + "\n", PASSPHRASE).decode("ascii")
    pw = script(tmp_path / "pw.sh", PASSPHRASE)
    command = script(tmp_path / "agent2.sh", protected)
    shown = cli(
        repo.root,
        "secrets",
        "show",
        "los-angeles",
        home=home,
        REDFLAG_IDENTITY_COMMAND=command,
        REDFLAG_PASSPHRASE_COMMAND=pw,
    )
    _shows_rosa(shown)
    failing = cli(repo.root, "secrets", "show", "los-angeles", home=home, REDFLAG_IDENTITY_COMMAND="false")
    assert failing.returncode == 2 and "REDFLAG_IDENTITY_COMMAND" in failing.stderr


def test_protected_ssh_key_opens_values(org, tmp_path: Path) -> None:
    repo, home = org
    key = Ed25519PrivateKey.generate()
    path = home / "id_ed25519"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.BestAvailableEncryption(PASSPHRASE.encode()),
        )
    )
    path.chmod(0o600)
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    pw = script(tmp_path / "pw.sh", PASSPHRASE)
    _switch_la_to(repo, home, public.decode() + " rosa@laptop", "-i", str(path), REDFLAG_PASSPHRASE_COMMAND=pw)
    _shows_rosa(
        cli(repo.root, "secrets", "show", "los-angeles", "-i", str(path), home=home, REDFLAG_PASSPHRASE_COMMAND=pw)
    )


def test_protected_identity_without_terminal_or_command_is_a_usage_error(org, tmp_path: Path) -> None:
    repo, home = org
    pw = script(tmp_path / "pw.sh", PASSPHRASE)
    key = home / "rosa.age"
    assert (
        cli(
            repo.root, "secrets", "keygen", "--passphrase", "-o", str(key), home=home, REDFLAG_PASSPHRASE_COMMAND=pw
        ).returncode
        == 0
    )
    done = cli(repo.root, "secrets", "show", "los-angeles", "-i", str(key), home=home)
    assert done.returncode == 2, done.stderr
    assert "no terminal" in done.stderr and "REDFLAG_PASSPHRASE_COMMAND" in done.stderr
    assert "REDFLAG_IDENTITY_COMMAND" in done.stderr and "Traceback" not in done.stderr
    # keygen --passphrase without a terminal or a command writes nothing
    other = home / "other.age"
    done = cli(repo.root, "secrets", "keygen", "--passphrase", "-o", str(other), home=home)
    assert done.returncode == 2 and "no terminal" in done.stderr and not other.exists()


def test_keygen_refuses_a_path_inside_the_organisation(org, tmp_path: Path) -> None:
    repo, home = org
    pw = script(tmp_path / "pw.sh", PASSPHRASE)
    target = repo.root / "keys" / "rosa.age"
    done = cli(
        repo.root, "secrets", "keygen", "--passphrase", "-o", str(target), home=home, REDFLAG_PASSPHRASE_COMMAND=pw
    )
    assert done.returncode != 0 and "inside the repository" in done.stderr and not target.exists()


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_identity_file_others_can_read_is_refused(org, mode: int) -> None:
    repo, home = org
    secret, recipient = crypt.generate()
    key = home / "rosa.txt"
    key.write_text(secret + "\n", encoding="utf-8")
    key.chmod(0o600)
    _switch_la_to(repo, home, recipient, "-i", str(key))
    key.chmod(mode)
    done = cli(repo.root, "validate", "-i", str(key), home=home)
    assert done.returncode == 2, done.stderr
    assert f"chmod 600 {key}" in done.stderr and "Traceback" not in done.stderr
    key.chmod(0o600)
    _shows_rosa(cli(repo.root, "secrets", "show", "los-angeles", "-i", str(key), home=home))


# -- validate: secret keys, DEMO and ssh recipients ---------------------------------------------------


def _real(repo: Repo, home: Path) -> Path:
    """Make the example a "real" organisation: its own keys (approved by the DEMO reader, every value sealed
    and signed again by the new one), an organisation.toml without example = true. Returns the identity."""
    secret, recipient = crypt.generate()
    key = home / "own.txt"
    key.write_text(secret + "\n", encoding="utf-8")
    key.chmod(0o600)
    moves = [(path, DEMO_RECIPIENT, recipient) for path in (repo.root / "collectives").glob("*/collective.toml")]
    moves.append((repo.root / "organisation.toml", DEMO_MAIL_SENDER, recipient))
    _move_readers(repo, home, moves, ["--all"], _whoami(repo, home, "-i", str(key)))
    _ok(cli(repo.root, "secrets", "reencrypt", "--all", "-i", str(key), home=home))
    org_file = repo.root / "organisation.toml"
    org_file.write_text(org_file.read_text(encoding="utf-8").replace("example = true\n", ""), encoding="utf-8")
    assert DEMO_RECIPIENT not in org_file.read_text(encoding="utf-8") + (repo.root / LA / "collective.toml").read_text(
        encoding="utf-8"
    )
    repo.commit("our own keys")
    return key


def _codes(done: subprocess.CompletedProcess[str]) -> list[str]:
    return re.findall(r"^\S+: (?:error|warning)\[([a-z-]+)\]", done.stdout, re.M)


def test_real_organisation_with_its_own_keys_is_clean(org) -> None:
    repo, home = org
    _real(repo, home)
    done = cli(repo.root, "validate", home=home)
    assert done.returncode == 0 and not {"secret-key", "demo-recipient", "ssh-recipient"} & set(_codes(done)), (
        done.stdout
    )


def test_secret_key_committed_then_deleted_still_fails_naming_the_commit(org) -> None:
    repo, home = org
    _real(repo, home)
    assert cli(repo.root, "validate", home=home).returncode == 0  # remembers that history up to here is clean
    secret, recipient = crypt.generate()
    repo.write("notes/backup.txt", f"my key, just in case:\n{secret}\n")
    repo.commit("backup")
    leaked = repo.git("rev-parse", "HEAD").strip()
    done = cli(repo.root, "validate", home=home)
    assert done.returncode == 1 and re.search(r"^notes/backup\.txt: error\[secret-key\]: ", done.stdout, re.M)
    assert secret not in done.stdout + done.stderr  # the key itself is never printed
    (repo.root / "notes" / "backup.txt").unlink()
    repo.commit("oops, remove the key")
    done = cli(repo.root, "validate", home=home)
    assert done.returncode == 1, done.stdout
    line = next(ln for ln in done.stdout.splitlines() if "[secret-key]" in ln)
    assert line.startswith("notes/backup.txt:") and leaked[:12] in line and recipient in line
    assert secret not in done.stdout + done.stderr
    # a rewritten history (the purge) is scanned again from the start: the key is gone for good
    repo.git("reset", "-q", "--hard", "HEAD~2")
    assert cli(repo.root, "validate", home=home).returncode == 0
    # and the remembered point never hides a key committed before it on another branch merged later
    repo.git("checkout", "-q", "-b", "side", "HEAD~1")
    repo.write("k.txt", secret + "\n")
    repo.commit("side key")
    repo.git("rm", "-q", "k.txt")
    repo.commit("side removal")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-edit", "--no-gpg-sign", "side")
    done = cli(repo.root, "validate", home=home)
    assert done.returncode == 1 and re.search(r"^k\.txt: error\[secret-key\]", done.stdout, re.M), done.stdout


def test_ssh_private_key_in_the_work_tree_fails(org) -> None:
    repo, home = org
    _real(repo, home)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )
    (repo.root / "id_ed25519").write_bytes(pem)  # not even committed: the next commit would take it
    done = cli(repo.root, "validate", home=home)
    assert done.returncode == 1 and re.search(
        r"^id_ed25519: error\[secret-key\]: an OpenSSH private key", done.stdout, re.M
    )


def test_demo_identity_copied_into_a_real_organisation_fails(org) -> None:
    repo, home = org
    _real(repo, home)
    repo.write("keys/demo-identity.txt", DEMO.read_text(encoding="utf-8"))
    repo.commit("the demo key, to try things")
    done = cli(repo.root, "validate", home=home)
    assert done.returncode == 1 and re.search(r"^keys/demo-identity\.txt: error\[secret-key\]", done.stdout, re.M)


def test_demo_recipient_in_a_real_organisation_is_an_error(org) -> None:
    repo, home = org
    _real(repo, home)
    path = repo.root / LA / "collective.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        re.sub(r'recipients = \["', f'recipients = ["{DEMO_RECIPIENT}", "', text, count=1), encoding="utf-8"
    )
    done = cli(repo.root, "validate", home=home)
    assert done.returncode == 1
    assert re.search(rf"^{LA}/collective\.toml:\d+:\d+: error\[demo-recipient\]: recipients\[0\]: ", done.stdout, re.M)
    # the same key as a mail sender (all emails and phones of every collective)
    (repo.root / "organisation.toml").write_text(f'[encryption]\nmail_senders = ["{DEMO_RECIPIENT}"]\n')
    done = cli(repo.root, "validate", home=home)
    assert re.search(
        r"^organisation\.toml:\d+:\d+: error\[demo-recipient\]: encryption\.mail_senders\[0\]", done.stdout, re.M
    )
    # and the example, which says it is one, may use it
    (repo.root / "organisation.toml").write_text(f'example = true\n[encryption]\nmail_senders = ["{DEMO_RECIPIENT}"]\n')
    assert "demo-recipient" not in cli(repo.root, "validate", home=home).stdout


def test_ssh_recipient_is_a_warning_with_the_reason(org) -> None:
    repo, home = org
    key = _real(repo, home)
    public = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )
    path = repo.root / LA / "collective.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'recipients = \["', f'recipients = ["{public} rosa", "', text, count=1), encoding="utf-8")
    # a reader approves the new one and seals every value to both (issue 28), as a collective adds a reader
    _ok(cli(repo.root, "secrets", "approve", "los-angeles", "--yes", "-i", str(key), home=home))
    _ok(cli(repo.root, "secrets", "reencrypt", "los-angeles", "-i", str(key), home=home))
    done = cli(repo.root, "validate", home=home)
    assert re.search(
        rf"^{LA}/collective\.toml:\d+:\d+: warning\[ssh-recipient\]: recipients\[0\]: .*32-bit", done.stdout, re.M
    )
    assert done.returncode == 0 and cli(repo.root, "validate", "--strict", home=home).returncode == 1


def test_this_repository_is_the_example_and_passes() -> None:
    done = subprocess.run([BIN, "validate", str(REPO)], capture_output=True, text=True, timeout=120)
    assert not {"secret-key", "demo-recipient"} & set(_codes(done)), done.stdout


def test_pre_commit_check_stops_a_key_about_to_be_committed(org) -> None:
    repo, home = org
    _real(repo, home)
    secret, _ = crypt.generate()
    repo.write("collectives/los-angeles/key.txt", secret + "\n")  # not yet added: `git add -A` would take it
    done = cli(repo.root, "validate", "--changed", home=home)
    assert done.returncode == 1
    assert re.search(r"^collectives/los-angeles/key\.txt: error\[secret-key\]", done.stdout, re.M), done.stdout
    # ... and alongside a changed data file (the hook's usual case: only the changed files are read)
    path = repo.root / LA / "collective.toml"
    path.write_text(path.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    done = cli(repo.root, "validate", "--changed", home=home)
    assert done.returncode == 1 and "1 changed file(s)" in done.stderr, done.stderr
    assert re.search(r"^collectives/los-angeles/key\.txt: error\[secret-key\]", done.stdout, re.M), done.stdout


def test_new_passphrase_is_asked_twice_and_must_match(monkeypatch) -> None:
    from redflag_coord.crypt.identity import new_passphrase

    monkeypatch.delenv("REDFLAG_PASSPHRASE_COMMAND", raising=False)
    answers = iter([PASSPHRASE, PASSPHRASE])
    assert new_passphrase(lambda prompt: next(answers)) == PASSPHRASE
    answers = iter([PASSPHRASE, PASSPHRASE + " "])
    with pytest.raises(crypt.CryptError, match="differ"):
        new_passphrase(lambda prompt: next(answers))
    with pytest.raises(crypt.CryptError, match="at least 8"):
        new_passphrase(lambda prompt: "short")


def test_a_protected_key_is_asked_for_once_per_command(org, tmp_path: Path) -> None:
    """A command that loads the organisation with a key and then seals or signs with it (report new, secrets
    encrypt, rename) reads the key once: a member typing a passphrase is asked once, not once per step."""
    repo, home = org
    asked = tmp_path / "asked"
    pw = tmp_path / "pw.sh"
    pw.write_text(f"#!/bin/sh\necho asked >> {asked}\necho '{PASSPHRASE}'\n", encoding="utf-8")
    pw.chmod(0o700)
    key = home / "rosa.age"
    _ok(
        cli(
            repo.root,
            "secrets",
            "keygen",
            "--passphrase",
            "-o",
            str(key),
            home=home,
            REDFLAG_PASSPHRASE_COMMAND=str(pw),
        )
    )
    (repo.root / LA / "reports" / "ic-2026-12.toml").unlink()  # report new writes it afresh
    for command in (
        ["report", "new", "los-angeles", "ic-2026-12"],
        ["secrets", "show", "los-angeles"],
        ["agenda", "ic-2026-12", "--include-private"],
        ["validate"],
    ):
        asked.unlink(missing_ok=True)
        done = cli(repo.root, *command, "-i", str(key), home=home, REDFLAG_PASSPHRASE_COMMAND=str(pw))
        assert done.returncode in (0, 1), done.stderr  # 1: a report the key cannot open values of; never a crash
        assert asked.read_text(encoding="utf-8").count("asked") == 1, command
    assert (repo.root / LA / "reports" / "ic-2026-12.toml").exists()
