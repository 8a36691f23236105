"""Text for a terminal in every script: display width in cells, padding, and wrapping by grapheme cluster.

Every renderer that aligns or wraps plain text comes here, so that a Hindi word never loses its nukta
(U+093C) or vowel sign to the next line, a Chinese name counts two cells a character, an accent
written as a combining mark counts none, and an emoji family joined by ZWJ stays one picture.

Widths come from `wcwidth` (kept current with Unicode and with what terminals do) and grapheme clusters
from its UAX #29 segmentation (`iter_graphemes`): one library for both, so that they agree.
"""

from __future__ import annotations

import re
from functools import lru_cache

import wcwidth

# Breakable white space only: a no-break space (French "Relations\u202f:") must stay where it is.
_SPACES = re.compile(r"([\t\n\x0b\x0c\r ]+)")
_CONTROL_SPACE = str.maketrans("\t\n\x0b\x0c\r", "     ")
# Characters that are one cell and one grapheme cluster each, alone or side by side, whatever surrounds
# them: printable ASCII, Latin-1 and Latin Extended-A/B letters (not the soft hyphen), the dashes, quotes
# and bullets of General Punctuation and the narrow no-break space CLDR puts in times ("7:00\u202fAM").
# Text made only of them (most names, topics and times of the Latin-script languages) is measured with
# len() and split with a regex; tests/test_width.py holds this equal to wcwidth for every one of them.
_SIMPLE = re.compile(r"[\x20-\x7e\xa0-\xac\xae-\u024f\u2010-\u2027\u202f\u2030-\u205e]*")


def simple(text: str) -> bool:
    """True when every character of `text` is one cell and one grapheme cluster (the fast paths' test)."""
    return (text.isascii() and text.isprintable()) or _SIMPLE.fullmatch(text) is not None


def width(text: str) -> int:
    """Terminal cells: wide East Asian characters and emoji take two, combining marks and joiners none."""
    if simple(text):
        return len(text)
    return _cells(text)


@lru_cache(maxsize=8192)
def _cells(text: str) -> int:
    """Remembered: tables measure the same cells ('7:00\u202fAM', zone names, labels) for every meeting."""
    return max(0, wcwidth.width(text, control_codes="ignore"))


def graphemes(text: str) -> list[str]:
    """The user-perceived characters of `text` (UAX #29 extended grapheme clusters)."""
    if simple(text):
        return list(text)
    return list(wcwidth.iter_graphemes(text))


def pad(text: str, columns: int, right: bool = False) -> str:
    """`text` filled with spaces to `columns` cells (on the left when `right`); never cut."""
    fill = " " * max(0, columns - width(text))
    return fill + text if right else text + fill


def wrap(text: str, columns: int, initial_indent: str = "", subsequent_indent: str = "") -> list[str]:
    """Lines of at most `columns` cells, indent included, broken at breakable spaces.

    Like `textwrap.wrap` (spaces at a break are dropped, runs of spaces inside a line kept), but measured
    in display cells, and a word longer than a line is cut between grapheme clusters, never inside one.
    Only a single grapheme wider than the room a line has can exceed `columns`. Blank text gives [].
    """
    text = text.translate(_CONTROL_SPACE)
    if not text.strip():
        return []  # nothing to see, no-break spaces included
    if simple(text) and width(initial_indent) + len(text) <= columns and text[0] != " " and text[-1] != " ":
        return [initial_indent + text]  # fits on one line (most table cells)
    if simple(text) and simple(initial_indent) and simple(subsequent_indent):
        return _fill_simple(_chunks(text), columns, initial_indent, subsequent_indent)
    lines = _Lines(columns, initial_indent, subsequent_indent)
    return lines.fill(_chunks(text))


def _fill_simple(chunks: list[str], columns: int, indent: str, rest: str) -> list[str]:
    """`_Lines.fill` for text whose every character is one cell and one cluster: the same steps, measured
    with len() and without a method call a word (an agenda's tables wrap thousands of cells a feed)."""
    done: list[str] = []
    line = ""
    room = columns - len(indent)
    for chunk in chunks:
        space = not chunk.strip(" ")
        if space and not line:
            continue  # a line never starts with the spaces of a break
        if len(line) + len(chunk) <= room:
            line += chunk
            continue
        while True:  # flush the line, then cut a word longer than a line into lines of their own
            kept = line.rstrip(" ")
            if kept:
                done.append(indent + kept)
                indent = rest
                room = columns - len(indent)
            line = ""
            if space or len(chunk) <= room:
                break
            n = min(max(1, room), len(chunk))  # at least one character, as `_Lines._cut`
            line, chunk = chunk[:n], chunk[n:]
        if not space:
            line = chunk
    kept = line.rstrip(" ")
    if kept:
        done.append(indent + kept)
    return done


def _chunks(text: str) -> list[str]:
    """Words and runs of spaces, alternating. A space that a combining mark or joiner follows belongs to
    the cluster it starts, so it is part of a word and no place to break."""
    if simple(text):
        return [c for c in _SPACES.split(text) if c]
    out: list[str] = []
    last_space = None
    for cluster in wcwidth.iter_graphemes(text):
        space = cluster == " "
        if out and space == last_space:
            out[-1] += cluster
        else:
            out.append(cluster)
        last_space = space
    return out


class _Lines:
    """The state of one `wrap`: the lines done and the line being filled.

    Lines are measured whole, indent included: a vowel sign's width depends on what precedes it, so
    widths of pieces do not always add up."""

    def __init__(self, columns: int, first: str, rest: str) -> None:
        self.columns, self.indent, self.rest = columns, first, rest
        self.done: list[str] = []
        self.line = ""
        self.simple = False  # every character one cell: widths add up, len() measures

    def fill(self, chunks: list[str]) -> list[str]:
        for chunk in chunks:
            self._add(chunk)
        self._flush()
        return self.done

    def _fits(self, text: str) -> bool:
        if self.simple:
            return len(self.indent) + len(text) <= self.columns
        return width(self.indent + text) <= self.columns

    def _add(self, chunk: str) -> None:
        space = not chunk.strip(" ")
        if space and not self.line:
            return  # a line never starts with the spaces of a break
        if self._fits(self.line + chunk):
            self.line += chunk
            return
        self._flush()
        if space:
            return
        while not self._fits(chunk):
            self.line, chunk = self._cut(chunk)
            self._flush()
        self.line = chunk

    def _cut(self, word: str) -> tuple[str, str]:
        """The longest run of whole grapheme clusters of `word` that fits the line (at least one), and the rest."""
        clusters = graphemes(word)
        n = 1
        while n < len(clusters) and self._fits("".join(clusters[: n + 1])):
            n += 1
        return "".join(clusters[:n]), "".join(clusters[n:])

    def _flush(self) -> None:
        line = self.line.rstrip(" ")
        if line:
            self.done.append(self.indent + line)
            self.indent = self.rest
        self.line = ""
