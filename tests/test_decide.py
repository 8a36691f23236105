"""Decision rules (org.decide): the result follows from the rule and the figures, exactly, in any order."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redflag_coord.org.decide import compute, entitled_of, resolve
from redflag_coord.org.model import DecisionResult, DecisionRule, RuleOverride, Stance, Vote

SLUGS = ["a", "b", "c", "d", "e", "f"]


def vote(c: str, yes: int = 0, no: int = 0, abstain: int = 0) -> Vote:
    return Vote.model_validate({"collective": c, "for": yes, "against": no, "abstain": abstain})


def stance(c: str, kind: str, reason: str | None = None) -> Stance:
    return Stance.model_validate({"collective": c, "stance": kind, "reason": reason})


def rule(**keys) -> DecisionRule:
    return resolve(DecisionRule(), RuleOverride.model_validate(keys))


def test_two_thirds_is_exact_where_a_float_would_round():
    # 2 of 3 voices is exactly two-thirds: carried; 0.6666 would fail against 2/3 stored as a float
    r = rule(method="vote", threshold="two-thirds")
    t = compute(r, "abc", "abc", votes=[vote("a", 1), vote("b", 1), vote("c", 0, 1)])
    assert (t.for_, t.base, t.needed, t.result) == (2, 3, 2, DecisionResult.carried)
    t = compute(r, "abcd", "abcd", votes=[vote("a", 1), vote("b", 1), vote("c", 0, 1), vote("d", 0, 1)])
    assert t.result is DecisionResult.failed


def test_majority_means_more_than_half():
    r = rule(method="vote")
    assert compute(r, "ab", "ab", votes=[vote("a", 1), vote("b", 0, 1)]).result is DecisionResult.failed


def test_split_voice_divides_one_collective_among_its_delegates():
    r = rule(method="vote", split=True, base="entitled")
    t = compute(r, "abc", "abc", votes=[vote("a", 2, 1), vote("b", 1), vote("c", 0, 0, 3)])
    assert (t.for_, t.against, t.abstain, t.base) == (Fraction(5, 3), Fraction(1, 3), 1, 3)
    assert t.result is DecisionResult.carried  # 5/3 > 3/2


def test_members_weight_counts_every_member_and_entitled_base_counts_absent_abstainers():
    r = rule(method="vote", weight="members", base="entitled")
    t = compute(r, "ab", "ab", votes=[vote("a", 3), vote("b", 0, 2)], delegates={"a": 3, "b": 4})
    assert (t.for_, t.base, t.result) == (3, 7, DecisionResult.failed)  # 3 of 7 is not more than half


def test_quorum_of_entitled_collectives_present():
    r = rule(method="vote", quorum="2/3")
    t = compute(r, "abcde", "ab", votes=[vote("a", 1), vote("b", 1)])
    assert (t.quorum_needed, t.quorum_met, t.result) == (4, False, DecisionResult.no_quorum)
    # present but not entitled does not count towards it
    assert not compute(rule(quorum=3), "abc", "abxyz").quorum_met


def test_a_block_stops_consensus_and_names_its_reason_then_the_vote_decides():
    r = rule(method="consensus-then-vote", threshold="two-thirds")
    stances = [stance("a", "agree"), stance("b", "block", "not before the congress"), stance("c", "stand-aside")]
    t = compute(r, "abc", "abc", stances, [vote("a", 1), vote("b", 0, 1), vote("c", 1)])
    assert t.blocks == (("b", "not before the congress"),)
    assert (t.consensus, t.by, t.result) == (False, "vote", DecisionResult.carried)
    assert "blocks 1 (b: not before the congress)" in t.figures()
    assert compute(rule(method="consensus"), "abc", "abc", stances).result is DecisionResult.failed


def test_consent_is_silence_unless_someone_blocks_but_consensus_needs_every_stance():
    assert compute(rule(method="consent"), "abc", "abc", [stance("a", "agree")]).result is DecisionResult.carried
    assert compute(rule(method="consensus"), "abc", "abc", [stance("a", "agree")]).result is DecisionResult.failed


def test_entitled_list_replaces_the_participants():
    assert entitled_of(rule(entitled=["b", "a"]), ["a", "b", "c"]) == ["a", "b"]
    assert entitled_of(rule(), ["c", "a"]) == ["a", "c"]


rules = st.builds(
    lambda method, weight, split, threshold, base, quorum: rule(
        method=method, weight=weight, split=split, threshold=threshold, base=base, quorum=quorum
    ),
    st.sampled_from(["consensus", "consent", "vote", "consensus-then-vote"]),
    st.sampled_from(["collective", "members"]),
    st.booleans(),
    st.sampled_from(["majority", "two-thirds", "unanimous", "3/5"]),
    st.sampled_from(["cast", "entitled"]),
    st.one_of(st.integers(0, 6), st.sampled_from(["1/2", "2/3", "1/1"])),
)
small = st.integers(0, 4)
votes = st.lists(st.builds(vote, st.sampled_from(SLUGS), small, small, small), max_size=8)
stances = st.lists(
    st.builds(
        stance,
        st.sampled_from(SLUGS),
        st.sampled_from(["agree", "stand-aside", "block"]),
        st.sampled_from([None, "why", "because"]),
    ),
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(rules, st.sets(st.sampled_from(SLUGS)), st.sets(st.sampled_from(SLUGS)), stances, votes, st.randoms())
def test_the_result_never_depends_on_the_order_of_stances_or_votes(r, entitled, present, ss, vs, rnd):
    delegates = {s: 2 for s in SLUGS}
    first = compute(r, entitled, present, ss, vs, delegates)
    rnd.shuffle(ss)
    rnd.shuffle(vs)
    again = compute(r, sorted(entitled, reverse=True), list(present), ss, vs, delegates)
    assert again == first
    assert first.for_ + first.against + first.abstain >= 0
    if first.result is DecisionResult.carried and first.by == "vote":
        assert first.for_ >= first.needed and first.for_ > 0


@pytest.mark.parametrize("threshold", ["majority", "two-thirds", "3/5"])
def test_figures_are_fractions_never_floats(threshold):
    t = compute(rule(method="vote", split=True, threshold=threshold), "abc", "abc", votes=[vote("a", 1, 2)])
    assert all(isinstance(x, Fraction) for x in (t.for_, t.against, t.abstain, t.base, t.needed))
