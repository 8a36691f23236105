"""Sending e-mail by SMTP: the one transport that `invite --send` and `report remind --send` share.

One message per recipient: every message goes to exactly one address, and its To, Cc and Bcc headers
name that address only, so no member's address reaches another member. `send` checks every message
before it connects and refuses the whole batch if one breaks the rule.
"""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from email import message_from_bytes
from email.policy import default as default_policy
from email.utils import getaddresses

from redflag_coord.errors import RedflagError

TLS_MODES = ("starttls", "tls", "none")


class MailError(RedflagError):
    """Mail cannot be sent (or the SMTP server is given wrongly: those raises say usage=True)."""


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    tls: str = "starttls"  # starttls: upgrade when the server offers it; tls: implicit TLS; none: never
    user: str | None = None
    password: str | None = None  # only ever from the environment

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}"


def parse_server(text: str) -> tuple[str, int]:
    """'HOST:PORT' -> (host, port); MailError otherwise."""
    host, _, port = text.strip().rpartition(":")
    if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise MailError(f"--smtp {text!r}: give HOST:PORT, e.g. 127.0.0.1:25 or mail.example.org:587", usage=True)
    return host.strip("[]"), int(port)


def loopback(host: str) -> bool:
    """True for this machine's own addresses: the only place a password may travel unencrypted."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


RECIPIENT_HEADERS = ("To", "Cc", "Bcc", "Resent-To", "Resent-Cc", "Resent-Bcc")


def check_one_recipient(number: int, recipients: list[str], raw: bytes) -> None:
    """MailError unless the message goes to one address and its recipient headers name no other."""
    if len(recipients) != 1:
        raise MailError(f"message {number} is addressed to {len(recipients)} recipients: one message per recipient")
    own = recipients[0].strip().lower()
    msg = message_from_bytes(raw, policy=default_policy)
    for name in RECIPIENT_HEADERS:
        for _, address in getaddresses([str(v) for v in msg.get_all(name, [])]):
            if address.strip().lower() != own:
                raise MailError(f"message {number}: its {name} header names someone besides its one recipient")


SENDER_HEADERS = ("From", "Sender", "Reply-To")


def check_sender_is_no_recipient(messages: list[tuple[str, list[str], bytes]]) -> None:
    """MailError when a message's sender (envelope, From, Sender or Reply-To) is the address of a recipient
    of the batch: a member's address given as --from would reach every other member. Use the role address."""
    everyone = {r.strip().lower() for _, recipients, _ in messages for r in recipients}
    for number, (sender, recipients, raw) in enumerate(messages, start=1):
        msg = message_from_bytes(raw, policy=default_policy)
        named = [a for name in SENDER_HEADERS for _, a in getaddresses([str(v) for v in msg.get_all(name, [])])]
        own = {r.strip().lower() for r in recipients}
        for address in {sender.strip().lower(), *(a.strip().lower() for a in named)}:
            if address in everyone and everyone - own - {address}:
                raise MailError(
                    f"message {number}: the sender {address!r} is a recipient of this batch, so every other "
                    "recipient would see that member's address: send from the organisation's role address "
                    "(--from or [mail] from in organisation.toml); nothing was sent",
                    usage=True,
                )


def send(messages: Iterable[tuple[str, list[str], bytes]], smtp: Smtp, timeout: float = 30) -> int:
    """Send (sender, [recipient], raw message) triples over one connection; returns how many were sent.

    Each message has one recipient (check_one_recipient, for all before connecting), and no sender is one of
    the batch's recipients (check_sender_is_no_recipient). A password is never sent over an unencrypted
    connection to another machine.
    """
    messages = list(messages)
    for number, (_, recipients, raw) in enumerate(messages, start=1):
        check_one_recipient(number, recipients, raw)
    check_sender_is_no_recipient(messages)
    if smtp.tls not in TLS_MODES:
        raise MailError(f"SMTP tls {smtp.tls!r}: use one of {', '.join(TLS_MODES)}")
    sent = 0
    try:
        client = (
            smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=timeout, context=ssl.create_default_context())
            if smtp.tls == "tls"
            else smtplib.SMTP(smtp.host, smtp.port, timeout=timeout)
        )
        with client:
            client.ehlo()
            encrypted = smtp.tls == "tls"
            if smtp.tls == "starttls" and client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
                encrypted = True
            if smtp.user and smtp.password:
                if not encrypted and not loopback(smtp.host):
                    raise MailError(
                        f"{smtp.label} offers no encryption: not sending the SMTP password in the clear "
                        '(use tls = "tls" or a server with STARTTLS)'
                    )
                client.login(smtp.user, smtp.password)
            for sender, recipients, raw in messages:
                client.sendmail(sender, recipients, raw)
                sent += 1
    except (OSError, smtplib.SMTPException) as e:
        done = f"; {sent} message(s) sent before the failure stay sent" if sent else "; nothing was sent"
        raise MailError(f"cannot send through {smtp.label}: {e}{done}") from e
    return sent
