"""The table of checks (check/registry.py) is the one list of what `validate` checks across files:
each entry says what it ensures in one line and names its codes, and every code a check can emit
is in the table (so `validate --changed` and docs/checks.md, which read the table, miss none)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import REPO

import redflag_coord
from redflag_coord.check import registry
from redflag_coord.check.privacy import CODE as PRIVATE_TEXT
from redflag_coord.check.validate import validate_path
from redflag_coord.org.parse import _CODES

PACKAGE = Path(redflag_coord.__file__).parent
# A file's problems against its model, named from pydantic's error types (org.parse), and a line break
# in a one-line value (org.textcheck.unsafe_char returns its code).
SCHEMA_CODES = {*_CODES.values(), "wrong-type", "bad-value", "one-line"}


def emitted_codes(folder: Path) -> dict[str, set[str]]:
    """Every problem code a module in `folder` passes to `Problems.add` or `Problem(...)`, by module."""
    found: dict[str, set[str]] = {}
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {  # module-level NAME = "code"
            t.id: n.value.value
            for n in tree.body
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name not in ("add", "Problem") or len(node.args) < 2:
                continue
            code = node.args[1]
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                found.setdefault(path.name, set()).add(code.value)
            elif isinstance(code, ast.JoinedStr):  # f"dst-{p.kind}": the kinds of a wall-time problem
                found.setdefault(path.name, set()).update({"dst-gap", "dst-ambiguous"})
            elif isinstance(code, ast.Name) and code.id in constants:
                found.setdefault(path.name, set()).add(constants[code.id])
            elif isinstance(code, ast.Name) and code.id == "CODE":  # privacy.CODE, imported
                found.setdefault(path.name, set()).add(PRIVATE_TEXT)
    return found


def test_every_check_says_in_one_line_what_it_ensures():
    for check in registry.CHECKS:
        doc = (check.run.__doc__ or "").strip()
        assert doc.startswith("Ensure "), f"{check.name}: its docstring says what it ensures ('Ensure …')"
        assert len(doc.splitlines()) == 1, f"{check.name}: one line"
        assert check.ensures == doc


def test_every_check_has_a_name_scope_and_codes_of_its_own():
    names = [c.name for c in registry.CHECKS]
    assert len(names) == len(set(names)), "check names are unique (they are how the docs and --skip name them)"
    for check in registry.CHECKS:
        assert check.scope in registry.SCOPES
        assert check.codes, f"{check.name} names no code"
        assert len(check.codes) == len(set(check.codes)), f"{check.name} names a code twice"
        assert set(check.follows) <= set(check.codes), f"{check.name}: follows names a code it does not report"


def test_every_code_a_check_emits_is_in_the_table_and_no_other():
    """Every code only a check module emits is in the table, and every code in the table is emitted by
    a check module (codes org emits too, such as unknown-file that --changed repeats from discovery,
    or sealed-damaged that opening a value reports as well, are each file's own)."""
    in_check = set().union(*emitted_codes(PACKAGE / "check").values())
    in_org = set().union(*emitted_codes(PACKAGE / "org").values())
    in_table = {code for c in registry.CHECKS for code in c.codes}
    assert in_check - in_org <= in_table, "a check emits a code the table does not name"
    assert in_table <= in_check, "the table names a code no check emits"


def test_changed_reads_its_codes_from_the_table():
    from redflag_coord.check import changed

    assert registry.follows() == changed._REFERENCE_CODES
    assert registry.follows() == {
        "unresolved-ref",
        "not-invited",
        "report-after-meeting",
        "duplicate-handle",
        "duplicate-meeting",
    }


def test_every_code_the_corpus_expects_is_a_file_problem_or_a_checks():
    """The bad-input corpus's expected output (tests/corpus/expected): each code comes from the files'
    own checks (org) or from a check in the table."""
    in_org = set().union(*emitted_codes(PACKAGE / "org").values()) | SCHEMA_CODES
    in_table = {code for c in registry.CHECKS for code in c.codes}
    seen = set()
    for expected in sorted((REPO / "tests" / "corpus" / "expected").glob("*.txt")):
        seen |= set(re.findall(r"^\S+: (?:error|warning)\[([a-z-]+)\]", expected.read_text(encoding="utf-8"), re.M))
    assert seen, "the corpus expects problems"
    assert seen <= in_org | in_table
    assert seen & in_table, "the corpus reaches checks across files"


def test_the_scopes_of_a_whole_validation_all_run(example_root, monkeypatch):
    """Each scope validate walks is walked: a check in it that raises shows up. Without the cache: an earlier
    test's run on the same checkout may have kept a content-only check's answer (the published-text scan),
    which is then read, not run (CI's newest-versions run met that order)."""
    monkeypatch.setenv("REDFLAG_NO_CACHE", "1")
    calls: list[str] = []
    old = registry.CHECKS
    try:
        registry.CHECKS = tuple(registry.Check(c.name, c.scope, _spy(c, calls), c.codes, c.follows) for c in old)
        registry._REPORT = registry.of("report")
        validate_path(example_root)
    finally:
        registry.CHECKS = old
        registry._REPORT = registry.of("report")
    assert {c.name for c in old if c.scope != "repository"} <= set(calls)  # the validate command walks it


def _spy(check: registry.Check, calls: list[str]):
    def run(*args):
        """Ensure it was called."""
        calls.append(check.name)
        check.run(*args)

    return run
