"""Faults while writing and reading: nothing is lost, and the message says what happened.

Commands that write files are entries in WRITERS (skipped until their command is registered):
each is run with the disk full, the folder read-only and the write interrupted, and the file
it would replace must keep its old bytes.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path

import pytest

from redflag_coord.check.validate import validate_path
from redflag_coord.cli.app import error_handler
from redflag_coord.cli.commands.common import write_output
from redflag_coord.errors import RedflagError
from redflag_coord.repo import fsio
from redflag_coord.repo.fsio import WriteError, atomic_write

OLD = b'title = "old"\n'
NEW = b'title = "new"\n' * 1000


def _leftovers(folder: Path) -> list[str]:
    if not folder.exists():  # a failed write removes the folder it made
        return []
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def target(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "ic-1.toml"
    path.parent.mkdir()
    path.write_bytes(OLD)
    return path


def _failing(exc: BaseException):
    def fail(*args, **kwargs):
        raise exc

    return fail


@pytest.mark.parametrize("where", ["fsync", "replace"])
@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.EIO, "Input/output error"),
        OSError(errno.ENOSPC, "No space left on device"),
        KeyboardInterrupt(),
    ],
)
def test_interrupted_write_keeps_the_old_file(where, error, target: Path, monkeypatch) -> None:
    monkeypatch.setattr(os, where, _failing(error))
    with pytest.raises((WriteError, KeyboardInterrupt)) as info:
        atomic_write(target, NEW, overwrite=True)
    assert target.read_bytes() == OLD
    assert _leftovers(target.parent) == []
    if isinstance(error, OSError):
        assert str(target) in str(info.value) and "nothing was changed" in str(info.value)


def test_full_disk_message(target: Path, monkeypatch) -> None:
    monkeypatch.setattr(os, "fsync", _failing(OSError(errno.ENOSPC, "No space left on device")))
    with pytest.raises(WriteError) as info:
        atomic_write(target, NEW, overwrite=True)
    assert str(info.value) == (
        f"cannot write {target}: the disk is full; nothing was changed: free some space, then run the command again"
    )
    assert not info.value.usage


def test_read_only_folder_message(target: Path, monkeypatch) -> None:
    if os.geteuid() == 0:  # root writes anywhere: simulate what the kernel says to everyone else
        monkeypatch.setattr(fsio.tempfile, "mkstemp", _failing(PermissionError(errno.EACCES, "Permission denied")))
    else:
        target.parent.chmod(0o555)
    try:
        with pytest.raises(WriteError) as info:
            atomic_write(target, NEW, overwrite=True)
    finally:
        target.parent.chmod(0o755)
    assert "permission denied (read-only folder?); nothing was changed" in str(info.value)
    assert target.read_bytes() == OLD


def test_refuses_to_overwrite_without_force(target: Path) -> None:
    with pytest.raises(WriteError) as info:
        atomic_write(target, NEW)
    assert info.value.usage and "--force" in str(info.value)
    assert target.read_bytes() == OLD


def test_overwrite_keeps_permissions(target: Path) -> None:
    target.chmod(0o600)
    atomic_write(target, NEW, overwrite=True)
    assert target.read_bytes() == NEW
    assert target.stat().st_mode & 0o777 == 0o600


def test_killed_mid_write_keeps_the_old_file_and_validate_ignores_the_temp(org_copy: Path) -> None:
    """SIGKILL between writing the temp file and renaming it: the old report is intact."""
    report = org_copy / "collectives/los-angeles/reports/ic-2026-12.toml"
    old = report.read_bytes()
    child = textwrap.dedent(f"""
        import os, sys, time
        from redflag_coord.repo import fsio
        real_fsync = os.fsync
        def slow_fsync(fd):
            real_fsync(fd)
            print("written", flush=True)
            time.sleep(60)
        os.fsync = slow_fsync
        fsio.atomic_write({str(report)!r}, b"broken = " * 100000, overwrite=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "written"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert report.read_bytes() == old
    assert len(_leftovers(report.parent)) == 1  # the temp file stays behind (hidden) ...
    outcome = validate_path(org_copy)
    # ... is never read as data, and validate points at it so that someone deletes it
    assert outcome.errors == 0
    assert [p.code for p in outcome.problems] == ["leftover-temp"]


@contextmanager
def _tiny_tmpfs(folder: Path, options: str):
    folder.mkdir(exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here ({done.stderr.decode(errors='replace').strip()}); "
            "the simulated faults above cover the same paths"
        )
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


@pytest.mark.skipif(os.geteuid() != 0 or sys.platform != "linux", reason="mounting a tmpfs needs root on Linux")
def test_really_full_disk(tmp_path: Path) -> None:
    with _tiny_tmpfs(tmp_path / "small", "size=16k") as folder:
        path = folder / "report.toml"
        path.write_bytes(OLD)
        with pytest.raises(WriteError) as info:
            atomic_write(path, b"x" * 200_000, overwrite=True)
        assert "the disk is full; nothing was changed" in str(info.value)
        assert path.read_bytes() == OLD
        assert _leftovers(folder) == []


@pytest.mark.skipif(os.geteuid() != 0 or sys.platform != "linux", reason="mounting a tmpfs needs root on Linux")
def test_really_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "report.toml").write_bytes(OLD)
    done = subprocess.run(["mount", "--bind", "-o", "ro", str(folder), str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot bind-mount read-only here")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True)
        with pytest.raises(WriteError) as info:
            atomic_write(folder / "report.toml", NEW, overwrite=True)
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
    assert "the file system is read-only; nothing was changed: work in a writable copy" in str(info.value)
    assert (folder / "report.toml").read_bytes() == OLD


def test_write_output_exits_with_the_message(target: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(os, "fsync", _failing(OSError(errno.ENOSPC, "No space left on device")))
    with pytest.raises(RedflagError) as info:
        write_output("new text", target, force=True)
    assert error_handler(info.value) == 1  # the app's one handler prints it
    assert capsys.readouterr().err == (
        f"redflag-coord: cannot write {target}: the disk is full; nothing was changed: free some space, then run "
        "the command again\n"
    )
    assert target.read_bytes() == OLD


def test_write_output_refusal_is_a_usage_error(target: Path, capsys) -> None:
    with pytest.raises(RedflagError) as info:
        write_output("new text", target)
    assert error_handler(info.value) == 2
    assert "--force" in capsys.readouterr().err


# -- reading ---------------------------------------------------------------------------------------------


def test_unreadable_file_is_a_problem_not_a_crash(org_copy: Path, monkeypatch, run) -> None:
    from redflag_coord.org import parse

    victim = org_copy / "collectives/los-angeles/members.toml"
    real = os.open

    def fake_open(file, *args, **kwargs):  # root reads any file, so refuse this one by hand
        if isinstance(file, (str, os.PathLike)) and Path(file) == victim:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(file, *args, **kwargs)

    monkeypatch.setattr(parse.os, "open", fake_open)
    result = run("validate", str(org_copy))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "collectives/los-angeles/members.toml: error[unreadable]: cannot read the file: Permission denied"
    )


def test_file_vanishing_during_the_run(org_copy: Path, monkeypatch, run) -> None:
    from redflag_coord.org import parse

    victim = org_copy / "collectives/india/reports/ic-2026-12.toml"
    real = os.open

    gone = []

    def opening(path, *args, **kwargs):  # the file goes between the folder listing and the read
        if not gone and isinstance(path, (str, os.PathLike)) and Path(path) == victim:
            gone.append(True)
            victim.unlink()
        return real(path, *args, **kwargs)

    monkeypatch.setattr(parse.os, "open", opening)
    result = run("validate", str(org_copy))
    assert result.exit_code == 1
    assert (
        "collectives/india/reports/ic-2026-12.toml: error[unreadable]: cannot read the file: No such file or directory"
        in result.stdout
    )


# -- commands that write files ------------------------------------------------------------------------------

# (argv with {root} and {file}, the file it writes relative to the root, how to prepare it).
# A prepared file must keep its old bytes; a file that did not exist must not appear.


def _untidy(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace("filed = ", "filed   =   ", 1), encoding="utf-8")


def _no_minutes(path: Path) -> None:
    path.unlink()  # `minutes new` writes a file that is not there yet


def _old_output(path: Path) -> None:
    path.write_bytes(OLD)


def _old_site(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.parent / ".redflag-publish").write_text("index.html\n")
    path.write_bytes(OLD)


WRITERS: list[tuple[tuple[str, ...], str, object]] = [
    (("fmt", "{file}"), "collectives/los-angeles/reports/ic-2026-12.toml", _untidy),
    (("report", "new", "france", "ic-2026-12", "--root", "{root}"), "collectives/france/reports/ic-2026-12.toml", None),
    (
        ("invite", "ic-2026-12", "--bump", "--root", "{root}"),
        "collectives/international-committee/meetings/ic-2026-12.toml",
        None,
    ),
    (("agenda", "ic-2026-12", "--root", "{root}", "--output", "{file}", "--force"), "agenda.html", _old_output),
    (("calendar", "--root", "{root}", "--output", "{file}", "--force"), "feed.ics", _old_output),
    (("publish", "{root}/site", "--root", "{root}"), "site/index.html", _old_site),
    (("network", "--format", "html", "--root", "{root}", "--output", "{file}", "--force"), "network.html", _old_output),
    (
        ("slots", "ic-2026-12", "--apply", "1", "--root", "{root}"),
        "collectives/international-committee/meetings/ic-2026-12.toml",
        None,
    ),
    (
        (
            "new",
            "meeting",
            "m-new",
            "--convener",
            "india",
            "--start",
            "2027-01-16T15:00",
            "--participants",
            "india",
            "--root",
            "{root}",
        ),
        "collectives/india/meetings/m-new.toml",
        None,
    ),
    (
        ("rename", "collective", "mexico", "mexico-city", "--root", "{root}"),
        "collectives/international-committee/meetings/ic-2026-12.toml",
        None,
    ),
    (
        ("minutes", "new", "ic-2026-06", "--root", "{root}"),
        "collectives/international-committee/minutes/ic-2026-06.toml",
        _no_minutes,
    ),
    (("minutes", "show", "ic-2026-06", "--root", "{root}", "-o", "{file}", "--force"), "minutes.html", _old_output),
    (("commitments", "--root", "{root}", "--output", "{file}", "--force"), "tasks.ics", _old_output),
]


def _registered(run) -> set[str]:
    from test_privacy import registered_commands

    return registered_commands(run)


@pytest.mark.parametrize("argv,rel,prepare", WRITERS, ids=[" ".join(w[0][:2]) for w in WRITERS])
@pytest.mark.parametrize("fault", ["enospc", "eacces", "interrupt"])
def test_writing_commands_lose_nothing(argv, rel, prepare, fault, org_copy: Path, run, monkeypatch) -> None:
    assert argv[0] in _registered(run)
    path = org_copy / rel
    if prepare is not None:
        prepare(path)
    old = path.read_bytes() if path.exists() else None
    error = {
        "enospc": OSError(errno.ENOSPC, "No space left on device"),
        "eacces": PermissionError(errno.EACCES, "Permission denied"),
        "interrupt": OSError(errno.EIO, "Input/output error"),
    }[fault]
    monkeypatch.setattr(os, "fsync", _failing(error))
    result = run(*(a.format(root=org_copy, file=path) for a in argv))
    assert result.exit_code in (1, 2)
    assert "nothing was changed" in result.stderr
    assert (path.read_bytes() if path.exists() else None) == old
    assert _leftovers(path.parent) == []
