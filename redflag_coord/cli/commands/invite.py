"""`redflag-coord invite MEETING`"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from redflag_coord.cli.commands.common import (
    EXIT_DATA,
    EXIT_USAGE,
    MeetingArgument,
    RootOption,
    fail,
    load_valid_or_exit,
    meeting_or_exit,
    write_output,
)


class Method(str, Enum):
    publish = "publish"
    request = "request"
    cancel = "cancel"


DomainOption = Annotated[
    str | None,
    typer.Option(
        "--domain",
        envvar="REDFLAG_DOMAIN",
        show_default=False,
        help="Domain that makes event UIDs unique (MEETING@DOMAIN). Default: redflag-coord.invalid.",
    ),
]
ReminderOption = Annotated[
    list[int] | None,
    typer.Option(
        "--reminder",
        min=0,
        max=40320,
        show_default=False,
        metavar="MINUTES",
        help="Minutes before the start for a reminder (repeatable); replaces the file's reminders_minutes.",
    ),
]
NoRemindersOption = Annotated[bool, typer.Option("--no-reminders", help="No VALARM reminders.")]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE instead of standard output.")]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")]


def invite(
    meeting: MeetingArgument,
    method: Annotated[
        Method, typer.Option("--method", "-m", help="publish (import), request (invitation), or cancel.")
    ] = Method.publish,
    output: OutputOption = None,
    force: ForceOption = False,
    attendees: Annotated[
        bool,
        typer.Option(
            "--attendees",
            help="Add opted-in members (an email and invite = true) as attendees with RSVP. "
            "Without it no email address is written.",
        ),
    ] = False,
    bump: Annotated[
        bool,
        typer.Option(
            "--bump",
            help="First raise the meeting file's sequence by one (with --method cancel, also set "
            'status = "cancelled"). Use it whenever the time, zone, duration, recurrence or status changed.',
        ),
    ] = False,
    domain: DomainOption = None,
    reminder: ReminderOption = None,
    no_reminders: NoRemindersOption = False,
    send: Annotated[
        bool,
        typer.Option(
            "--send", help="Mail the invitation (iMIP) to the opted-in members. A dry run unless --confirm is given."
        ),
    ] = False,
    confirm: Annotated[
        bool, typer.Option("--confirm", help="With --send: really connect to the SMTP server and send.")
    ] = False,
    smtp: Annotated[
        str,
        typer.Option(
            "--smtp",
            envvar="REDFLAG_SMTP",
            help="SMTP server as HOST:PORT (plain SMTP on a trusted host; STARTTLS when offered).",
        ),
    ] = "127.0.0.1:25",
    sender: Annotated[
        str | None,
        typer.Option(
            "--from",
            envvar="REDFLAG_MAIL_FROM",
            show_default=False,
            help="Sender address for --send. Default: the organiser's address.",
        ),
    ] = None,
    root: RootOption = None,
) -> None:
    """Write the meeting as an iCalendar invite (.ics) that calendar apps import.

    The same UID on every run; SEQUENCE from the meeting file. Exit 0 ok, 1 problems in the data, 2 usage error.
    """
    from redflag_coord.calendar import ics
    from redflag_coord.calendar.sequence import SequenceError, unbumped_change
    from redflag_coord.calendar.sequence import bump as bump_file
    from redflag_coord.org.load import rel_path

    org = load_valid_or_exit(root)
    meeting = meeting_or_exit(org, meeting)
    found = org.find_meeting(meeting)
    assert found is not None
    path = org.root / rel_path("meeting", found[0], meeting)
    if bump:
        from redflag_coord.repo.fsio import WriteError

        try:
            new = bump_file(path, cancel=method is Method.cancel)
        except SequenceError as e:
            fail(str(e), EXIT_DATA)
        except WriteError as e:
            fail(str(e), EXIT_USAGE if e.usage else EXIT_DATA)
        typer.echo(f"{path}: sequence is now {new}", err=True)
        org = load_valid_or_exit(root)
    else:
        found = org.find_meeting(meeting)
        assert found is not None  # write_invite above found it in this organisation
        stale = unbumped_change(path, found[1])
        if stale:
            typer.echo(f"redflag-coord: warning: {stale}", err=True)
    try:
        settings = ics.Settings(
            domain=ics.check_domain(domain) if domain else ics.domain_default(),
            stamp=ics.stamp_default(),
            attendees=attendees or send,
            reminders=() if no_reminders else (tuple(reminder) if reminder else None),
        )
        built = ics.invite(org, meeting, method.value, settings)
        data = built.to_ical()
    except ics.CalendarError as e:
        fail(str(e), EXIT_DATA)
    for warning in built.warnings:
        typer.echo(f"redflag-coord: warning: {warning}", err=True)
    if send:
        _send(org, meeting, method.value, built, settings, smtp, sender, confirm)
        if output is None:
            return
    write_output(data.decode("utf-8"), output, force)


def _send(org, meeting_id: str, method: str, built, settings, smtp: str, sender: str | None, confirm: bool) -> None:
    from redflag_coord.calendar.imip import MailError, messages, send_all

    if method == "publish":
        fail("--send mails an invitation: use --method request (or cancel)", EXIT_USAGE)
    try:
        outgoing = messages(org, meeting_id, built, settings, sender)
    except MailError as e:
        fail(str(e), EXIT_DATA)
    if not outgoing:
        fail("nobody to send to: no member of the meeting's collectives has an email and invite = true", EXIT_DATA)
    for m in outgoing:
        typer.echo(f"{'sending' if confirm else 'would send'}: {m['Subject']} -> {m['To']}", err=True)
    if not confirm:
        typer.echo("dry run: nothing sent; add --confirm to send", err=True)
        return
    try:
        send_all(outgoing, smtp)
    except MailError as e:
        fail(str(e), EXIT_DATA)
    typer.echo(f"sent {len(outgoing)} message(s) through {smtp}", err=True)
