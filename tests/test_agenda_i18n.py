"""Label catalogs: complete, consistent, and a new language is one new file."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys

import pytest

from redflag_coord.agenda.build import build_agenda
from redflag_coord.agenda.text import render_text
from redflag_coord.i18n import labels as i18n
from redflag_coord.org.load import load_organisation

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_available_languages():
    assert i18n.available() == ("en", "es", "fr")


@pytest.mark.parametrize("lang", ["es", "fr"])
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


def test_adding_a_language_is_adding_one_file(tmp_path, monkeypatch, example_root):
    locales = tmp_path / "locales"
    shutil.copytree(i18n.LOCALES, locales)
    (locales / "pt.toml").write_text(
        'agenda = "Ordem do dia"\ntimes_heading = "Horários em cada coletivo"\n', encoding="utf-8"
    )
    monkeypatch.setattr(i18n, "LOCALES", locales)
    i18n.available.cache_clear()
    i18n._catalog.cache_clear()
    try:
        text = render_text(
            build_agenda(load_organisation(example_root), "ic-2026-12", lang="pt", today=dt.date(2026, 11, 27))
        )
    finally:
        i18n.available.cache_clear()
        i18n._catalog.cache_clear()
    assert "Ordem do dia" in text and "Horários em cada coletivo" in text
    assert "sábado, 12 de dezembro de 2026" in text  # Babel knows Portuguese already
    assert "Order of the day" in text  # keys the new catalog lacks fall back to English


def test_pick_language():
    assert i18n.pick_language(None, ["hi", "en"]) == "en"
    assert i18n.pick_language(None, ["zu"]) == "en"
    assert i18n.pick_language(None, ["es-SV"]) == "es"
    assert i18n.pick_language("fr", ["es"]) == "fr"
    with pytest.raises(ValueError, match="available: en, es, fr"):
        i18n.pick_language("de", [])


def test_help_stays_light():
    """`redflag-coord --help` must not import Babel, pydantic or the agenda library."""
    code = (
        "import sys, redflag_coord.cli.app; "
        "print(sorted(m for m in ('babel', 'pydantic', 'redflag_coord.agenda.build', 'tomlkit') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
