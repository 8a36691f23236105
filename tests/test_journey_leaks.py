"""Issue 29: each way private text used to leave unnoticed, tried through the console script in a
temporary git repository as a careless member would (and each fails `validate` now, naming the file and
key, never the value)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DEMO_IDENTITY
from git_helpers import Repo, example_repo

BIN = Path(sys.executable).parent
ES = "collectives/el-salvador"
IC = "collectives/international-committee"
LA = "collectives/los-angeles"
ES_REPORT = f"{ES}/reports/ic-2026-12.toml"
LA_REPORT = f"{LA}/reports/ic-2026-12.toml"
IC_MEETING = f"{IC}/meetings/ic-2026-12.toml"
IC_MINUTES = f"{IC}/minutes/ic-2026-06.toml"
# Pseudonyms of the example (sealed; the DEMO identity opens them): El Salvador's relationship[0] is
# "La Planchadora", [2] "Doña Flor" (no word rare enough alone), [3] "Toño", [5] "Chamba".


def cli(repo: Repo, *args: str, identity: bool = True) -> subprocess.CompletedProcess:
    env = repo.env("2026-11-20T12:00:00+00:00")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("REDFLAG_ROOT", None)
    env.pop("REDFLAG_IDENTITY", None)
    if identity:
        env["REDFLAG_IDENTITY"] = str(DEMO_IDENTITY)
    return subprocess.run([str(BIN / "redflag-coord"), *args], cwd=repo.root, capture_output=True, text=True, env=env)


@pytest.fixture
def repo(tmp_path) -> Repo:
    r = example_repo(tmp_path, drop_reports=None)
    r.git("checkout", "-q", "-b", "contributor")
    return r


def edit(repo: Repo, rel: str, old: str, new: str) -> None:
    path = repo.root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def private_lines(out: str, rel: str, severity: str = "error") -> list[str]:
    return [line for line in out.splitlines() if line.startswith(f"{rel}:") and f"{severity}[private-text]" in line]


SUMMARY = 'summary = """\n'  # El Salvador's summary is a multi-line string
# (name, file, old text, new text, the key the problem names, what must not be echoed)
LEAKS = [
    ("email", ES_REPORT, SUMMARY, f"{SUMMARY}Escriban a flor@riseup.net. ", "summary", "flor@riseup"),
    ("obfuscated-email", ES_REPORT, SUMMARY, f"{SUMMARY}Escriban a flor at riseup.net. ", "summary", "flor at"),
    (
        "obfuscated-email-brackets",
        ES_REPORT,
        SUMMARY,
        f"{SUMMARY}flor [at] riseup [dot] net. ",
        "summary",
        "flor [at]",
    ),
    ("local-phone", ES_REPORT, SUMMARY, f"{SUMMARY}Llamen al 7012 3456. ", "summary", "7012"),
    ("pseudonym-two-spaces", ES_REPORT, SUMMARY, f"{SUMMARY}Doña  Flor lee Red Flag. ", "summary", "Flor"),
    ("pseudonym-wrapped", ES_REPORT, SUMMARY, f"{SUMMARY}Doña\nFlor lee Red Flag. ", "summary", "Flor"),
    ("pseudonym-possessive", ES_REPORT, SUMMARY, f"{SUMMARY}Toño's sister reads. ", "summary", "Toño"),
    ("pseudonym-plural", ES_REPORT, SUMMARY, f"{SUMMARY}Las Chambas leen. ", "summary", "Chamba"),
    ("pseudonym-rare-word-alone", ES_REPORT, SUMMARY, f"{SUMMARY}Planchadora lee. ", "summary", "Planchadora"),
    ("request-text", LA_REPORT, 'text = "Help write', 'text = "Ask Toño to help write', "request[0].text", "Toño"),
    ("role", f"{LA}/members.toml", 'role = "collective leader"', 'role = "call 7012 3456"', "member[0].role", "7012"),
    (
        "collective-description",
        f"{ES}/collective.toml",
        'description = "Comrades',
        'description = "Doña Flor and comrades',
        "description",
        "Flor",
    ),
    ("meeting-location", IC_MEETING, 'location = "Online', "location = \"At Toño's house; online", "location", "Toño"),
    ("meeting-url", IC_MEETING, "[[item]]", 'url = "https://meet.example/dona-flor"\n\n[[item]]', "url", "flor"),
    ("minutes-note", IC_MINUTES, 'note = "Published', 'note = "Ask Toño. Published', "commitment[0].note", "Toño"),
    (
        "minutes-decision",
        IC_MINUTES,
        'text = "Every collective',
        'text = "Toño and every collective',
        "decision[0].text",
        "Toño",
    ),
]


@pytest.mark.parametrize("name,rel,old,new,key,secret", LEAKS, ids=[c[0] for c in LEAKS])
def test_private_text_in_published_text_fails_validate(repo, name, rel, old, new, key, secret) -> None:
    edit(repo, rel, old, new)
    repo.commit(f"edit {name}")
    done = cli(repo, "validate")
    lines = private_lines(done.stdout, rel)
    assert done.returncode == 1, done.stdout + done.stderr
    assert lines, done.stdout
    assert any(re.search(rf": error\[private-text\]: {re.escape(key)}(\[\d+\]\.\w+)?: ", line) for line in lines), lines
    assert secret.lower() not in (done.stdout + done.stderr).lower()
    # validate --changed (the pre-commit hook for large organisations) finds it too, with the identity
    changed = cli(repo, "validate", "--changed", "main")
    assert changed.returncode == 1, changed.stdout + changed.stderr
    assert private_lines(changed.stdout, rel), changed.stdout


def test_a_meeting_id_that_names_a_contact_fails(repo) -> None:
    """The file name becomes the meeting's id: a URL on the site and a calendar UID."""
    text = (repo.root / IC_MEETING).read_text(encoding="utf-8")
    repo.write(f"{ES}/meetings/visita-dona-flor.toml", text.replace("participants = [", "participants = [", 1))
    repo.commit("a visit")
    done = cli(repo, "validate")
    assert done.returncode == 1
    assert private_lines(done.stdout, f"{ES}/meetings/visita-dona-flor.toml"), done.stdout


def test_validate_changed_needs_the_identity_to_find_sealed_pseudonyms(repo) -> None:
    """Before: --changed built pseudonyms from the still-sealed files and never found one."""
    edit(repo, ES_REPORT, SUMMARY, f"{SUMMARY}Doña Flor lee Red Flag. ")
    repo.commit("a name")
    with_key = cli(repo, "validate", "--changed", "main")
    assert with_key.returncode == 1 and private_lines(with_key.stdout, ES_REPORT), with_key.stdout
    without = cli(repo, "validate", "--changed", "main", identity=False)
    assert not private_lines(without.stdout, ES_REPORT)  # keyless: nothing to compare with


def test_comments_in_private_files_are_warnings(repo) -> None:
    edit(repo, f"{LA}/members.toml", "# Members of the Los Angeles collective.", "# rosa: 7012 3456.")
    edit(repo, f"{ES}/relationships.toml", "[[relationship]]", "# Doña Flor is the first\n[[relationship]]")
    repo.commit("comments")
    done = cli(repo, "validate")
    assert private_lines(done.stdout, f"{LA}/members.toml", "warning"), done.stdout
    assert private_lines(done.stdout, f"{ES}/relationships.toml", "warning"), done.stdout
    assert not private_lines(done.stdout, f"{LA}/members.toml") and done.returncode == 0
    assert cli(repo, "validate", "--strict").returncode == 1
    assert "7012" not in done.stdout and "Flor" not in done.stdout


def test_commit_messages_and_author_names_not_yet_pushed_fail_validate(repo) -> None:
    (repo.root / "notes.txt").write_text("x\n", encoding="utf-8")
    repo.git("add", "notes.txt")
    env = {"GIT_AUTHOR_NAME": "Planchadora"}  # a rare word of El Salvador's relationship[0]
    subprocess.run(
        ["git", "commit", "-q", "--no-gpg-sign", "-m", "Visited Toño's sister\n\ncall 7012 3456"],
        cwd=repo.root,
        env={**repo.env("2026-11-20T12:00:00+00:00"), **env},
        check=True,
    )
    for args in (("validate",), ("validate", "--changed")):
        done = cli(repo, *args)
        assert done.returncode == 1, done.stdout + done.stderr
        lines = [line for line in done.stdout.splitlines() if line.startswith(".git: error[private-text]")]
        assert len(lines) == 3, done.stdout  # the pseudonym and the phone in the message, the author name
        assert sum("author name of commit" in line for line in lines) == 1
        assert sum("(line 3)" in line for line in lines) == 1
        assert "Toño" not in done.stdout and "Planchadora" not in done.stdout and "7012" not in done.stdout
    # once on the base branch, validate no longer reads it (the history is what it is: rewrite it or not)
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "contributor")
    assert cli(repo, "validate").returncode == 0


def test_commit_msg_check_reads_the_message_and_the_author(repo) -> None:
    message = repo.root / "MSG"
    message.write_text("Report for December\n# Please enter the commit message (git's comment: dropped)\n")
    assert cli(repo, "validate", "--commit-msg", "MSG").returncode == 0
    message.write_text("Report; ask flor [at] riseup [dot] net\n")
    done = cli(repo, "validate", "--commit-msg", "MSG")
    assert done.returncode == 1 and "MSG:1:" in done.stdout and "riseup" not in done.stdout
    missing = cli(repo, "validate", "--commit-msg", "NOPE")
    assert missing.returncode == 2 and "NOPE" in missing.stderr and "Traceback" not in missing.stderr


def test_an_export_with_private_values_left_in_the_repository_fails_validate(repo) -> None:
    clean = cli(repo, "agenda", "ic-2026-12", "--output", "agenda.html")
    assert clean.returncode == 0, clean.stderr
    for args in (("calendar", "--output", "feed.ics"), ("agenda", "ic-2026-12", "--output", "agenda.json")):
        assert cli(repo, *args).returncode == 0
    assert cli(repo, "validate").returncode == 0  # the default exports hold nothing private
    made = cli(repo, "agenda", "ic-2026-12", "--include-private", "--output", "x.html")
    assert made.returncode == 0, made.stderr
    for identity in (True, False):  # keyless: by the contact details a tool export never shows otherwise
        done = cli(repo, "validate", identity=identity)
        assert done.returncode == 1, done.stdout + done.stderr
        lines = [line for line in done.stdout.splitlines() if "export-private" in line]
        assert len(lines) == 1 and lines[0].startswith("x.html: error[export-private]"), done.stdout
        assert "@" not in done.stdout
    changed = cli(repo, "validate", "--changed", "main")
    assert changed.returncode == 1 and "x.html: error[export-private]" in changed.stdout, changed.stdout
    (repo.root / "x.html").unlink()
    assert cli(repo, "validate").returncode == 0


def test_a_distribution_site_in_an_export_stops_the_hook_as_it_stops_validate(repo) -> None:
    """A site is as private as an address (issue 28): the pre-commit hook (`validate --changed`) with a key
    looks for the reports' sites in a changed export too, not only for the members' and relationships' values."""
    from conftest import demo_identities

    from redflag_coord.check.validate import validate_path
    from redflag_coord.org.secrets import slots

    org = validate_path(repo.root, identities=demo_identities()).org
    site = next(s.value for s in slots(org) if s.attr == "site" and s.value and not s.value.startswith("age"))
    (repo.root / "handout.json").write_text(f'{{"pick up at": "{site}"}}\n', encoding="utf-8")
    repo.git("add", "handout.json")
    for args in (("validate",), ("validate", "--changed")):
        done = cli(repo, *args)
        assert done.returncode == 1, (args, done.stdout + done.stderr)
        assert "handout.json: error[export-private]" in done.stdout, (args, done.stdout)
        assert site not in done.stdout + done.stderr
