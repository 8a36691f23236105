"""Issue 21, case by case: writes that never lose an edit, fmt as hardened as validate, names that
cannot pass for others, problems that keep their place. Each test failed before the fix."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path

import pytest

from redflag_coord.check.validate import validate_path
from redflag_coord.edit.fmt import format_paths
from redflag_coord.org.parse import parse_toml
from redflag_coord.repo import fsio

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent / "corpus"))

from build import build
from cases import CASES
from git_helpers import example_repo

MEETING = "collectives/international-committee/meetings/ic-2026-12.toml"
LA_REPORT = "collectives/los-angeles/reports/ic-2026-12.toml"
FRANCE = "collectives/france/collective.toml"


def codes(root: Path) -> list[tuple[str, str, str]]:
    """validate's findings, read as a key holder reads them (the DEMO identity opens the pseudonyms)."""
    from conftest import demo_identities

    return [(p.file, p.code, p.severity) for p in validate_path(root, identities=demo_identities()).problems]


def _set(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- read-modify-write (repo/fsio) ---------------------------------------------------------------


def test_an_edit_between_read_and_rename_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_bytes(b"a = 1\n")
    with pytest.raises(fsio.Changed, match="changed meanwhile"), fsio.update(path) as u:
        path.write_bytes(b"a = 2\n")  # typed by hand while the command worked
        u.write(b"a = 3\n")
    assert path.read_bytes() == b"a = 2\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_create_never_replaces_a_file_that_appeared_meanwhile(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "report.toml"
    real_link = os.link

    def appear_first(src, dst, *a, **k):
        Path(dst).write_bytes(b"typed by hand\n")
        return real_link(src, dst, *a, **k)

    monkeypatch.setattr(os, "link", appear_first)
    with pytest.raises(fsio.Exists):
        fsio.create(path, b"template\n")
    assert path.read_bytes() == b"typed by hand\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.toml"]


def test_sigterm_while_writing_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_bytes(b"old\n")
    child = textwrap.dedent(f"""
        import os, time
        from redflag_coord.repo import fsio
        real = os.fsync
        def slow(fd):
            real(fd)
            print("written", flush=True)
            time.sleep(60)
        os.fsync = slow
        fsio.replace({str(path)!r}, b"new\\n")
    """)
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "written"
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)
    assert path.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.toml"]


def test_init_gitignore_ignores_temporary_files(tmp_path: Path, run) -> None:
    assert run("init", str(tmp_path / "org"), "--allow-local-spec").exit_code == 0
    assert ".*.tmp" in (tmp_path / "org" / ".gitignore").read_text().splitlines()


@pytest.mark.parametrize(
    "argv,made",
    [
        (("init", "{tmp}/new-org", "--allow-local-spec"), "new-org"),
        (("schema", "--output-dir", "{tmp}/schemas/json"), "schemas"),
        (("report", "remind", "ic-2026-12", "--root", "{root}", "--output-dir", "{tmp}/out/reminders"), "out"),
    ],
    ids=["init", "schema --output-dir", "report remind"],
)
def test_a_full_disk_leaves_no_new_folder(argv, made, org_copy: Path, tmp_path: Path, run, monkeypatch) -> None:
    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    result = run(*(a.format(tmp=tmp_path, root=org_copy) for a in argv))
    assert result.exit_code in (1, 2)
    assert "disk is full" in result.stderr
    assert not (tmp_path / made).exists()


def test_bump_at_the_highest_sequence_is_a_clear_error(org_copy: Path, run) -> None:
    path = org_copy / MEETING
    _set(path, "sequence = 0", "sequence = 1000000")
    before = path.read_bytes()
    result = run("invite", "ic-2026-12", "--bump", "--root", str(org_copy))
    assert result.exit_code == 1
    assert "highest allowed" in result.stderr
    assert path.read_bytes() == before
    assert not [p for p in codes(org_copy) if p[2] == "error"]


def test_bump_writes_the_invite_from_the_same_read(org_copy: Path, run) -> None:
    result = run("invite", "ic-2026-12", "--bump", "--root", str(org_copy))
    assert result.exit_code == 0
    assert "sequence is now 1" in result.stderr and "SEQUENCE:1" in result.stdout


# -- names taken from paths ------------------------------------------------------------------------


def test_a_folder_name_with_a_final_newline_is_not_a_slug(org_copy: Path) -> None:
    shutil.copytree(org_copy / "collectives/mexico", org_copy / "collectives/mexico\n")
    assert ("collectives/mexico\n", "bad-slug", "error") in codes(org_copy)


def test_a_meeting_file_name_with_a_final_newline_is_not_an_id(org_copy: Path) -> None:
    folder = org_copy / "collectives/international-committee/meetings"
    shutil.copy(folder / "ic-2026-12.toml", folder / "ic-2026-12\n.toml")
    found = codes(org_copy)
    assert any(c == "bad-slug" and f.endswith("ic-2026-12\n.toml") for f, c, _ in found)


# -- impersonation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["M\u0435xico", "Mexico\u200b", "Mexico"],
    ids=["cyrillic-e", "zero-width-space", "same-text"],
)
def test_lookalike_collective_names_are_an_error_naming_both(name: str, org_copy: Path) -> None:
    _set(org_copy / FRANCE, 'name = "France"', f'name = "{name}"')
    problems = validate_path(org_copy).problems
    found = [p for p in problems if p.code in ("lookalike-name", "invisible-text")]
    assert found and all(p.severity == "error" for p in found)
    named = {p.file for p in found} | {
        f for p in found for f in (FRANCE, "collectives/mexico/collective.toml") if f in p.message
    }
    assert named == {FRANCE, "collectives/mexico/collective.toml"}  # both are named


def test_nfc_and_nfd_names_are_the_same_name(org_copy: Path) -> None:
    _set(org_copy / "collectives/mexico/collective.toml", 'name = "Mexico"', 'name = "Jos\u00e9"')
    _set(org_copy / FRANCE, 'name = "France"', 'name = "Jose\u0301"')
    found = [p for p in validate_path(org_copy).problems if p.code == "lookalike-name"]
    assert len(found) == 1 and found[0].severity == "error" and FRANCE in found[0].message


@pytest.mark.parametrize(
    "inside",
    ["\u200f", "\u200e", "\u061c", "\u200b", "\U000e0041", "\u3164", "e" + "\u0301" * 50],
    ids=["rlm", "lrm", "alm", "zwsp", "tag", "hangul-filler", "stacked-marks"],
)
def test_invisible_characters_in_a_topic_are_refused(inside: str, org_copy: Path) -> None:
    _set(org_copy / MEETING, 'topic = "Break"', f'topic = "Br{inside}eak"')
    assert ("collectives/international-committee/meetings/ic-2026-12.toml", "invisible-text", "error") in codes(
        org_copy
    )


def test_invisible_characters_in_text_are_flagged(org_copy: Path) -> None:
    _set(org_copy / LA_REPORT, "There is consistency", "There is\u200b consistency")
    assert (LA_REPORT, "invisible-text", "warning") in codes(org_copy)


def test_an_rlo_in_a_comment_is_an_error_and_fmt_escapes_it(org_copy: Path, run) -> None:
    path = org_copy / LA_REPORT
    _set(path, "# Report of", "# \u202e Report of")
    _set(path, "filed = ", "filed   =   ")
    problems = [p for p in validate_path(org_copy).problems if p.code == "unsafe-text"]
    assert problems and problems[0].line == 1 and problems[0].column == 3
    result = run("fmt", "--check", "--diff", str(path))
    assert "\u202e" not in result.stdout + result.stderr
    assert "\\u202e" in result.stdout


def test_emoji_sequences_are_not_invisible_text(org_copy: Path) -> None:
    _set(org_copy / MEETING, 'topic = "Break"', 'topic = "Break \u2615\ufe0f \U0001f468\u200d\U0001f469"')
    assert not [c for c in codes(org_copy) if c[1] == "invisible-text"]


@pytest.mark.parametrize(
    "spelling",
    [
        unicodedata.normalize("NFD", "Doña Flor"),
        "Do\u200dña Flor",
        "Doñ\u00ada Flor",
        "D\u043eña Flor",  # Cyrillic o
        "DOÑA FLOR",
    ],
    ids=["nfd", "zwj", "soft-hyphen", "cyrillic", "upper-case"],
)
def test_the_private_text_check_sees_through_spelling(spelling: str, org_copy: Path) -> None:
    _set(org_copy / LA_REPORT, "There is consistency", f"{spelling} says there is consistency")
    assert any(c == "private-text" and f == LA_REPORT for f, c, _ in codes(org_copy))


# -- positions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["\f", "\u00a0", "\u3000", "\u2028"], ids=["form-feed", "nbsp", "u3000", "u2028"])
def test_a_file_of_non_toml_whitespace_is_not_empty(text: str) -> None:
    data, problems = parse_toml(text.encode(), "x.toml")
    assert data is None and problems[0].code == "syntax"
    assert (problems[0].line, problems[0].column) == (1, 1)


@pytest.mark.parametrize("tail", ['x = "abc\n', "x = [1,\n2,\n", "x = '''abc\n"], ids=["string", "array", "literal"])
def test_unclosed_values_at_the_end_keep_their_column(tail: str, org_copy: Path, run) -> None:
    (org_copy / LA_REPORT).write_text((org_copy / LA_REPORT).read_text() + tail)
    out = json.loads(run("validate", str(org_copy), "--format", "json").stdout)
    mine = [p for p in out if p["file"] == LA_REPORT and p["code"] == "syntax"]
    assert mine and all(p["line"] and p["column"] for p in mine)


def test_problems_per_file_are_capped(org_copy: Path) -> None:
    members = "".join(f'[[member]]\nhandle = "m{i}"\nlanguages = "x"\n' for i in range(300))
    (org_copy / "collectives/france/members.toml").write_text(members)
    mine = [p for p in validate_path(org_copy).problems if p.file == "collectives/france/members.toml"]
    assert len(mine) == 101
    assert sum("200 more problem(s)" in p.message for p in mine) == 1


def test_a_huge_array_is_one_problem(org_copy: Path) -> None:
    (org_copy / LA_REPORT).write_text("filed = [" + "1," * 524_268 + "]\n")
    mine = [p for p in validate_path(org_copy).problems if p.file == LA_REPORT]
    assert [p.code for p in mine] == ["too-many"]


# -- fmt reads as validate does ------------------------------------------------------------------------

PATHOLOGICAL = {
    "dotted-40000": (".".join(["a"] * 40_000) + " = 1\n", "too-deep"),
    "dotted-100000": (".".join(["a"] * 100_000) + " = 1\n", "too-deep"),
    "nested-500": ("a = " + "[" * 500 + "]" * 500 + "\n", "too-deep"),
    "digits-4301": ("a = " + "9" * 4301 + "\n", "bad-number"),
    "blank-lines": ("\n" * ((1 << 20) - 10) + "a = 1\n", None),
    "array-524268": ("a = [" + "1," * 524_268 + "]\n", None),
}


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_fmt_refuses_pathological_files_with_validates_message(name: str, tmp_path: Path) -> None:
    text, code = PATHOLOGICAL[name]
    path = tmp_path / "collectives/la/reports/ic-1.toml"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    [result] = format_paths([path], tmp_path, write=True)
    assert result.error is not None and not result.changed
    assert path.read_text() == text
    if code is not None:
        _, problems = parse_toml(text.encode(), "x")
        assert problems[0].code == code and str(result.error) == problems[0].message
        assert result.error.line is not None and result.error.column is not None


def test_fmt_refuses_a_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    [result] = format_paths([path], tmp_path, write=True)
    assert result.error is not None and "over the limit" in str(result.error)


def test_invite_reads_head_through_the_same_loader(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    path = repo.root / MEETING
    good = path.read_text()
    path.write_text(good + "x = " + "9" * 4301 + "\n")
    repo.commit("a bad value at HEAD")
    path.write_text(good)
    bin_ = str(Path(sys.executable).with_name("redflag-coord"))
    done = subprocess.run([bin_, "invite", "ic-2026-12"], cwd=repo.root, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr


# -- the hostile corpus through fmt, invite and agenda ---------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus_through_fmt_invite_and_agenda(case, tmp_path: Path, run) -> None:
    root = build(case, tmp_path)
    for argv in (
        ("fmt", "--check", "--diff", str(root / "collectives")),
        ("invite", "ic-1", "--root", str(root)),
        ("agenda", "ic-1", "--root", str(root)),
    ):
        result = run(*argv)
        assert result.exit_code in (0, 1, 2), (argv, result.exit_code)
        said = result.stdout + result.stderr
        assert "Traceback" not in said and "internal error" not in said
        if argv[0] == "fmt":
            for line in result.stderr.splitlines():
                if "error[fmt]" in line and ("invalid TOML" in line or "thousands of digits" in line):
                    assert line.split(": error[fmt]")[0].count(":") >= 2, line  # file:line:column
