"""The motions and decision-results checks, attacked the way a careless member or a forger would edit the files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from redflag_coord.check.validate import validate_path

MOTION = "collectives/el-salvador/motions/bilingual-editions.toml"
MINUTES = "collectives/international-committee/minutes/ic-2026-06.toml"
TODAY = dt.date(2026, 11, 27)


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _codes(root: Path) -> list[tuple[str, str, str]]:
    return [(p.file, p.code, p.message) for p in validate_path(root, TODAY).problems if p.severity == "error"]


def test_the_example_motion_and_its_decision_are_valid(org_copy: Path) -> None:
    assert _codes(org_copy) == []


EDITS = [
    (MOTION, 'seconds = ["south-africa"]', 'seconds = ["el-salvador"]', "self-second"),
    (MOTION, 'seconds = ["south-africa"]', 'seconds = ["south-africa", "south-africa"]', "duplicate-second"),
    (MOTION, 'seconds = ["south-africa"]', 'seconds = ["atlantis"]', "unresolved-ref"),
    (MOTION, 'meeting = "ic-2026-06"', 'meeting = "ic-2026-06"\nbetween = true', "motion-destination"),
    (MOTION, 'meeting = "ic-2026-06"', 'meeting = "ic-2099-01"', "unresolved-ref"),
    (MOTION, 'accepted_by = "el-salvador"\n', "", "amendment-state"),
    (MOTION, 'status = "accepted"', 'status = "proposed"', "amendment-state"),
    (MOTION, "date = 2026-06-05", "date = 2026-05-01", "date-order"),
    (MINUTES, 'motion = "bilingual-editions"', 'motion = "no-such-motion"', "unresolved-ref"),
    (MINUTES, 'result = "carried"\n', "", "missing-result"),
    (MINUTES, 'reason = "Translating', 'xreason = "Translating', None),  # unknown key: the schema refuses it
    (
        MINUTES,
        'stance = "block"\nreason = "Translating every article takes more comrades than the Delhi '
        'collective has this year."',
        'stance = "block"',
        "block-reason",
    ),
    (MINUTES, 'collective = "india"\nagainst = 2', 'collective = "india"\nagainst = 1\nfor = 1', "mixed-vote"),
    (
        MINUTES,
        'collective = "los-angeles"\nstance = "stand-aside"',
        'collective = "mexico"\nstance = "agree"',
        "not-entitled",
    ),
    (MINUTES, 'commitments = ["ic-2026-06-hindi-edition"]', 'commitments = ["ic-2026-06-elsewhere"]', "unresolved-ref"),
]


@pytest.mark.parametrize(("rel", "old", "new", "code"), EDITS)
def test_each_careless_edit_is_named(org_copy: Path, rel: str, old: str, new: str, code: str | None) -> None:
    _edit(org_copy, rel, old, new)
    found = _codes(org_copy)
    assert found, "the edit is refused"
    if code is not None:
        assert any(f == rel and c == code for f, c, _ in found), found


def test_a_forged_result_is_refused_naming_the_rule_and_the_figures(org_copy: Path) -> None:
    _edit(org_copy, MINUTES, 'result = "carried"', 'result = "failed"')
    (message,) = [m for _, c, m in _codes(org_copy) if c == "wrong-result"]
    assert "recorded 'failed'" in message and "gives 'carried'" in message
    assert "consensus-then-vote; two-thirds of cast" in message
    assert "blocks 1 (india:" in message and "for 3, against 1, abstain 0; two-thirds of 4 needs 8/3" in message


def test_a_changed_rule_changes_the_result_validate_expects(org_copy: Path) -> None:
    # three of four voices is not unanimous: the same votes fail under the motion's stricter rule
    _edit(org_copy, MOTION, 'threshold = "two-thirds"', 'threshold = "unanimous"')
    assert any(c == "wrong-result" and "gives 'failed'" in m for _, c, m in _codes(org_copy))


def test_a_motion_id_is_unique_across_collectives(org_copy: Path) -> None:
    other = org_copy / "collectives/india/motions/bilingual-editions.toml"
    other.parent.mkdir()
    other.write_text((org_copy / MOTION).read_text(encoding="utf-8").replace('"south-africa"', '"mexico"'))
    assert any(c == "duplicate-id" for _, c, _ in _codes(org_copy))


def test_existing_decisions_without_a_motion_stay_accepted(org_copy: Path) -> None:
    # the June minutes' vote on the meeting time has mixed counts and no result: no rule applies to it
    text = (org_copy / MINUTES).read_text(encoding="utf-8")
    assert "abstain = 1" in text and text.count("result =") == 1
    assert _codes(org_copy) == []


def test_status_of_a_closed_vote_says_who_did_not_vote_and_the_final_figures(run, example_root: Path) -> None:
    """A closed vote has nobody "still to vote": a collective reading the status after the close must not be
    told it can still vote (the example's strike fund closed early without Los Angeles' vote)."""
    result = run("motion", "status", "strike-fund", "--root", str(example_root))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "still to vote" not in result.stdout and "so far" not in result.stdout
    assert [line.split()[:3] for line in lines if line.strip().startswith("los-angeles")] == [
        ["los-angeles", "did", "not"]
    ]
    assert "  did not vote: los-angeles" in lines
    assert any(line.startswith("  final: ") and line.endswith("result: carried by vote") for line in lines)
