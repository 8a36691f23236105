"""Privacy: canary values in every private field never reach an agenda unless --include-private."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import seal_private, unseal_private

from redflag_coord.agenda.build import build_agenda
from redflag_coord.agenda.text import RENDERERS
from redflag_coord.org.load import load_organisation
from redflag_coord.org.model import Conversation, Distribution, Member, Relationship, StageChange, private_paths

EMAIL = "canary-email-7Q@leak.test"
PHONE = "+27 CANARY 5550"
PRIVATE_CANARIES = [
    "CanaryPseudonym7Q",
    "CanaryWorkplace7Q",
    "CanaryNotes7Q",
    "CanaryHistoryNote7Q",
    "CanaryNextStep7Q",  # a follow-up and a conversation note (issue 33)
    "CanaryTalk7Q",
]
SITE = "CanarySite7Q at the hostel gate"  # a distribution site: shown only with --include-private and the key
LANGS = ["en", "es", "fr"]


@pytest.fixture
def canary_org(org_copy: Path) -> Path:
    unseal_private(org_copy)
    sa = org_copy / "collectives/south-africa"
    members = (sa / "members.toml").read_text(encoding="utf-8")
    members = members.replace('email = "thabo@example.org"', f'email = "{EMAIL}"')
    members = members.replace('phone = "+27 00 000 0000"', f'phone = "{PHONE}"')
    (sa / "members.toml").write_text(members, encoding="utf-8")
    report = sa / "reports" / "ic-2026-12.toml"
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace('site = "bus depot near the hostels"', f'site = "{SITE}"'), encoding="utf-8")
    assert SITE in report.read_text(encoding="utf-8")
    with open(sa / "relationships.toml", "a", encoding="utf-8") as f:
        f.write(f"""
[[relationship]]
pseudonym = "{PRIVATE_CANARIES[0]}"
nature = "co-worker"
stage = "reader"
comrade = "thabo"
since = 2026-09-01
workplace = "{PRIVATE_CANARIES[1]}"
notes = "{PRIVATE_CANARIES[2]}"
next_step = "{PRIVATE_CANARIES[4]}"
next_due = 2026-12-02

[[relationship.history]]
date = 2026-09-01
stage = "reader"
note = "{PRIVATE_CANARIES[3]}"

[[relationship.conversation]]
date = 2026-11-02
kind = "visit"
note = "{PRIVATE_CANARIES[5]}"
""")
    return seal_private(org_copy)


def test_the_canaries_cover_every_private_field():
    assert private_paths(Member) == {"email", "phone"}
    assert private_paths(Relationship) == {"pseudonym", "workplace", "notes", "next_step", "next_due"}
    assert private_paths(Conversation) == {"date", "kind", "note"}  # dates and kinds: guessable, not canaries
    assert private_paths(StageChange) == {"note"}
    assert private_paths(Distribution) == {"site"}


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_no_private_field_in_any_format_or_language(canary_org, fmt):
    org = load_organisation(canary_org)
    for lang in LANGS:
        for who in (None, "south-africa"):
            out = RENDERERS[fmt](build_agenda(org, "ic-2026-12", lang=lang, for_collective=who))
            for canary in [EMAIL, PHONE, *PRIVATE_CANARIES, SITE, "canary", "Canary"]:
                assert canary not in out, (fmt, lang, who, canary)
            assert "thabo" in out  # the handle that filed the report may appear


def test_include_private_adds_the_filers_contact_only(canary_org, run):
    for fmt in sorted(RENDERERS):
        r = run("agenda", "ic-2026-12", "--include-private", "-f", fmt, "--root", str(canary_org))
        assert r.exit_code == 0
        assert EMAIL in r.stdout and PHONE.replace(" ", "") in r.stdout.replace(" ", "").replace("\u202f", "")
        for canary in PRIVATE_CANARIES:
            assert canary not in r.stdout
        assert SITE in r.stdout.replace("\n", " "), fmt  # the identity (REDFLAG_IDENTITY) opens it
    r = run("agenda", "ic-2026-12", "--root", str(canary_org))
    assert r.exit_code == 0 and EMAIL not in r.stdout and "Canary" not in r.stdout
