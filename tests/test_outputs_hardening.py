"""Issue 30: writers that never replace a device or a pipe, never escape the organisation, never reformat
another project's files, leave what `fmt --check` accepts, and date reports by the committee's merge.

Every test runs the console script (a real process) and names the finding it pins down.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import pytest
from conftest import unseal_private
from git_helpers import EXAMPLE_COLLECTIVES, example_repo

BIN = Path(sys.executable).parent / "redflag-coord"
MEETING = "collectives/international-committee/meetings/ic-2026-12.toml"


def cli(*args: str, cwd: Path | None = None, stdout: int | None = subprocess.PIPE, env: dict | None = None):
    return subprocess.run(
        [str(BIN), *args],
        cwd=cwd,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


def _sequence(root: Path) -> int:
    return tomllib.loads((root / MEETING).read_text(encoding="utf-8")).get("sequence", 0)


# -- 1. outputs that are not regular files are streams, never replaced ------------------------------------


def _device(tmp_path: Path) -> Path:
    """A character device to write to. As root, a private copy of /dev/null (mknod), so that a regression
    replaces that copy and never the machine's own /dev/null; otherwise /dev/null, which only root could replace."""
    if os.geteuid() != 0:
        return Path("/dev/null")
    node = tmp_path / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return node


def test_force_never_replaces_a_device(org_copy: Path, tmp_path: Path) -> None:
    device = _device(tmp_path)
    before = os.stat(device)
    done = cli("invite", "ic-2026-12", "--root", str(org_copy), "--output", str(device), "--force")
    assert done.returncode == 0, done.stderr
    after = os.lstat(device)
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert f"wrote {device}" not in done.stderr  # nothing was "written" as a file


@pytest.mark.parametrize("force", [False, True])
def test_a_named_pipe_is_written_as_a_stream(org_copy: Path, tmp_path: Path, force: bool) -> None:
    fifo = tmp_path / "invite.ics"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    args = ["invite", "ic-2026-12", "--root", str(org_copy), "--output", str(fifo)]
    done = cli(*args, *(["--force"] if force else []))
    reader.join(30)
    assert done.returncode == 0, done.stderr  # without --force too: a pipe is not a file to protect
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still the pipe, not a regular file renamed over it
    assert got and got[0].startswith(b"BEGIN:VCALENDAR")


def test_a_link_to_dev_stdout_writes_to_stdout(org_copy: Path, tmp_path: Path) -> None:
    link = tmp_path / "out.ics"
    link.symlink_to("/dev/stdout")
    done = cli("invite", "ic-2026-12", "--root", str(org_copy), "--output", str(link), "--force")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("BEGIN:VCALENDAR")
    assert link.is_symlink() and os.readlink(link) == "/dev/stdout"


# /dev/fd/1 and /proc/self/fd/1 rather than /dev/stdout itself: a regression that renamed over the
# path fails harmlessly inside /proc, where the literal /dev/stdout (as root) would be replaced for the machine.
@pytest.mark.parametrize("name", ["/dev/fd/1", "/proc/self/fd/1"])
def test_stdout_redirected_to_a_file_is_written_not_replaced(org_copy: Path, tmp_path: Path, name: str) -> None:
    target = tmp_path / "captured.txt"
    with target.open("wb") as f:
        inode = os.fstat(f.fileno()).st_ino
        done = cli("calendar", "--root", str(org_copy), "--output", name, "--force", stdout=f)
    assert done.returncode == 0, done.stderr
    assert os.stat(target).st_ino == inode  # the same file, written through: not renamed over
    assert target.read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")


def test_a_link_to_a_regular_file_is_refused(org_copy: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.ics"
    real.write_text("keep me\n")
    link = tmp_path / "link.ics"
    link.symlink_to(real)
    done = cli("invite", "ic-2026-12", "--root", str(org_copy), "--output", str(link), "--force")
    assert done.returncode == 2 and "symbolic link" in done.stderr and str(link) in done.stderr
    assert link.is_symlink() and real.read_text() == "keep me\n"


def test_force_replaces_only_a_regular_file(org_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "agenda.ics"
    out.write_text("old\n")
    refused = cli("invite", "ic-2026-12", "--root", str(org_copy), "--output", str(out))
    assert refused.returncode == 2 and "--force" in refused.stderr and out.read_text() == "old\n"
    done = cli("invite", "ic-2026-12", "--root", str(org_copy), "--output", str(out), "--force")
    assert done.returncode == 0 and out.read_text().startswith("BEGIN:VCALENDAR")


# -- 2. containment: nothing is read or written through a link out of the organisation --------------------


def _linked_out(org_copy: Path, tmp_path: Path) -> Path:
    """The organisation with collectives/ moved elsewhere and linked back."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.move(org_copy / "collectives", elsewhere / "collectives")
    (org_copy / "collectives").symlink_to(elsewhere / "collectives")
    return elsewhere / "collectives"


def test_collectives_linked_out_of_the_organisation_fails_validate(org_copy: Path, tmp_path: Path) -> None:
    _linked_out(org_copy, tmp_path)
    done = cli("validate", str(org_copy))
    assert done.returncode == 1
    assert "collectives: error[symlink-outside]" in done.stdout and "replace it with the file itself" in done.stdout


def test_no_writer_follows_collectives_linked_out(org_copy: Path, tmp_path: Path) -> None:
    outside = _linked_out(org_copy, tmp_path)
    meeting = outside / "international-committee/meetings/ic-2026-12.toml"
    meeting.write_text(meeting.read_text(encoding="utf-8") + "\n\n\n", encoding="utf-8")  # fmt would rewrite it
    before = {p: p.read_bytes() for p in outside.rglob("*.toml")}
    for args in (
        ["fmt", "--root", str(org_copy)],
        ["invite", "ic-2026-12", "--bump", "--root", str(org_copy)],
        ["report", "new", "mexico", "ic-2026-06", "--root", str(org_copy)],
    ):
        done = cli(*args)
        assert done.returncode == 1, (args, done.stderr)
        assert "collectives" in done.stderr + done.stdout
    assert {p: p.read_bytes() for p in outside.rglob("*.toml")} == before


def test_output_through_a_folder_linked_out_is_refused(org_copy: Path, tmp_path: Path) -> None:
    away = tmp_path / "away"
    away.mkdir()
    (org_copy / "exports").symlink_to(away)
    done = cli("invite", "ic-2026-12", "--root", str(org_copy), "--output", str(org_copy / "exports/ic.ics"))
    assert done.returncode == 1 and f"{org_copy / 'exports'} is a symbolic link" in done.stderr
    assert list(away.iterdir()) == []


def test_fmt_never_copies_an_outside_file_in_through_a_link(org_copy: Path, tmp_path: Path) -> None:
    secret = tmp_path / "someone-elses.toml"
    secret.write_text('[[member]]\nhandle   =   "x"\n', encoding="utf-8")  # not canonical: fmt would rewrite it
    members = org_copy / "collectives/india/members.toml"
    members.unlink()
    members.symlink_to(secret)
    done = cli("fmt", "--root", str(org_copy))
    assert done.returncode == 1 and "collectives/india/members.toml" in done.stderr
    assert members.is_symlink() and secret.read_text(encoding="utf-8") == '[[member]]\nhandle   =   "x"\n'
    checked = cli("validate", str(org_copy))
    assert "collectives/india/members.toml: error[symlink-outside]" in checked.stdout


def test_settings_and_trust_linked_out_are_named_by_validate(org_copy: Path, tmp_path: Path) -> None:
    away = tmp_path / "away"
    shutil.move(org_copy / "trust", away)
    (org_copy / "trust").symlink_to(away)
    settings = tmp_path / "organisation.toml"
    shutil.move(org_copy / "organisation.toml", settings)
    (org_copy / "organisation.toml").symlink_to(settings)
    done = cli("validate", str(org_copy))
    assert done.returncode == 1
    assert "trust: error[symlink-outside]" in done.stdout and "organisation.toml: error[symlink-outside]" in done.stdout


def test_a_link_inside_the_organisation_is_read_but_never_replaced(org_copy: Path) -> None:
    members = org_copy / "collectives/india/members.toml"
    spare = org_copy / "spare.toml"
    spare.write_text(members.read_text(encoding="utf-8") + "\n\n\n", encoding="utf-8")  # fmt would rewrite it
    members.unlink()
    members.symlink_to(Path("../../spare.toml"))
    checked = cli("validate", str(org_copy))
    assert "symlink-outside" not in checked.stdout, checked.stdout
    before = spare.read_bytes()
    done = cli("fmt", "--root", str(org_copy))
    assert done.returncode == 1 and "collectives/india/members.toml is a symbolic link" in done.stderr
    assert members.is_symlink() and spare.read_bytes() == before


# -- 3. fmt only rewrites an organisation's data files --------------------------------------------------


def test_fmt_refuses_another_projects_pyproject(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    text = '[project]\nname   =   "other"\n'
    (project / "pyproject.toml").write_text(text)
    done = cli("fmt", str(project / "pyproject.toml"))
    assert done.returncode == 2 and "not a data file" in done.stderr and "collectives/" in done.stderr
    assert (project / "pyproject.toml").read_text() == text
    folder = cli("fmt", str(project))
    assert folder.returncode == 2 and (project / "pyproject.toml").read_text() == text


def test_fmt_refuses_a_non_data_file_beside_an_organisation(org_copy: Path) -> None:
    text = "[tool]\nx   =   1\n"
    (org_copy / "pyproject.toml").write_text(text)
    done = cli("fmt", str(org_copy / "pyproject.toml"))
    assert done.returncode == 2 and (org_copy / "pyproject.toml").read_text() == text
    assert cli("fmt", "--check", str(org_copy / "organisation.toml")).returncode in (0, 1)  # a data file: allowed
    whole = cli("fmt", str(org_copy))  # the root means its collectives/
    assert whole.returncode == 0 and (org_copy / "pyproject.toml").read_text() == text


# -- 4. every writer leaves what fmt --check accepts; invite validates before it bumps ------------------


def _fmt_clean(root: Path) -> None:
    done = cli("fmt", "--check", "--diff", "--root", str(root))
    assert done.returncode == 0, done.stdout + done.stderr


WRITERS = {
    "invite --bump": [["invite", "ic-2026-12", "--bump"]],
    "invite --bump --method cancel": [["invite", "ic-2026-06", "--bump", "--method", "cancel"]],
    "slots --apply": [["slots", "ic-2026-12", "--apply", "2"]],
    "secrets forget": [["secrets", "forget", "los-angeles", "--member", "rosa"]],
    "report new": [["report", "new", "india", "ic-2026-12"]],
    "rename collective": [["rename", "collective", "india", "india-north"]],
}


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_after_every_writer_fmt_check_passes(org_copy: Path, writer: str) -> None:
    _fmt_clean(org_copy)
    if writer == "report new":
        (org_copy / "collectives/india/reports/ic-2026-12.toml").unlink()
    for args in WRITERS[writer]:
        done = cli(*args, "--root", str(org_copy))
        assert done.returncode == 0, (args, done.stderr)
    _fmt_clean(org_copy)


def test_after_secrets_encrypt_fmt_check_passes(org_copy: Path) -> None:
    unseal_private(org_copy)
    assert cli("fmt", "--root", str(org_copy)).returncode == 0
    done = cli("secrets", "encrypt", "los-angeles", "--root", str(org_copy))
    assert done.returncode == 0, done.stderr
    _fmt_clean(org_copy)


def test_invite_bump_refuses_the_output_before_it_bumps(org_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "ic.ics"
    out.write_text("earlier\n")
    start = _sequence(org_copy)
    refused = cli("invite", "ic-2026-12", "--bump", "--root", str(org_copy), "--output", str(out))
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert _sequence(org_copy) == start and out.read_text() == "earlier\n"  # the usage error changed nothing
    done = cli("invite", "ic-2026-12", "--bump", "--root", str(org_copy), "--output", str(out), "--force")
    assert done.returncode == 0 and _sequence(org_copy) == start + 1  # the retry bumps once, not twice
    assert "SEQUENCE:" + str(start + 1) in out.read_text()


def test_invite_bump_refuses_send_options_before_it_bumps(org_copy: Path) -> None:
    start = _sequence(org_copy)
    done = cli("invite", "ic-2026-12", "--bump", "--send", "--root", str(org_copy))  # --send with publish
    assert done.returncode == 2 and _sequence(org_copy) == start
    folder = cli("invite", "ic-2026-12", "--bump", "--root", str(org_copy), "--output", str(org_copy / "nowhere/x.ics"))
    assert folder.returncode == 2 and _sequence(org_copy) == start


# -- 5. git: a refused repository is said, and the filed date is the committee's merge ------------------


def _report_row(root: Path, collective: str) -> dict:
    done = cli("report", "status", "ic-2026-12", "--root", str(root), "-f", "json")
    return next(r for r in json.loads(done.stdout)["reports"] if r["collective"] == collective)


def test_a_backdated_commit_merged_late_is_late(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDFLAG_FILED_DATES")
    repo = example_repo(tmp_path)
    repo.git("checkout", "-q", "-b", "mexico-report")
    shutil.copy(EXAMPLE_COLLECTIVES / "mexico/reports/ic-2026-12.toml", repo.root / "collectives/mexico/reports/")
    repo.commit("mexico report", date="2026-11-20T12:00:00+00:00")  # author and committer date set in the past
    repo.git("checkout", "-q", "main")
    repo.write("collectives/README.md", "meanwhile on main\n")
    repo.commit("meanwhile", date="2026-12-01T12:00:00+00:00")
    repo.git(
        "merge",
        "-q",
        "--no-ff",
        "--no-gpg-sign",
        "-m",
        "merge mexico",
        "mexico-report",
        date="2026-12-09T12:00:00+00:00",
    )
    row = _report_row(repo.root, "mexico")
    assert (row["status"], row["filed"], row["source"]) == ("late", "2026-12-09", "git")


def test_a_report_committed_on_main_keeps_its_commit_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDFLAG_FILED_DATES")
    repo = example_repo(tmp_path)
    shutil.copy(EXAMPLE_COLLECTIVES / "mexico/reports/ic-2026-12.toml", repo.root / "collectives/mexico/reports/")
    repo.commit("mexico report", date="2026-11-20T12:00:00+00:00")
    row = _report_row(repo.root, "mexico")
    assert (row["status"], row["filed"], row["source"]) == ("filed", "2026-11-20", "git")


def test_safe_directory_refusal_is_a_warning_with_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDFLAG_FILED_DATES")
    repo = example_repo(tmp_path)
    shutil.copy(EXAMPLE_COLLECTIVES / "mexico/reports/ic-2026-12.toml", repo.root / "collectives/mexico/reports/")
    repo.commit("mexico report", date="2026-12-09T12:00:00+00:00")  # late by git; the file says 2026-11-20
    env = {"GIT_TEST_ASSUME_DIFFERENT_OWNER": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    done = cli("report", "status", "ic-2026-12", "--root", str(repo.root), env=env)
    assert "safe.directory" in done.stderr and "git config --global --add safe.directory" in done.stderr
    assert "warning" in done.stderr and done.stderr.count("safe.directory") <= 3  # once, not once per file
    plain = cli("report", "status", "ic-2026-12", "--root", str(repo.root))
    assert "safe.directory" not in plain.stderr


@pytest.mark.skipif(not os.path.isdir("/dev/shm"), reason="no /dev/shm")
def test_a_regular_file_under_dev_is_replaced_not_appended(org_copy: Path) -> None:
    out = Path("/dev/shm") / f"redflag-{os.getpid()}-{org_copy.parent.name}.ics"
    out.write_text("old\n")
    try:
        done = cli("invite", "ic-2026-12", "--root", str(org_copy), "--output", str(out), "--force")
        assert done.returncode == 0, done.stderr
        assert out.read_text().startswith("BEGIN:VCALENDAR")  # a file like any other: replaced, not appended to
    finally:
        out.unlink(missing_ok=True)


def test_a_dangling_link_is_never_replaced(org_copy: Path, tmp_path: Path) -> None:
    link = tmp_path / "gone.ics"
    link.symlink_to(tmp_path / "nowhere.ics")
    done = cli("invite", "ic-2026-12", "--root", str(org_copy), "--output", str(link), "--force")
    assert done.returncode == 2 and "symbolic link" in done.stderr
    assert link.is_symlink() and not (tmp_path / "nowhere.ics").exists()
