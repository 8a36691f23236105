"""publish's feeds, isolated: the organisation's feed and one per collective, timed in one process.

    python benchmarks/feeds.py ROOT

Loads the organisation once (not timed), then runs `publish.site.feed_pages` as `publish` does
and times each feed (building and writing it). Prints JSON: seconds for all feeds, for the
organisation's feed (which builds every meeting's events) and for the per-collective feeds
together (which reuse them), and the number of feeds. The runner sets these beside a whole
`validate` of the same organisation, timed in the same loop.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path


def measure(root: Path) -> dict:
    from redflag_coord.calendar import ics
    from redflag_coord.org.load import load_organisation
    from redflag_coord.publish import site

    org = load_organisation(root)
    today = dt.date.fromisoformat(os.environ.get("REDFLAG_TODAY", "2026-11-27"))
    settings = ics.Settings(stamp=dt.datetime.combine(today, dt.time(12), dt.UTC))
    ctx = site.Context(org, settings, today, "en", None)
    spent: list[float] = []
    real = ics.feed

    def timed_feed(*args, **kwargs):
        start = time.perf_counter()
        built = real(*args, **kwargs)
        spent.append(time.perf_counter() - start)
        write = built.to_ical

        def to_ical() -> bytes:  # feed_pages writes each feed once: that counts too
            begin = time.perf_counter()
            out = write()
            spent[-1] += time.perf_counter() - begin
            return out

        built.to_ical = to_ical  # type: ignore[method-assign]
        return built

    ics.feed = timed_feed
    try:
        start = time.perf_counter()
        pages = site.feed_pages(ctx)
        total = time.perf_counter() - start
    finally:
        ics.feed = real
    return {"all": total, "organisation": spent[0], "collectives": sum(spent[1:]), "feeds": len(pages)}


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]))))
