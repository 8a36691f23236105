"""Fuzzing: generated and mutated data repositories through every command on this branch.

Whatever the data, a command exits 0, 1 or 2, prints no traceback and no raw control character.
Runs are bounded for CI; REDFLAG_FUZZ_EXAMPLES=5000 runs longer. The number of repositories
run is printed at the end (pytest -s) and kept in FUZZ_COUNTS.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from redflag_coord.cli.app import app

sys.path.insert(0, str(Path(__file__).resolve().parent / "corpus"))
from build import BASE

EXAMPLES = int(os.environ.get("REDFLAG_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("REDFLAG_FUZZ_RANDOM") != "1",
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ_COUNTS: dict[str, int] = {}
_RUNNER = CliRunner()
_RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")

# Every command output on this branch; the lead adds agenda / invite / calendar / network here.
COMMANDS: list[tuple[str, ...]] = [
    ("validate", "--format", "text"),
    ("validate", "--format", "json", "--strict"),
    ("validate", "--format", "github"),
    ("summary",),
    ("summary", "--format", "json"),
]


def run_all(root: Path, name: str) -> None:
    """Run every command on the repository at root; fail on anything but a clean answer."""
    FUZZ_COUNTS[name] = FUZZ_COUNTS.get(name, 0) + 1
    cwd = os.getcwd()
    os.chdir(root)
    try:
        codes = {}
        for argv in COMMANDS:
            result = _RUNNER.invoke(app, list(argv), catch_exceptions=True)
            produced = result.stdout + result.stderr
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                raise AssertionError(f"{' '.join(argv)} raised {result.exception!r}") from result.exception
            assert result.exit_code in (0, 1, 2), (argv, result.exit_code, produced[-2000:])
            assert "Traceback" not in produced
            assert not _RAW_CONTROL.search(produced), (argv, produced[-2000:])
            if "json" in argv and result.stdout.strip():
                json.loads(result.stdout)
            codes.setdefault(argv[0], result.exit_code)  # the first (plain) run of each command
        if codes.get("validate") == 0 and "summary" in codes:
            assert codes["summary"] == 0, "valid data must summarise"
        if codes.get("validate") == 1 and "summary" in codes:
            assert codes["summary"] == 1, "summary refuses data that validate rejects"
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    yield
    repos = {k: v for k, v in FUZZ_COUNTS.items() if k in ("bytes", "generated")}
    print(
        f"\nfuzz: {sum(repos.values())} repositories ({', '.join(f'{k}={v}' for k, v in sorted(repos.items()))}) "
        f"x {len(COMMANDS)} command outputs; loader on raw bytes: {FUZZ_COUNTS.get('raw-bytes', 0)}; "
        f"atheris: {FUZZ_COUNTS.get('atheris', 0)} inputs"
    )


def _fresh_base() -> Path:
    tmp = Path(tempfile.mkdtemp(prefix="rf-fuzz-"))
    shutil.copytree(BASE, tmp / "org")
    return tmp / "org"


def _files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "collectives").rglob("*.toml") if p.is_file())


# -- byte-level mutation of the small valid organisation ----------------------------------------------------

HOSTILE = [
    b"\x00",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xc3",
    b"\x1b[2J",
    b"\r",
    b"\n",
    b'"',
    b"'''",
    b'"""',
    b"[",
    b"]]",
    b"{",
    b"}",
    b"=",
    b".",
    b"\\",
    b"\\u",
    b"2026-02-30",
    b"T25:00:00",
    b"+01:00",
    b"9" * 5000,
    b"[" * 3000,
    b"[[member]]\n",
    b"[item]\n",
    b"inf",
    b"nan",
    b"-0",
    b"0x",
    b"1e999",
    "\u202e".encode(),
    "\u2028".encode(),
    b"\n::error::x\n",
    b"../../etc/passwd",
    b"participants = ",
    b"# comment\n",
]


@st.composite
def byte_mutations(draw):
    root = _fresh_base()
    files = _files(root)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(files))
        data = bytearray(path.read_bytes())
        pos = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["insert", "delete", "replace", "truncate", "hostile"]))
        if op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=20))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 40))]
        elif op == "replace":
            data[pos : pos + 1] = draw(st.binary(min_size=1, max_size=3))
        elif op == "truncate":
            del data[pos:]
        else:
            data[pos:pos] = draw(st.sampled_from(HOSTILE))
        path.write_bytes(bytes(data))
    return root


@FUZZ
@given(root=byte_mutations())
def test_fuzz_byte_mutations(root: Path) -> None:
    try:
        run_all(root, "bytes")
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


# -- generated repositories: structure, values and the tree ------------------------------------------------

SLUGS = st.one_of(
    st.sampled_from(["ic", "la", "mx", "el-salvador"]),
    st.sampled_from(["LA", "../x", "", "a b", "-x", "x" * 70, "ic\x1b", "é"]),
    st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,8}\Z"),
)
ZONES = st.one_of(
    st.sampled_from(
        [
            "Europe/Paris",
            "America/Los_Angeles",
            "Asia/Kolkata",
            "Australia/Lord_Howe",
            "UTC",
            "PST",
            "UTC+5",
            "Etc/GMT-3",
            "Mars/Olympus",
            "",
            "../etc/passwd",
            "America/Los Angeles",
            "europe/paris",
        ]
    ),
    st.text(max_size=20),
)
TEXT = st.one_of(
    st.text(max_size=50),
    st.sampled_from(
        [
            "<script>x</script>",
            "a | b",
            "\x1b[31m",
            "\u202e",
            "x\n::error::y",
            "rosa@example.org",
            "+503 7012 3456",
            "x" * 400,
        ]
    ),
)
SCALAR = st.one_of(
    TEXT,
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    st.times(),
)


def _nested(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3))


VALUE = st.recursive(SCALAR, _nested, max_leaves=8)


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return {"inf": "inf", "-inf": "-inf", "nan": "nan"}.get(str(v), repr(v))
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(v)


def toml_doc(table: dict, arrays: dict[str, list[dict]]) -> str:
    lines = [f"{json.dumps(k)} = {toml_value(v)}" for k, v in table.items()]
    for name, items in arrays.items():
        for item in items:
            lines.append(f"\n[[{name}]]")
            lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in item.items()]
    return "\n".join(lines) + "\n"


def maybe(strategy, good):
    """Mostly a good value, sometimes anything."""
    return st.one_of(good, good, good, strategy)


def _table(fields: dict) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({}, optional={k: maybe(VALUE, v) for k, v in fields.items()})


COLLECTIVE = _table(
    {
        "name": st.text(min_size=1, max_size=20),
        "timezone": ZONES,
        "kind": st.sampled_from(["committee", "collective", "contact", "party"]),
        "languages": st.lists(st.sampled_from(["es", "en", "zu", "xx-YY", "Spanish"]), max_size=3),
    }
)
WALL = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1))
MEETING = _table(
    {
        "title": TEXT,
        "start": WALL,
        "timezone": ZONES,
        "duration_minutes": st.integers(-5, 2000),
        "participants": st.lists(SLUGS, max_size=4),
        "opens": SLUGS,
        "reports_due": st.dates(),
        "sequence": st.integers(-1, 10**7),
        "status": st.sampled_from(["confirmed", "cancelled", "x"]),
        "description": TEXT,
        "url": st.sampled_from(["https://x.org", "ftp://x", "javascript:alert(1)"]),
        "recurrence": st.fixed_dictionaries(
            {"frequency": st.sampled_from(["weekly", "daily", "hourly"])},
            optional={
                "until": st.dates(),
                "count": st.integers(-1, 2000),
                "weekdays": st.lists(st.sampled_from(["monday", "mon"])),
            },
        ),
    }
)
ITEM = _table(
    {
        "topic": TEXT,
        "duration_minutes": st.integers(-1, 2000),
        "lead": SLUGS,
        "kind": st.sampled_from(["opening", "report", "discussion", "break", "closing", "x"]),
        "notes": TEXT,
    }
)
MEMBER = _table(
    {
        "handle": st.one_of(st.from_regex(r"\A[a-z][a-z0-9.-]{0,6}[a-z]\Z"), SLUGS),
        "email": TEXT,
        "phone": TEXT,
        "invite": st.booleans(),
        "joined": st.dates(),
    }
)
RELATIONSHIP = _table(
    {
        "pseudonym": TEXT,
        "nature": st.sampled_from(["co-worker", "friend", "cousin"]),
        "stage": st.sampled_from(["contact", "reader", "member", "boss"]),
        "comrade": SLUGS,
        "since": st.dates(),
        "last_contact": st.dates(),
        "notes": TEXT,
    }
)
REPORT = _table(
    {
        "filed": st.dates(),
        "filed_by": SLUGS,
        "summary": TEXT,
        "recruits": st.integers(-1, 10**8),
        "red_flag": st.fixed_dictionaries({}, optional={"readers": st.integers(-1, 10**8)}),
        "relationships": st.fixed_dictionaries(
            {},
            optional={
                "by_stage": st.dictionaries(st.sampled_from(["contact", "reader", "boss"]), st.integers(-1, 9)),
                "new": st.integers(-1, 9),
            },
        ),
    }
)
EXTRA = st.dictionaries(st.text(max_size=10), VALUE, max_size=2)


@st.composite
def repositories(draw):
    root = Path(tempfile.mkdtemp(prefix="rf-fuzz-")) / "org"
    base = root / "collectives"
    base.mkdir(parents=True)
    slugs = draw(st.lists(SLUGS, min_size=1, max_size=4, unique=True))
    for slug in slugs:
        if not slug or "/" in slug or slug in (".", "..") or "\x00" in slug:
            continue
        folder = base / slug
        folder.mkdir(parents=True, exist_ok=True)
        if draw(st.integers(0, 9)):  # now and then a collective without collective.toml
            (folder / "collective.toml").write_text(toml_doc({**draw(COLLECTIVE), **draw(EXTRA)}, {}), encoding="utf-8")
        if draw(st.booleans()):
            (folder / "members.toml").write_text(
                toml_doc({}, {"member": draw(st.lists(MEMBER, max_size=3))}), encoding="utf-8"
            )
        if draw(st.booleans()):
            (folder / "relationships.toml").write_text(
                toml_doc(
                    {"natures": draw(st.lists(st.sampled_from(["cousin", "Bad Nature"]), max_size=2))},
                    {"relationship": draw(st.lists(RELATIONSHIP, max_size=3))},
                ),
                encoding="utf-8",
            )
        for mid in draw(st.lists(st.sampled_from(["ic-1", "ic-2", "x", "IC-1"]), max_size=2, unique=True)):
            (folder / "meetings").mkdir(exist_ok=True)
            (folder / "meetings" / f"{mid}.toml").write_text(
                toml_doc(draw(MEETING), {"item": draw(st.lists(ITEM, max_size=3))}), encoding="utf-8"
            )
        for mid in draw(st.lists(st.sampled_from(["ic-1", "ic-2", "zz"]), max_size=2, unique=True)):
            (folder / "reports").mkdir(exist_ok=True)
            (folder / "reports" / f"{mid}.toml").write_text(toml_doc(draw(REPORT), {}), encoding="utf-8")
        oddity = draw(st.sampled_from(["none", "none", "symlink-out", "broken-link", "dir-for-file", "empty"]))
        if oddity == "symlink-out":
            os.symlink("/etc/hostname", folder / "members.toml.tmp")
            os.replace(folder / "members.toml.tmp", folder / "members.toml")
        elif oddity == "broken-link":
            os.symlink("nowhere", folder / "relationships.toml") if not (
                folder / "relationships.toml"
            ).exists() else None
        elif oddity == "dir-for-file":
            (folder / "meetings" / "ic-9.toml").mkdir(parents=True, exist_ok=True)
        elif oddity == "empty":
            (folder / "collective.toml").write_text("")
    return root


@FUZZ
@given(root=repositories())
def test_fuzz_generated_repositories(root: Path) -> None:
    try:
        run_all(root, "generated")
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


@FUZZ
@given(
    data=st.binary(max_size=400), kind=st.sampled_from(["collective", "members", "relationships", "meeting", "report"])
)
def test_fuzz_loader_on_raw_bytes(data: bytes, kind: str) -> None:
    """The loader alone on arbitrary bytes: problems, never exceptions."""
    from redflag_coord.org.locate import positions
    from redflag_coord.org.parse import FILE_MODELS, parse_toml, schema_problems  # noqa: F401

    FUZZ_COUNTS["raw-bytes"] = FUZZ_COUNTS.get("raw-bytes", 0) + 1
    parsed, problems = parse_toml(data, "f.toml")
    assert (parsed is None) == bool(problems)
    for p in problems:
        assert p.file == "f.toml" and p.message
    try:
        positions(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass


# -- atheris (coverage-guided) over the loader, when installed ---------------------------------------------

ATHERIS_RUNS = int(os.environ.get("REDFLAG_ATHERIS_RUNS", "3000"))
_KIND_BYTE = {"collective.toml": 0, "members.toml": 1, "relationships.toml": 2}


def _seed_corpus(folder: Path) -> None:
    folder.mkdir()
    examples = Path(__file__).resolve().parent.parent / "collectives"
    for i, path in enumerate(sorted([*BASE.rglob("*.toml"), *examples.rglob("*.toml")])):
        kind = _KIND_BYTE.get(path.name, 3 if path.parent.name == "meetings" else 4)
        (folder / f"seed-{i}").write_bytes(bytes([kind]) + path.read_bytes())


def test_atheris_loader(tmp_path: Path) -> None:
    import importlib.util
    import subprocess

    from conftest import need

    if sys.platform != "linux" or sys.version_info >= (3, 12):
        pytest.skip("atheris is installed with the test extras on Linux, Python 3.11 only")
    need(importlib.util.find_spec("atheris") is not None, "atheris is not installed (pip install atheris)")
    seeds = tmp_path / "seeds"
    _seed_corpus(seeds)
    script = Path(__file__).resolve().parent / "fuzz_atheris.py"
    done = subprocess.run(
        [
            sys.executable,
            str(script),
            f"-runs={ATHERIS_RUNS}",
            "-max_len=4096",
            f"-artifact_prefix={tmp_path}/",
            str(seeds),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-4000:]
    runs = re.search(r"Done (\d+) runs", log)
    assert runs and int(runs.group(1)) >= ATHERIS_RUNS, log[-2000:]
    FUZZ_COUNTS["atheris"] = int(runs.group(1))
