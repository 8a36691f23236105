"""Journey (issue 34): need-to-know repositories. Three collectives keep their people in their own repositories;
the committee's repository receives only what each shares (two over git, one as a bundle), and every command
there reads it as if it were local. Each attack on a source is refused with a clear message, last good state kept.
All through the console script, in temporary git repositories.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import need
from git_helpers import EXAMPLE_COLLECTIVES, Repo

BIN = Path(sys.executable).parent
CANARY = "canary.member.7f3q@example.net"
MEETING = "ic-2026-12"
COMMITTEE = "international-committee"
SOURCES = ("mexico", "south-africa", "india")  # south-africa asks india: fetched before it


def _rc(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full = {**Repo(root).env(None), **(env or {})}
    full["PATH"] = f"{BIN}{os.pathsep}{full['PATH']}"
    return subprocess.run([str(BIN / "redflag-coord"), *args], cwd=root, capture_output=True, text=True, env=full)


def _org_files(root: Path, slugs: tuple[str, ...]) -> None:
    """organisation.toml, the named collectives of the example (without their reports) and their
    approvals (trust/)."""
    for slug in slugs:
        shutil.copytree(EXAMPLE_COLLECTIVES / slug, root / "collectives" / slug)
        for report in (root / "collectives" / slug).glob("reports/*.toml"):  # older meetings: not this committee's
            report.unlink()
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLE_COLLECTIVES.parent / "organisation.toml", root / "organisation.toml")
    (root / "trust").mkdir()
    for slug in (*slugs, COMMITTEE):  # who reads its own values (and the committee's), approved
        shutil.copy(EXAMPLE_COLLECTIVES.parent / "trust" / f"{slug}.toml", root / "trust")


MEETING_TOML = f"""title = "International Committee"
start = 2026-12-12T07:00:00
timezone = "America/Los_Angeles"
duration_minutes = 120
participants = {json.dumps(list(SOURCES))}
opens = "south-africa"
reports_due = 2026-12-05
language = "en"

[[item]]
topic = "Reports"
duration_minutes = 60
kind = "report"
"""


def _collective(tmp: Path, slug: str) -> Repo:
    """A collective's own repository (its members, a canary among them) and its bare remote."""
    repo = Repo(tmp / slug)
    _org_files(repo.root, (slug,))
    members = repo.root / "collectives" / slug / "members.toml"
    members.write_text(members.read_text(encoding="utf-8") + f"\n# contact: {CANARY}\n", encoding="utf-8")
    repo.git("init", "-q", "-b", "main")
    repo.commit(f"{slug}: the collective", date="2026-10-01T12:00:00+00:00")
    repo.git("init", "-q", "--bare", str(tmp / f"{slug}.git"))
    repo.git("remote", "add", "origin", str(tmp / f"{slug}.git"))
    return repo


def _file_report(repo: Repo, slug: str, date: str) -> None:
    """The collective's report to MEETING, committed in its own repository on `date`."""
    shutil.copy(
        EXAMPLE_COLLECTIVES / slug / "reports" / f"{MEETING}.toml", repo.root / "collectives" / slug / "reports"
    )
    repo.commit(f"{slug}: report to {MEETING}", date=date)


def _share(repo: Repo) -> None:
    done = _rc(repo.root, "sources", "share")
    assert done.returncode == 0, done.stderr
    repo.git("push", "-q", "origin", "redflag-shared")


def _committee(tmp: Path, bundle: Path) -> Repo:
    repo = Repo(tmp / "committee")
    _org_files(repo.root, ())  # the sources' approvals (trust/<slug>.toml) arrive with their collective.toml
    folder = repo.root / "collectives" / COMMITTEE
    folder.mkdir(parents=True)
    for name in ("collective.toml", "members.toml"):
        shutil.copy(EXAMPLE_COLLECTIVES / COMMITTEE / name, folder)
    repo.write(f"collectives/{COMMITTEE}/meetings/{MEETING}.toml", MEETING_TOML)
    lines = []
    for slug in SOURCES:
        url = str(bundle) if slug == "india" else str(tmp / f"{slug}.git")
        lines += ["[[source]]", f'collective = "{slug}"', f"url = {json.dumps(url)}", ""]
    repo.write("sources.toml", "\n".join(lines))
    repo.git("init", "-q", "-b", "main")
    repo.commit("the committee", date="2026-10-01T12:00:00+00:00")
    return repo


@pytest.fixture
def world(tmp_path, monkeypatch):
    monkeypatch.delenv("REDFLAG_FILED_DATES", raising=False)  # filed dates from git: the sources' own history
    sources = {slug: _collective(tmp_path, slug) for slug in SOURCES}
    _file_report(sources["mexico"], "mexico", "2026-11-20T15:00:00+00:00")
    _file_report(sources["south-africa"], "south-africa", "2026-11-22T15:00:00+00:00")
    _file_report(sources["india"], "india", "2026-11-25T06:00:00+00:00")
    for slug in ("mexico", "south-africa"):
        _share(sources[slug])
    bundle = tmp_path / "usb" / "india.bundle"
    bundle.parent.mkdir()
    made = _rc(sources["india"].root, "sources", "bundle", "--output", str(bundle))
    assert made.returncode == 0, made.stderr
    committee = _committee(tmp_path, bundle)
    return tmp_path, sources, committee, bundle


def _all_objects(git_dir: Path) -> bytes:
    """Every object of a repository, as bytes (what a seized laptop's copy holds)."""
    listed = subprocess.run(
        ["git", "--git-dir", str(git_dir), "cat-file", "--batch-all-objects", "--batch"],
        capture_output=True,
        check=True,
    )
    return listed.stdout


def test_reports_reach_the_committee_and_members_never_do(world):
    committee = world[2]
    fetched = _rc(committee.root, "sources", "fetch")
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    assert all(f"{slug}: updated at " in fetched.stdout for slug in SOURCES), fetched.stdout
    committee.commit("sources: fetched", date="2026-11-26T12:00:00+00:00")  # sources.lock, for every clone

    agenda = _rc(committee.root, "agenda", MEETING, "--format", "json")
    assert agenda.returncode == 0, agenda.stderr
    reports = {r["collective"]: r for r in json.loads(agenda.stdout)["reports"]}
    # filed dates from each collective's own history, in its zone
    assert (reports["mexico"]["status"], reports["mexico"]["filed"]) == ("filed", "2026-11-20")
    assert (reports["south-africa"]["status"], reports["south-africa"]["filed"]) == ("filed", "2026-11-22")
    assert (reports["india"]["status"], reports["india"]["filed"]) == ("filed", "2026-11-25")

    validated = _rc(committee.root, "validate")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    # each source's approvals of who reads it came with it (no copy by hand), ready to commit here
    for slug in SOURCES:
        sent = (EXAMPLE_COLLECTIVES.parent / "trust" / f"{slug}.toml").read_bytes()
        assert (committee.root / "trust" / f"{slug}.toml").read_bytes() == sent
    assert committee.git("ls-files", "trust/").split() == [f"trust/{s}.toml" for s in sorted((COMMITTEE, *SOURCES))]

    status = json.loads(_rc(committee.root, "sources", "status", "--format", "json").stdout)
    assert {s["collective"]: s["problems"] for s in status} == {slug: [] for slug in SOURCES}

    # the canary: no file and no object of the committee's repository (kept sources included) holds it
    for path in committee.root.rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path
    assert CANARY.encode() not in _all_objects(committee.root / ".git")
    for slug in SOURCES:
        kept = committee.root / ".git" / "redflag-sources" / f"{slug}.git"
        assert CANARY.encode() not in _all_objects(kept)
        assert (
            b"members.toml"
            not in subprocess.run(
                ["git", "--git-dir", str(kept), "rev-list", "--objects", "--all"], capture_output=True, check=True
            ).stdout
        )


def test_bundle_holds_no_private_object(world, tmp_path):
    _, _, _, bundle = world
    heads = subprocess.run(["git", "bundle", "list-heads", str(bundle)], capture_output=True, text=True, check=True)
    assert "refs/heads/redflag-shared" in heads.stdout
    empty = tmp_path / "unbundled.git"
    subprocess.run(["git", "init", "-q", "--bare", str(empty)], check=True)
    subprocess.run(
        ["git", "--git-dir", str(empty), "fetch", "-q", str(bundle), "refs/heads/*:refs/heads/*"], check=True
    )
    objects = subprocess.run(
        ["git", "--git-dir", str(empty), "rev-list", "--objects", "--all"], capture_output=True, text=True, check=True
    ).stdout
    assert "collectives/india/reports/ic-2026-12.toml" in objects
    assert "members.toml" not in objects and "relationships.toml" not in objects
    assert CANARY.encode() not in _all_objects(empty)
    authors = subprocess.run(
        ["git", "--git-dir", str(empty), "log", "--format=%an %ae %cn %ce", "--all"], capture_output=True, text=True
    ).stdout
    assert "test@example.org" not in authors and set(authors.split()) == {"india", "india@sources.invalid"}


# -- attacks: each refused with a clear message, the last good state kept ------------------------------------


def _good(world) -> tuple[Repo, Repo, dict]:
    """The committee after a first good fetch: mexico's repository, the committee, and what it holds."""
    _, sources, committee, _ = world
    assert _rc(committee.root, "sources", "fetch").returncode == 0
    committee.commit("sources: fetched", date="2026-11-26T12:00:00+00:00")
    return sources["mexico"], committee, _held(committee)


def _held(committee: Repo) -> dict:
    """What the committee holds of mexico: sources.lock, the files read, the commit this clone holds."""
    folder = committee.root / "collectives" / "mexico"
    return {
        "lock": (committee.root / "sources.lock").read_text(encoding="utf-8"),
        "files": {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()},
        "here": (committee.root / ".git" / "redflag-sources" / "mexico.commit").read_text(encoding="utf-8"),
        "approvals": (committee.root / "trust" / "mexico.toml").read_bytes(),
    }


def _refused(committee: Repo, before: dict, *words: str) -> str:
    done = _rc(committee.root, "sources", "fetch", "mexico")
    assert done.returncode == 1, done.stdout + done.stderr
    said = done.stderr
    assert said.startswith("mexico: refused, last good commit "), said
    assert all(w in said for w in words), said
    assert _held(committee) == before  # last good state kept
    status = json.loads(_rc(committee.root, "sources", "status", "--format", "json").stdout)
    problems = {s["collective"]: s["problems"] for s in status}["mexico"]
    assert any("refused" in p for p in problems), problems
    assert not list((committee.root / ".git" / "redflag-sources").glob(".*quarantine*"))  # nothing of it kept
    return said


def test_tampered_report_with_a_member_email_is_refused(world):
    mexico, committee, before = _good(world)
    report = mexico.root / "collectives/mexico/reports" / f"{MEETING}.toml"
    text = report.read_text(encoding="utf-8").replace('summary = "', f'summary = "Escribe a {CANARY}. ', 1)
    report.write_text(text, encoding="utf-8")
    mexico.commit("mexico: a careless edit", date="2026-11-27T12:00:00+00:00")
    _share(mexico)
    _refused(committee, before, "private-text", f"collectives/mexico/reports/{MEETING}.toml")
    assert CANARY.encode() not in _all_objects(committee.root / ".git")
    assert CANARY.encode() not in _all_objects(committee.root / ".git" / "redflag-sources" / "mexico.git")


def test_tampered_schema_is_refused(world):
    mexico, committee, before = _good(world)
    info = mexico.root / "collectives/mexico/collective.toml"
    info.write_text(info.read_text(encoding="utf-8") + '\nphone = "+52 55 1234 5678"\n', encoding="utf-8")
    mexico.commit("mexico: a key nobody knows", date="2026-11-27T12:00:00+00:00")
    _share(mexico)
    _refused(committee, before, "collectives/mexico/collective.toml", "phone")


def test_path_outside_the_shared_set_is_refused(world):
    mexico, committee, before = _good(world)
    # an intruder (or a careless script) adds members.toml to the shared branch itself
    mexico.git("checkout", "-q", "redflag-shared")
    members = (EXAMPLE_COLLECTIVES / "mexico" / "members.toml").read_text(encoding="utf-8") + f"# {CANARY}\n"
    mexico.write("collectives/mexico/members.toml", members)
    mexico.commit("share the members too", date="2026-11-27T12:00:00+00:00")
    mexico.git("push", "-q", "origin", "redflag-shared")
    mexico.git("checkout", "-q", "main")
    _refused(committee, before, "path outside the shared set: collectives/mexico/members.toml")
    for git_dir in (committee.root / ".git", committee.root / ".git" / "redflag-sources" / "mexico.git"):
        assert CANARY.encode() not in _all_objects(git_dir)


def test_history_rewrite_is_refused(world):
    mexico, committee, before = _good(world)
    # the collective rebuilds its shared branch from a rewritten history and force-pushes it
    mexico.git("commit", "-q", "--amend", "--no-gpg-sign", "-m", "rewritten", date="2026-11-28T12:00:00+00:00")
    mexico.git("update-ref", "-d", "refs/heads/redflag-shared")
    mexico.git("update-ref", "-d", "refs/redflag/shared-upto")
    assert _rc(mexico.root, "sources", "share").returncode == 0
    mexico.git("push", "-q", "--force", "origin", "redflag-shared")
    _refused(committee, before, "history rewrite", "does not descend from the last good commit")


def test_unsigned_commit_is_refused_when_signing_is_required(world, tmp_path):
    need(shutil.which("ssh-keygen") is not None, "ssh-keygen (OpenSSH) signs the commits")
    _, sources, committee, _ = world
    mexico = sources["mexico"]
    key = tmp_path / "mexico-signing"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "mexico", "-f", str(key)], check=True)
    mexico.git("config", "gpg.format", "ssh")
    mexico.git("config", "user.signingkey", str(key))
    # the committee requires signatures and lists mexico's key; the others sign nothing: fetch only mexico
    settings = committee.root / "organisation.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + "\n[sources]\nrequire_signed = true\n", encoding="utf-8")
    listed = committee.root / "sources.toml"
    public = key.with_suffix(".pub").read_text(encoding="utf-8").strip()
    text = listed.read_text(encoding="utf-8").replace(
        'collective = "mexico"\n', f'collective = "mexico"\nsigning_keys = [{json.dumps(public)}]\n', 1
    )
    listed.write_text(text, encoding="utf-8")
    committee.commit("require signatures", date="2026-11-26T11:00:00+00:00")
    mexico.git("update-ref", "-d", "refs/heads/redflag-shared")  # rebuilt, signed, before the committee's first fetch
    mexico.git("update-ref", "-d", "refs/redflag/shared-upto")
    assert _rc(mexico.root, "sources", "share", "--sign").returncode == 0
    mexico.git("push", "-q", "--force", "origin", "redflag-shared")
    first = _rc(committee.root, "sources", "fetch", "mexico")
    assert first.returncode == 0, first.stderr
    refused = _rc(committee.root, "sources", "fetch", "south-africa")
    assert refused.returncode == 1 and "lists no signing_keys for 'south-africa'" in refused.stderr, refused.stderr
    before = _held(committee)
    report = mexico.root / "collectives/mexico/reports" / f"{MEETING}.toml"  # a new version, shared unsigned
    report.write_text(report.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    mexico.commit("mexico: unsigned", date="2026-11-27T13:00:00+00:00")
    _share(mexico)
    _refused(committee, before, "unsigned commit", "signing_keys")


def test_fetched_files_are_read_only_and_never_committed(world):
    _, committee, _ = _good(world)
    from redflag_coord.repo.fsio import atomic_write
    from redflag_coord.repo.sourcestore import ReadOnlySource

    report = committee.root / "collectives/mexico/reports" / f"{MEETING}.toml"
    assert not os.access(report, os.W_OK) or os.geteuid() == 0  # read-only (root may write anyway)
    assert not report.stat().st_mode & 0o222
    with pytest.raises(ReadOnlySource, match="is a source of this repository"):
        atomic_write(report, b"summary = 'changed here'\n", overwrite=True)
    with pytest.raises(ReadOnlySource):
        atomic_write(committee.root / "collectives/mexico/reports/ic-2027-01.toml", b"")
    committee.git("add", "-A")  # a careless `git add -A` commits nothing of a source
    assert committee.git("status", "--porcelain") == ""
    assert "collectives/mexico" not in committee.git("ls-files")


def test_share_only_grows_and_names_no_member(world):
    _, sources, _, _ = world
    mexico = sources["mexico"]
    first = mexico.git("rev-parse", "redflag-shared").strip()
    report = mexico.root / "collectives/mexico/reports" / f"{MEETING}.toml"
    report.write_text(report.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    mexico.commit("mexico: a second version", date="2026-11-21T10:00:00+00:00")
    assert _rc(mexico.root, "sources", "share").returncode == 0
    assert mexico.git("rev-parse", "redflag-shared~1").strip() == first  # added on top: no rewrite
    log = mexico.git("log", "--format=%an %ae %cn %ce %B", "redflag-shared")
    assert "test@example.org" not in log and "Test" not in log  # the member who committed stays here
    dates = mexico.git("log", "--format=%cI", "redflag-shared").split()
    assert dates[0] == "2026-11-21T10:00:00+00:00"  # the original commit's date


def test_validate_refuses_private_files_and_shares_in_a_committee_repository(world):
    _, _, committee, _ = world
    listed = committee.root / "sources.toml"
    listed.write_text(
        listed.read_text(encoding="utf-8").replace(
            'collective = "mexico"\n',
            'collective = "mexico"\nshares = ["reports/", "members.toml"]\nsigning_keys = ["0x0123456789ABCDEF"]\n',
            1,
        ),
        encoding="utf-8",
    )
    shutil.copytree(EXAMPLE_COLLECTIVES / "honduras", committee.root / "collectives" / "honduras")
    (committee.root / "collectives/honduras/members.toml").write_text(
        (EXAMPLE_COLLECTIVES / "mexico" / "members.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    said = _rc(committee.root, "validate").stdout
    assert "sources.toml" in said and "error[private-share]" in said, said
    assert "collectives/honduras/members.toml" in said and "error[private-elsewhere]" in said, said
    assert "error[bad-sources]" in said and "a fingerprint alone verifies nothing" in said, said
    assert "collectives/international-committee/members.toml" not in said  # the committee's own
    fetched = _rc(committee.root, "sources", "fetch")
    assert fetched.returncode == 1 and "names a collective's private file" in fetched.stderr, fetched.stderr
    assert not (committee.root / "sources.lock").exists()


def test_minutes_travel_back_to_the_collective(world, monkeypatch):
    """The committee's minutes (a commitment for mexico) reach mexico's own repository the same way."""
    _, sources, committee, _ = world
    assert _rc(committee.root, "sources", "fetch").returncode == 0
    monkeypatch.setenv("REDFLAG_TODAY", "2026-12-13")  # the day after the meeting
    made = _rc(committee.root, "minutes", "new", MEETING)
    assert made.returncode == 0, made.stderr
    minutes = committee.root / "collectives" / COMMITTEE / "minutes" / f"{MEETING}.toml"
    minutes.write_text(
        minutes.read_text(encoding="utf-8")
        + '\n[[commitment]]\nid = "ic-2026-12-schools"\ntext = "Take Red Flag to two more schools."\n'
        + 'owner = "mexico"\ndue = 2027-01-31\nitem = 1\n',
        encoding="utf-8",
    )
    assert _rc(committee.root, "validate").returncode == 0, _rc(committee.root, "validate").stdout
    committee.commit("minutes of ic-2026-12", date="2026-12-13T12:00:00+00:00")
    shares = ["--share", "collective.toml", "--share", "meetings/", "--share", "minutes/"]
    shared = _rc(committee.root, "sources", "share", "--collective", COMMITTEE, *shares)
    assert shared.returncode == 0, shared.stderr

    mexico = sources["mexico"]
    mexico.write(
        "sources.toml",
        f'[[source]]\ncollective = "{COMMITTEE}"\nurl = {json.dumps(str(committee.root))}\n'
        'shares = ["collective.toml", "meetings/", "minutes/"]\n',
    )
    mexico.commit("the committee as a source", date="2026-12-13T13:00:00+00:00")
    fetched = _rc(mexico.root, "sources", "fetch")
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    open_ = json.loads(_rc(mexico.root, "commitments", "--format", "json").stdout)
    assert "ic-2026-12-schools" in json.dumps(open_), open_
    validated = _rc(mexico.root, "validate")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    # the committee's members never reach the collective either
    for path in (mexico.root / "collectives" / COMMITTEE).rglob("*"):
        assert path.name not in ("members.toml", "relationships.toml"), path


def test_a_sealed_bundle_opens_only_with_the_committees_key(world, tmp_path):
    from conftest import DEMO_IDENTITY

    _, sources, committee, _ = world
    recipient = "age1drhyk3ftvar42gudee02u2z3l34ztfs4uf2sngzf5kwj2kquf4js7952xy"  # DEMO: tests/keys/demo-identity.txt
    sealed = tmp_path / "usb" / "india.bundle.age"
    made = _rc(sources["india"].root, "sources", "bundle", "--output", str(sealed), "--recipient", recipient)
    assert made.returncode == 0, made.stderr
    assert sealed.read_bytes().startswith(b"age-encryption.org/v1\n")
    assert b"collectives/india" not in sealed.read_bytes()  # nothing readable without the key
    keyless = _rc(committee.root, "sources", "fetch", str(sealed), env={"REDFLAG_IDENTITY": ""})
    assert keyless.returncode == 2 and "sealed with age" in keyless.stderr, keyless.stderr
    opened = _rc(committee.root, "sources", "fetch", str(sealed), "--identity", str(DEMO_IDENTITY))
    assert opened.returncode == 0 and "india: updated at " in opened.stdout, opened.stdout + opened.stderr


def test_a_local_folder_is_never_replaced_by_a_source(world):
    """Nothing lost: a committee still holding mexico's folder (members, uncommitted edits) keeps it."""
    _, _, committee, _ = world
    local = committee.root / "collectives" / "mexico"
    shutil.copytree(EXAMPLE_COLLECTIVES / "mexico", local)
    (local / "members.toml").write_text("# an edit not committed yet\n", encoding="utf-8")
    before = {p.relative_to(local).as_posix(): p.read_bytes() for p in local.rglob("*") if p.is_file()}
    done = _rc(committee.root, "sources", "fetch", "mexico")
    assert done.returncode == 1 and "is a local folder, not one 'sources fetch' wrote" in done.stderr, done.stderr
    assert {p.relative_to(local).as_posix(): p.read_bytes() for p in local.rglob("*") if p.is_file()} == before


def test_split_makes_a_committee_and_one_repository_per_collective(tmp_path, monkeypatch):
    """The example's one repository split: the committee's fetches every collective and holds no member list."""
    from git_helpers import example_repo

    monkeypatch.delenv("REDFLAG_FILED_DATES", raising=False)
    single = example_repo(tmp_path, drop_reports=None)
    out = tmp_path / "split"
    done = _rc(single.root, "split", "--output", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    committee = Repo(out / COMMITTEE)
    assert (out / "mexico" / "collectives/mexico/members.toml").exists()
    assert not list((committee.root / "collectives").glob("*/relationships.toml"))
    fetched = _rc(committee.root, "sources", "fetch")
    assert "mexico: updated at " in fetched.stdout, fetched.stdout + fetched.stderr
    agenda = _rc(committee.root, "agenda", MEETING, "--format", "json")
    reports = {r["collective"]: r["status"] for r in json.loads(agenda.stdout)["reports"]}
    assert reports.get("mexico") in ("filed", "late"), agenda.stdout + agenda.stderr
    members = [p for p in committee.root.rglob("members.toml") if COMMITTEE not in p.parts]
    assert members == []
    # every collective's approvals of who reads it are committed here: none is taken on first use by a fetch
    held = set(committee.git("ls-files", "trust/").split())
    assert {f"trust/{p.name}" for p in (EXAMPLE_COLLECTIVES.parent / "trust").glob("*.toml")} <= held
    assert not committee.git("status", "--porcelain", "trust/")  # the fetched ones are those
    checked = _rc(committee.root, "validate")  # the June minutes cite el-salvador's motion: motions/ is shared
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # and the other way: a collective's repository reads the committee's meetings and minutes, whose decisions
    # cite motions and count votes of collectives it does not hold (judged in the committee's repository)
    mexico = out / "mexico"
    fetched = _rc(mexico, "sources", "fetch")
    assert fetched.returncode == 0 and f"{COMMITTEE}: updated at " in fetched.stdout, fetched.stdout + fetched.stderr
    agenda = _rc(mexico, "agenda", MEETING, "--for", "mexico")
    assert agenda.returncode == 0 and "Mexico" in agenda.stdout, agenda.stdout + agenda.stderr
    checked = _rc(mexico, "validate")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # its own readers decide on its sources, not the committee's
    assert "no reader of 'mexico' has approved its sources" in checked.stdout


def _intruder():
    """A signing key and an age recipient of someone who is no reader of mexico."""
    import pyrage
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from redflag_coord.crypt import normal_recipient
    from redflag_coord.crypt.trust import Signer

    return Signer(normal_recipient(str(pyrage.x25519.Identity.generate().to_public())), Ed25519PrivateKey.generate())


def _approval(chain: list, slug: str, recipients: tuple, signers: tuple, by) -> list:
    """`chain` and one more approval of these lists, signed by `by` (whoever that is)."""
    from redflag_coord.crypt.trust import APPROVAL_DOMAIN
    from redflag_coord.org.trustcheck import Approval

    last = chain[-1] if chain else None
    step = Approval(
        version=len(chain) + 1,
        previous=last.digest(slug) if last else "",
        recipients=recipients,
        mail_senders=last.mail_senders if last else (),
        require=last.require if last else True,
        signers=signers,
        by=by.public,
    )
    return [*chain, Approval(**{**step.__dict__, "signature": by.sign(APPROVAL_DOMAIN, step.body(slug))})]


def test_a_source_cannot_make_its_intruder_a_reader(world):
    """An intruder in mexico's repository adds its own key to who reads mexico, and sends approvals no reader
    signed: one it appends and signs itself, then a chain restarted from its own first approval. Each is
    refused; the committee's approvals of mexico (and everything else it holds of mexico) stay as they were."""
    from redflag_coord.org.trustcheck import parse_chain, render_chain

    mexico, committee, before = _good(world)
    intruder = _intruder()
    info = mexico.root / "collectives/mexico/collective.toml"
    info.write_text(
        info.read_text(encoding="utf-8").replace("recipients = [", f'recipients = ["{intruder.recipient}", ', 1),
        encoding="utf-8",
    )
    mexico.commit("mexico: one more reader", date="2026-11-27T12:00:00+00:00")
    _share(mexico)  # the lists changed, the approvals not: as a change here would be, it is refused
    _refused(committee, before, "collectives/mexico/collective.toml", "trust-unapproved", intruder.recipient)

    approvals = mexico.root / "trust/mexico.toml"
    chain = parse_chain(approvals.read_text(encoding="utf-8"), "mexico")
    recipients = tuple(sorted((*chain[-1].recipients, intruder.recipient)))
    signers = tuple(sorted((*chain[-1].signers, (intruder.recipient, intruder.public))))
    approvals.write_text(render_chain("mexico", _approval(chain, "mexico", recipients, signers, intruder)))
    mexico.commit("mexico: approved", date="2026-11-27T13:00:00+00:00")
    _share(mexico)
    _refused(
        committee, before, "trust/mexico.toml sent by 'mexico' does not hold", "not a reader of the version before"
    )

    mine = ((intruder.recipient, intruder.public),)
    approvals.write_text(render_chain("mexico", _approval([], "mexico", (intruder.recipient,), mine, intruder)))
    info.write_text(
        info.read_text(encoding="utf-8").split("recipients = [", 1)[0]
        + f'recipients = ["{intruder.recipient}"]\n'
        + info.read_text(encoding="utf-8").split("recipients = [", 1)[1].split("]", 1)[1],
        encoding="utf-8",
    )
    mexico.commit("mexico: a fresh start", date="2026-11-27T14:00:00+00:00")
    _share(mexico)
    _refused(committee, before, "does not extend the 1 approval(s) this repository holds")
    assert intruder.recipient.encode() not in (committee.root / "trust/mexico.toml").read_bytes()


def test_a_source_cannot_send_another_collectives_approvals(world):
    """mexico's shared branch carries india's trust file (who reads india): outside its shared set, refused."""
    mexico, committee, before = _good(world)
    india = (committee.root / "trust/india.toml").read_bytes()
    mexico.git("checkout", "-q", "redflag-shared")
    mexico.write("trust/india.toml", "# replaced by mexico\n")
    mexico.commit("who reads india", date="2026-11-27T12:00:00+00:00")
    mexico.git("push", "-q", "origin", "redflag-shared")
    mexico.git("checkout", "-q", "main")
    _refused(committee, before, "path outside the shared set: trust/india.toml", "trust/mexico.toml")
    assert (committee.root / "trust/india.toml").read_bytes() == india


def test_openpgp_signed_source_is_accepted_and_an_unlisted_key_refused(world):
    """The committee lists mexico's OpenPGP key as a file in its repository (keys/mexico.asc): commits signed
    with it are fetched; one signed with a key the committee does not list is refused, last good kept."""
    from gpg_helpers import GPG, Key

    need(GPG is not None, "gpg (GnuPG) signs the commits")
    _, sources, committee, _ = world
    mexico = sources["mexico"]
    made = [Key("mexico"), Key("intruder")]
    try:
        key, other = made
        settings = committee.root / "organisation.toml"
        settings.write_text(settings.read_text(encoding="utf-8") + "\n[sources]\nrequire_signed = true\n")
        committee.write("keys/mexico.asc", key.public())
        listed = committee.root / "sources.toml"
        text = listed.read_text(encoding="utf-8").replace(
            'collective = "mexico"\n', 'collective = "mexico"\nsigning_keys = ["keys/mexico.asc"]\n', 1
        )
        listed.write_text(text, encoding="utf-8")
        committee.commit("require signatures", date="2026-11-26T11:00:00+00:00")
        mexico.git("config", "gpg.format", "openpgp")
        mexico.git("config", "gpg.program", key.program())
        mexico.git("config", "user.signingkey", key.fpr)
        mexico.git("update-ref", "-d", "refs/heads/redflag-shared")  # rebuilt, signed, before the first fetch
        mexico.git("update-ref", "-d", "refs/redflag/shared-upto")
        signed = _rc(mexico.root, "sources", "share", "--sign", env={"GNUPGHOME": str(key.home)})
        assert signed.returncode == 0, signed.stderr
        mexico.git("push", "-q", "--force", "origin", "redflag-shared")
        first = _rc(committee.root, "sources", "fetch", "mexico")
        assert first.returncode == 0 and "mexico: updated at " in first.stdout, first.stdout + first.stderr
        committee.commit("sources: fetched", date="2026-11-26T12:00:00+00:00")
        before = _held(committee)
        report = mexico.root / "collectives/mexico/reports" / f"{MEETING}.toml"
        report.write_text(report.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        mexico.commit("mexico: signed by someone else", date="2026-11-27T13:00:00+00:00")
        mexico.git("config", "user.signingkey", other.fpr)
        # the intruder's key is trusted by the keyring of whoever runs the fetch: it must not count
        assert _rc(mexico.root, "sources", "share", "--sign", env={"GNUPGHOME": str(other.home)}).returncode == 0
        mexico.git("push", "-q", "origin", "redflag-shared")
        refused = _rc(committee.root, "sources", "fetch", "mexico", env={"GNUPGHOME": str(other.home)})
        assert refused.returncode == 1 and "not listed for 'mexico'" in refused.stderr, refused.stderr
        assert _held(committee) == before
    finally:
        for k in made:
            k.close()


def test_approvals_of_a_refused_first_fetch_are_not_kept(world):
    """A source refused on its first fetch (a member's email in its report) leaves no approvals here either."""
    _, sources, committee, _ = world
    mexico = sources["mexico"]
    report = mexico.root / "collectives/mexico/reports" / f"{MEETING}.toml"
    text = report.read_text(encoding="utf-8").replace('summary = "', f'summary = "Escribe a {CANARY}. ', 1)
    report.write_text(text, encoding="utf-8")
    mexico.commit("mexico: a careless edit", date="2026-11-21T12:00:00+00:00")
    _share(mexico)
    done = _rc(committee.root, "sources", "fetch", "mexico")
    assert done.returncode == 1 and "private-text" in done.stderr, done.stderr
    assert not (committee.root / "trust/mexico.toml").exists()
    assert not (committee.root / "collectives/mexico").exists()
    assert committee.git("status", "--porcelain") == ""


# -- scale: the cost follows the sources that changed ---------------------------------------------------


def _count_validations(monkeypatch) -> list[int]:
    """Each `validate` of the committee's organisation a fetch runs, counted (one for many sources)."""
    from redflag_coord.sources import verify

    calls: list[int] = []
    real = verify.validate_org

    def counted(org, *args, **kwargs):
        calls.append(len(org.collectives))
        return real(org, *args, **kwargs)

    monkeypatch.setattr(verify, "validate_org", counted)
    return calls


def test_first_fetch_of_every_source_validates_once(world, monkeypatch):
    from redflag_coord.sources.fetch import fetch

    committee = world[2]
    calls = _count_validations(monkeypatch)
    outcomes = fetch(committee.root)
    assert {o.slug: o.result for o in outcomes} == dict.fromkeys(SOURCES, "updated")
    assert len(calls) == 1  # not one per source
    again = fetch(committee.root)  # nothing changed: no validation, nothing fetched
    assert {o.slug: o.result for o in again} == dict.fromkeys(SOURCES, "unchanged")
    assert len(calls) == 1


def test_changed_sources_one_bad_the_good_ones_are_accepted(world, monkeypatch):
    """Batched: one validation for the three changed sources (and one to confirm the good ones without the
    bad one, not one per source); the bad one keeps its last good commit, the good ones move on."""
    from redflag_coord.sources.fetch import fetch, render

    _, sources, committee, bundle = world
    mexico, africa, india = sources["mexico"], sources["south-africa"], sources["india"]
    assert _rc(committee.root, "sources", "fetch").returncode == 0
    lock_before = (committee.root / "sources.lock").read_text(encoding="utf-8")
    africa_folder = committee.root / "collectives" / "south-africa"
    africa_files = {p: p.read_bytes() for p in africa_folder.rglob("*") if p.is_file()}
    africa_last = (committee.root / ".git/redflag-sources/south-africa.commit").read_text(encoding="utf-8").strip()

    report = mexico.root / "collectives/mexico/reports" / f"{MEETING}.toml"
    report.write_text(report.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # still valid
    mexico.commit("mexico: a second version", date="2026-11-27T12:00:00+00:00")
    _share(mexico)
    bad = africa.root / "collectives/south-africa/reports" / f"{MEETING}.toml"
    text = bad.read_text(encoding="utf-8").replace('summary = """\n', f'summary = """\nWrite to {CANARY}. ', 1)
    bad.write_text(text, encoding="utf-8")
    africa.commit("south-africa: a careless edit", date="2026-11-27T13:00:00+00:00")
    _share(africa)
    new_mexico = mexico.git("rev-parse", "redflag-shared").strip()
    summary = india.root / "collectives/india/reports" / f"{MEETING}.toml"
    summary.write_text(summary.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    india.commit("india: a second version", date="2026-11-27T14:00:00+00:00")
    remade = _rc(india.root, "sources", "bundle", "--output", str(bundle), "--force")
    assert remade.returncode == 0, remade.stderr

    calls = _count_validations(monkeypatch)
    outcomes = {o.slug: o for o in fetch(committee.root)}
    assert len(calls) == 2  # all three candidates at once, then the good ones confirmed without the bad one
    assert (outcomes["mexico"].result, outcomes["mexico"].commit) == ("updated", new_mexico)
    assert outcomes["india"].result == "updated"
    refused = outcomes["south-africa"]
    assert (refused.result, refused.commit) == ("refused", africa_last)
    _, said = render(list(outcomes.values()), "text")
    assert said.startswith(f"south-africa: refused, last good commit {africa_last[:12]} kept: ")
    assert f"collectives/south-africa/reports/{MEETING}.toml" in said and "private-text" in said, said
    # south-africa's last good state kept, mexico's new one recorded
    assert {p: p.read_bytes() for p in africa_folder.rglob("*") if p.is_file()} == africa_files
    assert (committee.root / ".git/redflag-sources/south-africa.commit").read_text().strip() == africa_last
    lock = (committee.root / "sources.lock").read_text(encoding="utf-8")
    assert new_mexico in lock and africa_last in lock and lock != lock_before
    assert CANARY.encode() not in _all_objects(committee.root / ".git/redflag-sources/south-africa.git")
    assert not list((committee.root / ".git" / "redflag-sources").glob(".*quarantine*"))


def test_an_unchanged_source_is_skipped_and_a_changed_one_never_is(world):
    """A source on this machine has its branch read from git's files (loose or packed refs); over a
    transport (file://) `git ls-remote` asks. Either way, a new commit is fetched and an old one is not."""
    from redflag_coord.sources.fetch import fetch

    tmp, sources, committee, _ = world
    mexico = sources["mexico"]
    assert {o.result for o in fetch(committee.root, ["mexico"])} == {"updated"}
    remote = tmp / "mexico.git"
    subprocess.run(["git", "--git-dir", str(remote), "pack-refs", "--all"], check=True)
    assert not (remote / "refs/heads/redflag-shared").exists()  # only in packed-refs now
    assert [o.result for o in fetch(committee.root, ["mexico"])] == ["unchanged"]
    report = mexico.root / "collectives/mexico/reports" / f"{MEETING}.toml"
    report.write_text(report.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    mexico.commit("mexico: a second version", date="2026-11-27T12:00:00+00:00")
    _share(mexico)  # a loose ref again, newer than the packed one
    new = mexico.git("rev-parse", "redflag-shared").strip()
    assert [(o.result, o.commit) for o in fetch(committee.root, ["mexico"])] == [("updated", new)]
    listed = committee.root / "sources.toml"
    listed.write_text(listed.read_text(encoding="utf-8").replace(f'"{remote}"', f'"file://{remote}"'), "utf-8")
    assert [o.result for o in fetch(committee.root, ["mexico"])] == ["unchanged"]
    report.write_text(report.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    mexico.commit("mexico: a third version", date="2026-11-28T12:00:00+00:00")
    _share(mexico)
    newer = mexico.git("rev-parse", "redflag-shared").strip()
    assert [(o.result, o.commit) for o in fetch(committee.root, ["mexico"])] == [("updated", newer)]
