"""The cache of checked files (issue 35): the same output with and without it, whatever happened to the
files or to the cache in between; nothing decrypted in it; never where git sees it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from redflag_coord.org import cached
from redflag_coord.repo import cache
from tests.conftest import CANARIES, DEMO_IDENTITY, EXAMPLE, copy_trust, plant_canaries
from tests.git_helpers import example_repo

COMMANDS = [
    ["validate"],
    ["summary"],
    ["agenda", "ic-2026-12"],
    ["network"],
    ["calendar"],
    ["commitments"],
    ["report", "status", "ic-2026-12"],
    ["fmt", "--check"],
    ["minutes", "show", "ic-2026-06"],
]


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of the test's own (copies outside git keep theirs under XDG_CACHE_HOME)."""
    home = tmp_path_factory.mktemp("xdg-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv(cache.ENV_OFF, raising=False)
    monkeypatch.setenv("REDFLAG_DTSTAMP", "2026-11-27T11:06:00+00:00")  # a calendar's stamp: the same run for run
    cache.set_enabled(True)
    return home


def _copy(tmp: Path) -> Path:
    root = tmp / "org"
    shutil.copytree(EXAMPLE / "collectives", root / "collectives")
    copy_trust(EXAMPLE, root)
    return root


def _outputs(run, root: Path, args: list[str]) -> tuple[str, str, int]:
    r = run(*args, "--root", str(root))
    return r.stdout, r.stderr, r.exit_code


def _same_with_and_without(run, root: Path, commands: list[list[str]] = COMMANDS) -> None:
    """Each command: without the cache, then with it (filling it), then again (reading it): byte-identical."""
    for args in commands:
        plain = _outputs(run, root, ["--no-cache", *args])
        assert _outputs(run, root, args) == plain, args
        assert _outputs(run, root, args) == plain, args


def _entries(root: Path) -> list[Path]:
    folder = cache.location(root)
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def _data_files(root: Path) -> int:
    from redflag_coord.org.load import begin

    return len(begin(root)[1])


def test_every_command_reads_the_same_from_the_cache(run, tmp_path):
    root = _copy(tmp_path)
    _same_with_and_without(run, root)
    assert len(_entries(root)) == _data_files(root)  # one entry a file, nothing more


def test_no_cache_option_and_environment_write_nothing(run, tmp_path, monkeypatch):
    root = _copy(tmp_path)
    assert run("--no-cache", "validate", "--root", str(root)).exit_code == 0
    assert _entries(root) == []
    monkeypatch.setenv("REDFLAG_NO_CACHE", "1")
    assert run("validate", "--root", str(root)).exit_code == 0
    assert _entries(root) == []
    monkeypatch.setenv("REDFLAG_NO_CACHE", "0")
    assert run("validate", "--root", str(root)).exit_code == 0
    assert _entries(root)


def test_edits_deletions_and_a_broken_file_are_seen(run, tmp_path):
    root = _copy(tmp_path)
    _same_with_and_without(run, root, [["validate"], ["summary"]])
    report = root / "collectives/los-angeles/reports/ic-2026-12.toml"
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("recruits = ", "recruits = 1", 1), encoding="utf-8")
    _same_with_and_without(run, root, [["validate"], ["report", "status", "ic-2026-12"]])
    report.write_text(text + "\nnot toml at all\n", encoding="utf-8")
    _same_with_and_without(run, root, [["validate"], ["summary"]])
    assert run("validate", "--root", str(root)).exit_code == 1
    report.unlink()
    _same_with_and_without(run, root, [["validate"], ["report", "status", "ic-2026-12"]])
    assert len(_entries(root)) == _data_files(root)  # its entry pruned


def test_an_edit_to_an_articles_text_alone_is_seen(run, tmp_path, monkeypatch):
    """An article's Markdown is no data file, yet the published-text check reads it: a warm run after an edit
    there alone (a phone number added to a translation) must find it, and lose it once removed. Without an
    identity, as the pre-commit hook runs: only then are the frame's checks kept."""
    monkeypatch.delenv("REDFLAG_IDENTITY", raising=False)
    root = _copy(tmp_path)
    text = root / "collectives/el-salvador/articles/maquilas.hi.md"
    before = text.read_text(encoding="utf-8")
    for _ in range(2):  # each state twice: the second run reads what the first kept
        assert run("validate", "--root", str(root)).exit_code == 0
        text.write_text(before + "\nLlamen al +503 7999 4821\n", encoding="utf-8")
        assert "maquilas.hi.md:" in run("validate", "--root", str(root)).stdout
        assert "maquilas.hi.md:" in run("validate", "--root", str(root)).stdout
        text.write_text(before, encoding="utf-8")
    _same_with_and_without(run, root, [["validate"]])


def test_an_edit_that_keeps_size_and_mtime_is_seen(run, tmp_path):
    """A file written again within the clock's granularity: its stat says nothing changed (racily clean)."""
    root = _copy(tmp_path)
    meeting = root / "collectives/international-committee/meetings/ic-2026-12.toml"
    before = run("validate", "--root", str(root))
    st = meeting.stat()
    text = meeting.read_text(encoding="utf-8")
    meeting.write_text(text.replace("[", "{", 1), encoding="utf-8")  # same size, now broken
    os.utime(meeting, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = run("validate", "--root", str(root))
    assert after.exit_code == 1 and after.stdout != before.stdout
    assert _outputs(run, root, ["validate"]) == _outputs(run, root, ["--no-cache", "validate"])


def test_the_stat_shortcut_skips_reading_but_not_a_change(run, tmp_path, monkeypatch):
    root = _copy(tmp_path)
    monkeypatch.setattr(cached, "_settled", lambda st: True)  # as if every file were old
    _same_with_and_without(run, root, [["validate"]])
    read: list[str] = []
    real = cached.parse.read_bytes
    monkeypatch.setattr(cached.parse, "read_bytes", lambda p, rel: (read.append(rel), real(p, rel))[1])
    assert run("validate", "--root", str(root)).exit_code == 0
    assert [r for r in read if r.startswith("collectives/")] == []  # every data file answered from its stat
    report = root / "collectives/mexico/reports/ic-2026-12.toml"
    report.write_text(report.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
    _same_with_and_without(run, root, [["validate"]])
    assert "collectives/mexico/reports/ic-2026-12.toml" in read


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty", "wrong-digest", "other-file"])
def test_a_damaged_entry_is_dropped_and_recomputed(run, tmp_path, damage):
    root = _copy(tmp_path)
    plain = _outputs(run, root, ["--no-cache", "validate"])
    assert _outputs(run, root, ["validate"]) == plain
    entries = _entries(root)
    for i, entry in enumerate(entries):
        data = entry.read_bytes()
        if damage == "truncate":
            data = data[: len(data) // 2]
        elif damage == "flip":
            data = data[:-10] + bytes([data[-10] ^ 1]) + data[-9:]
        elif damage == "garbage":
            data = os.urandom(200)
        elif damage == "empty":
            data = b""
        elif damage == "wrong-digest":  # an entry whose body checks out but says the wrong things
            head, _, body = data.partition(b"\n")
            body = body.replace(b'"problems":[]', b'"problems":[["x","y","z","error",[],null,null]]')
            data = head + b"\n" + body
        else:  # another file's entry in its place
            data = entries[(i + 1) % len(entries)].read_bytes()
        entry.write_bytes(data)
    assert _outputs(run, root, ["validate"]) == plain
    assert _outputs(run, root, ["validate"]) == plain


def test_another_tool_version_reads_nothing_made_by_this_one(run, tmp_path, monkeypatch):
    import redflag_coord

    root = _copy(tmp_path)
    plain = _outputs(run, root, ["--no-cache", "validate"])
    assert _outputs(run, root, ["validate"]) == plain
    old = cached.version_key()
    checked: list[str] = []
    real = cached.parse.check_bytes
    monkeypatch.setattr(
        cached.parse, "check_bytes", lambda raw, rel, kind: (checked.append(rel), real(raw, rel, kind))[1]
    )
    monkeypatch.setattr(redflag_coord, "__version__", "99.0.0")
    cached.forget_key()
    try:
        assert cached.version_key() != old
        assert _outputs(run, root, ["validate"]) == plain
        assert len({c for c in checked if c.startswith("collectives/")}) == _data_files(root)  # all checked again
    finally:
        monkeypatch.undo()
        cached.forget_key()


def test_the_version_key_covers_every_module_the_per_file_step_runs():
    code = (
        "import redflag_coord.org.cached, sys; print(' '.join(m for m in sys.modules if m.startswith('redflag_coord')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    modules = {m for m in loaded if getattr(sys.modules.get(m) or __import__(m), "__file__", None)}
    packages = {m for m in modules if (sys.modules[m].__file__ or "").endswith("__init__.py") and m != "redflag_coord"}
    assert modules - packages <= set(cached.SOURCES), sorted(modules - packages - set(cached.SOURCES))


def test_renaming_a_collective_reads_the_same(run, tmp_path):
    root = _copy(tmp_path)
    _same_with_and_without(run, root, [["validate"], ["summary"]])
    done = run("rename", "collective", "mexico", "mexico-city", "--root", str(root))
    assert done.exit_code == 0, done.stderr
    _same_with_and_without(run, root, [["validate"], ["summary"], ["network"], ["agenda", "ic-2026-12"]])


def test_a_branch_switch_reads_the_same_and_git_sees_no_cache(run, tmp_path):
    repo = example_repo(tmp_path, drop_reports=None)
    root = repo.root
    _same_with_and_without(run, root, [["validate"], ["summary"]])
    repo.git("checkout", "-q", "-b", "other")
    report = root / "collectives/india/reports/ic-2026-12.toml"
    report.write_text(report.read_text(encoding="utf-8").replace("recruits = ", "recruits = 2", 1), encoding="utf-8")
    (root / "collectives/el-salvador/reports/ic-2026-12.toml").unlink()
    repo.commit("other")
    _same_with_and_without(run, root, [["validate"], ["report", "status", "ic-2026-12"]])
    repo.git("checkout", "-q", "main")
    _same_with_and_without(run, root, [["validate"], ["report", "status", "ic-2026-12"]])
    for args in COMMANDS:
        run(*args, "--root", str(root))
    assert repo.git("status", "--porcelain", "--ignored") == ""
    assert _entries(root) and str(cache.location(root)).startswith(str(root / ".git" / "redflag-cache"))


def test_the_pre_commit_check_reads_the_same(run, tmp_path):
    repo = example_repo(tmp_path, drop_reports=None)
    root = repo.root
    report = root / "collectives/india/reports/ic-2026-12.toml"
    report.write_text(report.read_text(encoding="utf-8").replace("recruits = ", "recruits = 3", 1), encoding="utf-8")
    _same_with_and_without(run, root, [["validate", "--changed"]])


def test_concurrent_runs_agree(tmp_path):
    """Four processes filling one cache at once, then four reading it: all as without the cache."""
    root = _copy(tmp_path)
    exe = [sys.executable, "-m", "redflag_coord"]
    env = {**os.environ, "REDFLAG_WORKERS": "1"}
    plain = subprocess.run([*exe, "--no-cache", "validate", str(root)], capture_output=True, env=env)
    for _ in range(2):
        procs = [
            subprocess.Popen([*exe, "validate", str(root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
            for _ in range(4)
        ]
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert (out, err, p.returncode) == (plain.stdout, plain.stderr, plain.returncode)
    assert not [p for p in cache.location(root).iterdir() if not p.name.endswith(".json")]  # no temporary left


# Every command that opens sealed values, with arguments for the canary organisation; a command that gains
# --identity must be added here (the first test fails until it is).
IDENTITY_COMMANDS = {
    "validate": [["validate"]],
    "agenda": [["agenda", "ic-2026-12"]],
    "network": [["network"], ["network", "los-angeles"]],
    "invite": [["invite", "ic-2026-12", "--method", "none", "--output", "{out}/i.ics", "--force"]],
    "calendar": [["calendar"], ["calendar", "los-angeles"]],
    "init": [],  # makes a new organisation: reads none
    "publish": [["publish", "{out}/site"]],
    "report new": [["report", "new", "mexico", "ic-2026-12"]],  # its sites carried over: opened, sealed again
    "report remind": [["report", "remind", "ic-2026-12"]],
    "rename collective": [["rename", "collective", "mexico", "mexico-city"]],
    "secrets encrypt": [["secrets", "encrypt", "los-angeles"]],
    "secrets show": [["secrets", "show", "los-angeles"]],
    "secrets edit": [["secrets", "edit", "collectives/los-angeles/relationships.toml"]],
    "secrets reencrypt": [["secrets", "reencrypt", "los-angeles"]],
    "secrets forget": [],  # removes values: run last would change what the others read; covered by reencrypt
    "secrets whoami": [["secrets", "whoami"]],
    "secrets approve": [["secrets", "approve", "los-angeles"]],
    "secrets accept": [["secrets", "accept", "los-angeles"]],
    "secrets migrate": [["secrets", "migrate", "los-angeles"]],
    "secrets vouch": [["secrets", "vouch", "los-angeles", "--yes"]],
    "sources fetch": [],  # a committee's command (no sources.toml here): it checks what it fetches with validate
}


def _identity_commands() -> set[str]:
    import typer

    from redflag_coord.cli.app import make_app

    group = typer.main.get_command(make_app())
    found = set()
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        subs = [(f"{name} {s}", c) for s, c in cmd.commands.items()] if hasattr(cmd, "commands") else [(name, cmd)]
        for n, c in subs:
            if any("--identity" in getattr(p, "opts", []) for p in c.params):
                found.add(n)
    return found


def test_nothing_decrypted_is_ever_cached(run, tmp_path, monkeypatch):
    assert set(IDENTITY_COMMANDS) == _identity_commands()
    root = plant_canaries(_copy(tmp_path))
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(root)
    monkeypatch.setenv("EDITOR", "true")  # secrets edit: opens the file decrypted, saves it unchanged
    monkeypatch.setenv("VISUAL", "true")
    (root / "collectives/mexico/reports/ic-2026-12.toml").unlink()  # for `report new`
    ran = 0
    for runs in IDENTITY_COMMANDS.values():
        for args in runs:
            done = run(*[a.format(out=out) for a in args], "--identity", str(DEMO_IDENTITY), "--root", str(root))
            assert done.exit_code == 0, (args, done.stderr)
            ran += 1
    assert ran > 15
    entries = _entries(root)
    assert len(entries) > 30
    seen = b"".join(e.read_bytes() for e in cache.location(root).iterdir())
    assert b"age:" in seen  # the sealed values are there, sealed
    for canary in CANARIES:
        assert canary.encode() not in seen, canary
        assert canary.encode("unicode_escape") not in seen, canary


_EDITS = st.lists(
    st.tuples(
        st.sampled_from(["recruits", "break", "restore", "delete", "comment", "handle", "meeting"]),
        st.sampled_from(["los-angeles", "mexico", "india", "france"]),
    ),
    min_size=1,
    max_size=4,
)


@pytest.mark.slow  # eight sequences of up to four edits, each compared with and without the cache
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=_EDITS)
def test_edit_sequences_read_the_same(run, tmp_path_factory, monkeypatch, edits):
    monkeypatch.delenv("REDFLAG_IDENTITY", raising=False)  # validate keeps each report's checks too
    root = _copy(tmp_path_factory.mktemp("seq"))
    originals: dict[Path, str] = {}
    for n, (edit, slug) in enumerate(edits):
        report = root / "collectives" / slug / "reports" / "ic-2026-12.toml"
        if report.exists():
            originals.setdefault(report, report.read_text(encoding="utf-8"))
        if edit in ("handle", "meeting"):
            if (root / "collectives/international-committee/meetings/ic-2026-12.toml").exists():
                _frame_edit(root, edit)
        elif edit == "restore" and report in originals:
            report.write_text(originals[report], encoding="utf-8")
        elif not report.exists():
            continue
        elif edit == "recruits":
            report.write_text(report.read_text(encoding="utf-8").replace("recruits = ", f"recruits = {n}", 1))
        elif edit == "break":
            report.write_text(report.read_text(encoding="utf-8").replace("=", ":", 1), encoding="utf-8")
        elif edit == "delete":
            report.unlink()
        else:
            report.write_text(report.read_text(encoding="utf-8") + f"\n# note {n}\n", encoding="utf-8")
        _same_with_and_without(run, root, [["validate"], ["report", "status", "ic-2026-12"]])


# -- validate's reports, each kept with the frame it was checked against (no identity given) ---------------


def _frame_edit(root: Path, edit: str) -> None:
    """A change to a file beside the reports that changes what the reports' checks say."""
    if edit == "handle":  # mexico's report is filed by 'tere'
        members = root / "collectives/mexico/members.toml"
        members.write_text(members.read_text(encoding="utf-8").replace('"tere"', '"teresa"', 1), encoding="utf-8")
    elif edit == "meeting":  # every report to ic-2026-12 now names no meeting
        (root / "collectives/international-committee/meetings/ic-2026-12.toml").unlink()
    elif edit == "today":
        os.environ["REDFLAG_TODAY"] = "2031-01-01"  # the retention checks count from today
    elif edit == "leak":  # published text now holds an address (the frame's own privacy scan)
        meeting = root / "collectives/international-committee/meetings/ic-2026-12.toml"
        text = meeting.read_text(encoding="utf-8")
        meeting.write_text(text.replace('title = "', 'title = "write rosa.m@example.org: ', 1), encoding="utf-8")


@pytest.mark.parametrize("edit", ["handle", "meeting", "today", "leak"])
def test_a_change_beside_the_reports_is_seen_in_every_report(run, tmp_path, monkeypatch, edit):
    monkeypatch.delenv("REDFLAG_IDENTITY")  # no identity: each report's checks are kept too
    monkeypatch.setenv("REDFLAG_TODAY", os.environ["REDFLAG_TODAY"])  # undone after the test
    root = _copy(tmp_path)
    _same_with_and_without(run, root, [["validate"], ["validate", "--format", "json"]])
    before = run("validate", "--root", str(root)).stdout
    _frame_edit(root, edit)
    _same_with_and_without(run, root, [["validate"], ["validate", "--format", "json"]])
    assert run("validate", "--root", str(root)).stdout != before or edit == "today"


def test_a_report_answered_from_the_cache_is_not_checked_again(run, tmp_path, monkeypatch):
    from redflag_coord.check import validate

    monkeypatch.delenv("REDFLAG_IDENTITY")
    root = _copy(tmp_path)
    monkeypatch.setattr(cached, "_settled", lambda st: False)  # filled while the files are new: no stat kept
    _same_with_and_without(run, root, [["validate"]])
    monkeypatch.setattr(cached, "_settled", lambda st: True)  # now old: their stats are kept, the checks too
    assert run("validate", "--root", str(root)).exit_code == 0
    checked: list[str] = []
    real = validate._report_checked
    monkeypatch.setattr(
        validate, "_report_checked", lambda f, k, e, **kw: (checked.append(e.rel), real(f, k, e, **kw))[1]
    )
    run("validate", "--root", str(root))
    assert checked == []
    report = root / "collectives/india/reports/ic-2026-12.toml"
    report.write_text(report.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    warm = _outputs(run, root, ["validate"])
    assert checked == ["collectives/india/reports/ic-2026-12.toml"]
    assert warm == _outputs(run, root, ["--no-cache", "validate"])


def _index(root: Path) -> Path:
    return cache.location(root) / f"{cached.STEP_INDEX}.idx"


@pytest.mark.parametrize("damage", ["none", "flip", "garbage", "other-key", "stale-row"])
def test_the_reports_index_answers_in_one_read_and_a_damaged_one_is_not_believed(run, tmp_path, monkeypatch, damage):
    """The reports' kept checks are read from one index (not one entry each); damaged, from another key, or
    with a row whose file changed since, it answers nothing wrong."""
    import json

    monkeypatch.delenv("REDFLAG_IDENTITY")
    monkeypatch.setattr(cached, "_settled", lambda st: True)
    root = _copy(tmp_path)
    plain = _outputs(run, root, ["--no-cache", "validate"])
    assert _outputs(run, root, ["validate"]) == plain
    asked: list[str] = []
    real = cached.step_result
    monkeypatch.setattr(cached, "step_result", lambda p, rel, *a: (asked.append(rel), real(p, rel, *a))[1])
    assert _outputs(run, root, ["validate"]) == plain
    assert asked == []  # every report answered from the index
    data = _index(root).read_bytes()
    body = data.partition(b"\n")[2]
    report = root / "collectives/india/reports/ic-2026-12.toml"
    if damage == "flip":
        data = data[:-10] + bytes([data[-10] ^ 1]) + data[-9:]
    elif damage == "garbage":
        data = os.urandom(300)
    elif damage == "other-key":  # checks out, but kept for another frame: a planted or stale index
        index = json.loads(body)
        index["key"] = "0" * 64
        for row in index["rows"].values():
            row[2] = [[["x", "y", "z", "error", [], None, None]], False, []]
        body = json.dumps(index).encode()
        data = cache.digest(body).encode() + b"\n" + body
    elif damage == "stale-row":  # the report changed since its row was written: its row is not used
        report.write_text(report.read_text(encoding="utf-8").replace("[", "{", 1), "utf-8")  # broken now
        before, plain = plain, _outputs(run, root, ["--no-cache", "validate"])
        assert plain != before
    _index(root).write_bytes(data)
    assert _outputs(run, root, ["validate"]) == plain
    assert _outputs(run, root, ["validate"]) == plain


# -- the secret-key scan of the work tree: git grep only of what it has not seen (issue 35) ---------------

_KEY = "AGE-SECRET-KEY-1" + "Q" * 58
_KEY_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["key", "clean", "binary-key", "delete", "stage", "commit", "unstage", "ignore"]),
        st.sampled_from(["a.toml", "b.toml", "sub/c.txt", "sub/d e.toml", ":x*.toml"]),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_KEY_STEPS)
@example(steps=[("key", "a.toml"), ("stage", "a.toml"), ("ignore", "a.toml")])  # found by CI: tracked, then ignored
def test_the_key_scan_finds_what_a_whole_git_grep_finds(tmp_path_factory, steps):
    """After any sequence of writes, stages, commits and deletions, the files the key scan reads are those
    a `git grep` of the whole tree names: a key written, staged, committed, put back or hidden in a binary
    file is never answered from what an older blob held."""
    from redflag_coord.check import keychecks
    from tests.git_helpers import Repo

    root = tmp_path_factory.mktemp("keys")
    repo = Repo(root)
    repo.git("init", "-q", "-b", "main")
    for rel in ("a.toml", "b.toml", "sub/c.txt"):
        repo.write(rel, f"n = '{rel}'\n")
    repo.commit("start")
    for n, (step, rel) in enumerate(steps):
        path = root / rel
        if step in ("key", "clean", "binary-key"):
            path.parent.mkdir(parents=True, exist_ok=True)
            body = {"key": f"k = '{_KEY}'\n", "clean": f"n = {n}\n", "binary-key": f"\0{_KEY}\n"}[step]
            path.write_bytes(body.encode())
        elif step == "delete" and path.exists():
            path.unlink()
        elif step == "stage":
            repo.git("add", "-A")
        elif step == "commit":
            repo.git("add", "-A")
            repo.git("commit", "-q", "--allow-empty", "--no-gpg-sign", "-m", f"step {n}")
        elif step == "unstage":
            repo.git("reset", "-q")
        elif step == "ignore":
            (root / ".gitignore").write_text(f"/{rel}\n", encoding="utf-8")
        assert sorted(keychecks._candidates(root)) == sorted(keychecks._grep(root, ["."]) or []), steps
    assert (cache.location(root) / f"{keychecks.KEY_SCAN}.idx").is_file()  # the scan was remembered


def test_the_frame_text_scan_is_kept_with_the_frame(run, tmp_path, monkeypatch):
    """The privacy scan of the frame's published texts is read back while the frame is the same, and
    done again when it is not: a leak added, kept, then removed is reported exactly as without a cache."""
    import json

    from redflag_coord.check import registry

    monkeypatch.delenv("REDFLAG_IDENTITY")
    monkeypatch.setattr(cached, "_settled", lambda st: True)
    root = _copy(tmp_path)
    _frame_edit(root, "leak")
    plain = _outputs(run, root, ["--no-cache", "validate"])
    assert "rosa.m@example.org" not in plain[0] and "private-text" in plain[0] and plain[2] == 1
    assert _outputs(run, root, ["validate"]) == plain
    scanned: list[int] = []
    real = registry.check_texts
    monkeypatch.setattr(registry, "check_texts", lambda *a: (scanned.append(1), real(*a))[1])
    assert _outputs(run, root, ["validate"]) == plain
    assert scanned == []  # frame and reports answered from the cache
    memo = cache.location(root) / "frame-checks.idx"
    body = json.loads(memo.read_bytes().partition(b"\n")[2])
    body["rows"]["published-text"] = []  # a planted answer: checks out only with a digest that matches
    memo.write_bytes(b"0" * 64 + b"\n" + json.dumps(body).encode())
    assert _outputs(run, root, ["validate"]) == plain
    meeting = root / "collectives/international-committee/meetings/ic-2026-12.toml"
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("write rosa.m@example.org: ", ""), "utf-8")
    _same_with_and_without(run, root, [["validate"]])
    assert "private-text" not in _outputs(run, root, ["validate"])[0]


def test_a_question_of_each_files_bytes_is_asked_again_only_of_changed_files(tmp_path, monkeypatch):
    """`cached.passing` (which reports a partial load must read because they may answer): answered by stat
    for files unchanged since, asked again of a file edited, whatever its answer was."""
    from redflag_coord.org.load import begin
    from redflag_coord.org.reads import _may_answer

    monkeypatch.setattr(cached, "_settled", lambda st: True)
    root = _copy(tmp_path)
    reports = [e for e in begin(root)[1] if e.kind == "report"]
    asked: list[str] = []

    def test(e) -> bool:
        asked.append(e.rel)
        return _may_answer(e)

    first = [e.rel for e in cached.passing("may-answer", reports, test)]
    assert first == [e.rel for e in reports if _may_answer(e)] and len(asked) == len(reports)
    asked.clear()
    assert [e.rel for e in cached.passing("may-answer", reports, test)] == first and asked == []
    quiet = next(e for e in reports if e.rel not in first)  # a report that answered nothing now answers
    Path(quiet.path).write_text(Path(quiet.path).read_text(encoding="utf-8") + "\n[[answers]]\n", encoding="utf-8")
    again = [e.rel for e in cached.passing("may-answer", reports, test)]
    assert asked == [quiet.rel] and quiet.rel in again
    monkeypatch.setenv(cache.ENV_OFF, "1")  # off: every file asked, nothing read from the index
    asked.clear()
    assert [e.rel for e in cached.passing("may-answer", reports, test)] == again and len(asked) == len(reports)


def test_a_warm_load_on_several_processes_is_the_serial_load(tmp_path, monkeypatch):
    """Files the cache answers by stat are taken before the fork (org.pool.check_entries); the others go
    to the workers: models, fields set and problems are those of a serial load without the cache."""
    import datetime as dt

    from bench_helpers import generator

    from redflag_coord.check.validate import validate_org
    from redflag_coord.org.load import load_organisation

    root = tmp_path / "org"
    generator().generate(root, generator().plan_for(100), seed=3)
    monkeypatch.setattr(cached, "_settled", lambda st: True)
    today = dt.date(2026, 11, 27)

    def shape(org) -> tuple:
        models = [
            (slug, name, m.model_dump_json(), sorted(m.model_fields_set))
            for slug, c in org.collectives.items()
            for name, m in [("info", c.info), ("members", c.members), *c.meetings.items(), *c.reports.items()]
            if m is not None
        ]
        return models, sorted(org.failed), validate_org(org, today)

    load_organisation(root, workers=2)  # fills the cache
    meeting = next(root.glob("collectives/*/meetings/*.toml"))
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("[", "{", 1), encoding="utf-8")  # broken
    warm = shape(load_organisation(root, workers=2))
    cache.set_enabled(False)
    try:
        assert warm == shape(load_organisation(root, workers=1))
    finally:
        cache.set_enabled(True)
    assert any(p.file == meeting.relative_to(root).as_posix() for p in warm[2])


def test_a_key_in_a_staged_file_gitignore_names_is_found_cold_and_warm(run, tmp_path, monkeypatch):
    """A careless member stages a file holding their identity, then lists it in .gitignore: git still commits
    it (it is tracked), and `git grep --untracked` alone does not read it. validate must name it, every run."""
    import pyrage

    from tests.git_helpers import Repo

    monkeypatch.delenv("REDFLAG_IDENTITY", raising=False)
    root = _copy(tmp_path)
    repo = Repo(root)
    repo.git("init", "-q", "-b", "main")
    repo.commit("org")
    (root / "notes.toml").write_text(f"key = '{pyrage.x25519.Identity.generate()}'\n", encoding="utf-8")
    repo.git("add", "notes.toml")
    (root / ".gitignore").write_text("/notes.toml\n", encoding="utf-8")
    for _ in range(2):  # cold, then from the scan's cache
        result = run("validate", "--root", str(root))
        assert result.exit_code == 1 and "notes.toml: error[secret-key]" in result.stdout, result.stdout
