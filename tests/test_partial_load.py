"""Commands read what they use (issue 35): a command with `reads` parses only the files it reads and what
their checks and its output need (org.reads.load_read), and says exactly what the whole load says.

Each command runs twice on the same organisation, as it loads now and with REDFLAG_READ_ALL=1 (every file,
the way before): stdout, stderr and the exit code are the same, on the example, on a generated
organisation, and with files broken where the command reads and where it does not. Where the broken file
is one the command neither reads nor needs, the partial load does not parse it (a counter on the one
function that parses a file proves it), so the note that counts problems elsewhere does not count it; what
the command shows is still the same, and `validate` still reports the file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from redflag_coord.org import parse
from tests.bench_helpers import generator

NOW = "2026-11-27T11:06:00+00:00"
STAMP = "2026-11-27T11:06:00+00:00"

# (arguments) for every command with `reads`, on the example (ic-2026-12 is next; ic-2026-06 has minutes)
EXAMPLE_COMMANDS: list[tuple[str, ...]] = [
    ("agenda", "ic-2026-12"),
    ("agenda", "ic-2026-06"),
    ("agenda", "ic-2026-12", "--for", "los-angeles", "--include-private"),
    ("report", "status", "ic-2026-12"),
    ("report", "status", "ic-2026-06"),
    ("minutes", "show", "ic-2026-06"),
    ("commitments",),
    ("commitments", "india"),
    ("decisions",),
    ("articles", "status"),
    ("network", "mexico"),
    ("calendar", "india"),
    ("slots", "ic-2026-12", "--days", "2"),
]


def _generated(root: Path) -> Path:
    """About 130 files: 10 collectives, 3 of them at each meeting, so most files belong to other meetings."""
    gen = generator()
    gen.generate(root, gen.Plan(collectives=10, meetings=24, participants=3, reports=True), seed=3)
    return root


def _meetings(root: Path, slug: str) -> list[str]:
    return sorted(p.stem for p in (root / "collectives" / slug / "meetings").glob("*.toml"))


@pytest.fixture
def both(monkeypatch: pytest.MonkeyPatch, run) -> Callable[..., tuple[tuple, tuple, list[str]]]:
    """Run a command partially and wholly; (exit, stdout, stderr) of each, and the files the partial run parsed."""
    monkeypatch.setenv("REDFLAG_NOW", NOW)
    monkeypatch.setenv("REDFLAG_DTSTAMP", STAMP)
    monkeypatch.setenv("REDFLAG_WORKERS", "1")  # one process: the counter sees every file parsed
    parsed: list[str] = []
    real = parse.check_file

    def counted(path, rel, kind):
        parsed.append(rel)
        return real(path, rel, kind)

    monkeypatch.setattr(parse, "check_file", counted)

    def go(root: Path, *args: str):
        monkeypatch.delenv("REDFLAG_READ_ALL", raising=False)
        parsed.clear()
        part = run(*args, "--root", str(root))
        read = list(parsed)
        monkeypatch.setenv("REDFLAG_READ_ALL", "1")
        whole = run(*args, "--root", str(root))
        monkeypatch.delenv("REDFLAG_READ_ALL")
        return (
            (part.exit_code, part.stdout, part.stderr),
            (whole.exit_code, whole.stdout, whole.stderr),
            read,
        )

    return go


@pytest.mark.parametrize("args", EXAMPLE_COMMANDS, ids=" ".join)
def test_each_command_says_the_same_on_the_example(org_copy: Path, both, args) -> None:
    part, whole, _ = both(org_copy, *args)
    assert part == whole


def test_invite_writes_the_same_file(org_copy: Path, both, tmp_path: Path) -> None:
    outputs = []
    for name in ("a.ics", "b.ics"):
        out = tmp_path / name
        part, whole, _ = both(org_copy, "invite", "ic-2026-12", "--method", "none", "--output", str(out), "--force")
        assert part[0] == whole[0] == 0, part
        outputs.append(out.read_bytes())
    assert outputs[0] and outputs[0] == outputs[1]


def test_a_generated_organisation_reads_a_fraction_and_says_the_same(tmp_path: Path, both) -> None:
    root = _generated(tmp_path / "org")
    total = sum(1 for _ in root.glob("collectives/**/*.toml"))
    ic = _meetings(root, "international-committee")
    other = next(p.name for p in sorted((root / "collectives").iterdir()) if p.name != "international-committee")
    commands = [
        ("agenda", ic[0]),
        ("agenda", ic[-1]),
        ("report", "status", ic[0]),
        ("network", other),
        ("calendar", other),
        ("commitments", other),
        ("slots", ic[0], "--days", "2"),
    ]
    for args in commands:
        part, whole, read = both(root, *args)
        assert part == whole, args
        if args[0] == "agenda":  # one meeting: its reports and the few files every check looks into
            assert len(read) < total / 2, (args, len(read), total)


def _break(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\nbroken = = 1\n", encoding="utf-8")


def test_a_broken_file_the_agenda_reads_stops_both_ways(tmp_path: Path, both) -> None:
    root = _generated(tmp_path / "org")
    mid = _meetings(root, "international-committee")[0]
    report = next((root / "collectives").glob(f"*/reports/{mid}.toml"))
    _break(report)
    part, whole, _ = both(root, "agenda", mid)
    assert part == whole
    assert part[0] == 1 and report.relative_to(root).as_posix() in part[2]


def test_a_report_to_an_unknown_collective_still_stops_the_agenda(tmp_path: Path, both) -> None:
    """A check across files still runs for the files read: the request names a collective that is not there."""
    root = _generated(tmp_path / "org")
    mid = _meetings(root, "international-committee")[0]
    report = next((root / "collectives").glob(f"*/reports/{mid}.toml"))
    text = report.read_text(encoding="utf-8")
    start = text.index('to = "', text.index("[[request]]")) + len('to = "')
    report.write_text(text[:start] + "atlantis" + text[text.index('"', start) :], encoding="utf-8")
    part, whole, _ = both(root, "agenda", mid)
    assert part == whole
    assert part[0] == 1 and "atlantis" in part[2]


def _outsider(root: Path) -> tuple[str, str]:
    """(a meeting, a collective at none of its convener's meetings): the agenda reads nothing of that collective."""
    slugs = sorted(p.name for p in (root / "collectives").iterdir())
    for convener in slugs:
        texts = [p.read_text(encoding="utf-8") for p in (root / "collectives" / convener / "meetings").glob("*.toml")]
        away = [s for s in slugs if s != convener and not any(f'"{s}"' in t for t in texts)]
        if texts and away:
            return _meetings(root, convener)[0], away[0]
    raise AssertionError("every collective is at every convener's meetings")


def test_a_broken_unrelated_file_is_not_parsed_by_the_agenda_yet_validate_reports_it(tmp_path: Path, both, run) -> None:
    root = _generated(tmp_path / "org")
    mid, outsider = _outsider(root)
    members = root / "collectives" / outsider / "members.toml"
    _break(members)  # another collective's members file: a TOML syntax error
    rel = members.relative_to(root).as_posix()
    part, whole, read = both(root, "agenda", mid)
    assert rel not in read  # never parsed
    assert part[:2] == whole[:2] and part[0] == 0  # the same agenda, not stopped
    note = "problem(s) in files this command does not read"
    assert note in whole[2] and note not in part[2]  # the whole load counted it; the partial never saw it
    checked = run("validate", str(root))
    assert checked.exit_code == 1 and rel in checked.stdout + checked.stderr


def test_a_broken_file_loaded_for_the_checks_is_counted_in_the_note(tmp_path: Path, both) -> None:
    """A collective.toml is read for every check (names, zones): broken, both ways count it alike."""
    root = _generated(tmp_path / "org")
    mid, outsider = _outsider(root)
    _break(root / "collectives" / outsider / "collective.toml")
    part, whole, _ = both(root, "agenda", mid)
    assert part == whole
    assert "1 problem(s) in files this command does not read" in part[2]


def test_the_example_with_broken_files_elsewhere(org_copy: Path, both) -> None:
    """France takes no part in ic-2026-12: its half-typed files stop neither load, the output is the same."""
    _break(org_copy / "collectives/france/members.toml")
    for args in (("agenda", "ic-2026-12"), ("report", "status", "ic-2026-12"), ("commitments", "india")):
        part, whole, _ = both(org_copy, *args)
        assert part == whole, args
