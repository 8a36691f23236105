#!/usr/bin/env python3
"""Benchmark `validate` on an organisation whose private values are encrypted (issue 17).

Generates about --files files (benchmarks/generate.py), times `redflag-coord validate` on the plain
organisation (today's figure), then lists a recipient in every collective, encrypts every private
value (`secrets encrypt --all`) and times `validate` again without an identity and with one. Each
figure is the median of --runs runs in a fresh process, the three timed in the same loop.

    python benchmarks/bench_secrets.py [--files 10000] [--runs 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate import generate, plan_for  # noqa: E402

from redflag_coord import crypt  # noqa: E402

BIN = str(Path(sys.executable).with_name("redflag-coord"))


def _time(root: Path, identity: Path | None) -> float:
    env = {k: v for k, v in os.environ.items() if k != "REDFLAG_IDENTITY"}
    env["REDFLAG_TODAY"] = "2026-11-27"
    if identity is not None:
        env["REDFLAG_IDENTITY"] = str(identity)
    start = time.perf_counter()
    done = subprocess.run([BIN, "validate", str(root)], env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode not in (0, 1) or "Traceback" in done.stderr:
        raise SystemExit(f"validate failed: {done.stderr[-2000:]}")
    return took


def run(files: int, runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="redflag-bench-secrets-") as tmp:
        base = Path(tmp)
        plain, sealed = base / "plain", base / "sealed"
        n = generate(plain, plan_for(files))
        identity = base / "identity.txt"
        recipient = crypt.write_identity(identity)
        shutil.copytree(plain / "collectives", sealed / "collectives")
        for path in (sealed / "collectives").glob("*/collective.toml"):
            text = path.read_text(encoding="utf-8")
            cut = text.find("\n[")
            line = f'recipients = ["{recipient}"]\n'
            path.write_text(text + line if cut < 0 else text[: cut + 1] + line + text[cut + 1 :], encoding="utf-8")
        start = time.perf_counter()
        subprocess.run([BIN, "secrets", "encrypt", "--all", "--root", str(sealed)], check=True, capture_output=True)
        encrypt_s = time.perf_counter() - start
        values = sum(len(re.findall(r'"age:', p.read_text(encoding="utf-8"))) for p in sealed.rglob("*.toml"))
        times: dict[str, list[float]] = {"plain": [], "sealed, no identity": [], "sealed, with identity": []}
        for _ in range(runs):
            times["plain"].append(_time(plain, None))
            times["sealed, no identity"].append(_time(sealed, None))
            times["sealed, with identity"].append(_time(sealed, identity))
        return {
            "files": n,
            "sealed_values": values,
            "encrypt_all_s": round(encrypt_s, 3),
            **{k: round(statistics.median(v), 3) for k, v in times.items()},
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    result = run(args.files, args.runs)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"validate on {result['files']:,} files, {result['sealed_values']:,} encrypted values (median of {args.runs})"
    )
    print("| figure | seconds | vs plain |\n|---|---:|---:|")
    for key in ("plain", "sealed, no identity", "sealed, with identity"):
        print(f"| validate, {key} | {result[key]:.3f} | {result[key] / result['plain']:.2f}x |")
    print(f"| secrets encrypt --all (once) | {result['encrypt_all_s']:.3f} | |")


if __name__ == "__main__":
    main()
