"""The figures of `network` for the example organisation, against counts made by hand.

Every expected number below was counted by reading collectives/*/relationships.toml
and reports/*.toml (today is 2026-11-27; the previous report of each collective is
the one to ic-2026-06, the meeting held on 2026-06-13), not by running the code.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import reveal_demo

from redflag_coord.network.build import network
from redflag_coord.org.load import load_organisation

TODAY = dt.date(2026, 11, 27)


EXAMPLE = Path(__file__).resolve().parent.parent
STAGES = ("contact", "reader", "writer", "study-group", "recruit", "member")


@pytest.fixture(scope="module")
def org():
    return reveal_demo(load_organisation(EXAMPLE))  # the example's private values are encrypted


@pytest.fixture(scope="module")
def whole(org):
    # built before conftest's per-test environment: dates from the files (the example lives in this tool's git),
    # as every other command is asked here; network names report status's filed date (issue 31)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("REDFLAG_FILED_DATES", "file")
        return network(org, today=TODAY)


def by_slug(n):
    return {c.slug: c for c in n.collectives}


def test_which_collectives(whole):
    # kind = collective with members, or with a relationships.toml; not the committee, not the Honduras contact
    assert [c.slug for c in whole.collectives] == [
        "el-salvador",
        "france",
        "india",
        "los-angeles",
        "mexico",
        "philippines",
        "south-africa",
    ]


# (contact, reader, writer, study-group, recruit, member), counted in each relationships.toml
BY_STAGE = {
    "los-angeles": (1, 3, 1, 1, 0, 0),  # El Soldador; Hondureño, El Conserje, Tortillera; Prima; La Overlock
    "el-salvador": (1, 3, 1, 1, 0, 0),  # La Hermana; Doña Flor, Toño, Chamba; La Planchadora; El Cortador
    "india": (1, 1, 0, 1, 0, 0),  # Masterji; Didi; Chhotu
    "mexico": (0, 1, 0, 0, 0, 0),  # El Maestro
    "south-africa": (1, 2, 0, 1, 1, 0),  # Taxi; Sisi, Mkhulu; Ubaba; Mpho
    "france": (0, 0, 0, 0, 0, 0),
    "philippines": (0, 0, 0, 0, 0, 0),
}

BY_NATURE = {
    "los-angeles": {"co-worker": 3, "friend": 1, "neighbour": 1, "family": 1},
    "el-salvador": {"co-worker": 4, "neighbour": 1, "church": 1},
    "india": {"co-worker": 1, "fellow-student": 1, "neighbour": 1},
    "mexico": {"co-worker": 1},
    "south-africa": {"co-worker": 3, "friend": 1, "neighbour": 1},
    "france": {},
    "philippines": {},
}


@pytest.mark.parametrize("slug", sorted(BY_STAGE))
def test_counts_by_stage_and_nature(whole, slug):
    c = by_slug(whole)[slug]
    assert c.counts.by_stage == dict(zip(STAGES, BY_STAGE[slug]))
    assert c.counts.by_nature == BY_NATURE[slug]
    assert c.counts.total == sum(BY_STAGE[slug])


# new: since after the previous report's filing date; moved up: known then, higher stage now;
# stale: last contact 56 days or more before 2026-11-27 (on or before 2026-10-02)
MOVEMENT = {
    "los-angeles": ("ic-2026-06", dt.date(2026, 6, 3), 2, 1, 1),  # Hondureño, El Soldador; Prima; Tortillera
    "el-salvador": ("ic-2026-06", dt.date(2026, 6, 5), 1, 2, 0),  # La Hermana; Planchadora, Cortador
    "india": ("ic-2026-06", dt.date(2026, 6, 6), 1, 1, 0),  # Masterji; Chhotu
    "mexico": ("ic-2026-06", dt.date(2026, 6, 6), 0, 0, 0),
    "south-africa": ("ic-2026-06", dt.date(2026, 6, 4), 1, 2, 1),  # Taxi; Ubaba, Mpho; Mkhulu
}


@pytest.mark.parametrize("slug", sorted(MOVEMENT))
def test_movement_since_previous_report(whole, slug):
    m = by_slug(whole)[slug].movement
    baseline, since, new, moved, stale = MOVEMENT[slug]
    assert (m.baseline, m.since, m.new, m.moved_up, m.stale) == (baseline, since, new, moved, stale)


@pytest.mark.parametrize("slug", sorted(MOVEMENT))
def test_figures_match_the_latest_report_snapshot(org, whole, slug):
    """The example reports to ic-2026-12 were written from the same data: they must agree."""
    snap = org.collectives[slug].reports["ic-2026-12"].relationships
    c = by_slug(whole)[slug]
    assert (c.movement.new, c.movement.moved_up) == (snap.new, snap.moved_up)
    assert c.counts.by_stage == {k: 0 for k in STAGES} | {s.value: n for s, n in snap.by_stage.items()}
    assert c.counts.by_nature == snap.by_nature


def test_no_earlier_report_means_no_movement_figures(whole):
    for slug in ("france", "philippines"):
        m = by_slug(whole)[slug].movement
        assert (m.since, m.baseline, m.new, m.moved_up, m.stale) == (None, None, None, None, 0)


def test_stale_weeks_boundary(org):
    # El Soldador (los-angeles): last contact 2026-10-03, 55 days before today: stale at 7 weeks, not at 8
    assert network(org, "los-angeles", today=TODAY, stale_weeks=8).collectives[0].movement.stale == 1
    assert network(org, "los-angeles", today=TODAY, stale_weeks=7).collectives[0].movement.stale == 2
    # India's Masterji: 2026-10-10 is 48 days ago: stale at 6 weeks (42 days), not at 7 (49)
    assert network(org, "india", today=TODAY, stale_weeks=7).collectives[0].movement.stale == 0
    assert network(org, "india", today=TODAY, stale_weeks=6).collectives[0].movement.stale == 1


def test_since_overrides_the_baseline(org):
    # since 2026-10-01: new are Hondureño (10-15); moved up: Prima's step was 09-13, so none known then moved
    c = network(org, "los-angeles", today=TODAY, since=dt.date(2026, 10, 1)).collectives[0]
    assert (c.movement.since, c.movement.baseline, c.movement.new, c.movement.moved_up) == (
        dt.date(2026, 10, 1),
        None,
        1,
        0,
    )
    # since 2026-09-01: Hondureño (10-15) and El Soldador (09-26) are new; Prima moved up on 09-13
    c = network(org, "los-angeles", today=TODAY, since=dt.date(2026, 9, 1)).collectives[0]
    assert (c.movement.new, c.movement.moved_up) == (2, 1)


def test_after_the_december_meeting_the_baseline_moves(org):
    # once ic-2026-12 (2026-12-12) is held, movement counts from the reports filed for it
    c = network(org, "los-angeles", today=dt.date(2026, 12, 20)).collectives[0]
    assert (c.movement.baseline, c.movement.since, c.movement.new, c.movement.moved_up) == (
        "ic-2026-12",
        dt.date(2026, 11, 23),
        0,
        0,
    )


FUNNEL = {  # relationships at each stage or beyond: reader, writer, study-group, recruit
    "los-angeles": (5, 2, 1, 0),
    "el-salvador": (5, 2, 1, 0),
    "india": (2, 1, 1, 0),
    "mexico": (1, 0, 0, 0),
    "south-africa": (4, 2, 2, 1),
}


@pytest.mark.parametrize("slug", sorted(FUNNEL))
def test_funnel(whole, slug):
    steps = by_slug(whole)[slug].funnel
    assert [s.stage for s in steps] == ["reader", "writer", "study-group", "recruit"]
    assert tuple(s.reached for s in steps) == FUNNEL[slug]


def test_funnel_shares(whole):
    sa = by_slug(whole)["south-africa"].funnel
    assert [s.share_of_previous for s in sa] == [None, 0.5, 1.0, 0.5]
    mexico = by_slug(whole)["mexico"].funnel
    assert [s.share_of_previous for s in mexico] == [None, 0.0, None, None]


COMRADES = {  # handle: relationships held, in members.toml order
    "los-angeles": ({"rosa": 2, "beto": 2, "carmen": 1, "don-luis": 1}, ["chayo"]),
    "el-salvador": ({"marisol": 2, "chepe": 2, "lupita": 2}, ["neto"]),
    "india": ({"asha": 1, "imran": 2}, ["ravi"]),
    "mexico": ({"tere": 1}, ["juanpa"]),
    "south-africa": ({"thabo": 2, "lindiwe": 2, "sipho": 1}, ["naledi"]),
    "france": ({}, ["camille"]),
    "philippines": ({}, ["dalisay"]),
}


@pytest.mark.parametrize("slug", sorted(COMRADES))
def test_per_comrade_and_who_needs_help(whole, slug):
    c = by_slug(whole)[slug]
    held, without = COMRADES[slug]
    assert {x.handle: x.counts.total for x in c.comrades} == held
    assert [x.handle for x in c.comrades] == list(held)
    assert c.without_relationships == without


def test_one_comrade_in_detail(whole):
    lindiwe = {x.handle: x for x in by_slug(whole)["south-africa"].comrades}["lindiwe"]
    assert lindiwe.counts.by_stage["reader"] == 2  # Sisi, Mkhulu
    assert lindiwe.counts.by_nature == {"co-worker": 1, "neighbour": 1}
    assert (lindiwe.new, lindiwe.moved_up, lindiwe.stale) == (0, 0, 1)  # Mkhulu: last contact 2026-09-12
    thabo = {x.handle: x for x in by_slug(whole)["south-africa"].comrades}["thabo"]
    assert (thabo.new, thabo.moved_up, thabo.stale) == (1, 1, 0)  # Taxi new; Ubaba reader -> study-group


# per report to ic-2026-06 and ic-2026-12: (copies, sites, readers, recruits)
RED_FLAG = {
    "los-angeles": [(400, 1, 50, 0), (450, 3, 55, 0)],
    "el-salvador": [(90, 1, 30, 1), (135, 2, 38, 0)],
    "india": [(60, 1, 12, 0), (70, 1, 15, 0)],
    "mexico": [(40, 1, 8, 0), (50, 1, 10, 0)],
    "south-africa": [(250, 1, 25, 0), (400, 2, 40, 1)],
}


@pytest.mark.parametrize("slug", sorted(RED_FLAG))
def test_red_flag_over_time(whole, slug):
    points = by_slug(whole)[slug].reports
    assert [p.meeting for p in points] == ["ic-2026-06", "ic-2026-12"]
    assert [(p.copies, p.sites, p.readers, p.recruits) for p in points] == RED_FLAG[slug]
    assert all(p.site_names is None for p in points)


def test_trends(whole):
    trends = {t.figure: t for t in by_slug(whole)["south-africa"].trends}
    assert (trends["copies"].first, trends["copies"].last, trends["copies"].change) == (250, 400, 150)
    assert trends["readers"].change == 15
    assert trends["relationships"].values == [4, 5]  # snapshot totals: 1+3, then 1+2+1+1
    assert trends["stage reader"].values == [3, 2]


def test_overview_adds_up(whole):
    o = whole.overview
    assert o.collectives == 7
    assert o.counts.total == 6 + 6 + 3 + 1 + 5
    assert o.counts.by_stage == {"contact": 4, "reader": 10, "writer": 2, "study-group": 4, "recruit": 1, "member": 0}
    assert (o.new, o.moved_up, o.stale) == (2 + 1 + 1 + 0 + 1, 1 + 2 + 1 + 0 + 2, 1 + 1)
    assert [s.reached for s in o.funnel] == [17, 7, 5, 1]
    assert (o.comrades, o.without_relationships) == (13, 7)
    copies = {p.meeting: (p.copies, p.readers, p.sites, p.reported_by) for p in o.reports}
    assert copies == {
        "ic-2026-06": (400 + 90 + 60 + 40 + 250, 50 + 30 + 12 + 8 + 25, 5, 5),
        "ic-2026-12": (450 + 135 + 70 + 50 + 400, 55 + 38 + 15 + 10 + 40, 3 + 2 + 1 + 1 + 2, 5),
    }


def test_one_collective_has_no_overview(org):
    n = network(org, "mexico", today=TODAY)
    assert n.overview is None and [c.slug for c in n.collectives] == ["mexico"]


def test_private_details_only_when_asked(org):
    assert network(org, "los-angeles", today=TODAY).collectives[0].relationships is None
    with pytest.raises(ValueError):
        network(org, today=TODAY, include_private=True)
    c = network(org, "los-angeles", today=TODAY, include_private=True).collectives[0]
    lines = {r.pseudonym: r for r in c.relationships}
    assert set(lines) == {"Hondureño", "La Overlock", "El Conserje", "Tortillera", "El Soldador", "Prima"}
    assert (lines["Tortillera"].stale, lines["Tortillera"].days_without_contact) == (True, 117)
    assert (lines["Hondureño"].new, lines["Hondureño"].moved_up) == (True, False)
    assert lines["Prima"].moved_up is True
    assert c.reports[1].site_names == [
        "garment district factories",
        "cleaning crews, downtown offices",
        "small workshops, south LA",
    ]


def test_report_template_counts_agree_with_the_filed_snapshots(example_root):
    """`report new` recounts relationships with the network's rules: for the example data it gives
    exactly the snapshots the collectives filed for ic-2026-12 (previous report: ic-2026-06)."""
    from redflag_coord.org.load import load_organisation
    from redflag_coord.reports.filing import relationship_figures

    org = load_organisation(example_root)
    for slug in ("south-africa", "el-salvador", "india", "los-angeles"):
        c = org.collectives[slug]
        filed = c.reports["ic-2026-12"].relationships
        got = relationship_figures(
            c.relationships.relationships, c.relationships.natures, c.reports["ic-2026-06"].filed
        )
        assert got["by_stage"] == {k.value: v for k, v in filed.by_stage.items() if v}, slug
        assert got["by_nature"] == filed.by_nature, slug
        assert (got["new"], got["moved_up"]) == (filed.new, filed.moved_up), slug
