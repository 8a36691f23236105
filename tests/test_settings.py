"""organisation.toml: defaults when absent, checked by validate with file:line:col, read by the commands
(flags override it), and a REQUEST whose organiser cannot receive mail is a warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redflag_coord.org.model import FILE_MODELS, Settings
from redflag_coord.org.settings import SettingsError, load_settings, undeliverable


def write(root: Path, text: str) -> None:
    path = root / "organisation.toml"
    if "[encryption]" not in text and path.is_file():  # keep who reads as approved (issue 28)
        old = path.read_text(encoding="utf-8")
        # still the example (its DEMO keys are allowed: one line first, before any table), and its approved readers
        flag = "example = true\n" if "\nexample = true" in old and not text.startswith("example") else ""
        text = flag + text + "\n" + old[old.index("[encryption]") :]
    path.write_text(text, encoding="utf-8")


def test_absent_file_means_defaults(org_copy):
    (org_copy / "organisation.toml").unlink()  # the copy carries the example's settings: take them away
    s = load_settings(org_copy)
    assert s == Settings() and s.mail.port == 25 and s.defaults.reports_due_days == 7


def test_every_table_is_its_own_model():
    """Other tables (e.g. [encryption]) join as one more submodel. One top-level flag stands outside
    them: `example`, which says the whole organisation is a demonstration (its keys are published)."""
    for name, field in Settings.model_fields.items():
        if name == "example":
            assert field.annotation is bool and field.default is False
            continue
        assert field.annotation is not None and issubclass(field.annotation, FILE_MODELS["collective"].__base__)
        assert field.alias is None or field.alias == name


def test_problems_have_file_line_and_column(run, org_copy):
    write(org_copy, '[calendar]\ndomain = "calendar.example.org"\ncolour = "red"\n\n[mail]\nport = 99999\n')
    result = run("validate", str(org_copy))
    assert result.exit_code == 1
    # lines 4 and 7: write() puts `example = true` on line 1
    assert "organisation.toml:4:1: error[unknown-key]: calendar.colour" in result.stdout
    assert "organisation.toml:7:1: error[bad-value]: mail.port" in result.stdout
    with pytest.raises(SettingsError):
        load_settings(org_copy)


def test_no_password_in_the_file(run, org_copy):
    write(org_copy, '[mail]\nuser = "sec"\npassword = "hunter2"\n')
    result = run("validate", str(org_copy))
    assert result.exit_code == 1 and "mail.password: unknown key" in result.stdout
    assert "hunter2" not in result.stdout + result.stderr


def test_undeliverable_organiser_is_a_warning(run, org_copy):
    # example = true: the copied example's DEMO keys are allowed (a real organisation's would be an error)
    write(org_copy, 'example = true\n\n[calendar]\norganiser = "committee@redflag.invalid"\n')
    result = run("validate", str(org_copy))
    assert result.exit_code == 0 and "warning[undeliverable-organiser]" in result.stdout
    assert undeliverable("a@b.example") and undeliverable("x@localhost") and not undeliverable("a@riseup.net")


def test_invite_reads_the_settings_and_flags_override(run, org_copy, tmp_path):
    write(org_copy, '[calendar]\ndomain = "cal.redflag.org"\norganiser = "secretariat@redflag.org"\n')
    out = run("invite", "ic-2026-12", "--method", "request", "--root", str(org_copy))
    assert out.exit_code == 0, out.stderr
    assert "UID:ic-2026-12@cal.redflag.org" in out.stdout
    assert "mailto:secretariat@redflag.org" in out.stdout and "cannot receive mail" not in out.stderr
    flag = run("invite", "ic-2026-12", "--domain", "other.org", "--root", str(org_copy))
    assert "UID:ic-2026-12@other.org" in flag.stdout
    feed = run("calendar", "--root", str(org_copy))
    assert "UID:ic-2026-12@cal.redflag.org" in feed.stdout  # the feed and the invite name the same event


def test_request_to_an_organiser_that_cannot_receive_mail_warns(run, org_copy):
    result = run("invite", "ic-2026-12", "--method", "request", "--root", str(org_copy))
    assert result.exit_code == 0
    assert "international-committee@redflag-coord.invalid cannot receive mail" in result.stderr
    publish = run("invite", "ic-2026-12", "--root", str(org_copy))
    assert "cannot receive mail" not in publish.stderr  # a published event expects no replies


def test_new_meeting_uses_the_default_days_and_language(run, org_copy):
    write(org_copy, '[defaults]\nlanguage = "es"\nreports_due_days = 10\n')
    result = run(
        "new", "meeting", "m1", "--convener", "india", "--start", "2027-01-20T18:00", "--participants", "india,mexico",
        "--root", str(org_copy),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = (org_copy / "collectives/india/meetings/m1.toml").read_text(encoding="utf-8")
    assert "reports_due = 2027-01-10" in text and 'language = "es"' in text


def test_sending_options_are_the_same_for_both_commands(run):
    for argv in (("invite", "--help"), ("report", "remind", "--help")):
        text = run(*argv).stdout
        for option in ("--send", "--confirm", "--smtp", "--smtp-tls", "--from"):
            assert option in text, (argv, option)
        assert "--yes" not in text and "--smtp-host" not in text


def test_remind_takes_the_sender_and_server_from_the_settings(run, org_copy):
    write(org_copy, '[mail]\nhost = "mail.redflag.org"\nport = 587\nfrom = "secretariat@redflag.org"\n')
    for slug in ("los-angeles",):
        report = org_copy / f"collectives/{slug}/reports/ic-2026-12.toml"
        if report.exists():
            report.unlink()
    result = run("report", "remind", "ic-2026-12", "--send", "--root", str(org_copy))
    assert result.exit_code == 0, result.stderr
    assert "via mail.redflag.org:587 (starttls); nothing sent. Add --confirm to send." in result.stdout


def test_schema_lists_the_settings_and_the_days(run):
    from redflag_coord.org.schema import schema_for

    result = run("schema")
    assert result.exit_code == 0, result.stderr
    assert "organisation" in json.loads(result.stdout)
    assert {"calendar", "mail", "defaults"} <= set(schema_for("organisation")["properties"])
    collective = schema_for("collective")
    days = collective["$defs"]["Availability"]["properties"]
    assert {"weekdays", "weekend", "monday", "friday", "sunday"} <= set(days)
