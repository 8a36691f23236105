"""The sending options `invite` and `report remind` share: the same names, defaults and behaviour.

--send is a dry run that says what would go where; --confirm really sends. The SMTP server,
encryption, login and sender come from organisation.toml's [mail] unless a flag overrides them;
the password only ever from REDFLAG_SMTP_PASSWORD.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import typer

from redflag_coord.cli.commands.common import EXIT_USAGE, fail

if TYPE_CHECKING:
    from redflag_coord.org.model import Settings
    from redflag_coord.repo.mail import Smtp


def smtp_or_exit(settings: Settings, server: str | None, tls: str | None) -> Smtp:
    """The SMTP connection: flags over organisation.toml; login from [mail] user (or REDFLAG_SMTP_USER)
    and the password from REDFLAG_SMTP_PASSWORD."""
    from redflag_coord.repo.mail import TLS_MODES, Smtp, parse_server

    mail = settings.mail
    host, port = parse_server(server) if server else (mail.host, mail.port)  # a bad --smtp: usage
    mode = tls or mail.tls
    if mode not in TLS_MODES:
        fail(f"--smtp-tls {mode!r}: use one of {', '.join(TLS_MODES)}", EXIT_USAGE)
    user = mail.user or os.environ.get("REDFLAG_SMTP_USER")
    return Smtp(host, port, mode, user, os.environ.get("REDFLAG_SMTP_PASSWORD"))


def dry_run_or_go(count: int, smtp: Smtp, confirm: bool, err: bool = False) -> bool:
    """Say what --send would do; True when --confirm says to go ahead."""
    if not confirm:
        typer.echo(
            f"dry run: {count} message(s) via {smtp.label} ({smtp.tls}); nothing sent. Add --confirm to send.", err=err
        )
    return confirm


def send_or_exit(outgoing: list[tuple[str, list[str], bytes]], smtp: Smtp, err: bool = False) -> int:
    from redflag_coord.repo.mail import send

    sent = send(outgoing, smtp)
    typer.echo(f"sent {sent} message(s) via {smtp.label}", err=err)
    return sent
