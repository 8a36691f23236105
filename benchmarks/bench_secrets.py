#!/usr/bin/env python3
"""Benchmark private values under approvals (issues 17 and 28): `validate` and `secrets reencrypt`.

Generates about --files files (benchmarks/generate.py), times `redflag-coord validate` on the plain
organisation (today's figure), then lists a recipient in every collective, sets `require = true`,
approves the readers and seals every private value bound to its place and signed (`secrets migrate
--all`, once, timed), and times `validate` again without an identity (what CI and the hooks do: the
approval chains and recipient stanzas, keyless) and with one (every value opened, its place and
signature checked). Each figure is the median of --runs runs in a fresh process, the three timed in
the same loop, so the ratios hold on a busy machine.

Second part: `secrets reencrypt` of one collective of --members members, each with an email and a
phone (two sealed values each), against its floor: one Python process that imports pyrage and opens
and seals the same number of values to the same recipients (no files, no checks), timed in the same
loop.

    python benchmarks/bench_secrets.py [--files 10000] [--members 200] [--runs 3] [--json]
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


def _env(identity: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDFLAG_IDENTITY")}
    env["REDFLAG_TODAY"] = "2026-11-27"
    if identity is not None:
        env["REDFLAG_IDENTITY"] = str(identity)
    return env


def _timed(argv: list[str], identity: Path | None = None, ok: tuple[int, ...] = (0, 1)) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=_env(identity), capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode not in ok or "Traceback" in done.stderr:
        raise SystemExit(f"{' '.join(argv[:3])} failed ({done.returncode}): {done.stderr[-2000:]}")
    return took


def _time(root: Path, identity: Path | None) -> float:
    return _timed([BIN, "validate", str(root)], identity)


FLOOR = """
import base64, sys
import pyrage
from redflag_coord.crypt.padding import pad, unpad
ident = pyrage.x25519.Identity.from_str(open(sys.argv[1]).read().split()[-1])
to = [pyrage.x25519.Recipient.from_str(r) for r in sys.argv[2].split(",")]
n = int(sys.argv[3])
sealed = [pyrage.encrypt(pad(f"member-{k}@example.org".encode()), to) for k in range(n)]
for data in sealed:
    plain = unpad(pyrage.decrypt(data, [ident]))
    base64.b64encode(pyrage.encrypt(pad(plain), to))
"""


def reencrypt(members: int, runs: int) -> dict:
    """`secrets reencrypt` of one collective of `members` members (email and phone each) against its floor."""
    with tempfile.TemporaryDirectory(prefix="redflag-bench-reencrypt-") as tmp:
        root = Path(tmp)
        identity, sender = root / "identity.txt", root / "sender.txt"
        recipient = crypt.write_identity(identity)
        mail = crypt.write_identity(sender)
        folder = root / "collectives" / "big"
        folder.mkdir(parents=True)
        (root / "organisation.toml").write_text(
            f'[encryption]\nrequire = true\nmail_senders = ["{mail}"]\n', encoding="utf-8"
        )
        (folder / "collective.toml").write_text(
            f'name = "Big"\ntimezone = "Europe/Paris"\nlanguages = ["fr"]\nrecipients = ["{recipient}"]\n',
            encoding="utf-8",
        )
        blocks = [
            f'[[member]]\nhandle = "m{k:03d}"\nlanguages = ["fr"]\njoined = 2024-01-01\n'
            f'email = "m{k:03d}@example.org"\nphone = "+33 6 12 34 {k // 100:02d} {k % 100:02d}"\n'
            for k in range(members)
        ]
        (folder / "members.toml").write_text("\n".join(blocks), encoding="utf-8")
        whoami = subprocess.run([BIN, "secrets", "whoami", "-i", str(sender)], capture_output=True, text=True)
        pair = next((w for w in whoami.stdout.split() if w.startswith(f"{mail}=ed25519:")), None)
        if pair is None:
            raise SystemExit(f"secrets whoami printed no signing key: {whoami.stdout}{whoami.stderr}")
        extra = ["--signer", pair]
        migrate = [BIN, "secrets", "migrate", "big", "-i", str(identity), "--root", str(root), *extra]
        subprocess.run(migrate, check=True, capture_output=True, env=_env(None))
        values = len(re.findall(r'"age:', (folder / "members.toml").read_text(encoding="utf-8")))
        command = [BIN, "secrets", "reencrypt", "big", "-i", str(identity), "--root", str(root)]
        floor = [sys.executable, "-c", FLOOR, str(identity), f"{recipient},{mail}", str(values)]
        times: dict[str, list[float]] = {"reencrypt": [], "floor": []}
        for _ in range(runs):
            times["reencrypt"].append(_timed(command, ok=(0,)))
            times["floor"].append(_timed(floor, ok=(0,)))
        return {"members": members, "values": values, **{k: round(statistics.median(v), 3) for k, v in times.items()}}


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
        (sealed / "organisation.toml").write_text("[encryption]\nrequire = true\n", encoding="utf-8")
        start = time.perf_counter()
        migrate = [BIN, "secrets", "migrate", "--all", "-i", str(identity), "--root", str(sealed)]
        subprocess.run(migrate, check=True, capture_output=True, env=_env(None))
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
    ap.add_argument("--members", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    result = run(args.files, args.runs)
    again = reencrypt(args.members, args.runs)
    if args.json:
        print(json.dumps({"validate": result, "reencrypt": again}, indent=2))
        return
    print(
        f"validate on {result['files']:,} files, {result['sealed_values']:,} encrypted values (median of {args.runs})"
    )
    print("| figure | seconds | vs plain |\n|---|---:|---:|")
    for key in ("plain", "sealed, no identity", "sealed, with identity"):
        print(f"| validate, {key} | {result[key]:.3f} | {result[key] / result['plain']:.2f}x |")
    print(f"| secrets migrate --all: approve and seal every value (once) | {result['encrypt_all_s']:.3f} | |")
    print()
    print(f"secrets reencrypt of one collective: {again['members']} members, {again['values']} sealed values")
    print("| figure | seconds | vs floor |\n|---|---:|---:|")
    print(f"| floor: pyrage opens and seals {again['values']} values in one process | {again['floor']:.3f} | 1.00x |")
    print(f"| secrets reencrypt | {again['reencrypt']:.3f} | {again['reencrypt'] / again['floor']:.2f}x |")


if __name__ == "__main__":
    main()
