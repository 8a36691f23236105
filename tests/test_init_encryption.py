"""`init` turns encryption on (issue 28): a new steering committee's first key, outside the repository.

Through the console script, in temporary folders, with HOME and XDG_CONFIG_HOME of the test's own:
a fresh organisation validates clean, a member's email added by hand is an error until `secrets
encrypt` seals and signs it, and neither the files, the history nor a keyless clone shows it. Without
encryption (`--no-encryption`), every plain private value is a warning. The identity is never inside
the repository.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from git_helpers import Repo

BIN = Path(sys.executable).with_name("redflag-coord")
EMAIL = "ana.organiser@riseup.example"
PHONE = "+503 7012 3456"


def cli(home: Path, cwd: Path, *args: str, code: int = 0, identity: Path | None = None, **extra: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDFLAG_")}
    env |= {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "REDFLAG_TODAY": "2026-11-27", **extra}
    if identity is not None:
        env["REDFLAG_IDENTITY"] = str(identity)
    done = subprocess.run([str(BIN), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == code, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    done.out = done.stdout + done.stderr  # type: ignore[attr-defined]  # what a terminal shows: problems, then the count
    done.summary = done.out.strip().splitlines()[-1] if done.out.strip() else ""  # type: ignore[attr-defined]
    return done


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


def init(home: Path, tmp_path: Path, *options: str, code: int = 0):
    return cli(home, tmp_path, "init", str(tmp_path / "org"), "--allow-local-spec", *options, code=code)


def add_member_contacts(root: Path, slug: str = "first-collective") -> None:
    """What a secretary does by hand: the first member's email and phone typed into members.toml."""
    path = root / "collectives" / slug / "members.toml"
    path.write_text(path.read_text() + f'email = "{EMAIL}"\nphone = "{PHONE}"\n')


def every_file_text(root: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in root.rglob("*") if p.is_file())


def test_a_new_organisation_is_encrypted_from_the_start(home, tmp_path):
    made = init(home, tmp_path)
    root = tmp_path / "org"
    identity = home / ".config/redflag-coord/identity-org.txt"
    # the first key: outside the repository, only its owner reads it, and init says where and what to back up
    assert identity.is_file() and stat.S_IMODE(identity.stat().st_mode) == 0o600
    assert f"wrote the first key (identity) {identity}" in made.stdout
    assert "Back it up" in made.stderr and f"REDFLAG_IDENTITY={identity}" in made.stdout
    recipient = re.search(r"# recipient: (age1\w+)", identity.read_text()).group(1)
    settings = tomllib.loads((root / "organisation.toml").read_text())
    assert settings["encryption"]["require"] is True
    for slug in ("committee", "first-collective"):
        info = tomllib.loads((root / f"collectives/{slug}/collective.toml").read_text())
        assert info["recipients"] == [recipient]
        [approval] = tomllib.loads((root / f"trust/{slug}.toml").read_text())["approval"]
        assert approval["recipients"] == [recipient] and approval["require"] is True
    assert "AGE-SECRET-KEY" not in every_file_text(root)
    clean = cli(home, root, "validate")
    assert clean.summary == "0 error(s), 0 warning(s) in 5 files", clean.out

    repo = Repo(root)
    repo.git("init", "-q", "-b", "main")
    repo.commit("new organisation")
    # a careless secretary types the first member's email and phone in plain text: an error, where and what to do
    add_member_contacts(root)
    refused = cli(home, root, "validate", code=1)
    errors = [line for line in refused.out.splitlines() if "error[plaintext-private]" in line]
    assert [e.split(": ")[0] for e in errors] == [
        "collectives/first-collective/members.toml:4:1",
        "collectives/first-collective/members.toml:5:1",
    ]
    assert all("secrets encrypt first-collective" in e for e in errors)

    sealed = cli(home, root, "secrets", "encrypt", "first-collective", "--identity", str(identity))
    assert "2 value(s) encrypted" in sealed.stderr
    # sealed and signed by the approved first key: with the key, nothing pending or unbound; the email opens
    opened = cli(home, root, "validate", identity=identity)
    assert opened.summary.startswith("0 error(s), 0 warning(s)"), opened.out
    shown = cli(home, root, "secrets", "show", "first-collective", identity=identity)
    assert repr(EMAIL) in shown.stdout and repr(PHONE) in shown.stdout
    _assert_signed_by_the_first_key(root, identity)
    assert cli(home, root, "validate").summary.startswith("0 error(s), 0 warning(s)")
    repo.commit("first member")

    # nothing readable without the key: files, history, a clone
    assert EMAIL not in every_file_text(root) and PHONE not in every_file_text(root)
    history = repo.git("log", "-p", "--all")
    assert EMAIL not in history and PHONE not in history and "AGE-SECRET-KEY" not in history
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(root), str(clone)], check=True)
    keyless = cli(home, clone, "validate")
    assert keyless.summary.startswith("0 error(s), 0 warning(s)")
    assert EMAIL not in keyless.out
    assert EMAIL not in every_file_text(clone) and PHONE not in every_file_text(clone)
    shown = cli(home, clone, "secrets", "show", "first-collective")  # no key: said, nothing shown
    assert "not shown" in shown.out and EMAIL not in shown.out and PHONE not in shown.out


def _assert_signed_by_the_first_key(root: Path, identity: Path) -> None:
    from redflag_coord import crypt
    from redflag_coord.crypt import trust as sig

    value = tomllib.loads((root / "collectives/first-collective/members.toml").read_text())["member"][0]["email"]
    envelope = sig.unwrap(crypt.open_sealed(value, crypt.read_identities(identity).keys))
    [approval] = tomllib.loads((root / "trust/first-collective.toml").read_text())["approval"]
    assert envelope is not None and envelope.authentic() and envelope.signer == approval["by"]
    assert envelope.place == "first-collective/members/first-member/email" and envelope.value == EMAIL


def test_without_encryption_each_private_value_is_a_warning(home, tmp_path):
    made = init(home, tmp_path, "--no-encryption")
    root = tmp_path / "org"
    assert "encryption is off" in made.stderr
    assert tomllib.loads((root / "organisation.toml").read_text())["encryption"]["require"] is False
    assert not (home / ".config").exists() and not (root / "trust").exists()  # no key made, none approved
    assert cli(home, root, "validate").summary == "0 error(s), 0 warning(s) in 5 files"
    add_member_contacts(root)
    add_member_contacts(root, "committee")  # the secretary's own
    warned = cli(home, root, "validate")  # warnings: exit 0, but each value is named with the fix
    lines = [line for line in warned.out.splitlines() if "warning[plaintext-private]" in line]
    assert [line.split(": ")[0:3:2] for line in lines] == [
        ["collectives/committee/members.toml:9:1", "member[0].email"],
        ["collectives/committee/members.toml:10:1", "member[0].phone"],
        ["collectives/first-collective/members.toml:4:1", "member[0].email"],
        ["collectives/first-collective/members.toml:5:1", "member[0].phone"],
    ], warned.out
    for line in lines:
        assert "every clone reads" in line and "secrets keygen" in line and "recipients" in line
        assert "secrets encrypt" in line and "require = true" in line
    assert EMAIL not in warned.out  # the warning names the key, never the value
    assert "0 error(s), 4 warning(s)" in warned.out
    cli(home, root, "validate", "--strict", code=1)


def test_the_example_organisation_gets_no_warning_for_its_sealed_values(run):
    """The example requires encryption and seals every value: the new warning leaves it clean."""
    done = run("validate", "--format", "json")
    assert done.exit_code == 0, done.stdout
    assert "plaintext-private" not in done.stdout


def test_the_identity_stays_out_of_the_repository(home, tmp_path):
    init(home, tmp_path)
    root = tmp_path / "org"
    identity = home / ".config/redflag-coord/identity-org.txt"
    repo = Repo(root)
    repo.git("init", "-q", "-b", "main")
    # a member copies the key into the repository by mistake, under the names keys usually have: git ignores them
    for name in ("identity.txt", "identity-org.txt", "keys/key.txt", "me.agekey", "id_ed25519"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(identity.read_text())
    repo.commit("everything")
    assert "AGE-SECRET-KEY" not in repo.git("log", "-p", "--all")
    assert repo.git("ls-files", "--others", "--ignored", "--exclude-standard").split() == sorted(
        ["id_ed25519", "identity-org.txt", "identity.txt", "keys/key.txt", "me.agekey"]
    )
    # under any other name it is committed, and validate (CI, without a key) fails on it, history included
    (root / "notes.txt").write_text(identity.read_text())
    repo.commit("oops")
    (root / "notes.txt").unlink()
    repo.commit("removed again")
    caught = cli(home, root, "validate", code=1)
    assert "error[secret-key]" in caught.out and "notes.txt" in caught.out
    workflow = (root / ".github/workflows/check.yml").read_text()
    assert "IDENTITY" not in workflow.replace("no REDFLAG_IDENTITY secret", "")  # CI gets no key


@pytest.mark.parametrize("where", ["org/keys/identity.txt", "org/identity.txt", "org"])
def test_init_refuses_an_identity_inside_the_repository(home, tmp_path, where):
    refused = init(home, tmp_path, "--identity-out", str(tmp_path / where), code=2)
    assert "inside the repository" in refused.stderr and "nothing was written" in refused.stderr
    assert not (tmp_path / "org").exists() or not any((tmp_path / "org").iterdir())


def test_init_refuses_an_identity_inside_another_repository(home, tmp_path):
    (tmp_path / "dotfiles").mkdir()
    Repo(tmp_path / "dotfiles").git("init", "-q")
    refused = init(home, tmp_path, "--identity-out", str(tmp_path / "dotfiles/redflag.txt"), code=2)
    assert "inside the repository" in refused.stderr
    assert not (tmp_path / "dotfiles/redflag.txt").exists() and not (tmp_path / "org").exists()


def test_init_never_overwrites_an_identity(home, tmp_path):
    first = home / ".config/redflag-coord/identity-org.txt"
    first.parent.mkdir(parents=True)
    first.write_text("# someone's key\n")
    first.chmod(0o600)
    refused = init(home, tmp_path, code=2)
    assert "not overwriting" in refused.stderr and f"--identity {first}" in refused.stderr
    assert first.read_text() == "# someone's key\n" and not (tmp_path / "org").exists()


def test_a_failed_init_leaves_no_key_behind(home, tmp_path):
    """The key is written first (so the repository never lists a key that was lost); when the repository
    then cannot be written (here its parent is a file), the key, which would read nothing, goes too."""
    (tmp_path / "taken").write_text("a file, not a folder")
    failed = cli(home, tmp_path, "init", str(tmp_path / "taken/org"), "--allow-local-spec", code=1)
    assert "cannot write" in failed.stderr or "Not a directory" in failed.stderr, failed.stderr
    assert not (home / ".config/redflag-coord/identity-org.txt").exists()


def test_a_protected_identity_made_by_init(home, tmp_path):
    ask = {"REDFLAG_PASSPHRASE_COMMAND": "echo correct horse battery staple"}
    made = cli(home, tmp_path, "init", str(tmp_path / "org"), "--allow-local-spec", "--passphrase", **ask)
    identity = home / ".config/redflag-coord/identity-org.txt"
    assert "protected with your passphrase" in made.stdout
    assert identity.read_text().startswith("-----BEGIN AGE ENCRYPTED FILE-----")  # no key in the clear
    root = tmp_path / "org"
    add_member_contacts(root)
    cli(home, root, "secrets", "encrypt", "first-collective", "--identity", str(identity), **ask)
    done = cli(home, root, "validate", identity=identity, **ask)
    assert done.summary.startswith("0 error(s), 0 warning(s)"), done.out


def test_an_existing_identity_is_the_first_key(home, tmp_path):
    key = home / "keys/mine.txt"
    recipient = cli(home, tmp_path, "secrets", "keygen", "--output", str(key)).stdout.strip()
    made = init(home, tmp_path, "--identity", str(key))
    root = tmp_path / "org"
    assert not (home / ".config/redflag-coord").exists()  # no second key made
    assert "Back it up" not in made.stderr and f"REDFLAG_IDENTITY={key}" in made.stdout
    assert tomllib.loads((root / "collectives/committee/collective.toml").read_text())["recipients"] == [recipient]
    assert cli(home, root, "validate").summary == "0 error(s), 0 warning(s) in 5 files"


def test_an_existing_recipient_is_approved_by_its_holder(home, tmp_path):
    """--recipient alone: the key is elsewhere, so the approval waits for its holder (said, and warned on)."""
    key = home / "keys/treasurer.txt"
    recipient = cli(home, tmp_path, "secrets", "keygen", "--output", str(key)).stdout.strip()
    made = init(home, tmp_path, "--recipient", recipient)
    root = tmp_path / "org"
    assert "secrets approve --all" in made.stderr and not (root / "trust").exists()
    assert not (home / ".config/redflag-coord").exists()
    waiting = cli(home, root, "validate")
    assert waiting.out.count("warning[trust-unapproved]") == 2
    cli(home, root, "secrets", "approve", "--all", "--yes", "--identity", str(key))
    assert cli(home, root, "validate").summary == "0 error(s), 0 warning(s) in 5 files"


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--recipient", "age1drhyk3ftvar42gudee02u2z3l34ztfs4uf2sngzf5kwj2kquf4js7952xy"], "DEMO"),
        (["--no-encryption", "--passphrase"], "--no-encryption takes no key"),
        (["--identity", "/nowhere/key.txt"], "cannot read"),
    ],
)
def test_init_refuses_keys_that_cannot_protect_anything(home, tmp_path, options, said):
    refused = init(home, tmp_path, *options, code=2)
    assert said in refused.stderr
    assert not (tmp_path / "org").exists() and not (home / ".config").exists()


def test_a_refused_install_spec_makes_no_key(home, tmp_path):
    """Issue 26's refusal (a workflow that installs from this machine) comes before the key is made."""
    refused = cli(home, tmp_path, "init", str(tmp_path / "org"), code=1)
    assert "runner cannot reach" in refused.stderr
    assert not (home / ".config").exists() and not (tmp_path / "org").exists()


def test_an_organisation_from_an_older_init_is_warned_too(home, tmp_path):
    """Before issue 28, init wrote an organisation.toml without [encryption]: its plain values are warned on."""
    init(home, tmp_path, "--no-encryption")
    root = tmp_path / "org"
    settings = root / "organisation.toml"
    settings.write_text(settings.read_text().split("\n[encryption]")[0])
    add_member_contacts(root)
    warned = cli(home, root, "validate")
    assert warned.out.count("warning[plaintext-private]") == 2 and warned.summary.startswith("0 error(s), 2 warning")
