"""The movement rules and the funnel, on generated relationships (hypothesis)."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from redflag_coord.network.build import FUNNEL, count, funnel, is_new, is_stale, moved_up, stage_on
from redflag_coord.org.model import Relationship, Stage, StageChange

START = dt.date(2024, 1, 1)
stages = st.sampled_from(list(Stage))
days = st.integers(min_value=0, max_value=1000)


@st.composite
def relationships(draw) -> Relationship:
    since = START + dt.timedelta(days=draw(days))
    offsets = sorted(draw(st.lists(days, max_size=5)))
    history = [StageChange(date=since + dt.timedelta(days=o), stage=draw(stages), note="why") for o in offsets]
    stage = history[-1].stage if history else draw(stages)
    contact = since + dt.timedelta(days=draw(days)) if draw(st.booleans()) else None
    return Relationship(
        pseudonym="x", nature="friend", stage=stage, comrade="a", since=since, last_contact=contact, history=history
    )


@settings(max_examples=200, deadline=None)
@given(relationships(), days)
def test_stage_on_and_movement(r, offset):
    cut = START + dt.timedelta(days=offset)
    before = stage_on(r, cut)
    assert (before is None) == is_new(r, cut)
    if moved_up(r, cut):
        assert not is_new(r, cut) and r.stage.rank > before.rank
    # after the last step the stage is the relationship's own
    end = max([r.since, *(s.date for s in r.history)])
    assert stage_on(r, end) == r.stage


@settings(max_examples=200, deadline=None)
@given(relationships(), st.integers(min_value=1, max_value=60))
def test_stale_is_monotone_in_weeks(r, weeks):
    today = dt.date(2027, 12, 31)
    if not is_stale(r, today, weeks + 1):
        return
    assert is_stale(r, today, weeks)


@settings(max_examples=200, deadline=None)
@given(st.lists(relationships(), max_size=30))
def test_counts_and_funnel(rels):
    c = count(rels)
    assert c.total == len(rels) == sum(c.by_stage.values()) == sum(c.by_nature.values())
    steps = funnel(r.stage for r in rels)
    assert [s.stage for s in steps] == [s.value for s in FUNNEL]
    reached = [s.reached for s in steps]
    assert reached == sorted(reached, reverse=True)  # a funnel only narrows
    assert reached[0] == sum(r.stage.rank >= Stage.reader.rank for r in rels)
    for prev, step in itertools.pairwise(steps):
        if prev.reached:
            assert step.share_of_previous == step.reached / prev.reached
        else:
            assert step.share_of_previous is None
