"""report new / status / remind."""

from __future__ import annotations

import json
import shutil
import socketserver
import threading
import tomllib
from pathlib import Path

import pytest
from git_helpers import EXAMPLE_COLLECTIVES, example_repo

from redflag_coord.check.validate import validate_path
from redflag_coord.reports.filing import relationship_figures, template_language

ES = "collectives/el-salvador/reports/ic-2026-12.toml"


def _drop(root: Path, *slugs: str, meeting: str = "ic-2026-12") -> None:
    for slug in slugs:
        (root / f"collectives/{slug}/reports/{meeting}.toml").unlink()


# -- new ----------------------------------------------------------------------------------------


def test_new_report_in_the_collectives_language_validates(org_copy, run):
    _drop(org_copy, "el-salvador")
    result = run("report", "new", "el-salvador", "ic-2026-12", "--root", str(org_copy))
    assert result.exit_code == 0, result.stderr
    assert f"wrote {ES} (template: es, carried over from ic-2026-06)" in result.stdout
    assert "summary: replace the TODO text" in result.stdout
    text = (org_copy / ES).read_text()
    assert text.startswith("# Informe de El Salvador para la reunión ic-2026-12 (2026-12-12); entrega: 2026-12-05.")
    data = tomllib.loads(text)
    assert data["filed"].isoformat() == "2026-11-27"
    assert data["filed_by"] == "marisol"
    assert data["summary"].startswith("TODO")
    (site,) = data["red_flag"]["distribution"]  # the site is private: sealed again for the new report
    assert data["red_flag"]["readers"] == 30 and site["copies"] == 90 and site["site"].startswith("age:")
    original = tomllib.loads((EXAMPLE_COLLECTIVES / "el-salvador/reports/ic-2026-12.toml").read_text())
    assert data["relationships"] == original["relationships"]
    assert run("validate", str(org_copy)).exit_code == 0
    assert run("fmt", "--check", str(org_copy / "collectives")).exit_code == 0


def test_new_report_refuses_to_overwrite(org_copy, run):
    before = (org_copy / ES).read_text()
    result = run("report", "new", "el-salvador", "ic-2026-12", "--root", str(org_copy))
    assert result.exit_code == 2
    assert f"{ES} exists already" in result.stderr
    assert (org_copy / ES).read_text() == before


@pytest.mark.parametrize(
    ("slug", "lang", "first_line"),
    [
        ("france", "fr", "# Rapport de France pour la réunion ic-2026-12"),
        ("philippines", "en", "# Report of Philippines for the meeting ic-2026-12"),
        ("honduras", "es", "# Informe de Honduras para la reunión ic-2026-12"),
    ],
)
def test_every_template_gives_a_valid_report(org_copy, run, slug, lang, first_line):
    result = run("report", "new", slug, "ic-2026-12", "--root", str(org_copy))
    assert result.exit_code == 0, result.stderr
    assert f"(template: {lang})" in result.stdout
    text = (org_copy / f"collectives/{slug}/reports/ic-2026-12.toml").read_text()
    assert text.startswith(first_line)
    assert run("validate", str(org_copy)).exit_code == 0


def test_new_report_usage_errors(org_copy, run):
    r = run("report", "new", "el-salvador", "ic-2026-1", "--root", str(org_copy))
    assert r.exit_code == 2 and "did you mean 'ic-2026-12'" in r.stderr
    r = run("report", "new", "honduras", "ic-2026-06", "--root", str(org_copy))
    assert r.exit_code == 2 and "not a participant" in r.stderr
    r = run("report", "new", "atlantis", "ic-2026-12", "--root", str(org_copy))
    assert r.exit_code == 2 and "no collective 'atlantis'" in r.stderr


def test_template_language_falls_back_to_english():
    assert template_language(["tl", "en"], "report") == "en"
    assert template_language(["hi"], "report") == "en"
    assert template_language(["es-SV"], "remind") == "es"
    assert template_language(["zu", "fr"], "remind") == "fr"


@pytest.mark.parametrize("slug", ["el-salvador", "south-africa", "india"])
def test_relationship_snapshot_matches_the_example_reports(example_root, slug):
    org = validate_path(example_root).org
    c = org.collectives[slug]
    cutoff = org.find_meeting("ic-2026-06")[1].start.date()
    figures = relationship_figures(c.relationships.relationships, c.relationships.natures, cutoff)
    filed = c.reports["ic-2026-12"].relationships
    assert figures == {
        "by_stage": {k.value: v for k, v in filed.by_stage.items()},
        "by_nature": filed.by_nature,
        "new": filed.new,
        "moved_up": filed.moved_up,
    }


# -- status --------------------------------------------------------------------------------------


@pytest.fixture
def status_repo(tmp_path, monkeypatch):
    """Reports entered git on fixed dates; due 2026-12-05."""
    monkeypatch.delenv("REDFLAG_FILED_DATES")
    repo = example_repo(tmp_path)
    src = EXAMPLE_COLLECTIVES
    for slug, date in [
        ("el-salvador", "2026-11-26T18:00:00+00:00"),
        # 20:00 UTC on the due day: still 5 December in Los Angeles, already 6 December in India
        ("los-angeles", "2026-12-05T20:00:00+00:00"),
        ("india", "2026-12-05T20:00:00+00:00"),
    ]:
        shutil.copy(src / f"{slug}/reports/ic-2026-12.toml", repo.root / f"collectives/{slug}/reports/ic-2026-12.toml")
        repo.commit(f"{slug} report", date=date)
    # written but not committed: its `filed` key counts
    shutil.copy(src / "south-africa/reports/ic-2026-12.toml", repo.root / "collectives/south-africa/reports/")
    return repo


def test_status_uses_commit_dates_in_each_collectives_zone(status_repo, run):
    result = run("report", "status", "ic-2026-12", "--root", str(status_repo.root), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["dates_from"] == "git"
    rows = {r["collective"]: (r["status"], r["filed"], r["source"], r["days_late"]) for r in data["reports"]}
    assert rows == {
        "south-africa": ("filed", "2026-11-24", "file", 0),
        "el-salvador": ("filed", "2026-11-26", "git", 0),
        "india": ("late", "2026-12-06", "git", 1),
        "los-angeles": ("filed", "2026-12-05", "git", 0),
        "mexico": ("missing", None, None, 0),
        "honduras": ("missing", None, None, 0),
        "philippines": ("missing", None, None, 0),
        "france": ("missing", None, None, 0),
    }


def test_status_table(status_repo, run):
    result = run("report", "status", "ic-2026-12", "--root", str(status_repo.root))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "ic-2026-12: reports due 2026-12-05 (filed dates from git history)"
    assert "  india         late     2026-12-06  1 day late" in lines
    assert lines[-1] == "3 filed, 1 late, 0 draft, 4 missing"


def test_status_all_filed_exits_0_outside_git(org_copy, run):
    result = run("report", "status", "ic-2026-06", "--root", str(org_copy))
    assert result.exit_code == 0, result.stdout
    assert "(filed dates from the files)" in result.stdout
    assert result.stdout.splitlines()[-1] == "5 filed, 0 late, 0 draft, 0 missing"


def test_unedited_report_is_a_draft(org_copy, run):
    _drop(org_copy, "el-salvador")
    assert run("report", "new", "el-salvador", "ic-2026-12", "--root", str(org_copy)).exit_code == 0
    result = run("report", "status", "ic-2026-12", "--root", str(org_copy))
    assert "  el-salvador   draft    2026-11-27  summary not written yet" in result.stdout.splitlines()


# -- remind -----------------------------------------------------------------------------------------

SENSITIVE = ("communist", "fascis", "red flag", "international committee", "party", "@")


def test_reminders_in_each_language_and_zone(org_copy, run, tmp_path):
    out = tmp_path / "out"
    result = run("report", "remind", "ic-2026-12", "--root", str(org_copy), "--output-dir", str(out))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "ic-2026-12-france.txt",
        "ic-2026-12-honduras.txt",
        "ic-2026-12-philippines.txt",
    ]
    fr = (out / "ic-2026-12-france.txt").read_text()
    assert fr.startswith("Rappel : rapport pour la réunion du 12 décembre 2026\n")
    assert "Il est attendu pour le samedi 5 décembre 2026." in fr
    assert "samedi 12 décembre 2026 16:00, heure locale (Europe/Paris)" in fr
    hn = (out / "ic-2026-12-honduras.txt").read_text()
    assert "sábado, 12 de diciembre de 2026 09:00, hora local (America/Tegucigalpa)" in hn
    ph = (out / "ic-2026-12-philippines.txt").read_text()
    assert "Saturday, December 12, 2026 23:00, your time (Asia/Manila)" in ph
    for p in out.iterdir():
        assert not any(word in p.read_text().lower() for word in SENSITIVE)
    assert "deliver it by hand" in result.stdout


def test_reminder_files_are_not_overwritten(org_copy, run, tmp_path):
    args = ("report", "remind", "ic-2026-12", "--root", str(org_copy), "--output-dir", str(tmp_path))
    assert run(*args).exit_code == 0
    again = run(*args)
    assert again.exit_code == 2 and "not overwriting" in again.stderr
    assert run(*args, "--force").exit_code == 0


def test_eml_addresses_only_opted_in_members_and_only_when_asked(org_copy, run, tmp_path):
    _drop(org_copy, "los-angeles")
    out = str(tmp_path / "a")
    result = run("report", "remind", "ic-2026-12", "--root", str(org_copy), "--output-dir", out, "-f", "eml")
    assert "ic-2026-12-los-angeles.eml (es; to 1 member: rosa)" in result.stdout
    assert "@" not in result.stdout
    assert b"To:" not in (tmp_path / "a/ic-2026-12-los-angeles.eml").read_bytes()
    result = run(
        "report",
        "remind",
        "ic-2026-12",
        "--root",
        str(org_copy),
        "--output-dir",
        str(tmp_path / "b"),
        "-f",
        "eml",
        "--include-private",
    )
    assert not (tmp_path / "b/ic-2026-12-los-angeles.eml").exists()  # addressed: one file per member
    eml = (tmp_path / "b/ic-2026-12-los-angeles-rosa.eml").read_bytes()
    assert b"To: rosa@example.org" in eml
    assert b"carmen@example.org" not in eml  # has an address but did not opt in
    import email
    from email import policy

    msg = email.message_from_bytes(eml, policy=policy.default)
    assert msg["Subject"] == "Recordatorio: informe para la reunión del 12 de diciembre de 2026"
    assert "sábado, 12 de diciembre de 2026 07:00, hora local (America/Los_Angeles)" in msg.get_content()


class _SMTPHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        def say(line: str) -> None:
            self.wfile.write((line + "\r\n").encode())

        say("220 test")
        rcpts: list[str] = []
        data: list[str] | None = None
        for raw in self.rfile:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if data is not None:
                if line == ".":
                    self.server.received.append((rcpts, "\n".join(data)))  # type: ignore[attr-defined]
                    rcpts, data = [], None
                    say("250 ok")
                else:
                    data.append(line)
                continue
            verb = line[:4].upper()
            if verb == "RCPT":
                rcpts.append(line.split(":", 1)[1].strip(" <>"))
            if verb == "DATA":
                data = []
                say("354 go on")
            elif verb == "QUIT":
                say("221 bye")
                return
            else:
                say("250 ok")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_send_is_a_dry_run_until_confirm(org_copy, run, smtp_server):
    _drop(org_copy, "los-angeles")
    port = str(smtp_server.server_address[1])
    args = (
        "report",
        "remind",
        "ic-2026-12",
        "--root",
        str(org_copy),
        "--send",
        "--from",
        "sec@example.org",
        "--smtp",
        f"127.0.0.1:{port}",
        "--smtp-tls",
        "none",
    )
    dry = run(*args)
    assert dry.exit_code == 0
    assert "dry run: 1 message(s) via 127.0.0.1" in dry.stdout
    assert smtp_server.received == []
    sent = run(*args, "--confirm")
    assert "sent 1 message(s)" in sent.stdout
    assert sent.exit_code == 1  # three collectives have nobody to send to
    assert "@" not in sent.stdout
    [(rcpts, message)] = smtp_server.received
    assert rcpts == ["rosa@example.org"]
    assert "Subject: Recordatorio" in message


def test_send_needs_a_sender(org_copy, run):
    result = run("report", "remind", "ic-2026-12", "--root", str(org_copy), "--send")
    assert result.exit_code == 2 and "--from" in result.stderr
