"""A new organisation repository: a committee, one collective, one meeting, CI and editor setup."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from redflag_coord.org.fmt import format_text, kind_of
from redflag_coord.org.schema import SCHEMA_DIR, dumps, schema_file_name, schemas, taplo_config

COMMITTEE = "committee"
COLLECTIVE = "first-collective"
MEETING = "first-meeting"

GITIGNORE = """\
# Reminder messages and other exports hold private data: never commit them.
reminders/
*.eml
*.ics
.venv/
__pycache__/
# Temporary files of a write that was killed (redflag-coord validate reports them).
.*.tmp
"""

WORKFLOW = """\
# Checks every pull request to the data: the files against the data model and
# their cross-references, and the canonical layout. Problems show up as
# annotations on the changed lines.
name: check data
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      # Install redflag-coord from where your organisation keeps it (a pinned version or git URL).
      - run: pip install "redflag-coord==$version"
      - run: redflag-coord validate --format github
      - run: redflag-coord fmt --check --diff
"""


class InitError(Exception):
    pass


@dataclass
class Options:
    timezone: str = "UTC"
    language: str = "en"


def files(options: Options, today: dt.date, version: str) -> dict[str, str]:
    """Repository-relative path -> text of every file of a new organisation."""
    start = dt.datetime.combine(today + dt.timedelta(days=28), dt.time(15, 0))
    tz, lang = options.timezone, options.language
    toml = {
        f"collectives/{COMMITTEE}/collective.toml": f"""\
# The committee convenes the meetings; a committee is a collective too.
name = "Committee"
kind = "committee"
timezone = "{tz}"
languages = ["{lang}"]
""",
        f"collectives/{COMMITTEE}/members.toml": f"""\
# Members are known by handles, never by legal names. email and phone are private:
# they never leave the repository unless asked (--include-private); invite = true
# opts a member in to calendar invitations and reminders by e-mail.

[[member]]
handle = "secretary"
role = "secretary"
languages = ["{lang}"]
""",
        f"collectives/{COMMITTEE}/meetings/{MEETING}.toml": f"""\
# start is the local wall time in `timezone` (an IANA zone name, never an offset).
title = "First meeting"
start = {start.isoformat()}
timezone = "{tz}"
duration_minutes = 120
participants = ["{COLLECTIVE}"]
opens = "{COLLECTIVE}"
reports_due = {(start.date() - dt.timedelta(days=7)).isoformat()}
language = "{lang}"

[[item]]
topic = "Reports from the collectives"
duration_minutes = 60
lead = "{COLLECTIVE}"
kind = "report"

[[item]]
topic = "Discussion"
duration_minutes = 60
kind = "discussion"
""",
        f"collectives/{COLLECTIVE}/collective.toml": f"""\
# Rename the folder to the collective's slug (e.g. 'los-angeles') and fill in the rest.
name = "First collective"
timezone = "{tz}"
languages = ["{lang}"]
""",
        f"collectives/{COLLECTIVE}/members.toml": f"""\
[[member]]
handle = "first-member"
languages = ["{lang}"]
""",
        ".taplo.toml": taplo_config(),
    }
    out = {path: format_text(text, kind_of(path)) for path, text in toml.items()}
    out[".gitignore"] = GITIGNORE
    out[".github/workflows/check.yml"] = WORKFLOW.replace("$version", version)
    for kind, schema in schemas().items():
        out[f"{SCHEMA_DIR}/{schema_file_name(kind)}"] = dumps(schema)
    return out


def init_repository(folder: Path, options: Options, today: dt.date) -> list[str]:
    """Write a new organisation into an empty (or new) folder; returns the paths written."""
    from redflag_coord import __version__
    from redflag_coord.repo.fsio import Batch
    from redflag_coord.tz.zones import check_zone_name

    try:
        check_zone_name(options.timezone)
    except ValueError as e:  # PydanticCustomError is a ValueError
        raise InitError(f"--timezone: {e}") from e
    import re

    from redflag_coord.org.model import LANGUAGE_PATTERN

    if not re.fullmatch(LANGUAGE_PATTERN, options.language):
        raise InitError(f"--language: {options.language!r} is not a language code such as 'en', 'es' or 'fr'")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InitError(f"{folder} is not an empty folder; give a new or empty folder (nothing was written)")
    written = []
    with Batch() as batch:  # a failure (a full disk) removes what was written, so init can be run again
        batch.folder(folder)
        for rel, text in files(options, today, __version__).items():
            batch.write(folder / rel, text.encode("utf-8"))
            written.append(rel)
    return written
