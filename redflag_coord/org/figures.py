"""Comparing a figure between reports: the one rule the agenda ("Since …") and `network` (trends) share.

A figure a report left out (no `[red_flag]`, no `[relationships]`) is not reported: never zero, and never
compared. A change between two reports exists only when both gave the figure; otherwise it is "not
reported", never "no change" (0) nor "=". A trend runs from the first report that gave the figure to the
latest report, which must give it too; a total over several reports counts only those that gave it.
"""

from __future__ import annotations

from collections.abc import Sequence


def difference(now: int | None, then: int | None) -> int | None:
    """now - then; None (not reported) when either report left the figure out."""
    return None if now is None or then is None else now - then


def trend(values: Sequence[int | None]) -> tuple[int | None, int | None, int | None]:
    """(first given, last given, change): the change from the first report that gave the figure to the latest
    report, None when the latest report left it out or no earlier report gave it (nothing to compare)."""
    known = [v for v in values if v is not None]
    if not known:
        return None, None, None
    earlier = [v for v in values[:-1] if v is not None]
    change = difference(values[-1], earlier[0]) if earlier else None
    return known[0], known[-1], change


def given(values: Sequence[int | None]) -> int:
    """How many reports gave the figure: the count a total over reports stands for."""
    return sum(v is not None for v in values)
