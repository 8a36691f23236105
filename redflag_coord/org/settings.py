"""The organisation's settings: organisation.toml at the repository root (optional).

Only the [encryption] table is read here (issue 17); other tables are left to their own readers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from redflag_coord.org.model import RECIPIENT_PATTERN
from redflag_coord.org.parse import read_toml
from redflag_coord.org.problems import Problem

SETTINGS_FILE = "organisation.toml"


@dataclass(frozen=True)
class Encryption:
    """[encryption]: who besides each collective reads contact fields, and whether plaintext is refused."""

    mail_senders: tuple[str, ...] = ()  # recipients that read every member's email and phone (the secretariat)
    require: bool = False  # every collective must list recipients and seal every private value


@dataclass(frozen=True)
class Settings:
    encryption: Encryption = field(default_factory=Encryption)
    problems: tuple[Problem, ...] = ()


def load_settings(root: Path | str) -> Settings:
    """The settings, or the defaults when there is no organisation.toml; problems instead of exceptions."""
    import re

    path = Path(root) / SETTINGS_FILE
    if not path.exists():
        return Settings()
    data, problems = read_toml(path, SETTINGS_FILE)
    if data is None:
        return Settings(problems=tuple(problems))
    table = data.get("encryption", {})
    out: list[Problem] = []
    if not isinstance(table, dict):
        return Settings(problems=(Problem(SETTINGS_FILE, "wrong-type", "expected a table", key=("encryption",)),))
    senders = table.get("mail_senders", [])
    require = table.get("require", False)
    for key in sorted(set(table) - {"mail_senders", "require"}):
        out.append(
            Problem(
                SETTINGS_FILE, "unknown-key", "unknown key; allowed: mail_senders, require", key=("encryption", key)
            )
        )
    if not isinstance(senders, list) or not all(isinstance(s, str) for s in senders):
        out.append(
            Problem(SETTINGS_FILE, "wrong-type", "expected a list of public keys", key=("encryption", "mail_senders"))
        )
        senders = []
    for i, s in enumerate(senders):
        if not re.match(RECIPIENT_PATTERN, s):
            out.append(
                Problem(
                    SETTINGS_FILE,
                    "bad-format",
                    "not an age recipient ('age1…') or an ssh-ed25519 public key",
                    key=("encryption", "mail_senders", i),
                )
            )
    if not isinstance(require, bool):
        out.append(Problem(SETTINGS_FILE, "wrong-type", "expected true or false", key=("encryption", "require")))
        require = False
    return Settings(Encryption(tuple(senders), require), tuple(out))
