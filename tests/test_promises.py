"""A promise is a test: every promise of safety, privacy or "nothing lost" in the docs names the tests
that attack it (tests/promises.toml), and nothing here lets a promise be written without one.

Three checks, none of which runs the attacking tests (the suite does):
  (a) each entry's `says` still appears in its file (whitespace normalised: Markdown wraps lines);
  (b) each test it names exists in that file (found by AST: a function, a class method, or a
      parametrised function without its `[…]`);
  (c) the scanner below finds every promise sentence in the scanned sections and fails naming each
      one that no `[[promise]]` or `[[exempt]]` entry covers.

The scanner's rule, kept simple on purpose: in the sections listed in `[[scan]]` (a file and a regular
expression that a heading must match; a line belongs to the nearest heading above it, the text before
the first `##` belongs to the title), outside code blocks and HTML comments, a paragraph, list item or
table row is split into sentences at `.`, `!` or `?` followed by a capital, backtick, `*`, `(` or `[`; a
sentence is a promise when it matches PROMISE_WORDS. It is covered when the `says` of an entry for
that file is a substring of it (both whitespace normalised).
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAP = ROOT / "tests" / "promises.toml"

# The words that make a sentence a promise (case-insensitive, whole words). Add a word here rather
# than special-casing a sentence; a sentence that matches and promises nothing goes to [[exempt]].
PROMISE_WORDS = re.compile(
    r"\b(never|refuses?|refused|fails?|reveals?\s+no|not\*?\s+reveal|nothing|only\b.*\bdecides?|cannot|no\s+one\s+else"
    r"|padded|bound|signed|atomic(?:ally)?|meanwhile)\b",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"(?<!e\.g\.)(?<!i\.e\.)(?<=[.!?])\s+(?=[A-Z`*(\[])")
FIX = "add an entry to tests/promises.toml naming the test that attacks it"


def normalise(text: str) -> str:
    return " ".join(text.split())


@cache
def load_map() -> dict[str, list[dict[str, object]]]:
    with MAP.open("rb") as f:
        return tomllib.load(f)


@dataclass(frozen=True)
class Sentence:
    file: str
    line: int
    text: str


def _units(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Paragraphs, list items and table rows, each as its (line number, normalised text) lines."""
    units: list[list[tuple[int, str]]] = []
    fresh = True
    for number, line in lines:
        stripped = line.strip()
        if not stripped:
            fresh = True
            continue
        if stripped.startswith("|"):
            if not re.fullmatch(r"\|[\s|:-]+\|", stripped):  # not the |---| separator
                cells = re.split(r"(?<!\\)\|", stripped.strip("|"))
                units.append([(number, normalise(" ".join(c.strip() for c in cells)))])
            fresh = True
            continue
        if fresh or re.match(r"([-*+]|\d+\.)\s", stripped):
            units.append([])
            fresh = False
        units[-1].append((number, normalise(stripped)))
    return units


def _sentences(unit: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The unit's sentences, each with the line it starts on."""
    text = " ".join(part for _, part in unit)
    starts, offset = [], 0
    for number, part in unit:
        starts.append((offset, number))
        offset += len(part) + 1
    found, cursor = [], 0
    for sentence in SENTENCE_END.split(text):
        cursor = text.index(sentence, cursor)
        found.append((max(number for start, number in starts if start <= cursor), sentence))
        cursor += len(sentence)
    return found


def _scoped_lines(path: Path, heading: re.Pattern[str]) -> list[tuple[int, str]]:
    """The lines of the sections whose heading matches, without code blocks and HTML comments."""
    kept: list[tuple[int, str]] = []
    inside = False
    fence = False
    comment = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("```"):
            fence = not fence
            continue
        if fence:
            continue
        if "<!--" in line:
            comment = "-->" not in line
            continue
        if comment:
            comment = "-->" not in line
            continue
        title = re.match(r"#{1,6}\s+(.*)", line)
        if title:
            inside = bool(heading.search(title.group(1)))
            continue
        if inside:
            kept.append((number, line))
    return kept


def promise_sentences() -> list[Sentence]:
    found: list[Sentence] = []
    for scan in load_map()["scan"]:
        file = str(scan["file"])
        heading = re.compile(str(scan["headings"]), re.IGNORECASE)
        for unit in _units(_scoped_lines(ROOT / file, heading)):
            for number, sentence in _sentences(unit):
                if PROMISE_WORDS.search(sentence):
                    found.append(Sentence(file, number, sentence))
    return found


def _entries() -> list[tuple[str, dict[str, object]]]:
    data = load_map()
    return [("promise", e) for e in data.get("promise", [])] + [("exempt", e) for e in data.get("exempt", [])]


def covering(sentence: Sentence) -> list[dict[str, object]]:
    return [
        entry
        for _, entry in _entries()
        if entry["file"] == sentence.file and normalise(str(entry["says"])) in sentence.text
    ]


@cache
def _defined(test_file: str) -> frozenset[str]:
    """`name` and `Class::name` of every function and method defined in a test file."""
    tree = ast.parse((ROOT / test_file).read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    names.add(f"{node.name}::{item.name}")
    return frozenset(names)


def test_the_map_is_well_formed() -> None:
    problems = []
    seen: set[tuple[object, str]] = set()
    for kind, entry in _entries():
        where = f"tests/promises.toml [[{kind}]] says = {entry.get('says')!r}"
        needed = {"file", "says", "tests"} if kind == "promise" else {"file", "says", "reason"}
        if missing := needed - entry.keys():
            problems.append(f"{where}: missing {', '.join(sorted(missing))}")
            continue
        key = (entry["file"], normalise(str(entry["says"])))
        if key in seen:
            problems.append(f"{where}: listed twice; merge the entries")
        seen.add(key)
        if kind == "promise" and not entry["tests"]:
            problems.append(f"{where}: names no test; {FIX}")
    assert not problems, "\n".join(problems)


def test_every_promise_still_says_what_it_said() -> None:
    """(a) A promise reworded or removed: update `says` (and check the tests still attack it)."""
    problems = []
    for kind, entry in _entries():
        path = ROOT / str(entry["file"])
        if not path.is_file():
            problems.append(f"tests/promises.toml [[{kind}]]: {entry['file']} does not exist")
            continue
        if normalise(str(entry["says"])) not in normalise(path.read_text(encoding="utf-8")):
            problems.append(
                f"{entry['file']} no longer says {entry['says']!r} (tests/promises.toml [[{kind}]]): "
                "update `says` to the sentence as it reads now, and check that its tests still attack it"
            )
    assert not problems, "\n".join(problems)


def test_every_named_test_exists() -> None:
    """(b) A test renamed or removed leaves its promise unattacked."""
    problems = []
    for kind, entry in _entries():
        for node_id in entry.get("tests", []) if kind == "promise" else []:
            test_file, _, name = str(node_id).partition("::")
            name = re.sub(r"\[.*\]$", "", name)
            if not (ROOT / test_file).is_file():
                problems.append(f"{node_id}: no file {test_file} (promise {entry['says']!r} in {entry['file']})")
            elif name not in _defined(test_file):
                problems.append(
                    f"{node_id}: no test {name} in {test_file} (promise {entry['says']!r} in {entry['file']}); "
                    "name the test that now attacks it"
                )
    assert not problems, "\n".join(problems)


def test_every_promise_has_a_test() -> None:
    """(c) A new sentence that promises safety, privacy or "nothing lost" needs a test that attacks it."""
    uncovered = [s for s in promise_sentences() if not covering(s)]
    message = [
        f"{s.file}:{s.line}: {s.text!r}\n"
        f"  promises something no test attacks: {FIX}:\n"
        f'    [[promise]]\n    file = "{s.file}"\n    says = {json.dumps(_fragment(s.text), ensure_ascii=False)}\n'
        '    tests = ["tests/test_….py::test_…"]\n'
        "  (shorten `says` to its distinctive part; if the sentence promises nothing, add an [[exempt]] entry "
        "with file, says and reason instead)"
        for s in uncovered
    ]
    assert not uncovered, "\n".join(message)


def _fragment(sentence: str, most: int = 100) -> str:
    """The sentence cut at a word boundary: a `says` that matches it as it stands."""
    return sentence if len(sentence) <= most else sentence[:most].rsplit(" ", 1)[0]


def test_every_exemption_still_matches_a_scanned_sentence() -> None:
    """An exemption whose sentence is no longer scanned (reworded, moved) would silence nothing: remove it."""
    sentences = promise_sentences()
    stale = [
        f"tests/promises.toml [[exempt]] says = {e['says']!r} ({e['file']}): no scanned sentence holds it; "
        "remove it or update `says`"
        for kind, e in _entries()
        if kind == "exempt" and not any(s.file == e["file"] and normalise(str(e["says"])) in s.text for s in sentences)
    ]
    assert not stale, "\n".join(stale)


@pytest.mark.parametrize(
    ("text", "promise"),
    [
        ("A clone without a key reveals no email.", True),
        ("It writes nothing, says changed meanwhile and exits 1.", True),
        ("Only a current reader decides who reads.", True),
        ("The tool builds agendas.", False),
        ("The value is unsigned.", False),  # `signed` is a whole word
    ],
)
def test_the_rule_finds_promise_words(text: str, promise: bool) -> None:
    assert bool(PROMISE_WORDS.search(text)) is promise


def test_sentences_split_at_a_full_stop_before_a_capital_not_after_eg() -> None:
    unit = "It stays in history, e.g. `git log` shows it. Nothing is sent. (A note.)"
    assert SENTENCE_END.split(unit) == [
        "It stays in history, e.g. `git log` shows it.",
        "Nothing is sent.",
        "(A note.)",
    ]


def test_a_sentence_is_reported_on_the_line_it_starts() -> None:
    unit = [(10, "It writes. Nothing is"), (11, "lost. Then"), (12, "Never.")]
    assert _sentences(unit) == [(10, "It writes."), (10, "Nothing is lost."), (11, "Then Never.")]
