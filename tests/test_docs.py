"""Docs that cannot drift: the generated references match the code, and every console example in
the README and docs/ runs and prints what the page says.

A console example is a ```console block: lines starting `$ ` are commands, the lines after them
their output (stdout and stderr, as a terminal shows them). A line `...` alone stands for any
number of lines the page leaves out (indented or not). An HTML comment `<!-- setup: COMMANDS -->` just before a block
runs COMMANDS first, unseen (to break a file for a validate example, say). Each block runs in a
fresh copy of the example organisation (its collectives, organisation.toml and the DEMO keys in
tests/keys), inside a git repository, with no environment of ours: what a newcomer's shell has. A page
is one shell session: `$ export NAME=VALUE` (the DEMO identity, the day the examples run on) holds for
the rest of the page, so the page shows every variable its examples need. After changing a command,
regenerate with

    REDFLAG_UPDATE_DOCS=1 .venv/bin/python -m pytest tests/test_docs.py

and read the diff before committing it.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "docs"))
import generate

UPDATE = os.environ.get("REDFLAG_UPDATE_DOCS") == "1"
BIN = Path(sys.executable).parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
BLOCK = re.compile(r"(?:^<!-- setup: (.*?) -->\n)?^```console\n(.*?)^```\n", re.S | re.M)


@pytest.mark.parametrize("name", sorted(generate.PAGES))
def test_generated_reference_matches_the_code(name):
    page = REPO / "docs" / name
    made = generate.PAGES[name]()
    if UPDATE:
        page.write_text(made, encoding="utf-8")
    assert page.read_text(encoding="utf-8") == made, f"run: python docs/generate.py ({name} is stale)"


def test_every_command_and_option_is_in_the_reference():
    from redflag_coord.cli.reference import command_names

    text = (REPO / "docs" / "commands.md").read_text(encoding="utf-8")
    for name in command_names():
        assert f"## redflag-coord {name}\n" in text
    documented = set(re.findall(r"^## redflag-coord (.+)$", text, re.M))
    assert documented == set(command_names()), "documented commands the CLI does not have"


def _examples(page: Path) -> list[tuple[int, str, str]]:
    text = page.read_text(encoding="utf-8")
    return [(text[: m.start()].count("\n") + 1, m.group(1) or "", m.group(2)) for m in BLOCK.finditer(text)]


EXAMPLES = [(page, line, setup, body) for page in PAGES for line, setup, body in _examples(page)]


def matches(expected: str, got: str) -> bool:
    """`got` is `expected`, where a line `...` stands for any number of lines."""
    pattern = "".join(
        r"(?:[^\n]*\n)*?" if line.strip() == "..." else re.escape(line) + r"\n" for line in expected.splitlines()
    )
    return re.fullmatch(pattern, got) is not None


EXPORT = re.compile(r"^\$ export ([A-Z_][A-Z0-9_]*)=(\S+)$", re.M)


def _exports_before(page: Path, line: int) -> dict[str, str]:
    """The variables the page exported above `line`: a reader's shell still has them."""
    above = "\n".join(body for start, _, body in _examples(page) if start < line)
    return dict(EXPORT.findall(above))


def _run_block(body: str, workdir: Path, setup: str = "", exported: dict[str, str] | None = None) -> str:
    # A newcomer's shell: none of our variables (the fixtures in conftest.py set REDFLAG_TODAY and the
    # DEMO identity for the other tests), only a terminal's width and the tool on PATH.
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDFLAG_")}
    env |= {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "COLUMNS": "100", "NO_COLOR": "1"}
    env |= exported or {}
    if setup:
        subprocess.run(["bash", "-c", setup], cwd=workdir, env=env, check=True, capture_output=True, timeout=60)
    out: list[str] = []
    lines = body.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("$ "):
            continue
        shown = [line]
        while shown[-1].endswith("\\") and i + len(shown) < len(lines):  # continued on the next line
            shown.append(lines[i + len(shown)])
        command = "\n".join(shown)[2:]
        out += shown
        if exported_here := EXPORT.fullmatch(line):
            env[exported_here.group(1)] = exported_here.group(2)
        done = subprocess.run(
            ["bash", "-c", command], cwd=workdir, env=env, capture_output=True, text=True, timeout=120
        )
        out += (done.stdout + done.stderr).rstrip("\n").splitlines() if (done.stdout + done.stderr).strip() else []
    return "\n".join(out) + "\n"


def _workdir(tmp_path: Path) -> Path:
    root = tmp_path / "org"
    shutil.copytree(REPO / "collectives", root / "collectives")
    git = ["git", "-c", "user.name=secretariat", "-c", "user.email=secretariat@example.invalid"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    dated = {**os.environ, "GIT_AUTHOR_DATE": "2026-11-01T12:00:00Z", "GIT_COMMITTER_DATE": "2026-11-01T12:00:00Z"}
    subprocess.run([*git, "commit", "-qm", "example"], cwd=root, check=True, env=dated)
    for extra in ("organisation.toml", "locales", "tests/keys", "trust"):  # trust: who reads, approved (issue 28)
        source = REPO / extra
        if source.is_file():
            shutil.copy(source, root / extra)
        elif source.is_dir():
            shutil.copytree(source, root / extra)
    return root


@pytest.mark.parametrize(
    ("page", "line", "setup", "body"), EXAMPLES, ids=[f"{p.name}:{n}" for p, n, _, _ in EXAMPLES] or None
)
def test_console_example_prints_what_the_page_says(page, line, setup, body, tmp_path):
    got = _run_block(body, _workdir(tmp_path), setup, _exports_before(page, line))
    if matches(body, got):
        return
    if UPDATE:
        text = page.read_text(encoding="utf-8")
        page.write_text(text.replace(f"```console\n{body}```", f"```console\n{got}```", 1), encoding="utf-8")
        return
    assert got == body, f"{page.name}:{line}: the example's output changed (REDFLAG_UPDATE_DOCS=1 rewrites it)"


def test_ellipsis_stands_for_any_lines():
    assert matches("$ a\n...\nend\n", "$ a\nx\ny\nend\n")
    assert matches("$ a\n...\nend\n", "$ a\nend\n")
    assert not matches("$ a\nend\n", "$ a\nx\nend\n")


def test_there_are_console_examples():
    assert len(EXAMPLES) >= 1


def test_links_between_pages_resolve():
    for page in PAGES:
        prose = re.sub(r"`[^`\n]*`", "", page.read_text(encoding="utf-8"))  # code spans hold no links
        for target in re.findall(r"\]\(((?!https?:|#)[^)#]+)", prose):
            assert (page.parent / target).exists(), f"{page.name} links to {target}, which does not exist"


def test_every_shell_example_names_a_real_command():
    from redflag_coord.cli.reference import command_names

    names = command_names()
    for page in PAGES:
        for line in re.findall(r"^(?:\$ )?(redflag-coord [^\n`]+)$", page.read_text(encoding="utf-8"), re.M):
            try:
                words = shlex.split(line.split("#")[0])[1:]
            except ValueError:  # a line continued with a backslash: its first words are enough
                words = line.split()[1:]
            if not words or words[0].startswith("-"):
                continue
            assert any(" ".join(words[: len(n.split())]) == n for n in names), f"{page.name}: {line}"


def test_messages_point_to_pages_that_hold_what_they_promise():
    """A message or help text that sends the reader to a page names a page and section that exist
    (the README lost its privacy sections to docs/privacy.md once, and the messages kept pointing there)."""
    import ast

    for path in sorted((REPO / "redflag_coord").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            assert "README" not in node.value, f"{path.relative_to(REPO)}: {node.value!r} points to the README"
            for page, section in re.findall(r"(docs/\w+\.md)(?:,? \(?([A-Z][a-z]+(?: [a-z]+)*)\)?)?", node.value):
                text = (REPO / page).read_text(encoding="utf-8")
                assert not section or re.search(rf"^#+ .*{section}|^\*{section}\*", text, re.M | re.I), (
                    f"{path.relative_to(REPO)}: {page} has no section {section!r}"
                )
