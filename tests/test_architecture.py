"""The package's shape: import contracts (pyproject's [tool.importlinter]) and no import cycles.

`lint-imports` runs in the README's test command too; this test keeps the cycle check, which
import-linter's layer contracts do not cover inside one layer, and the docstring rule.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import grimp

import redflag_coord

PACKAGE = Path(redflag_coord.__file__).parent


def test_no_import_cycles():
    graph = grimp.build_graph("redflag_coord")
    cycles = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if imported.startswith("redflag_coord") and graph.find_shortest_chain(imported, importer):
                cycles.append(f"{importer} -> {imported} -> ... -> {importer}")
    assert cycles == []


def test_every_package_says_what_it_holds():
    """`ls redflag_coord` and each package's docstring are the architecture: one to three lines each."""
    packages = [name for _, name, is_pkg in pkgutil.walk_packages([str(PACKAGE)], "redflag_coord.") if is_pkg]
    assert {"redflag_coord.cli", "redflag_coord.org", "redflag_coord.agenda", "redflag_coord.calendar"} <= set(packages)
    for name in packages:
        doc = (importlib.import_module(name).__doc__ or "").strip()
        assert doc, f"{name} has no docstring"
        assert 1 <= len(doc.splitlines()) <= 3, f"{name}: {len(doc.splitlines())} lines"


def test_no_flat_modules_left_at_the_top():
    """Capabilities live in packages; only the package's own entry files stand at the top."""
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert top == ["__init__.py", "__main__.py"]


def test_import_contracts_hold():
    """pyproject's [tool.importlinter] contracts, checked by import-linter itself."""
    import shutil
    import subprocess
    import sys

    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert exe, "import-linter is a test dependency: pip install -e '.[test]'"
    run = subprocess.run([exe, "--no-cache"], cwd=PACKAGE.parent, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "4 kept, 0 broken" in run.stdout


# -- no dependency's private API ------------------------------------------------------------------

_THIRD_PARTY = {"tomlkit", "typer", "click", "pydantic", "pydantic_core", "icalendar", "babel", "pyrage", "tomli"}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_api_uses(source: str) -> list[str]:
    """Places where `source` reaches a dependency's underscore name: an import of a private module or
    name, or an underscore attribute on anything but `self`/`cls` (ours have no such attributes)."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] in _THIRD_PARTY and (
                any(_private(p) for p in parts) or any(_private(a.name) for a in node.names)
            ):
                found.append(f"{node.lineno}: from {node.module} import …")
        elif isinstance(node, ast.Import):
            for a in node.names:
                parts = a.name.split(".")
                if parts[0] in _THIRD_PARTY and any(_private(p) for p in parts):
                    found.append(f"{node.lineno}: import {a.name}")
        elif isinstance(node, ast.Attribute) and _private(node.attr):
            if not (isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"}):
                found.append(f"{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) in {"getattr", "setattr", "hasattr"}:
            arg = node.args[1] if len(node.args) > 1 else None
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and _private(arg.value):
                found.append(f"{node.lineno}: {node.func.id}(…, {arg.value!r})")  # type: ignore[attr-defined]
    return found


def test_no_dependency_private_api():
    """A dependency's underscore names change without notice (tomlkit 0.15 removed `_insert_after`,
    and `report new` exited 70 on every fresh install): the package uses public API only."""
    uses = {
        str(p.relative_to(PACKAGE.parent)): hits
        for p in sorted(PACKAGE.rglob("*.py"))
        if (hits := private_api_uses(p.read_text(encoding="utf-8")))
    }
    assert uses == {}


def test_the_private_api_check_sees_what_broke_before():
    """The check itself finds the three shapes that broke or could break a fresh install."""
    assert private_api_uses('doc["t"].value._insert_after("a", "b", c)\n')
    assert private_api_uses("from typer._param_types import coerce_cli_choice\n")
    assert private_api_uses("from typer import _coercion\n")
    assert private_api_uses("import click._compat\n")
    assert private_api_uses("x = getattr(item, '_value')\n")
    assert not private_api_uses("self._cache = {}\nfrom tomlkit.items import Array\nx.__class__\n")


# -- a thin command line -------------------------------------------------------------------------------

COMMANDS_DIR = PACKAGE / "cli" / "commands"
# Decision points, as radon counts them: each branch, loop, handler, `with`, assert, match case and
# conditional expression; each extra operand of `and`/`or`; each comprehension and its `if`s. Written
# here (a dozen lines of ast) rather than taken from mccabe or radon: no test dependency for one number,
# and mccabe leaves out the boolean operators and comprehensions, where the dense code hides.
_BRANCHES = (ast.If, ast.IfExp, ast.For, ast.AsyncFor, ast.While, ast.ExceptHandler, ast.With, ast.AsyncWith)
_BRANCHES += (ast.Assert, ast.match_case)
MAX_COMPLEXITY = 10


def complexity(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Cyclomatic complexity of one function; a nested function or class counts on its own."""
    n, stack = 1, list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(node, _BRANCHES):
            n += 1
        elif isinstance(node, ast.BoolOp):
            n += len(node.values) - 1
        elif isinstance(node, ast.comprehension):
            n += 1 + len(node.ifs)
        stack.extend(ast.iter_child_nodes(node))
    return n


def _functions(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def test_complexity_counts_what_it_says():
    source = (
        "def f(a, b):\n"
        "    if a and b or a:\n"  # if +1, two operands beyond the first +2
        "        return [x for x in a if x]\n"  # comprehension +1, its if +1
        "    for x in b:\n"  # +1
        "        try:\n            pass\n        except ValueError:\n            pass\n"  # +1
        "    def inner():\n        if a:\n            pass\n"  # counted on its own
        "    return 1 if a else 2\n"  # +1
    )
    outer = ast.parse(source).body[0]
    assert isinstance(outer, ast.FunctionDef)
    assert complexity(outer) == 1 + 3 + 2 + 1 + 1 + 1
    assert complexity(outer.body[2]) == 2  # type: ignore[arg-type]


def test_commands_are_thin():
    """Parse options, one library call, render: no function in cli/commands/ above complexity 10."""
    too_complex = [
        f"{path.name}:{fn.lineno} {fn.name} ({complexity(fn)})"
        for path in sorted(COMMANDS_DIR.glob("*.py"))
        for fn in _functions(path)
        if complexity(fn) > MAX_COMPLEXITY
    ]
    assert too_complex == []


# Shared by commands, never commands themselves: the exits and loading, the options, and the sending
# steps of `invite` and `report remind`.
SHARED_CLI_MODULES = {"common", "options", "sending"}


def test_command_modules_do_not_import_each_other():
    from redflag_coord.cli.app import COMMANDS, PARTS

    # a group's commands may live in several modules (PARTS), each a command module like the others
    commands = {module for module, _, _ in COMMANDS.values()} | {module for module, _ in PARTS.values()}
    assert not commands & SHARED_CLI_MODULES
    assert {p.stem for p in COMMANDS_DIR.glob("*.py")} == commands | SHARED_CLI_MODULES | {"__init__"}
    crossing = []
    for name in sorted(commands | {"sending"}):
        tree = ast.parse((COMMANDS_DIR / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("redflag_coord.cli.commands."):
                imported = (node.module or "").rsplit(".", 1)[1]
                allowed = {"common", "options"} | ({"sending"} if name in commands else set())
                if imported not in allowed:
                    crossing.append(f"{name} imports {imported}")
    assert crossing == []


# -- one error type, one handler ----------------------------------------------------------------------


def _error_classes() -> list[type]:
    """Every RedflagError subclass defined in the package (each module imported, so each one is seen)."""
    from redflag_coord.errors import RedflagError

    for _, name, _ in pkgutil.walk_packages([str(PACKAGE)], "redflag_coord."):
        if not name.endswith("__main__"):  # running it is its only job
            importlib.import_module(name)
    found, stack = set(), [RedflagError]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub.__module__.startswith("redflag_coord.") and sub not in found:
                found.add(sub)
                stack.append(sub)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _raising(cls: type, message: str):
    """An instance of `cls` whatever its constructor takes (kind, problems, line...), with the class's own
    `usage` default and `message` as its text."""
    from redflag_coord.errors import RedflagError

    error = cls.__new__(cls)
    RedflagError.__init__(error, message)

    def raise_it(*args, **kwargs):
        raise error

    return raise_it


def test_every_capability_error_is_a_redflag_error():
    names = {c.__name__ for c in _error_classes()}
    expected = {"AgendaError", "OccurrenceError", "SettingsError", "FormatError", "LayoutError", "RootNotFound"}
    expected |= {"PublishError", "ApplyError", "UnknownCollective", "MailError", "WriteError", "Exists", "Changed"}
    expected |= {"GitError", "InitError", "ScaffoldError", "ReportError", "MinutesError", "CryptError"}
    expected |= {"SequenceError", "CalendarError", "SyncError", "UsageError"}
    assert expected <= names
    # no error class of its own beside them: an exception a user can fix is a RedflagError
    from redflag_coord.errors import RedflagError

    strays = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.name.endswith("Error"):
                module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
                cls = getattr(importlib.import_module(module.removesuffix(".__init__")), node.name, None)
                if not (isinstance(cls, type) and issubclass(cls, RedflagError)):
                    strays.append(f"{module}.{node.name}")
    assert strays == []


def test_the_one_handler_catches_every_redflag_error(monkeypatch, tmp_path):
    """Raised from inside a command (here while it finds the organisation), each one prints one line and
    exits 2 for usage, 1 for data: through the app as tests call it, no traceback, no exit 70."""
    from typer.testing import CliRunner

    from redflag_coord.cli.app import app
    from redflag_coord.org import load

    runner = CliRunner()
    for cls in _error_classes():
        message = f"{cls.__name__}: cannot go on; fix the file \x1b[31mand run again"
        monkeypatch.setattr(load, "find_root", _raising(cls, message))
        result = runner.invoke(app, ["validate", "--root", str(tmp_path)])
        assert result.exit_code == (2 if cls.usage else 1), cls
        # one line, the terminal escape shown, not obeyed (as `fail` did)
        assert result.stderr == f"redflag-coord: {cls.__name__}: cannot go on; fix the file \\x1b[31mand run again\n"
        assert result.stdout == ""
        assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), cls


def _main(monkeypatch, capsys, argv: list[str]) -> tuple[int, str]:
    """The console script in-process: its exit code and stderr."""
    import sys

    from redflag_coord.cli.app import main

    monkeypatch.setattr(sys, "argv", ["redflag-coord", *argv])
    try:
        main()
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    return code, capsys.readouterr().err


def test_the_console_script_uses_the_same_handler(monkeypatch, capsys, tmp_path):
    from redflag_coord.errors import UsageError
    from redflag_coord.org import load
    from redflag_coord.repo.fsio import Changed

    monkeypatch.setattr(load, "find_root", _raising(UsageError, "no organisation here; give --root DIR"))
    assert _main(monkeypatch, capsys, ["summary", "--root", str(tmp_path)]) == (
        2,
        "redflag-coord: no organisation here; give --root DIR\n",
    )
    monkeypatch.setattr(load, "find_root", _raising(Changed, "x.toml changed meanwhile; nothing was written"))
    assert _main(monkeypatch, capsys, ["summary", "--root", str(tmp_path)]) == (
        1,
        "redflag-coord: x.toml changed meanwhile; nothing was written\n",
    )


def test_any_other_exception_is_a_bug_exit_70(monkeypatch, capsys, tmp_path):
    from redflag_coord.org import load

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(load, "find_root", broken)
    code, err = _main(monkeypatch, capsys, ["validate", "--root", str(tmp_path)])
    assert code == 70
    assert err == (
        "redflag-coord: internal error: ZeroDivisionError: division by zero\n"
        "This is a bug in redflag-coord, not in your data. Please report it with the command you ran.\n"
    )
    assert "Traceback" not in err
