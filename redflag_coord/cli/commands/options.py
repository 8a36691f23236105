"""The options and arguments the commands share, defined once: each command module takes its shared
options from here, never from another command. One parser for every date option. Imports only typer
and the stdlib (the completions read the repository only when the shell asks)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

RootOption = Annotated[
    Path | None,
    typer.Option(
        "--root",
        "-C",
        help="Organisation repository (a folder holding collectives/). Default: search upwards from here.",
        envvar="REDFLAG_ROOT",
        show_default=False,
    ),
]


IdentityOption = Annotated[
    Path | None,
    typer.Option(
        "--identity",
        "-i",
        help="age identity file or ssh-ed25519 key (passphrase-protected or not) that opens encrypted private "
        "values. Default: REDFLAG_IDENTITY, else the output of REDFLAG_IDENTITY_COMMAND. Without one, everything "
        "that needs no private value still works.",
        show_default=False,
    ),
]


def _complete_meeting(incomplete: str) -> list[str]:
    from redflag_coord.cli.commands.common import complete_meeting

    return complete_meeting(incomplete)


def _complete_collective(incomplete: str) -> list[str]:
    from redflag_coord.cli.commands.common import complete_collective

    return complete_collective(incomplete)


# The arguments every command names the same way, with readable metavars and shell completion.
MeetingArgument = Annotated[
    str,
    typer.Argument(
        metavar="MEETING",
        help="Meeting id: the meeting file's name without .toml (e.g. ic-2026-12).",
        autocompletion=_complete_meeting,
        show_default=False,
    ),
]
OptionalMeetingArgument = Annotated[
    str | None,
    typer.Argument(
        metavar="MEETING",
        help="Meeting id: the meeting file's name without .toml (e.g. ic-2026-12).",
        autocompletion=_complete_meeting,
        show_default=False,
    ),
]
CollectiveArgument = Annotated[
    str,
    typer.Argument(
        metavar="COLLECTIVE",
        help="Collective slug: its folder name under collectives/ (e.g. los-angeles).",
        autocompletion=_complete_collective,
        show_default=False,
    ),
]
OptionalCollectiveArgument = Annotated[
    str | None,
    typer.Argument(
        metavar="COLLECTIVE",
        help="Collective slug: its folder name under collectives/ (e.g. los-angeles). Default: every collective.",
        autocompletion=_complete_collective,
        show_default=False,
    ),
]


# -- names that changed (issue 31: one meaning per option name across the tool) ----------------------

# Spellings that now mean something else, or nothing: a short flag has one meaning, so these cannot
# stay as aliases. An error naming one of them says what to write instead (cli/app.py).
RENAMED: dict[tuple[str, str], str] = {
    ("slots", "-l"): "--length (-l is --lang everywhere)",
    ("slots", "--from"): "--since (--from is a sender address everywhere)",
    ("schema", "--output"): "--output-dir (--output is a file everywhere)",
    ("schema", "-o"): "--output-dir (-o is --output, a file, everywhere)",
    ("report remind", "-o"): "--output-dir (-o is --output, a file, everywhere)",
}


def deprecated(old: str, new: str) -> None:
    """A spelling kept for one release: it works, with this note on stderr."""
    typer.echo(
        f"redflag-coord: warning: {old} is deprecated; write {new} (the old spelling goes in the next release)",
        err=True,
    )


# -- durations: one syntax for every option that takes a span of time (tz/duration.py) ----------------


class DurationParser:
    """Typer's parser of a duration option: whole minutes from 90, 90m, 2h, 1h30m; a usage error (exit 2)
    that names the option and gives an example otherwise. One class, so tests can tell every duration
    option uses it (tests/test_cli_consistency.py)."""

    def __init__(self, least: int = 1, most: int = 1440) -> None:
        self.least, self.most = least, most
        self.__name__ = "DURATION"  # typer names the value's type after its parser

    def __call__(self, value: str | int) -> int:
        if isinstance(value, int):  # a default, already in minutes
            return value
        from redflag_coord.tz.duration import parse_duration  # on use: --help stays light

        try:
            return parse_duration(value, least=self.least, most=self.most)
        except ValueError as e:
            raise typer.BadParameter(str(e)) from None


DURATION_HELP = "A duration: minutes (90) or hours and minutes (2h, 1h30m)."


def duration_option(name: str, help: str, *, least: int = 1, most: int = 1440) -> Any:
    """The typer.Option of a duration: metavar DURATION, one parser, the syntax said in its help."""
    return typer.Option(
        name,
        parser=DurationParser(least, most),
        metavar="DURATION",
        show_default=False,
        help=f"{help} {DURATION_HELP}",
    )


# -- calendars: invite, calendar, publish ----------------------------------------------------------

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
    duration_option(
        "--reminder",
        "How long before the start a reminder goes off (repeatable; 0 at the start, at most 4 weeks); "
        "replaces the file's reminders_minutes.",
        least=0,
        most=40320,
    ),
]
NoRemindersOption = Annotated[bool, typer.Option("--no-reminders", help="No VALARM reminders.")]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE instead of standard output.")]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")]


# -- sending by e-mail: invite, report remind -----------------------------------------------------

SendOption = Annotated[
    bool,
    typer.Option("--send", help="Send by e-mail (SMTP): a dry run that shows what would be sent, unless --confirm."),
]
ConfirmOption = Annotated[bool, typer.Option("--confirm", help="With --send: really connect and send.")]
SmtpOption = Annotated[
    str | None,
    typer.Option(
        "--smtp",
        envvar="REDFLAG_SMTP",
        metavar="HOST:PORT",
        show_default=False,
        help="SMTP server. Default: organisation.toml [mail] host and port, else 127.0.0.1:25.",
    ),
]
SmtpTlsOption = Annotated[
    str | None,
    typer.Option(
        "--smtp-tls",
        metavar="starttls|tls|none",
        show_default=False,
        help="Encryption: starttls (when offered; the default), tls (implicit, port 465) or none.",
    ),
]
FromOption = Annotated[
    str | None,
    typer.Option(
        "--from",
        envvar="REDFLAG_MAIL_FROM",
        show_default=False,
        help="Sender address. Default: organisation.toml [mail] from.",
    ),
]


# -- dates: YYYY-MM-DD, read by parse_date ---------------------------------------------------------

SinceOption = Annotated[
    str | None,
    typer.Option(
        "--since",
        metavar="YYYY-MM-DD",
        show_default=False,
        help="First date (YYYY-MM-DD, UTC). Default: today.",
    ),
]


def parse_date(text: str | None, option: str) -> dt.date | None:
    """The one parser of every date option (--on, --since, --from, --to): YYYY-MM-DD, else a usage error."""
    if text is None:
        return None
    from redflag_coord.tz import span  # on use: --help must not load pydantic_core

    return span.parse_day(text, option)
