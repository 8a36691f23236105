"""org.figures: a figure left out of a report is never compared (issue 31), checked on any values."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from redflag_coord.org import figures

FIGURE = st.none() | st.integers(min_value=0, max_value=10**6)


@given(FIGURE, FIGURE)
def test_a_difference_needs_both_reports(now, then):
    d = figures.difference(now, then)
    assert (d is None) == (now is None or then is None)
    if d is not None:
        assert then + d == now  # never a 0 standing in for "not reported"


@given(st.lists(FIGURE, min_size=1, max_size=8))
def test_a_trend_compares_only_given_figures(values):
    first, last, change = figures.trend(values)
    known = [v for v in values if v is not None]
    assert (first, last) == ((known[0], known[-1]) if known else (None, None))
    earlier = [v for v in values[:-1] if v is not None]
    if values[-1] is None or not earlier:
        assert change is None  # the latest report left it out, or no earlier report gave it: "not reported"
    else:
        assert change == values[-1] - earlier[0]  # from the first report that gave it to the latest
    assert figures.given(values) == len(known)
