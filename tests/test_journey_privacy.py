"""Journey: an organisation starts encrypting its private values, a keyless clone reveals no one,
key holders still invite their members, and a member leaves (issue 17). Through the console script,
in temporary git repositories."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from conftest import TODAY, unseal_private
from git_helpers import Repo, example_repo

BIN = str(Path(sys.executable).with_name("redflag-coord"))
RECIPIENTS_LINE = re.compile(r"(?m)^recipients = .*\n")


def cli(cwd: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDFLAG_")}
    env.update(REDFLAG_TODAY=TODAY, HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    return subprocess.run([BIN, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def private_values(root: Path) -> set[str]:
    """Every private value in plain text (after unsealing), to look for later."""
    found: set[str] = set()
    for path in (root / "collectives").glob("*/members.toml"):
        for m in tomllib.loads(path.read_text(encoding="utf-8")).get("member", []):
            found.update(v for k, v in m.items() if k in ("email", "phone"))
    for path in (root / "collectives").glob("*/relationships.toml"):
        for r in tomllib.loads(path.read_text(encoding="utf-8")).get("relationship", []):
            found.update(v for k, v in r.items() if k == "pseudonym")
    return {v for v in found if len(v) >= 4}


def test_journey_private_values_encrypted_at_rest(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    repo = example_repo(tmp_path, drop_reports=None)
    root = repo.root
    # Before: the values in plain text and no recipients (as every organisation starts).
    unseal_private(root)
    shutil.rmtree(root / "trust")  # before approvals (issue 28): a history without them
    shutil.rmtree(root / ".git")
    repo.git("init", "-q", "-b", "main")
    for path in (root / "collectives").glob("*/collective.toml"):
        path.write_text(RECIPIENTS_LINE.sub("", path.read_text(encoding="utf-8")), encoding="utf-8")
    secrets = private_values(root)
    assert {"rosa@example.org", "Hondureño", "La Overlock"} <= secrets

    # 1. Each holder makes an identity outside the repository and hands over its recipient.
    keys = {}
    for who in ("rosa", "carmen", "collectives", "secretariat"):
        done = cli(root, "secrets", "keygen", "--output", str(home / f"{who}.txt"), home=home)
        assert done.returncode == 0, done.stderr
        keys[who] = done.stdout.strip()
    assert cli(root, "secrets", "keygen", "--output", str(root / "mine.txt"), home=home).returncode == 1

    # 2. Recipients listed: Los Angeles lists rosa and carmen, the others a shared key; the secretariat sends mail.
    for path in (root / "collectives").glob("*/collective.toml"):
        listed = [keys["rosa"], keys["carmen"]] if path.parent.name == "los-angeles" else [keys["collectives"]]
        line = "recipients = [" + ", ".join(f'"{k}"' for k in listed) + "]\n"
        text = path.read_text(encoding="utf-8")
        cut = text.find("\n[")
        path.write_text(text + line if cut < 0 else text[: cut + 1] + line + text[cut + 1 :], encoding="utf-8")
    (root / "organisation.toml").write_text(f'[encryption]\nmail_senders = ["{keys["secretariat"]}"]\nrequire = true\n')

    # 3. Plain text is now an error: the pre-commit hook (validate --changed) refuses it.
    done = cli(root, "validate", home=home)
    assert done.returncode == 1 and "error[plaintext-private]" in done.stdout
    assert not any(s in done.stdout + done.stderr for s in secrets)
    done = cli(root, "validate", "--changed", home=home)
    assert done.returncode == 1 and "plaintext-private" in done.stdout, done.stdout

    # 4. Encrypt everything; validate passes without any key and says what it could not check.
    done = cli(root, "secrets", "encrypt", "--all", home=home)
    assert done.returncode == 0, done.stderr
    assert "collectives/los-angeles/members.toml" in done.stdout
    done = cli(root, "validate", home=home)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "note:" in done.stderr and "no identity given" in done.stderr
    repo.commit("encrypt private values", date="2026-11-20T12:00:00+00:00")

    # 5. A clone without keys: no email, phone or pseudonym in any file or any output.
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(root), str(clone)], check=True)
    for path in clone.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not [s for s in secrets if s in text], path
    history = Repo(clone).git("log", "-p", "--all")
    assert not [s for s in secrets if s in history]
    outputs = [
        ("validate",),
        ("agenda", "ic-2026-12"),
        ("agenda", "ic-2026-12", "--include-private"),
        ("invite", "ic-2026-12", "--attendees"),
        ("invite", "ic-2026-12", "--method", "request", "--send"),
        ("network", "los-angeles", "--include-private"),
        ("report", "remind", "ic-2026-12", "--include-private", "--output-dir", str(tmp_path / "reminders")),
        ("secrets", "show", "los-angeles"),
    ]
    for argv in outputs:
        done = cli(clone, *argv, home=home)
        produced = done.stdout + done.stderr
        assert "Traceback" not in produced and done.returncode in (0, 1), (argv, produced)
        assert not [s for s in secrets if s in produced], argv
    done = cli(clone, "invite", "ic-2026-12", "--attendees", home=home)
    assert "ATTENDEE" not in done.stdout and len([x for x in done.stderr.splitlines() if "note:" in x]) == 1

    # 6. With the collective's key, invitations still reach opted-in members; the secretariat reaches everyone.
    done = cli(clone, "invite", "la-study-group", "--attendees", "--identity", str(home / "rosa.txt"), home=home)
    assert done.returncode == 0 and "mailto:rosa@example.org" in done.stdout.replace("\r\n ", "")
    done = cli(
        clone, "invite", "ic-2026-12", "--method", "request", "--send", "-i", str(home / "secretariat.txt"), home=home
    )
    assert done.returncode == 0 and "would send" in done.stderr and "rosa@example.org" in done.stderr
    done = cli(clone, "network", "los-angeles", "--include-private", "-i", str(home / "secretariat.txt"), home=home)
    assert "Hondureño" not in done.stdout  # mail senders read contacts, not relationships
    done = cli(clone, "network", "los-angeles", "--include-private", "-i", str(home / "rosa.txt"), home=home)
    assert "Hondureño" in done.stdout

    # 7. Carmen leaves: her key comes off the list, her contact details go, the collective re-encrypts.
    la = root / "collectives/los-angeles/collective.toml"
    la.write_text(la.read_text(encoding="utf-8").replace(f', "{keys["carmen"]}"', ""), encoding="utf-8")
    done = cli(root, "secrets", "forget", "los-angeles", "--member", "carmen", home=home)
    assert done.returncode == 0 and "git history" in done.stderr
    done = cli(root, "secrets", "reencrypt", "los-angeles", "-i", str(home / "rosa.txt"), home=home)
    assert done.returncode == 0, done.stderr
    assert "old ciphertext stays in git history" in done.stderr
    done = cli(root, "validate", "-i", str(home / "rosa.txt"), home=home)
    assert done.returncode == 0, done.stdout + done.stderr
    done = cli(root, "validate", "-i", str(home / "carmen.txt"), home=home)
    assert done.returncode == 1 and "error[wrong-identity]" in done.stdout  # her key opens nothing now
    done = cli(root, "secrets", "show", "los-angeles", "-i", str(home / "carmen.txt"), home=home)
    assert "rosa@example.org" not in done.stdout
    repo.commit("carmen left", date="2026-11-25T12:00:00+00:00")
    done = cli(root, "invite", "la-study-group", "--attendees", "-i", str(home / "rosa.txt"), home=home)
    assert "mailto:rosa@example.org" in done.stdout.replace("\r\n ", "") and "carmen@" not in done.stdout
