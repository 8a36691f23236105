"""`redflag-coord calendar [COLLECTIVE]`"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from redflag_coord.cli.commands.common import (
    EXIT_DATA,
    EXIT_USAGE,
    collective_or_exit,
    fail,
    load_settings_or_exit,
    load_valid_or_exit,
    write_output,
)
from redflag_coord.cli.commands.options import (
    DomainOption,
    ForceOption,
    IdentityOption,
    NoRemindersOption,
    OptionalCollectiveArgument,
    OutputOption,
    ReminderOption,
    RootOption,
)

if TYPE_CHECKING:
    from redflag_coord.calendar.ics import Settings
    from redflag_coord.org.load import Organisation


def calendar(
    collective: OptionalCollectiveArgument = None,
    output: OutputOption = None,
    force: ForceOption = False,
    name: Annotated[
        str | None,
        typer.Option(
            "--name",
            help="Calendar name shown by apps (X-WR-CALNAME); with --caldav --create, the new calendar's name.",
            show_default=False,
        ),
    ] = None,
    caldav: Annotated[
        str | None,
        typer.Option(
            "--caldav",
            metavar="URL",
            show_default=False,
            help="Instead of writing a feed, bring this CalDAV calendar in step with the repository: one object "
            "per meeting (no METHOD), created, updated (If-Match) or deleted. Credentials from "
            "REDFLAG_CALDAV_USER and REDFLAG_CALDAV_PASSWORD, or ~/.netrc.",
        ),
    ] = None,
    caldav_timeout: Annotated[
        float,
        typer.Option(
            "--caldav-timeout",
            metavar="SECONDS",
            min=0.1,
            max=3600,
            help="With --caldav: the most one request to the server may take in all (connecting, sending and "
            "the answer's last byte); a server slower than that is an error.",
        ),
    ] = 30.0,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="With --caldav: say what would change and write nothing.")
    ] = False,
    create: Annotated[
        bool,
        typer.Option(
            "--create",
            help="With --caldav: make the calendar at URL first (MKCALENDAR, named by --name, else as the feed) when "
            "the server has none there; one that exists is used as it is.",
        ),
    ] = False,
    domain: DomainOption = None,
    reminder: ReminderOption = None,
    no_reminders: NoRemindersOption = False,
    root: RootOption = None,
    for_handle: Annotated[
        str | None,
        typer.Option(
            "--for",
            metavar="HANDLE",
            show_default=False,
            help="Instead, this comrade's personal feed: the next steps of the relationships they hold, as tasks "
            "due in their collective's zone. Only with an identity that opens them (theirs); never with --caldav.",
        ),
    ] = None,
    identity: IdentityOption = None,
) -> None:
    """Write the feed calendar apps subscribe to (METHOD:PUBLISH, every meeting, recurring ones included),
    or with --caldav URL keep a CalDAV calendar in step.

    Never holds attendees or email addresses. Exit 0 ok, 1 problems in the data (or a conflict on
    the CalDAV server), 2 usage error.
    """
    from redflag_coord.calendar import ics

    _check_options(caldav, dry_run, caldav_timeout, output is not None or (name is not None and not create), create)
    if for_handle is not None:
        if caldav is not None:
            fail("--for writes a personal feed to a file or the screen, never to a CalDAV server", EXIT_USAGE)
        _personal(collective, for_handle, output, force, domain, identity, root)
        return
    org = load_valid_or_exit(root)
    if collective is not None:
        collective = collective_or_exit(org, collective)
    cal = load_settings_or_exit(org.root).calendar  # the same UIDs and organisers as 'invite'
    reminders = ics.reminders_option(reminder, no_reminders)
    if caldav is not None:
        stamp, _ = ics.stamp_from_history(org.root)
        settings = ics.settings_for(cal, domain, stamp, reminders=reminders)
        title = ics.feed_title(org, collective, name) if create else None
        _sync(org, collective, caldav, settings, dry_run, caldav_timeout, title)
        return
    built = ics.feed(org, collective, ics.settings_for(cal, domain, ics.stamp_default(), reminders=reminders), name)
    data = built.to_ical()
    for warning in built.warnings:
        typer.echo(f"redflag-coord: warning: {warning}", err=True)
    write_output(data.decode("utf-8"), output, force)


def _personal(
    collective: str | None,
    handle: str,
    output: Path | None,
    force: bool,
    domain: str | None,
    identity: Path | None,
    root: Path | None,
) -> None:
    """`calendar --for HANDLE`: the comrade's follow-ups, opened with their identity (org.followups decides)."""
    from redflag_coord.calendar import followups as feed
    from redflag_coord.calendar import ics
    from redflag_coord.cli.commands.common import read_identity_or_exit
    from redflag_coord.org.followups import comrade_collective, feed_items
    from redflag_coord.org.reads import for_collective

    keys = read_identity_or_exit(identity)
    from redflag_coord.cli.commands.common import normalise_id

    reads = for_collective(normalise_id(collective)) if collective else None
    org = load_valid_or_exit(root, reads=reads, identity=identity)
    slug = collective_or_exit(org, collective) if collective is not None else None
    c = comrade_collective(org, handle, slug)
    items = feed_items(org, c, handle, list(keys.recipients) if keys else [])
    cal = load_settings_or_exit(org.root).calendar
    data = feed.render(items, handle, ics.settings_for(cal, domain, ics.stamp_default()))
    write_output(data.decode("utf-8"), output, force)


def _check_options(caldav: str | None, dry_run: bool, timeout: float, feed_options: bool, create: bool) -> None:
    if dry_run and caldav is None:
        fail("--dry-run goes with --caldav URL", EXIT_USAGE)
    if create and caldav is None:
        fail("--create goes with --caldav URL (it makes the calendar on the server)", EXIT_USAGE)
    if timeout != 30.0 and caldav is None:
        fail("--caldav-timeout goes with --caldav URL", EXIT_USAGE)
    if caldav is not None and feed_options:
        fail(
            "--caldav writes to the server, one object per meeting: leave out --output (and --name, unless "
            "--create names the new calendar)",
            EXIT_USAGE,
        )


def _sync(
    org: Organisation,
    collective: str | None,
    url: str,
    settings: Settings,
    dry_run: bool,
    timeout: float,
    create: str | None = None,  # --create: the new calendar's display name
) -> None:
    from redflag_coord.calendar import caldav as dav

    client = dav.Client(url, dav.credentials(url), timeout)  # a wrong address or credentials: SyncError, usage
    desired, warnings = dav.desired_objects(org, collective, settings)
    for warning in warnings:
        typer.echo(f"redflag-coord: warning: {warning}", err=True)
    plan, made = dav.plan_calendar(client, desired, settings.domain, create, dry_run)
    if made == "exists":
        typer.echo(f"the calendar {url} exists already: used as it is", err=True)
    elif made is not None:
        typer.echo(f"{made} the calendar {url} ({create})")
    if dry_run:
        for a in plan.actions:
            typer.echo(f"would {a.kind} {a.meeting_id or a.uid}{_status(a)}")
        typer.echo(f"dry run: {len(plan.actions)} change(s), {len(plan.unchanged)} unchanged; nothing written")
        return
    _render_sync(client, plan, dav.apply(client, plan))


def _render_sync(client, plan, outcome) -> None:
    """What the sync did (stdout), what it left alone and the counts (stderr); exit 1 on a conflict or error."""
    for a in outcome.done:
        typer.echo(f"{a.kind}d {a.meeting_id or a.uid}{_status(a)}")
    for uid in plan.foreign:
        typer.echo(f"left alone: {uid} (not made by this repository)", err=True)
    counts = {k: sum(1 for a in outcome.done if a.kind == k) for k in ("create", "update", "delete")}
    typer.echo(
        f"caldav: {counts['create']} created, {counts['update']} updated, {counts['delete']} deleted, "
        f"{len(plan.unchanged)} unchanged; {sum(client.counts.values())} request(s), {client.writes} writing",
        err=True,
    )
    for problem in outcome.conflicts + outcome.errors:
        typer.echo(f"redflag-coord: {problem}", err=True)
    if outcome.conflicts or outcome.errors:
        raise typer.Exit(EXIT_DATA)


def _status(a) -> str:
    return " (cancelled)" if a.status == "cancelled" else ""
