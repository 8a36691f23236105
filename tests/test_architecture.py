"""The package's shape: import contracts (pyproject's [tool.importlinter]) and no import cycles.

`lint-imports` runs in the README's test command too; this test keeps the cycle check, which
import-linter's layer contracts do not cover inside one layer, and the docstring rule.
"""

from __future__ import annotations

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
