"""`redflag-coord calendar [COLLECTIVE]`"""

from __future__ import annotations

from typing import Annotated

import typer

from redflag_coord.cli.commands.common import (
    EXIT_DATA,
    OptionalCollectiveArgument,
    RootOption,
    collective_or_exit,
    fail,
    load_valid_or_exit,
    write_output,
)
from redflag_coord.cli.commands.invite import DomainOption, ForceOption, NoRemindersOption, OutputOption, ReminderOption


def calendar(
    collective: OptionalCollectiveArgument = None,
    output: OutputOption = None,
    force: ForceOption = False,
    name: Annotated[
        str | None, typer.Option("--name", help="Calendar name shown by apps (X-WR-CALNAME).", show_default=False)
    ] = None,
    domain: DomainOption = None,
    reminder: ReminderOption = None,
    no_reminders: NoRemindersOption = False,
    root: RootOption = None,
) -> None:
    """Write the feed calendar apps subscribe to (METHOD:PUBLISH, every meeting, recurring ones included).

    Never holds attendees or email addresses. Exit 0 ok, 1 problems in the data, 2 usage error.
    """
    from redflag_coord.calendar import ics

    org = load_valid_or_exit(root)
    if collective is not None:
        collective = collective_or_exit(org, collective)
    try:
        settings = ics.Settings(
            domain=ics.check_domain(domain) if domain else ics.domain_default(),
            stamp=ics.stamp_default(),
            reminders=() if no_reminders else (tuple(reminder) if reminder else None),
        )
        built = ics.feed(org, collective, settings, name)
        data = built.to_ical()
    except ics.CalendarError as e:
        fail(str(e), EXIT_DATA)
    for warning in built.warnings:
        typer.echo(f"redflag-coord: warning: {warning}", err=True)
    write_output(data.decode("utf-8"), output, force)
