"""The command reference (docs/commands.md), generated from the registered commands' own help.

Each command's `--help`, as a user sees it, under its own heading: every command and every option
is there, and nothing that the CLI does not have. A test regenerates it and compares.
"""

from __future__ import annotations

import os

import typer.main
from typer.testing import CliRunner

from redflag_coord.cli.app import make_app

INTRO = """# Command reference

Generated from each command's `--help` by `python docs/generate.py`; a test fails when this
file and the commands disagree. Every command takes `--root DIR` (or `REDFLAG_ROOT`) to name the
organisation repository; by default it is found upwards from the current folder.
"""


def command_names() -> list[str]:
    """'validate', ..., 'report new', ...: every registered command, groups expanded, in help order."""
    names: list[str] = []

    def walk(prefix: str, cmd: object) -> None:
        sub = getattr(cmd, "commands", None)
        if sub is None:
            names.append(prefix)
            return
        for name, child in sub.items():
            walk(f"{prefix} {name}".strip(), child)

    walk("", typer.main.get_command(make_app()))
    return names


def commands_markdown() -> str:
    runner = CliRunner()
    env = {**os.environ, "COLUMNS": "100", "TERM": "dumb"}
    out = [INTRO, "```", _help(runner, [], env), "```", ""]
    for name in command_names():
        out += [f"## redflag-coord {name}", "", "```", _help(runner, name.split(), env), "```", ""]
    return "\n".join(out).rstrip() + "\n"


def _help(runner: CliRunner, args: list[str], env: dict[str, str]) -> str:
    result = runner.invoke(make_app(), [*args, "--help"], env=env, prog_name="redflag-coord", terminal_width=100)
    return result.stdout.rstrip()
