"""fmt's quick path (edit.canonical) and its spreading over processes (org.pool.map_files).

The quick path may only ever answer what the tomlkit path answers: whenever `quick_format`
returns a text, `format_text(..., quick=False)` returns the same text. Proved here over the
example data, the corpus, a generated organisation, and generated and mutated TOML texts.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tomlkit.items import AoT, Array, Comment, InlineTable, Table, Whitespace

from redflag_coord.edit.canonical import already_canonical, comments, quick_format
from redflag_coord.edit.fmt import FormatError, format_paths, format_text, kind_of
from redflag_coord.org.parse import parse_toml
from redflag_coord.org.pool import map_files

ROOT = Path(__file__).resolve().parent.parent
BIN = str(Path(sys.executable).with_name("redflag-coord"))
SEED_FILES = sorted((ROOT / "collectives").rglob("*.toml")) + sorted((ROOT / "tests/corpus").rglob("*.toml"))
KINDS = [None, "report", "meeting", "collective", "members", "relationships", "minutes"]


def _slow(text: str, kind: str | None) -> str | None:
    """What fmt writes without the quick path (None: it refuses the file)."""
    data, _ = parse_toml(text.encode("utf-8", "surrogatepass"), "")
    if data is None:
        return None
    try:
        return format_text(text, kind, data, quick=False)
    except FormatError:
        return None


def _valid(text: str) -> bool:
    data, _ = parse_toml(text.encode("utf-8", "surrogatepass"), "")
    return data is not None


def _agrees(text: str, kind: str | None) -> bool:
    """The property: the quick path answers only what the tomlkit path answers."""
    if not _valid(text):
        return True
    quick = quick_format(text, kind)
    if quick is None:
        return True
    assert _slow(text, kind) == quick, text
    assert already_canonical(text, kind) == (quick == text)
    return quick is not None


@pytest.fixture(scope="module")
def generated_org(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "org"
    subprocess.run([sys.executable, str(ROOT / "benchmarks/generate.py"), str(out), "--files", "300"], check=True)
    return out


@pytest.fixture(scope="module")
def new_reports(tmp_path_factory) -> list[Path]:
    """Reports as `report new` starts them, from the commented template of each language."""
    root = tmp_path_factory.mktemp("templates")
    subprocess.run(["cp", "-a", str(ROOT / "collectives"), str(root)], check=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    env = {**os.environ, "REDFLAG_TODAY": "2026-11-27"}
    made = []
    for collective in ("france", "el-salvador", "mexico"):
        path = root / "collectives" / collective / "reports/ic-2026-12.toml"
        path.unlink(missing_ok=True)
        subprocess.run([BIN, "report", "new", collective, "ic-2026-12"], cwd=root, env=env, capture_output=True)
        made.append(path)
    assert all(p.exists() for p in made)
    return made


def test_quick_path_handles_the_example_and_a_generated_organisation_exactly(generated_org, new_reports):
    files = SEED_FILES + new_reports + sorted((generated_org / "collectives").rglob("*.toml"))
    handled = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        if _valid(text):
            handled += _agrees(text, kind_of(path))
    # not a vacuous property: nearly every real file is decided without tomlkit
    assert handled >= 0.95 * len(files)


# -- generated and mutated texts ---------------------------------------------------------

_PALETTE = [
    "",
    "# a comment",
    "#",
    "# trailing space ",
    "  # indented comment",
    "[red_flag]",
    "[relationships]",
    "[[article]]",
    "[[red_flag.distribution]]",
    "[extra]",
    "[extra.inner]",
    "[ extra ]",
    "[[item]]",
    "[availability]",
    'title = "x"',
    'summary = "a # not a comment"',
    'summary = """\nline one\nline two"""',
    'summary = """one line"""',
    'summary = """ends in a quote""""',
    "summary = '''\nliteral'''",
    "summary = 'literal'",
    "recruits = 3",
    "recruits = 3 # trailing",
    'filed_by = "x"  # two spaces',
    "copies = 2#glued",
    "readers=4",
    "readers  = 4",
    "new = nan",
    "new = +inf",
    "copies = 1_000",
    "filed = 2026-11-27",
    "filed = 2026-11-27 10:00:00",
    "filed = 2026-11-27T10:00:00Z",
    "q = true",
    "zz_unknown = 1",
    '"quoted key" = 1',
    "a.b = 1",
    "by_stage = { contact = 1, reader = 2 }",
    "by_stage = {contact = 1}",
    "by_stage = {}",
    "red_flag = { readers = 3 }",
    'item = [{ topic = "t" }]',
    "list = [1, 2, 3]",
    "list = [1,2]",
    "list = []",
    "list = [[1, 2], [3]]",
    'list = ["' + "x" * 40 + '", "' + "y" * 40 + '", "' + "z" * 20 + '"]',
    'participants = ["international-committee", "los-angeles", "el-salvador", "mexico", "honduras"]',
    "list = [",
    '  "one",',
    "  2,",
    "  # inside",
    "]",
    "  3",
    "],",
]
_KEYS = ["filed", "filed_by", "summary", "recruits", "zz_unknown", "a-b", "kind", "topic", "lead", "x"]


@st.composite
def _built(draw) -> str:
    lines = draw(st.lists(st.sampled_from(_PALETTE), max_size=25))
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n", "\r\n"]))


@st.composite
def _mutated(draw) -> str:
    text = draw(st.sampled_from(SEED_FILES)).read_text(encoding="utf-8")
    lines = text.split("\n")[:-1]
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["swap", "drop", "dup", "insert", "rename", "join"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        elif op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "insert":
            lines.insert(i, draw(st.sampled_from(_PALETTE)))
        elif op == "rename" and " = " in lines[i]:
            lines[i] = draw(st.sampled_from(_KEYS)) + " = " + lines[i].split(" = ", 1)[1]
        elif op == "join" and i + 1 < len(lines):
            lines[i : i + 2] = [lines[i] + lines[i + 1]]
    return "\n".join(lines) + "\n"


def _simple_key_line(line: str) -> bool:
    return bool(re.fullmatch(r"[a-z_]+ = .*", line)) and not line.endswith(("= [", '"""')) and '"""' not in line


@st.composite
def _reshaped(draw) -> str:
    """An example file with the changes fmt makes most: keys swapped, arrays wrapped or unwrapped."""
    text = draw(st.sampled_from(SEED_FILES)).read_text(encoding="utf-8")
    lines = text.split("\n")[:-1]
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["swap", "unwrap", "wrap"]))
        i = draw(st.integers(0, max(0, len(lines) - 2)))
        if op == "swap" and i + 1 < len(lines) and _simple_key_line(lines[i]) and _simple_key_line(lines[i + 1]):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        elif op == "unwrap":
            starts = [n for n, line in enumerate(lines) if line.endswith(" = [")]
            if starts:
                n = draw(st.sampled_from(starts))
                close = lines.index("]", n)
                parts = [line.strip().rstrip(",") for line in lines[n + 1 : close]]
                lines[n : close + 1] = [lines[n] + ", ".join(parts) + "]"]
        elif op == "wrap":
            arrays = [n for n, line in enumerate(lines) if re.fullmatch(r"[a-z_]+ = \[[^\[\]{}]+\]", line)]
            if arrays:
                n = draw(st.sampled_from(arrays))
                key, inner = lines[n].split(" = [", 1)
                lines[n : n + 1] = [f"{key} = [", *(f"  {p}," for p in inner[:-1].split(", ")), "]"]
    return "\n".join(lines) + "\n"


@st.composite
def _from_data(draw) -> str:
    """Random data written by tomlkit, then reformatted once: canonical texts with every value shape."""
    scalars = st.one_of(
        st.integers(-(10**6), 10**6),
        st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x7f"), max_size=30),
        st.dates(),
        st.booleans(),
        st.floats(allow_nan=True),
    )
    values = st.one_of(
        scalars,
        st.lists(st.one_of(st.integers(0, 10**9), st.text("abc é\"\\#'", max_size=25)), max_size=14),
        st.dictionaries(st.sampled_from(["contact", "reader", "x y"]), st.integers(0, 9), max_size=3),
    )
    doc = tomlkit.document()
    for key, value in draw(st.dictionaries(st.sampled_from(_KEYS + ["odd key"]), values, max_size=7)).items():
        if draw(st.booleans()):
            doc.add(tomlkit.comment(draw(st.text("abc éñ#", max_size=10))))
        doc[key] = value
    for name in draw(st.lists(st.sampled_from(["red_flag", "relationships", "extra"]), unique=True, max_size=3)):
        table = tomlkit.table()
        for key, value in draw(st.dictionaries(st.sampled_from(["readers", "new", "q"]), values, max_size=3)).items():
            table[key] = value
        doc[name] = table
    text = tomlkit.dumps(doc)
    if draw(st.booleans()):
        text = _slow(text, "report") or text
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_built(), _mutated(), _from_data(), _reshaped()), st.sampled_from(KINDS))
def test_quick_path_only_answers_what_tomlkit_answers(text, kind):
    _agrees(text, kind)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_reshaped())
def test_quick_path_rewrites_what_tomlkit_rewrites(text):
    path_kind = "report"  # most example files are reports; any kind must agree
    _agrees(text, path_kind)
    _agrees(text, "meeting")


@settings(max_examples=150, deadline=None)
@given(_from_data())
def test_quick_path_decides_canonical_texts(text):
    canonical = _slow(text, "report")
    assume(canonical is not None)
    _agrees(canonical, "report")


# -- the comment count that replaced the second tomlkit parse --------------------------------


def _tomlkit_comments(node: Any) -> Counter:
    """Every comment as tomlkit sees it: what fmt's check counted before (kept here to compare)."""
    found: Counter = Counter()

    def walk(x: Any) -> None:
        if isinstance(x, Whitespace):
            return
        trivia = getattr(x, "trivia", None)
        if trivia is not None and trivia.comment:
            found[trivia.comment.strip()] += 1
        if isinstance(x, Comment):
            return
        if isinstance(x, AoT):
            for t in x.body:
                walk(t)
        elif isinstance(x, Array):
            for g in x._value:
                if getattr(g, "comment", None) is not None:
                    walk(g.comment)
                if getattr(g, "value", None) is not None:
                    walk(g.value)
        elif hasattr(x, "body") or isinstance(x, (Table, InlineTable)):
            body = x.body if hasattr(x, "body") else x.value.body
            for _, v in body:
                walk(v)

    walk(node)
    return found


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_built(), _mutated(), _from_data()))
def test_the_comment_lexer_counts_what_tomlkit_counts(text):
    assume(_valid(text))
    try:
        doc = tomlkit.parse(text)
    except Exception:
        assume(False)
    assert comments(text) == _tomlkit_comments(doc)


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: "/".join(p.parts[-3:]))
def test_the_comment_lexer_counts_what_tomlkit_counts_in_the_example(path):
    text = path.read_text(encoding="utf-8")
    assert comments(text) == _tomlkit_comments(tomlkit.parse(text))


def test_comment_lexer_skips_every_string_form():
    text = "a = \"# no\"\nb = '# no'\nc = \"\"\"\n# no\n\"\"\"\nd = '''\n# no'''\ne = [1, # yes\n]\n# yes \n"
    assert comments(text) == Counter({"# yes": 2})


# -- shapes the quick path leaves to tomlkit (it answers None: not sure) ----------------------

UNSURE = {
    "comment glued to a value": 'filed_by = "rosa"#who\n',
    "comment after an array": "x = [1, 2] # two\n",
    "comments, a blank line, then a key": "filed = 2026-11-27\n\n# c\n\nrecruits = 1\n",
    "comments after the last key": "recruits = 1\n# end\n",
    "comments right below a key, above a table": "recruits = 1\n# about the table\n[red_flag]\nreaders = 1\n",
    "blank line between keys": "filed = 2026-11-27\n\nrecruits = 1\n",
    "blank line after a header": "[red_flag]\n\nreaders = 1\n",
    "blank line before comments above the first key": "[red_flag]\n\n# c\nreaders = 1\n",
    "indented comment": "  # c\nrecruits = 1\n",
    "comment with trailing space": "# c \nrecruits = 1\n",
    "literal string": "filed_by = 'rosa'\n",
    "multi-line literal string": "summary = '''\ntext'''\n",
    "multi-line string ending in a quote": 'summary = """text""""\n',
    "nan": "recruits = nan\n",
    "dotted key": "red_flag.readers = 1\n",
    "quoted key": '"filed by" = "rosa"\n',
    "spaces around =": "recruits=1\n",
    "implicit parent table": "[red_flag.inner]\nx = 1\n",
    "tables out of the model's order": "[relationships]\nnew = 1\n\n[red_flag]\nreaders = 1\n",
    "inline form of a model table": "red_flag = { readers = 1 }\n",
    "array of inline tables": 'article = [{ title = "t" }]\n',
    "nested arrays": "x = [[1], [2]]\n",
    "date-time with a space": "x = 2026-11-27 10:00:00\n",
    "CRLF": "recruits = 1\r\n",
    "no final newline": "recruits = 1",
    "two blank lines": "recruits = 1\n\n\n[red_flag]\nreaders = 1\n",
    "leading blank line": "\nrecruits = 1\n",
    "keys to reorder around a comment": "recruits = 1\n# about the date\nfiled = 2026-11-27\n",
    "array written another way": "x = [\n  1, 2,\n]\n",
    "array with a comment": "x = [\n  1, # one\n]\n",
    "header with spaces": "[ red_flag ]\nreaders = 1\n",
    "header with a comment": "[red_flag] # c\nreaders = 1\n",
    "header right after a key": "recruits = 1\n[red_flag]\nreaders = 1\n",
}


@pytest.mark.parametrize("name", list(UNSURE))
def test_shapes_left_to_tomlkit(name):
    text = UNSURE[name]
    assert quick_format(text, "report") is None
    assert not already_canonical(text, "report")


QUICK = {  # text -> what fmt writes; both paths agree (checked)
    "keys in the model's order": ("recruits = 1\nfiled = 2026-11-27\n", "filed = 2026-11-27\nrecruits = 1\n"),
    "unknown keys after the known ones": ("zz = 1\nrecruits = 1\n", "recruits = 1\nzz = 1\n"),
    "a long array goes one element per line": (
        "x = [" + ", ".join(f'"element-{i}"' for i in range(10)) + "]\n",
        "x = [\n" + "".join(f'  "element-{i}",\n' for i in range(10)) + "]\n",
    ),
    "a short array goes on one line": ('x = [\n  "a",\n  "b",\n]\n', 'x = ["a", "b"]\n'),
    "opening comments right above a table stay": ("# c\n[red_flag]\nreaders = 1\n", "# c\n[red_flag]\nreaders = 1\n"),
    "a comment after a value stays": ('filed_by = "rosa"  # who\n', 'filed_by = "rosa"  # who\n'),
    "comments above tables and at the end stay": (
        'recruits = 1\n\n# a\n\n# b\n[red_flag]\nreaders = 1\n\n# c\n\n[[article]]\ntitle = "t"\n\n# d\n# e\n',
        'recruits = 1\n\n# a\n\n# b\n[red_flag]\nreaders = 1\n\n# c\n\n[[article]]\ntitle = "t"\n\n# d\n# e\n',
    ),
    "opening comments and comments above keys stay": (
        "# file\n\nfiled = 2026-11-27\n# count\nrecruits = 1\n\n# more\nzz = 2\n",
        "# file\n\nfiled = 2026-11-27\n# count\nrecruits = 1\n\n# more\nzz = 2\n",
    ),
}


@pytest.mark.parametrize("name", list(QUICK))
def test_shapes_the_quick_path_writes(name):
    text, expected = QUICK[name]
    assert quick_format(text, "report") == expected
    assert _slow(text, "report") == expected


# -- many processes, one result --------------------------------------------------------------


def _square_or_die(item: tuple[int, int]) -> int:
    main_pid, n = item
    if n == 77 and os.getpid() != main_pid:
        os._exit(3)  # a worker killed mid-run (out of memory, say): its chunk is redone by the caller
    return n * n


def test_map_files_keeps_the_order_and_survives_a_dead_worker():
    items = [(os.getpid(), n) for n in range(600)]
    assert map_files(_square_or_die, items, workers=2) == [n * n for n in range(600)]
    assert map_files(_square_or_die, items[:10], workers=1) == [n * n for n in range(10)]


def _summary(results) -> list:
    return [
        (r.rel, r.changed, r.new_text, None if r.error is None else (str(r.error), r.error.line, r.error.column))
        for r in results
    ]


def test_format_paths_gives_the_same_results_on_one_or_two_processes(generated_org, tmp_path, monkeypatch):
    import shutil

    org = tmp_path / "org"
    shutil.copytree(generated_org, org)
    reports = sorted((org / "collectives").rglob("reports/*.toml"))
    reports[3].write_text("this is = not = toml\n")
    reports[10].write_text(reports[10].read_text() + "zz_late = 1\nfiled_by = 'x'\n")
    serial = _summary(format_paths([org / "collectives"], org, write=False, workers=1))
    spread = _summary(format_paths([org / "collectives"], org, write=False, workers=2))
    assert serial == spread
    assert sum(1 for s in serial if s[3]) == 1 and sum(1 for s in serial if s[1]) >= 2
