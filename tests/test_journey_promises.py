"""Promises of docs/privacy.md that no other test attacked (tests/promises.toml names them): a careless
member or an intruder does what the promise says cannot happen, through the console script, in a
temporary git repository holding the example organisation (its values sealed to the DEMO keys)."""

from __future__ import annotations

import base64
import ipaddress
import os
import pty
import select
import socket
import socketserver
import sys
import threading
import time
from pathlib import Path

import pyrage
import pytest
import test_privacy_mail as mail  # its mail organisation and sender, not its tests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from git_helpers import Repo, example_repo
from smtp_sink import smtp_sink
from test_keys import cli  # the console script without a terminal, as test_keys runs it
from test_keys import script as printer

BIN = str(Path(sys.executable).with_name("redflag-coord"))
KEYS = Path(__file__).resolve().parent / "keys"
DEMO = KEYS / "demo-identity.txt"
DEMO_MAIL_SENDER = KEYS / "demo-mail-sender.txt"
PASSPHRASE = "correct horse battery staple"
LA_MEMBERS = "collectives/los-angeles/members.toml"
SA_MEMBERS = "collectives/south-africa/members.toml"


@pytest.fixture
def org(tmp_path: Path) -> tuple[Repo, Path]:
    home = tmp_path / "home"
    home.mkdir()
    return example_repo(tmp_path, drop_reports=None), home


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }


def test_keygen_never_writes_over_an_existing_file(org, tmp_path: Path) -> None:
    """A member runs keygen again onto the identity that opens their collective's values."""
    _, home = org
    existing = home / "identity.txt"
    existing.write_bytes(DEMO.read_bytes())
    existing.chmod(0o600)
    done = cli(tmp_path, "secrets", "keygen", "--output", str(existing), home=home)
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
    assert str(existing.name) in done.stderr
    assert existing.read_bytes() == DEMO.read_bytes()
    # The default path too: a second keygen keeps the first identity.
    assert cli(tmp_path, "secrets", "keygen", home=home).returncode == 0
    default = home / ".config" / "redflag-coord" / "identity.txt"
    first = default.read_bytes()
    assert cli(tmp_path, "secrets", "keygen", home=home).returncode != 0
    assert default.read_bytes() == first


def test_a_wrong_passphrase_opens_nothing(org, tmp_path: Path) -> None:
    """A seized laptop holds the DEMO identity protected with a passphrase; the thief guesses wrong."""
    repo, home = org
    protected = home / "rosa.age"
    protected.write_bytes(pyrage.passphrase.encrypt(DEMO.read_bytes(), PASSPHRASE))
    protected.chmod(0o600)
    shown = cli(
        repo.root,
        "secrets",
        "show",
        "los-angeles",
        "-i",
        str(protected),
        home=home,
        REDFLAG_PASSPHRASE_COMMAND=printer(tmp_path / "right.sh", PASSPHRASE),
    )
    assert shown.returncode == 0 and "@" in shown.stdout, shown.stderr  # the right passphrase opens them
    emails = [line for line in shown.stdout.splitlines() if "@" in line]
    for guess in ("correct horse battery", "", "Correct Horse Battery Staple"):
        done = cli(
            repo.root,
            "secrets",
            "show",
            "los-angeles",
            "-i",
            str(protected),
            home=home,
            REDFLAG_PASSPHRASE_COMMAND=printer(tmp_path / "guess.sh", guess),
        )
        assert done.returncode != 0 and "Traceback" not in done.stderr, (guess, done.stderr)
        assert done.stdout == ""
        assert not any(line.split()[-1] in done.stderr for line in emails), guess


def test_keygen_passphrase_is_never_echoed_to_the_terminal(tmp_path: Path) -> None:
    """Someone looks at the screen (or a terminal log) while a member chooses a passphrase."""
    home = tmp_path / "home"
    home.mkdir()
    target = home / "id.age"
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDFLAG_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    pid, fd = pty.fork()
    if pid == 0:  # the child: the console script with the pty as its controlling terminal
        os.execve(BIN, [BIN, "secrets", "keygen", "--passphrase", "--output", str(target)], env)
    screen = b""
    answered = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        screen += chunk
        if screen.count(b"passphrase") > answered and screen.rstrip().endswith(b":"):
            os.write(fd, PASSPHRASE.encode() + b"\n")
            answered += 1
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert answered == 2, screen
    assert os.waitstatus_to_exitcode(status) == 0, screen
    assert PASSPHRASE.encode() not in screen and b"horse" not in screen, screen
    data = target.read_bytes()  # armored, as 'age -d' reads it (older pyrage reads only the binary form)
    binary = _dearmor(data) if data.startswith(b"-----BEGIN") else data
    assert b"AGE-SECRET-KEY-1" in pyrage.passphrase.decrypt(binary, PASSPHRASE)


def _dearmor(data: bytes) -> bytes:
    lines = [line for line in data.decode().splitlines() if line and not line.startswith("-----")]
    return base64.b64decode("".join(lines))


def test_a_protected_ssh_key_is_never_written_out_in_the_clear(org, tmp_path: Path) -> None:
    """A member's passphrase-protected git key: after a command used it, no file anywhere holds it open."""
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
    protected = path.read_bytes()
    tmp = tmp_path / "tmpdir"
    tmp.mkdir()
    pw = printer(tmp_path / "pw.sh", PASSPHRASE)
    for args in (("secrets", "whoami", "-i", str(path)), ("secrets", "show", "los-angeles", "-i", str(path))):
        done = cli(repo.root, *args, home=home, REDFLAG_PASSPHRASE_COMMAND=pw, TMPDIR=str(tmp))
        assert "Traceback" not in done.stderr, done.stderr
    assert (
        cli(repo.root, "secrets", "whoami", "-i", str(path), home=home, REDFLAG_PASSPHRASE_COMMAND=pw).returncode == 0
    )
    seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    clear = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )
    assert path.read_bytes() == protected
    for root in (tmp_path, home, repo.root):
        for p in root.rglob("*"):
            if p.is_file() and ".git" not in p.parts:
                data = p.read_bytes()
                assert seed not in data and clear not in data and base64.b64encode(seed) not in data, p
    assert repo.git("status", "--porcelain") == ""


def test_secrets_edit_refuses_while_an_intruders_key_is_listed(org, tmp_path: Path) -> None:
    """An intruder got their key merged into recipients; a reader then edits the members in the clear."""
    repo, home = org
    intruder = cli(tmp_path, "secrets", "keygen", "--output", str(home / "intruder.txt"), home=home).stdout.strip()
    collective = repo.root / "collectives/los-angeles/collective.toml"
    text = collective.read_text(encoding="utf-8")
    collective.write_text(text.replace('recipients = ["', f'recipients = ["{intruder}", "', 1), encoding="utf-8")
    assert intruder in collective.read_text(encoding="utf-8")
    before = _tree(repo.root)
    editor = tmp_path / "editor.sh"  # adds an email to the first member, as a secretary would
    editor.write_text("#!/bin/sh\nsed -i '0,/@/s/@/+new@/' \"$1\"\n", encoding="utf-8")
    editor.chmod(0o700)
    done = cli(
        repo.root, "secrets", "edit", LA_MEMBERS, "-i", str(DEMO), home=home, EDITOR=str(editor), VISUAL=str(editor)
    )
    opened = cli(repo.root, "secrets", "show", "los-angeles", "-i", str(home / "intruder.txt"), home=home)
    assert "+new@" not in opened.stdout, "the intruder reads the value just edited"
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stdout + done.stderr
    assert intruder in done.stderr
    assert _tree(repo.root) == before


def test_migrate_checks_everything_before_it_writes(org, tmp_path: Path) -> None:
    """A careless member runs migrate --all while one collective holds a damaged value: nothing is written."""
    repo, home = org
    (repo.root / "trust" / "los-angeles.toml").unlink()  # Los Angeles needs its first approval again
    members = repo.root / SA_MEMBERS
    text = members.read_text(encoding="utf-8")
    start = text.index('"age:') + 5
    members.write_text(text[:start] + text[start + 40 :], encoding="utf-8")  # a value cut in its middle
    before = _tree(repo.root)
    signer = cli(tmp_path, "secrets", "whoami", "-i", str(DEMO_MAIL_SENDER), home=home).stdout.strip()
    done = cli(repo.root, "secrets", "migrate", "--all", "-i", str(DEMO), "--signer", signer, home=home)
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
    assert "south-africa" in done.stdout + done.stderr
    assert _tree(repo.root) == before
    assert not (repo.root / "trust" / "los-angeles.toml").exists()


def _outward_address() -> str | None:
    """An address of this machine that is not loopback (where a password must not travel in the clear)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.123", 9))  # no packet is sent: this only picks the outgoing interface
        except OSError:
            return None
        address = s.getsockname()[0]
    return None if ipaddress.ip_address(address).is_loopback else address


def _plain_smtp_server(host: str, heard: list[bytes]) -> tuple[socketserver.TCPServer, int]:
    """An SMTP server without STARTTLS that offers AUTH and accepts everything, recording what it hears."""

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            self.wfile.write(b"220 plain.example ESMTP\r\n")
            data = False
            for line in self.rfile:
                heard.append(line)
                if data:
                    data = line != b".\r\n"
                    if not data:
                        self.wfile.write(b"250 ok\r\n")
                    continue
                verb = line[:4].upper()
                if verb == b"EHLO":
                    self.wfile.write(b"250-plain.example\r\n250 AUTH PLAIN LOGIN\r\n")
                elif verb == b"AUTH":
                    self.wfile.write(b"235 ok\r\n")
                elif verb == b"DATA":
                    data = True
                    self.wfile.write(b"354 go on\r\n")
                elif verb == b"QUIT":
                    self.wfile.write(b"221 bye\r\n")
                    return
                else:
                    self.wfile.write(b"250 ok\r\n")

    server = socketserver.ThreadingTCPServer((host, 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def test_the_smtp_password_never_crosses_the_network_in_the_clear(org, tmp_path: Path) -> None:
    """A careless secretary points `--send` at a server on another machine with `--smtp-tls none`."""
    repo, home = org
    host = _outward_address()
    if host is None:  # a machine without a network interface (not a tool CI could install): nothing to attack
        pytest.skip("this machine has no address that is not loopback")
    heard: list[bytes] = []
    server, port = _plain_smtp_server(host, heard)
    password = "s3cret-smtp-password"
    try:
        done = cli(
            repo.root,
            "report",
            "remind",
            "ic-2026-12",
            "--send",
            "--confirm",
            "--from",
            "sec@example.org",
            "--smtp",
            f"{host}:{port}",
            "--smtp-tls",
            "none",
            home=home,
            REDFLAG_IDENTITY=str(DEMO_MAIL_SENDER),
            REDFLAG_SMTP_USER="secretary",
            REDFLAG_SMTP_PASSWORD=password,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert heard, "the command never reached the server: the test attacked nothing"
    wire = b"".join(heard)
    forms = [
        password.encode(),
        base64.b64encode(password.encode()),
        base64.b64encode(f"\0secretary\0{password}".encode()),
    ]
    assert not any(form in wire for form in forms), wire
    assert done.returncode == 1 and "in the clear" in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert not any(line.upper().startswith(b"DATA") for line in heard)  # nothing sent either


SENDS = [("invite", "la-study-group", "--method", "request"), ("report", "remind", "ic-2026-12")]


@pytest.mark.parametrize("command", SENDS)
def test_from_is_the_role_address_never_a_members(tmp_path: Path, command: tuple[str, ...]) -> None:
    """Every message of a send, read as its recipient would: From (and Sender, Reply-To) name no member."""
    repo, addresses = mail.mail_org(tmp_path)
    members = {a.casefold() for a in addresses.values()}
    with smtp_sink() as (port, received):
        done = mail.send(repo.root, port, *command, "--from", "sec@example.org")
    assert received and "Traceback" not in done.stderr, done.stderr
    for _, raw in received:
        msg = mail.parsed(raw)
        named = [a.addr_spec.casefold() for h in ("From", "Sender", "Reply-To") if msg[h] for a in msg[h].addresses]
        assert named == ["sec@example.org"], named
        assert not set(named) & members


@pytest.mark.parametrize("command", SENDS)
def test_a_members_address_as_the_sender_is_refused(tmp_path: Path, command: tuple[str, ...]) -> None:
    """A careless secretary gives their own member address as `--from`: it would go to every member."""
    repo, addresses = mail.mail_org(tmp_path)
    with smtp_sink() as (port, received):
        done = mail.send(repo.root, port, *command, "--from", addresses["rosa"])
    assert "Traceback" not in done.stderr, done.stderr
    assert received == [] and done.returncode != 0, (done.returncode, len(received))
