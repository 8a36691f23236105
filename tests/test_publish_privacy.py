"""The public site names collectives, not people (issue 29): minutes by collective, attendance as
collectives present, handles only with `[publish] members = true`; and a last search of every page
for handles and private values that stops publish before anything is written.

Through the console script in a temporary git repository.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import DEMO_IDENTITY, TODAY
from git_helpers import Repo, example_repo
from hypothesis import given, settings
from hypothesis import strategies as st

BIN = str(Path(sys.executable).with_name("redflag-coord"))
MINUTES = "collectives/international-committee/minutes/ic-2026-06.toml"
DECISION = "Every collective counts its relationships by stage and by nature in each report."
PAGE = "meetings/ic-2026-06/minutes.html"


def cli(root: Path, *args: str, identity: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDFLAG_") and k != "SOURCE_DATE_EPOCH"}
    env["REDFLAG_TODAY"] = TODAY
    if identity is not None:
        env["REDFLAG_IDENTITY"] = str(identity)
    return subprocess.run([BIN, *args], cwd=root, env=env, capture_output=True, text=True, timeout=120)


def handles(root: Path) -> set[str]:
    found = set()
    for path in (root / "collectives").glob("*/members.toml"):
        found |= {m["handle"] for m in tomllib.loads(path.read_text(encoding="utf-8")).get("member", [])}
    return found


def site_text(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in site.rglob("*") if p.is_file()}


def digest(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in site.rglob("*")
        if p.is_file()
    }


def named(text: str, handle: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(handle)}(?![\w-])", text, re.IGNORECASE) is not None


def plant(repo: Repo, rel: str, old: str, new: str) -> None:
    path = repo.root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    repo.commit(f"plant in {rel}", date="2026-11-10T12:00:00+00:00")


def test_the_site_names_collectives_not_members(tmp_path: Path) -> None:
    repo = example_repo(tmp_path, drop_reports=None)
    minutes = tomllib.loads((repo.root / MINUTES).read_text(encoding="utf-8"))
    assert minutes["chair"] == "secretariat" and minutes["attendance"]["members"]  # who and how many were there
    done = cli(repo.root, "publish", "site")
    assert done.returncode == 0, done.stderr
    pages = site_text(repo.root / "site")
    for name, text in pages.items():
        assert not [h for h in sorted(handles(repo.root)) if named(text, h)], name
    page = pages[PAGE]
    assert "South Africa" in page and "El Salvador" in page  # collectives present, decisions and commitments
    assert "Write an article on the struggle against the Dudula movement" in page
    assert not re.search(r"\d+ members?\b", page), "no head count per collective"
    assert "El Salvador: 3" not in page  # a collective's vote count is a head count too


def test_members_on_the_site_when_the_organisation_says_so(tmp_path: Path) -> None:
    repo = example_repo(tmp_path, drop_reports=None)
    settings = (repo.root / "organisation.toml").read_text(encoding="utf-8")  # its approved readers stay (issue 28)
    repo.write("organisation.toml", settings + "\n[publish]\nmembers = true\n")
    repo.commit("publish members", date="2026-11-10T12:00:00+00:00")
    done = cli(repo.root, "publish", "site")
    assert done.returncode == 0, done.stderr
    page = site_text(repo.root / "site")[PAGE]
    assert named(page, "secretariat") and named(page, "redflag-editor") and named(page, "thabo")
    assert re.search(r"\d+ members\b", page)


def test_a_handle_in_a_decision_stops_publish_and_nothing_is_written(tmp_path: Path) -> None:
    repo = example_repo(tmp_path, drop_reports=None)
    site, fresh = tmp_path / "site", tmp_path / "fresh"
    assert cli(repo.root, "publish", str(site)).returncode == 0
    before = digest(site)
    plant(repo, MINUTES, DECISION, "Every collective counts its relationships; naledi collects the counts.")
    for folder in (site, fresh):
        done = cli(repo.root, "publish", str(folder))
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        assert PAGE in done.stderr and "member[" in done.stderr and "south-africa/members.toml" in done.stderr
        assert "[publish] members = true" in done.stderr
    assert digest(site) == before  # the old site stays as it was
    assert not fresh.exists()


def test_a_private_value_a_key_opens_stops_publish(tmp_path: Path) -> None:
    """With the key that opens a pseudonym, publish refuses a page that would show it, and the message
    says where it is, not what it is. Since the private-text check is an error (issue 29), the data check
    that runs before any page is built already refuses it, naming the file and key; the site's own check
    (publish/check.py) is tested on pages directly below."""
    repo = example_repo(tmp_path, drop_reports=None)
    plant(repo, MINUTES, DECISION, "Every collective counts its relationships, as Hondureño asked.")
    opened = cli(repo.root, "publish", "site", identity=DEMO_IDENTITY)
    assert opened.returncode == 1 and "Traceback" not in opened.stderr
    assert "error[private-text]: decision[0].text" in opened.stderr and "ic-2026-06.toml" in opened.stderr
    assert "Hondureño" not in opened.stderr + opened.stdout
    assert not (repo.root / "site").exists()


@pytest.fixture(scope="module")
def opened_org():
    """The example organisation with every private value opened (the DEMO key), read once for these tests."""
    from conftest import EXAMPLE, demo_identities

    from redflag_coord.check.validate import validate_path

    return validate_path(EXAMPLE, identities=demo_identities()).org


def a_phone(org) -> str:
    """A member's phone as a page might spell it: digits grouped in threes with dots."""
    from redflag_coord.org.secrets import slots

    digits = next(re.sub(r"\D", "", s.value or "") for s in slots(org) if s.attr == "phone")
    return ".".join(digits[i : i + 3] for i in range(0, len(digits), 3))


@pytest.mark.parametrize(
    "body",
    [
        "<p>Thabo spoke</p>",  # case
        "<p>thab&#111; spoke</p>",  # an HTML entity
        '<a href="/x?who=%74habo">x</a>',  # a URL escape
        "DESCRIPTION:ask th\r\n abo",  # iCalendar folding
        "<p>ｔｈａｂｏ</p>",  # fullwidth letters (compatibility form)
        "<p>rosa&#64;example.org</p>",  # a private value: an email, escaped
        "<p>call {phone}</p>",  # a phone with other separators
        "<p>Hondureño</p>",  # a pseudonym
    ],
)
def test_the_check_reads_a_page_as_a_visitor_would(body: str, opened_org) -> None:
    from redflag_coord.publish.check import check_site

    text = body.replace("{phone}", a_phone(opened_org))
    found = check_site(opened_org, [("meetings/x/page.html", text.encode())], members=False)
    assert found is not None and "meetings/x/page.html" in found
    assert not any(v in found for v in ("thabo", "rosa@", a_phone(opened_org)[:7], "Hondure"))  # whose, not what


def test_the_check_lets_ordinary_pages_through(opened_org) -> None:
    from redflag_coord.publish.check import check_site

    pages = [("index.html", b"<p>Rosanna, Thabong, news from Honduras, 2026-12-12 07:00</p>")]
    assert check_site(opened_org, pages, members=False) is None
    assert check_site(opened_org, [("a.html", b"<p>thabo</p>")], members=True) is None  # members may be named


# The matcher against the plain definition, one needle at a time: a needle stands on the page when it
# appears with no word character on either side (a phone: its digits with no digit on either side, once
# the page's separators are squeezed out). The word index must find exactly those, however they overlap.
_ALPHABET = "ab .@-_1234567ñ\u0301+"
_needle_text = st.text(alphabet=_ALPHABET, min_size=3, max_size=9)


def _stands(value: str, form: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(value) + r"(?!\w)", form) is not None


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(_needle_text, min_size=1, max_size=6, unique=True), page=st.text(alphabet=_ALPHABET, max_size=60)
)
def test_the_matcher_finds_exactly_the_needles_that_stand_on_the_page(values: list[str], page: str) -> None:
    from redflag_coord.publish.check import _SEPARATORS, Matcher, Needle, views

    needles = [Needle(v, f"value {i}", False) for i, v in enumerate(values)]
    found = set(Matcher(needles).hits(page))
    expected = set()
    for form in views(page):
        squeezed = _SEPARATORS.sub("", form)
        for n in needles:
            digits = re.sub(r"\D", "", n.value)
            phone = len(digits) >= 7 and len(digits) >= len(_SEPARATORS.sub("", n.value)) - 1
            if _stands(n.value, form) or (phone and re.search(rf"(?<!\d){digits}(?!\d)", squeezed)):
                expected.add(n)
    assert found <= expected
    assert {n for n in expected if any(_stands(n.value, f) for f in views(page))} <= found
    # a phone is filed by its digits once: among needles with the same digits, one answers for all
    digits_of = {re.sub(r"\D", "", n.value) for n in expected - found}
    assert digits_of <= {re.sub(r"\D", "", n.value) for n in found}


def test_overlapping_names_are_all_found() -> None:
    from redflag_coord.publish.check import Matcher, Needle

    both = [Needle("ana maria", "a", True), Needle("maria lopez", "b", True), Needle("lopez", "c", True)]
    assert {n.source for n in Matcher(both).hits("<p>Ana Maria Lopez</p>")} == {"a", "b", "c"}
    assert not Matcher(both).hits("<p>anamaria lopezz marian</p>")
