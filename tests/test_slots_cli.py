"""`redflag-coord slots`: output formats, the golden Markdown vote, bad input, and hour checks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden" / "slots"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("REDFLAG_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"differs from {path}; REDFLAG_UPDATE_GOLDEN=1 to regenerate"


def test_markdown_vote_for_the_example_meeting(run, example_root):
    result = run("slots", "ic-2026-12", "--root", str(example_root), "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    check_golden("ic-2026-12.md", result.stdout)


def test_markdown_across_a_clock_change(run, example_root, monkeypatch):
    monkeypatch.setenv("REDFLAG_NOW", "2026-10-01T00:00:00Z")  # a range in the past has no candidates
    result = run(
        "slots",
        "ic-2026-12",
        "--root",
        str(example_root),
        "--format",
        "markdown",
        "--since",
        "2026-10-20",
        "--to",
        "2026-11-03",
        "--top",
        "3",
    )
    assert result.exit_code == 0, result.stderr
    check_golden("ic-2026-12-october.md", result.stdout)
    assert "clocks change in Europe/Paris (france) on Sun 2026-10-25" in result.stdout


def test_text_output(run, example_root):
    result = run(
        "slots",
        "--collectives",
        "india,mexico",
        "--root",
        str(example_root),
        "--since",
        "2026-12-01",
        "--days",
        "7",
        "--length",
        "1h30m",
        "--top",
        "2",
    )
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "1h30m long; start times every 15 minutes from 2026-12-01 to 2026-12-07 (UTC dates): 672 ranked" in out
    assert out.count("Asia/Kolkata") == 2 and "UTC+05:30" in out and "America/Mexico_City  UTC-06:00" in out
    assert "1. " in out and "2. " in out and "3. " not in out


def test_json_output_and_privacy(run, example_root):
    result = run("slots", "ic-2026-12", "--root", str(example_root), "--format", "json", "--step", "1h", "--top", "4")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["meeting"] == "ic-2026-12" and data["length_minutes"] == 180 and data["step_minutes"] == 60
    # from the day after reports are due (Dec 5 in Los Angeles = Dec 6 08:00 UTC) to Dec 12 + 14 days
    assert data["considered"] == 16 + 20 * 24
    assert [c["rank"] for c in data["candidates"]] == [1, 2, 3, 4]
    assert {p["slug"]: p["members"] for p in data["participants"]}["los-angeles"] == 5
    assert {p["slug"]: p["members"] for p in data["participants"]}["honduras"] == 1  # no members.toml
    first = data["candidates"][0]
    assert sum(first["members"].values()) == sum(p["members"] for p in data["participants"])
    for secret in ("@example.org", "rosa", "thabo", "+27"):
        assert secret not in result.stdout


def test_output_file_is_not_overwritten(run, example_root, tmp_path):
    out = tmp_path / "vote.md"
    args = ("slots", "ic-2026-12", "--root", str(example_root), "-f", "markdown", "-o", str(out))
    assert run(*args).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("## Meeting times for `ic-2026-12`")
    again = run(*args)
    assert again.exit_code == 2 and "--force" in again.stderr
    assert run(*args, "--force").exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--collectives", "india,mexcio"), "no collective 'mexcio'; did you mean 'mexico'?"),
        (("--collectives", ","), "--collectives is empty"),
        (("ic-2026-13",), "no meeting 'ic-2026-13'; did you mean"),
        ((), "give a meeting id or --collectives"),
        (("ic-2026-12", "--length", "2h75m"), "'--length': '2h75m' is not a duration"),
        (("ic-2026-12", "--length", "0"), "'--length': '0': give a duration from 1m to 24h"),
        (("ic-2026-12", "--step", "abc"), "'--step': 'abc' is not a duration; write 90 (minutes), 90m, 2h or 1h30m"),
        (("ic-2026-12", "--since", "2026-12-20", "--to", "2026-12-01"), "the range is reversed"),
        (("ic-2026-12", "--since", "2026-13-01"), "--since: '2026-13-01' is not a date"),
        (("ic-2026-12", "--from", "2026-12-01"), "No such option: --from; write --since"),
        (("ic-2026-12", "-l", "90"), "No such option: -l; write --length"),
        (("ic-2026-12", "--to", "2027-01-01", "--days", "3"), "give --to or --days, not both"),
        (("ic-2026-12", "--days", "1000"), "look at most 366 days"),
        (("ic-2026-12", "--top", "0"), "--top must be at least 1, not 0"),
    ],
)
def test_bad_input_is_a_usage_error(run, example_root, args, message):
    result = run("slots", *args, "--root", str(example_root))
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_data_stops_with_the_problem(run, org_copy):
    path = org_copy / "collectives" / "india" / "collective.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('"19:00-22:30"', '"22:30-19:00"'), encoding="utf-8")
    result = run("slots", "ic-2026-12", "--root", str(org_copy))
    assert result.exit_code == 1
    assert "collectives/india/collective.toml:14:" in result.stderr and "bad-hours" in result.stderr


def test_validate_checks_hours(run, org_copy):
    path = org_copy / "collectives" / "mexico" / "collective.toml"
    text = path.read_text(encoding="utf-8").replace(
        'weekdays = ["18:00-22:00"]', 'weekdays = ["18:00-22:00", "21:00-23:00", "23:00-24:30"]'
    )
    path.write_text(text + '\n[availability.poor]\nsunday = ["20:00-08:00"]\n', encoding="utf-8")
    result = run("validate", str(org_copy))
    assert result.exit_code == 1
    out = result.stdout
    assert "warning[overlapping-hours]: availability.weekdays[1]: '21:00-23:00' overlaps '18:00-22:00'" in out
    assert "error[bad-hours]: availability.weekdays[2]: '23:00-24:30': a day ends at 24:00" in out
    assert "error[bad-hours]: availability.poor.sunday[0]: '20:00-08:00' does not start before it ends" in out


def test_good_and_poor_bands_from_collective_toml(run, org_copy):
    path = org_copy / "collectives" / "france" / "collective.toml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + """
[availability]
weekdays = ["18:00-22:00"]
saturday = ["08:00-20:00"]
sunday = ["08:00-20:00"]
avoid = [2026-12-24]
[availability.good]
sunday = ["10:00-14:00"]
[availability.poor]
weekdays = ["06:00-08:00"]
""",
        encoding="utf-8",
    )
    assert run("validate", str(org_copy)).exit_code == 0
    result = run(
        "slots",
        "ic-2026-12",
        "--collectives",
        "france",
        "--root",
        str(org_copy),
        "--format",
        "json",
        "--since",
        "2026-12-14",
        "--days",
        "7",
        "--length",
        "2h",
        "--top",
        "1",
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [p["slug"] for p in data["participants"]] == ["france"]
    assert data["length_minutes"] == 120  # --length wins over the meeting's 180 minutes
    best = data["candidates"][0]
    assert best["members"]["good"] == 1
    assert best["local"][0]["weekday"] == "Sunday" and "10:00" <= best["local"][0]["start"][11:] <= "12:00"
