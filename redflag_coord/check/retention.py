"""The retention check: private values about to expire (a warning), expired (a warning during the grace
period), then overdue (an error), each naming the file, the key whose date decides, the date and the command
that removes them. The dates come from org.retention, which `secrets forget --expired` asks too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from redflag_coord.org.problems import Problems, format_key
from redflag_coord.org.retention import Expiry, Policy, grace_end
from redflag_coord.tz.duration import format_period

FORGET = "redflag-coord secrets forget --expired"


def check_expiries(found: Iterable[Expiry], policy: Policy, today: dt.date, out: Problems) -> None:
    """Add a problem for each table whose private values expire soon, expired, or are overdue."""
    for e in found:
        state = e.state(today, policy)
        if state == "kept":
            continue
        what = f"its private value(s) ({', '.join(e.values)})"  # the problem's key names the table
        if state == "soon":
            out.add(
                e.file,
                "expiring",
                f"{what} expire on {e.day()} ({e.reason}): from that day run '{FORGET}' "
                f"(see the list first with '{FORGET} --dry-run'); to keep them longer, decide it and set a later "
                f"{format_key((*e.key, 'expires'))}",
                key=e.source,
                severity="warning",
            )
            continue
        end = grace_end(e.on, policy)
        if state == "expired":
            until = f"an error from {e.day(end)}" if end is not None else "no grace end is set"
            message = f"{what} expired on {e.day()} ({e.reason}); run '{FORGET}' ({until})"
            out.add(e.file, "expired", message, key=e.source, severity="warning")
        else:
            grace = format_period(policy.grace)
            message = (
                f"{what} expired on {e.day()} ({e.reason}) and the grace period of {grace} ended on {e.day(end)}: "
                f"run '{FORGET}' now"
            )
            out.add(e.file, "expired", message, key=e.source)
