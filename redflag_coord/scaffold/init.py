"""A new organisation repository: a committee, one collective, one meeting, CI and editor setup."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from redflag_coord.edit.fmt import format_text, kind_of
from redflag_coord.errors import RedflagError
from redflag_coord.org.schema import SCHEMA_DIR, dumps, schema_file_name, schemas, taplo_config

COMMITTEE = "committee"
COLLECTIVE = "first-collective"
MEETING = "first-meeting"

GITIGNORE = """\
# Reminder messages and exports written here (an invite may list attendees' addresses): never commit them.
reminders/
*.eml
/*.ics
# Not ignored: the feeds in a folder written by `redflag-coord publish` (e.g. docs/feeds/*.ics),
# which hold no private field and are meant to be committed and served with the site.
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
      # Install redflag-coord from where your organisation keeps it (`redflag-coord init --install-spec`).
      - run: pip install "$spec"
      - run: redflag-coord validate --format github
      - run: redflag-coord fmt --check --diff
"""


SETTINGS = """\
# Settings every command reads; a command-line flag overrides them.

[calendar]
# Makes event UIDs unique (MEETING@DOMAIN) and is the organisers' mail domain: use one you own.
# While it is a reserved .invalid domain, replies to invitations go nowhere ('invite' warns).
domain = "redflag-coord.invalid"
# organiser = "committee@example.org"    # where replies go (default: CONVENER@domain)
# [calendar.organisers]                  # per convening collective
# committee = "secretary@example.org"

[mail]
# The SMTP server 'invite --send' and 'report remind --send' use. The password is
# read only from the environment (REDFLAG_SMTP_PASSWORD), never from a file.
host = "127.0.0.1"
port = 25
tls = "starttls"                         # starttls (when offered), tls (port 465) or none
# user = "secretary"
# from = "secretary@example.org"

[defaults]
language = "$lang"
reports_due_days = 7                     # reports are due this many days before a new meeting
"""


class InitError(RedflagError):
    """`init` cannot make the repository here (a folder that is not empty, a bad zone or language)."""

    usage = True


class LocalSpecError(RedflagError):
    """The workflow would install redflag-coord from this machine's disk, which a forge's runner cannot read."""


def is_local_spec(spec: str) -> bool:
    """Whether a pip requirement names a path on this machine (a file: URL, git over file:, or a path)."""
    target = spec.split(" @ ", 1)[-1].strip()
    return "file:" in target or target.startswith(("/", "./", "../", "~", ".")) or target in (".", "..")


@dataclass
class Options:
    timezone: str = "UTC"
    language: str = "en"
    install_spec: str | None = None  # what CI gives to `pip install`; default: install_source()
    allow_local_spec: bool = False  # write a spec a forge's runner cannot reach (a path on this machine)


def install_source(version: str) -> tuple[str, bool]:
    """A pip requirement for the running redflag-coord, and whether it is known to exist.

    From the installation's own record (PEP 610 direct_url.json): a git URL (pinned to the commit) or
    a local path. Installed from a package index: the version there, which may not be published.
    """
    import json
    from importlib import metadata

    # every record of the name (a source checkout may also hold a bare .egg-info): the first with an origin
    found = (d.read_text("direct_url.json") for d in metadata.distributions(name="redflag-coord"))
    record = next((r for r in found if r), None)
    info = json.loads(record) if record else {}
    url = info.get("url", "")
    vcs = info.get("vcs_info") or {}
    if vcs.get("vcs") == "git" and url:
        commit = vcs.get("commit_id") or vcs.get("requested_revision")
        return f"redflag-coord @ git+{url}{'@' + commit if commit else ''}", True
    if url.startswith("file://"):
        return f"redflag-coord @ {url}", True
    return f"redflag-coord=={version}", False


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
    out["organisation.toml"] = SETTINGS.replace("$lang", lang)  # as written: its commented-out examples stay put

    out[".gitignore"] = GITIGNORE
    spec = options.install_spec or install_source(version)[0]
    out[".github/workflows/check.yml"] = WORKFLOW.replace("$spec", spec.replace('"', ""))
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
    spec = options.install_spec or install_source(__version__)[0]
    if is_local_spec(spec) and not options.allow_local_spec:
        raise LocalSpecError(
            f"the CI workflow would install redflag-coord from {spec!r}, a path on this machine that a forge's "
            "runner cannot reach; give --install-spec 'redflag-coord @ git+https://HOST/ORG/redflag-coord@v0.4.0' "
            "(or a version your package index has), or --allow-local-spec if the runner shares this disk "
            "(nothing was written)"
        )
    written = []
    with Batch() as batch:  # a failure (a full disk) removes what was written, so init can be run again
        batch.folder(folder)
        for rel, text in files(options, today, __version__).items():
            batch.write(folder / rel, text.encode("utf-8"))
            written.append(rel)
    return written
