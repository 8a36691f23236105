"""Who may change where the committee fetches from (issue 34, docs/sources.md "Who may change the sources").

A member of the committee's repository who can commit but holds no key points a source at a repository of
their own (or adds their own signing key): without an approval by a committee reader, their forged reports
would arrive as the collective's. Once a reader has approved the sources, `validate` names the change and
`sources fetch` refuses it, last good state kept; a forged approval does not verify.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from git_helpers import EXAMPLE_COLLECTIVES, Repo
from test_journey_sources import COMMITTEE, MEETING, MEETING_TOML, _collective, _file_report, _org_files, _rc, _share

IDENTITY = Path(__file__).parent / "keys" / "demo-identity.txt"
SLUG = "mexico"


def _committee(tmp: Path) -> Repo:
    repo = Repo(tmp / "committee")
    _org_files(repo.root, ())
    shutil.copy(EXAMPLE_COLLECTIVES.parent / "trust" / f"{SLUG}.toml", repo.root / "trust")
    folder = repo.root / "collectives" / COMMITTEE
    folder.mkdir(parents=True)
    for name in ("collective.toml", "members.toml"):
        shutil.copy(EXAMPLE_COLLECTIVES / COMMITTEE / name, folder)
    meeting = MEETING_TOML.replace('participants = ["mexico", "south-africa", "india"]', f'participants = ["{SLUG}"]')
    repo.write(f"collectives/{COMMITTEE}/meetings/{MEETING}.toml", meeting.replace('"south-africa"', f'"{SLUG}"'))
    repo.write("sources.toml", f'[[source]]\ncollective = "{SLUG}"\nurl = {json.dumps(str(tmp / f"{SLUG}.git"))}\n')
    repo.git("init", "-q", "-b", "main")
    repo.commit("the committee", date="2026-10-01T12:00:00+00:00")
    return repo


def test_a_source_redirected_without_approval_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("REDFLAG_FILED_DATES", raising=False)
    honest = _collective(tmp_path, SLUG)
    _file_report(honest, SLUG, "2026-11-20T15:00:00+00:00")
    _share(honest)
    committee = _committee(tmp_path)
    root = committee.root

    # never approved: the fetch goes ahead (trust on first use), and a warning says what is at stake and who fixes it
    fetched = _rc(root, "sources", "fetch")
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    checked = _rc(root, "validate")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "warning[trust-unapproved]" in checked.stdout and "sources.toml" in checked.stdout
    assert "anyone who can commit can point a source" in checked.stdout

    # a committee reader approves them, seeing each source before signing
    approved = _rc(root, "secrets", "approve", COMMITTEE, "--yes", "--identity", str(IDENTITY))
    assert approved.returncode == 0, approved.stderr
    assert f"source {SLUG}: {tmp_path / f'{SLUG}.git'} (branch redflag-shared" in approved.stderr
    committee.commit("approve the sources", date="2026-10-02T12:00:00+00:00")
    checked = _rc(root, "validate")
    assert checked.returncode == 0 and "trust-unapproved" not in checked.stdout, checked.stdout
    fetched = _rc(root, "sources", "fetch")
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    good_lock = (root / "sources.lock").read_text(encoding="utf-8")
    report = root / "collectives" / SLUG / "reports" / f"{MEETING}.toml"
    honest_report = report.read_bytes()

    # the intruder's own repository, with a forged report under the collective's name
    evil = _collective(tmp_path / "intruder", SLUG)
    forged = EXAMPLE_COLLECTIVES / SLUG / "reports" / f"{MEETING}.toml"
    evil.write(f"collectives/{SLUG}/reports/{MEETING}.toml", forged.read_text(encoding="utf-8") + "\n# forged\n")
    evil.commit("forged report", date="2026-11-21T15:00:00+00:00")
    _share(evil)
    config = (root / "sources.toml").read_text(encoding="utf-8")
    redirected = config.replace(str(tmp_path / f"{SLUG}.git"), str(tmp_path / "intruder" / f"{SLUG}.git"))
    committee.write("sources.toml", redirected)
    committee.commit("tidy the sources", date="2026-11-26T12:00:00+00:00")

    checked = _rc(root, "validate")
    assert checked.returncode == 1
    assert "sources.toml: error[trust-unapproved]: the sources" in checked.stdout
    assert "git log -p sources.toml" in checked.stdout  # how to find who made the change
    refused = _rc(root, "sources", "fetch")
    assert refused.returncode == 1 and "nothing was fetched" in refused.stderr, refused.stdout + refused.stderr
    assert (root / "sources.lock").read_text(encoding="utf-8") == good_lock
    assert report.read_bytes() == honest_report  # the last good files stay

    # the intruder's own signing key added beside the honest url: the same refusal
    committee.write(
        "sources.toml",
        config + 'signing_keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIntruderKeyIntruderKeyIntruderKey0"]\n',
    )
    assert _rc(root, "sources", "fetch").returncode == 1

    # nor can they make the approval say so: the digest is signed, so the chain breaks
    committee.write("sources.toml", redirected)
    trust = root / "trust" / f"{COMMITTEE}.toml"
    text = trust.read_text(encoding="utf-8")
    digest = _digest_now(root)
    committee.write(f"trust/{COMMITTEE}.toml", _replace_last_sources(text, digest))
    checked = _rc(root, "validate")
    assert checked.returncode == 1 and "trust-chain" in checked.stdout, checked.stdout
    assert _rc(root, "sources", "fetch").returncode == 1

    # a collective that really moved its repository: a reader approves the new url, and the fetch goes ahead
    moved = tmp_path / "moved" / f"{SLUG}.git"
    honest.git("init", "-q", "--bare", str(moved))
    honest.write(f"collectives/{SLUG}/reports/{MEETING}.toml", forged.read_text(encoding="utf-8") + "\n# amended\n")
    honest.commit("amend the report", date="2026-11-27T15:00:00+00:00")
    honest.git("remote", "set-url", "origin", str(moved))
    _share(honest)
    committee.write(f"trust/{COMMITTEE}.toml", text)
    committee.write("sources.toml", config.replace(str(tmp_path / f"{SLUG}.git"), str(moved)))
    approved = _rc(root, "secrets", "approve", COMMITTEE, "--yes", "--identity", str(IDENTITY))
    assert approved.returncode == 0, approved.stderr
    fetched = _rc(root, "sources", "fetch")
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    assert report.read_bytes().endswith(b"# amended\n")  # what the readers approved is what arrives


def _digest_now(root: Path) -> str:
    from redflag_coord.org.trustcheck import listed

    return listed(root, COMMITTEE).sources


def _replace_last_sources(text: str, digest: str) -> str:
    head, _, last = text.rpartition("[[approval]]")
    lines = [line for line in last.splitlines() if not line.startswith("sources = ")]
    return head + "[[approval]]" + "\n".join(lines) + f'\nsources = "{digest}"\n'
