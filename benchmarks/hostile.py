"""Worst time and peak memory of `fmt` and `validate` on hostile input (issue 21: each <= 2 s, <= 300 MiB),
and of every command that reads meetings on the far-future series and the extreme dates (issue 30: each
<= 1 s of CPU, <= 100 MiB).

    python benchmarks/hostile.py               # the pathological files and the whole hostile corpus
    python benchmarks/hostile.py --no-corpus   # the pathological files only (what benchmarks/run.py adds)
    python benchmarks/hostile.py --dates       # only the far-future series and the extreme dates

The pathological files are the ones the issue names (a dotted key of 40,000 and 100,000 parts, a 50 MB
file, 1 MiB of blank lines, arrays nested 500 deep, a 4,301-digit integer, an array of 524,268
values); each is put in place of a report of a small organisation. The corpus is tests/corpus
(every case built as the tests build it). Every command runs in a fresh process; its peak memory is
its own maximum resident set (wait4), its time the wall clock. Exit 1 when a limit is passed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LIMIT_S = 2.0
LIMIT_MIB = 300.0
REPORT = "collectives/la/reports/ic-1.toml"


def pathological() -> dict[str, bytes | int]:
    """name -> file content (bytes) or a size in bytes (a sparse file of zeros is not needed: text)."""
    return {
        "dotted key, 40,000 parts": (".".join(["a"] * 40_000) + " = 1\n").encode(),
        "dotted key, 100,000 parts": (".".join(["a"] * 100_000) + " = 1\n").encode(),
        "50 MB file": b"a = 1\n" * (50 * 1024 * 1024 // 6),
        "1 MiB of blank lines": b"\n" * ((1 << 20) - 10) + b"a = 1\n",
        "arrays nested 500 deep": b"a = " + b"[" * 500 + b"]" * 500 + b"\n",
        "4,301-digit integer": b"a = " + b"9" * 4301 + b"\n",
        "array of 524,268 values": b"a = [" + b"1," * 524_268 + b"]\n",
    }


MEETING = "collectives/ic/meetings/x-1.toml"
DATES_LIMIT_S = 1.0
DATES_LIMIT_MIB = 100.0
_SERIES = """title = "Every day until {until}"
start = 2026-12-01T07:00:00
timezone = "America/Los_Angeles"
duration_minutes = 60
participants = ["ic", "la"]
reports = false

[recurrence]
frequency = "daily"
until = {until}
exceptions = [{last}]

[[occurrence]]
date = {moved}
start = {moved}T09:00:00
"""
_ONE = """title = "Far away"
start = {start}
timezone = "Europe/Paris"
duration_minutes = 1440
participants = ["ic", "la"]
"""


def dated() -> dict[str, str]:
    """name -> a meeting file: the far-future series (the 700-byte file that cost 12 s and 390 MiB) and
    the extreme dates, in range (the worst a command must do) and out of it (an error, never exit 70)."""
    return {
        "daily until 2200-12-31, moved and excepted at the end": _SERIES.format(
            until="2200-12-31", last="2200-12-30", moved="2200-12-29"
        ),
        "daily until 9999-12-31 (out of range)": _SERIES.format(
            until="9999-12-31", last="9999-12-30", moved="9999-12-29"
        ),
        "monthly every 52 months, count 1000 (to 2200)": _SERIES.format(
            until="2200-12-31", last="2031-04-01", moved="2035-08-01"
        )
        .replace('"daily"', '"monthly"\ninterval = 52\ncount = 1000')
        .replace("until = 2200-12-31\n", ""),
        "start 0001-01-01T00:30 (out of range)": _ONE.format(start="0001-01-01T00:30:00"),
        "start 9999-12-31T23:00 (out of range)": _ONE.format(start="9999-12-31T23:00:00"),
        "start 1900-01-01T00:00 (first supported)": _ONE.format(start="1900-01-01T00:00:00"),
        "start 2200-12-31T23:00 (last supported)": _ONE.format(start="2200-12-31T23:00:00"),
    }


def readers(command: list[str], root: Path, out: Path) -> list[tuple[str, list[str]]]:
    """Every command that reads a meeting, as run on the dated cases."""
    at = ["--root", str(root)]
    return [
        ("validate", [*command, "validate", str(root)]),
        ("agenda", [*command, "agenda", "x-1", *at]),
        ("calendar", [*command, "calendar", "--output", str(out / "feed.ics"), "--force", *at]),
        ("invite", [*command, "invite", "x-1", "--output", str(out / "x.ics"), "--force", *at]),
        ("network", [*command, "network", *at]),
        ("publish", [*command, "publish", str(out / "site"), *at]),
        ("report status", [*command, "report", "status", "x-1", *at]),
        ("summary", [*command, "summary", *at]),
    ]


def run_dates() -> list[Measure]:
    command = cli()
    work = Path(tempfile.mkdtemp(prefix="redflag-dates-"))
    results = []
    try:
        for i, (name, text) in enumerate(dated().items()):
            root = work / f"d{i}"
            shutil.copytree(REPO / "tests" / "corpus" / "base", root)
            (root / MEETING).write_text(text, encoding="utf-8")
            (work / f"out{i}").mkdir()
            for label, argv in readers(command, root, work / f"out{i}"):
                seconds, mib, code, cpu = measure(argv, root)
                results.append(Measure(name, label, seconds, mib, code, cpu))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


@dataclass
class Measure:
    case: str
    command: str
    seconds: float
    mib: float
    code: int
    cpu: float


def cli() -> list[str]:
    script = Path(sys.executable).parent / "redflag-coord"
    return [str(script)] if script.exists() else [sys.executable, "-m", "redflag_coord"]


def measure(argv: list[str], cwd: Path) -> tuple[float, float, int, float]:
    """Wall time, peak resident MiB, exit code and CPU time (user + system) of one command in a fresh process."""
    env = {**os.environ, "REDFLAG_TODAY": "2026-11-27", "REDFLAG_WORKERS": "1"}
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss / 1024, proc.returncode, usage.ru_utime + usage.ru_stime


def organisations(work: Path, corpus: bool) -> list[tuple[str, Path, Path]]:
    """(case name, organisation root, the file fmt is given) for every hostile case."""
    sys.path.insert(0, str(REPO / "tests" / "corpus"))
    from build import build  # type: ignore[import-not-found]

    out = []
    base = REPO / "tests" / "corpus" / "base"
    for i, (name, content) in enumerate(pathological().items()):
        root = work / f"p{i}"
        shutil.copytree(base, root)
        (root / REPORT).write_bytes(content if isinstance(content, bytes) else b"")
        out.append((name, root, root / REPORT))
    if corpus:
        from cases import CASES  # type: ignore[import-not-found]

        for case in CASES:
            folder = work / f"c-{case.id}"
            folder.mkdir()
            root = build(case, folder)
            out.append((f"corpus: {case.id}", root, root / "collectives"))
    return out


def run_all(corpus: bool = True) -> list[Measure]:
    command = cli()
    work = Path(tempfile.mkdtemp(prefix="redflag-hostile-"))
    results = []
    try:
        for name, root, target in organisations(work, corpus):
            for label, argv in (
                ("validate", [*command, "validate", str(root)]),
                ("fmt", [*command, "fmt", "--check", str(target)]),
            ):
                seconds, mib, code, cpu = measure(argv, root)
                results.append(Measure(name, label, seconds, mib, code, cpu))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def worst(results: list[Measure], command: str) -> tuple[Measure, Measure, Measure]:
    """The slowest by wall clock, the slowest by CPU time, the largest by memory."""
    mine = [m for m in results if m.command == command]
    return max(mine, key=lambda m: m.seconds), max(mine, key=lambda m: m.cpu), max(mine, key=lambda m: m.mib)


def table(results: list[Measure], commands: tuple[str, ...], limit_s: float, limit_mib: float) -> bool:
    """Print the worst of each command; True when one passed a limit or exited 70."""
    print("| command | worst CPU time | case | worst wall time | case | peak memory | case | exit 70 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    failed = False
    for command in commands:
        slow, busy, big = worst(results, command)
        crashes = sum(m.code == 70 for m in results if m.command == command)
        print(
            f"| `{command}` | {busy.cpu:.2f} s | {busy.case} | {slow.seconds:.2f} s | {slow.case} "
            f"| {big.mib:.0f} MiB | {big.case} | {crashes} |"
        )
        failed |= busy.cpu > limit_s or big.mib > limit_mib or crashes > 0
    print(f"\nlimits: {limit_s} s of CPU time and {limit_mib:.0f} MiB per command")
    return failed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-corpus", dest="corpus", action="store_false", help="the pathological files only")
    ap.add_argument("--all", action="store_true", help="print every measurement, not only the worst")
    ap.add_argument("--dates", action="store_true", help="only the far-future series and the extreme dates")
    args = ap.parse_args(argv)
    results: list[Measure] = []
    failed = False
    if not args.dates:
        results = run_all(args.corpus)
        failed |= table(results, ("validate", "fmt"), LIMIT_S, LIMIT_MIB)
    dates = run_dates()
    print("\nThe far-future series and the extreme dates (issue 30):\n")
    failed |= table(dates, tuple(dict.fromkeys(m.command for m in dates)), DATES_LIMIT_S, DATES_LIMIT_MIB)
    results += dates
    if args.all:
        for m in results:
            print(f"{m.command}\t{m.case}\t{m.cpu:.2f} s CPU\t{m.seconds:.2f} s\t{m.mib:.0f} MiB\texit {m.code}")
    print(f"\n{len(results)} runs (wall time on a busy machine includes waiting for a core)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
