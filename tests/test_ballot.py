"""A vote between meetings (org.ballot): the result never depends on the order of the votes, and a result
called settled (so `motion close` may close early) is the one every possible completion of the vote gives."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from redflag_coord.org.ballot import settled, tally
from redflag_coord.org.model import Ballot, DecisionRule

WHO = ["a", "b", "c", "d", "e"]
CHOICES = [None, ("for", None), ("against", None), ("abstain", None), (None, "agree"), (None, "block")]


def ballot(slug: str, choice) -> Ballot | None:
    if choice is None:
        return None
    count, stance = choice
    data: dict = {"collective": slug, "cast": dt.date(2026, 12, 1)}
    if count:
        data[count] = 1
    if stance:
        data |= {"stance": stance, "reason": "no" if stance == "block" else None}
    return Ballot.model_validate(data)


rules = st.builds(
    DecisionRule,
    method=st.sampled_from(["vote", "consensus", "consent", "consensus-then-vote"]),
    threshold=st.sampled_from(["majority", "two-thirds", "unanimous"]),
    base=st.sampled_from(["cast", "entitled"]),
    quorum=st.sampled_from(["1/2", "2/3", 1, 3]),
)
votes = st.lists(st.sampled_from(CHOICES), min_size=len(WHO), max_size=len(WHO))


def cast(choices) -> list[Ballot]:
    return [b for slug, c in zip(WHO, choices, strict=True) if (b := ballot(slug, c)) is not None]


@settings(max_examples=60, deadline=None)
@given(rules, votes, st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_of_votes(rule, choices, rnd) -> None:
    ballots = cast(choices)
    shuffled = ballots[:]
    rnd.shuffle(shuffled)
    assert tally(rule, WHO, ballots) == tally(rule, WHO, shuffled)
    assert settled(rule, WHO, ballots) == settled(rule, WHO, shuffled)


@settings(max_examples=40, deadline=None)
@given(rules, votes, votes)
def test_a_settled_result_is_what_every_completion_gives(rule, now, later) -> None:
    """Those still to vote do anything (or nothing): a settled result never changes."""
    ballots = cast(now)
    if not settled(rule, WHO, ballots):
        return
    voted = {b.collective for b in ballots}
    extra = [b for b in cast(later) if b.collective not in voted]
    assert tally(rule, WHO, [*ballots, *extra]).result == tally(rule, WHO, ballots).result


def test_an_early_result_is_settled_only_when_the_rest_cannot_change_it() -> None:
    rule = DecisionRule(method="vote")
    three_for = cast([("for", None)] * 3 + [None, None])
    assert settled(rule, WHO, three_for)  # 3 for: two against leave it carried
    two_for = cast([("for", None)] * 2 + [None, None, None])
    assert not settled(rule, WHO, two_for)  # three against would defeat it
    assert tally(rule, WHO, three_for).result.value == "carried"
