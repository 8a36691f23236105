"""The command line: a thin typer app. Commands import the library only when they run."""

from __future__ import annotations

import inspect
import sys
from typing import Annotated

import typer

from redflag_coord import __version__
from redflag_coord.cli.commands.common import EXIT_INTERNAL

# name -> (module in redflag_coord.cli.commands, attribute, a sub-app (group) or a command function)
COMMANDS: dict[str, tuple[str, str, bool]] = {
    "validate": ("validate", "validate", False),
    "summary": ("summary", "summary", False),
    "agenda": ("agenda", "agenda", False),
    "network": ("network", "network", False),
    "slots": ("slots", "slots", False),
    "invite": ("invite", "invite", False),
    "calendar": ("calendar", "calendar", False),
    "fmt": ("fmt", "fmt", False),
    "report": ("report", "app", True),
    "schema": ("schema", "schema", False),
    "init": ("init", "init", False),
    "publish": ("publish", "publish", False),
    "new": ("new", "app", True),
    "rename": ("rename", "app", True),
    "minutes": ("minutes", "app", True),
    "commitments": ("commitments", "commitments", False),
    "secrets": ("secrets", "app", True),
}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"redflag-coord {__version__}")
        raise typer.Exit()


def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Coordinate the collectives and the International Committee from plain TOML files in git."""


def make_app(names: list[str] | None = None, listing: bool = False) -> typer.Typer:
    """The app with the named commands (all by default). Typer inspects every registered
    command on each run, so `main` registers only the one being run; for the top-level
    help (`listing`), commands stand in by name and help text alone."""
    import importlib

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
    app.callback()(_root)
    for name in COMMANDS if names is None else names:
        module, attr, group = COMMANDS[name]
        target = getattr(importlib.import_module(f".commands.{module}", __package__), attr)
        if listing and group:  # groups are listed after commands, as typer does for the real ones
            stub = typer.Typer(help=target.info.help)
            stub.command("-")(_listed)
            app.add_typer(stub, name=name)
        elif listing:
            app.command(name, help=inspect.cleandoc(target.__doc__ or ""))(_listed)
        elif group:
            app.add_typer(target, name=name)
        else:
            app.command(name)(target)
    return app


def _listed() -> None:
    """Stands in for a command in the top-level help; never run."""


def _wanted(args: list[str]) -> list[str] | None:
    """The one command an argument list runs, or None (help, or an unknown command: list them all)."""
    for arg in args:
        if arg in ("-h", "--help"):
            return None
        if not arg.startswith("-"):
            return [arg] if arg in COMMANDS else None
    return [] if args else None


def __getattr__(name: str) -> typer.Typer:
    """`cli.app`, the app with every command (for tests and tools), built on first use."""
    if name == "app":
        globals()["app"] = built = make_app()
        return built
    raise AttributeError(name)


def main() -> None:
    try:
        wanted = _wanted(sys.argv[1:])
        make_app(wanted, listing=wanted is None)(prog_name="redflag-coord")
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
