"""`redflag-coord report new|status|remind`"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from redflag_coord.cli.commands.common import (
    EXIT_DATA,
    EXIT_OK,
    EXIT_USAGE,
    collective_or_exit,
    fail,
    load_settings_or_exit,
    load_valid_or_exit,
    meeting_or_exit,
    normalise_id,
    read_identity_or_exit,
)
from redflag_coord.cli.commands.options import (
    CollectiveArgument,
    ConfirmOption,
    FromOption,
    IdentityOption,
    MeetingArgument,
    RootOption,
    SendOption,
    SmtpOption,
    SmtpTlsOption,
    deprecated,
    parse_date,
)
from redflag_coord.cli.commands.sending import dry_run_or_go, send_or_exit, smtp_or_exit

app = typer.Typer(
    name="report",
    help="Reports that collectives file to a meeting: start one, see who has filed, remind the others.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

MeetingArg = MeetingArgument


class StatusFormat(str, Enum):
    text = "text"
    json = "json"


class MessageFormat(str, Enum):
    text = "text"  # as --format text everywhere; the files end in .txt
    eml = "eml"
    txt = "txt"  # deprecated spelling of text (issue 31); goes in the next release


OnOption = Annotated[
    str | None,
    typer.Option(
        "--on",
        help="For a recurring meeting: the occurrence on this date (YYYY-MM-DD). Default: the next one.",
        show_default=False,
    ),
]


@app.command("new")
def new(
    collective: CollectiveArgument,
    meeting: MeetingArg,
    root: RootOption = None,
    on: OnOption = None,
    identity: IdentityOption = None,
) -> None:
    """Write collectives/COLLECTIVE/reports/MEETING.toml from the template in the collective's language.

    Carries over the previous report's Red Flag figures and counts the relationships
    afresh. Distribution sites are private: with an identity that opens them they are carried
    over, sealed for the new report; otherwise left out with a comment. Never overwrites: exit 2
    when the report exists.
    """
    from redflag_coord.org.clock import today_default
    from redflag_coord.org.reads import either, for_collective, for_meeting
    from redflag_coord.repo.fsio import Batch
    from redflag_coord.reports.filing import new_report

    collective, meeting = normalise_id(collective), normalise_id(meeting)
    from redflag_coord.edit.secrets import seal_new_report

    ids = read_identity_or_exit(identity)
    org = load_valid_or_exit(root, reads=either(for_meeting(meeting), for_collective(collective)), identity=identity)
    collective, meeting = collective_or_exit(org, collective), meeting_or_exit(org, meeting)
    made = new_report(org, collective, meeting, today_default(), parse_date(on, "--on"))
    text = seal_new_report(org, collective, made.rel, made.text, ids)  # no plain site reaches the disk
    path = org.root / made.rel
    try:
        with Batch() as batch:  # never replaces a report, not even one saved while this ran
            batch.write(path, text.encode("utf-8"))
    except OSError as e:  # not a RedflagError: a folder the system refuses is said as a data problem (exit 1)
        fail(str(e), EXIT_DATA)
    typer.echo(
        f"wrote {made.rel} (template: {made.language}{', carried over from ' + made.previous if made.previous else ''})"
    )
    typer.echo("Fill in:")
    for line in made.todo:
        typer.echo(f"  - {line}")
    typer.echo("Then run 'redflag-coord validate' and open a pull request.")


@app.command("status")
def status(
    meeting: MeetingArg,
    root: RootOption = None,
    on: OnOption = None,
    format: Annotated[StatusFormat, typer.Option("--format", "-f", help="text or json")] = StatusFormat.text,
) -> None:
    """Filed, late, draft or missing, for each participant of MEETING.

    In a git repository the filed date is the committer date of the first-parent
    commit that brought the report (the merge; as a date in the collective's zone); otherwise the report's
    `filed` key. A draft still has the template's TODO summary.
    Exit 0 when every participant has filed (late counts as filed), 1 when a report
    is missing or a draft, 2 usage error.
    """
    from redflag_coord.org.reads import for_meeting
    from redflag_coord.reports.filing import render_status, report_status

    meeting = normalise_id(meeting)
    org = load_valid_or_exit(root, reads=for_meeting(meeting))
    meeting = meeting_or_exit(org, meeting)
    result = report_status(org, meeting, parse_date(on, "--on"))
    if format is StatusFormat.json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(render_status(result))
    raise typer.Exit(EXIT_DATA if result.missing() else EXIT_OK)


@app.command("remind")
def remind(
    meeting: MeetingArg,
    root: RootOption = None,
    on: OnOption = None,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            help="Folder for the messages. Default: reminders/MEETING here (keep it out of the data repository).",
            show_default=False,
        ),
    ] = None,
    format: Annotated[
        MessageFormat,
        typer.Option(
            "--format", "-f", help="text (.txt files to send by hand) or eml (e-mail files); txt: deprecated."
        ),
    ] = MessageFormat.text,
    force: Annotated[bool, typer.Option("--force", help="Replace existing message files.")] = False,
    include_private: Annotated[
        bool, typer.Option("--include-private", help="Put e-mail addresses in the .eml files and show them here.")
    ] = False,
    sender: FromOption = None,
    send: SendOption = False,
    confirm: ConfirmOption = False,
    smtp: SmtpOption = None,
    smtp_tls: SmtpTlsOption = None,
    identity: IdentityOption = None,
) -> None:
    """Reminders for the participants of MEETING whose report is missing.

    One message per collective, in its language, with the due date and the meeting
    time in its own zone; neutral wording. Sent (or, with --include-private, written as .eml) once per
    member who has an e-mail address and opted in (invite = true), each addressed to that member alone.
    Addresses are never printed unless --include-private. Sending works as for `invite`: the SMTP server from
    organisation.toml [mail] (or --smtp), login [mail] user and REDFLAG_SMTP_PASSWORD.
    Exit 0 done, 1 when a collective has nobody to send to (deliver by hand), 2 usage error.
    """
    from redflag_coord.org.reads import for_meeting
    from redflag_coord.reports.filing import reminders

    if format is MessageFormat.txt:
        deprecated("--format txt", "--format text")
    meeting = normalise_id(meeting)
    org = load_valid_or_exit(
        root,
        reads=for_meeting(meeting, members=True),
        identity=identity,
        purpose="their members' addresses are left out",
        contact=True,
    )
    meeting = meeting_or_exit(org, meeting)
    settings = load_settings_or_exit(org.root)
    sender = sender or settings.mail.sender
    messages = reminders(org, meeting, parse_date(on, "--on"))
    if not messages:
        typer.echo(f"every participant of {meeting} has filed: no reminders")
        raise typer.Exit(EXIT_OK)
    if send:
        _send(messages, sender, smtp_or_exit(settings, smtp, smtp_tls), confirm, include_private)
        return
    _write(messages, output_dir or Path("reminders") / meeting, meeting, format, force, sender, include_private)


def _who(r, include_private: bool) -> str:
    from redflag_coord.i18n.labels import Labels

    t = Labels("en")
    # sealed is not absent: the addresses are there, and a key (the mail sender's or a reader's) opens them
    sealed = f"{t.count('count.sealed_addresses', r.sealed)} ({SEALED_HOW})" if r.sealed else ""
    if not r.recipients:
        none = "no member with an e-mail address who opted in: deliver it by hand"
        return f"{sealed}; or deliver it by hand" if sealed else none
    shown = r.addresses if include_private else r.recipients
    return f"{t.count('count.to_members', len(r.recipients))}: {', '.join(shown)}" + (f"; {sealed}" if sealed else "")


SEALED_HOW = "--identity FILE or REDFLAG_IDENTITY"


def _write(
    messages, folder: Path, meeting: str, format: MessageFormat, force: bool, sender: str | None, include_private: bool
) -> None:
    from redflag_coord.repo.fsio import Batch, WriteError

    done = []
    try:
        with Batch() as batch:  # a failure removes what this run wrote and the folders it made
            batch.folder(folder)
            for path, data, line in _files(messages, folder, meeting, format, sender, include_private):
                batch.write(path, data, overwrite=force)
                done.append(line)
    except WriteError as e:  # handled here: the batch undid every file of this run, and the message says so
        fail(f"{e} (nothing was kept)" if not e.usage else str(e), EXIT_USAGE if e.usage else EXIT_DATA)
    except OSError as e:
        fail(f"cannot write to {folder}: {e.strerror or e}", EXIT_DATA)
    for line in done:
        typer.echo(line)


def _files(messages, folder: Path, meeting: str, format: MessageFormat, sender: str | None, include_private: bool):
    """Each reminder file to write: (path, bytes, the line that says so)."""
    from redflag_coord.reports.filing import personal, render_eml, render_txt

    for r in messages:
        stem = folder / f"{meeting}-{r.collective}"
        if format is MessageFormat.eml and include_private and r.addresses:
            # addressed files: one per member, so no file carries another member's address
            for handle, address in personal(r):
                path = stem.with_name(f"{stem.name}-{handle}.eml")
                yield path, render_eml(r, sender, address), f"wrote {path} ({r.language}; to {address})"
            continue
        eml = format is MessageFormat.eml
        path = stem.with_name(f"{stem.name}.{'eml' if eml else 'txt'}")
        data = render_eml(r, sender) if eml else render_txt(r).encode()
        yield path, data, f"wrote {path} ({r.language}; {_who(r, include_private)})"


def _send(messages, sender: str | None, smtp, confirm: bool, include_private: bool) -> None:
    from redflag_coord.reports.filing import personal, render_eml

    if not sender:
        fail("--send needs a sender: --from ADDRESS or [mail] from in organisation.toml", EXIT_USAGE)
    sendable = [r for r in messages if r.addresses]
    for r in messages:
        typer.echo(
            f"{'send' if confirm else 'would send'} to {r.collective} ({r.language}): {r.subject!r}; "
            f"{_who(r, include_private)}"
        )
    outgoing = [(sender, [address], render_eml(r, sender, address)) for r in sendable for _, address in personal(r)]
    if not dry_run_or_go(len(outgoing), smtp, confirm):
        return
    send_or_exit(outgoing, smtp)
    if len(sendable) < len(messages):
        raise typer.Exit(EXIT_DATA)
