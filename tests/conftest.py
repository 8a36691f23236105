"""Shared fixtures: the example organisation, a writable copy of it, and the CLI runner."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from redflag_coord.cli.app import app

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO  # the example organisation: REPO/collectives
TODAY = "2026-11-27"  # the example data is dated around this day

# In CI, a test that cannot find a tool it needs (node, a browser, a server) fails instead of skipping.
REQUIRE_ALL = os.environ.get("REDFLAG_REQUIRE_ALL") == "1"


def need(condition: bool, reason: str) -> None:
    """Skip locally when a tool is missing; fail in CI (REDFLAG_REQUIRE_ALL=1)."""
    if condition:
        return
    if REQUIRE_ALL:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


# DEMO ONLY: the published identity that opens the example organisation's encrypted private values
# (tests/keys/README.md). Tests of the keyless side unset REDFLAG_IDENTITY.
DEMO_IDENTITY = REPO / "tests" / "keys" / "demo-identity.txt"
DEMO_MAIL_SENDER = REPO / "tests" / "keys" / "demo-mail-sender.txt"


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDFLAG_TODAY", TODAY)
    monkeypatch.delenv("REDFLAG_ROOT", raising=False)
    # The example data sits in this tool's own git history: filed dates come from the files, so outputs
    # do not depend on when the examples were committed. Tests of git dates delete this.
    monkeypatch.setenv("REDFLAG_FILED_DATES", "file")
    monkeypatch.setenv("REDFLAG_IDENTITY", str(DEMO_IDENTITY))


@pytest.fixture(autouse=True)
def _private_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A configuration folder of the test's own: `init` and `secrets keygen` write identities there by
    default, never into the real ~/.config (where a second run would find the first one's key)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))


def unseal_private(root: Path) -> Path:
    """Decrypt every private value of an organisation copy in place (DEMO identity), for tests that edit them."""
    import tomlkit

    from redflag_coord import crypt
    from redflag_coord.edit.trustseal import open_bound
    from redflag_coord.org.secrets import doc_slots, file_kind

    keys = crypt.read_identities(DEMO_IDENTITY).keys
    for pattern in ("*/members.toml", "*/relationships.toml", "*/reports/*.toml"):
        for path in (root / "collectives").glob(pattern):
            kind = file_kind(path.relative_to(root).as_posix())
            doc = tomlkit.parse(path.read_text(encoding="utf-8"))
            for container, key, _, _ in doc_slots(doc, kind):
                if crypt.is_sealed(str(container[key])):
                    container[key] = open_bound(crypt.open_sealed(str(container[key]), keys))
            path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return root


def demo_identities():
    """The DEMO identity's keys (tests/keys/demo-identity.txt)."""
    from redflag_coord import crypt

    return crypt.read_identities(DEMO_IDENTITY)


def reveal_demo(org):
    """Open a loaded organisation's private values with the DEMO identity, in place."""
    from redflag_coord.org.problems import Problems
    from redflag_coord.org.secrets import reveal
    from redflag_coord.org.settings import settings_or_defaults as load_settings

    reveal(org, load_settings(org.root), demo_identities(), Problems())
    return org


def seal_private(root: Path) -> Path:
    """Encrypt every plaintext private value of an organisation copy to its collectives' recipients."""
    from redflag_coord.edit.secrets import encrypt
    from redflag_coord.org.load import load_organisation

    org = load_organisation(root)
    slugs = [s for s, c in org.collectives.items() if c.info is not None and c.info.recipients]
    encrypt(org, slugs, identities=demo_identities())  # sealed by a reader: bound and signed (issue 28)
    return root


@pytest.fixture
def example_root() -> Path:
    """The example organisation in the repository (read-only use)."""
    return EXAMPLE


@pytest.fixture
def org_copy(tmp_path: Path) -> Path:
    """A writable copy of the example organisation; returns its root."""
    root = tmp_path / "org"
    shutil.copytree(EXAMPLE / "collectives", root / "collectives")
    copy_trust(EXAMPLE, root)
    return root


def strings_in(value: object) -> Iterator[str]:
    """Every string of a parsed TOML document (or one of its tables), depth first: where sealed values are."""
    if isinstance(value, dict):
        for v in value.values():
            yield from strings_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings_in(v)
    elif isinstance(value, str):
        yield value


def copy_trust(source: Path, root: Path) -> None:
    """The settings and approvals that go with the example's collectives: who reads (issue 28)."""
    shutil.copy(source / "organisation.toml", root / "organisation.toml")
    shutil.copytree(source / "trust", root / "trust")


@pytest.fixture
def run():
    """Run the CLI in-process: run("validate", str(path)) -> click Result (stdout, stderr, exit_code)."""
    runner = CliRunner()

    def _run(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return _run


# -- canaries: private values that must never appear in any output (tests/test_privacy.py) --------------
CANARY_EMAIL = "canary.q7x2@leak-check.example"
CANARY_PHONE = "+503 7999 4821"
CANARY_PSEUDONYM = "Zorzal Canario"
CANARY_WORKPLACE = "Canary Works, night shift"
CANARY_NOTE = "canary-note: met at the union hall"
CANARY_SITE = "Sitecanary gate 4, dawn shift"  # a distribution site: where to wait for members (issue 28)
# a comrade's next step and a conversation note (issue 33): only the comrade's own feed shows the step
CANARY_FOLLOW_UP = "canary-step: bring the leaflet to the back gate"
CANARY_TALK = "canary-talk: afraid of the new supervisor"
CANARIES = (
    CANARY_EMAIL,
    CANARY_PHONE,
    CANARY_PSEUDONYM,
    CANARY_WORKPLACE,
    CANARY_NOTE,
    CANARY_SITE,
    CANARY_FOLLOW_UP,
    CANARY_TALK,
)


def plant_canaries(root: Path) -> Path:
    """Put the canaries into every private field of an organisation copy; the data stays valid."""
    la = root / "collectives" / "los-angeles"
    with (la / "members.toml").open("a", encoding="utf-8") as f:
        f.write(
            f'\n[[member]]\nhandle = "canary"\nlanguages = ["es"]\nemail = "{CANARY_EMAIL}"\n'
            f'phone = "{CANARY_PHONE}"\ninvite = false\n'
        )
    with (la / "relationships.toml").open("a", encoding="utf-8") as f:
        f.write(
            f'\n[[relationship]]\npseudonym = "{CANARY_PSEUDONYM}"\nnature = "co-worker"\nstage = "writer"\n'
            f'comrade = "canary"\nsince = 2026-01-10\nworkplace = "{CANARY_WORKPLACE}"\nnotes = "{CANARY_NOTE}"\n'
            f'assessment = "active"\nnext_step = "{CANARY_FOLLOW_UP}"\nnext_due = 2026-12-01\n\n'
            f'[[relationship.history]]\ndate = 2026-01-10\nstage = "reader"\n\n'
            f'[[relationship.history]]\ndate = 2026-06-10\nstage = "writer"\nnote = "{CANARY_NOTE}"\n\n'
            f'[[relationship.conversation]]\ndate = 2026-11-20\nkind = "visit"\nnote = "{CANARY_TALK}"\n'
        )
    report = la / "reports" / "ic-2026-12.toml"
    if report.is_file():  # some journeys leave that report out, to file it themselves
        with report.open("a", encoding="utf-8") as f:
            f.write(f'\n[[red_flag.distribution]]\nsite = "{CANARY_SITE}"\ncopies = 7\n')
    ic = root / "collectives" / "international-committee"
    with (ic / "members.toml").open("a", encoding="utf-8") as f:
        f.write(f'\n[[member]]\nhandle = "canary-ic"\nemail = "ic.{CANARY_EMAIL}"\nphone = "{CANARY_PHONE}"\n')
    return seal_private(root)  # the example's collectives list recipients: plaintext there is an error


@pytest.fixture(scope="session")
def canary_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The canary organisation, planted and sealed once per test process (sealing costs more than a copy;
    about a thousand tests start from it). Tests never write here: they get a copy (`canary_org`)."""
    root = tmp_path_factory.mktemp("canary-template") / "org"
    shutil.copytree(EXAMPLE / "collectives", root / "collectives")
    copy_trust(EXAMPLE, root)
    with pytest.MonkeyPatch.context() as mp:  # the environment a test has (_fixed_today): session fixtures come first
        mp.setenv("REDFLAG_TODAY", TODAY)
        mp.delenv("REDFLAG_ROOT", raising=False)
        mp.setenv("REDFLAG_FILED_DATES", "file")
        mp.setenv("REDFLAG_IDENTITY", str(DEMO_IDENTITY))
        mp.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
        return plant_canaries(root)


@pytest.fixture
def canary_org(org_copy: Path, canary_template: Path) -> Path:
    """A copy of the example organisation with canary email, phone, pseudonym, workplace and notes planted
    in members.toml and relationships.toml (opted out of invites). No output may show them unless asked.
    Planted over `org_copy` (a test may ask for both: one folder), from the sealed template."""
    shutil.copytree(canary_template, org_copy, dirs_exist_ok=True)
    return org_copy
