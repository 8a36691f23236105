"""A new organisation repository: a committee, one collective, one meeting, CI and editor setup,
and encryption on from the start (issue 28).

The first key (made here, or an existing one) reads both collectives `init` writes; its identity is
written outside the repository, and its holder signs the first approval of who reads (trust/<slug>.toml),
so the new organisation validates clean and the first `secrets encrypt` seals and signs. Without
encryption (`--no-encryption`, explicit) `require = false` is written and `validate` warns on each
plain private value.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from redflag_coord.crypt.kinds import Identities
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
# Secret keys (identities) belong outside the repository (redflag-coord init and secrets keygen write them
# under ~/.config/redflag-coord/); these names keep one put here by mistake out of every commit.
# validate fails on a secret key in any committed file or in the history, whatever its name.
identity*.txt
*.identity
*.agekey
key.txt
keys.txt
id_ed25519*
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
      # Without any key, on purpose: these checks need none (sealed values, who reads, secret keys in the
      # history), and a runner is no place for an identity: never give CI one (no REDFLAG_IDENTITY secret).
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

ENCRYPTION_ON = """
[encryption]
# Emails, phones, pseudonyms, workplaces and notes are sealed to each collective's recipients
# (recipients = [...] in its collective.toml, approved in trust/): plain text is an error.
# mail_senders = ["age1…"]               # who sends invitations: also reads every email and phone
require = true
"""

ENCRYPTION_OFF = """
[encryption]
# Encryption is off (init --no-encryption): private values are plain text that every clone reads,
# and validate warns on each. To turn it on: docs/privacy.md, Private values encrypted at rest.
require = false
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
class Keys:
    """How encryption starts: a new key (the default), existing ones, or none (`on` false)."""

    on: bool = True
    recipients: tuple[str, ...] = ()  # existing public keys ('age1…'), read by both collectives
    identity: Path | None = None  # an existing identity: its recipient reads, and it signs the first approvals
    identity_out: Path | None = None  # where a new identity goes; default: default_identity(folder)
    passphrase: bool = False  # protect the new identity (asked, or REDFLAG_PASSPHRASE_COMMAND)


@dataclass
class Options:
    timezone: str = "UTC"
    language: str = "en"
    install_spec: str | None = None  # what CI gives to `pip install`; default: install_source()
    allow_local_spec: bool = False  # write a spec a forge's runner cannot reach (a path on this machine)
    keys: Keys = field(default_factory=Keys)


@dataclass
class Made:
    """What init wrote: the repository's files, and where the first key is."""

    written: list[str]
    recipients: tuple[str, ...] = ()  # who reads both collectives ((): encryption off)
    identity: Path | None = None  # the identity file written or given (None: only --recipient)
    new_identity: bool = False  # written by this init (its holder must back it up)
    protected: bool = False
    approved: list[str] = field(default_factory=list)  # trust files signed


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


def _words(lang: str) -> dict[str, str]:
    """The names and topics init writes, as TOML strings in the organisation's language (its catalog, by the
    one language rule; English when there is none): an organisation in Spanish starts with "Primera reunión"."""
    from redflag_coord.i18n.labels import Labels, available, choose

    t = Labels(choose([lang], available()))
    keys = ("committee", "first_collective", "first_meeting", "reports_topic", "discussion_topic")
    return {key: json.dumps(t(f"scaffold.{key}"), ensure_ascii=False) for key in keys}


def files(options: Options, today: dt.date, version: str, recipients: tuple[str, ...] = ()) -> dict[str, str]:
    """Repository-relative path -> text of every file of a new organisation (`recipients`: who reads both
    collectives; none with encryption off)."""
    start = dt.datetime.combine(today + dt.timedelta(days=28), dt.time(15, 0))
    tz, lang = options.timezone, options.language
    words = _words(lang)
    readers = f"recipients = {json.dumps(list(recipients))}\n" if recipients else ""
    toml = {
        f"collectives/{COMMITTEE}/collective.toml": f"""\
# The committee convenes the meetings; a committee is a collective too.
name = {words["committee"]}
kind = "committee"
timezone = "{tz}"
languages = ["{lang}"]
{readers}""",
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
title = {words["first_meeting"]}
start = {start.isoformat()}
timezone = "{tz}"
duration_minutes = 120
participants = ["{COLLECTIVE}"]
opens = "{COLLECTIVE}"
reports_due = {(start.date() - dt.timedelta(days=7)).isoformat()}
language = "{lang}"

[[item]]
topic = {words["reports_topic"]}
duration_minutes = 60
lead = "{COLLECTIVE}"
kind = "report"

[[item]]
topic = {words["discussion_topic"]}
duration_minutes = 60
kind = "discussion"
""",
        f"collectives/{COLLECTIVE}/collective.toml": f"""\
# Rename it to the collective's slug before adding private values (each is sealed to its place):
# 'redflag-coord rename collective {COLLECTIVE} los-angeles', 'redflag-coord secrets approve los-angeles',
# 'git rm trust/{COLLECTIVE}.toml'; then fill in the rest. recipients: the public keys that read its
# private values; a change needs a reader's approval ('redflag-coord secrets approve').
name = {words["first_collective"]}
timezone = "{tz}"
languages = ["{lang}"]
{readers}""",
        f"collectives/{COLLECTIVE}/members.toml": f"""\
[[member]]
handle = "first-member"
languages = ["{lang}"]
""",
        ".taplo.toml": taplo_config(),
    }
    out = {path: format_text(text, kind_of(path)) for path, text in toml.items()}
    settings = SETTINGS.replace("$lang", lang) + (ENCRYPTION_ON if options.keys.on else ENCRYPTION_OFF)
    out["organisation.toml"] = settings  # as written: its commented-out examples stay put

    out[".gitignore"] = GITIGNORE
    spec = options.install_spec or install_source(version)[0]
    out[".github/workflows/check.yml"] = WORKFLOW.replace("$spec", spec.replace('"', ""))
    for kind, schema in schemas().items():
        out[f"{SCHEMA_DIR}/{schema_file_name(kind)}"] = dumps(schema)
    return out


def init_repository(folder: Path, options: Options, today: dt.date) -> Made:
    """Write a new organisation into an empty (or new) folder, with its first key; returns what was written."""
    from redflag_coord import __version__
    from redflag_coord.repo.fsio import Batch

    _check_options(folder, options)
    spec = options.install_spec or install_source(__version__)[0]
    if is_local_spec(spec) and not options.allow_local_spec:
        raise LocalSpecError(
            f"the CI workflow would install redflag-coord from {spec!r}, a path on this machine that a forge's "
            "runner cannot reach; give --install-spec 'redflag-coord @ git+https://HOST/ORG/redflag-coord@v0.4.0' "
            "(or a version your package index has), or --allow-local-spec if the runner shares this disk "
            "(nothing was written)"
        )
    made, signer = _first_key(folder, options.keys)  # everything checked before the first file is written
    try:
        with Batch() as batch:  # a failure (a full disk) removes what was written, so init can be run again
            batch.folder(folder)
            for rel, text in files(options, today, __version__, made.recipients).items():
                batch.write(folder / rel, text.encode("utf-8"))
                made.written.append(rel)
            if signer is not None:
                for rel, data in _first_approvals(folder, signer):
                    batch.write(folder / rel, data)
                    made.written.append(rel)
                    made.approved.append(rel)
    except BaseException:
        if made.new_identity and made.identity is not None:
            made.identity.unlink(missing_ok=True)  # it would read nothing: no stray secret left behind
        raise
    return made


def _check_options(folder: Path, options: Options) -> None:
    import re

    from redflag_coord.org.model import LANGUAGE_PATTERN
    from redflag_coord.tz.zones import check_zone_name

    try:
        check_zone_name(options.timezone)
    except ValueError as e:  # PydanticCustomError is a ValueError
        raise InitError(f"--timezone: {e}") from e
    if not re.fullmatch(LANGUAGE_PATTERN, options.language):
        raise InitError(f"--language: {options.language!r} is not a language code such as 'en', 'es' or 'fr'")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InitError(f"{folder} is not an empty folder; give a new or empty folder (nothing was written)")


# -- the first key ------------------------------------------------------------------------------------


def default_identity(folder: Path) -> Path:
    """Where init writes a new identity: the user's configuration folder, named after the organisation."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "redflag-coord" / f"identity-{folder.absolute().name or 'organisation'}.txt"


def _inside(path: Path, folder: Path) -> Path | None:
    """The repository `path` would be in: the new one, or any other (a .git or collectives/ above it)."""
    where = path.absolute().resolve()
    new = folder.absolute().resolve()
    if where == new or where.is_relative_to(new):
        return folder
    for above in where.parents:
        if (above / ".git").exists() or (above / "collectives").is_dir():
            return above
    return None


def _first_key(folder: Path, keys: Keys) -> tuple[Made, Identities | None]:
    """Made (recipients, identity) and the identity that signs the first approvals; writes only a new identity."""
    from redflag_coord import crypt
    from redflag_coord.crypt.identity import DEMO_RECIPIENTS, new_passphrase, read_file

    made = Made([])
    if not keys.on:
        if keys.recipients or keys.identity or keys.identity_out or keys.passphrase:
            raise InitError("--no-encryption takes no key: drop --recipient, --identity, --identity-out, --passphrase")
        return made, None
    readers: list[str] = []
    for r in keys.recipients:
        try:
            crypt.parse_recipient(r)
        except crypt.CryptError as e:
            raise InitError(f"--recipient {r!r}: {e}") from None
        if crypt.normal_recipient(r) in DEMO_RECIPIENTS:
            raise InitError(f"--recipient {r!r} is a published DEMO key: everyone could read what is sealed to it")
        readers.append(crypt.normal_recipient(r))
    signer = None
    if keys.identity is not None:
        if keys.identity_out is not None or keys.passphrase:
            raise InitError("--identity uses an existing key: --identity-out and --passphrase are for a new one")
        signer = read_file(keys.identity)  # a protected one asks for its passphrase
        made.identity = keys.identity
    elif not readers:
        path = keys.identity_out or default_identity(folder)
        repo = _inside(path, folder)
        if repo is not None:
            raise InitError(
                f"--identity-out {path} is inside the repository {repo}: an identity must never be committed; "
                "choose a path outside it (nothing was written)"
            )
        if path.exists():
            raise InitError(
                f"{path} exists: not overwriting an identity; give --identity {path} to use it, or "
                "--identity-out NEW-FILE (nothing was written)"
            )
        signer = crypt.new_identity(path, new_passphrase() if keys.passphrase else None)
        made.identity, made.new_identity, made.protected = path, True, keys.passphrase
    if signer is not None:
        readers = [crypt.normal_recipient(r) for r in signer.recipients] + readers
    made.recipients = tuple(dict.fromkeys(readers))  # in order, once each
    return made, signer


def _first_approvals(folder: Path, signer: Identities) -> list[tuple[str, bytes]]:
    """trust/<slug>.toml of both collectives: the first approval of their readers, signed by the new key."""
    from redflag_coord.org import trustcheck

    trust = trustcheck.Trust(folder, on=False)
    out = []
    for slug in (COMMITTEE, COLLECTIVE):
        p = trustcheck.propose(trust, slug, signer, {})
        if p is not None:
            out.append((trustcheck.trust_rel(slug), trustcheck.render_chain(slug, [p.new]).encode("utf-8")))
    return out
