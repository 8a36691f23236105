"""One home per fact (issue 27): each fact is computed in one place and every caller asks it, so the
callers agree. Each test here drives the callers of one fact and holds them to the same answer."""

from __future__ import annotations

import ast
import datetime as dt
import os
import shutil
import subprocess
import sys
import typing
from pathlib import Path

import pytest
import tomlkit

from redflag_coord.org.load import Organisation, UnknownCollective, UnknownMeeting, load_organisation

PACKAGE = Path(__file__).resolve().parent.parent / "redflag_coord"
EXE = shutil.which("redflag-coord", path=str(Path(sys.executable).parent)) or "redflag-coord"
README_WORDING = (
    "no meeting 'IC-2026-12'; did you mean 'ic-2026-12'? (known meetings: ic-2026-06, ic-2026-12, la-study-group)"
)


def _modules() -> list[tuple[str, ast.Module]]:
    return [
        (str(p.relative_to(PACKAGE.parent)), ast.parse(p.read_text(encoding="utf-8")))
        for p in sorted(PACKAGE.rglob("*.py"))
    ]


def _console(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REDFLAG_TODAY": "2026-11-27"}
    return subprocess.run([EXE, *args, "--root", str(root)], capture_output=True, text=True, env=env, timeout=120)


def _set(path: Path, **values: object) -> None:
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    for key, value in values.items():
        doc[key] = value
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")


# -- a collective's name, zone and languages: Organisation.name_of / zone_of / languages_of -------------------


def test_no_module_outside_org_reads_a_collectives_name_itself():
    """`x.info.name` outside org/ (and check/, which checks the raw value) is a second rule for the display name."""
    readers = [
        f"{path}:{node.lineno}"
        for path, tree in _modules()
        if not path.startswith(("redflag_coord/org/", "redflag_coord/check/"))
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "name"
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "info"
    ]
    assert readers == [], "ask Organisation.name_of(slug) instead"


def test_name_zone_and_languages_of_a_collective_and_of_one_that_did_not_load(org_copy):
    (org_copy / "collectives/france/collective.toml").write_text("name = [", encoding="utf-8")  # unreadable
    _set(org_copy / "collectives/mexico/collective.toml", name="Colectivo\nMéxico")
    org = load_organisation(org_copy)
    assert org.name_of("mexico") == "Colectivo México"  # a line break would break a comment or a table row
    assert org.names()["mexico"] == org.name_of("mexico") == org.collectives["mexico"].name
    assert (org.name_of("france"), org.zone_of("france"), org.languages_of("france")) == ("france", None, [])
    assert (org.name_of("atlantis"), org.zone_of(None), org.languages_of(None)) == ("atlantis", None, [])
    assert org.zone_of("india") == "Asia/Kolkata" and org.languages_of("india") == ["hi", "en"]


def test_every_output_shows_the_same_one_line_name(org_copy):
    from redflag_coord.agenda.build import build_agenda
    from redflag_coord.reports.filing import new_report

    _set(org_copy / "collectives/honduras/collective.toml", name="Colectivo\nHonduras")
    org = load_organisation(org_copy)
    agenda = build_agenda(org, "ic-2026-12", today=dt.date(2026, 11, 27))
    assert agenda.names["honduras"] == "Colectivo Honduras"
    assert [r.name for r in agenda.zones if r.collective == "honduras"] == ["Colectivo Honduras"]
    report = new_report(org, "honduras", "ic-2026-12", dt.date(2026, 11, 27))  # honduras has not filed
    assert "Colectivo Honduras" in report.text and "Colectivo\nHonduras" not in report.text


# -- one wording for an unknown meeting or collective, with did-you-mean ----------------------------------------


def _meeting_commands() -> list[list[str]]:
    from test_cli_consistency import COMMANDS, _takes

    out = []
    for name in sorted(COMMANDS):
        if _takes(name, "MEETING"):
            out.append(
                ["report", "new", "france", "IC-2026-12"] if name == "report new" else [*name.split(), "IC-2026-12"]
            )
    return out


def test_every_command_that_takes_a_meeting_says_the_same_words_through_the_console_script(example_root):
    commands = _meeting_commands()
    assert {"agenda", "invite", "minutes new", "minutes show", "report status", "slots"} <= {
        " ".join(c[:2]) if c[0] in ("minutes", "report") else c[0] for c in commands
    }
    said = {}
    for args in commands:
        r = _console(example_root, *args)
        assert r.returncode == 2, (args, r.stderr)
        said[" ".join(args)] = r.stderr.strip()
    assert set(said.values()) == {f"redflag-coord: {README_WORDING}"}, said


def test_commitments_names_an_unknown_collective_like_every_command(example_root):
    r = _console(example_root, "commitments", "South-Africa")
    assert r.returncode == 2
    assert "no collective 'South-Africa'; did you mean 'south-africa'? (known collectives:" in r.stderr


def test_the_library_raises_the_same_error_wherever_a_meeting_is_looked_up(example_root):
    """Every capability that takes a meeting id says it the one way (UnknownMeeting), as the command line does."""
    from redflag_coord.agenda.build import build_agenda
    from redflag_coord.calendar import ics
    from redflag_coord.minutes.build import build_commitments, build_minutes
    from redflag_coord.minutes.scaffold import new_minutes
    from redflag_coord.reports.filing import new_report, reminders, report_status

    org = load_organisation(example_root)
    settings = ics.Settings(domain="example.invalid", stamp=dt.datetime(2026, 11, 27, tzinfo=dt.UTC))
    calls = [
        lambda: org.meeting("IC-2026-12"),
        lambda: build_agenda(org, "IC-2026-12"),
        lambda: ics.invite(org, "IC-2026-12", "publish", settings),
        lambda: build_minutes(org, "IC-2026-12"),
        lambda: new_minutes(org, "IC-2026-12"),
        lambda: new_report(org, "france", "IC-2026-12", dt.date(2026, 11, 27)),
        lambda: report_status(org, "IC-2026-12"),
        lambda: reminders(org, "IC-2026-12"),
    ]
    for call in calls:
        with pytest.raises(UnknownMeeting) as e:
            call()
        assert str(e.value) == README_WORDING
        assert e.value.exit_code == 2
    for call in (lambda: build_commitments(org, "South-Africa"), lambda: ics.feed(org, "South-Africa", settings)):
        with pytest.raises(UnknownCollective, match="did you mean 'south-africa'"):
            call()


def test_an_id_typed_with_terminal_escapes_is_not_echoed_raw():
    e = UnknownMeeting("x\x1b]0;pwned\x07", ["ic-2026-12"])
    assert "\x1b" not in str(e) and "\x07" not in str(e)


# -- one language rule (i18n.labels.matches / choose) ----------------------------------------------------------


def test_the_language_rule_matches_by_language_subtag_in_order_and_falls_back_to_english():
    from redflag_coord.i18n.labels import choose, matches, pick_language

    assert matches(["es-MX", "en", "es", "fr-CA", "zu"], ["en", "es", "fr"]) == ["es", "en", "fr"]
    assert matches(["pt-BR", "pt"], ["pt", "pt-BR"]) == ["pt-BR", "pt"]  # an organisation's own pt-BR first
    assert matches(["ES-mx"], ["es"]) == ["es"]
    assert choose(["zu", "tl"], ["en", "es"]) == "en"
    assert pick_language("es-MX", []) == "es"  # --lang es-MX means the same as languages = ["es-MX"]


def test_a_collective_speaking_es_mx_gets_spanish_in_agenda_publish_reports_and_minutes(org_copy, tmp_path):
    """Before: `publish` gave a collective with es-MX no Spanish page while `agenda` picked es."""
    from redflag_coord.agenda.build import build_agenda
    from redflag_coord.minutes.scaffold import template_language as minutes_template
    from redflag_coord.reports.filing import new_report, reminders

    _set(org_copy / "collectives/los-angeles/collective.toml", languages=["es-MX", "en"])
    _set(org_copy / "collectives/los-angeles/meetings/la-study-group.toml", language="en")
    _set(org_copy / "collectives/honduras/collective.toml", languages=["es-MX"])  # has not filed for ic-2026-12
    org: Organisation = load_organisation(org_copy)
    today = dt.date(2026, 11, 27)
    assert build_agenda(org, "la-study-group", for_collective="los-angeles", today=today).lang == "es"
    assert build_agenda(org, "ic-2026-12", for_collective="honduras", today=today).lang == "es"
    assert new_report(org, "honduras", "ic-2026-12", today).language == "es"
    assert {r.collective: r.language for r in reminders(org, "ic-2026-12", today=today)}["honduras"] == "es"
    assert minutes_template(org.languages_of("honduras")) == "es"
    site = tmp_path / "site"
    r = _console(org_copy, "publish", str(site))
    assert r.returncode == 0, r.stderr
    pages = {p.name for p in (site / "meetings/la-study-group").iterdir()}
    assert {"agenda.en.html", "agenda.es.html"} <= pages


# -- one clock ---------------------------------------------------------------------------------------------------


def test_every_module_reads_the_clock_from_org_clock():
    clock_names = {"today_default", "now_default", "now_or_today"}
    elsewhere = [
        f"{path}:{node.lineno} from {node.module}"
        for path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and node.module != "redflag_coord.org.clock"
        and any(a.name in clock_names for a in node.names)
    ]
    assert elsewhere == []


# -- one list of private fields: the model's markers ---------------------------------------------------------------


def _private_keys(model, prefix: str = "") -> set[str]:
    from redflag_coord.org.model import is_private, submodel

    out = set()
    for name, field in model.model_fields.items():
        key = f"{prefix}{field.alias or name}"
        if is_private(field):
            out.add(key)
        inner = submodel(field.annotation)
        if inner is not None:
            many = "list[" in str(field.annotation)  # a list of tables (key[]) or one table (key.)
            out |= _private_keys(inner, f"{key}[]." if many else f"{key}.")
    return out


def test_secrets_seals_exactly_the_fields_the_model_marks_private():
    from redflag_coord.org.model import FILE_MODELS
    from redflag_coord.org.secrets import PRIVATE_KINDS, doc_slots

    marked = {kind: _private_keys(model) for kind, model in FILE_MODELS.items()}
    # each collective's members and relationships files, and each report (its distribution sites)
    assert {kind for kind, keys in marked.items() if keys} == {*PRIVATE_KINDS, "report"}
    every = "x@y.example"
    docs = {
        "members": {"member": [{"handle": "a", "email": every, "phone": every}]},
        "relationships": {
            "relationship": [
                {
                    "pseudonym": every,
                    "workplace": every,
                    "notes": every,
                    "history": [{"note": every}],
                    "next_step": every,
                    "next_due": dt.date(2026, 12, 3),  # a private date is sealed as a TOML date too
                    "conversation": [{"date": dt.date(2026, 11, 19), "kind": every, "note": every}],
                }
            ]
        },
        "report": {"red_flag": {"distribution": [{"site": every, "copies": 1}]}},
    }
    for kind in (*PRIVATE_KINDS, "report"):
        sealed = {
            ".".join(str(p) if not isinstance(p, int) else "[]" for p in key).replace(".[].", "[].")
            for _, _, key, _ in doc_slots(docs[kind], "reports/ic-2026-12" if kind == "report" else kind)
        }
        assert sealed == marked[kind], kind


def test_the_formats_page_marks_private_what_the_model_marks():
    text = (PACKAGE.parent / "docs/formats.md").read_text(encoding="utf-8")
    from redflag_coord.org.model import FILE_MODELS

    marked = {key for model in FILE_MODELS.values() for key in _private_keys(model)}
    shown = {line.split("`")[1] for line in text.splitlines() if line.startswith("| `") and "| private |" in line}
    assert shown == marked


# -- defined once ----------------------------------------------------------------------------------------------------


def _string_literals(value: str) -> list[str]:
    return [
        f"{path}:{node.lineno}"
        for path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value == value
    ]


def test_weekday_names_sealed_prefix_draft_marker_and_example_domains_are_defined_once():
    from redflag_coord import crypt
    from redflag_coord.calendar import ics
    from redflag_coord.org import model
    from redflag_coord.tz import recurrence

    assert model.WEEKDAYS is recurrence.DAY_NAMES
    assert typing.get_args(model.Weekday) == recurrence.DAY_NAMES  # the Literal the schema shows spells the same
    assert list(ics._DAYS) == list(recurrence.DAY_NAMES)
    assert model.SEALED_PREFIX is crypt.PREFIX
    assert [place.split(":")[0] for place in _string_literals("age:")] == ["redflag_coord/crypt/__init__.py"]
    assert len(_string_literals("TODO")) == 1  # org.reportstate.PLACEHOLDER: reports and minutes
    for domain in ("example.com", "example.org", "example.net", ".invalid", "invalid"):
        assert len(_string_literals(domain)) <= 1, domain
    # Weekday names: tz.recurrence's tuple; the model's Literal (for the type checker and the schema) and the
    # availability fields named after the days.
    assert {p.split(":")[0] for p in _string_literals("wednesday")} == {
        "redflag_coord/org/model.py",
        "redflag_coord/tz/recurrence.py",
    }


def test_reserved_mail_domains_are_one_rule_for_settings_and_secrets():
    from redflag_coord.check.sealed import looks_real
    from redflag_coord.org.settings import undeliverable

    for address in ("a@example.com", "a@lists.example.org", "a@x.invalid", "a@host.test", "a@example"):
        assert undeliverable(address) and not looks_real(address), address
    for address in ("a@myexample.com", "a@riseup.net"):
        assert not undeliverable(address) and looks_real(address), address
