"""Distribution sites are private (issue 28): where members hand out the paper is a place to wait for them.

Sealed to the collective's readers, bound to their report and signed; every output shows the copies and
dates, the site only with --include-private and an identity that opens it. The wider canary sweep (every
command, format and language) plants a site too: conftest.CANARY_SITE, tests/test_privacy.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import DEMO_IDENTITY, REPO, unseal_private
from git_helpers import example_repo

from redflag_coord import crypt
from redflag_coord.org.load import load_organisation
from redflag_coord.org.model import Distribution, private_paths
from redflag_coord.org.secrets import SITE, slots

MAIL_SENDER = REPO / "tests" / "keys" / "demo-mail-sender.txt"
LA_NEW = "collectives/los-angeles/reports/ic-2026-12.toml"


def example_sites() -> dict[str, str]:
    """Every distribution site of the example, opened with the DEMO key: file -> site (the needles)."""
    org = load_organisation(REPO)
    from conftest import reveal_demo

    reveal_demo(org)
    found = {f"{s.file}#{s.key}": s.value or "" for s in slots(org) if s.attr == SITE}
    assert len(found) == 14 and all(v and not crypt.is_sealed(v) for v in found.values())
    return found


SITES = example_sites()
KEYLESS = [
    ("agenda", "ic-2026-12", "--include-private", "--format", fmt, "--lang", lang)
    for fmt in ("text", "markdown", "html", "json")
    for lang in ("en", "es", "fr", "hi")
] + [
    ("agenda", "ic-2026-06", "--include-private"),
    ("network", "los-angeles", "--include-private"),
    ("network", "los-angeles", "--include-private", "--format", "json"),
    ("network", "mexico", "--include-private", "--format", "html"),
    ("network", "--format", "json"),
    ("summary", "--format", "json"),
    ("report", "status", "ic-2026-12", "--format", "json"),
    ("minutes", "show", "ic-2026-06", "--format", "json"),
    ("calendar",),
    ("secrets", "show", "los-angeles"),
    ("validate", "--format", "json"),
]


def cli(*args: str, cwd: Path, identity: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The console script, as a member runs it (no REDFLAG_IDENTITY unless given)."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "REDFLAG_IDENTITY"}
    if identity is not None:
        env["REDFLAG_IDENTITY"] = str(identity)
    exe = Path(sys.executable).parent / "redflag-coord"
    return subprocess.run([str(exe), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def leaked_sites(text: str) -> list[str]:
    low = text.casefold()
    return sorted({v for v in SITES.values() if v.casefold() in low})


def test_the_site_is_the_model_s_private_field() -> None:
    assert private_paths(Distribution) == {"site"}


def test_a_clone_holds_no_site_in_plain_text() -> None:
    for path in (REPO / "collectives").rglob("*.toml"):
        assert leaked_sites(path.read_text(encoding="utf-8")) == [], path


@pytest.mark.parametrize("argv", KEYLESS, ids=[" ".join(a) for a in KEYLESS])
def test_keyless_no_site_in_any_output(argv: tuple[str, ...], run, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("REDFLAG_IDENTITY")
    monkeypatch.chdir(REPO)
    result = run(*argv)
    assert "Traceback" not in result.stdout + result.stderr
    assert leaked_sites(result.stdout + result.stderr) == []


def test_mail_sender_key_opens_no_site(run, monkeypatch) -> None:
    """The mail sender reads emails and phones, not relationships: nor where the paper goes."""
    monkeypatch.setenv("REDFLAG_IDENTITY", str(MAIL_SENDER))
    monkeypatch.chdir(REPO)
    for argv in (("agenda", "ic-2026-12", "--include-private", "-f", "json"), ("secrets", "show", "los-angeles")):
        result = run(*argv)
        assert leaked_sites(result.stdout + result.stderr) == [], argv


def test_with_the_key_but_without_include_private_no_site(run, monkeypatch) -> None:
    monkeypatch.chdir(REPO)
    for fmt in ("text", "markdown", "html", "json"):
        result = run("agenda", "ic-2026-12", "-f", fmt)
        assert result.exit_code == 0 and leaked_sites(result.stdout) == [], fmt
    result = run("network", "los-angeles", "--format", "json")
    assert result.exit_code == 0 and leaked_sites(result.stdout) == []


def test_with_the_key_and_include_private_the_sites_show(run, monkeypatch) -> None:
    monkeypatch.chdir(REPO)
    la = {v for k, v in SITES.items() if k.startswith(LA_NEW)}
    assert la == {"garment district factories", "cleaning crews, downtown offices", "small workshops, south LA"}
    for fmt in ("text", "markdown", "html", "json"):
        result = run("agenda", "ic-2026-12", "--include-private", "-f", fmt)
        assert result.exit_code == 0, result.stderr
        assert all(s in result.stdout for s in la), fmt
    result = run("network", "los-angeles", "--include-private", "--format", "json")
    assert result.exit_code == 0 and all(s in result.stdout for s in la)


def _plain_site(root: Path, rel: str, site: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'site = "age:[^"]*"', f'site = "{site}"', text, count=1), encoding="utf-8")


def test_a_plain_site_under_require_fails_validate_without_echoing_it(org_copy: Path) -> None:
    assert tomllib.loads((org_copy / "organisation.toml").read_text())["encryption"]["require"] is True
    _plain_site(org_copy, LA_NEW, "Plainsite behind the depot")
    for identity in (None, DEMO_IDENTITY):
        r = cli("validate", cwd=org_copy, identity=identity)
        assert r.returncode == 1, r.stdout + r.stderr
        line = f"{LA_NEW}:"
        assert any(
            ln.startswith(line) and "error[plaintext-private]: red_flag.distribution[0].site" in ln
            for ln in r.stdout.splitlines()
        ), r.stdout
        assert "Plainsite" not in r.stdout + r.stderr
    r = cli("secrets", "encrypt", "los-angeles", cwd=org_copy, identity=DEMO_IDENTITY)
    assert r.returncode == 0, r.stderr
    assert "Plainsite" not in (org_copy / LA_NEW).read_text(encoding="utf-8")
    r = cli("validate", cwd=org_copy, identity=DEMO_IDENTITY)
    assert r.returncode == 0 and "0 error(s), 0 warning(s)" in r.stdout + r.stderr, r.stdout + r.stderr


def test_a_plain_site_is_refused_by_validate_changed(tmp_path: Path) -> None:
    """The pre-commit hook's check (validate --changed) reads a changed report's sites as validate does."""
    repo = example_repo(tmp_path, drop_reports=None)
    _plain_site(repo.root, LA_NEW, "Plainsite behind the depot")
    r = cli("validate", "--changed", cwd=repo.root)
    assert r.returncode == 1 and "plaintext-private" in r.stdout and "Plainsite" not in r.stdout, r.stdout


def _sealed_sites(path: Path) -> list[str]:
    return re.findall(r'site = "(age:[^"]*)"', path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "source",
    [
        "collectives/los-angeles/reports/ic-2026-06.toml",  # the same collective's last report
        "collectives/mexico/reports/ic-2026-12.toml",  # another collective's
    ],
)
def test_a_site_copied_from_another_report_is_moved(org_copy: Path, source: str, run, monkeypatch) -> None:
    copied = _sealed_sites(org_copy / source)[0]
    path = org_copy / LA_NEW
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'site = "age:[^"]*"', f'site = "{copied}"', text, count=1), encoding="utf-8")
    r = cli("validate", cwd=org_copy, identity=DEMO_IDENTITY)
    assert r.returncode == 1
    assert re.search(
        rf"{re.escape(LA_NEW)}:\d+:\d+: error\[sealed-moved\]: red_flag\.distribution\[0\]\.site", r.stdout
    )
    monkeypatch.chdir(org_copy)  # a moved site is never shown, not even to its reader
    result = run("agenda", "ic-2026-12", "--include-private", "-f", "json")
    assert result.exit_code == 1 and leaked_sites(result.stdout) == []


def test_swapping_two_sites_of_one_report_is_moved(org_copy: Path) -> None:
    path = org_copy / LA_NEW
    a, b, *_ = _sealed_sites(path)
    text = path.read_text(encoding="utf-8").replace(a, "SWAP").replace(b, a).replace("SWAP", b)
    path.write_text(text, encoding="utf-8")
    r = cli("validate", cwd=org_copy, identity=DEMO_IDENTITY)
    assert r.returncode == 1 and r.stdout.count("error[sealed-moved]") == 2, r.stdout


# -- report new: the last report's sites -------------------------------------------------------------


def _new_la(root: Path, identity: Path | None) -> tuple[subprocess.CompletedProcess[str], Path]:
    (root / LA_NEW).unlink()
    return cli("report", "new", "los-angeles", "ic-2026-12", cwd=root, identity=identity), root / LA_NEW


def test_report_new_with_identity_seals_the_sites_for_the_new_report(org_copy: Path) -> None:
    last = {v for k, v in SITES.items() if k.startswith("collectives/los-angeles/reports/ic-2026-06.toml")}
    r, path = _new_la(org_copy, DEMO_IDENTITY)
    assert r.returncode == 0, r.stderr
    text = path.read_text(encoding="utf-8")
    assert leaked_sites(text) == []  # never in plain text on the disk
    sealed = _sealed_sites(path)
    assert len(sealed) == len(last) and all(
        s not in _sealed_sites(org_copy / LA_NEW.replace("12", "06")) for s in sealed
    )
    r = cli("validate", cwd=org_copy, identity=DEMO_IDENTITY)  # bound to the new report, signed by a reader
    assert r.returncode == 0 and "0 error(s), 1 warning(s)" in r.stderr and "draft-report" in r.stdout, r.stdout
    shown = cli("secrets", "show", "los-angeles", cwd=org_copy, identity=DEMO_IDENTITY).stdout
    assert all(f"{LA_NEW}: red_flag.distribution[{i}].site" in shown for i in range(len(last)))
    assert all(s in shown for s in last)


def test_report_new_without_identity_leaves_the_sites_out(org_copy: Path) -> None:
    r, path = _new_la(org_copy, None)
    assert r.returncode == 0, r.stderr
    assert re.search(r"\d+ sites? not carried over", r.stdout) and "--identity" in r.stdout
    text = path.read_text(encoding="utf-8")
    assert "age:" not in text  # no ciphertext bound to the old report
    data = tomllib.loads(text)
    assert all("site" not in d and d["copies"] > 0 for d in data["red_flag"]["distribution"])
    assert text.count("# site = ") == len(data["red_flag"]["distribution"])
    r = cli("validate", cwd=org_copy)
    assert r.returncode == 0, r.stdout + r.stderr


def test_report_new_in_an_organisation_without_keys_keeps_sites_plain(org_copy: Path) -> None:
    """Before encryption is on (no recipients, require = false), a site is carried over as it was."""
    unseal_private(org_copy)
    for p in (org_copy / "collectives").glob("*/collective.toml"):
        p.write_text(re.sub(r"(?m)^recipients = .*\n", "", p.read_text(encoding="utf-8")), encoding="utf-8")
    settings = org_copy / "organisation.toml"
    settings.write_text(settings.read_text().replace("require = true", "require = false"), encoding="utf-8")
    shutil.rmtree(org_copy / "trust")
    org = load_organisation(org_copy)
    assert not any(crypt.is_sealed(s.value) for s in slots(org))
    r, path = _new_la(org_copy, None)
    assert r.returncode == 0, r.stderr
    assert 'site = "garment district factories"' in path.read_text(encoding="utf-8")


def test_a_site_table_after_another_table_is_sealed(tmp_path: Path) -> None:
    """A member adds a site at the end of a report, after [relationships] (an out-of-order table in TOML):
    `secrets encrypt` seals it like any other (tomlkit before 0.15.1 raised reading such a file: exit 70)."""
    root = tmp_path / "org"
    shutil.copytree(REPO / "collectives", root / "collectives")
    shutil.copy(REPO / "organisation.toml", root / "organisation.toml")
    shutil.copytree(REPO / "trust", root / "trust")
    report = root / "collectives/los-angeles/reports/ic-2026-12.toml"
    report.write_text(
        report.read_text(encoding="utf-8") + '\n[[red_flag.distribution]]\nsite = "Late gate"\ncopies = 3\n',
        encoding="utf-8",
    )
    env = {**os.environ, "REDFLAG_IDENTITY": str(DEMO_IDENTITY)}
    bin_ = str(Path(sys.executable).with_name("redflag-coord"))
    done = subprocess.run(
        [bin_, "secrets", "encrypt", "los-angeles", "-C", str(root)], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert "Late gate" not in report.read_text(encoding="utf-8")
    check = subprocess.run([bin_, "validate", str(root)], capture_output=True, text=True, env=env)
    assert check.returncode == 0, check.stdout + check.stderr
