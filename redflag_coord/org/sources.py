"""sources.toml: the collectives a committee's repository receives from their own repositories (issue 34).

One `[[source]]` per collective: its slug, where its repository is (any git URL, a local path, or a bundle
file), the branch holding its shared files, which of its files it shares (paths relative to its folder),
and the keys that may sign its commits (SSH key lines, armored OpenPGP keys, or key files in this repository:
sources.signing). A collective's members.toml and relationships.toml are never shared: a sources.toml
naming them is refused (check `sources-shares`), and so is any fetched tree that holds them
(sources.verify). Its trust/<slug>.toml travels with its collective.toml (sources.trustshare).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, ValidationError

from redflag_coord.errors import RedflagError
from redflag_coord.org.model import SLUG_PATTERN, FileModel
from redflag_coord.repo.sourcestore import CONFIG

# motions/: a motion is the committee's business (its minutes cite it by id), filed from the mover's repository
DEFAULT_SHARES = ("collective.toml", "reports/", "articles/", "motions/")
DEFAULT_BRANCH = "redflag-shared"
TRUST_FOLDER = "trust"  # org.trustcheck.TRUST_DIR
# What a collective keeps to itself, whatever sources.toml says: the map of who knows whom.
NEVER_SHARED = ("members.toml", "relationships.toml")
# Who reads its sealed values (trust/<slug>.toml, outside its folder) travels with the collective.toml whose
# recipients it approves: without it the receiving repository cannot tell an approved reader from an intruder.
TRUST_WITH = "collective.toml"
SSH_KEY_TYPES = ("ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-")
PGP_ARMOR = "-----BEGIN PGP PUBLIC KEY BLOCK-----"


class SourceEntry(FileModel):
    """One collective whose shared files the committee receives."""

    collective: str = Field(pattern=SLUG_PATTERN, description="The collective's slug (its folder name)")
    url: str = Field(min_length=1, description="Its repository: a git URL, a local path, or a .bundle file")
    branch: str = Field(DEFAULT_BRANCH, min_length=1, description="The branch holding only its shared files")
    shares: list[str] = Field(
        default_factory=lambda: list(DEFAULT_SHARES),
        description="Paths relative to the collective's folder it shares; a folder ends with '/'",
    )
    signing_keys: list[str] = Field(
        default_factory=list,
        description="Keys that may sign its commits: an SSH public key line (as in an allowed signers file), an "
        "armored OpenPGP public key, or the path (in this repository) of a file holding one (`gpg --export "
        "--armor`); a fingerprint alone cannot verify anything",
    )


class SourcesFile(FileModel):
    """sources.toml at the root of a committee's repository."""

    source: list[SourceEntry] = Field(default_factory=list)


@dataclass(frozen=True)
class SourcesProblem:
    key: tuple[str | int, ...]
    code: str
    message: str


class SourcesError(RedflagError):
    """sources.toml cannot be read (the message says where)."""


def read_sources(root: Path | str) -> SourcesFile | None:
    """The sources of this repository; None when there is no sources.toml. Raises SourcesError."""
    path = Path(root) / CONFIG
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise SourcesError(f"{CONFIG}: {e}") from None
    try:
        return SourcesFile.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SourcesError(f"{CONFIG}: {where}: {first['msg']}") from None


def share_problems(sources: SourcesFile) -> list[SourcesProblem]:
    """Shares naming a collective's private files, or leaving its folder, and slugs listed twice."""
    out: list[SourcesProblem] = []
    seen: set[str] = set()
    for i, s in enumerate(sources.source):
        if s.collective in seen:
            out.append(
                SourcesProblem(("source", i, "collective"), "duplicate-source", f"{s.collective!r} is listed twice")
            )
        seen.add(s.collective)
        for j, share in enumerate(s.shares):
            bad = share_problem(share)
            if bad:
                out.append(SourcesProblem(("source", i, "shares", j), "private-share", bad))
        for j, key in enumerate(s.signing_keys):
            bad = key_problem(key)
            if bad:
                out.append(SourcesProblem(("source", i, "signing_keys", j), "bad-sources", bad))
    return out


def key_kind(key: str) -> str:
    """What a signing_keys entry is: "ssh" (a public key line), "openpgp" (an armored key) or "file" (a path)."""
    text = key.strip()
    if text.startswith(SSH_KEY_TYPES):
        return "ssh"
    return "openpgp" if PGP_ARMOR in text else "file"


def key_problem(key: str) -> str | None:
    """Why a signing_keys entry can verify nothing (None: it may). A file's content is read by `sources fetch`."""
    text = key.strip()
    kind = key_kind(text)
    if kind == "ssh":
        return None if len(text.split()) >= 2 else f"signing key {text!r}: an SSH key line is 'TYPE BASE64 [comment]'"
    if kind == "openpgp":
        return None
    if re.fullmatch(r"(0x)?[0-9A-Fa-f ]{16,}", text):
        return (
            f"signing key {text!r} is a fingerprint: a fingerprint alone verifies nothing; give the armored public "
            "key (gpg --export --armor FINGERPRINT > keys/NAME.asc) or the path of that file"
        )
    parts = Path(text).parts
    if not text or Path(text).is_absolute() or ".." in parts or "\\" in text:
        return (
            f"signing key {text!r}: give an SSH public key line, an armored OpenPGP public key, or the path of a "
            "key file inside this repository (e.g. keys/mexico.asc)"
        )
    return None


def share_problem(share: str) -> str | None:
    parts = [p for p in share.split("/") if p]
    if not parts or any(p in (".", "..") for p in parts) or share.startswith("/") or "\\" in share:
        return f"share {share!r} must be a path inside the collective's folder (e.g. 'reports/')"
    if parts[0] in NEVER_SHARED:
        return (
            f"share {share!r} names a collective's private file: members and relationships stay in the "
            "collective's own repository (remove it from shares)"
        )
    return None


def shared(path: str, slug: str, shares: list[str]) -> bool:
    """A repository path (collectives/<slug>/...) inside the shared set of that collective."""
    if path == trust_path(slug):
        return TRUST_WITH in shares
    prefix = f"collectives/{slug}/"
    if not path.startswith(prefix):
        return False
    rel = path[len(prefix) :]
    if rel.split("/", 1)[0] in NEVER_SHARED:
        return False
    return any(rel == s or (s.endswith("/") and rel.startswith(s)) for s in shares)


def trust_path(slug: str) -> str:
    """The collective's approvals of who reads it (org.trustcheck.trust_rel), the one file outside its folder
    it may share."""
    return f"{TRUST_FOLDER}/{slug}.toml"


def tree_allowed(path: str, slug: str, shares: list[str]) -> bool:
    """A tree (folder) path that may lead to shared files: the root, collectives/, the folder, a shared folder."""
    prefix = f"collectives/{slug}"
    if path in ("", "collectives", prefix) or (path == TRUST_FOLDER and TRUST_WITH in shares):
        return True
    return shared(path + "/", slug, shares) or any(
        s.endswith("/") and f"{prefix}/{s}".startswith(path + "/") for s in shares
    )
