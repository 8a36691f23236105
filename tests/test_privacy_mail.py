"""Nothing private leaves in a message (issue 29): every mail the tool sends goes to one member and
carries no other member's address, in any header, any text part or any calendar component.

Through the console script, in a temporary git repository, to a local SMTP server on 127.0.0.1.
The Los Angeles collective has four invitees; its weekly study group has one moved and one cancelled
occurrence, so an invitation holds the series, an override (RECURRENCE-ID) and an EXDATE.
"""

from __future__ import annotations

import email
import os
import re
import subprocess
import sys
import tomllib
from email import policy
from email.message import EmailMessage
from pathlib import Path

import icalendar
import pytest
from conftest import CANARIES, CANARY_EMAIL, DEMO_IDENTITY, REPO, TODAY, plant_canaries, seal_private, unseal_private
from git_helpers import Repo, example_repo
from smtp_sink import smtp_sink
from test_privacy import leaked

BIN = str(Path(sys.executable).with_name("redflag-coord"))
LA = "collectives/los-angeles"
NEW_INVITEES = {"dora": "dora.k@example.net", "eli": "eli.m@example.net"}
MOVED = ("2026-12-03", "2026-12-04T19:00:00")
CANCELLED = "2026-12-10"


def cli(root: Path, *args: str, identity: Path | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDFLAG_")}
    env.update(REDFLAG_TODAY=TODAY, HOME=str(root.parent), XDG_CONFIG_HOME=str(root.parent / ".config"))
    if identity is not None:
        env["REDFLAG_IDENTITY"] = str(identity)
    return subprocess.run([BIN, *args], cwd=root, env=env, capture_output=True, text=True, timeout=120)


def mail_org(tmp_path: Path, canaries: bool = False) -> tuple[Repo, dict[str, str]]:
    """The example in git with four opted-in Los Angeles members and a moved and a cancelled study group;
    returns the repository and every member's address by handle (read before sealing)."""
    repo = example_repo(tmp_path)  # no reports to ic-2026-12: every participant gets a reminder
    root = repo.root
    (root / "organisation.toml").write_text((REPO / "organisation.toml").read_text(encoding="utf-8"))
    unseal_private(root)
    members = root / LA / "members.toml"
    text = members.read_text(encoding="utf-8")
    text = re.sub(r'(handle = "carmen"\n(?:.*\n)*?)invite = false', r"\1invite = true", text, count=1)
    for handle, address in NEW_INVITEES.items():
        text += f'\n[[member]]\nhandle = "{handle}"\nlanguages = ["es"]\nemail = "{address}"\ninvite = true\n'
    members.write_text(text, encoding="utf-8")
    meeting = root / LA / "meetings/la-study-group.toml"
    meeting.write_text(
        meeting.read_text(encoding="utf-8")
        + f"\n[[occurrence]]\ndate = {MOVED[0]}\nstart = {MOVED[1]}\n"
        + f"\n[[occurrence]]\ndate = {CANCELLED}\ncancelled = true\n",
        encoding="utf-8",
    )
    if canaries:
        plant_canaries(root)  # the canaries opt in here, so they are recipients too
        unseal_private(root)
        text = members.read_text(encoding="utf-8")
        head, _, tail = text.rpartition("invite = false")  # the canary member comes last
        members.write_text(head + "invite = true" + tail, encoding="utf-8")
    addresses = {}
    for path in (root / "collectives").glob("*/members.toml"):
        for m in tomllib.loads(path.read_text(encoding="utf-8")).get("member", []):
            if m.get("email"):
                addresses[m["handle"]] = m["email"]
    seal_private(root)
    repo.commit("four invitees and a changed study group", date="2026-11-20T12:00:00+00:00")
    return repo, addresses


def parsed(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def everything(raw: bytes) -> str:
    """The message as its reader could see it: raw bytes, every header decoded, every part decoded."""
    msg = parsed(raw)
    parts = [raw.decode("utf-8", "replace")]
    parts += [f"{k}: {v}" for k, v in msg.items()]
    parts += [str(p.get_content()) for p in msg.walk() if not p.is_multipart()]
    return "\n".join(parts)


def others_in(raw: bytes, own: str, addresses: dict[str, str]) -> list[str]:
    """Every other member's address that appears anywhere in the message (case-insensitive)."""
    seen = everything(raw).casefold()
    unfolded = re.sub(r"\r?\n[ \t]", "", seen)
    return sorted(h for h, a in addresses.items() if a.casefold() != own.casefold() and a.casefold() in unfolded)


def send(root: Path, port: int, *args: str, identity: Path | None = DEMO_IDENTITY) -> subprocess.CompletedProcess:
    smtp = ("--send", "--confirm", "--smtp", f"127.0.0.1:{port}", "--smtp-tls", "none")
    return cli(root, *args, *smtp, identity=identity)


def check_invitation(raw: bytes, own: str, addresses: dict[str, str], method: str) -> None:
    msg = parsed(raw)
    assert [a.addr_spec for a in msg["To"].addresses] == [own]
    for name in ("Cc", "Bcc", "Reply-To"):
        assert msg[name] is None
    assert others_in(raw, own, addresses) == []
    handles = {h for h, a in addresses.items() if a != own}
    for part in msg.walk():
        if part.get_content_type() != "text/calendar":
            continue
        assert part.get_param("method") == method
        cal = icalendar.Calendar.from_ical(part.get_payload(decode=True))
        events = list(cal.walk("VEVENT"))
        assert len(events) == 2 and sum("RECURRENCE-ID" in e for e in events) == 1  # the series and the moved one
        lists = [x for e in events for x in _as_list(e.get("EXDATE"))]
        exdates = [d.dt.date().isoformat() for x in lists for d in x.dts]
        assert CANCELLED in exdates
        for component in cal.walk():
            found = _as_list(component.get("ATTENDEE"))
            assert [str(a) for a in found] in ([], [f"mailto:{own}"]), component.name
            assert not {str(a.params.get("CN")) for a in found} & handles
        for event in events:
            assert event.get("ATTENDEE") is not None, "each component names its recipient"


def _as_list(value) -> list:
    return [] if value is None else value if isinstance(value, list) else [value]


@pytest.mark.parametrize("method", ["request", "cancel"])
def test_invite_send_each_component_carries_only_its_recipient(tmp_path: Path, method: str) -> None:
    repo, addresses = mail_org(tmp_path)
    invitees = {"rosa", "carmen", *NEW_INVITEES}
    with smtp_sink() as (port, received):
        done = send(repo.root, port, "invite", "la-study-group", "--method", method)
        assert done.returncode == 0, done.stderr
    assert sorted(r for rcpts, _ in received for r in rcpts) == sorted(addresses[h] for h in invitees)
    for rcpts, raw in received:
        assert len(rcpts) == 1
        check_invitation(raw, rcpts[0], addresses, method.upper())


def test_remind_send_one_message_per_member(tmp_path: Path) -> None:
    repo, addresses = mail_org(tmp_path)
    with smtp_sink() as (port, received):
        done = send(repo.root, port, "report", "remind", "ic-2026-12", "--from", "sec@example.org")
        assert done.returncode in (0, 1), done.stderr  # 1: a collective with nobody to send to
        assert "Traceback" not in done.stderr
    recipients = [r for rcpts, _ in received for r in rcpts]
    la = {addresses[h] for h in ("rosa", "carmen", *NEW_INVITEES)}
    assert la <= set(recipients) and len(recipients) == len(set(recipients)) == len(received)
    for rcpts, raw in received:
        assert len(rcpts) == 1
        msg = parsed(raw)
        assert [a.addr_spec for a in msg["To"].addresses] == rcpts
        assert msg["Cc"] is None and msg["Bcc"] is None
        assert others_in(raw, rcpts[0], addresses) == []
    assert "@" not in done.stdout  # addresses are never printed without --include-private


def test_remind_eml_files_one_per_member(tmp_path: Path) -> None:
    repo, addresses = mail_org(tmp_path)
    out = tmp_path / "reminders"
    args = ("report", "remind", "ic-2026-12", "-f", "eml", "--include-private", "--output-dir", str(out))
    done = cli(repo.root, *args, identity=DEMO_IDENTITY)
    assert done.returncode in (0, 1), done.stderr
    files = sorted(out.glob("ic-2026-12-los-angeles-*.eml"))
    assert [p.name.removeprefix("ic-2026-12-los-angeles-") for p in files] == [
        f"{h}.eml" for h in sorted(["rosa", "carmen", *NEW_INVITEES])
    ]
    for path in out.glob("*.eml"):
        raw = path.read_bytes()
        to = parsed(raw)["To"]
        own = to.addresses[0].addr_spec if to else ""
        assert to is None or len(to.addresses) == 1
        assert others_in(raw, own, addresses) == []


# -- the canary sweep: keyless, one collective's key, every key ----------------------------------------


def one_collective_key(repo: Repo, tmp_path: Path) -> Path:
    """A new identity that Los Angeles alone lists; its values re-sealed to it (the others stay as they are)."""
    root = repo.root
    key = tmp_path / "la-key.txt"
    done = cli(root, "secrets", "keygen", "--output", str(key), identity=None)
    assert done.returncode == 0, done.stderr
    unseal_private(root)
    info = root / LA / "collective.toml"
    info.write_text(
        re.sub(r"(?m)^recipients = .*$", f'recipients = ["{done.stdout.strip()}"]', info.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    # issue 28: a DEMO reader approves the new reader (their signing key from 'secrets whoami'), who seals and
    # signs Los Angeles' values; the other collectives are sealed by their DEMO reader as before
    signer = cli(root, "secrets", "whoami", identity=key)
    assert signer.returncode == 0, signer.stderr
    approve = ("secrets", "approve", "los-angeles", "--yes", "--signer", signer.stdout.strip())
    done = cli(root, *approve, identity=DEMO_IDENTITY)
    assert done.returncode == 0, done.stderr
    done = cli(root, "secrets", "encrypt", "los-angeles", identity=key)
    assert done.returncode == 0, done.stderr
    seal_private(root)
    repo.commit("Los Angeles keeps its own key", date="2026-11-21T12:00:00+00:00")
    return key


@pytest.mark.parametrize("keys", ["none", "one-collective", "all"])
def test_canary_sweep_through_mail(tmp_path: Path, keys: str) -> None:
    repo, addresses = mail_org(tmp_path, canaries=True)
    identity = {"none": None, "all": DEMO_IDENTITY}[keys] if keys != "one-collective" else None
    if keys == "one-collective":
        identity = one_collective_key(repo, tmp_path)
    runs = [
        ("invite", "la-study-group", "--method", "request"),
        ("invite", "la-study-group", "--method", "cancel"),
        ("invite", "ic-2026-12", "--method", "request"),
        ("report", "remind", "ic-2026-12", "--from", "sec@example.org"),
        ("report", "remind", "ic-2026-12", "--from", "sec@example.org", "--include-private"),
    ]
    received_by_canary = 0
    with smtp_sink() as (port, received):
        for argv in runs:
            done = send(repo.root, port, *argv, identity=identity)
            assert done.returncode in (0, 1) and "Traceback" not in done.stderr, (argv, done.stderr)
            if identity is None:  # a key holder's own terminal may show who is sent what; a keyless one nothing
                assert leaked(done.stdout + done.stderr) == [], argv
    if keys == "none":
        assert received == []  # no address can be read: nothing goes out
    for rcpts, raw in received:
        assert len(rcpts) == 1
        own = rcpts[0]
        assert others_in(raw, own, addresses) == []
        text = everything(raw)
        if own == CANARY_EMAIL:
            received_by_canary += 1
            text = re.sub(re.escape(own), "", text, flags=re.I)  # its own address is the one private value allowed
        assert leaked(text) == [], own
    assert all(c not in CANARY_EMAIL for c in CANARIES if c != CANARY_EMAIL)
    if keys != "none":  # the canary opted in: Los Angeles' key (or every key) reaches it, once per message sent
        assert received_by_canary >= 3


@pytest.mark.parametrize(
    "recipients,headers",
    [
        (["a@example.org", "b@example.org"], "To: a@example.org\r\n"),  # two in the envelope
        (["a@example.org"], "To: a@example.org, b@example.org\r\n"),  # another in To
        (["a@example.org"], "To: a@example.org\r\nCc: b@example.org\r\n"),
        (["a@example.org"], "To: a@example.org\r\nBcc: B@Example.org\r\n"),
        (["a@example.org"], "To: =?utf-8?q?Someone?= <b@example.org>\r\n"),
    ],
)
def test_transport_refuses_a_message_for_more_than_its_one_recipient(recipients, headers) -> None:
    """The last gate for any mail: checked before connecting, so nothing at all is sent (no server here)."""
    from redflag_coord.repo.mail import MailError, Smtp
    from redflag_coord.repo.mail import send as smtp_send

    raw = f"From: sec@example.org\r\n{headers}Subject: x\r\n\r\nbody\r\n".encode()
    fine = ("sec@example.org", ["c@example.org"], b"To: c@example.org\r\nSubject: y\r\n\r\nok\r\n")
    with pytest.raises(MailError, match=r"one message per recipient|besides its one recipient"):
        smtp_send([fine, ("sec@example.org", recipients, raw)], Smtp("127.0.0.1", 9, "none"))
