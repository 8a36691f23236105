"""The confusables table read one character at a time gives the answers of the whole file parsed at once."""

from __future__ import annotations

from importlib import resources

from hypothesis import given, settings
from hypothesis import strategies as st

from redflag_coord.org.textcheck import _confusables, fold, skeleton


def _whole_file() -> dict[int, str]:
    """The table as it was built before (every line parsed at start)."""
    table: dict[int, str] = {}
    text = resources.files("redflag_coord.org").joinpath("data/confusables.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        source, _, target = line.partition("\t")
        table[int(source, 16)] = "".join(chr(int(c, 16)) for c in target.split())
    return table


WHOLE = _whole_file()


def test_every_listed_character_maps_as_in_the_file() -> None:
    assert len(WHOLE) > 9000
    listed = "".join(chr(c) for c in WHOLE)
    assert listed.translate(_confusables()) == listed.translate(WHOLE)
    for code, target in WHOLE.items():
        assert _confusables()[code] == target


def test_unlisted_characters_stay() -> None:
    around = [c + d for c in WHOLE for d in (-1, 1)] + [0, 0x7F, 0xFFFF, 0x10FFFF, 0x1F600]
    text = "".join(chr(c) for c in around if 0 <= c <= 0x10FFFF and not 0xD800 <= c < 0xE000)
    assert text.translate(_confusables()) == text.translate(WHOLE)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40) | st.text(alphabet=st.sampled_from("".join(chr(c) for c in list(WHOLE)[::7])), max_size=20))
def test_skeleton_and_fold_as_with_the_whole_table(text: str) -> None:
    import unicodedata

    nfd = unicodedata.normalize("NFD", text)
    assert skeleton(text) == unicodedata.normalize("NFD", nfd.translate(WHOLE))
    fold(text)  # never fails, whatever the text
