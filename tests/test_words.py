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
    catalog = i18n._catalog(lang)
    out = []
    for key in i18n.plural_keys(lang):
        for n in _one_values(lang):
            wrong, right = (_around_n(catalog[f"{key}.{form}"], n) for form in ("other", "one"))
            if wrong and wrong != right:
                out.append(re.compile(r"(?<![\d.,\u00a0\u202f])" + re.escape(wrong)))
    return out


def _around_n(form: str, n: int) -> str:
    """The run of words around {n}, cut at any other placeholder ({list}, {date}, {filed})."""
    piece = next(p for p in re.split(r"\{(?!n\})\w+\}", form) if "{n}" in p)
    return piece.replace("{n}", str(n)).strip()


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


# -- wording items (issue 31) ------------------------------------------------------------------------


def _agenda(run, root: Path, fmt: str = "text", lang: str = "en") -> str:
    r = run("agenda", "ic-2026-12", "--lang", lang, "--format", fmt, "--root", str(root))
    assert r.exit_code == 0, r.stderr
    return r.stdout


def test_a_draft_is_listed_as_a_draft_not_as_filed(org_copy, run):
    """`report new`'s untouched template is a draft: under Reports it says so, never "Filed … by"."""
    r = run("report", "new", "france", "ic-2026-12", "--root", str(org_copy))
    assert r.exit_code == 0, r.stderr
    text = _agenda(run, org_copy)
    (line,) = [x for x in text.splitlines() if x.startswith("France · ")]
    assert line == "France · Draft by camille, not filed: the summary is not written yet"
    assert "Filed" not in line and "Nov 27" not in line  # the template's date is no filing date
    assert "France · Filed" not in text
    assert "*Draft by camille, not filed: the summary is not written yet*" in _agenda(run, org_copy, "markdown")
    html = _agenda(run, org_copy, "html")
    assert "Draft by camille, not filed" in html and "Filed Nov 27, 2026 by camille" not in html
    assert "France · Borrador de camille, no presentado" in _agenda(run, org_copy, lang="es")
    assert "France · Brouillon de camille, non déposé" in _agenda(run, org_copy, lang="fr")


def test_the_template_red_flag_figures_are_not_reported_not_zero(org_copy, run):
    """A report started without earlier figures leaves `readers` out (a comment): the agenda says "not
    reported", never "Readers: 0"; once written in, the figure shows."""
    r = run("report", "new", "france", "ic-2026-12", "--root", str(org_copy))
    assert r.exit_code == 0 and "readers and copies not given yet" in r.stdout, r.stdout
    report = org_copy / "collectives/france/reports/ic-2026-12.toml"
    text = report.read_text(encoding="utf-8")
    assert "\nreaders = " not in text and "# readers = 0" in text
    block = _agenda(run, org_copy).split("France · ", 1)[1].split("\n\n", 1)[0]
    assert "Red Flag: not reported" in block and "Readers" not in block
    for lang, word in (("es", "Lectores"), ("fr", "Lecteurs")):
        block = _agenda(run, org_copy, lang=lang).split("France · ", 1)[1].split("\n\n", 1)[0]
        assert word not in block
    report.write_text(text.replace("# readers = 0", "readers = 12"), encoding="utf-8")
    block = _agenda(run, org_copy).split("France · ", 1)[1].split("\n\n", 1)[0]
    assert "Readers: 12" in block


def test_a_late_report_is_said_late_with_its_days(org_copy, run, monkeypatch):
    report = org_copy / "collectives/mexico/reports/ic-2026-12.toml"
    report.write_text(report.read_text(encoding="utf-8").replace("filed = 2026-11-20", "filed = 2026-12-08"), "utf-8")
    monkeypatch.setenv("REDFLAG_TODAY", "2026-12-10")
    text = _agenda(run, org_copy)
    block = text.split("Missing and late reports\n", 1)[1]
    assert "Missing reports\n" not in text  # the heading no longer calls a filed report missing
    assert "Mexico       late: filed Dec 8, 2026, 3 days after the due date" in block
    assert "- **Mexico:** late: filed Dec 8, 2026, 3 days after the due date" in _agenda(run, org_copy, "markdown")
    assert "tarde: presentado el 8 dic 2026, 3 días después del plazo" in _agenda(run, org_copy, lang="es")
    assert "Missing and late reports" in _agenda(run, org_copy, "html")
    report.write_text(report.read_text(encoding="utf-8").replace("filed = 2026-12-08", "filed = 2026-12-06"), "utf-8")
    assert "late: filed Dec 6, 2026, 1 day after the due date" in _agenda(run, org_copy)


def test_reminders_say_sealed_addresses_need_a_key(org_copy, run, monkeypatch, tmp_path):
    """India's one member who opted in has an encrypted address: without a key the reminder says the address is
    sealed and a key opens it, not that nobody opted in; with the key it goes to her."""
    (org_copy / "collectives/india/reports/ic-2026-12.toml").unlink()
    monkeypatch.setenv("REDFLAG_TODAY", "2026-12-01")
    monkeypatch.delenv("REDFLAG_IDENTITY")
    args = ("report", "remind", "ic-2026-12", "--root", str(org_copy))
    r = run(*args, "--output-dir", str(tmp_path / "a"))
    (line,) = [x for x in r.stdout.splitlines() if "india" in x]
    assert "the address of 1 member who opted in is sealed: a key is needed to open it" in line, line
    assert "--identity FILE or REDFLAG_IDENTITY" in line and "no member with an e-mail address" not in line
    (honduras,) = [x for x in r.stdout.splitlines() if "honduras" in x]
    assert "no member with an e-mail address who opted in" in honduras  # nobody there: said as before
    sent = run(*args, "--send", "--from", "ic@example.org")
    assert "the address of 1 member who opted in is sealed" in sent.stdout
    monkeypatch.setenv("REDFLAG_IDENTITY", str(Path(__file__).parent / "keys" / "demo-identity.txt"))
    r = run(*args, "--output-dir", str(tmp_path / "b"))
    (line,) = [x for x in r.stdout.splitlines() if "india" in x]
    assert "to 1 member: asha" in line and "is sealed" not in line


@pytest.mark.parametrize(
    ("lang", "meeting", "collective", "topics"),
    [
        ("es", "Primera reunión", "Primer colectivo", ["Informes de los colectivos", "Discusión"]),
        ("fr", "Première réunion", "Premier collectif", ["Rapports des collectifs", "Discussion"]),
        ("en", "First meeting", "First collective", ["Reports from the collectives", "Discussion"]),
        ("tl", "First meeting", "First collective", ["Reports from the collectives", "Discussion"]),  # no catalog
    ],
)
def test_init_writes_names_and_topics_in_the_organisation_language(tmp_path, run, lang, meeting, collective, topics):
    import tomllib

    folder = tmp_path / "org"
    r = run(
        "init", str(folder), "--timezone", "Europe/Paris", "--language", lang, "--allow-local-spec", "--no-encryption"
    )
    assert r.exit_code == 0, r.stderr
    first = tomllib.loads((folder / "collectives/committee/meetings/first-meeting.toml").read_text("utf-8"))
    assert first["title"] == meeting and [i["topic"] for i in first["item"]] == topics
    info = tomllib.loads((folder / "collectives/first-collective/collective.toml").read_text("utf-8"))
    assert info["name"] == collective
    assert run("validate", str(folder)).exit_code == 0
    if lang in ("es", "fr"):  # the agenda of the first meeting reads in one language
        agenda = run("agenda", "first-meeting", "--root", str(folder)).stdout
        assert meeting in agenda and "First meeting" not in agenda and "Reports from" not in agenda


def test_new_meeting_topics_name_each_collective_in_the_meeting_language(run, org_copy):
    """Not "Report from delhi": the collective's name, in the meeting's language."""
    import tomllib

    base = ("new", "meeting", "--convener", "international-committee", "--start", "2027-01-16T07:00")
    for mid, lang, want in (
        ("m-es", "es", ["Informe de India", "Informe de El Salvador"]),
        ("m-fr", "fr", ["Rapport du collectif India", "Rapport du collectif El Salvador"]),
        ("m-en", "en", ["Report from India", "Report from El Salvador"]),
    ):
        r = run(*base, mid, "--participants", "india,el-salvador", "--language", lang, "--root", str(org_copy))
        assert r.exit_code == 0, r.stderr
        path = org_copy / f"collectives/international-committee/meetings/{mid}.toml"
        assert [i["topic"] for i in tomllib.loads(path.read_text("utf-8"))["item"]] == want
        assert "india" not in path.read_text("utf-8").split("[[item]]", 1)[1].replace('lead = "india"', "")
    assert run("validate", str(org_copy)).exit_code == 0


def test_minutes_new_writes_its_comments_in_the_template_language(org_copy, run, monkeypatch):
    """The open commitments' due dates in a Spanish minutes file are commented in Spanish, not "(due …)"."""
    meeting = org_copy / "collectives/international-committee/meetings/ic-2026-12.toml"
    meeting.write_text(meeting.read_text("utf-8").replace('language = "en"', 'language = "es"'), "utf-8")
    monkeypatch.setenv("REDFLAG_TODAY", "2026-12-12")
    monkeypatch.setenv("REDFLAG_NOW", "2026-12-12T18:05:00+00:00")
    r = run("minutes", "new", "ic-2026-12", "--root", str(org_copy))
    assert r.exit_code == 0 and "template: es" in r.stdout, r.stdout + r.stderr
    text = (org_copy / "collectives/international-committee/minutes/ic-2026-12.toml").read_text("utf-8")
    assert "(plazo 20" in text and "(due " not in text
