"""The bad-input corpus (tests/corpus/cases.py): each case must print exactly its expected lines.

Regenerate the expected files after a deliberate change of messages with
REDFLAG_UPDATE_GOLDEN=1, then review the diff.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "corpus"))

from build import EXPECTED, Case, build
from cases import CASES

UPDATE = os.environ.get("REDFLAG_UPDATE_GOLDEN") == "1"
# path[:line:col]: severity[code]: [key: ]message -- every line names a file under collectives/
LINE = re.compile(r"^collectives(/.+?)?(:\d+:\d+)?: (error|warning)\[[a-z][a-z-]*\]: \S.*$")


def _run_validate(run, root: Path, case: Case, fmt: str = "text"):
    return run("validate", str(root), "--format", fmt, *case.args)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, tmp_path: Path, run) -> None:
    root = build(case, tmp_path)
    result = _run_validate(run, root, case)
    out = result.stdout
    expected_file = EXPECTED / f"{case.id}.txt"
    if UPDATE:
        EXPECTED.mkdir(exist_ok=True)
        expected_file.write_text(out, encoding="utf-8")
    assert expected_file.exists(), f"no {expected_file.name}: run with REDFLAG_UPDATE_GOLDEN=1 and review it"
    assert out == expected_file.read_text(encoding="utf-8")
    assert result.exit_code == case.exit_code, result.stderr
    assert "Traceback" not in out + result.stderr
    for line in out.splitlines():
        assert LINE.match(line), f"not a well-formed problem line: {line!r}"
        assert line.isprintable(), f"unescaped control character in {line!r}"
    if case.exit_code:
        assert out, "a bad input must produce at least one problem"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_json_and_github_agree(case: Case, tmp_path: Path, run) -> None:
    """The same problems in every format, and nothing that breaks the JSON or a workflow command."""
    root = build(case, tmp_path)
    text = _run_validate(run, root, case).stdout.splitlines()
    data = json.loads(_run_validate(run, root, case, "json").stdout)
    assert len(data) == len(text)
    for p in data:
        assert p["file"].startswith("collectives")
        assert set(p) == {"file", "line", "column", "severity", "code", "message", "key"}
    github = _run_validate(run, root, case, "github").stdout.splitlines()
    assert len(github) == len(text)
    for line in github:
        # '::' later in the message is inert: a workflow command only starts a line
        assert re.match(r"^::(error|warning) file=[^:,]*(,line=\d+,col=\d+)?,title=[a-z-]+::\S", line), line


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 100
    assert len({c.id for c in CASES}) == len(CASES)


def test_no_stale_expected_files() -> None:
    ids = {c.id for c in CASES}
    stale = sorted(p.stem for p in EXPECTED.glob("*.txt") if p.stem not in ids)
    assert not stale, f"expected files without a case: {stale}"
