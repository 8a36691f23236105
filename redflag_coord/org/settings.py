"""The organisation's settings: organisation.toml at the root of the data repository (absent = defaults)."""

from __future__ import annotations

from pathlib import Path

from redflag_coord.errors import RedflagError
from redflag_coord.org.model import Settings
from redflag_coord.org.problems import Problem

SETTINGS_FILE = "organisation.toml"
# Domains reserved by RFC 2606 / RFC 6761: mail sent to them is never delivered, an address there names nobody.
RESERVED_DOMAINS = ("invalid", "example", "test", "localhost", "example.com", "example.org", "example.net")


class SettingsError(RedflagError):
    """organisation.toml is unreadable or breaks the model; `problems` say where."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def check_settings(root: Path | str) -> tuple[Settings, list[Problem]]:
    """The settings and the problems of organisation.toml (defaults, and no problem, when it is absent)."""
    from redflag_coord.org.parse import check_file
    from redflag_coord.org.problems import Problem
    from redflag_coord.repo.contain import LINK_OUT, outside_link

    path = Path(root) / SETTINGS_FILE
    leaves = outside_link(root, path)
    if leaves is not None:  # never read through a link out of the organisation (repo.contain)
        return Settings(), [Problem(SETTINGS_FILE, "symlink-outside", LINK_OUT, "error")]
    if not path.exists():
        return Settings(), []
    result = check_file(path, SETTINGS_FILE, "organisation")
    model = result.model if isinstance(result.model, Settings) else None
    return (model or Settings()), result.problems


def settings_or_defaults(root: Path | str) -> Settings:
    """The settings for checks that go on whatever organisation.toml holds (validate reports its problems)."""
    return check_settings(root)[0]


def load_settings(root: Path | str) -> Settings:
    """The organisation's settings; SettingsError when organisation.toml has errors."""
    settings, problems = check_settings(root)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise SettingsError(errors)
    return settings


def undeliverable(address: str) -> bool:
    """True when mail to `address` can never arrive (a reserved domain)."""
    return reserved_domain(address.rpartition("@")[2])


def reserved_domain(host: str) -> bool:
    """`host` is one of RESERVED_DOMAINS or inside one (a label boundary: 'myexample.com' is not)."""
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in RESERVED_DOMAINS)
