"""Journey: an intruder without keys who can get commits merged tries to decide who reads (issue 28).

A temporary git repository holds the example organisation re-keyed: Los Angeles read by rosa and
carmen, Mexico by mx, the other collectives by a shared key, the secretariat as mail sender; each
reader migrated their collective. The intruder has a key of their own and no reader's key. Every
step goes through the console script.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import TODAY, unseal_private
from git_helpers import Repo, example_repo

from redflag_coord import crypt
from redflag_coord.crypt import trust as sig

BIN = str(Path(sys.executable).with_name("redflag-coord"))
LA = "collectives/los-angeles/collective.toml"
LA_MEMBERS = "collectives/los-angeles/members.toml"
SA_MEMBERS = "collectives/south-africa/members.toml"
RECIPIENTS_LINE = re.compile(r"(?m)^recipients = .*$")


def cli(cwd: Path, *args: str, home: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDFLAG_")}
    env.update(REDFLAG_TODAY=TODAY, HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    return subprocess.run([BIN, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, input=stdin)


class Org:
    """The repository, the people's identity files and recipients, and the CLI run in it."""

    def __init__(self, tmp_path: Path) -> None:
        self.home = tmp_path / "home"
        self.home.mkdir()
        self.repo = example_repo(tmp_path, drop_reports=None)
        self.root = self.repo.root
        self.keys: dict[str, str] = {}
        for who in ("rosa", "carmen", "mx", "others", "secretariat", "intruder"):
            done = self.run("secrets", "keygen", "--output", str(self.id(who)))
            assert done.returncode == 0, done.stderr
            self.keys[who] = done.stdout.strip()

    def id(self, who: str) -> Path:
        return self.home / f"{who}.txt"

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return cli(self.root, *args, home=self.home, stdin=stdin)

    def text(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def write(self, rel: str, text: str) -> None:
        (self.root / rel).write_text(text, encoding="utf-8")

    def validate(self, who: str | None = None) -> subprocess.CompletedProcess[str]:
        return self.run("validate", *(["-i", str(self.id(who))] if who else []))

    def restore(self) -> None:
        self.repo.git("checkout", "-q", "--", ".")
        self.repo.git("clean", "-qfd")

    def values(self, rel: str, field: str) -> dict[str, str]:
        return {m["handle"]: m[field] for m in tomllib.loads(self.text(rel))["member"] if field in m}


def _setup(tmp_path: Path) -> Org:
    org = Org(tmp_path)
    root = org.root
    unseal_private(root)
    shutil.rmtree(root / "trust")
    shutil.rmtree(root / ".git")  # an organisation that never had the example's (DEMO) approvals
    org.repo.git("init", "-q", "-b", "main")
    for path in (root / "collectives").glob("*/collective.toml"):
        who = {"los-angeles": ["rosa", "carmen"], "mexico": ["mx"]}.get(path.parent.name, ["others"])
        line = "recipients = [" + ", ".join(f'"{org.keys[w]}"' for w in who) + "]"
        path.write_text(RECIPIENTS_LINE.sub(line, path.read_text(encoding="utf-8")), encoding="utf-8")
    org.write("organisation.toml", f'[encryption]\nmail_senders = ["{org.keys["secretariat"]}"]\nrequire = true\n')
    sender = org.run("secrets", "whoami", "-i", str(org.id("secretariat")))
    assert sender.returncode == 0 and sender.stdout.startswith(org.keys["secretariat"] + "=ed25519:")
    carmen = org.run("secrets", "whoami", "-i", str(org.id("carmen"))).stdout.strip()
    for who, target in (("rosa", ["los-angeles"]), ("mx", ["mexico"]), ("others", ["--all"])):
        extra = ["--signer", carmen] if who == "rosa" else []
        args = ["secrets", "migrate", *target, "-i", str(org.id(who)), "--signer", sender.stdout.strip(), *extra]
        if target == ["--all"]:  # the shared key reads every collective but los-angeles and mexico
            for slug in sorted(p.parent.name for p in (root / "collectives").glob("*/collective.toml")):
                if slug not in ("los-angeles", "mexico"):
                    done = org.run(*args[:2], slug, *args[3:])
                    assert done.returncode == 0, done.stderr
            continue
        done = org.run(*args)
        assert done.returncode == 0, done.stderr
    again = org.run("secrets", "migrate", "los-angeles", "-i", str(org.id("rosa")))
    assert again.returncode == 0 and "0 approval(s), 0 value(s)" in again.stderr  # idempotent
    done = org.validate()
    assert done.returncode == 0, done.stdout + done.stderr
    done = org.validate("rosa")
    assert done.returncode == 0, done.stdout + done.stderr
    org.repo.commit("approved readers, bound values", date="2026-11-20T12:00:00+00:00")
    return org


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated organisation, copied for each test (migrating takes a few seconds)."""
    tmp = tmp_path_factory.mktemp("intruder")
    _setup(tmp)
    return tmp


@pytest.fixture
def org(base: Path, tmp_path: Path) -> Org:
    shutil.copytree(base, tmp_path / "o", symlinks=True)
    o = Org.__new__(Org)
    o.home = tmp_path / "o" / "home"
    o.repo = Repo(tmp_path / "o" / "data")
    o.root = o.repo.root
    o.keys = {p.stem: _recipient(p) for p in o.home.glob("*.txt")}
    return o


def _recipient(path: Path) -> str:
    return crypt.read_identities(path).recipients[0]


def test_intruder_adds_own_key_to_recipients(org: Org) -> None:
    org.write(LA, org.text(LA).replace('recipients = ["', f'recipients = ["{org.keys["intruder"]}", "'))
    for done in (org.validate(), org.run("validate", "--changed")):
        assert done.returncode == 1, done.stdout
        assert re.search(
            rf"^{LA}:\d+:\d+: error\[trust-unapproved\]: recipients: .*{org.keys['intruder']}", done.stdout, re.M
        )
    # The next honest writers refuse, naming the key: the intruder gets nothing, old or new.
    org.write(LA_MEMBERS, org.text(LA_MEMBERS) + '\n[[member]]\nhandle = "luz"\nemail = "luz@example.org"\n')
    before = org.text(LA_MEMBERS)
    for argv in (
        ("secrets", "encrypt", "los-angeles"),
        ("secrets", "reencrypt", "los-angeles", "-i", str(org.id("rosa"))),
    ):
        done = org.run(*argv)
        assert done.returncode == 1 and org.keys["intruder"] in done.stderr, done.stderr
    assert org.text(LA_MEMBERS) == before
    # The intruder cannot approve themselves: only a reader of the last approval can.
    done = org.run("secrets", "approve", "los-angeles", "--yes", "-i", str(org.id("intruder")))
    assert done.returncode == 2 and "only those who already read" in done.stderr
    assert org.run("secrets", "show", "los-angeles", "-i", str(org.id("intruder"))).stdout == ""


def test_intruder_adds_own_key_to_mail_senders(org: Org) -> None:
    text = org.text("organisation.toml").replace('mail_senders = ["', f'mail_senders = ["{org.keys["intruder"]}", "')
    org.write("organisation.toml", text)
    done = org.validate()
    assert done.returncode == 1
    assert re.search(
        r"^organisation\.toml:\d+:\d+: error\[trust-unapproved\]: encryption\.mail_senders: ", done.stdout, re.M
    )
    assert org.keys["intruder"] in done.stdout
    done = org.run("secrets", "encrypt", "--all")
    assert done.returncode == 1 and org.keys["intruder"] in done.stderr
    # The secretariat's invitations refuse to go out while the list is not approved.
    done = org.run("invite", "ic-2026-12", "--method", "request", "--send", "-i", str(org.id("secretariat")))
    assert done.returncode == 1 and "would send" not in done.stderr, done.stderr
    # A reader who approves sees the change first; answering no approves nothing.
    done = org.run("secrets", "approve", "los-angeles", "-i", str(org.id("rosa")), stdin="n\n")
    assert done.returncode == 1 and org.keys["intruder"] in done.stderr and "nothing was approved" in done.stderr
    assert org.validate().returncode == 1


def test_require_off_and_recipients_emptied_are_flagged(org: Org) -> None:
    org.write("organisation.toml", org.text("organisation.toml").replace("require = true", "require = false"))
    org.write(LA, RECIPIENTS_LINE.sub("recipients = []", org.text(LA)))
    done = org.validate()
    assert done.returncode == 1
    assert re.search(
        r"^organisation\.toml:\d+:\d+: error\[trust-unapproved\]: encryption\.require: ", done.stdout, re.M
    )
    assert re.search(rf"^{LA}:\d+:\d+: error\[trust-unapproved\]: recipients: recipients changed", done.stdout, re.M)


def test_forged_email_is_an_error_or_pending_never_mailed(org: Org) -> None:
    real = org.values(LA_MEMBERS, "email")["rosa"]
    public = [org.keys["rosa"], org.keys["carmen"], org.keys["secretariat"]]
    place = "los-angeles/members/rosa/email"
    forged = {
        "plain sealed": crypt.seal("intruder@evil.example", public),
        "pending": crypt.seal(sig.wrap(place, "intruder@evil.example", None), public),
        "fake signature": crypt.seal(_fake_signed(place, "intruder@evil.example"), public),
    }
    for how, value in forged.items():
        org.write(LA_MEMBERS, org.text(LA_MEMBERS).replace(real, value))
        done = org.validate("rosa")
        code = {"plain sealed": "sealed-unbound", "pending": "sealed-pending", "fake signature": "sealed-forged"}[how]
        level = "warning" if how == "pending" else "error"
        assert re.search(rf"^{LA_MEMBERS}:\d+:\d+: {level}\[{code}\]: member\[0\]\.email: ", done.stdout, re.M), how
        assert done.returncode == (0 if how == "pending" else 1), (how, done.stdout)
        invite = org.run("invite", "la-study-group", "--attendees", "-i", str(org.id("secretariat")))
        assert "intruder@evil.example" not in invite.stdout + invite.stderr, how
        org.write(LA_MEMBERS, org.text(LA_MEMBERS).replace(value, real))


def _fake_signed(place: str, value: str) -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    fake = sig.Signer("age1fake", Ed25519PrivateKey.generate())  # a key no approval lists
    return sig.wrap(place, value, fake)


def test_secretary_adds_an_email_pending_until_a_reader_accepts(org: Org) -> None:
    org.write(
        LA_MEMBERS, org.text(LA_MEMBERS) + '\n[[member]]\nhandle = "luz"\nemail = "luz@example.org"\ninvite = true\n'
    )
    done = org.run("secrets", "encrypt", "los-angeles")  # no key: anyone can add a value
    assert done.returncode == 0, done.stderr
    assert org.validate().returncode == 0
    done = org.validate("rosa")
    assert re.search(rf"^{LA_MEMBERS}:\d+:\d+: warning\[sealed-pending\]: member\[5\]\.email", done.stdout, re.M)
    invite = org.run("invite", "la-study-group", "--attendees", "-i", str(org.id("rosa")))
    assert "luz@example.org" not in invite.stdout.replace("\r\n ", "")
    done = org.run("secrets", "accept", "los-angeles", "-i", str(org.id("rosa")), "--yes")
    assert done.returncode == 0 and "luz@example.org" in done.stdout, done.stderr
    assert "sealed-pending" not in org.validate("rosa").stdout
    invite = org.run("invite", "la-study-group", "--attendees", "-i", str(org.id("rosa")))
    assert "mailto:luz@example.org" in invite.stdout.replace("\r\n ", "")


def test_copied_and_swapped_values_are_errors(org: Org) -> None:
    la = org.values(LA_MEMBERS, "email")
    # Swapped between members of one collective: an error for a reader; reencrypt refuses and writes nothing.
    org.write(
        LA_MEMBERS,
        org.text(LA_MEMBERS)
        .replace(la["rosa"], "SWAP")
        .replace(la["carmen"], la["rosa"])
        .replace("SWAP", la["carmen"]),
    )
    done = org.validate("rosa")
    assert done.returncode == 1 and re.search(
        rf"^{LA_MEMBERS}:\d+:\d+: error\[sealed-moved\]: member\[0\]\.email", done.stdout, re.M
    )
    before = org.text(LA_MEMBERS)
    done = org.run("secrets", "reencrypt", "los-angeles", "-i", str(org.id("rosa")))
    assert done.returncode == 1 and "moved or copied" in done.stderr and "nothing was written" in done.stderr
    assert org.text(LA_MEMBERS) == before
    org.restore()
    # Copied into another collective: the mail sender, who reads both, sees it.
    sa = org.values(SA_MEMBERS, "email")
    target = next(iter(sa.values()))
    org.write(SA_MEMBERS, org.text(SA_MEMBERS).replace(target, la["rosa"]))
    done = org.validate("secretariat")
    assert done.returncode == 1 and re.search(rf"^{SA_MEMBERS}:\d+:\d+: error\[sealed-moved\]: ", done.stdout, re.M)


def test_member_leaves_stanzas_flagged_until_reencrypt(org: Org) -> None:
    org.write(LA, org.text(LA).replace(f', "{org.keys["carmen"]}"', "").replace(f'"{org.keys["carmen"]}", ', ""))
    assert org.validate().returncode == 1  # not approved yet
    done = org.run("secrets", "approve", "los-angeles", "--yes", "-i", str(org.id("rosa")))
    assert done.returncode == 0 and "removed" in done.stderr, done.stderr
    done = org.validate()
    assert done.returncode == 1
    assert re.search(
        rf"^{LA_MEMBERS}:\d+:\d+: error\[sealed-recipients\]: member\[0\]\.email: sealed to 3 .* 2 are approved",
        done.stdout,
        re.M,
    ), done.stdout
    # A value sealed on a branch made before she left has a stanza too many: the same error, without a key.
    done = org.run("secrets", "reencrypt", "los-angeles", "-i", str(org.id("rosa")))
    assert done.returncode == 0, done.stderr
    done = org.validate()
    assert done.returncode == 0, done.stdout
    assert "rosa@example.org" not in org.run("secrets", "show", "los-angeles", "-i", str(org.id("carmen"))).stdout
    # Her old signing key no longer approves anything.
    org.write(LA, org.text(LA).replace('recipients = ["', f'recipients = ["{org.keys["carmen"]}", "'))
    done = org.run("secrets", "approve", "los-angeles", "--yes", "-i", str(org.id("carmen")))
    assert done.returncode == 2 and "only those who already read" in done.stderr


def test_rewritten_approvals_are_flagged_from_history(org: Org) -> None:
    """The intruder replaces the chain with one of their own: a first approval that lists them."""
    org.write(LA, RECIPIENTS_LINE.sub(f'recipients = ["{org.keys["intruder"]}"]', org.text(LA)))
    (org.root / "trust/los-angeles.toml").unlink()
    done = org.run("secrets", "approve", "los-angeles", "--yes", "-i", str(org.id("intruder")))
    assert done.returncode == 0, done.stderr  # a first approval is trusted on first use...
    org.repo.commit("intruder", date="2026-11-21T12:00:00+00:00")
    done = org.validate()
    assert done.returncode == 1  # ...but git remembers the chain it replaced
    assert re.search(
        r"^trust/los-angeles\.toml:.*error\[trust-chain\]: the approvals were rewritten", done.stdout, re.M
    )
