"""Label catalogs: complete, consistent, and a new language is one new file."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redflag_coord.agenda.build import build_agenda
from redflag_coord.agenda.text import render_text
from redflag_coord.i18n import labels as i18n
from redflag_coord.org.load import load_organisation

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_available_languages():
    assert i18n.available() == ("en", "es", "fr", "hi", "pt")


def _base(key: str, counts: dict[str, set[str]]) -> str:
    """A count key's form (`members_n.one`) stands for its key: languages have different categories."""
    base, _, cat = key.rpartition(".")
    return base if base in counts and cat in i18n.PLURAL_CATEGORIES else key


@pytest.mark.parametrize("lang", ["es", "fr", "hi", "pt"])
def test_catalog_has_every_key_with_the_same_placeholders(lang):
    en, other = i18n._catalog("en"), i18n._catalog(lang)
    en_counts, counts = i18n.plural_keys("en"), i18n.plural_keys(lang)
    assert set(counts) == set(en_counts), "the same keys take a count in every language"
    en_keys, keys = {_base(k, en_counts) for k in en}, {_base(k, counts) for k in other}
    assert keys == en_keys, f"missing: {en_keys - keys}; unknown: {keys - en_keys}"
    for key, text in other.items():
        reference = en.get(key) or en[f"{_base(key, counts)}.other"]
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(reference)), key


@pytest.mark.parametrize("lang", ["en", "es", "fr", "hi", "pt"])
@settings(max_examples=60, deadline=None)
@given(n=st.one_of(st.integers(0, 2_000), st.integers(0, 10**12), st.sampled_from([10**6, 2 * 10**6, 10**9])))
def test_every_count_key_has_every_form_the_language_needs(lang, n):
    """CLDR's rule for the language (Babel) names the category of n; every count key has a form for it
    (French and Portuguese: 0 and 1 are `one`, a million `many`; Spanish: only 1 is `one`)."""
    from babel import Locale

    category = Locale.parse(lang).plural_form(n)
    counts = i18n.plural_keys(lang)
    assert counts, lang
    t = i18n.Labels(lang)
    for key, forms in counts.items():
        assert category in forms, f"locales/{lang}.toml: {key} has no {category!r} form (for {n})"
        form = i18n._catalog(lang)[f"{key}.{category}"]
        assert "{n}" in form, key
        others = {name: "x" for name in PLACEHOLDER.findall(form) if name != "n"}
        assert t.number(n) in t.count(key, n, **others), key


@pytest.mark.parametrize(
    ("lang", "one", "two"),
    [("en", "1 member", "2 members"), ("es", "1 miembro", "2 miembros"), ("fr", "0 membre", "2 membres")],
)
def test_a_count_takes_the_form_of_its_category(lang, one, two):
    t = i18n.Labels(lang)
    n1 = int(one.split()[0])
    assert t.count("minutes_doc.members_n", n1) == one and t.count("minutes_doc.members_n", 2) == two
    if lang == "es":
        assert t.count("minutes_doc.members_n", 0) == "0 miembros"  # Spanish: 0 is plural
        assert t.count("minutes_doc.members_n", 10**6) == "1.000.000 de miembros"  # CLDR `many`


def test_an_organisation_catalog_may_give_a_count_as_one_string(org_copy):
    """An older catalog of an organisation's own (one string, no forms) still works: it stands for every n."""
    (org_copy / "locales").mkdir()
    (org_copy / "locales" / "de.toml").write_text('[minutes_doc]\nmembers_n = "{n} Mitglieder"\n', "utf-8")
    try:
        i18n.use_folder(org_copy / "locales")
        assert i18n.Labels("de").count("minutes_doc.members_n", 3) == "3 Mitglieder"
        assert i18n.Labels("de").count("copies_total", 1) == "1 copy distributed"  # English, by English's rule
    finally:
        i18n._extra.clear()
        i18n.available.cache_clear()
        i18n._catalog.cache_clear()


def test_every_label_the_renderers_use_exists():
    from pathlib import Path

    agenda = Path(i18n.__file__).parent.parent / "agenda"
    sources = "".join((agenda / f).read_text() for f in ("view.py", "text.py", "html.py"))
    used = set(re.findall(r"\bt\(\s*[\"']([a-z_]+)[\"']", sources))
    assert used and used <= i18n.catalog_keys("en")


def test_an_organisation_adds_a_language_without_reinstalling(org_copy, run):
    """A catalog in the data repository's locales/ folder is read by every command: no reinstall."""
    (org_copy / "locales").mkdir()
    (org_copy / "locales" / "de.toml").write_text(
        'agenda = "Tagesordnung"\ntimes_heading = "Zeiten in jedem Kollektiv"\n', encoding="utf-8"
    )
    try:
        r = run("agenda", "ic-2026-12", "--lang", "de", "--root", str(org_copy))
    finally:
        i18n._extra.clear()
        i18n.available.cache_clear()
        i18n._catalog.cache_clear()
    assert r.exit_code == 0, r.stderr
    assert "Tagesordnung" in r.stdout and "Zeiten in jedem Kollektiv" in r.stdout
    assert "Samstag, 12. Dezember 2026" in r.stdout  # Babel knows German already
    assert "Order of the day" in r.stdout  # keys the new catalog lacks fall back to English


def test_an_organisation_catalog_adjusts_a_built_in_language(org_copy, run):
    (org_copy / "locales").mkdir()
    (org_copy / "locales" / "es.toml").write_text('agenda = "Orden del día"\n', encoding="utf-8")
    try:
        r = run("agenda", "ic-2026-12", "--lang", "es", "--root", str(org_copy))
    finally:
        i18n._extra.clear()
        i18n.available.cache_clear()
        i18n._catalog.cache_clear()
    assert (
        "Orden del día" in r.stdout and "Horario en cada colectivo" in r.stdout
    )  # theirs wins, the rest stays built in


def test_pick_language():
    assert i18n.pick_language(None, ["hi", "en"]) == "hi"
    assert i18n.pick_language(None, ["zu"]) == "en"
    assert i18n.pick_language(None, ["es-SV"]) == "es"
    assert i18n.pick_language(None, ["pt-BR"]) == "pt"
    assert i18n.pick_language("fr", ["es"]) == "fr"
    with pytest.raises(ValueError, match="available: en, es, fr, hi, pt"):
        i18n.pick_language("de", [])


@pytest.mark.parametrize("lang", ["fr"])
def test_french_puts_a_narrow_no_break_space_before_colons(example_root, lang):
    text = render_text(
        build_agenda(load_organisation(example_root), "ic-2026-12", lang=lang, today=dt.date(2026, 11, 27))
    )
    assert "Par étape\u202f:" in text and "Relations" in text
    assert "étape:" not in text and "Lecteurs:" not in text


@pytest.mark.parametrize("lang", ["hi", "pt"])
def test_new_catalogs_render_the_agenda(example_root, lang):
    text = render_text(
        build_agenda(load_organisation(example_root), "ic-2026-12", lang=lang, today=dt.date(2026, 11, 27))
    )
    expected = {"hi": ("कार्यसूची", "दिन का क्रम"), "pt": ("Pauta", "Ordem do dia")}[lang]
    assert all(word in text for word in expected)


def test_help_stays_light():
    """`redflag-coord --help` must not import Babel, pydantic or the agenda library."""
    code = (
        "import sys, redflag_coord.cli.app; "
        "print(sorted(m for m in ('babel', 'pydantic', 'redflag_coord.agenda.build', 'tomlkit') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
