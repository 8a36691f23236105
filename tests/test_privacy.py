"""Privacy and injection: canaries never leave the tool, hostile text never reshapes an output.

Every command output is one entry in OUTPUTS. An entry whose command is not registered yet
(see `redflag-coord --help`) is skipped, so a new command is covered by adding its lines here:

    Output(("agenda", "ic-2026-12", "--format", "md"), "md"),
    Output(("invite", "ic-2026-12", "--output", "{out}"), "ics"),   # {out}: a file the test reads back

The canary data is the `canary_org` fixture in conftest.py (reusable by other tests).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import (
    CANARIES,
    CANARY_EMAIL,
    CANARY_NOTE,
    CANARY_PHONE,
    CANARY_PSEUDONYM,
    CANARY_WORKPLACE,
    copy_trust,
    demo_identities,
    plant_canaries,
    seal_private,
    unseal_private,
)

from redflag_coord.check.privacy import EMAIL, Pseudonyms, looks_like_phone, published_texts
from redflag_coord.check.validate import validate_path


@dataclass(frozen=True)
class Output:
    argv: tuple[str, ...]
    fmt: str = "text"  # text, prose (wrapped text), json, github, md, html, ics: how structure is compared
    codes: tuple[int, ...] = (0,)  # exit codes of a clean run (report status exits 1 for missing reports)

    @property
    def command(self) -> str:
        return self.argv[0]

    @property
    def id(self) -> str:
        return " ".join(self.argv).replace("{out}", "FILE")


OUTPUTS: list[Output] = [
    Output(("validate",), "text"),
    Output(("validate", "--format", "json"), "json"),
    Output(("validate", "--format", "github"), "github"),
    Output(("validate", "--strict"), "text"),
    Output(("summary",), "text"),
    Output(("summary", "--format", "json"), "json"),
    Output(("agenda", "ic-2026-12"), "prose"),
    Output(("agenda", "ic-2026-12", "--format", "markdown"), "md"),
    Output(("agenda", "ic-2026-12", "--format", "html"), "html"),
    Output(("agenda", "ic-2026-12", "--format", "json"), "json"),
    Output(("agenda", "ic-2026-12", "--lang", "es", "--format", "html"), "html"),
    Output(("agenda", "ic-2026-12", "--lang", "fr", "--format", "markdown"), "md"),
    Output(("agenda", "ic-2026-12", "--for", "los-angeles"), "prose"),
    Output(("agenda", "la-study-group", "--format", "html", "--output", "{out}"), "html"),
    Output(("invite", "ic-2026-12"), "ics"),
    Output(("invite", "ic-2026-12", "--method", "cancel"), "ics"),
    Output(("invite", "la-study-group", "--method", "request", "--output", "{out}"), "ics"),
    Output(("calendar",), "ics"),
    Output(("calendar", "los-angeles"), "ics"),
    Output(("network",), "prose"),
    Output(("network", "--format", "json"), "json"),
    Output(("network", "--format", "html"), "html"),
    Output(("network", "los-angeles", "--format", "html"), "html"),
    Output(("slots", "ic-2026-12", "--top", "2"), "prose"),
    Output(("slots", "ic-2026-12", "--top", "2", "--format", "markdown"), "md"),
    Output(("slots", "ic-2026-12", "--top", "2", "--format", "json"), "json"),
    Output(("slots", "ic-2026-12", "--top", "2", "--spread", "--format", "markdown"), "md"),
    Output(("report", "status", "ic-2026-12"), "prose", (1,)),
    Output(("report", "status", "ic-2026-12", "--format", "json"), "json", (1,)),
    Output(("publish", "{out}"), "site"),  # a folder: every file is read
    Output(("publish", "{out}", "--lang", "fr", "--base-url", "https://example.org/ic/"), "site"),
    # the network page with its circles: counts only, and another collective's page with --include-private
    Output(("network", "los-angeles", "--format", "html", "--output", "{out}"), "html"),
    Output(("network", "los-angeles", "--format", "json"), "json"),
    Output(("network", "mexico", "--include-private", "--format", "html"), "html"),
    Output(("network", "mexico", "--include-private", "--format", "json"), "json"),
    Output(("minutes", "show", "ic-2026-06"), "prose"),
    Output(("minutes", "show", "ic-2026-06", "--format", "markdown", "--lang", "es"), "md"),
    Output(("minutes", "show", "ic-2026-06", "--format", "html", "--lang", "fr"), "html"),
    Output(("minutes", "show", "ic-2026-06", "--format", "json"), "json"),
    Output(("commitments",), "prose"),
    Output(("commitments", "--format", "markdown"), "md"),
    Output(("commitments", "--format", "html"), "html"),
    Output(("commitments", "--format", "json"), "json"),
    Output(("commitments", "--format", "ics"), "ics"),
    Output(("agenda", "ic-2026-12", "--for", "honduras", "--format", "markdown"), "md"),
    # another comrade's personal feed (issue 33): the canary comrade's follow-up is not in rosa's
    Output(("calendar", "--for", "rosa"), "ics"),
    Output(("calendar", "los-angeles", "--for", "beto", "--output", "{out}"), "ics"),
]

# Outputs that show private values to someone holding a key, and must show none without one.
KEYLESS_OUTPUTS: list[Output] = [
    *OUTPUTS,
    Output(("agenda", "ic-2026-12", "--include-private"), "prose"),
    Output(("agenda", "ic-2026-12", "--include-private", "--format", "json"), "json"),
    Output(("network", "los-angeles", "--include-private"), "prose"),
    Output(("network", "los-angeles", "--include-private", "--format", "html"), "html"),
    Output(("invite", "ic-2026-12", "--attendees"), "ics"),
    Output(("invite", "ic-2026-12", "--method", "request", "--send"), "text"),
    Output(("report", "remind", "ic-2026-12", "--include-private", "--format", "eml"), "text", (0, 1)),
    Output(("secrets", "show", "los-angeles"), "text"),
    Output(("secrets", "encrypt", "--all"), "text"),
    Output(("calendar", "--for", "canary"), "text", (1,)),  # the comrade's own feed: refused without a key
]


def registered_commands(run) -> set[str]:
    """Command names listed by `redflag-coord --help`."""
    text = run("--help").stdout
    section = text.split("Commands:", 1)[1] if "Commands:" in text else ""
    return {m.group(1) for m in re.finditer(r"^  ([a-z][a-z-]*)\b", section, re.M)}


@pytest.fixture(scope="module")
def registered() -> set[str]:
    """The commands on this branch, asked once per module (a thousand tests ask)."""
    from typer.testing import CliRunner

    from redflag_coord.cli.app import app

    runner = CliRunner()
    return registered_commands(lambda *args: runner.invoke(app, list(args), catch_exceptions=False))


def run_output(run, out: Output, root: Path, tmp_path: Path, monkeypatch) -> tuple[int, str]:
    """Run one output in the organisation at root; returns exit code and everything it produced."""
    monkeypatch.chdir(root)
    target = tmp_path / f"out-{abs(hash(out.id))}"
    if target.is_dir():
        import shutil

        shutil.rmtree(target)
    elif target.exists():
        target.unlink()
    argv = [a.replace("{out}", str(target)) for a in out.argv]
    result = run(*argv)
    produced = result.stdout + result.stderr
    if target.is_dir():  # a published folder: every file, each after a marker line naming it
        for path in sorted(p for p in target.rglob("*") if p.is_file()):
            produced += f"\n==> {path.relative_to(target).as_posix()} <==\n"
            produced += path.read_text(encoding="utf-8", errors="replace")
    elif target.exists():
        produced += target.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in produced
    return result.exit_code, produced


def _views(text: str) -> list[str]:
    """The text as a reader could see it: unfolded (iCalendar), unescaped (HTML, JSON, URLs)."""
    unfolded = text.replace("\r\n ", "").replace("\n ", "").replace("\r\n\t", "")
    views = [text, unfolded, html.unescape(unfolded), urllib.parse.unquote(unfolded)]
    views.append(re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), unfolded))
    views.append(unfolded.replace("\\,", ",").replace("\\;", ";").replace("\\n", "\n"))  # iCalendar TEXT
    return views


def leaked(text: str) -> list[str]:
    found = set()
    for view in _views(text):
        low = view.casefold()
        squeezed = re.sub(r"[\s()\-.]", "", view)
        for canary in CANARIES:
            if canary.casefold() in low:
                found.add(canary)
        if re.sub(r"\D", "", CANARY_PHONE) in re.sub(r"\D", "", squeezed):
            found.add(CANARY_PHONE)
    return sorted(found)


def _need_command(out: Output, registered: set[str]) -> None:
    if out.command not in registered:
        pytest.skip(f"'{out.command}' is not on this branch yet")


# -- canaries --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("out", OUTPUTS, ids=[o.id for o in OUTPUTS])
def test_canaries_never_leave(out: Output, canary_org: Path, run, registered, tmp_path, monkeypatch) -> None:
    _need_command(out, registered)
    code, produced = run_output(run, out, canary_org, tmp_path, monkeypatch)
    assert code in out.codes, produced
    assert leaked(produced) == []


@pytest.mark.parametrize("out", KEYLESS_OUTPUTS, ids=[o.id for o in KEYLESS_OUTPUTS])
def test_canaries_encrypted_never_leave_without_a_key(
    out: Output, canary_org: Path, run, registered, tmp_path, monkeypatch
) -> None:
    """The canaries, encrypted, appear in no file of the organisation and in no output without an identity."""
    _need_command(out, registered)
    for path in canary_org.rglob("*"):
        if path.is_file():
            assert leaked(path.read_text(encoding="utf-8", errors="replace")) == [], path
    monkeypatch.delenv("REDFLAG_IDENTITY")
    code, produced = run_output(run, out, canary_org, tmp_path, monkeypatch)
    assert code in (*out.codes, 1) and "Traceback" not in produced
    folder = canary_org / "reminders"  # report remind writes its messages here
    if folder.is_dir():
        produced += "".join(p.read_text(encoding="utf-8", errors="replace") for p in folder.rglob("*") if p.is_file())
    assert leaked(produced) == []


def test_with_the_key_invite_attendees_carries_the_canary_email(canary_org: Path, run) -> None:
    members = canary_org / "collectives/international-committee/members.toml"
    text = members.read_text(encoding="utf-8")
    members.write_text(text.replace('handle = "canary-ic"', 'handle = "canary-ic"\ninvite = true'), encoding="utf-8")
    r = run("invite", "ic-2026-12", "--attendees", "--root", str(canary_org))
    assert r.exit_code == 0
    assert f"mailto:ic.{CANARY_EMAIL}" in r.stdout.replace("\r\n ", "").replace("\n ", "")


# Private values that are wrong: the problem is reported, the value is not.
BROKEN_PRIVATE = {
    "email-too-long": (
        "collectives/los-angeles/members.toml",
        f'email = "{CANARY_EMAIL}"',
        f'email = "{CANARY_EMAIL}{"x" * 300}"',
    ),
    "phone-wrong-type": (
        "collectives/los-angeles/members.toml",
        f'phone = "{CANARY_PHONE}"',
        f'phone = ["{CANARY_PHONE}"]',
    ),
    "pseudonym-empty-array": (
        "collectives/los-angeles/relationships.toml",
        f'pseudonym = "{CANARY_PSEUDONYM}"',
        f'pseudonym = {{ name = "{CANARY_PSEUDONYM}" }}',
    ),
    "pseudonym-duplicated": (
        "collectives/los-angeles/relationships.toml",
        'pseudonym = "La Overlock"',
        f'pseudonym = "{CANARY_PSEUDONYM}"',
    ),
    "workplace-too-long": (
        "collectives/los-angeles/relationships.toml",
        f'workplace = "{CANARY_WORKPLACE}"',
        f'workplace = "{CANARY_WORKPLACE}{"y" * 300}"',
    ),
    "note-wrong-type": (
        "collectives/los-angeles/relationships.toml",
        f'notes = "{CANARY_NOTE}"',
        f'notes = 5\nnotes_old = "{CANARY_NOTE}"',
    ),
}


@pytest.fixture(scope="module")
def broken_templates(canary_template: Path, tmp_path_factory):
    """Each BROKEN_PRIVATE case's organisation, broken and sealed once per module; a test copies it."""
    made: dict[str, Path] = {}

    def template(case: str) -> Path:
        if case not in made:
            root = tmp_path_factory.mktemp(f"broken-{case}") / "org"
            shutil.copytree(canary_template, root)
            rel, old, new = BROKEN_PRIVATE[case]
            path = root / rel
            text = unseal_private(root) and path.read_text(encoding="utf-8")
            assert old in text
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
            seal_private(root)  # broken values are sealed too (too long, duplicated): opening them finds the fault
            made[case] = root
        return made[case]

    return template


@pytest.mark.parametrize("case", sorted(BROKEN_PRIVATE))
@pytest.mark.parametrize("out", OUTPUTS, ids=[o.id for o in OUTPUTS])
def test_broken_private_values_not_echoed(
    case, out: Output, canary_org: Path, run, registered, broken_templates, tmp_path, monkeypatch
) -> None:
    _need_command(out, registered)
    shutil.copytree(broken_templates(case), canary_org, dirs_exist_ok=True)
    code, produced = run_output(run, out, canary_org, tmp_path, monkeypatch)
    if "in files this command does not read" not in produced:  # a command that does not read it goes on (issue 14)
        assert code == 1, produced
        assert re.search(r"collectives/los-angeles/\S+\.toml", produced), "the problem names its file"
    assert leaked(produced) == []


# -- the private-text warning ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "write to rosa@example.org",
        "Contact: a.b+c@mail.co.uk",
        "Call +503 7012 3456",
        "call (213) 555-0199",
        "WhatsApp 0052 55 1234 5678",
        "number 5550199123",
        "tel 213.555.0199",
    ],
)
def test_private_text_detected(text: str) -> None:
    assert EMAIL.search(text) or looks_like_phone(text)


@pytest.mark.parametrize(
    "text",
    [
        "Meeting on 2026-12-12 at 07:00",
        "350 copies at the gate, 60 downtown",
        "from 2024 to 2026",
        "hours 18:00-22:00",
        "ic-2026-12 follows ic-2026-06",
        "@rosa will report",
        "1,200 readers",
        "version 1.2.3",
        "Room 101",
    ],
)
def test_ordinary_text_not_flagged(text: str) -> None:
    assert not EMAIL.search(text) and not looks_like_phone(text)


def test_example_published_text_is_clean(example_root: Path) -> None:
    outcome = validate_path(example_root)
    assert not [p for p in outcome.problems if p.code == "private-text"]
    assert sum(1 for _ in published_texts(outcome.org)) > 30


def test_pseudonym_found_case_insensitively_as_a_word(canary_org: Path) -> None:
    org = validate_path(canary_org, identities=demo_identities()).org
    found = Pseudonyms(org)
    assert (
        found.find(f"we met {CANARY_PSEUDONYM.upper()} today")
        == "relationship[6] in collectives/los-angeles/relationships.toml"
    )
    assert found.find("Hondureño asked for news") is not None
    assert found.find("news from Honduras") is None  # 'Honduras' is not the pseudonym 'Hondureño'
    assert found.find(f"X{CANARY_PSEUDONYM}Y") is None


@pytest.mark.parametrize(
    "field,old,new",
    [
        (
            "collectives/international-committee/meetings/ic-2026-12.toml",
            'topic = "Break"',
            f'topic = "Break; call {CANARY_PHONE}"',
        ),
        (
            "collectives/international-committee/meetings/ic-2026-12.toml",
            "duration_minutes = 10",
            f'duration_minutes = 10\nnotes = "ask {CANARY_EMAIL}"',
        ),
        (
            "collectives/los-angeles/reports/ic-2026-12.toml",
            "There is consistency",
            f"{CANARY_PSEUDONYM} says there is consistency",
        ),
        (
            "collectives/los-angeles/reports/ic-2026-12.toml",
            'text = "Help write',
            f'text = "Ask {CANARY_PSEUDONYM} to help write',
        ),
        (
            "collectives/los-angeles/reports/ic-2026-12.toml",
            'title = "Communist internationalism',
            f'title = "{CANARY_EMAIL}: Communist internationalism',
        ),
    ],
)
def test_private_text_error_names_file_line_key_not_value(field, old, new, canary_org: Path, run, monkeypatch) -> None:
    path = canary_org / field
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run("validate", str(canary_org), "--strict")
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if "private-text" in line]
    assert len(lines) == 1, result.stdout
    assert re.match(rf"^{re.escape(field)}:\d+:\d+: error\[private-text\]: [a-z_]+(\[\d+\]\.[a-z_]+)?: ", lines[0])
    assert leaked(result.stdout + result.stderr) == []
    # published text: an error, so validate (and every hook and CI job that runs it) fails without --strict
    assert run("validate", str(canary_org)).exit_code == 1


@pytest.mark.parametrize(
    "text,what",
    [
        (f"La compañera {CANARY_PSEUDONYM} trajo a dos cortadoras.", "pseudonym"),
        (f"Escriban a {CANARY_EMAIL.replace('@', ' (at) ')} para recibir el periódico.", "email"),
        (f"Llamen al {CANARY_PHONE}.", "phone"),
    ],
)
def test_private_text_in_an_article_text_is_an_error_naming_its_line(text, what, canary_org: Path, run) -> None:
    """An article's Markdown text is what Red Flag prints: a contact named there is named in the paper."""
    rel = "collectives/el-salvador/articles/maquilas.es.md"
    path = canary_org / rel
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines[:3], text, *lines[3:]]) + "\n", encoding="utf-8")
    result = run("validate", str(canary_org))
    assert result.exit_code == 1
    found = [line for line in result.stdout.splitlines() if "private-text" in line]
    assert found == [found[0]] and found[0].startswith(f"{rel}:4:1: error[private-text]: "), result.stdout
    assert what in found[0] and "Red Flag" in found[0]
    assert leaked(result.stdout + result.stderr) == []  # the message never repeats what it found
    # the translation is read as well
    (canary_org / rel).write_text("\n".join(lines) + "\n", encoding="utf-8")
    hindi = canary_org / "collectives/el-salvador/articles/maquilas.hi.md"
    hindi.write_text(hindi.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")
    again = run("validate", str(canary_org))
    assert again.exit_code == 1 and "articles/maquilas.hi.md:" in again.stdout


# -- injection --------------------------------------------------------------------------------------------

# Text that tries to reach the terminal, the CI log or the structure of an export.
CONTROL_PAYLOADS = {
    "terminal-escape": "Meeting \x1b[2J\x1b]0;owned\x07 now",
    "c1-csi": "Meeting \x9b31m red",
    "bidi-override": "Meeting \u202egnitteem\u202c",
    "workflow-command": "Meeting\n::error file=x::forged",
    "ical-break": "Meeting\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:forged",
    "carriage-return": "Meeting\rforged",
}
PRINTABLE_PAYLOADS = {
    "html-script": "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "markdown-table": "a | b | c\\|d ||",
    "markdown-heading": "# Forged heading *and* [link](javascript:alert(1))",
    "ical-props": "SUMMARY:forged;ATTENDEE=mailto:x; END:VEVENT",
    "workflow-inline": "::error file=x::not at a line start",
    "json-breaker": '"}], "forged": [{"',
}
# Where hostile text goes: (file, old TOML text, template with {v} for the TOML string).
TARGETS = [
    (
        "collectives/international-committee/meetings/ic-2026-12.toml",
        'title = "International Committee: developing communist mass leaders amidst growing fascism"',
        "title = {v}",
    ),
    ("collectives/international-committee/meetings/ic-2026-12.toml", 'topic = "Mexico and other areas"', "topic = {v}"),
    (
        "collectives/international-committee/meetings/ic-2026-12.toml",
        'location = "Online; each collective receives the link beforehand"',
        "location = {v}",
    ),
    ("collectives/los-angeles/collective.toml", 'name = "Los Angeles"', "name = {v}"),
    (
        "collectives/los-angeles/reports/ic-2026-12.toml",
        'text = "Help write an article from time to time about the struggles in Honduras, '
        'for the next edition of Red Flag."',
        "text = {v}",
    ),
    (
        "collectives/international-committee/minutes/ic-2026-06.toml",
        'text = "Translate the maquilas article into Hindi for a Red Flag edition in Delhi."',
        "text = {v}",
    ),
    (
        "collectives/international-committee/minutes/ic-2026-06.toml",
        'note = "Published in the August edition of Red Flag."',
        "note = {v}",
    ),
    (
        "collectives/international-committee/minutes/ic-2026-06.toml",
        'text = "Every collective counts its relationships by stage and by nature in each report."',
        "text = {v}",
    ),
]


def _toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a TOML basic string (\uXXXX escapes included)


def _inject(root: Path, value: str) -> None:
    for rel, old, template in TARGETS:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, template.format(v=_toml_string(value)), 1), encoding="utf-8")


_RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _shape(value):
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return type(value).__name__


def structure(fmt: str, text: str):
    """What must not change when a value changes: per format."""
    if fmt == "json":
        return _shape(json.loads(text))
    if fmt == "site":  # a published folder: each file by its own format
        parts = re.split(r"\n==> (\S+) <==\n", text)
        kinds = {".html": "html", ".ics": "ics"}
        return [
            (name, structure(kinds.get(Path(name).suffix, "text"), body))
            for name, body in zip(parts[1::2], parts[2::2])
        ]
    lines = text.splitlines()
    if fmt == "github":
        return [re.match(r"^::(error|warning) [^:]*::", line) is not None for line in lines]
    if fmt == "md":
        return [len(re.findall(r"(?<!\\)\|", line)) for line in lines]
    if fmt == "html":
        return sorted(re.findall(r"<\s*([a-zA-Z]+)", text))
    if fmt == "ics":
        unfolded = re.sub(r"\r?\n[ \t]", "", text)  # the CLI runner may hand back LF line ends
        return [line.split(":", 1)[0].split(";", 1)[0] for line in unfolded.splitlines()]
    if fmt == "prose":  # wrapped text: lines come and go with the length of values; rules do not
        return sum(bool(re.fullmatch(r"\s*[-=]+(\s+-+)*\s*", line)) for line in lines)
    return len(lines)


@pytest.mark.parametrize("payload", sorted(CONTROL_PAYLOADS))
@pytest.mark.parametrize("out", OUTPUTS, ids=[o.id for o in OUTPUTS])
def test_control_characters_rejected_and_escaped(
    payload, out: Output, org_copy: Path, run, registered, tmp_path, monkeypatch
) -> None:
    _need_command(out, registered)
    _inject(org_copy, CONTROL_PAYLOADS[payload])
    code, produced = run_output(run, out, org_copy, tmp_path, monkeypatch)
    assert code == 1, "control characters in the data are an error for every command"
    assert not _RAW_CONTROL.search(produced), "a raw control character reached the output"
    assert "::error file=x" not in produced.replace("\\x0a::error", "")  # never at a line start
    for line in produced.splitlines():
        assert not line.startswith("::error file=x")


@pytest.mark.parametrize("payload", sorted(PRINTABLE_PAYLOADS))
@pytest.mark.parametrize("out", OUTPUTS, ids=[o.id for o in OUTPUTS])
def test_printable_payloads_keep_the_structure(
    payload, out: Output, org_copy: Path, tmp_path: Path, run, registered, monkeypatch
) -> None:
    _need_command(out, registered)
    baseline_root = tmp_path / "baseline"
    baseline_root.mkdir()
    import shutil

    shutil.copytree(org_copy / "collectives", baseline_root / "collectives")
    copy_trust(org_copy, baseline_root)  # the same readers and approvals (issue 28)
    _inject(baseline_root, "Plain text")
    _inject(org_copy, PRINTABLE_PAYLOADS[payload])
    code0, before = run_output(run, out, baseline_root, tmp_path, monkeypatch)
    code1, after = run_output(run, out, org_copy, tmp_path, monkeypatch)
    assert code1 == code0
    assert not _RAW_CONTROL.search(after)
    if out.fmt == "json" and not after.strip().startswith(("[", "{")):
        pytest.fail("JSON output is not JSON")
    stdout_only = [o for o in (before, after)]
    assert structure(out.fmt, _stdout_part(stdout_only[1], out)) == structure(
        out.fmt, _stdout_part(stdout_only[0], out)
    )


def _stdout_part(produced: str, out: Output) -> str:
    """validate/summary print a count line on stderr after stdout; compare the data part only."""
    lines = [line for line in produced.splitlines() if not re.match(r"^\d+ error\(s\), \d+ warning\(s\)", line)]
    return "\n".join(lines)


def test_problem_renderers_escape_every_field() -> None:
    from redflag_coord.org.problems import Problem, render_github, render_json, render_text

    nasty = "a\x1b[31m\nb\u202e\r\x9b"
    p = Problem(f"collectives/{nasty}.toml", "bad-slug", f"message {nasty}", key=(nasty, 0))
    for render in (render_text, render_github):
        out = render([p])
        assert "\n" not in out and not _RAW_CONTROL.search(out), render.__name__
    out = render_json([p])
    assert not _RAW_CONTROL.search(out)
    assert json.loads(out)[0]["message"] == f"message {nasty}"  # JSON keeps the exact value, escaped


def test_registered_commands_detects_this_branch(registered) -> None:
    assert {"validate", "summary"} <= registered


def test_canary_fixture_is_valid_and_planted(canary_org: Path) -> None:
    outcome = validate_path(canary_org, identities=demo_identities())
    assert outcome.errors == 0 and outcome.warnings == 0, outcome.problems
    text = "".join(p.read_text(encoding="utf-8") for p in (canary_org / "collectives").rglob("*.toml"))
    assert not any(c in text for c in CANARIES)  # planted, then encrypted
    unseal_private(canary_org)
    text = "".join(p.read_text(encoding="utf-8") for p in (canary_org / "collectives").rglob("*.toml"))
    assert all(c in text for c in CANARIES)


def test_plant_canaries_is_reusable(tmp_path: Path, example_root: Path) -> None:
    import shutil

    shutil.copytree(example_root / "collectives", tmp_path / "collectives")
    plant_canaries(tmp_path)
    unseal_private(tmp_path)
    assert CANARY_EMAIL in (tmp_path / "collectives/los-angeles/members.toml").read_text(encoding="utf-8")
    assert CANARY_PSEUDONYM in (tmp_path / "collectives/los-angeles/relationships.toml").read_text(encoding="utf-8")
