"""Worst time and peak memory of `fmt` and `validate` on hostile input (issue 21: each <= 2 s, <= 300 MiB).

    python benchmarks/hostile.py               # the pathological files and the whole hostile corpus
    python benchmarks/hostile.py --no-corpus   # the pathological files only (what benchmarks/run.py adds)

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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-corpus", dest="corpus", action="store_false", help="the pathological files only")
    ap.add_argument("--all", action="store_true", help="print every measurement, not only the worst")
    args = ap.parse_args(argv)
    results = run_all(args.corpus)
    print("| command | worst CPU time | case | worst wall time | case | peak memory | case | exit 70 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    failed = False
    for command in ("validate", "fmt"):
        slow, busy, big = worst(results, command)
        crashes = sum(m.code == 70 for m in results if m.command == command)
        print(
            f"| `{command}` | {busy.cpu:.2f} s | {busy.case} | {slow.seconds:.2f} s | {slow.case} "
            f"| {big.mib:.0f} MiB | {big.case} | {crashes} |"
        )
        failed |= busy.cpu > LIMIT_S or big.mib > LIMIT_MIB or crashes > 0
    if args.all:
        for m in results:
            print(f"{m.command}\t{m.case}\t{m.cpu:.2f} s CPU\t{m.seconds:.2f} s\t{m.mib:.0f} MiB\texit {m.code}")
    print(
        f"\nlimits: {LIMIT_S} s of CPU time (wall time on a busy machine includes waiting for a core) "
        f"and {LIMIT_MIB:.0f} MiB per command; {len(results)} runs"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
