"""validate --changed: contributor branches in real git repositories."""

from __future__ import annotations

import re

import pytest
from git_helpers import example_repo

from redflag_coord.check.changed import validate_changed
from redflag_coord.check.validate import validate_path
from redflag_coord.repo.gitinfo import GitError, changed_since

ES_REPORT = "collectives/el-salvador/reports/ic-2026-12.toml"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    r = example_repo(tmp_path)
    r.git("checkout", "-q", "-b", "contributor")
    monkeypatch.chdir(r.root)
    return r


def test_branch_adding_a_report_passes(repo, run):
    made = run("report", "new", "el-salvador", "ic-2026-12")
    assert made.exit_code == 0, made.stderr
    repo.commit("El Salvador files its report", date="2026-11-26T18:00:00+00:00")
    result = run("validate", "--changed", "main")
    assert result.exit_code == 0, result.stdout
    assert "1 changed file(s)" in result.stderr
    assert run("fmt", "--check").exit_code == 0
    assert run("validate", "--changed").exit_code == 0  # default: merge-base with main


def test_broken_branch_fails_with_annotations(repo, run):
    repo.write(
        ES_REPORT,
        'filed = 2026-11-26\nfiled_by = "nobody"\nsummary = "ok"\n\n[[request]]\nto = "atlantis"\ntext = "hello"\n',
    )
    repo.write("collectives/mexico/reports/ic-2026-12.toml", 'filed = 2026-11-26\nsummary = "no closing quote\n')
    repo.commit("broken reports")
    result = run("validate", "--format", "github", "--changed", "main")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert f"::error file={ES_REPORT},line=2,col=1,title=unresolved-ref::filed_by: no member 'nobody'" in lines[0]
    assert any(line.startswith(f"::error file={ES_REPORT},line=6,") and "atlantis" in line for line in lines)
    assert any(
        line.startswith("::error file=collectives/mexico/reports/ic-2026-12.toml,line=2,") and "title=syntax" in line
        for line in lines
    )


def test_uncommitted_and_untracked_files_count(repo, run):
    repo.write("collectives/france/reports/ic-2026-12.toml", 'filed = 2026-11-26\nfiled_by = "zed"\nsummary = "x"\n')
    result = run("validate", "--changed", "main")
    assert result.exit_code == 1
    assert "collectives/france/reports/ic-2026-12.toml:2:1: error[unresolved-ref]" in result.stdout


def test_changed_members_checks_what_cites_them(repo):
    members = repo.root / "collectives/los-angeles/members.toml"
    members.write_text(members.read_text().replace('handle = "beto"', 'handle = "thabo"'))
    repo.commit("rename a member")
    out = validate_changed(repo.root, changed_since(repo.root, "main"))
    found = {(p.file, p.code, p.key) for p in out.problems}
    assert ("collectives/los-angeles/members.toml", "duplicate-handle", ("member", 1, "handle")) in found
    comrades = [p for p in out.problems if p.file.endswith("los-angeles/relationships.toml")]
    assert {p.key for p in comrades} == {("relationship", 2, "comrade"), ("relationship", 3, "comrade")}


def test_changed_meeting_checks_reports_to_it(repo):
    meeting = repo.root / "collectives/international-committee/meetings/ic-2026-06.toml"
    meeting.write_text(meeting.read_text().replace(', "mexico"]', "]"))
    repo.commit("mexico leaves the June meeting")
    out = validate_changed(repo.root, changed_since(repo.root, "main"))
    assert [(p.file, p.code) for p in out.problems] == [("collectives/mexico/reports/ic-2026-06.toml", "not-invited")]


def test_deleted_meeting_leaves_reports_unresolved(repo):
    repo.git("rm", "-q", "collectives/international-committee/meetings/ic-2026-06.toml")
    repo.commit("drop the June meeting")
    out = validate_changed(repo.root, changed_since(repo.root, "main"))
    files = {p.file for p in out.problems if p.code == "unresolved-ref"}
    assert files == {
        f"collectives/{c}/reports/ic-2026-06.toml"
        for c in ("el-salvador", "india", "los-angeles", "mexico", "south-africa")
    }


def test_unrelated_old_problems_are_not_reported(repo, run):
    rel = "collectives/india/relationships.toml"
    text = (repo.root / rel).read_text()
    (repo.root / rel).write_text(text.replace('comrade = "asha"', 'comrade = "ghost"'))
    repo.commit("an old mistake")
    repo.git("branch", "-q", "-f", "main")
    repo.git("checkout", "-q", "-b", "next")
    repo.write("collectives/mexico/reports/ic-2026-12.toml", 'filed = 2026-11-26\nfiled_by = "tere"\nsummary = "ok"\n')
    assert run("validate", "--changed", "main").exit_code == 0
    assert run("validate").exit_code == 1


def test_reads_only_what_the_references_need(repo):
    repo.write(ES_REPORT, 'filed = 2026-11-26\nfiled_by = "marisol"\nsummary = "ok"\n')
    out = validate_changed(repo.root, changed_since(repo.root, "main"))
    assert out.problems == []
    pseudonyms = {p.relative_to(repo.root).as_posix() for p in repo.root.glob("collectives/*/relationships.toml")}
    collectives = {p.relative_to(repo.root).as_posix() for p in repo.root.glob("collectives/*/collective.toml")}
    assert out.read == {
        ES_REPORT,
        "collectives/el-salvador/members.toml",
        "collectives/international-committee/meetings/ic-2026-12.toml",
        *pseudonyms,  # a report's text must not hold any collective's pseudonym
        *collectives,  # nor a phone number in the local format of any collective's country
    }


def test_published_text_is_checked_as_validate_checks_it(repo, run):
    """The pre-commit hook sees the leak CI would see: an email, a phone number (pseudonyms, sealed in the
    example, are in tests/test_journey_scale.py)."""
    text = "Write to a@b.example.org or +27 82 555 0199"
    repo.write(ES_REPORT, f'filed = 2026-11-26\nfiled_by = "marisol"\nsummary = "{text}"\n')
    changed = validate_changed(repo.root, changed_since(repo.root, "main")).problems
    whole = [p for p in validate_path(repo.root).problems if p.file == ES_REPORT]
    assert [p.code for p in changed].count("private-text") == 2
    assert changed == whole


MUTATIONS = [
    ("collectives/los-angeles/members.toml", 'handle = "rosa"', 'handle = "rosa!"'),
    ("collectives/los-angeles/members.toml", 'handle = "carmen"', 'handle = "asha"'),
    ("collectives/south-africa/relationships.toml", 'comrade = "sipho"', 'comrade = "sippo"'),
    ("collectives/south-africa/relationships.toml", 'stage = "recruit"\ncomrade', 'stage = "member"\ncomrade'),
    ("collectives/international-committee/meetings/ic-2026-06.toml", "2026-06-13T07:00:00", "2026-06-01T07:00:00"),
    ("collectives/international-committee/meetings/ic-2026-06.toml", '"mexico"]', '"mexic"]'),
    ("collectives/india/reports/ic-2026-06.toml", 'filed_by = "asha"', 'filed_by = "thabo"'),
    ("collectives/india/reports/ic-2026-06.toml", "readers = 12", "readers = -1"),
    ("collectives/mexico/collective.toml", 'timezone = "America/Mexico_City"', 'timezone = "Mexico City"'),
]


@pytest.mark.parametrize(("rel", "old", "new"), MUTATIONS)
def test_same_findings_as_full_validation_for_changed_files(repo, rel, old, new):
    path = repo.root / rel
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    out = validate_changed(repo.root, changed_since(repo.root, "main"))
    full = validate_path(repo.root).problems
    assert out.problems
    key = lambda p: (p.file, p.line, p.code)  # noqa: E731
    changed_only = sorted(key(p) for p in full if p.file == rel)
    assert sorted(key(p) for p in out.problems if p.file == rel) == changed_only
    # everything --changed finds, the full validation finds too
    assert {key(p) for p in out.problems} <= {key(p) for p in full}


def test_removed_collective_falls_back_to_full_validation(repo):
    repo.git("rm", "-q", "-r", "collectives/honduras")
    repo.commit("honduras removed")
    out = validate_changed(repo.root, changed_since(repo.root, "main"))
    assert out.full
    assert any(p.code == "unresolved-ref" and "honduras" in p.message for p in out.problems)


def test_outside_git_is_a_usage_error(org_copy, run, monkeypatch):
    monkeypatch.chdir(org_copy)
    result = run("validate", "--changed")
    assert result.exit_code == 2
    assert "--changed needs a git repository" in result.stderr


def test_unknown_revision(repo):
    with pytest.raises(GitError, match="no revision 'nope'"):
        changed_since(repo.root, "nope")


def test_changed_paths_are_relative_to_the_organisation(tmp_path):
    r = example_repo(tmp_path)
    # the organisation in a sub-folder of the git work tree
    sub = r.root / "org"
    sub.mkdir()
    r.git("mv", "collectives", "org/collectives")
    r.commit("move")
    r.write("org/" + ES_REPORT, 'filed = 2026-11-26\nsummary = "ok"\n')
    assert changed_since(sub, "HEAD") == [ES_REPORT]
    assert re.match(r"^[0-9a-f]{40}$", r.git("rev-parse", "HEAD").strip())


def test_a_repository_without_commits_checks_everything(tmp_path, monkeypatch, run):
    import shutil

    from git_helpers import EXAMPLE_COLLECTIVES, Repo

    root = tmp_path / "fresh"
    shutil.copytree(EXAMPLE_COLLECTIVES, root / "collectives")
    Repo(root).git("init", "-q", "-b", "main")
    assert (
        len([p for p in changed_since(root, "HEAD") if p.endswith(".toml")]) == 40
    )  # maquilas article, roles.toml, a motion
    monkeypatch.chdir(root)
    result = run("validate", "--changed", "HEAD")
    assert result.exit_code == 0, result.stdout
    assert "40 changed file(s)" in result.stderr
