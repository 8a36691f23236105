"""`validate`'s fast paths decide exactly what the long ways decide.

- `validate_tree` (the command: reports checked one by one against the frame and let go, on
  every core) finds the same problems as `validate_path` (everything loaded, then checked), on
  the bad-input corpus, a corrupted generated organisation, and one with minutes and answers;
- `fold` of ASCII text equals the long way (NFKC, case fold, TR 39 skeleton);
- the lean walk of `text_problems` equals the walk it replaced;
- a file too small to hold an over-long array is not walked for one, and a long one is still found.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from bench_helpers import generator
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from redflag_coord.check.validate import validate_path, validate_tree
from redflag_coord.org import textcheck
from redflag_coord.org.model import FILE_MODELS, Meeting, Report
from redflag_coord.org.parse import MAX_ARRAY, parse_toml
from redflag_coord.org.problems import Problem

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "corpus"))

from build import build  # noqa: E402
from cases import CASES  # noqa: E402

gen = generator()


# -- validate_tree == validate_path -------------------------------------------------------


def test_tree_finds_what_the_whole_load_finds_on_every_corpus_case(tmp_path: Path):
    differ = []
    for case in CASES:
        root = build(case, tmp_path / case.id)
        if validate_tree(root).problems != validate_path(root).problems:
            differ.append(case.id)
    assert differ == []


@pytest.fixture(scope="module")
def corrupted(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tree") / "org"
    gen.generate(root, gen.plan_for(500), seed=11)
    base = root / "collectives"
    reports = sorted(base.glob("*/reports/*.toml"))
    meetings = sorted(base.glob("*/meetings/*.toml"))
    rels = sorted(base.glob("*/relationships.toml"))
    reports[0].write_text(reports[0].read_text() + "\nrecruits = = 3\n")  # syntax
    reports[1].write_text(reports[1].read_text().replace('filed_by = "', 'filed_by = "nobody', 1))
    reports[2].write_text(reports[2].read_text().replace('to = "', 'to = "atlantis', 1))
    reports[3].write_text(reports[3].read_text().replace('summary = """', 'summary = """TODO: ', 1))
    reports[4].write_text(reports[4].read_text().replace("filed = 20", "filed = 21", 1))  # after the meeting
    reports[5].write_text(reports[5].read_text().replace('title = "', 'title = "call +503 7012 3456 ', 1))
    # a pseudonym of a relationship written into a published report: found by the worker that reads it
    pseudonym = next(line for line in rels[0].read_text().splitlines() if line.startswith("pseudonym"))
    name = pseudonym.split("=", 1)[1].strip().strip('"')
    reports[6].write_text(reports[6].read_text().replace('summary = """', f'summary = """Met {name}. ', 1))
    reports[7].write_text(reports[7].read_text().replace('summary = """', 'summary = """Ro\u202esa ', 1))
    meetings[0].write_text("title = [broken\n")  # its reports can no longer be judged
    return root


@pytest.mark.parametrize("workers", [1, 2])
def test_tree_equals_whole_load_on_a_corrupted_organisation(corrupted: Path, workers: int):
    whole = validate_path(corrupted)
    tree = validate_tree(corrupted, workers=workers)
    codes = {p.code for p in whole.problems}
    assert {"syntax", "unresolved-ref", "draft-report", "report-after-meeting", "private-text", "unsafe-text"} <= codes
    assert tree.problems == whole.problems
    assert tree.org.files == whole.org.files and tree.org.failed == whole.org.failed


def _add_minutes_and_answers(root: Path, minutes: bool) -> None:
    """A report answering a request, another answering nothing known, and (`minutes`) minutes whose
    commitment id a request uses already: the checks across reports have something to find."""
    base = root / "collectives"
    reports = sorted(base.glob("*/reports/*.toml"))
    asked = reports[0]
    asked.write_text(asked.read_text().replace("[[request]]\n", '[[request]]\nid = "leaflets"\n', 1))
    answering = reports[-1]
    answering.write_text(answering.read_text() + '\n[[answer]]\ncommitment = "leaflets"\nstatus = "done"\n')
    lost = reports[-2]
    lost.write_text(lost.read_text() + '\n[[answer]]\ncommitment = "no-such-thing"\nstatus = "done"\n')
    if minutes:
        meeting = sorted(base.glob("*/meetings/*.toml"))[0]
        (meeting.parent.parent / "minutes").mkdir(exist_ok=True)
        (meeting.parent.parent / "minutes" / meeting.name).write_text(
            f'[[commitment]]\nid = "leaflets"\ntext = "Print the leaflet"\nowner = "{meeting.parent.parent.name}"\n'
        )


@pytest.mark.parametrize("minutes", [True, False])
@pytest.mark.parametrize("workers", [1, 2])
def test_tree_keeps_what_the_checks_across_reports_need(tmp_path: Path, minutes: bool, workers: int):
    root = tmp_path / "org"
    gen.generate(root, gen.plan_for(450), seed=4)
    _add_minutes_and_answers(root, minutes)
    whole = validate_path(root).problems
    # without minutes the answers alone make the commitments check run: a second pass reads the requests
    assert any(p.file.endswith(".toml") and "no-such-thing" in p.message for p in whole)
    if minutes:
        assert any(p.code == "duplicate-id" for p in whole)
    assert validate_tree(root, workers=workers).problems == whole


# -- fold of ASCII text ---------------------------------------------------------------------


def _fold_long_way(text: str, confusables: bool = True) -> str:
    folded = textcheck.INVISIBLE.sub("", unicodedata.normalize("NFKC", text).casefold())
    return unicodedata.normalize("NFC", textcheck.skeleton(folded)) if confusables else folded


ascii_text = st.text(alphabet=st.characters(max_codepoint=127), max_size=60)


@given(ascii_text, st.booleans())
def test_fold_of_ascii_equals_the_long_way(text: str, confusables: bool):
    assert textcheck.fold(text, confusables) == _fold_long_way(text, confusables)


def test_fold_of_ascii_look_alikes():
    for text in ['mOdern "1|0%" `I`', "rn" * 5 + "m", "Rosa Maria", ""]:
        assert textcheck.fold(text) == _fold_long_way(text)


# -- text_problems: the lean walk == the walk it replaced ----------------------------------------


def _text_problems_long_way(rel: str, data: dict, model: type[BaseModel]) -> list[Problem]:
    """The walk before: every value through one stack, a key path for each."""
    out: list[Problem] = []
    stack: list[tuple[Any, tuple, type[BaseModel] | None, bool]] = [(data, (), model, False)]
    while stack:
        value, key, cls, one_line = stack.pop()
        kind = type(value)
        if kind is str:
            if value.isascii() and value.isprintable():
                continue
            m = (textcheck._UNSAFE_ONE_LINE if one_line else textcheck._UNSAFE).search(value)
            if m:
                code, message = textcheck._describe(m.start(), m.group())
                out.append(Problem(rel, code, f"holds {message}", key=key))
                continue
            out.extend(textcheck._lookalike_problems(rel, value, key, one_line))
        elif kind is dict:
            fields = textcheck._fields(cls) if cls is not None else {}
            for k, v in value.items():
                sub, short = fields.get(k, (None, False))
                stack.append((v, key + (k,), sub, short))
        elif kind is list:
            for i, v in enumerate(value):
                stack.append((v, key + (i,), cls, one_line))
    return out


tricky = st.text(
    alphabet=st.sampled_from(list("ab \t\n\r\x1b\x7f\u202e\u2066\u200b\u00ad\u0301\u2028é😀\ufe0f\u200d")), max_size=12
)


def _values(model: type[BaseModel]) -> st.SearchStrategy:
    keys = st.sampled_from([*(f.alias or n for n, f in model.model_fields.items()), "extra"])
    leaf = st.one_of(tricky, st.integers(), st.booleans())
    tree = st.recursive(leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3))
    return st.dictionaries(keys, tree, max_size=6)


@settings(max_examples=300)
@given(st.sampled_from([Report, Meeting, *FILE_MODELS.values()]).flatmap(lambda m: st.tuples(st.just(m), _values(m))))
def test_text_walk_equals_the_long_way(case):
    model, data = case

    def order(p: Problem) -> tuple:
        return (p.sort_key(), repr(p.key))

    got = textcheck.text_problems("f.toml", data, model)
    assert sorted(got, key=order) == sorted(_text_problems_long_way("f.toml", data, model), key=order)


# -- the over-long array ----------------------------------------------------------------------


def test_only_a_file_large_enough_can_hold_an_over_long_array():
    shortest = "x = [" + ",".join(["0"] * (MAX_ARRAY + 1)) + "]\n"  # the least bytes such an array takes
    assert len(shortest.encode()) > 2 * MAX_ARRAY
    from redflag_coord.org.parse import _check_data

    raw = ('filed = 2026-11-01\nsummary = "s"\n[[request]]\nto = "a"\ntext = "t"\n' + "\n" * 0).encode()
    data, _ = parse_toml(raw, "r.toml")
    assert _check_data(data, "r.toml", "report", raw)[1] == []
    members = "\n".join(f'[[member]]\nhandle = "m{i}"' for i in range(MAX_ARRAY + 1)).encode()
    data, _ = parse_toml(members, "members.toml")
    model, problems = _check_data(data, "members.toml", "members", members)
    assert model is None and [p.code for p in problems] == ["too-many"]
