"""Vouched retention dates (docs/privacy.md, Retention): a public, unsigned date removes a collective's
sealed values only when one of its readers vouched for it. Attacked the way a member who can commit but
holds no key would: backdating `expires` or `left`, copying a vouch, signing after leaving."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from conftest import DEMO_IDENTITY, DEMO_MAIL_SENDER, strings_in
from git_helpers import Repo, example_repo
from hypothesis import given, settings
from hypothesis import strategies as st
from vouch_helpers import vouch

from redflag_coord.org.retention import Expiry
from redflag_coord.org.vouch import Judged

BIN = str(Path(sys.executable).with_name("redflag-coord"))
RELS = "collectives/south-africa/relationships.toml"
MEMBERS = "collectives/south-africa/members.toml"
TODAY = "2026-11-27"


def cli(root: Path, *args: str, today: str = TODAY, identity: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDFLAG_")}
    env.update(REDFLAG_TODAY=today, REDFLAG_FILED_DATES="file")
    if identity is not None:
        env["REDFLAG_IDENTITY"] = str(identity)
    return subprocess.run([BIN, *args, "--root", str(root)], env=env, capture_output=True, text=True, timeout=120)


def sealed_values(root: Path, rel: str, table: tuple[str, int] | None = None) -> list[str]:
    """Every sealed value of a file (or of one of its tables), as text: what forget would remove."""
    doc = tomllib.loads((root / rel).read_text(encoding="utf-8"))
    return [v for v in strings_in(doc if table is None else doc[table[0]][table[1]]) if v.startswith("age:")]


def set_after(root: Path, rel: str, anchor: str, line: str) -> None:
    """Add `line` after the first line equal to `anchor` (an intruder's hand edit)."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert anchor + "\n" in text, anchor
    path.write_text(text.replace(anchor + "\n", f"{anchor}\n{line}\n", 1), encoding="utf-8")


def intruder_commit(repo: Repo, message: str) -> None:
    repo.git("add", "-A")
    env_date = "2026-11-20T12:00:00+00:00"
    repo.git("commit", "-q", "--no-gpg-sign", "--author", "mallory <m@example.org>", "-m", message, date=env_date)


def assert_kept(root: Path, rel: str, before: list[str], today: str, table: tuple[str, int] | None = None) -> None:
    """forget, without and with a reader's key, removes nothing (of `table`) and says why."""
    for identity in (None, DEMO_IDENTITY):
        done = cli(root, "secrets", "forget", "--expired", "south-africa", today=today, identity=identity)
        assert done.returncode == 0, done.stderr
        assert sealed_values(root, rel, table) == before, "an unvouched date removed sealed values"
        assert f"note: not removed {rel}" in done.stderr and "secrets vouch south-africa" in done.stderr
        assert "age:" not in done.stdout + done.stderr  # places and keys, never values


# -- (1) backdating `expires` on every relationship ------------------------------------------------------


def test_a_backdated_expires_is_warned_and_never_removes(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    root = repo.root
    ids = [r["id"] for r in tomllib.loads((root / RELS).read_text(encoding="utf-8"))["relationship"]]
    for rid in ids:
        set_after(root, RELS, f'id = "{rid}"', "expires = 2020-01-01")
    intruder_commit(repo, "tidy relationships")
    before = sealed_values(root, RELS)
    seen = cli(root, "validate")
    warned = re.findall(
        rf"{RELS}:(\d+):\d+: warning\[retention-unvouched\]: relationship\[(\d)\]\.expires", seen.stdout
    )
    assert sorted(int(i) for _, i in warned) == list(range(len(ids))), seen.stdout
    assert "no reader of 'south-africa' vouched for its expires: it removes nothing" in seen.stdout
    assert "will not remove them" in seen.stdout  # the expired check says forget will not act
    assert_kept(root, RELS, before, TODAY)
    listing = cli(root, "secrets", "vouch", "south-africa")  # what a reader sees before signing
    assert listing.returncode == 0 and "last changed by mallory on 2026-11-20: 'tidy relationships'" in listing.stdout


# -- (2) `left` in the past on a member whose [retention] default applies --------------------------------


def test_a_backdated_left_on_a_member_is_warned_and_never_removes(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    root = repo.root
    set_after(root, MEMBERS, 'handle = "thabo"', "left = 2019-01-01")
    intruder_commit(repo, "thabo left")
    before = sealed_values(root, MEMBERS)
    assert before
    seen = cli(root, "validate")
    assert re.search(rf"{MEMBERS}:\d+:\d+: warning\[retention-unvouched\]: member\[0\]\.left: ", seen.stdout), (
        seen.stdout
    )
    assert_kept(root, MEMBERS, before, TODAY)


# -- (3) a vouch copied from another table, or kept for another date --------------------------------------


def test_a_vouch_moved_from_another_table_or_date_is_refused(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    root = repo.root
    text = (root / RELS).read_text(encoding="utf-8")
    good = re.search(r'^expires_vouched = "([^"]+)"$', text, re.M)
    assert good  # the example's note, vouched by its reader for 2027-01-01
    second = tomllib.loads(text)["relationship"][1]["id"]
    set_after(root, RELS, f'id = "{second}"', f'expires = 2027-01-01\nexpires_vouched = "{good.group(1)}"')
    before = sealed_values(root, RELS, ("relationship", 1))
    seen = cli(root, "validate", today="2027-01-10")
    assert re.search(r"warning\[retention-unvouched\]: relationship\[1\]\.expires: .*does not verify here", seen.stdout)
    assert_kept(root, RELS, before, "2027-01-10", ("relationship", 1))  # the vouched note itself went
    # the same vouch, its day rewritten to an earlier date: the signature no longer holds
    forged = good.group(1).replace("2027-01-01", "2020-01-01", 1)
    (root / RELS).write_text(
        text.replace("expires = 2027-01-01\n", "expires = 2020-01-01\n", 1).replace(good.group(1), forged),
        encoding="utf-8",
    )
    before = sealed_values(root, RELS)
    seen = cli(root, "validate")
    assert re.search(r"warning\[retention-unvouched\]: relationship\[0\]\.history\[1\]\.expires: ", seen.stdout)
    assert_kept(root, RELS, before, TODAY)


def test_a_vouch_for_another_key_of_the_same_table_is_refused(tmp_path: Path) -> None:
    """A vouch for `expires` pasted beside `left` (same table, same day) signs another place."""
    repo = example_repo(tmp_path)
    root = repo.root
    rid = tomllib.loads((root / RELS).read_text(encoding="utf-8"))["relationship"][1]["id"]
    set_after(root, RELS, f'id = "{rid}"', "expires = 2020-01-01")
    vouch(root, "south-africa")
    text = (root / RELS).read_text(encoding="utf-8")
    text = text.replace("expires = 2020-01-01\nexpires_vouched", "left = 2019-01-01\nleft_vouched", 1)
    (root / RELS).write_text(text, encoding="utf-8")
    before = sealed_values(root, RELS)
    assert "does not verify here" in cli(root, "validate").stdout
    assert_kept(root, RELS, before, TODAY)


# -- (4) a reader removed by a later approval ----------------------------------------------------------------


def test_a_departed_readers_vouch_is_refused(tmp_path: Path) -> None:
    """A second reader is approved, vouches for a backdated date, then leaves (a later approval drops them):
    their vouch verifies but is not a current reader's, so it removes nothing. So is a mail sender's."""
    repo = example_repo(tmp_path)
    root = repo.root
    second = tmp_path / "second.txt"
    assert cli(root, "secrets", "keygen", "--output", str(second)).returncode == 0
    who = cli(root, "secrets", "whoami", "-i", str(second)).stdout.strip()
    recipient = who.split("=", 1)[0]
    collective = root / "collectives/south-africa/collective.toml"
    original = collective.read_text(encoding="utf-8")
    collective.write_text(original.replace('recipients = ["', f'recipients = ["{recipient}", "', 1), encoding="utf-8")
    approved = cli(root, "secrets", "approve", "south-africa", "--signer", who, "--yes", identity=DEMO_IDENTITY)
    assert approved.returncode == 0, approved.stderr
    rid = tomllib.loads((root / RELS).read_text(encoding="utf-8"))["relationship"][1]["id"]
    set_after(root, RELS, f'id = "{rid}"', "expires = 2020-01-01")
    vouch(root, "south-africa", identity=second)
    assert "retention-unvouched" not in cli(root, "validate").stdout  # while they read, it holds
    collective.write_text(original, encoding="utf-8")  # they leave: a reader approves the list without them
    assert cli(root, "secrets", "approve", "south-africa", "--yes", identity=DEMO_IDENTITY).returncode == 0
    before = sealed_values(root, RELS)
    seen = cli(root, "validate")
    assert re.search(r"relationship\[1\]\.expires: .*not a reader in the last approval", seen.stdout), seen.stdout
    assert_kept(root, RELS, before, TODAY)
    refused = cli(root, "secrets", "vouch", "south-africa", "--yes", identity=second)  # and cannot vouch again
    assert refused.returncode == 2 and "is not a reader" in refused.stderr
    mail = cli(root, "secrets", "vouch", "south-africa", "--yes", identity=DEMO_MAIL_SENDER)
    assert mail.returncode == 2 and "is not a reader" in mail.stderr and sealed_values(root, RELS) == before


# -- (5) the honest path --------------------------------------------------------------------------------------


def test_a_reader_vouches_then_forget_removes_and_keeps_comments(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    root = repo.root
    rid = tomllib.loads((root / RELS).read_text(encoding="utf-8"))["relationship"][1]["id"]
    set_after(root, RELS, f'id = "{rid}"', "# decided at the October meeting\nexpires = 2026-11-01")
    repo.commit("relationship[1] expires: decided at the October meeting")
    blind = cli(root, "secrets", "vouch", "south-africa")  # listing needs no key and signs nothing
    assert blind.returncode == 0 and "relationship[1].expires: removes from 2026-11-01" in blind.stdout
    assert "nothing was signed" in blind.stderr and "expires_vouched" not in (root / RELS).read_text().split(rid)[1]
    no_yes = cli(root, "secrets", "vouch", "south-africa", identity=DEMO_IDENTITY)  # not a terminal, no --yes
    assert no_yes.returncode == 2 and "give --yes" in no_yes.stderr
    vouch(root, "south-africa")
    done = cli(root, "secrets", "forget", "--expired", "south-africa")  # no key needed to remove
    assert done.returncode == 0, done.stderr
    assert "removed collectives/south-africa/relationships.toml: relationship[1]: the whole entry" in done.stdout
    after = (root / RELS).read_text(encoding="utf-8")
    assert rid not in after and "# Kept to the end of 2026" in after  # the other comments stay
    assert cli(root, "validate", identity=DEMO_IDENTITY).returncode == 0


def test_secrets_edit_vouches_the_dates_the_reader_changed(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    root = repo.root
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import pathlib, sys\np = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('expires = 2027-01-01', 'expires = 2026-12-01', 1))\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDFLAG_")}
    env.update(REDFLAG_TODAY=TODAY, EDITOR=f"{sys.executable} {editor}", REDFLAG_IDENTITY=str(DEMO_IDENTITY))
    done = subprocess.run([BIN, "secrets", "edit", str(root / RELS)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert 'expires_vouched = "2026-12-01 ed25519:' in (root / RELS).read_text(encoding="utf-8")
    assert "retention-unvouched" not in cli(root, "validate").stdout
    removed = cli(root, "secrets", "forget", "--expired", today="2026-12-02")
    assert "relationship[0].history[1]: note" in removed.stdout


# -- (6) later keeps longer; earlier changes nothing ------------------------------------------------------------


def test_a_date_made_later_than_its_vouch_keeps_longer_and_earlier_changes_nothing(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    root = repo.root
    text = (root / RELS).read_text(encoding="utf-8")
    later = text.replace("expires = 2027-01-01\n", "expires = 2027-06-01\n", 1)
    (root / RELS).write_text(later, encoding="utf-8")
    before = sealed_values(root, RELS)
    assert "retention-unvouched" not in cli(root, "validate").stdout  # later is the safe direction: no warning
    done = cli(root, "secrets", "forget", "--expired", today="2027-01-10")
    assert "nothing has expired" in done.stderr and sealed_values(root, RELS) == before
    assert "relationship[0].history[1]: note" in cli(root, "secrets", "forget", "--expired", today="2027-06-01").stdout
    (root / RELS).write_text(text.replace("expires = 2027-01-01\n", "expires = 2026-01-01\n", 1), encoding="utf-8")
    before = sealed_values(root, RELS)
    seen = cli(root, "validate")
    assert "a reader vouched only from 2027-01-01" in seen.stdout and "removes them from 2027-01-01" in seen.stdout
    done = cli(root, "secrets", "forget", "--expired", today="2026-12-31")
    assert done.returncode == 0 and sealed_values(root, RELS) == before
    assert "(expired on 2027-01-01" in cli(root, "secrets", "forget", "--expired", today="2027-01-01").stdout


@settings(max_examples=60, deadline=None)
@given(st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)), st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)))
def test_a_vouch_is_never_sooner_than_either_date(public: dt.date, vouched: dt.date) -> None:
    """Whatever the public date says, nothing goes before the vouched day, nor before the public date."""
    e = Expiry("collectives/x/members.toml", ("member", 0), public, ("member", 0, "expires"), "r", ("email",), False)
    status = "earlier" if vouched > public else ("vouched" if vouched == public else "later")
    judged = Judged(e, status, vouched)  # type: ignore[arg-type]
    on = judged.removable_on
    assert on is not None and on >= vouched and on >= public
    assert judged.effective().on == max(vouched, public) or status == "later"
    assert Judged(e, "unvouched").removable_on is None


def test_a_shorter_retention_period_does_not_hasten_a_vouched_left(tmp_path: Path) -> None:
    """A `left` vouched with [retention] member_left = 6mo: an intruder shortens the period to a day; the
    member's email still goes on the vouched day, not before."""
    repo = example_repo(tmp_path)
    root = repo.root
    set_after(root, MEMBERS, 'handle = "thabo"', "left = 2026-06-01")
    vouch(root, "south-africa")
    assert 'left_vouched = "2026-12-01 ' in (root / MEMBERS).read_text(encoding="utf-8")  # the day it counted to
    settings = root / "organisation.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + '\n[retention]\nmember_left = "1d"\n', encoding="utf-8")
    before = sealed_values(root, MEMBERS, ("member", 0))
    seen = cli(root, "validate")
    assert re.search(r"member\[0\]\.left: .*a reader vouched only from 2026-12-01", seen.stdout), seen.stdout
    done = cli(root, "secrets", "forget", "--expired", "south-africa")
    assert done.returncode == 0 and sealed_values(root, MEMBERS, ("member", 0)) == before
    done = cli(root, "secrets", "forget", "--expired", "south-africa", today="2026-12-01")
    assert "member[0]: email" in done.stdout and not sealed_values(root, MEMBERS, ("member", 0))
