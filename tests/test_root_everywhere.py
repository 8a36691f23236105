"""Every registered command takes --root and REDFLAG_ROOT (issue 14)."""

from __future__ import annotations

from typing import Any

import pytest
import typer

from redflag_coord.cli.app import COMMANDS, make_app


def _commands() -> list[tuple[str, Any]]:
    group: Any = typer.main.get_command(make_app())
    out = []
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):  # a group (typer may carry its own click)
            out += [(f"{name} {sub}", c) for sub, c in cmd.commands.items()]
        else:
            out.append((name, cmd))
    return out


def test_every_command_is_walked():
    names = {n.split()[0] for n, _ in _commands()}
    assert names == set(COMMANDS)


@pytest.mark.parametrize("name,cmd", _commands(), ids=[n for n, _ in _commands()])
def test_root_option_and_environment(name, cmd):
    options = {o: p for p in cmd.params for o in getattr(p, "opts", [])}
    assert "--root" in options, f"{name} has no --root"
    assert options["--root"].envvar == "REDFLAG_ROOT", f"{name}: --root does not read REDFLAG_ROOT"


@pytest.mark.parametrize("args", [("validate",), ("fmt", "--check"), ("summary",), ("report", "status", "ic-2026-06")])
def test_root_from_the_environment_is_used(org_copy, run, monkeypatch, tmp_path, args):
    monkeypatch.chdir(tmp_path)  # no organisation here or above
    monkeypatch.setenv("REDFLAG_ROOT", str(org_copy))
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    result = run(*args, "--root", str(org_copy))
    assert result.exit_code == 0, result.stderr
