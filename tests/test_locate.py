"""The locator finds the line of every key that tomllib reads, whatever the layout."""

from __future__ import annotations

import datetime as dt
import tomllib

import tomlkit
from hypothesis import given, settings
from hypothesis import strategies as st

from redflag_coord.org.locate import locate, positions

keys = st.one_of(
    st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=6),
)
scalars = st.one_of(
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.text(max_size=20).filter(lambda s: "\x7f" not in s),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=12,
)
documents = st.dictionaries(
    keys,
    st.one_of(values, st.lists(st.dictionaries(keys, values, min_size=1, max_size=3), min_size=1, max_size=3)),
    min_size=1,
    max_size=5,
)


def leaf_paths(obj, prefix=()):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield prefix + (k,)
            yield from leaf_paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield prefix + (i,)
            yield from leaf_paths(v, prefix + (i,))


@settings(max_examples=200, deadline=None)
@given(documents)
def test_every_key_is_located_on_a_line_that_names_it(doc):
    text = tomlkit.dumps(doc)
    parsed = tomllib.loads(text)
    table = positions(text)
    lines = text.split("\n")  # TOML lines end at \n only (str.splitlines also splits at \x85)
    for path in leaf_paths(parsed):
        assert path in table, (path, text)
        line, _col = table[path]
        assert 1 <= line <= len(lines)
        if isinstance(path[-1], str) and path[-1].isidentifier():
            # a bare key: the line holds the key itself (as `key =`, `[..key]` or `key.`)
            assert path[-1] in lines[line - 1], (path, line, text)


def test_array_of_tables_and_subtables():
    text = '[[item]]\nlead = "a"\n\n[[item]]\ntopic = """two\n[[item]]\nlines"""\nlead = "b"\n[item.extra]\nx = 1\n'
    assert locate(text, ("item", 1, "lead")) == (8, 1)
    assert locate(text, ("item", 1, "extra", "x")) == (10, 1)
    assert locate(text, ("item", 1, "missing")) == (4, 1)
    assert ("item", 2) not in positions(text)


def test_inline_tables_and_multiline_arrays():
    text = 'by_stage = { contact = 1, reader = 2 }\nsites = [\n  "a",  # note\n  "b",\n]\n'
    assert locate(text, ("by_stage", "reader")) == (1, 27)
    assert locate(text, ("sites", 1)) == (4, 3)


def test_unknown_path_falls_back_to_start():
    assert locate("a = 1\n", ("zzz",)) == (1, 1)
