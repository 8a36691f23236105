"""The retention check: private values about to expire (a warning), expired (a warning during the grace
period), then overdue (an error), each naming the file, the key whose date decides, the date and the command
that removes them. The dates come from org.retention, which `secrets forget --expired` asks too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from redflag_coord.org.problems import Problems, format_key
from redflag_coord.org.retention import Expiry, Policy, grace_end
from redflag_coord.org.vouch import Judged, Vouching, date_key, slug_of
from redflag_coord.tz.duration import format_period

FORGET = "redflag-coord secrets forget --expired"


def check_expiries(
    found: Iterable[Expiry], policy: Policy, today: dt.date, out: Problems, vouching: Vouching | None = None
) -> None:
    """Add a problem for each table whose private values expire soon, expired, or are overdue.

    With `vouching`, a date made earlier than its vouch counts from the vouched day (as forget does), and a
    date no reader vouched says that forget will not act on it (check_unvouched says why)."""
    for found_one in found:
        judged = vouching.judge(found_one) if vouching is not None else None
        e = judged.effective() if judged is not None else found_one
        state = e.state(today, policy)
        if state == "kept":
            continue
        if judged is not None and judged.status == "unvouched":
            _unvouched_expiry(e, state, out)
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


def _unvouched_expiry(e: Expiry, state: str, out: Problems) -> None:
    """An expiry by a date no reader vouched: forget will not act, so the message does not send anyone to it."""
    what = f"its private value(s) ({', '.join(e.values)})"
    when = "expire on" if state == "soon" else "expired on"
    out.add(
        e.file,
        "expiring" if state == "soon" else "expired",
        f"{what} {when} {e.day()} ({e.reason}), but no reader vouched for that date, so '{FORGET}' will not "
        "remove them: see the retention-unvouched warning on this line",
        key=e.source,
        severity="error" if state == "overdue" else "warning",
    )


def _what_to_do(e: Expiry) -> str:
    slug = slug_of(e.file)
    return (
        f"a reader of {slug!r} checks who set {date_key(e)} and why ('git log -p {e.file}') and vouches for it "
        f"('redflag-coord secrets vouch {slug}'), or restores the date"
    )


def check_unvouched(found: Iterable[Expiry], vouching: Vouching, out: Problems) -> None:
    """Add a warning for each retention date that no current reader vouched for (or vouched for a later day)."""
    for e in found:
        judged: Judged = vouching.judge(e)
        if not judged.warns:
            continue
        effect = (
            "it removes nothing"
            if judged.status == "unvouched"
            else f"'{FORGET}' removes them from {judged.vouched}, not before"
        )
        out.add(
            e.file,
            "retention-unvouched",
            f"its private value(s) ({', '.join(e.values)}) expire on {e.day()} ({e.reason}), but {judged.why}: "
            f"{effect}; {_what_to_do(e)}",
            key=e.source,
            severity="warning",
        )
