"""The design that makes validate fast must not change what it finds.

- the generated benchmark organisation is valid (the benchmark measures a clean run);
- one process or several: the same problems, the same organisation, in the same order;
- a worker that dies leaves its share to this process;
- the command line starts without pydantic and the other heavy libraries;
- the benchmark runner runs (smallest size, once; no timing is asserted).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from bench_helpers import generator

from redflag_coord.check.validate import validate_org, validate_path
from redflag_coord.org import pool
from redflag_coord.org.load import load_organisation

REPO = Path(__file__).resolve().parent.parent


gen = generator()


@pytest.fixture(scope="module")
def small_org(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bench") / "org"
    gen.generate(root, gen.plan_for(100), seed=1)
    return root


def test_generated_org_is_valid_and_of_the_asked_size(small_org: Path):
    files = sorted(small_org.glob("collectives/**/*.toml"))
    assert 90 <= len(files) <= 110
    outcome = validate_path(small_org)
    assert outcome.problems == []
    reports = [f for f in files if f.parent.name == "reports"]
    assert reports and all(700 <= f.stat().st_size <= 2000 for f in reports)  # about 1 KB each
    org = outcome.org
    mid, (_convener, meeting) = next(iter(org.meetings().items()))
    assert meeting.participants and meeting.items
    assert set(org.reports_for(mid)) == set(meeting.participants)  # one report per participant


def test_generation_is_deterministic(tmp_path: Path):
    plan = gen.Plan(collectives=6, meetings=4, participants=3)
    gen.generate(tmp_path / "a", plan, seed=5)
    gen.generate(tmp_path / "b", plan, seed=5)
    a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*.toml")}
    b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*.toml")}
    assert a == b and len(a) == plan.files


def test_big_meeting_has_its_participants_and_reports(tmp_path: Path):
    gen.generate(tmp_path, gen.Plan(collectives=12, meetings=2, participants=3, big_meeting=10), seed=2)
    org = validate_path(tmp_path)
    assert org.problems == []
    _, meeting = org.org.find_meeting("ic-big")
    assert len(meeting.participants) == 10 and len(org.org.reports_for("ic-big")) == 10


def _corrupt(root: Path) -> None:
    base = root / "collectives"
    reports = sorted(base.glob("*/reports/*.toml"))
    meetings = sorted(base.glob("*/meetings/*.toml"))
    members = sorted(base.glob("*/members.toml"))
    rels = sorted(base.glob("*/relationships.toml"))
    reports[0].write_text(reports[0].read_text() + "\nrecruits = = 3\n")  # syntax
    reports[1].write_bytes(b"\xef\xbb\xbf" + reports[1].read_bytes())  # byte-order mark
    reports[2].write_text("")  # empty
    reports[3].write_text(reports[3].read_text().replace("filed_by = ", 'filed_by = "nobody"\n#', 1))
    reports[4].write_text(reports[4].read_text().replace("summary =", "sumary =", 1))  # unknown + missing key
    meetings[0].write_text(meetings[0].read_text().replace("participants = [", 'participants = ["atlantis", ', 1))
    meetings[1].write_text(meetings[1].read_text().replace("T15:00:00", "T15:00:00+02:00", 1))
    meetings[2].write_text("title = [broken\n")  # its reports can no longer be judged
    members[1].write_text(members[1].read_text() + '\n[[member]]\nhandle = "rosa-0-0"\n')  # duplicate
    members[3].write_text(members[3].read_text() + 'emial = "x"\n')
    rels[1].write_text(rels[1].read_text().replace("since = 2024", "since = 2099", 1))
    (base / members[2].parent.name / "reports" / "folder.toml").mkdir(parents=True)
    (base / "Bad Slug").mkdir()


@pytest.fixture(scope="module")
def corrupted_org(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corrupt") / "org"
    gen.generate(root, gen.plan_for(600), seed=3)
    _corrupt(root)
    return root


def _snapshot(org) -> tuple:
    shape = []
    for slug, c in org.collectives.items():
        models = [c.info, c.members, c.relationships, *c.meetings.values(), *c.reports.values()]
        fields_set = [m.model_fields_set for m in models if m is not None]
        shape.append(
            (slug, c.info, c.members, c.relationships, list(c.meetings.items()), list(c.reports.items()), fields_set)
        )
    return shape, sorted(org.failed)


@pytest.mark.parametrize("workers", [2, 3])
def test_parallel_and_serial_find_the_same(corrupted_org: Path, workers: int):
    today = __import__("datetime").date(2026, 11, 27)
    serial = load_organisation(corrupted_org, workers=1)
    parallel = load_organisation(corrupted_org, workers=workers)
    serial_problems = validate_org(serial, today)
    assert len(serial_problems) >= 10
    codes = {p.code for p in serial_problems}
    assert {
        "syntax",
        "bom",
        "empty",
        "unknown-key",
        "missing-key",
        "unresolved-ref",
        "offset-datetime",
        "duplicate-handle",
        "future-date",
        "not-a-file",
        "bad-slug",
    } <= codes
    assert validate_org(parallel, today) == serial_problems
    assert _snapshot(parallel) == _snapshot(serial)


def test_workers_setting(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("REDFLAG_WORKERS", raising=False)
    assert pool.workers_for(10) == 1  # small: one process
    assert pool.workers_for(100, requested=1) == 1
    monkeypatch.setenv("REDFLAG_WORKERS", "1")
    assert pool.workers_for(50_000) == 1
    if pool._can_fork():
        assert pool.workers_for(100, requested=3) == 3
        assert pool.workers_for(30, requested=8) == 1  # never a process for less than a chunk
        monkeypatch.setenv("REDFLAG_WORKERS", "2")
        assert pool.workers_for(50_000) == 2


def test_a_worker_that_dies_leaves_its_share_here(corrupted_org: Path, monkeypatch: pytest.MonkeyPatch):
    if not pool._can_fork():
        pytest.skip("the parallel path needs fork (Linux)")
    import redflag_coord.org.parse as parse

    main_pid = os.getpid()
    real = parse.check_file

    def dying(path, rel, kind):
        if os.getpid() != main_pid:
            os._exit(3)  # a worker killed, as by the out-of-memory killer
        return real(path, rel, kind)

    monkeypatch.setattr(parse, "check_file", dying)
    today = __import__("datetime").date(2026, 11, 27)
    parallel = load_organisation(corrupted_org, workers=2)
    monkeypatch.setattr(parse, "check_file", real)
    serial = load_organisation(corrupted_org, workers=1)
    assert validate_org(parallel, today) == validate_org(serial, today)
    assert _snapshot(parallel) == _snapshot(serial)


HEAVY = [
    "pydantic",
    "pydantic_core",
    "icalendar",
    "babel",
    "tomlkit",
    "tomllib",
    "tomli",
    "zoneinfo",
    "multiprocessing",
    "concurrent.futures",
    "redflag_coord.org.model",
    "redflag_coord.org.load",
    "redflag_coord.check.validate",
    "redflag_coord.org.problems",
    "redflag_coord.org.pool",
]


def test_cli_starts_without_heavy_modules():
    code = f"import sys, redflag_coord.cli.app\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"imported at CLI start: {out.stdout.strip()}"


def test_help_runs_without_heavy_modules():
    code = (
        "import sys\nfrom redflag_coord.cli.app import app\n"
        "try:\n    app(['--help'], prog_name='redflag-coord')\nexcept SystemExit:\n    pass\n"
        f"print('HEAVY:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "validate" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "HEAVY:"


def test_validate_without_keys_never_loads_pyrage(small_org: Path):
    """Memory (issue 35): an organisation without secret keys in its files never loads pyrage (about 1.3 MiB),
    in one process or two; the same problems either way."""
    code = (
        "import sys\nfrom redflag_coord.check.validate import validate_tree\n"
        f"out = validate_tree({str(small_org)!r})\n"
        "print(len(out.problems), 'pyrage' in sys.modules)"
    )
    found = []
    for workers in ("2", "1"):
        env = {**os.environ, "REDFLAG_WORKERS": workers, "REDFLAG_TODAY": "2026-11-27", "REDFLAG_NO_CACHE": "1"}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
        counts, loaded = out.stdout.split()
        assert loaded == "False", f"REDFLAG_WORKERS={workers} imported pyrage"
        found.append(counts)
    assert found[0] == found[1]


def test_benchmark_runner_smallest_size():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--sizes", "100", "--repeat", "1", "--no-peers"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "Machine:" in text and "| figure |" in text
    for figure in (
        "--help",
        "--version",
        "`validate` vs the floor",
        "peak memory",
        "`validate --changed`",
        "`agenda`",
        "`calendar`",
        "`slots`",
        "`fmt --check` vs `validate`",
        "`publish`",
        "`agenda ic-2026-12` on the example",
        "`commitments` (new) on the example",
        "`secrets show los-angeles` (new: encrypted read) on the example",
        "`publish`: the per-collective feeds together",
        "`fmt --check --diff` vs `validate`",
        "`sources fetch`, one of 20 sources changed",
    ):
        assert figure in text, figure
    floor_row = next(line for line in text.splitlines() if line.startswith("| `validate` vs the floor"))
    assert "×" in floor_row.split("|")[6]  # a ratio was measured
    assert "| files | `validate` per file |" in text
    # a row whose command no longer takes its options is a figure of nothing (`slots --from` became --since)
    refused = [line for line in text.splitlines() if "exit 2:" in line or "No such option" in line]
    assert refused == []


@pytest.mark.slow
def test_benchmark_runner_feed_rows_only():
    """--only feed: only the feed rows, in the file's order, each with its CPU ratio to `validate`."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--only", "feed", "--sizes", "100", "--repeat", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    rows = [line for line in out.stdout.splitlines() if line.startswith("| `")]
    assert [row.split("|")[1].strip().split(",")[0] for row in rows] == [
        "`calendar`",
        "`publish`",
        "`publish`: the per-collective feeds together (30)",
        "`publish`: every feed (the organisation's and 30 collectives')",
    ]
    assert "×" in rows[0].split("|")[7]  # the calendar's CPU ratio was measured


BAD_TOML = [
    "a = = 1",
    "a = 1\na = 2",
    "x = 2026-13-01",
    's = "abc',
    "[t]\n[t]",
    "a = [1,",
    "a = {b = 1",
    "k = 1 2",
    "[[a]]\n[a]",
    'x = "\\q"',
    "x = 1979-05-27 07:32",
    "= 1",
    "a.b = 1\na = 2",
    "x = 0x",
    "x = +inf_",
]
TOML_1_1_ONLY = ["a = {\n b = 1,\n}", "t = 07:00", 'x = "\\e"', "d = 2026-01-01T07:00", 'x = "\\x41"']


def test_parser_reads_toml_exactly_as_tomllib(example_root: Path, small_org: Path):
    import tomllib as stdlib

    from redflag_coord.org import parse

    for path in [*example_root.glob("collectives/**/*.toml"), *list(small_org.glob("collectives/**/*.toml"))[:50]]:
        text = path.read_text(encoding="utf-8")
        assert parse.tomllib.loads(text) == stdlib.loads(text)
    for text in BAD_TOML + TOML_1_1_ONLY:  # the same refusals and messages; TOML 1.1 is not read
        with pytest.raises(stdlib.TOMLDecodeError) as expected:
            stdlib.loads(text)
        ours = parse.parse_toml(text.encode(), "f.toml")[1]
        assert len(ours) == 1 and ours[0].code == "syntax", text
        with pytest.raises(parse.tomllib.TOMLDecodeError) as got:
            parse.tomllib.loads(text)
        assert str(got.value) == str(expected.value)
