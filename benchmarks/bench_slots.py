#!/usr/bin/env python3
"""Benchmark `slots`: rank meeting times for synthetic collectives (default 30 over 90 days, 15-minute steps).

Standalone: builds a synthetic organisation in memory (zones with DST changes, half-hour and
45-minute offsets and the date line; random availability; past meetings for fairness) and times
`slots.find_slots` end to end, without reading files. Prints the median of several runs.

    python benchmarks/bench_slots.py [--collectives 30] [--days 90] [--step 15] [--runs 7] [--json]

`run(...)` returns the figures as a dict for other benchmark runners.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from redflag_coord.org.load import CollectiveData, Organisation
from redflag_coord.org.model import Availability, Collective, Meeting, Member, MembersFile
from redflag_coord.slots import find as slots

ZONES = [
    "America/Los_Angeles",
    "America/El_Salvador",
    "America/Mexico_City",
    "Africa/Johannesburg",
    "Europe/Paris",
    "Asia/Kolkata",
    "Asia/Manila",
    "America/Tegucigalpa",
    "Pacific/Auckland",
    "America/Santiago",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Africa/Casablanca",
    "Europe/London",
    "America/New_York",
    "America/Sao_Paulo",
    "Asia/Tokyo",
    "Australia/Adelaide",
    "Asia/Tehran",
    "Africa/Lagos",
    "Europe/Istanbul",
    "Asia/Dhaka",
    "America/Bogota",
    "Pacific/Apia",
    "Asia/Jakarta",
    "Europe/Berlin",
]
START = dt.date(2026, 9, 1)  # the range crosses the northern autumn and southern spring clock changes


def _hours(rng: random.Random) -> list[str]:
    start = rng.randrange(6 * 60, 20 * 60, 15)
    end = min(start + rng.randrange(60, 8 * 60, 15), 24 * 60)
    return [f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"]


def synthetic_org(n: int, days: int, seed: int = 7) -> Organisation:
    rng = random.Random(seed)
    org = Organisation(root=Path("."))
    for i in range(n):
        slug = f"collective-{i:02d}"
        availability = (
            None
            if i % 5 == 4
            else Availability(
                weekdays=_hours(rng),
                saturday=_hours(rng),
                sunday=_hours(rng),
                avoid=[START + dt.timedelta(days=rng.randrange(days)) for _ in range(3)],
            )
        )
        info = Collective(
            name=f"Collective {i}", timezone=ZONES[i % len(ZONES)], languages=["en"], availability=availability
        )
        members = MembersFile(member=[Member(handle=f"m{i}-{j}") for j in range(rng.randint(1, 12))])
        org.collectives[slug] = CollectiveData(slug, info=info, members=members)
    committee = org.collectives["collective-00"]
    for k in range(6):  # past meetings, for the fairness rotation
        committee.meetings[f"past-{k}"] = Meeting(
            title=f"Past meeting {k}",
            start=dt.datetime(2026, 1 + k, 10, 7),
            timezone="America/Los_Angeles",
            duration_minutes=180,
            participants=sorted(org.collectives),
        )
    return org


def run(collectives: int = 30, days: int = 90, step: int = 15, length: int = 120, runs: int = 7) -> dict:
    org = synthetic_org(collectives, days)
    req = slots.Request(tuple(sorted(org.collectives)), START, START + dt.timedelta(days=days - 1), length, step)
    times = []
    for _ in range(runs):
        slots.offset_periods.cache_clear()  # every run finds the zones' clock changes again
        t0 = time.perf_counter()
        result = slots.find_slots(org, req)
        times.append(time.perf_counter() - t0)
    return {
        "benchmark": "slots",
        "collectives": collectives,
        "days": days,
        "step_minutes": step,
        "length_minutes": length,
        "candidates": result.considered,
        "runs": runs,
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--collectives", type=int, default=30)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--step", type=int, default=15, help="minutes between candidates")
    ap.add_argument("--length", type=int, default=120, help="meeting length in minutes")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--budget", type=float, default=1.0, help="exit 1 if the median exceeds this many seconds")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    r = run(args.collectives, args.days, args.step, args.length, args.runs)
    if args.json:
        print(json.dumps(r))
    else:
        print(
            f"slots: {r['collectives']} collectives x {r['days']} days every {r['step_minutes']} min = "
            f"{r['candidates']} candidates ({r['length_minutes']}-minute meeting): median {r['median_s']:.3f} s "
            f"over {r['runs']} runs (min {r['min_s']:.3f}, max {r['max_s']:.3f}; Python {r['python']})"
        )
    return 0 if r["median_s"] <= args.budget else 1


if __name__ == "__main__":
    sys.exit(main())
