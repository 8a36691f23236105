"""`redflag-coord invite MEETING`"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from redflag_coord.cli.commands.common import (
    EXIT_DATA,
    EXIT_USAGE,
    check_output,
    fail,
    load_settings_or_exit,
    load_valid_or_exit,
    meeting_or_exit,
    normalise_id,
    write_output,
)
from redflag_coord.cli.commands.options import (
    ConfirmOption,
    DomainOption,
    ForceOption,
    FromOption,
    IdentityOption,
    MeetingArgument,
    NoRemindersOption,
    OutputOption,
    ReminderOption,
    RootOption,
    SendOption,
    SmtpOption,
    SmtpTlsOption,
)
from redflag_coord.cli.commands.sending import dry_run_or_go, send_or_exit, smtp_or_exit

if TYPE_CHECKING:
    from redflag_coord.org.model import Meeting


class Method(str, Enum):
    publish = "publish"
    request = "request"
    cancel = "cancel"
    none = "none"  # a stored calendar object for a CalDAV server (RFC 4791 §4.1: no METHOD)


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
    from redflag_coord.org.reads import for_meeting

    meeting = normalise_id(meeting)  # a file name or path is forgiven; the lookup below says "did you mean"
    purpose = "their members get no invitation by email" if attendees or send else None
    org = load_valid_or_exit(
        root, reads=for_meeting(meeting, members=True), identity=identity, purpose=purpose, contact=True
    )
    meeting = meeting_or_exit(org, meeting)
    org_settings = load_settings_or_exit(org.root)
    found = org.meeting(meeting)
    _refuse_cancelled_request(method, meeting, found[1])
    # every option and the output are checked before --bump changes the meeting file: a usage error
    # must not raise the sequence (and a retry raise it again)
    check_output(output, force)
    reminders = ics.reminders_option(reminder, no_reminders)
    settings = ics.settings_for(
        org_settings.calendar, domain, ics.stamp_default(), reminders=reminders, attendees=attendees or send
    )
    connection = None
    if send:
        _refuse_unsendable(method)
        _refuse_unapproved(org.root)
        connection = smtp_or_exit(org_settings, smtp, smtp_tls)
    _sequence(org, meeting, found[0], bump, cancel=method is Method.cancel)
    built = ics.invite(org, meeting, method.value, settings)
    data = built.to_ical()
    for warning in built.warnings:
        typer.echo(f"redflag-coord: warning: {warning}", err=True)
    if method is Method.request:
        _warn_undeliverable(ics.organiser_address(found[0], settings))
    if send:
        _send(org, meeting, method.value, built, settings, connection, sender or org_settings.mail.sender, confirm)
        if output is None:
            return
    write_output(data.decode("utf-8"), output, force)


def _refuse_cancelled_request(method: Method, meeting: str, found: Meeting) -> None:
    from redflag_coord.org.occurrences import is_cancelled  # the one rule (report commands ask it too)

    if method is Method.request and is_cancelled(found):
        # RFC 5546: a REQUEST asks people to attend; a cancelled meeting is announced with METHOD:CANCEL
        fail(f"meeting {meeting} is cancelled: send it with --method cancel, not --method request", EXIT_USAGE)


def _sequence(org, meeting: str, convener: str, bump: bool, cancel: bool) -> None:
    """With --bump, raise the file's sequence (the invite is built from the bumped meeting); without,
    warn when the time or status changed since the last commit but the sequence did not."""
    from redflag_coord.calendar.sequence import bump as bump_file
    from redflag_coord.calendar.sequence import unbumped_change
    from redflag_coord.org.load import rel_path

    path = org.root / rel_path("meeting", convener, meeting)
    if bump:
        new, bumped = bump_file(path, cancel=cancel)
        typer.echo(f"{path}: sequence is now {new}", err=True)
        org.collectives[convener].meetings[meeting] = bumped  # the invite comes from the same read as the bump
        return
    stale = unbumped_change(path, org.collectives[convener].meetings[meeting])
    if stale:
        typer.echo(f"redflag-coord: warning: {stale}", err=True)


def _refuse_unsendable(method: Method) -> None:
    if method in (Method.publish, Method.none):
        fail("--send mails an invitation: use --method request (or cancel)", EXIT_USAGE)


def _refuse_unapproved(root) -> None:
    """No mail while a recipient or mail sender is listed that no reader approved (issue 28)."""
    from redflag_coord.check.trust import require_approved

    require_approved(root)  # a TrustError: the one handler says which key, exit 1


def _warn_undeliverable(address: str) -> None:
    from redflag_coord.org.settings import undeliverable

    if undeliverable(address):
        typer.echo(
            f"redflag-coord: warning: the organiser {address} cannot receive mail, so replies to this invitation "
            "are lost; set [calendar] domain or organiser in organisation.toml (or --domain)",
            err=True,
        )


def _send(org, meeting_id: str, method: str, built, settings, smtp, sender: str | None, confirm: bool) -> None:
    from redflag_coord.calendar.imip import messages

    outgoing = messages(org, meeting_id, built, settings, sender)
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
