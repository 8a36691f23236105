"""Every writer on a read-only file system and on a full disk (issue 30): exit 1 or 2, a message that
names the file and the fix, no traceback, and every file as it was.

The tests run as root here, where chmod does not bite, so the faults are injected in the process
(CliRunner): the os-level calls that create, replace or remove files raise EROFS, or the writes of
data raise ENOSPC (on a full disk a name can still be made, its bytes cannot). The same writers are
then run through the console script on a real small tmpfs, filled up or remounted read-only, where
mounting is allowed.
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import copy_trust

REPO = Path(__file__).resolve().parent.parent
DEMO = str(REPO / "tests" / "keys" / "demo-identity.txt")
EXE = Path(sys.executable).parent / "redflag-coord"
MEETING = "collectives/international-committee/meetings/ic-2026-12.toml"


# -- what each writer needs before it has something to write ---------------------------------------------


def _untidy(root: Path) -> None:
    path = root / "collectives/los-angeles/reports/ic-2026-12.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("filed = ", "filed   =   ", 1), encoding="utf-8")


def _no_minutes(root: Path) -> None:
    (root / "collectives/international-committee/minutes/ic-2026-06.toml").unlink()


def _plain_phone(root: Path) -> None:
    members = root / "collectives/india/members.toml"
    members.write_text(
        members.read_text(encoding="utf-8").replace("[[member]]\n", '[[member]]\nphone = "+91 98765 43210"\n', 1),
        encoding="utf-8",
    )


def _no_trust(root: Path) -> None:
    shutil.rmtree(root / "trust")


def _new_reader(root: Path) -> None:
    import pyrage

    info = root / "collectives/india/collective.toml"
    new = str(pyrage.x25519.Identity.generate().to_public())
    info.write_text(info.read_text(encoding="utf-8").replace('recipients = ["', f'recipients = ["{new}", "', 1))


Prepare = Callable[[Path], None] | None
WRITERS: dict[str, tuple[tuple[str, ...], Prepare]] = {
    "new collective": (
        ("new", "collective", "lagos", "--name", "Lagos", "--timezone", "Africa/Lagos", "--languages", "en"),
        None,
    ),
    "new meeting": (
        ("new", "meeting", "m-new", "--convener", "india", "--start", "2027-01-16T15:00", "--participants", "india"),
        None,
    ),
    "minutes new": (("minutes", "new", "ic-2026-06"), _no_minutes),
    "report new": (("report", "new", "france", "ic-2026-12"), None),
    "report remind --output": (("report", "remind", "ic-2026-12", "--output-dir", "{tmp}/out/reminders"), None),
    "rename collective": (("rename", "collective", "mexico", "mexico-city"), None),
    "secrets encrypt": (("secrets", "encrypt", "india"), _plain_phone),
    "secrets reencrypt": (("secrets", "reencrypt", "--all"), None),
    "secrets forget": (("secrets", "forget", "los-angeles", "--member", "rosa"), None),
    "secrets migrate": (("secrets", "migrate", "--all"), _no_trust),
    "secrets approve": (("secrets", "approve", "india", "--yes"), _new_reader),
    "invite --bump": (("invite", "ic-2026-12", "--bump"), None),
    "slots --apply": (("slots", "ic-2026-12", "--apply", "1"), None),
    "fmt": (("fmt", "{root}/collectives/los-angeles/reports/ic-2026-12.toml"), _untidy),
    "init": (("init", "{tmp}/out/new-org", "--allow-local-spec"), None),
    "schema --output": (("schema", "--output-dir", "{tmp}/out/schemas"), None),
    "calendar --output": (("calendar", "--output", "{tmp}/out/feed.ics"), None),
}
NO_ROOT = {"init"}  # makes its own organisation


def _argv(kind: str, root: Path, tmp: Path) -> list[str]:
    argv = [a.format(root=root, tmp=tmp) for a in WRITERS[kind][0]]
    return argv if kind in NO_ROOT else [*argv, "--root", str(root)]


def _setup(kind: str, tmp: Path) -> Path:
    root = tmp / "org"
    shutil.copytree(REPO / "collectives", root / "collectives")
    copy_trust(REPO, root)
    (tmp / "out").mkdir()
    (tmp / "home").mkdir()
    prepare = WRITERS[kind][1]
    if prepare is not None:
        prepare(root)
    return root


def snapshot(top: Path) -> dict[str, bytes | None]:
    """Every file's bytes and every folder (None) under `top`: what 'nothing changed' compares."""
    seen: dict[str, bytes | None] = {}
    for here, dirs, files in os.walk(top):
        for d in dirs:
            seen[os.path.relpath(os.path.join(here, d), top)] = None
        for f in files:
            path = os.path.join(here, f)
            seen[os.path.relpath(path, top)] = Path(path).read_bytes()
    return seen


def _no_cache(seen: dict[str, bytes | None]) -> dict[str, bytes | None]:
    return {k: v for k, v in seen.items() if not k.startswith(os.path.join("home", ".cache"))}


# -- the faults, injected in the process ---------------------------------------------------------------------

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _oserror(code: int, *args: object) -> OSError:
    name = next((a for a in args if isinstance(a, (str, os.PathLike))), None)
    return OSError(code, os.strerror(code), None if name is None else os.fspath(name))


class _FullFile:
    """A file opened on a full disk: the name exists, its bytes never arrive."""

    def __init__(self, real, name: object) -> None:
        self._real, self._name = real, name

    def write(self, data) -> int:
        raise _oserror(errno.ENOSPC, self._name)

    def __getattr__(self, attr: str):
        return getattr(self._real, attr)

    def __enter__(self):
        return self

    def __exit__(self, *rest: object) -> None:
        self._real.close()


def _writing(mode: str) -> bool:
    return any(c in mode for c in "wax+")


@contextmanager
def faults(kind: str, monkeypatch: pytest.MonkeyPatch):
    """EROFS from every call that changes the file system, or ENOSPC from every write of data."""
    code = errno.EROFS if kind == "read-only" else errno.ENOSPC
    real_open, real_io_open, real_fdopen = os.open, io.open, os.fdopen

    def refuse(*args, **kwargs):
        raise _oserror(code, *args)

    def os_open(path, flags, *args, **kwargs):
        if flags & _WRITE_FLAGS and kind == "read-only":
            raise _oserror(code, path)
        return real_open(path, flags, *args, **kwargs)

    def opening(file, mode="r", *args, **kwargs):
        if not _writing(mode) or (isinstance(file, int) and kind == "read-only"):
            return real_io_open(file, mode, *args, **kwargs)
        if kind == "read-only":
            raise _oserror(code, file)
        return _FullFile(real_io_open(file, mode, *args, **kwargs), file)

    def fdopen(fd, mode="r", *args, **kwargs):
        f = real_fdopen(fd, mode, *args, **kwargs)
        return _FullFile(f, getattr(f, "name", fd)) if _writing(mode) else f

    with monkeypatch.context() as m:
        m.setattr(os, "open", os_open)
        m.setattr(builtins, "open", opening)
        m.setattr(io, "open", opening)
        m.setattr(os, "mkdir", refuse)
        m.setattr(os, "fsync", refuse)
        if kind == "read-only":
            for name in ("rename", "replace", "link", "symlink", "unlink", "remove", "rmdir", "chmod", "utime"):
                m.setattr(os, name, refuse)
        else:
            m.setattr(os, "fdopen", fdopen)
        yield


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDFLAG_IDENTITY", DEMO)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # init writes its new identity under ~/.config
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.delenv("REDFLAG_ROOT", raising=False)


def _told(output: str, tmp: Path, fault: str) -> None:
    assert "Traceback" not in output, output
    assert str(tmp) in output, f"the message names no file: {output}"
    fix = "free some space" if fault == "full disk" else "writable"
    assert fix in output and ("nothing was changed" in output or "nothing was written" in output), output


@pytest.mark.parametrize("kind", WRITERS)
def test_writer_works_without_a_fault(kind: str, tmp_path: Path, env, run) -> None:
    """The fault tests below are worth something only if each writer, left alone, writes."""
    root = _setup(kind, tmp_path)
    before = snapshot(tmp_path)
    result = run(*_argv(kind, root, tmp_path))
    assert result.exit_code == 0, result.output
    assert snapshot(tmp_path) != before


@pytest.mark.parametrize("fault", ["read-only", "full disk"])
@pytest.mark.parametrize("kind", WRITERS)
def test_writer_fault_is_a_clear_error_and_changes_nothing(
    kind: str, fault: str, tmp_path: Path, env, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _setup(kind, tmp_path)
    before = snapshot(tmp_path)
    argv = _argv(kind, root, tmp_path)
    with faults(fault, monkeypatch):
        result = run(*argv)
    assert result.exit_code in (1, 2), (result.exit_code, result.output)
    _told(result.output, tmp_path, fault)
    assert snapshot(tmp_path) == before


# -- the same on a real small tmpfs, through the console script ------------------------------------------------


@contextmanager
def _tmpfs(folder: Path):
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode(errors='replace').strip()})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def _fill(folder: Path) -> None:
    """Write until the disk is full: the writer then finds no byte free."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as e:
        assert e.errno == errno.ENOSPC
    finally:
        os.close(fd)
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_APPEND)
    try:
        with contextlib.suppress(OSError):  # the last partial block too
            while os.write(fd, b"\0"):
                pass
    finally:
        os.close(fd)


@pytest.mark.skipif(os.geteuid() != 0 or sys.platform != "linux", reason="mounting a tmpfs needs root on Linux")
@pytest.mark.parametrize("fault", ["read-only", "full disk"])
@pytest.mark.parametrize("kind", WRITERS)
def test_writer_on_a_real_tmpfs(kind: str, fault: str, tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "small") as tmp:
        root = _setup(kind, tmp)
        if fault == "full disk":
            _fill(tmp)
        else:
            remount = subprocess.run(["mount", "-o", "remount,ro", str(tmp)], capture_output=True)
            if remount.returncode != 0:
                pytest.skip("cannot remount the tmpfs read-only here")
        before = snapshot(tmp)
        env = {**os.environ, "REDFLAG_IDENTITY": DEMO, "HOME": str(tmp / "home")}
        env["XDG_CONFIG_HOME"] = str(tmp / "home" / ".config")
        env.pop("REDFLAG_ROOT", None)
        done = subprocess.run(
            [str(EXE), *_argv(kind, root, tmp)], capture_output=True, text=True, timeout=120, env=env, cwd=tmp
        )
        assert done.returncode in (1, 2), (done.returncode, done.stdout, done.stderr)
        _told(done.stderr, tmp, fault)
        # the parse cache (docs/cache.md) may leave its folders in ~/.cache when the disk is full: not data,
        # and not the repository; everything else must be exactly as it was
        assert _no_cache(snapshot(tmp)) == _no_cache(before)
