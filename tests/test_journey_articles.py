"""Journey: Red Flag in every language, through the console script in a temporary git repository.

El Salvador's maquilas article (Spanish) → India asks for it in Hindi (requested: a commitment India
owes, on its agenda) → India claims it (asha translates) → the translation (translated, from the
source's rev; the commitment is done) → El Salvador edits the source (stale: `validate` warns, the
edition table says so, the next meeting's agenda lists the update India owes, the task reopens) →
asha updates it and ravi reviews it (never the translator) → published in the December edition.
Each step is a commit, as it would be a pull request.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CANARIES, plant_canaries
from git_helpers import example_repo

EXE = shutil.which("redflag-coord", path=str(Path(sys.executable).parent)) or shutil.which("redflag-coord")
FOLDER = "collectives/el-salvador/articles"
ARTICLE = f"{FOLDER}/maquilas.toml"
SOURCE = f"{FOLDER}/maquilas.es.md"
HINDI = f"{FOLDER}/maquilas.hi.md"
TITLE = "La maquila bajo el decreto de excepción"
HEAD = f'title = "{TITLE}"\nlanguage = "es"\nstatus = "submitted"\neditions = ["red-flag-2026-12"]\n'
ASKED = (
    '\n[[translation]]\nlanguage = "hi"\nrequested_by = "india"\nrequested = 2026-11-01\nto = "india"\n'
    "due = 2026-11-20\n"
)


def cli(root: Path, *args: str, code: int = 0, today: str = "2026-11-27") -> str:
    env = {**os.environ, "REDFLAG_TODAY": today, "REDFLAG_DTSTAMP": "2026-11-27T12:00:00Z"}
    env.pop("REDFLAG_NOW", None)
    proc = subprocess.run([EXE, *args], cwd=root, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == code, f"{args}: {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    return proc.stdout + proc.stderr


def hindi(root: Path, edition: str = "red-flag-2026-12") -> dict:
    data = json.loads(cli(root, "articles", "status", edition, "--format", "json"))
    (row,) = [a for a in data["articles"] if a["id"] == "maquilas"]
    return {"rev": row["rev"], **row["translations"]["hi"]}


def owed(root: Path) -> dict:
    data = json.loads(cli(root, "commitments", "india", "--format", "json"))
    (task,) = [s for g in data["owners"] for s in (*g["open"], *g["closed"]) if s["id"] == "maquilas-hi"]
    return task


def test_an_article_travels_into_hindi_and_back_to_the_edition(tmp_path: Path) -> None:
    if EXE is None:
        pytest.skip("the console script is not installed")
    repo = example_repo(tmp_path)  # the reports to ic-2026-12 not filed yet: India is reminded
    root = repo.root
    shutil.rmtree(root / FOLDER)  # the example's own (final) state: this journey makes it step by step
    repo.commit("no articles yet", date="2026-10-02T12:00:00+00:00")

    # 1. requested: India asks; India owes it from then on, due in Kolkata
    repo.write(SOURCE, f"# {TITLE}\n\nEn la línea de costura se trabaja diez horas de pie.\n")
    repo.write(ARTICLE, HEAD + ASKED)
    repo.commit("India asks for the maquilas article in Hindi", date="2026-11-01T12:00:00+00:00")
    assert "0 error(s), 0 warning(s)" in cli(root, "validate")
    assert hindi(root)["state"] == "requested"
    task = owed(root)
    assert (task["kind"], task["status"], task["owner"], task["due_end"]) == (
        "translation",
        "open",
        "india",
        "2026-11-21T00:00:00+05:30",  # the end of the due day in India's zone
    )
    assert "maquilas-hi" in cli(root, "agenda", "ic-2026-12", "--for", "india")

    # 2. claimed: one translator per language
    claimed = ASKED + 'claimed_by = "india"\ntranslator = "asha"\nstate = "claimed"\ndate = 2026-11-02\n'
    repo.write(ARTICLE, HEAD + claimed)
    repo.commit("India claims it", date="2026-11-02T12:00:00+00:00")
    cell = hindi(root)
    assert (cell["state"], cell["claimed_by"]) == ("claimed", "india")
    assert "claimed by India" in cli(root, "articles", "status")
    second = claimed.replace('claimed_by = "india"', 'claimed_by = "el-salvador"').replace("asha", "marisol")
    repo.write(ARTICLE, HEAD + claimed + second)
    assert "error[duplicate-language]" in cli(root, "validate", code=1)
    repo.write(ARTICLE, HEAD + claimed)

    # 3. translated, from the source's rev: the commitment is done; without its text it is refused
    rev = hindi(root)["rev"]
    translated = claimed.replace('state = "claimed"\ndate = 2026-11-02', 'state = "translated"\ndate = 2026-11-14')
    translated += f'from_rev = "{rev}"\n'
    repo.write(ARTICLE, HEAD + translated)
    assert "error[missing-text]" in cli(root, "validate", code=1)
    repo.write(HINDI, f"# {TITLE}\n\nसिलाई की लाइन पर दस घंटे खड़े होकर काम होता है।\n")
    repo.commit("asha's Hindi translation", date="2026-11-14T12:00:00+00:00")
    assert "0 error(s), 0 warning(s)" in cli(root, "validate")
    assert hindi(root)["state"] == "translated"
    done = owed(root)
    assert (done["status"], done["stale"]) == ("done", False)

    # 4. the source is edited: stale in validate, in the edition table and on the next meeting's agenda
    source = root / SOURCE
    source.write_text(source.read_text(encoding="utf-8") + "\nDos compañeras de la plancha leen cada número.\n")
    repo.commit("El Salvador edits the source", date="2026-11-20T12:00:00+00:00")
    out = cli(root, "validate")
    assert "warning[stale-translation]" in out and f"{ARTICLE}:" in out
    cell = hindi(root)
    new_rev = cell["rev"]
    assert new_rev != rev and f"from_rev = '{new_rev}'" in out  # the warning says what to set
    assert cell["state"] == "stale"
    assert "stale" in cli(root, "articles", "status", "red-flag-2026-12")
    assert "पुराना" in cli(root, "articles", "status", "--lang", "hi")
    agenda = cli(root, "agenda", "ic-2026-12", "--for", "india", "--lang", "en")
    assert "maquilas-hi" in agenda and "source text changed since" in agenda
    again = owed(root)
    assert (again["status"], again["stale"], again["due"]) == ("open", True, None)
    tasks = cli(root, "commitments", "india", "--format", "ics").replace("\r\n ", "")
    todo = tasks.split("UID:commitment-maquilas-hi@")[0].rsplit("BEGIN:VTODO", 1)[1]
    assert "STATUS:NEEDS-ACTION" in todo and "SEQUENCE:2" in todo  # replaces the completed task in a subscribed app
    cli(root, "report", "remind", "ic-2026-12")
    reminder = root / "reminders" / "ic-2026-12" / "ic-2026-12-india.txt"
    assert "maquilas-hi" in reminder.read_text(encoding="utf-8")  # what India owes, in its reminder
    shutil.rmtree(root / "reminders")

    # 5. updated and reviewed, by another member than the translator
    (root / HINDI).write_text(
        f"# {TITLE}\n\nसिलाई की लाइन पर दस घंटे खड़े होकर काम होता है।\n\nप्रेस विभाग की दो साथी हर अंक पढ़ती हैं।\n",
        encoding="utf-8",
    )
    reviewed = translated.replace(rev, new_rev).replace(
        '"translated"\ndate = 2026-11-14', '"reviewed"\ndate = 2026-11-25'
    )
    repo.write(ARTICLE, HEAD + reviewed + 'reviewer = "asha"\n')
    assert "error[self-review]" in cli(root, "validate", code=1)
    repo.write(ARTICLE, HEAD + reviewed + 'reviewer = "ravi"\n')
    repo.commit("asha updates it, ravi reviews it", date="2026-11-25T12:00:00+00:00")
    assert "0 error(s), 0 warning(s)" in cli(root, "validate")
    assert hindi(root)["state"] == "reviewed"
    assert "maquilas-hi" not in cli(root, "agenda", "ic-2026-12", "--for", "india")

    # 6. published in the December edition
    published = reviewed.replace('"reviewed"\ndate = 2026-11-25', '"published"\ndate = 2026-11-26')
    repo.write(ARTICLE, HEAD + published + 'reviewer = "ravi"\n')
    repo.commit("published in red-flag-2026-12", date="2026-11-26T12:00:00+00:00")
    assert "0 error(s), 0 warning(s)" in cli(root, "validate")
    assert hindi(root)["state"] == "published"
    assert "did you mean 'red-flag-2026-12'" in cli(root, "articles", "status", "red-flag-2026-13", code=2)
    log = repo.git("log", "--format=%s", "--", FOLDER).splitlines()
    assert len(log) == 8  # every step is in the history (after the example's own and its removal)


def test_no_private_value_in_any_articles_output(tmp_path: Path) -> None:
    """An intruder reads the edition table in every format and every language: no member's email,
    phone, relationship, workplace or note, and no member's handle (a translator stays in the file)."""
    if EXE is None:
        pytest.skip("the console script is not installed")
    repo = example_repo(tmp_path, drop_reports=None)
    root = plant_canaries(repo.root)
    for lang in ("en", "es", "fr", "hi", "pt"):
        for fmt in ("text", "markdown", "html", "json"):
            out = cli(root, "articles", "status", "--format", fmt, "--lang", lang)
            assert TITLE in out
            for canary in CANARIES:
                assert canary not in out, (lang, fmt, canary)
            assert "asha" not in out and "ravi" not in out, (lang, fmt)
