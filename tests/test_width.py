"""Text wrapping for a terminal in every script the catalogs cover, and names in any script (issue 31).

The promise: a line never ends inside a grapheme cluster (a nukta stays with its letter, an emoji
family stays one picture), never exceeds its width in display cells, and no word is lost or changed.
"""

from __future__ import annotations

import unicodedata

import wcwidth
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from redflag_coord.i18n.width import graphemes, pad, width, wrap

# Pieces of text as members write them: Hindi with nukta and vowel signs, Portuguese, French and Spanish
# accents (precomposed and combining), CJK wide characters, emoji with ZWJ and skin tones, flags, and
# the no-break spaces French punctuation uses.
PIECES = [
    "क़",
    "ज़ि",
    "फ़्",
    "क्षि",
    "ड़",
    "ं",
    "ा",
    "\u093c",
    "é",
    "e\u0301",
    "ç",
    "ñ",
    "ão",
    "日",
    "本語",
    "한",
    "👩\u200d👩\u200d👧",
    "👍🏽",
    "🇧🇷",
    "a",
    "Z",
    "-",
    "\u202f:",
    "\u00a0",
    " ",
    " ",
    "  ",
    "\t",
]

texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
columns = st.integers(min_value=2, max_value=40)
indents = st.sampled_from(["", "  ", "  - ", "    "])


def _boundaries(text: str) -> set[int]:
    """Code-point offsets where a grapheme cluster of `text` ends."""
    ends, at = set(), 0
    for cluster in wcwidth.iter_graphemes(text):
        at += len(cluster)
        ends.add(at)
    return ends


def _clusters_without_spaces(text: str) -> list[str]:
    return [g for g in graphemes(text) if not g.isspace() or g in ("\u00a0", "\u202f")]


@settings(max_examples=400, deadline=None)
@given(texts, columns, indents, indents)
@example("क़िताब क़िताब", 4, "", "")  # the issue: a nukta split from its letter onto its own line
@example("a \u0301b", 2, "", "")  # a space a combining mark follows starts a cluster: no break there
def test_wrapping_never_splits_a_cluster_never_overflows_and_keeps_every_word(text, cols, first, rest):
    assume(cols > max(width(first), width(rest)))  # an indent that leaves no room is no layout
    lines = wrap(text, cols, first, rest)
    if not text.strip():
        assert lines == []  # blank, no-break spaces included: no line at all
        return
    flat = text.translate(str.maketrans("\t\n\x0b\x0c\r", "     "))
    for i, line in enumerate(lines):
        indent = first if i == 0 else rest
        assert line.startswith(indent)
        body = line[len(indent) :]
        clusters = graphemes(body)
        assert clusters and clusters[0] != " " and clusters[-1] != " "  # no line starts or ends with a break's space
        # Only a single cluster wider than the room a line has may exceed it.
        assert width(line) <= cols or (len(clusters) == 1 and width(body) > cols - width(indent)), (line, cols)
        # The line's text is a run of whole clusters of the original text.
        assert body in flat
    # Joining the lines gives back the text's clusters, in order, spaces aside.
    bodies = [line[len(first if i == 0 else rest) :] for i, line in enumerate(lines)]
    assert [g for b in bodies for g in _clusters_without_spaces(b)] == _clusters_without_spaces(flat)
    # Every line ends at a cluster boundary of the text: walk the text and find each line in turn.
    at, ends = 0, _boundaries(flat) | {0}
    for body in bodies:
        at = flat.index(body, at)
        assert at in ends and at + len(body) in ends, (flat, body)
        at += len(body)
    # When every word fits a line, the words come back whole.
    if all(width(first + w) <= cols and width(rest + w) <= cols for w in _words(flat)):
        assert [w for b in bodies for w in _words(b)] == _words(flat)


def _words(text: str) -> list[str]:
    """Runs of clusters between breakable spaces (a space a combining mark follows is no break)."""
    words, word = [], ""
    for g in graphemes(text):
        if g == " ":
            words, word = words + [word] if word else words, ""
        else:
            word += g
    return words + [word] if word else words


def test_hindi_table_cells_keep_the_nukta_with_its_letter():
    # "ज़िला परिषद" (district council), narrow enough to wrap: no line starts with a nukta or vowel sign.
    lines = wrap("ज़िला परिषद क़ानूनी सलाह", 6)
    assert lines == ["ज़िला", "परिषद", "क़ानूनी", "सलाह"]
    assert all(unicodedata.category(line[0]) not in ("Mn", "Mc") for line in lines)  # no line starts with a mark


def test_width_counts_cells_not_code_points():
    assert width("日本語") == 6
    assert width("e\u0301") == 1
    assert width("👩\u200d👩\u200d👧") == 2
    assert width("Relations\u202f:") == 11
    assert pad("日本", 6) == "日本  " and pad("é", 3, right=True) == "  é"


def test_a_hindi_agenda_table_keeps_every_cluster_whole(org_copy, run):
    """The issue's case end to end: Hindi topics in the agenda's table, wrapped in its last column."""
    meeting = org_copy / "collectives/international-committee/meetings/ic-2026-12.toml"
    topic = "रेड फ़्लैग: फ़ैक्टरी ज़िले में क़रीबी रिश्ते, नए साथियों और दोस्तों के बीच कम्युनिस्ट नेतृत्व का विकास"
    text = meeting.read_text(encoding="utf-8")
    first = text.index('topic = "') + len('topic = "')
    meeting.write_text(text[:first] + topic + text[text.index('"', first) :], encoding="utf-8")
    r = run("agenda", "ic-2026-12", "--for", "india", "--root", str(org_copy))
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert all(width(line) <= 92 for line in lines)
    cells = [c for line in lines for c in line.split("  ") if c.strip()]
    for cell in cells:  # no cell starts with a mark cut from its letter (a nukta, a vowel sign, a virama)
        assert unicodedata.category(cell.strip()[0]) not in ("Mn", "Mc"), cell
    # The topic comes back whole, its words in order, from the lines of its column.
    start = next(i for i, line in enumerate(lines) if "रेड" in line)
    column = lines[start].index("रेड")
    words = [w for line in lines[start : start + 6] for w in line[column:].split()]
    assert words[: len(topic.split())] == topic.split()


# -- the fast paths: text whose every character is one cell and one cluster ---------------------------

_SIMPLE_CHARS = [
    chr(c)
    for lo, hi in ((0x20, 0x7E), (0xA0, 0xAC), (0xAE, 0x24F), (0x2010, 0x2027), (0x202F, 0x202F), (0x2030, 0x205E))
    for c in range(lo, hi + 1)
]


def test_every_character_the_fast_path_trusts_is_one_cell_and_one_cluster_for_wcwidth() -> None:
    """The installed wcwidth (CI also runs the oldest and the newest allowed) agrees with the fast path."""
    from redflag_coord.i18n.width import simple

    assert all(simple(c) for c in _SIMPLE_CHARS)
    for c in _SIMPLE_CHARS:
        assert wcwidth.wcwidth(c) == 1, hex(ord(c))
        assert list(wcwidth.iter_graphemes(f"a{c}{c}b")) == ["a", c, c, "b"], hex(ord(c))
    # and what it does not trust goes the long way: marks, joiners, soft hyphen, wide and bidi characters
    for c in ("\u0301", "\u200d", "\u00ad", "日", "\u200f", "\u2028", "\t"):
        assert not simple(f"a{c}b"), hex(ord(c))


@settings(max_examples=150, deadline=None)
@given(text=st.text(st.sampled_from([*_SIMPLE_CHARS, " ", " ", " "]), max_size=60), cols=st.integers(4, 30))
def test_the_fast_path_measures_and_wraps_as_the_long_way(text: str, cols: int) -> None:
    assert width(text) == max(0, wcwidth.width(text, control_codes="ignore"))
    assert graphemes(text) == list(wcwidth.iter_graphemes(text))
    lines = wrap(text, cols)
    assert all(width(line) <= cols for line in lines)
    if text.strip():  # blank text (no-break spaces too) gives no line at all, as wrap promises
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost but the spaces of breaks


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(st.sampled_from(["a", "b", "é", "\u202f", "-", " ", " ", " "]), max_size=80),
    cols=st.integers(5, 24),  # wider than the indents (a wider indent is no caller's case)
    first=st.sampled_from(["", "  ", "- "]),
    rest=st.sampled_from(["", "  ", "    "]),
)
def test_the_one_cell_wrapper_breaks_lines_where_the_measuring_one_does(text: str, cols: int, first: str, rest: str):
    """`wrap` of one-cell text takes a shortcut (len, no method call a word); the general wrapper, which
    measures each line, must break the same text at the same places, long words and indents included."""
    from redflag_coord.i18n.width import _chunks, _fill_simple, _Lines

    chunks = _chunks(text)
    assert _fill_simple(chunks, cols, first, rest) == _Lines(cols, first, rest).fill(list(chunks))
