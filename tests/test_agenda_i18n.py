"""Label catalogs: complete, consistent, and a new language is one new file."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pytest

from redflag_coord.agenda.build import build_agenda
from redflag_coord.agenda.text import render_text
from redflag_coord.i18n import labels as i18n
from redflag_coord.org.load import load_organisation

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_available_languages():
    assert i18n.available() == ("en", "es", "fr", "hi", "pt")


@pytest.mark.parametrize("lang", ["es", "fr", "hi", "pt"])
def test_catalog_has_every_key_with_the_same_placeholders(lang):
    en, other = i18n._catalog("en"), i18n._catalog(lang)
    assert set(other) == set(en), f"missing: {set(en) - set(other)}; unknown: {set(other) - set(en)}"
    for key, text in en.items():
        assert set(PLACEHOLDER.findall(other[key])) == set(PLACEHOLDER.findall(text)), key


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
