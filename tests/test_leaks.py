"""The forms private text takes in published text (redflag_coord/org/leaks.py), one by one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redflag_coord.org import leaks
from redflag_coord.org.textcheck import fold


def _finds(name: str, text: str) -> bool:
    pattern = leaks.compile_names(leaks.pseudonym_patterns(leaks.bare(fold(name))))
    return pattern is not None and pattern.search(leaks.bare(fold(text))) is not None


@pytest.mark.parametrize(
    "text",
    [
        "visited Quetzalli Vexo today",
        "visited Quetzalli\nVexo today",  # wrapped
        "visited Quetzalli  Vexo today",  # two spaces
        "visit-quetzalli-vexo",  # a meeting id
        "Quetzalli's sister",  # possessive
        "Quetzalli’s sister",
        "the Vexos came",  # plural of a rare word alone
        "Quetzalli came alone",  # a rare word alone
        "QUETZALLI",
        "Quetza\u00adlli Vexo",  # soft hyphen inside
    ],
)
def test_a_multi_word_pseudonym_is_found(text: str) -> None:
    assert _finds("Quetzalli Vexo", text)


@pytest.mark.parametrize(
    "name,text",
    [
        ("Rosa Luxemburgo", "la rosa del jardín"),  # 'rosa': a common word
        ("El Tío Vexo", "el tío de Marta"),  # 'tío': 3 letters
        ("El Negro Vexo", "un gato negro"),  # 'negro': a common word
        ("Quetzalli Vexo", "Quetzallicoatl"),  # not a whole word
        ("Doña Flor", "la flor"),  # no word is rare enough alone
        ("El Maestro", "entre maestros y obreros"),  # a common word, even in the plural
    ],
)
def test_ordinary_words_are_not_taken_for_a_pseudonym(name: str, text: str) -> None:
    assert not _finds(name, text)


def test_accents_dropped_still_match() -> None:
    assert _finds("Doña Flor", "visita-dona-flor")
    assert _finds("Toño", "Tono's")


@pytest.mark.parametrize("word", sorted(leaks.COMMON))
def test_common_words_are_not_rare(word: str) -> None:
    assert not leaks.is_rare(fold(word))


@given(st.text(alphabet=st.characters(categories=("L",)), min_size=leaks.RARE_MIN, max_size=12))
def test_a_long_word_outside_the_list_is_rare(word: str) -> None:
    folded = fold(word)
    if len(folded) >= leaks.RARE_MIN and folded.isalpha() and folded not in {fold(w) for w in leaks.COMMON}:
        assert leaks.is_rare(folded)


@pytest.mark.parametrize(
    "text",
    [
        "flor at riseup.net",
        "write to flor [at] riseup [dot] net",
        "flor(at)riseup(dot)net",
        "flor {at} riseup {dot} org",
        "flor at riseup dot net",
        "flor.gomez at mail.riseup.net",
    ],
)
def test_obfuscated_emails_are_found(text: str) -> None:
    assert leaks.obfuscated_email(fold(text))


@pytest.mark.parametrize(
    "text",
    ["we meet at the park. next week", "look at 6.30", "at the gate", "arrive at noon", "at ic-2026-12"],
)
def test_ordinary_at_is_not_an_email(text: str) -> None:
    assert not leaks.obfuscated_email(fold(text))


@pytest.mark.parametrize(
    "text,region",
    [("Llamen al 7012 3456", "SV"), ("70123456", "SV"), ("tel 2222-3333", "SV"), ("55 1234 5678", "MX")],
)
def test_local_phone_numbers_by_country(text: str, region: str) -> None:
    assert leaks.local_phone(text, [region])


@pytest.mark.parametrize(
    "text", ["1200 copies, 3400 readers", "meeting 2026-12-05 at 18:00", "ic-2026-12 follows ic-2026-06", "Room 101"]
)
def test_numbers_that_are_no_phone(text: str) -> None:
    assert not leaks.local_phone(text, ["SV", "MX", "US", "IN", "ZA"])


def test_region_from_country_else_time_zone() -> None:
    assert leaks.region_of("sv", None) == "SV"
    assert leaks.region_of(None, "America/El_Salvador") == "SV"
    assert leaks.region_of(None, "Africa/Johannesburg") == "ZA"
    assert leaks.region_of(None, "Etc/UTC") is None
