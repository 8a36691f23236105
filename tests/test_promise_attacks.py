"""Attacks on promises of docs/privacy.md that no other test made (tests/promises.toml names them).

Each test runs the console script in a temporary copy of the example organisation (a git repository
where history matters) and does what the promise says cannot happen:
  - `secrets edit` with an editor that fails, leaving swap and backup files, or that cannot start:
    the clear text must be overwritten, not only unlinked (a hard link made by the editor keeps the
    file's blocks reachable, so it shows whether they were zeroed);
  - a history note moved to another position of its relationship, or into another relationship;
  - a renamed collective's former slug taken again, by `new collective` or by hand.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import DEMO_IDENTITY, REPO, TODAY
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from git_helpers import Repo, example_repo

from redflag_coord import crypt
from redflag_coord.crypt import trust as sig

EXE = str(Path(sys.executable).with_name("redflag-coord"))
LA_MEMBERS = "collectives/los-angeles/members.toml"
SALVADOR = "collectives/el-salvador/relationships.toml"
ROSA = "rosa@example.org"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDFLAG_") and k not in ("VISUAL", "EDITOR")}
    env.update(REDFLAG_TODAY=TODAY, **extra)
    return env


@pytest.fixture
def tmpdir_env(tmp_path: Path) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


# -- secrets edit: "On every way out — the editor ends, fails or cannot start … every file in that folder
#    (the copy, and an editor's swap or backup files) is overwritten with zeros and the folder removed."

FAILING_EDITOR = """\
import os, pathlib, sys
path = pathlib.Path(sys.argv[-1])
links = pathlib.Path(os.environ["LINKS"])
swap, backup = path.with_name("." + path.name + ".swp"), path.with_name(path.name + "~")
swap.write_text(path.read_text() + "typed, not saved")  # an editor's swap file holds the clear text too
backup.write_text(path.read_text())
for f in (path, swap, backup):
    os.link(f, links / f.name)  # the same blocks, reachable after the folder is gone
sys.exit(3)
"""


def test_an_editor_that_fails_leaves_no_clear_text_not_even_in_its_swap_files(
    org_copy: Path, tmpdir_env: Path, tmp_path: Path
) -> None:
    editor, links = tmp_path / "editor.py", tmp_path / "links"
    editor.write_text(FAILING_EDITOR, encoding="utf-8")
    links.mkdir()
    path = org_copy / LA_MEMBERS
    before = path.read_bytes()
    env = _env(
        REDFLAG_IDENTITY=str(DEMO_IDENTITY),
        TMPDIR=str(tmpdir_env),
        EDITOR=f"{sys.executable} {editor}",
        LINKS=str(links),
    )
    r = subprocess.run([EXE, "secrets", "edit", str(path)], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and "exited with 3" in r.stderr and "nothing was written" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and ROSA not in r.stdout + r.stderr
    assert path.read_bytes() == before
    assert not list(tmpdir_env.iterdir())  # the folder is removed
    kept = sorted(links.iterdir())
    assert [p.name for p in kept] == [".members.toml.swp", "members.toml", "members.toml~"]
    for link in kept:
        data = link.read_bytes()
        assert data and data == b"\0" * len(data), f"{link.name} still holds the clear text"


def test_an_editor_that_cannot_start_leaves_no_clear_text(org_copy: Path, tmpdir_env: Path, tmp_path: Path) -> None:
    path = org_copy / LA_MEMBERS
    before = path.read_bytes()
    env = _env(REDFLAG_IDENTITY=str(DEMO_IDENTITY), TMPDIR=str(tmpdir_env), EDITOR=str(tmp_path / "no-such-editor"))
    r = subprocess.run([EXE, "secrets", "edit", str(path)], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "cannot run the editor" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and ROSA not in r.stdout + r.stderr
    assert path.read_bytes() == before
    assert not list(tmpdir_env.iterdir())


# -- "History notes are bound to their position in the relationship's history." ---------------------------


class Org:
    def __init__(self, tmp_path: Path) -> None:
        self.home = tmp_path / "home"
        self.home.mkdir()
        self.repo: Repo = example_repo(tmp_path, drop_reports=None)
        self.root = self.repo.root

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = _env(HOME=str(self.home), XDG_CONFIG_HOME=str(self.home / ".config"))
        return subprocess.run([EXE, *args], cwd=self.root, env=env, capture_output=True, text=True, timeout=300)

    def text(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def write(self, rel: str, text: str) -> None:
        (self.root / rel).write_text(text, encoding="utf-8")


@pytest.fixture
def org(tmp_path: Path) -> Org:
    return Org(tmp_path)


def _errors(done: subprocess.CompletedProcess[str], code: str) -> list[str]:
    return re.findall(rf"^\S+?: error\[{code}\]: (.*)$", done.stdout, re.M)


NOTE = re.compile(r'(?m)^note = "(age:[^"]+)"\n')
FIRST_STEP = '[[relationship.history]]\ndate = 2026-02-14\nstage = "study-group"\n'


def test_a_history_note_moved_within_its_relationship_or_to_another_is_moved(org: Org) -> None:
    text = org.text(SALVADOR)
    (note,) = NOTE.findall(text)
    assert FIRST_STEP in text and org.run("validate", "-i", str(DEMO_IDENTITY)).returncode == 0
    # one position earlier in the same relationship's history
    org.write(SALVADOR, NOTE.sub("", text).replace(FIRST_STEP, FIRST_STEP + f'note = "{note}"\n'))
    moved = org.run("validate", "-i", str(DEMO_IDENTITY))
    assert moved.returncode == 1 and any("history[0].note" in m for m in _errors(moved, "sealed-moved")), moved.stdout
    # copied into another relationship's history (its first step), the original left in place
    first = text.index("[[relationship.history]]")
    org.write(
        SALVADOR,
        text[:first]
        + f'[[relationship.history]]\ndate = 2026-01-01\nstage = "contact"\nnote = "{note}"\n\n'
        + text[first:],
    )
    copied = org.run("validate", "-i", str(DEMO_IDENTITY))
    assert copied.returncode == 1 and _errors(copied, "sealed-moved"), copied.stdout
    shown = org.run("secrets", "show", "el-salvador", "-i", str(DEMO_IDENTITY))
    assert shown.stdout.count("history[") <= 1, shown.stdout  # only the note at its own place is shown


# -- "reuse a renamed collective's former slug to make its values valid elsewhere: trust-chain; rename refuses"


def _trust_chain_files(done: subprocess.CompletedProcess[str]) -> set[str]:
    return set(re.findall(r"^(\S+?)(?::\d+:\d+)?: error\[trust-chain\]", done.stdout, re.M))


def test_a_former_slug_cannot_be_taken_again(org: Org) -> None:
    done = org.run("rename", "collective", "india", "bharat", "-i", str(DEMO_IDENTITY))
    assert done.returncode == 0, done.stderr
    org.repo.commit("india is bharat now")
    # a careless secretary makes a new collective under the old slug (another name, so only the slug clashes)
    made = org.run("new", "collective", "india", "--name", "Hindustan Workers", "--timezone", "Asia/Kolkata")
    assert made.returncode != 0 and "former name of collective 'bharat'" in made.stderr, made.stderr
    assert not (org.root / "collectives/india").exists()  # refused by the writer, nothing written
    # written by hand instead: validate refuses it
    (org.root / "collectives/india").mkdir()
    org.write(
        "collectives/india/collective.toml",
        'name = "Hindustan Workers"\ntimezone = "Asia/Kolkata"\nlanguages = ["hi"]\n',
    )
    fresh = org.run("validate")
    assert fresh.returncode == 1 and "collectives/india/collective.toml" in _trust_chain_files(fresh), fresh.stdout
    assert "'india' is a former name of collective 'bharat'" in fresh.stdout
    # an intruder then gives it a chain of their own and bharat's members, whose values are bound to india/…
    intruder = org.home / "intruder.txt"
    key = org.run("secrets", "keygen", "--output", str(intruder)).stdout.strip()
    info = "collectives/india/collective.toml"
    org.write(info, org.text(info) + f'recipients = ["{key}"]\n')
    shutil.copy(org.root / "collectives/bharat/members.toml", org.root / "collectives/india/members.toml")
    approved = org.run("secrets", "approve", "india", "-i", str(intruder), "--yes")
    assert approved.returncode == 0, approved.stderr
    org.repo.commit("india again")
    keyless = org.run("validate")
    assert keyless.returncode == 1 and "trust/india.toml" in _trust_chain_files(keyless), keyless.stdout
    # by hand: bharat's folder and approvals copied back under the old slug, so its values would verify there
    shutil.rmtree(org.root / "collectives/india")
    shutil.copytree(org.root / "collectives/bharat", org.root / "collectives/india")
    shutil.copy(org.root / "trust/bharat.toml", org.root / "trust/india.toml")
    copied = org.run("validate")
    assert copied.returncode == 1 and "trust/india.toml" in _trust_chain_files(copied), copied.stdout


# -- "Distribution sites … sealed, bound to their report and their position in it …, signed." -----------
#    An intruder without a reader's key seals a site of their own to the public recipients: where the
#    collective's members would be sent to wait. Unsigned or signed by an unapproved key, it is an error
#    and no output shows it, not even to a reader with --include-private.

LA_REPORT = "collectives/los-angeles/reports/ic-2026-12.toml"
FORGED = "the intruder's corner, 6 am"
LA_SITES = ("garment district factories", "cleaning crews, downtown offices", "small workshops, south LA")


def _forged_sites(recipients: list[str]) -> dict[str, str]:
    place = "los-angeles/reports/ic-2026-12/distribution/0/site"
    fake = sig.Signer("age1fake", Ed25519PrivateKey.generate())  # a key no approval lists
    return {
        "sealed-unbound": crypt.seal(FORGED, recipients),
        "sealed-forged": crypt.seal(sig.wrap(place, FORGED, fake), recipients),
    }


@pytest.mark.parametrize("code", ["sealed-unbound", "sealed-forged"])
def test_a_site_forged_without_a_readers_key_is_an_error_and_never_shown(org: Org, code: str) -> None:
    recipients = tomllib.loads(org.text("collectives/los-angeles/collective.toml"))["recipients"]
    text = org.text(LA_REPORT)
    org.write(LA_REPORT, re.sub(r'site = "age:[^"]*"', f'site = "{_forged_sites(recipients)[code]}"', text, count=1))
    done = org.run("validate", "-i", str(DEMO_IDENTITY))
    assert done.returncode == 1, done.stdout
    assert re.search(rf"^{LA_REPORT}:\d+:\d+: error\[{code}\]: red_flag\.distribution\[0\]\.site", done.stdout, re.M)
    assert FORGED not in done.stdout + done.stderr
    for argv in (
        ("agenda", "ic-2026-12", "--include-private", "-f", "json"),
        ("network", "los-angeles", "--include-private", "-f", "json"),
    ):
        shown = org.run(*argv, "-i", str(DEMO_IDENTITY))
        assert FORGED not in shown.stdout + shown.stderr, argv
        assert "Traceback" not in shown.stderr
        # the reader is told, not shown: the command stops naming the value (as for a moved site)
        assert shown.returncode == 1 and "red_flag.distribution[0].site" in shown.stderr, (argv, shown.stderr)
        assert not any(s in shown.stdout for s in LA_SITES)


# -- "A value that was already moved, forged or unbound before the edit keeps its exact ciphertext
#    untouched — `edit` never vouches for it — and `validate` keeps reporting it." (moved: in
#    tests/test_secrets_edit_safety.py; here the forged and the unbound one)

EDIT_CARMEN = """\
import pathlib, sys
path = pathlib.Path(sys.argv[-1])
path.write_text(path.read_text().replace("carmen@example.org", "carmen@riseup.example"))
"""


@pytest.mark.parametrize("code", ["sealed-unbound", "sealed-forged"])
def test_an_honest_edit_never_vouches_for_a_forged_or_unbound_value(
    org_copy: Path, tmpdir_env: Path, tmp_path: Path, code: str
) -> None:
    info = tomllib.loads((org_copy / "collectives/los-angeles/collective.toml").read_text(encoding="utf-8"))
    public = [*info["recipients"]]
    settings = tomllib.loads((REPO / "organisation.toml").read_text(encoding="utf-8"))
    public += settings.get("encryption", {}).get("mail_senders", [])
    fake = sig.Signer("age1fake", Ed25519PrivateKey.generate())
    forged = {
        "sealed-unbound": crypt.seal("intruder@evil.example", public),
        "sealed-forged": crypt.seal(sig.wrap("los-angeles/members/beto/email", "intruder@evil.example", fake), public),
    }[code]
    path = org_copy / LA_MEMBERS
    path.write_text(
        path.read_text(encoding="utf-8").replace('handle = "beto"', f'handle = "beto"\nemail = "{forged}"'),
        encoding="utf-8",
    )
    env = _env(REDFLAG_IDENTITY=str(DEMO_IDENTITY))
    before = subprocess.run([EXE, "validate", str(org_copy)], env=env, capture_output=True, text=True, timeout=300)
    assert f"error[{code}]" in before.stdout, before.stdout

    editor = tmp_path / "editor.py"
    editor.write_text(EDIT_CARMEN, encoding="utf-8")
    r = subprocess.run(
        [EXE, "secrets", "edit", str(path)],
        env=_env(REDFLAG_IDENTITY=str(DEMO_IDENTITY), TMPDIR=str(tmpdir_env), EDITOR=f"{sys.executable} {editor}"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    members = tomllib.loads(path.read_text(encoding="utf-8"))["member"]
    beto = next(m for m in members if m["handle"] == "beto")
    assert beto["email"] == forged  # kept exactly: never re-bound or re-signed by the reader's edit
    after = subprocess.run([EXE, "validate", str(org_copy)], env=env, capture_output=True, text=True, timeout=300)
    assert after.returncode == 1 and f"error[{code}]" in after.stdout, after.stdout
