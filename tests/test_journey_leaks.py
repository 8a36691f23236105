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
