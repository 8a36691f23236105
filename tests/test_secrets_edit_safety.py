"""`secrets edit` is as safe as every other writer (issue 28), attacked through the console script.

Each test runs `redflag-coord secrets edit` as a real process in a copy of the example organisation
(DEMO identity), with $EDITOR a small Python script that plays the user, or another member working at
the same moment, or a signal arriving while the editor is open. TMPDIR points at a folder of the test's
own, so the private folder holding the clear text can be found and shown to be gone.
"""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
import tomlkit
from conftest import DEMO_IDENTITY, TODAY
from hypothesis import given, settings
from hypothesis import strategies as st

from redflag_coord import crypt
from redflag_coord.crypt import trust as sig
from redflag_coord.edit.secrets import comments, new_comments

EXE = str(Path(sys.executable).with_name("redflag-coord"))
LA_MEMBERS = "collectives/los-angeles/members.toml"
LA_RELATIONSHIPS = "collectives/los-angeles/relationships.toml"
ROSA, CARMEN = "rosa@example.org", "carmen@example.org"


@pytest.fixture
def tmpdir_env(tmp_path: Path) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


def _env(tmpdir: Path, editor: Path | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VISUAL", "EDITOR", "REDFLAG_ROOT")}
    env.update(REDFLAG_IDENTITY=str(DEMO_IDENTITY), REDFLAG_TODAY=TODAY, TMPDIR=str(tmpdir), **extra)
    if editor is not None:
        env["EDITOR"] = f"{sys.executable} {editor}"
    return env


def _editor(tmp_path: Path, body: str) -> Path:
    """An editor: a Python script given the clear file's path as `path` (a pathlib.Path)."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import json, os, pathlib, signal, subprocess, sys, time\n"
        "path = pathlib.Path(sys.argv[-1])\n"
        f"EXE = {EXE!r}\n" + body,
        encoding="utf-8",
    )
    return script


def _edit(org: Path, tmpdir: Path, editor: Path, rel: str = LA_MEMBERS) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, "secrets", "edit", str(org / rel)],
        env=_env(tmpdir, editor, ORG=str(org)),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _members(org: Path) -> list[dict]:
    return tomllib.loads((org / LA_MEMBERS).read_text(encoding="utf-8"))["member"]


def _opened(value: str) -> sig.Envelope:
    env = sig.unwrap(crypt.open_sealed(value, crypt.read_identities(DEMO_IDENTITY).keys))
    assert env is not None
    return env


def _no_clear_copy(tmpdir: Path) -> None:
    assert not list(tmpdir.iterdir()), f"left in TMPDIR: {list(tmpdir.rglob('*'))}"


def _cli(org: Path, tmpdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *args, "--root", str(org)], env=_env(tmpdir), capture_output=True, text=True, timeout=300
    )


# -- 1. changed meanwhile: another writer's change stands, the edit is refused -----------------------

CHANGE_CARMEN = f"path.write_text(path.read_text().replace({CARMEN!r}, 'carmen@riseup.example'))\n"


@pytest.mark.parametrize(
    "meanwhile",
    [
        # another member rotates the keys while the editor is open
        "subprocess.run([EXE, 'secrets', 'reencrypt', 'los-angeles', '--root', os.environ['ORG']], check=True)\n",
        # another member forgets rosa's contact details
        "subprocess.run([EXE, 'secrets', 'forget', 'los-angeles', '--member', 'rosa', '--root', os.environ['ORG']],"
        " check=True)\n",
        # a hand edit (or a git pull) of the sealed file
        "real = pathlib.Path(os.environ['ORG']) / 'collectives/los-angeles/members.toml'\n"
        "real.write_text(real.read_text().replace('Red Flag distribution', 'Red Flag distribution, north'))\n",
    ],
    ids=["reencrypt", "forget", "hand-edit"],
)
def test_a_change_made_while_the_editor_is_open_stands_and_the_edit_is_refused(
    org_copy: Path, tmpdir_env: Path, tmp_path: Path, meanwhile: str
) -> None:
    before = (org_copy / LA_MEMBERS).read_bytes()
    snapshot = tmp_path / "meanwhile.toml"
    editor = _editor(
        tmp_path,
        meanwhile + f"pathlib.Path({str(snapshot)!r}).write_bytes("
        "(pathlib.Path(os.environ['ORG']) / 'collectives/los-angeles/members.toml').read_bytes())\n" + CHANGE_CARMEN,
    )
    r = _edit(org_copy, tmpdir_env, editor)
    assert r.returncode == 1, r.stderr
    assert "changed while your editor was open" in r.stderr and "nothing was written" in r.stderr
    assert "secrets edit" in r.stderr and str(org_copy / LA_MEMBERS) in r.stderr
    after = (org_copy / LA_MEMBERS).read_bytes()
    assert after == snapshot.read_bytes() != before  # the other change is kept, byte for byte
    assert "Traceback" not in r.stderr and "carmen@riseup" not in r.stderr + r.stdout
    for m in _members(org_copy):
        if "email" in m:
            assert _opened(m["email"]).value != "carmen@riseup.example"
    _no_clear_copy(tmpdir_env)


def test_a_forget_made_while_the_editor_is_open_is_not_undone(org_copy: Path, tmpdir_env: Path, tmp_path: Path) -> None:
    editor = _editor(
        tmp_path,
        "subprocess.run([EXE, 'secrets', 'forget', 'los-angeles', '--member', 'rosa', '--root', os.environ['ORG']],"
        " check=True)\n" + CHANGE_CARMEN,
    )
    assert _edit(org_copy, tmpdir_env, editor).returncode == 1
    rosa = _members(org_copy)[0]
    assert rosa["handle"] == "rosa" and "email" not in rosa  # the forget stands


# -- 2. ciphertexts: kept only unchanged at the same place and not stale --------------------------------


def test_equal_and_swapped_values_get_their_own_ciphertext_bound_to_their_place(
    org_copy: Path, tmpdir_env: Path, tmp_path: Path
) -> None:
    before = _members(org_copy)
    editor = _editor(
        tmp_path,
        f"t = path.read_text().replace({ROSA!r}, 'SWAP').replace({CARMEN!r}, {ROSA!r}).replace('SWAP', {CARMEN!r})\n"
        "path.write_text(t)\n",
    )
    r = _edit(org_copy, tmpdir_env, editor)
    assert r.returncode == 0, r.stderr
    after = _members(org_copy)
    rosa, carmen = _opened(after[0]["email"]), _opened(after[2]["email"])
    assert (rosa.value, carmen.value) == (CARMEN, ROSA)
    assert rosa.place == "los-angeles/members/rosa/email" and carmen.place == "los-angeles/members/carmen/email"
    assert after[0]["email"] != before[2]["email"] and after[2]["email"] != before[0]["email"]  # none carried over
    assert _cli(org_copy, tmpdir_env, "validate").returncode == 0

    editor = _editor(tmp_path, f"path.write_text(path.read_text().replace({ROSA!r}, {CARMEN!r}))\n")  # now equal
    assert _edit(org_copy, tmpdir_env, editor).returncode == 0
    again = _members(org_copy)
    assert _opened(again[0]["email"]).value == _opened(again[2]["email"]).value == CARMEN
    assert again[0]["email"] != again[2]["email"]  # two places, two ciphertexts
    assert again[0]["email"] == after[0]["email"]  # rosa's: unchanged at its place, not stale: exact ciphertext kept
    _no_clear_copy(tmpdir_env)


def test_an_unchanged_value_sealed_to_the_old_recipients_is_sealed_again(
    org_copy: Path, tmpdir_env: Path, tmp_path: Path
) -> None:
    """A reader was added and approved, `reencrypt` not run yet: the edit must not keep the old seals."""
    newcomer = tmp_path / "newcomer.txt"
    recipient = crypt.write_identity(newcomer)
    info = org_copy / "collectives/los-angeles/collective.toml"
    doc = tomlkit.parse(info.read_text(encoding="utf-8"))
    doc["recipients"].append(recipient)
    info.write_text(tomlkit.dumps(doc), encoding="utf-8")
    approved = _cli(org_copy, tmpdir_env, "secrets", "approve", "los-angeles", "--yes")
    assert approved.returncode == 0, approved.stderr
    before = _members(org_copy)
    assert sig.stanzas(before[0]["email"]) == 2  # rosa's email: the DEMO reader and the mail sender

    editor = _editor(tmp_path, CHANGE_CARMEN)
    r = _edit(org_copy, tmpdir_env, editor)
    assert r.returncode == 0, r.stderr
    after = _members(org_copy)
    assert after[0]["email"] != before[0]["email"]  # rosa's did not change, but its seal was stale
    for m in after:
        if "email" in m:
            assert sig.stanzas(m["email"]) == 3
            assert crypt.open_sealed(m["email"], crypt.read_identities(newcomer).keys)  # the new reader reads it
    assert _opened(after[0]["email"]).value == ROSA
    assert "sealed-recipients" not in _cli(org_copy, tmpdir_env, "validate").stdout.split("relationships.toml")[0]


def test_a_value_moved_here_before_the_edit_is_not_laundered(org_copy: Path, tmpdir_env: Path, tmp_path: Path) -> None:
    """An intruder copied rosa's sealed email to beto; an honest edit elsewhere must not seal it as beto's."""
    path = org_copy / LA_MEMBERS
    rosas = _members(org_copy)[0]["email"]
    path.write_text(
        path.read_text(encoding="utf-8").replace('handle = "beto"', f'handle = "beto"\nemail = "{rosas}"'),
        encoding="utf-8",
    )
    assert "sealed-moved" in _cli(org_copy, tmpdir_env, "validate").stdout
    r = _edit(org_copy, tmpdir_env, _editor(tmp_path, CHANGE_CARMEN))
    assert r.returncode == 0, r.stderr
    beto = _members(org_copy)[1]
    assert beto["handle"] == "beto" and beto["email"] == rosas  # kept exactly: never re-bound or re-signed
    assert "sealed-moved" in _cli(org_copy, tmpdir_env, "validate").stdout


# -- 3. signals: no clear text left, the editor stopped, nothing written --------------------------------

SLEEPER = (
    "json.dump({'argv': sys.argv, 'env': dict(os.environ)}, open(os.environ['SEEN'], 'w'))\n"
    "if os.environ.get('STUBBORN'):\n"
    "    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "pathlib.Path(os.environ['READY']).write_text(str(os.getpid()))\n"
    "time.sleep(120)\n"
)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" in status.read_text()


@pytest.mark.parametrize(
    ("signame", "stubborn"),
    [("SIGTERM", False), ("SIGHUP", False), ("SIGINT", False), ("SIGTERM", True)],
    ids=["SIGTERM", "SIGHUP", "SIGINT", "SIGTERM-to-an-editor-that-ignores-it"],
)
def test_a_signal_while_the_editor_runs_leaves_no_clear_text(
    org_copy: Path, tmpdir_env: Path, tmp_path: Path, signame: str, stubborn: bool
) -> None:
    path = org_copy / LA_MEMBERS
    before = path.read_bytes()
    ready, seen = tmp_path / "ready", tmp_path / "seen.json"
    env = _env(tmpdir_env, _editor(tmp_path, SLEEPER), READY=str(ready), SEEN=str(seen))
    if stubborn:
        env["STUBBORN"] = "1"
    proc = subprocess.Popen(
        [EXE, "secrets", "edit", str(path)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 120
        while not ready.exists() or not ready.read_text():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the editor never started"
            time.sleep(0.05)
        editor_pid = int(ready.read_text())
        (folder,) = list(tmpdir_env.iterdir())
        clear = folder / "members.toml"
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and stat.S_IMODE(clear.stat().st_mode) == 0o600
        assert ROSA in clear.read_text(encoding="utf-8")  # the test sees the clear copy while the editor runs
        proc.send_signal(getattr(signal, signame))
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, err
    assert f"stopped by {signame}" in err and "nothing was written" in err and "Traceback" not in err
    _no_clear_copy(tmpdir_env)
    assert path.read_bytes() == before
    assert _gone(editor_pid)
    # the clear text reached the editor only through the file: never on its command line or environment
    handed = seen.read_text(encoding="utf-8")
    assert ROSA not in handed and CARMEN not in handed
    assert json.loads(handed)["argv"][-1] == str(clear)


# -- 4. comments and unknown keys in the clear view --------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        f"replace({CARMEN!r} + '\"', {CARMEN!r} + '\"  # lives above the laundromat on 5th')",
        "replace('handle = \"beto\"', '# beto: lives above the laundromat on 5th\\nhandle = \"beto\"')",
    ],
    ids=["inline", "own-line"],
)
def test_a_new_comment_is_refused_with_its_line(org_copy: Path, tmpdir_env: Path, tmp_path: Path, typed: str) -> None:
    before = (org_copy / LA_MEMBERS).read_bytes()
    editor = _editor(tmp_path, f"path.write_text(path.read_text().{typed})\n")
    r = _edit(org_copy, tmpdir_env, editor)
    assert r.returncode == 1 and "nothing was written" in r.stderr
    assert re.search(r"members\.toml:\d+: a new comment", r.stderr)
    assert "laundromat" not in r.stderr + r.stdout
    assert (org_copy / LA_MEMBERS).read_bytes() == before
    _no_clear_copy(tmpdir_env)


def test_existing_comments_may_stay_move_or_go(org_copy: Path, tmpdir_env: Path, tmp_path: Path) -> None:
    editor = _editor(
        tmp_path,
        "t = path.read_text()\nfirst = t.splitlines()[0]\n"
        f"path.write_text(t.replace(first + '\\n', '', 1).replace({CARMEN!r}, 'c@x.example') + first + '\\n')\n",
    )
    r = _edit(org_copy, tmpdir_env, editor)
    assert r.returncode == 0, r.stderr
    assert (org_copy / LA_MEMBERS).read_text(encoding="utf-8").endswith("Handles only.\n")


def test_a_key_the_file_may_not_hold_is_refused(org_copy: Path, tmpdir_env: Path, tmp_path: Path) -> None:
    before = (org_copy / LA_RELATIONSHIPS).read_bytes()
    editor = _editor(
        tmp_path,
        "path.write_text(path.read_text().replace('[[relationship]]', '[[relationship]]\\naddress = \"5th\"', 1))\n",
    )
    r = _edit(org_copy, tmpdir_env, editor, LA_RELATIONSHIPS)
    assert r.returncode == 1 and "address" in r.stderr and "nothing was written" in r.stderr
    assert (org_copy / LA_RELATIONSHIPS).read_bytes() == before
    _no_clear_copy(tmpdir_env)


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("ab#\"'\\\n =[]é"), max_size=40),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=20),
)
def test_comments_are_found_outside_strings_only(value: str, note: str) -> None:
    doc = tomlkit.document()
    doc["a"] = value
    text = tomlkit.dumps(doc)
    assert tomllib.loads(text)["a"] == value
    assert comments(text) == []  # a '#' or quote inside any string is no comment
    with_note = text + f"b = 1 # {note}\n"
    assert tomllib.loads(with_note)["b"] == 1
    assert comments(with_note) == [(text.count("\n") + 1, note.strip())]
    assert new_comments(text, with_note) == ([text.count("\n") + 1] if note.replace("#", "").strip() else [])
