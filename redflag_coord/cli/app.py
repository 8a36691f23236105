"""The command line: a thin typer app. Commands import the library only when they run."""

from __future__ import annotations

import contextlib
import inspect
import os
import re
import sys
from collections.abc import Iterator
from enum import Enum
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from redflag_coord import __version__
from redflag_coord.cli.commands.common import EXIT_INTERNAL
from redflag_coord.errors import RedflagError

PROG = "redflag-coord"
# Set by the shell when it asks for completions (typer/click's protocol for prog "redflag-coord").
COMPLETE_VAR = "_REDFLAG_COORD_COMPLETE"

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
    "roles": ("roles", "app", True),
    "articles": ("articles", "app", True),
    "decisions": ("decisions", "decisions", False),
    "sources": ("sources", "app", True),
    "split": ("sources", "split", False),
    "motion": ("motion", "app", True),
}

# group -> (module in redflag_coord.cli.commands, its function that adds commands to the group): a group
# whose commands live in more than one module, joined here so command modules never import each other.
PARTS: dict[str, tuple[str, str]] = {
    "secrets": ("trust", "register"),  # issue 28: whoami, recipients, approve, accept, migrate
}


# Examples shown under each command's help (the command reference in docs/ shows the same).
EXAMPLES: dict[str, list[str]] = {
    "validate": [
        "redflag-coord validate",
        "redflag-coord validate --changed --format github",
        "redflag-coord validate --strict",
    ],
    "summary": ["redflag-coord summary", "redflag-coord summary --format json"],
    "agenda": [
        "redflag-coord agenda ic-2026-12",
        "redflag-coord agenda ic-2026-12 --for el-salvador",
        "redflag-coord agenda ic-2026-12 --lang es --output agenda.html",
        "redflag-coord agenda la-study-group --on 2026-12-03",
    ],
    "network": ["redflag-coord network", "redflag-coord network south-africa --output network.html"],
    "slots": ["redflag-coord slots ic-2026-12", "redflag-coord slots --collectives india,los-angeles --days 14"],
    "invite": [
        "redflag-coord invite ic-2026-12 --output ic-2026-12.ics",
        "redflag-coord invite ic-2026-12 --bump --method request --attendees --output ic-2026-12.ics",
    ],
    "calendar": ["redflag-coord calendar --output meetings.ics", "redflag-coord calendar los-angeles --output la.ics"],
    "fmt": ["redflag-coord fmt", "redflag-coord fmt --check --diff"],
    "schema": ["redflag-coord schema", "redflag-coord schema --output-dir schemas/"],
    "init": ["redflag-coord init ../our-organisation"],
    "report new": ["redflag-coord report new france ic-2026-12"],
    "report status": ["redflag-coord report status ic-2026-12", "redflag-coord report status ic-2026-12 --format json"],
    "report remind": ["redflag-coord report remind ic-2026-12", "redflag-coord report remind ic-2026-12 --format eml"],
    "minutes new": ["redflag-coord minutes new ic-2026-12"],
    "minutes show": [
        "redflag-coord minutes show ic-2026-06",
        "redflag-coord minutes show ic-2026-06 --lang es --output minutes.html",
    ],
    "commitments": [
        "redflag-coord commitments",
        "redflag-coord commitments india --format ics --output india-tasks.ics",
    ],
    "publish": ["redflag-coord publish site --base-url https://example.org/meetings/"],
    "new collective": [
        "redflag-coord new collective nepal --name Nepal --timezone Asia/Kathmandu --languages ne,en",
    ],
    "new meeting": [
        "redflag-coord new meeting ic-2027-03 --convener international-committee --start 2027-03-13T07:00 "
        "--participants south-africa,el-salvador,india",
    ],
    "rename collective": ["redflag-coord rename collective india bharat"],
    "secrets keygen": ["redflag-coord secrets keygen", "redflag-coord secrets keygen --output ~/keys/redflag.txt"],
    "secrets encrypt": ["redflag-coord secrets encrypt los-angeles", "redflag-coord secrets encrypt --all"],
    "secrets show": ["redflag-coord secrets show los-angeles --identity ~/keys/redflag.txt"],
    "secrets edit": ["redflag-coord secrets edit collectives/los-angeles/relationships.toml"],
    "secrets reencrypt": ["redflag-coord secrets reencrypt --all"],
    "secrets forget": ["redflag-coord secrets forget los-angeles --member carmen"],
    "secrets whoami": ["redflag-coord secrets whoami -i ~/.config/redflag-coord/identity.txt"],
    "secrets recipients": ["redflag-coord secrets recipients los-angeles"],
    "secrets approve": ["redflag-coord secrets approve los-angeles --signer 'age1…=ed25519:…'"],
    "secrets accept": ["redflag-coord secrets accept los-angeles"],
    "secrets migrate": ["redflag-coord secrets migrate --all -i ~/.config/redflag-coord/identity.txt"],
    "roles next": ["redflag-coord roles next ic-2026-12", "redflag-coord roles next ic-2026-12 --format json"],
    "articles status": [
        "redflag-coord articles status",
        "redflag-coord articles status red-flag-2026-12 --lang hi --output edition.html",
    ],
    "decisions": ["redflag-coord decisions", "redflag-coord decisions --format csv --output decisions.csv"],
    "sources fetch": ["redflag-coord sources fetch", "redflag-coord sources fetch mexico.bundle"],
    "sources status": ["redflag-coord sources status", "redflag-coord sources status --format json"],
    "sources share": ["redflag-coord sources share", "redflag-coord sources share --collective mexico --sign"],
    "sources bundle": [
        "redflag-coord sources bundle --output mexico.bundle",
        "redflag-coord sources bundle --output mexico.bundle.age --recipient age1...",
    ],
    "split": [
        "redflag-coord split --output ../repositories",
        "redflag-coord split --output ../repositories --history keep",
    ],
    "motion open": [
        "redflag-coord motion open strike-fund",
        "redflag-coord motion open strike-fund --acceptable 36h --min-wait 72h",
    ],
    "motion close": ["redflag-coord motion close strike-fund"],
    "motion status": [
        "redflag-coord motion status strike-fund",
        "redflag-coord motion status strike-fund --format json",
    ],
    "secrets vouch": [
        "redflag-coord secrets vouch south-africa",
        "redflag-coord secrets vouch south-africa -i KEY --yes",
    ],
}


def epilog(name: str) -> str | None:
    """The examples of one command as a help epilog; \\b keeps click from rewrapping them."""
    lines = EXAMPLES.get(name)
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines) if lines else None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"redflag-coord {__version__}")
        raise typer.Exit()


class Shell(str, Enum):
    """The shells typer writes completion scripts for."""

    bash = "bash"
    zsh = "zsh"
    fish = "fish"
    powershell = "powershell"
    pwsh = "pwsh"


def _show_completion(value: Shell | None) -> None:
    """Print SHELL's completion script: the shell named, never the one this process runs under
    (typer's own flag detects the parent shell and ignores a name after it)."""
    if value is not None:
        from typer import completion

        typer.echo(completion.get_completion_script(prog_name=PROG, complete_var=COMPLETE_VAR, shell=value.value))
        raise typer.Exit()


def _install_completion(value: Shell | None) -> None:
    """Install SHELL's completion script where that shell reads it (typer's installer)."""
    if value is not None:
        from typer import completion

        shell, path = completion.install(shell=value.value, prog_name=PROG, complete_var=COMPLETE_VAR)
        typer.echo(f"{shell} completion installed in {path}; it takes effect in a new shell")
        raise typer.Exit()


def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    install_completion: Annotated[
        Shell | None,
        typer.Option(
            "--install-completion",
            callback=_install_completion,
            is_eager=True,
            expose_value=False,
            metavar="SHELL",
            show_default=False,
            help="Install tab completion for SHELL (bash, zsh, fish, powershell or pwsh), then open a new shell.",
        ),
    ] = None,
    show_completion: Annotated[
        Shell | None,
        typer.Option(
            "--show-completion",
            callback=_show_completion,
            is_eager=True,
            expose_value=False,
            metavar="SHELL",
            show_default=False,
            help="Print the completion script for SHELL (bash, zsh, fish, powershell or pwsh), to install by hand.",
        ),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Check every file afresh, without reading or writing the cache of checked files "
            "(also REDFLAG_NO_CACHE=1; see docs/cache.md).",
        ),
    ] = False,
) -> None:
    """Coordinate the collectives and the International Committee from plain TOML files in git."""
    from redflag_coord.repo.cache import set_enabled

    set_enabled(not no_cache)


# Typer checks option values with pydantic; its wording ("Input should be greater than or equal to 1",
# "Value error, ...") is replaced by plain words. Click names the option in front of the message.
_PLAIN = [  # patterns compiled on first use (re's cache): only a usage error needs them
    (r"^Value error, ", ""),
    (r"Input should be greater than or equal to (\S+)", r"must be at least \1"),
    (r"Input should be less than or equal to (\S+)", r"must be at most \1"),
    (r"Input should be greater than (\S+)", r"must be more than \1"),
    (r"Input should be less than (\S+)", r"must be less than \1"),
    (r"Input should be a valid integer.*", "must be a whole number, e.g. 3"),
    (r"Input should be a valid number.*", "must be a number"),
    (r"Input should be a valid boolean.*", "must be true or false"),
    (r"Input should be a valid (\w+).*", r"must be a valid \1"),
]


def renamed(message: str, e: Any) -> str:
    """An unknown option that was renamed (options.RENAMED) says what to write now."""
    from redflag_coord.cli.commands.options import RENAMED

    ctx, option = getattr(e, "ctx", None), getattr(e, "option_name", None)
    command = " ".join((ctx.command_path if ctx is not None else "").split()[1:])
    now = RENAMED.get((command, option or ""))
    return f"{message}; write {now}" if now else message


def plain_words(message: str) -> str:
    for pattern, words in _PLAIN:
        message = re.sub(pattern, words, message)
    return message


# click's UsageError, whether typer vendors click or uses it.
_UsageError: type[Exception] = typer.BadParameter.__base__  # type: ignore[assignment]


def error_handler(e: RedflagError) -> int:
    """The one handler of every error a user can fix: one line on stderr, then exit 1 (data) or 2 (usage).

    `main` and the app's group both call it, so the console script and CliRunner (tests call the
    typer app) print the same. Paths and values the user typed may hold terminal escapes: `safe`."""
    from redflag_coord.org.problems import safe

    typer.echo(f"redflag-coord: {safe(str(e))}", err=True)
    return e.exit_code


class _PlainGroup(TyperGroup):
    """The app's group: usage errors in plain words, wherever click raises them; a RedflagError
    raised by any command goes to the one handler."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except _UsageError as e:
            e.message = plain_words(e.message)  # type: ignore[attr-defined]
            raise

    def invoke(self, ctx: Any) -> Any:
        from redflag_coord.cli.progress import shown

        try:
            with _data_warnings(), shown([*getattr(ctx, "protected_args", ()), *ctx.args]):
                return super().invoke(ctx)
        except _UsageError as e:
            e.message = renamed(plain_words(e.message), e)  # type: ignore[attr-defined]
            raise
        except RedflagError as e:
            raise typer.Exit(error_handler(e)) from None
        finally:
            from redflag_coord.cli.commands.common import forget_identities

            forget_identities()  # the next command in this process (tests, CliRunner) reads its own


@contextlib.contextmanager
def _data_warnings() -> Iterator[None]:
    """Show each DataWarning a command raised (something consulted and ignored) once, on stderr."""
    import warnings

    from redflag_coord.errors import DataWarning
    from redflag_coord.org.problems import safe

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        try:
            yield
        finally:
            shown = dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, DataWarning))
            for message in shown:
                typer.echo(f"redflag-coord: warning: {safe(message)}", err=True)
            for w in caught:  # any other warning is shown as Python would have
                if not issubclass(w.category, DataWarning):
                    warnings.showwarning(w.message, w.category, w.filename, w.lineno)


# Readable metavars: what a value looks like, not its Python type (typer shows <str>, <int range>).
METAVARS = {
    "--for": "COLLECTIVE",
    "--collectives": "A,B,C",
    "--on": "YYYY-MM-DD",
    "--to": "YYYY-MM-DD",
    "--since": "YYYY-MM-DD",
    "--length": "DURATION",
    "--step": "DURATION",
    "--output": "FILE",
    "--output-dir": "DIR",
    "--root": "DIR",
    "--identity": "FILE",
    "--smtp": "HOST:PORT",
    "--smtp-host": "HOST",
    "--smtp-port": "PORT",
    "--lang": "LANG",
    "--domain": "DOMAIN",
    "--name": "TEXT",
    "--title": "TEXT",
    "--start": "YYYY-MM-DDTHH:MM",
    "--participants": "A,B,C",
    "--convener": "COLLECTIVE",
    "--timezone": "ZONE",
    "--language": "LANG",
    "--languages": "LANG,LANG",
    "--member": "HANDLE",
    "--base-url": "URL",
    "--caldav": "URL",
}


def _metavar(param: Any) -> str:
    long = max(param.opts, key=len)
    if long in METAVARS:
        return METAVARS[long]
    desc = getattr(param, "type_descriptor", None)
    if desc is not None and desc.is_choice:
        return "|".join(str(getattr(c, "value", c)) for c in desc.choices or ())
    if desc is not None and desc.annotation is int:
        return "N"
    return long.lstrip("-").upper()


class _PlainCommand(TyperCommand):
    """A command whose help reads plainly: MEETING, not {MEETING} or MEETING <str>; --days N, not <int range>."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in super().collect_usage_pieces(ctx)]

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)
        for p in params:
            if p.param_type_name == "argument":
                p.display_type_rich = lambda ctx: None  # the metavar says it: MEETING, COLLECTIVE, PATH
                p.metavar = p.metavar or (p.name or "").upper()
            elif not p.is_flag and p.metavar is None and p.opts and p.opts[0].startswith("-"):
                p.metavar = _metavar(p)
        return params


def make_app(names: list[str] | None = None, listing: bool = False) -> typer.Typer:
    """The app with the named commands (all by default). Typer inspects every registered
    command on each run, so `main` registers only the one being run; for the top-level
    help (`listing`), commands stand in by name and help text alone."""
    import importlib

    app = typer.Typer(
        name="redflag-coord",
        cls=_PlainGroup,
        help="Coordinate the collectives and the International Committee from plain TOML files in git.\n\n"
        "Exit codes: 0 ok, 1 problems in the data, 2 usage error, 70 a bug in this tool (please report it).\n\n"
        "Shell completion: redflag-coord --install-completion SHELL (bash, zsh, fish, powershell), then open a "
        "new shell.",
        no_args_is_help=True,
        add_completion=False,  # --install-completion and --show-completion take the shell's name: _root
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(_root)
    from typer import completion  # its classes answer the shell's requests for completions (COMPLETE_VAR)

    completion.completion_init()
    for name in COMMANDS if names is None else names:
        module, attr, group = COMMANDS[name]
        target = getattr(importlib.import_module(f".commands.{module}", __package__), attr)
        if name in PARTS:
            part, add = PARTS[name]
            getattr(importlib.import_module(f".commands.{part}", __package__), add)(target)
        if listing and group:  # groups are listed after commands, as typer does for the real ones
            stub = typer.Typer(help=target.info.help)
            stub.command("-")(_listed)
            app.add_typer(stub, name=name)
        elif listing:
            app.command(name, help=inspect.cleandoc(target.__doc__ or ""))(_listed)
        elif group:
            for info in target.registered_commands:  # the group's commands share the usage line's style
                if info.cls in (None, TyperCommand):
                    info.cls = _PlainCommand
                info.epilog = info.epilog or epilog(f"{name} {info.name}")
            app.add_typer(target, name=name, cls=TyperGroup)
        else:
            app.command(name, cls=_PlainCommand, epilog=epilog(name))(target)
    return app


def _listed() -> None:
    """Stands in for a command in the top-level help; never run."""


def _wanted(args: list[str]) -> list[str] | None:
    """The one command an argument list runs, or None (help, or an unknown command: list them all)."""
    if os.environ.get(COMPLETE_VAR):  # the shell asks for completions: every command, each with its options
        words = (os.environ.get("COMP_WORDS") or os.environ.get("_TYPER_COMPLETE_ARGS", "")).split()[1:]
        named = [w for w in words if w in COMMANDS]
        return named[:1] or [*COMMANDS]
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
    # Pydantic looks for third-party plugins in every installed package's metadata before it builds the
    # first model (tens of ms at each start); this tool wants none of them near members' data.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        wanted = _wanted(sys.argv[1:])
        make_app(wanted, listing=wanted is None)(prog_name="redflag-coord")
    except RedflagError as e:  # raised outside a command (an option's callback): the same one handler
        sys.exit(error_handler(e))
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
