"""The command line: a thin typer app. Commands import the library only when they run."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from . import __version__
from .commands import agenda as _agenda
from .commands import network as _network
from .commands import slots as _slots
from .commands import calendar as _calendar
from .commands import invite as _invite
from .commands import fmt as _fmt
from .commands import init as _init
from .commands import report as _report
from .commands import schema as _schema
from .commands import summary as _summary
from .commands import validate as _validate
from .commands.common import EXIT_INTERNAL

app = typer.Typer(
    name="redflag-coord",
    help="Coordinate the collectives and the International Committee from plain TOML files in git.\n\n"
    "Exit codes: 0 ok, 1 problems in the data, 2 usage error.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"redflag-coord {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Coordinate the collectives and the International Committee from plain TOML files in git."""


app.command("validate")(_validate.validate)
app.command("summary")(_summary.summary)
app.command("agenda")(_agenda.agenda)
app.command("network")(_network.network)
app.command("slots")(_slots.slots)
app.command("invite")(_invite.invite)
app.command("calendar")(_calendar.calendar)
app.command("fmt")(_fmt.fmt)
app.add_typer(_report.app, name="report")
app.command("schema")(_schema.schema)
app.command("init")(_init.init)


def main() -> None:
    try:
        app(prog_name="redflag-coord")
    except KeyboardInterrupt:
        sys.stderr.write("redflag-coord: interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as e:  # a bug: say so plainly, without a traceback
        sys.stderr.write(
            f"redflag-coord: internal error: {type(e).__name__}: {e}\n"
            "This is a bug in redflag-coord, not in your data. Please report it with the command you ran.\n"
        )
        sys.exit(EXIT_INTERNAL)
