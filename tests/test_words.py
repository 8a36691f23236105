"""Words every output says (issue 31): counts take the language's CLDR plural form, never '1 members'."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from redflag_coord.i18n import labels as i18n

LANGS = ("en", "es", "fr", "hi", "pt")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _one_values(lang: str) -> list[int]:
    """The small numbers CLDR puts in `one` for the language (1; French, Portuguese, Hindi: 0 too)."""
    from babel import Locale

    return [n for n in (0, 1) if Locale.parse(lang).plural_form(n) == "one"]


def wrong_plurals(lang: str) -> list[re.Pattern[str]]:
    """For each count key whose singular differs from its plural: the plural written for a `one` number
    ('1 members', '/1 reports filed', '0 membres'), the number standing alone (not the end of 21)."""
    t = i18n.Labels(lang)
    out = []
    for key in i18n.plural_keys(lang):
        other = i18n._catalog(lang)[f"{key}.other"]
        # the run of words around {n}, cut at any other placeholder ({list}, {filed})
        piece = next(p for p in re.split(r"\{(?!n\})\w+\}", other) if "{n}" in p)
        for n in _one_values(lang):
            wrong = piece.replace("{n}", t.number(n)).strip()
            if wrong and wrong not in t.count(key, n, list="", filed=""):
                out.append(re.compile(r"(?<![\d.,\u00a0\u202f])" + re.escape(wrong)))
    return out


def test_wrong_plurals_are_found_at_all():
    """The check below has teeth: it knows the wrong forms of every language."""
    found = {lang: {p.pattern for p in wrong_plurals(lang)} for lang in LANGS}
    assert any("1\\ members" in p for p in found["en"])
    assert any("1\\ membres" in p for p in found["fr"]) and any("0\\ membres" in p for p in found["fr"])
    assert any("1\\ miembros" in p for p in found["es"]) and not any("0\\ miembros" in p for p in found["es"])
    assert any("1\\ membros" in p for p in found["pt"])


def _ones(root: Path) -> Path:
    """The example with counts of one: a collective of one member at the meeting, a report of one copy."""
    minutes = root / "collectives/international-committee/minutes/ic-2026-06.toml"
    text = minutes.read_text(encoding="utf-8")
    minutes.write_text(text.replace("india = 2", "india = 1"), encoding="utf-8")
    report = root / "collectives/mexico/reports/ic-2026-12.toml"
    text = report.read_text(encoding="utf-8")
    assert "copies = 50" in text
    report.write_text(text.replace("copies = 50", "copies = 1", 1), encoding="utf-8")
    return root


def _outputs(run, root: Path, lang: str) -> dict[str, str]:
    out = {}
    for meeting in ("ic-2026-06", "ic-2026-12", "la-study-group"):
        for fmt in ("text", "markdown", "html"):
            r = run("agenda", meeting, "--lang", lang, "--format", fmt, "--root", str(root))
            assert r.exit_code == 0, r.stderr
            out[f"agenda {meeting} {fmt}"] = r.stdout
    for fmt in ("text", "markdown", "html"):
        r = run("minutes", "show", "ic-2026-06", "--lang", lang, "--format", fmt, "--root", str(root))
        assert r.exit_code == 0, r.stderr
        out[f"minutes {fmt}"] = r.stdout
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_no_output_writes_a_plural_for_one(org_copy, run, lang, tmp_path):
    root = _ones(org_copy)
    outputs = _outputs(run, root, lang)
    if lang == "en":  # the English-only commands
        for args in (("summary",), ("network",), ("network", "--format", "html"), ("report", "status", "ic-2026-12")):
            r = run(*args, "--root", str(root))
            assert r.exit_code in (0, 1), r.stderr
            outputs[" ".join(args)] = r.stdout
        r = run("report", "remind", "ic-2026-12", "--root", str(root), "--output-dir", str(tmp_path / "remind"))
        outputs["report remind"] = r.stdout + "".join(p.read_text() for p in (tmp_path / "remind").glob("*"))
    for name, text in outputs.items():
        for wrong in wrong_plurals(lang):
            found = wrong.search(text)
            assert found is None, f"{lang} {name}: {text[max(0, found.start() - 60) : found.end() + 20]!r}"
    everything = "\n".join(outputs.values())
    singular = {
        "en": ("1 copy distributed", "(1 member)"),
        "es": ("1 ejemplar distribuido", "(1 miembro)"),
        "fr": ("1 exemplaire distribué", "(1 membre)"),
        "hi": ("1 प्रति बाँटी गई", "(1 सदस्य)"),
        "pt": ("1 exemplar distribuído", "(1 membro)"),
    }[lang]
    assert all(word in everything for word in singular), singular  # the ones were written, in the singular
    if lang == "en":
        assert "1 member " in outputs["summary"] and "1 relationship " in outputs["summary"]
