"""`redflag-coord invite MEETING`"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from redflag_coord.cli.commands.common import (
    EXIT_DATA,
    EXIT_USAGE,
    IdentityOption,
    MeetingArgument,
    RootOption,
    fail,
    load_settings_or_exit,
    load_valid_or_exit,
    meeting_or_exit,
    normalise_id,
    write_output,
)
from redflag_coord.cli.commands.sending import (
    ConfirmOption,
    FromOption,
    SendOption,
    SmtpOption,
    SmtpTlsOption,
    dry_run_or_go,
    send_or_exit,
    smtp_or_exit,
)


class Method(str, Enum):
    publish = "publish"
    request = "request"
    cancel = "cancel"
    none = "none"  # a stored calendar object for a CalDAV server (RFC 4791 §4.1: no METHOD)


DomainOption = Annotated[
    str | None,
    typer.Option(
        "--domain",
        envvar="REDFLAG_DOMAIN",
        show_default=False,
        help="Domain that makes event UIDs unique (MEETING@DOMAIN). Default: organisation.toml [calendar] domain, "
        "else redflag-coord.invalid.",
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
        Method,
        typer.Option(
            "--method",
            "-m",
            help="publish (import), request (invitation), cancel, or none (no METHOD: "
            "one calendar object to store on a CalDAV server, RFC 4791; status from the file).",
        ),
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
    send: SendOption = False,
    confirm: ConfirmOption = False,
    smtp: SmtpOption = None,
    smtp_tls: SmtpTlsOption = None,
    sender: FromOption = None,
    identity: IdentityOption = None,
    root: RootOption = None,
) -> None:
    """Write the meeting as an iCalendar invite (.ics) that calendar apps import.

    The same UID on every run; SEQUENCE from the meeting file. Exit 0 ok, 1 problems in the data, 2 usage error.
    """
    from redflag_coord.calendar import ics
    from redflag_coord.calendar.sequence import SequenceError, unbumped_change
    from redflag_coord.calendar.sequence import bump as bump_file
    from redflag_coord.org.load import rel_path
    from redflag_coord.org.reads import for_meeting

    meeting = normalise_id(meeting)  # a file name or path is forgiven; the lookup below says "did you mean"
    purpose = "their members get no invitation by email" if attendees or send else None
    org = load_valid_or_exit(
        root, reads=for_meeting(meeting, members=True), identity=identity, purpose=purpose, contact=True
    )
    meeting = meeting_or_exit(org, meeting)
    org_settings = load_settings_or_exit(org.root)
    found = org.find_meeting(meeting)
    assert found is not None
    path = org.root / rel_path("meeting", found[0], meeting)
    if method is Method.request and found[1].status.value == "cancelled":
        # RFC 5546: a REQUEST asks people to attend; a cancelled meeting is announced with METHOD:CANCEL
        fail(f"meeting {meeting} is cancelled: send it with --method cancel, not --method request", EXIT_USAGE)
    if bump:
        from redflag_coord.repo.fsio import WriteError

        try:
            new, bumped = bump_file(path, cancel=method is Method.cancel)
        except SequenceError as e:
            fail(str(e), EXIT_DATA)
        except WriteError as e:
            fail(str(e), EXIT_USAGE if e.usage else EXIT_DATA)
        typer.echo(f"{path}: sequence is now {new}", err=True)
        org.collectives[found[0]].meetings[meeting] = bumped  # the invite comes from the same read as the bump
    else:
        found = org.find_meeting(meeting)
        assert found is not None  # write_invite above found it in this organisation
        stale = unbumped_change(path, found[1])
        if stale:
            typer.echo(f"redflag-coord: warning: {stale}", err=True)
    try:
        cal = org_settings.calendar
        settings = ics.Settings(
            domain=ics.check_domain(chosen) if (chosen := domain or cal.domain) else ics.domain_default(),
            stamp=ics.stamp_default(),
            attendees=attendees or send,
            reminders=() if no_reminders else (tuple(reminder) if reminder else None),
            organisers={**({"": cal.organiser} if cal.organiser else {}), **cal.organisers},
        )
        built = ics.invite(org, meeting, method.value, settings)
        data = built.to_ical()
    except ics.CalendarError as e:
        fail(str(e), EXIT_DATA)
    for warning in built.warnings:
        typer.echo(f"redflag-coord: warning: {warning}", err=True)
    if method is Method.request:
        _warn_undeliverable(ics.organiser_address(found[0], settings))
    if send:
        _refuse_unapproved(org.root)
        connection = smtp_or_exit(org_settings, smtp, smtp_tls)
        _send(org, meeting, method.value, built, settings, connection, sender or org_settings.mail.sender, confirm)
        if output is None:
            return
    write_output(data.decode("utf-8"), output, force)


def _refuse_unapproved(root) -> None:
    """No mail while a recipient or mail sender is listed that no reader approved (issue 28)."""
    from redflag_coord.org.trustcheck import TrustError, require_approved

    try:
        require_approved(root)
    except TrustError as e:
        fail(str(e), EXIT_DATA)


def _warn_undeliverable(address: str) -> None:
    from redflag_coord.org.settings import undeliverable

    if undeliverable(address):
        typer.echo(
            f"redflag-coord: warning: the organiser {address} cannot receive mail, so replies to this invitation "
            "are lost; set [calendar] domain or organiser in organisation.toml (or --domain)",
            err=True,
        )


def _send(org, meeting_id: str, method: str, built, settings, smtp, sender: str | None, confirm: bool) -> None:
    from redflag_coord.calendar.imip import MailError, messages

    if method in ("publish", "none"):
        fail("--send mails an invitation: use --method request (or cancel)", EXIT_USAGE)
    try:
        outgoing = messages(org, meeting_id, built, settings, sender)
    except MailError as e:
        fail(str(e), EXIT_DATA)
    if not outgoing:
        fail("nobody to send to: no member of the meeting's collectives has an email and invite = true", EXIT_DATA)
    for m in outgoing:
        typer.echo(f"{'sending' if confirm else 'would send'}: {m['Subject']} -> {m['To']}", err=True)
    if not dry_run_or_go(len(outgoing), smtp, confirm, err=True):
        return
    envelope = [
        (_address(str(m["From"])), [str(m["To"])], m.as_bytes(policy=m.policy.clone(linesep="\r\n"))) for m in outgoing
    ]
    send_or_exit(envelope, smtp, err=True)


def _address(header: str) -> str:
    from email.utils import parseaddr

    return parseaddr(header)[1]
