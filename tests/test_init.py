"""init: a new organisation repository that validates clean."""

from __future__ import annotations

import json
import tomllib

import pytest
from git_helpers import Repo

from redflag_coord.org.model import FILE_MODELS


@pytest.fixture
def new_org(tmp_path, run):
    folder = tmp_path / "org"
    # This checkout is installed from its path: the workflow can install it only on this machine.
    result = run("init", str(folder), "--timezone", "America/El_Salvador", "--language", "es", "--allow-local-spec")
    assert result.exit_code == 0, result.stderr
    return folder


def test_new_repository_validates_and_is_canonical(new_org, run):
    assert run("validate", str(new_org)).exit_code == 0
    assert run("fmt", "--check", str(new_org / "collectives")).exit_code == 0
    meeting = tomllib.loads((new_org / "collectives/committee/meetings/first-meeting.toml").read_text())
    assert meeting["timezone"] == "America/El_Salvador"
    assert meeting["start"].isoformat() == "2026-12-25T15:00:00"  # four weeks after REDFLAG_TODAY
    assert meeting["participants"] == ["first-collective"]


def test_ci_workflow_and_gitignore(new_org):
    workflow = (new_org / ".github/workflows/check.yml").read_text()
    assert "pull_request:" in workflow
    assert "redflag-coord validate --format github" in workflow
    assert "redflag-coord fmt --check" in workflow
    assert "reminders/" in (new_org / ".gitignore").read_text().splitlines()


def test_gitignore_keeps_exports_out_but_not_the_published_feeds(new_org):
    """Before: `*.ics` hid the feeds of a site published into the repository (docs/feeds/*.ics)."""
    import subprocess

    subprocess.run(["git", "init", "-q", str(new_org)], check=True)
    paths = ["meetings.ics", "ic.ics", "reminders/x/fr.txt", "a.eml", "docs/feeds/all.ics", "docs/index.html"]
    done = subprocess.run(
        ["git", "-C", str(new_org), "check-ignore", "--no-index", *paths], capture_output=True, text=True
    )
    assert done.stdout.split() == ["meetings.ics", "ic.ics", "reminders/x/fr.txt", "a.eml"]


def test_taplo_config_maps_every_kind_to_its_schema(new_org):
    config = tomllib.loads((new_org / ".taplo.toml").read_text())
    rules = config["rule"]
    assert len(rules) == len(FILE_MODELS)
    for rule in rules:
        schema_path = new_org / rule["schema"]["path"]
        schema = json.loads(schema_path.read_text())
        kind = schema_path.name.removesuffix(".schema.json")
        matched = [p for glob in rule["include"] for p in new_org.glob(glob)]
        if kind in ("collective", "members", "meeting"):
            assert matched, f"no file matches {rule['include']}"
        assert schema["$id"] == f"{kind}.schema.json"


def test_refuses_a_folder_that_is_not_empty(tmp_path, run):
    folder = tmp_path / "busy"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    result = run("init", str(folder))
    assert result.exit_code == 2
    assert "not an empty folder" in result.stderr
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_bad_zone_or_language_is_a_usage_error(tmp_path, run):
    r = run("init", str(tmp_path / "a"), "--timezone", "PST")
    assert r.exit_code == 2 and "abbreviation" in r.stderr
    r = run("init", str(tmp_path / "b"), "--language", "Spanish")
    assert r.exit_code == 2
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_first_report_by_pull_request(new_org, run, monkeypatch):
    monkeypatch.delenv("REDFLAG_FILED_DATES")  # filed dates from git history
    repo = Repo(new_org)
    repo.git("init", "-q", "-b", "main")
    repo.commit("new organisation")
    repo.git("checkout", "-q", "-b", "first-report")
    monkeypatch.chdir(new_org)
    assert run("report", "status", "first-meeting").exit_code == 1
    made = run("report", "new", "first-collective", "first-meeting")
    assert made.exit_code == 0, made.stderr
    assert "(template: es)" in made.stdout
    repo.commit("first report", date="2026-12-01T10:00:00+00:00")
    assert run("validate", "--changed", "main").exit_code == 0
    assert run("fmt", "--check").exit_code == 0
    status = run("report", "status", "first-meeting", "--format", "json")
    [row] = json.loads(status.stdout)["reports"]
    assert (row["status"], row["filed"], row["source"]) == ("draft", "2026-12-01", "git")


def test_workflow_installs_from_a_source_that_exists(new_org):
    """Issue 14: the workflow installed redflag-coord==0.1.0 from PyPI, where it is not published."""
    workflow = (new_org / ".github/workflows/check.yml").read_text()
    assert "redflag-coord==" not in workflow
    assert 'pip install "redflag-coord @ file://' in workflow  # this checkout's own source (an editable install)


def test_refuses_a_workflow_that_installs_from_this_machine(tmp_path, run):
    """Issue 26: the workflow installed from file:///... of the machine that ran init; a forge's runner
    failed on the first push. Now init says so and writes nothing, unless --allow-local-spec."""
    folder = tmp_path / "o"
    result = run("init", str(folder))  # this copy is installed from a path (editable)
    assert result.exit_code == 1
    assert "runner cannot reach" in result.stderr and "--install-spec" in result.stderr
    assert "--allow-local-spec" in result.stderr
    assert not folder.exists() or not any(folder.iterdir())


@pytest.mark.parametrize(
    "spec",
    [
        "redflag-coord @ file:///home/me/redflag-coord",
        "redflag-coord @ git+file:///home/me/redflag-coord@v0.4.0",
        "/home/me/redflag-coord",
        "./redflag-coord",
        "../redflag-coord",
        ".",
    ],
)
def test_a_local_install_spec_is_refused_unless_allowed(tmp_path, run, spec):
    refused = run("init", str(tmp_path / "o"), "--install-spec", spec)
    assert refused.exit_code == 1, refused.stderr
    assert not (tmp_path / "o/.github/workflows/check.yml").exists()
    allowed = run("init", str(tmp_path / "o"), "--install-spec", spec, "--allow-local-spec")
    assert allowed.exit_code == 0, allowed.stderr
    assert f'pip install "{spec}"' in (tmp_path / "o/.github/workflows/check.yml").read_text()


@pytest.mark.parametrize(
    "spec", ["redflag-coord @ git+https://example.org/org/redflag-coord@v0.4.0", "redflag-coord==0.4.0"]
)
def test_a_spec_a_runner_can_reach_needs_no_flag(tmp_path, run, spec):
    assert run("init", str(tmp_path / "o"), "--install-spec", spec).exit_code == 0
    assert f'pip install "{spec}"' in (tmp_path / "o/.github/workflows/check.yml").read_text()


def test_install_spec_option(tmp_path, run):
    spec = "redflag-coord @ git+https://example.org/org/redflag-coord@v0.2"
    assert run("init", str(tmp_path / "o"), "--install-spec", spec).exit_code == 0
    assert f'pip install "{spec}"' in (tmp_path / "o/.github/workflows/check.yml").read_text()


def test_workflow_steps_pass_in_a_fresh_virtual_environment(new_org, tmp_path):
    """The shell steps of the workflow, as GitHub would run them, in a new venv: they pass on the first push."""
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    import yaml

    workflow = yaml.safe_load((new_org / ".github/workflows/check.yml").read_text())
    steps = [s["run"] for s in workflow["jobs"]["check"]["steps"] if "run" in s]
    assert steps and steps[0].startswith("pip install")
    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    repo = Repo(new_org)
    repo.git("init", "-q", "-b", "main")
    repo.commit("new organisation")
    env = {
        **os.environ,
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    env.pop("REDFLAG_ROOT", None)
    build = Path(__file__).resolve().parent.parent / "build"  # pip builds a path source in place
    had_build = build.exists()
    try:
        for step in steps:
            done = subprocess.run(["bash", "-e", "-c", step], cwd=new_org, env=env, capture_output=True, text=True)
            assert done.returncode == 0, f"{step}\n{done.stdout}\n{done.stderr}"
    finally:
        if not had_build:
            shutil.rmtree(build, ignore_errors=True)  # else ruff would take tests/corpus/build.py for a package
    assert (venv / "bin/redflag-coord").exists()
