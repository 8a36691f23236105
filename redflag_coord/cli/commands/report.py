"""`redflag-coord report new|status|remind`"""

from __future__ import annotations

import json
import os
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from redflag_coord.cli.commands.common import (
    EXIT_DATA,
    EXIT_OK,
    EXIT_USAGE,
    CollectiveArgument,
    MeetingArgument,
    RootOption,
    collective_or_exit,
    fail,
    load_valid_or_exit,
    meeting_or_exit,
)

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
    txt = "txt"
    eml = "eml"


def _report_error(e) -> None:
    fail(str(e), EXIT_USAGE if e.usage else EXIT_DATA)


@app.command("new")
def new(
    collective: CollectiveArgument,
    meeting: MeetingArg,
    root: RootOption = None,
) -> None:
    """Write collectives/COLLECTIVE/reports/MEETING.toml from the template in the collective's language.

    Carries over the previous report's Red Flag figures and counts the relationships
    afresh. Never overwrites: exit 2 when the report exists.
    """
    from redflag_coord.org.validate import today_default
    from redflag_coord.repo.fsio import WriteError, atomic_write
    from redflag_coord.reports.filing import ReportError, new_report

    org = load_valid_or_exit(root)
    collective, meeting = collective_or_exit(org, collective), meeting_or_exit(org, meeting)
    try:
        made = new_report(org, collective, meeting, today_default())
    except ReportError as e:
        _report_error(e)
    path = org.root / made.rel
    try:
        path.parent.mkdir(exist_ok=True)
        atomic_write(path, made.text.encode("utf-8"))
    except (WriteError, OSError) as e:
        fail(str(e), EXIT_USAGE if getattr(e, "usage", False) else EXIT_DATA)
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
    format: Annotated[StatusFormat, typer.Option("--format", "-f", help="text or json")] = StatusFormat.text,
) -> None:
    """Filed, late, draft or missing, for each participant of MEETING.

    In a git repository the filed date is the committer date of the commit that
    added the report (as a date in the collective's zone); otherwise the report's
    `filed` key. A draft still has the template's TODO summary.
    Exit 0 when every participant has filed (late counts as filed), 1 when a report
    is missing or a draft, 2 usage error.
    """
    from redflag_coord.reports.filing import ReportError, render_status, report_status

    org = load_valid_or_exit(root)
    meeting = meeting_or_exit(org, meeting)
    try:
        result = report_status(org, meeting)
    except ReportError as e:
        _report_error(e)
    if format is StatusFormat.json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(render_status(result))
    raise typer.Exit(EXIT_DATA if result.missing() else EXIT_OK)


@app.command("remind")
def remind(
    meeting: MeetingArg,
    root: RootOption = None,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            "-o",
            help="Folder for the messages. Default: reminders/MEETING here (keep it out of the data repository).",
            show_default=False,
        ),
    ] = None,
    format: Annotated[
        MessageFormat, typer.Option("--format", "-f", help="txt (text to send by hand) or eml (e-mail files).")
    ] = MessageFormat.txt,
    force: Annotated[bool, typer.Option("--force", help="Replace existing message files.")] = False,
    include_private: Annotated[
        bool, typer.Option("--include-private", help="Put e-mail addresses in the .eml files and show them here.")
    ] = False,
    sender: Annotated[str | None, typer.Option("--from", help="From address for .eml and --send.")] = None,
    send: Annotated[
        bool, typer.Option("--send", help="Send by SMTP instead of writing files: a dry run unless --yes is given too.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="With --send: really send.")] = False,
    smtp_host: Annotated[str, typer.Option("--smtp-host", envvar="REDFLAG_SMTP_HOST")] = "localhost",
    smtp_port: Annotated[int, typer.Option("--smtp-port", envvar="REDFLAG_SMTP_PORT")] = 587,
    starttls: Annotated[bool, typer.Option("--starttls/--no-starttls", help="Encrypt the SMTP connection.")] = True,
) -> None:
    """Reminders for the participants of MEETING whose report is missing.

    One message per collective, in its language, with the due date and the meeting
    time in its own zone; neutral wording. Addressed to the collective's members
    who have an e-mail address and opted in (invite = true). Addresses are never
    printed unless --include-private. SMTP login: REDFLAG_SMTP_USER and
    REDFLAG_SMTP_PASSWORD. Exit 0 done, 1 when a collective has nobody to send to (deliver by
    hand), 2 usage error.
    """
    from redflag_coord.reports.filing import ReportError, reminders

    org = load_valid_or_exit(root)
    meeting = meeting_or_exit(org, meeting)
    try:
        messages = reminders(org, meeting)
    except ReportError as e:
        _report_error(e)
    if not messages:
        typer.echo(f"every participant of {meeting} has filed: no reminders")
        raise typer.Exit(EXIT_OK)
    if send:
        _send(messages, sender, smtp_host, smtp_port, starttls, yes, include_private)
        return
    _write(messages, output_dir or Path("reminders") / meeting, meeting, format, force, sender, include_private)


def _who(r, include_private: bool) -> str:
    if not r.recipients:
        return "no member with an e-mail address who opted in: deliver it by hand"
    shown = r.addresses if include_private else r.recipients
    return f"to {len(r.recipients)} member(s): {', '.join(shown)}"


def _write(
    messages, folder: Path, meeting: str, format: MessageFormat, force: bool, sender: str | None, include_private: bool
) -> None:
    from redflag_coord.repo.fsio import WriteError, atomic_write
    from redflag_coord.reports.filing import render_eml, render_txt

    done = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for r in messages:
            path = folder / f"{meeting}-{r.collective}.{format.value}"
            data = render_eml(r, sender, include_private) if format is MessageFormat.eml else render_txt(r).encode()
            atomic_write(path, data, overwrite=force)
            done.append(f"wrote {path} ({r.language}; {_who(r, include_private)})")
    except WriteError as e:
        for line in done:
            typer.echo(line)
        fail(str(e), EXIT_USAGE if e.usage else EXIT_DATA)
    except OSError as e:
        fail(f"cannot write to {folder}: {e.strerror or e}", EXIT_DATA)
    for line in done:
        typer.echo(line)


def _send(messages, sender: str | None, host: str, port: int, starttls: bool, yes: bool, include_private: bool) -> None:
    import smtplib

    from redflag_coord.reports.filing import render_eml

    if not sender:
        fail("--send needs --from ADDRESS", EXIT_USAGE)
    sendable = [r for r in messages if r.addresses]
    for r in messages:
        typer.echo(
            f"{'send' if yes else 'would send'} to {r.collective} ({r.language}): {r.subject!r}; "
            f"{_who(r, include_private)}"
        )
    if not yes:
        typer.echo(f"dry run: {len(sendable)} message(s) via {host}:{port}; nothing sent. Add --yes to send.")
        return
    user, password = os.environ.get("REDFLAG_SMTP_USER"), os.environ.get("REDFLAG_SMTP_PASSWORD")
    try:
        with smtplib.SMTP(host, port, timeout=30) as smtp:
            if starttls:
                smtp.starttls()
            if user and password:
                smtp.login(user, password)
            for r in sendable:
                smtp.sendmail(sender, r.addresses, render_eml(r, sender, True))
    except (OSError, smtplib.SMTPException) as e:
        fail(f"sending through {host}:{port} failed: {e}; messages sent before the failure stay sent", EXIT_DATA)
    typer.echo(f"sent {len(sendable)} message(s) via {host}:{port}")
    if len(sendable) < len(messages):
        raise typer.Exit(EXIT_DATA)
