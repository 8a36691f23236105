"""The linear name finder answers what one regular expression of every name answers (leaks.compile_names,
kept as the reference), on any text: the same first name at the same place, or none. Why it exists: one
alternation of every name made validate's check of every report grow with the square of the organisation
(170 s at 10,000 files); benchmarks/run.py measures the figure."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from redflag_coord.org import leaks

LETTERS = "abcdeéñ"
word = st.text(alphabet=LETTERS, min_size=1, max_size=6)
name = st.lists(word, min_size=1, max_size=3).map(" ".join)
glue = st.sampled_from([" ", "  ", "\n", "-", "_", ".", "·", "'", "'s", "s", "es", ",", "x", "’s", ""])


def _both(names: list[str]) -> tuple[leaks.NameFinder, object]:
    patterns: dict[str, int] = {}
    entries: dict[tuple[str, ...], int] = {}
    for n in names:
        for p in leaks.pseudonym_patterns(n):
            patterns.setdefault(p, len(patterns))
        for parts in leaks.name_words(n):
            entries.setdefault(parts, len(entries))
    ordered = sorted(patterns, key=len, reverse=True)
    regex = leaks.compile_names(ordered)
    finder = leaks.NameFinder()
    by_len = sorted(entries, key=lambda parts: len(leaks.name_pattern(" ".join(parts))), reverse=True)
    for rank, parts in enumerate(by_len):
        finder.add(parts, rank, rank)
    return finder, (regex, ordered, by_len)


@settings(max_examples=400, deadline=None)
@given(st.lists(name, min_size=1, max_size=5), st.lists(st.one_of(word, glue), max_size=14))
def test_the_finder_finds_what_the_regex_finds(names: list[str], pieces: list[str]) -> None:
    text = "".join(pieces)
    finder, (regex, ordered, by_len) = _both(names)
    m = regex.search(text)  # type: ignore[attr-defined]
    found = finder.search(text)
    assert (m is None) == (found is None), (names, text, m)
    if m is not None and found is not None:
        assert found == ((m.lastindex or 1) - 1, m.start()), (names, text, m)  # the same name at the same place
        assert leaks.name_pattern(" ".join(by_len[found[0]])) == ordered[found[0]]
