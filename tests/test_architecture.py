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
    assert "3 kept, 0 broken" in run.stdout
