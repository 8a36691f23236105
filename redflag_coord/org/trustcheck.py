"""Who may read, approved by those who already read (issue 28): the approval chain and its checks.

Each collective's readers are approved in `trust/<slug>.toml`: a chain of approvals, each one the
collective's recipients, the mail senders it seals contacts to, `require`, and the signing key of each
of those recipients, signed by a reader of the approval before it (TUF's root rotation, threshold 1).
The first approval is signed by one of its own readers: trusted on first use, anchored in git (every
committed version of the chain must be a prefix of the current one, so a rewritten or rolled-back
chain is an error for as long as the history holds the old one).

The keyless checks (validate, CI, hooks: the chain, the lists against the last approval, recipient
stanzas) are in check/trust.py; here are the facts they use. With a key (reveal, `opened`): each value
is bound to its place and signed by an approved reader (or visibly pending).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from redflag_coord import crypt
from redflag_coord.crypt import trust as sig
from redflag_coord.errors import RedflagError
from redflag_coord.org.model import RELATIONSHIP_ID_PATTERN
from redflag_coord.org.problems import Problems

TRUST_DIR = "trust"
SETTINGS_FILE = "organisation.toml"


class TrustError(RedflagError):
    """A recipient change nobody approved, a broken approval chain, or a value that is not where it was sealed."""


def trust_rel(slug: str) -> str:
    return f"{TRUST_DIR}/{slug}.toml"


def collective_rel(slug: str) -> str:
    return f"collectives/{slug}/collective.toml"


# -- what the files list now --------------------------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    """Who the files say reads a collective: what an approval must equal."""

    recipients: tuple[str, ...]
    mail_senders: tuple[str, ...]
    require: bool
    sources: str = ""  # the committee's: digest of where it fetches collectives from (sources_digest)


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}  # its own problems are reported by the loader


def _strings(value: object) -> tuple[str, ...]:
    items = value if isinstance(value, list) else []
    return tuple(sorted({crypt.normal_recipient(v) for v in items if isinstance(v, str)}))


def listed(root: Path, slug: str) -> Listed:
    settings = _read_toml(root / SETTINGS_FILE)
    enc = settings.get("encryption", {})
    enc = enc if isinstance(enc, dict) else {}
    info = _read_toml(root / collective_rel(slug))
    return Listed(
        _strings(info.get("recipients")),
        _strings(enc.get("mail_senders")),
        enc.get("require") is True,
        sources_digest(root, settings) if slug in sources_owners(root) else "",
    )


def sources_digest(root: Path, settings: dict) -> str:
    """What the committee's readers approve about its sources, as one digest ("" when it has none).

    Whoever sets a source's url, branch or signing keys, or turns `[sources] require_signed` off, decides
    whose files arrive as that collective's reports: the committee's readers approve it as they approve who
    reads (a member who can commit but holds no key must not redirect a source to a repository of theirs).
    The digest is of the entries as read (defaults filled in, sorted), so reordering or spelling out a default
    needs no new approval; a file that does not read is digested as its bytes, so it too is a change.
    """
    from redflag_coord.org.sources import SourcesError, read_sources
    from redflag_coord.repo.sourcestore import CONFIG

    section = settings.get("sources", {})
    signed = isinstance(section, dict) and section.get("require_signed") is True
    try:
        sources = read_sources(root)
    except SourcesError:
        raw = (root / CONFIG).read_bytes() if (root / CONFIG).is_file() else b""
        return sig.digest(b"unreadable\n" + raw)
    if sources is None and not signed:
        return ""
    entries = sorted((e.model_dump(mode="json") for e in (sources.source if sources else [])), key=json.dumps)
    body = json.dumps({"require_signed": signed, "source": entries}, sort_keys=True, ensure_ascii=True)
    return sig.digest(body.encode("ascii"))


def slugs_with_recipients(root: Path) -> list[str]:
    base = root / "collectives"
    found = [p.parent.name for p in base.glob("*/collective.toml")] if base.is_dir() else []
    return sorted(s for s in found if listed(root, s).recipients)


def sources_owners(root: Path) -> set[str]:
    """Whose readers approve this repository's sources (sources.toml): its own collective, the one not fetched
    from elsewhere: the committee in a committee's repository, the collective in a collective's repository."""
    from redflag_coord.repo.sourcestore import CONFIG

    try:
        st = (root / CONFIG).stat()
    except OSError:
        return set()
    # asked once per collective (listed): read once per state of sources.toml, not once per collective
    return set(_owners(str(root), st.st_mtime_ns, st.st_size, st.st_ino))


@lru_cache(maxsize=8)
def _owners(root_text: str, _mtime: int, _size: int, _ino: int) -> frozenset[str]:
    from redflag_coord.org.sources import SourcesError, read_sources

    root = Path(root_text)
    try:
        config = read_sources(root)
        fetched = {e.collective for e in config.source} if config else set()
    except SourcesError:
        fetched = set()
    base = root / "collectives"
    found = [p.parent.name for p in base.glob("*/collective.toml")] if base.is_dir() else []
    local = [s for s in found if s not in fetched]
    committees = frozenset(s for s in local if _read_toml(root / collective_rel(s)).get("kind") == "committee")
    return committees or (frozenset(local) if len(local) == 1 else frozenset())


# -- approvals ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Approval:
    version: int
    previous: str  # digest of the approval before ("" for the first)
    recipients: tuple[str, ...]
    mail_senders: tuple[str, ...]
    require: bool
    signers: tuple[tuple[str, str], ...]  # (recipient, its signing key), sorted
    by: str = ""
    signature: str = ""
    collective: str = ""  # the slug it approves for ("" = the caller's): a rename approval names the new one
    sources: str = ""  # the committee's sources as approved (sources_digest); "" = none

    def body(self, slug: str) -> bytes:
        """The canonical serialisation that is signed (JSON, sorted keys, ASCII)."""
        data = {
            "collective": self.collective or slug,
            "version": self.version,
            "previous": self.previous,
            "recipients": list(self.recipients),
            "mail_senders": list(self.mail_senders),
            "require": self.require,
            "signers": [list(p) for p in self.signers],
        }
        if self.sources:  # only when set: every approval signed before sources existed still verifies
            data["sources"] = self.sources
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")

    def digest(self, slug: str) -> str:
        return sig.digest(self.body(slug) + f"\n{self.by}\n{self.signature}".encode("ascii", "replace"))

    def signing_key(self, recipient: str) -> str | None:
        return dict(self.signers).get(recipient)

    def approvers(self) -> set[str]:
        """Signing keys that may approve the next version: the collective's own readers (not mail senders)."""
        keys = dict(self.signers)
        return {keys[r] for r in self.recipients if r in keys}

    def value_signers(self, contact: bool) -> set[str]:
        keys = dict(self.signers)
        who = self.recipients + (self.mail_senders if contact else ())
        return {keys[r] for r in who if r in keys}

    def matches(self, now: Listed) -> bool:
        mine = (self.recipients, self.mail_senders, self.require, self.sources)
        return mine == (now.recipients, now.mail_senders, now.require, now.sources)

    def seal_to(self, contact: bool) -> list[str]:
        return list(self.recipients) + ([m for m in self.mail_senders if m not in self.recipients] if contact else [])


def parse_chain(text: str, slug: str = "") -> list[Approval]:
    """The approvals of trust/<slug>.toml; TrustError when it is not one.

    Each approval is for the slug it names, else for the one of the approval before it (the first: `slug`):
    a rename is a signed approval naming the new slug, and the approvals before it keep the old one.
    """
    try:
        data = tomllib.loads(text)
        chain = [
            Approval(
                version=int(a["version"]),
                previous=str(a["previous"]),
                recipients=tuple(str(r) for r in a["recipients"]),
                mail_senders=tuple(str(r) for r in a["mail_senders"]),
                require=bool(a["require"]),
                signers=tuple(sorted((str(k), str(v)) for k, v in a["signers"].items())),
                by=str(a["by"]),
                signature=str(a["signature"]),
                collective=str(a.get("collective", "")),
                sources=str(a.get("sources", "")),
            )
            for a in data["approval"]
        ]
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError, AttributeError) as e:
        raise TrustError(f"not a readable approval chain ({type(e).__name__}: {e}); restore it from git") from None
    named = slug
    for i, a in enumerate(chain):
        named = a.collective or named
        chain[i] = Approval(**{**a.__dict__, "collective": named})
    return chain


def verify_chain(slug: str, chain: list[Approval]) -> str | None:
    """Why the chain does not hold (None: it holds). Each approval signed by a reader of the one before."""
    previous: Approval | None = None
    for i, a in enumerate(chain):
        where = f"approval[{i}]"
        if a.version != i + 1:
            return f"{where} has version {a.version}, expected {i + 1}"
        if a.previous != (previous.digest(slug) if previous else ""):
            return f"{where} does not follow the approval before it (its 'previous' digest differs)"
        allowed = previous.approvers() if previous else a.approvers()
        if a.by not in allowed:
            return f"{where} is signed by a key that is not a reader of {'the version before' if previous else 'it'}"
        if not sig.verify(a.by, sig.APPROVAL_DOMAIN, a.body(slug), a.signature):
            return f"{where}: the signature does not verify (edited after signing?)"
        previous = a
    if previous is not None and (previous.collective or slug) != slug:
        return (
            f"its last approval is for collective {previous.collective!r}, not {slug!r}: a trust file moved "
            "without a signed rename ('redflag-coord rename collective' with a reader's --identity)"
        )
    return None


def render_chain(slug: str, chain: list[Approval]) -> str:
    out = [
        f"# Who reads the private values of collective {slug!r}: each approval is signed by a reader of the one",
        "# before it (redflag-coord secrets approve). Written by redflag-coord: do not edit by hand.",
    ]
    named = slug
    for a in chain:
        before, named = named, (a.collective or named)
        stated = [f"collective = {json.dumps(named)}"] if named != before else []  # only where it changes
        signers = ", ".join(f"{_toml_key(r)} = {json.dumps(k)}" for r, k in a.signers)
        out += [
            "",
            "[[approval]]",
            f"version = {a.version}",
            f"previous = {json.dumps(a.previous)}",
            f"recipients = {json.dumps(list(a.recipients))}",
            f"mail_senders = {json.dumps(list(a.mail_senders))}",
            f"require = {'true' if a.require else 'false'}",
            f"signers = {{ {signers} }}" if signers else "signers = {}",
            f"by = {json.dumps(a.by)}",
            f"signature = {json.dumps(a.signature)}",
            *stated,
            *([f"sources = {json.dumps(a.sources)}"] if a.sources else []),
        ]
    return "\n".join(out) + "\n"


def _toml_key(key: str) -> str:
    """A bare key where TOML allows one (as `fmt` writes it), else quoted."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


@dataclass
class Trust:
    """The approval state of an organisation, read once per command."""

    root: Path
    on: bool  # some collective has (or had, in git) an approval chain: unapproved lists are errors
    chains: dict[str, list[Approval]] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)  # slug -> why its chain does not hold

    def latest(self, slug: str) -> Approval | None:
        chain = self.chains.get(slug)
        return chain[-1] if chain and slug not in self.broken else None

    def ever_signed(self, slug: str, contact: bool) -> set[str]:
        """Every key that was an approved value signer in some version (values signed before a rotation)."""
        if slug in self.broken:
            return set()
        return {k for a in self.chains.get(slug, []) for k in a.value_signers(contact)}


def load(root: Path | str) -> Trust:
    root = Path(root)
    folder = root / TRUST_DIR
    files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    trust = Trust(root, approvals_on(root, files))
    for path in files:
        slug = path.stem
        try:
            chain = parse_chain(path.read_text(encoding="utf-8"), slug)
        except (OSError, UnicodeDecodeError) as e:
            trust.broken[slug] = f"cannot read it ({e})"
            continue
        except TrustError as e:
            trust.broken[slug] = str(e)
            continue
        trust.chains[slug] = chain
        why = verify_chain(slug, chain)
        if why:
            trust.broken[slug] = why
    return trust


def approvals_on(root: Path | str, files: list[Path] | None = None) -> bool:
    """`Trust.on` without reading the chains (the files in trust/, given or listed here, else git's history)."""
    if files is None:
        folder = Path(root) / TRUST_DIR
        files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    return bool(files) or _in_history(Path(root))


def _in_history(root: Path) -> bool:
    from redflag_coord.repo.gitinfo import GitError, git

    try:
        return bool(git(root, "log", "-1", "--format=%H", "--", f"{TRUST_DIR}/").strip())
    except GitError:
        return False


def describe_change(slug: str, last: Approval, now: Listed) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(file, code, message, key) for each difference between the last approval and the files."""
    found: list[tuple[str, str, str, tuple[str, ...]]] = []
    fix = f"a current reader of {slug!r} checks it and runs 'redflag-coord secrets approve {slug}', or undo it"
    added = sorted(set(now.recipients) - set(last.recipients))
    removed = sorted(set(last.recipients) - set(now.recipients))
    if added or removed:
        what = "; ".join(
            x for x in (_keys("added", added), _keys("removed", removed)) if x
        )  # keys are public: naming them is how the intruder is found
        found.append(
            (
                collective_rel(slug),
                "trust-unapproved",
                f"recipients changed without approval ({what}): {fix}",
                ("recipients",),
            )
        )
    added = sorted(set(now.mail_senders) - set(last.mail_senders))
    removed = sorted(set(last.mail_senders) - set(now.mail_senders))
    if added or removed:
        what = "; ".join(x for x in (_keys("added", added), _keys("removed", removed)) if x)
        found.append(
            (
                SETTINGS_FILE,
                "trust-unapproved",
                f"mail senders changed without approval by {slug!r} ({what}): {fix}",
                ("encryption", "mail_senders"),
            )
        )
    if now.require != last.require:
        found.append(
            (
                SETTINGS_FILE,
                "trust-unapproved",
                f"require = {'true' if now.require else 'false'} without approval by {slug!r}: {fix}",
                ("encryption", "require"),
            )
        )
    return found


def sources_change(slug: str, last: Approval | None, now: Listed) -> tuple[str, str] | None:
    """(severity, message) when the committee's sources are not the ones its readers last approved.

    Once approved, any change (a url, a branch, a share, a signing key, require_signed, the file removed) is an
    error until a reader approves it again. Never approved yet: a warning, as a first approval is a choice the
    committee makes once (trust on first use); until then anyone who can commit can redirect a source.
    """
    from redflag_coord.repo.sourcestore import CONFIG

    approved = last.sources if last else ""
    if now.sources == approved:
        return None
    fix = f"a current reader of {slug!r} checks it and runs 'redflag-coord secrets approve {slug}'"
    if not approved:
        return "warning", (
            f"no reader of {slug!r} has approved its sources yet: until one does, anyone who can commit can point "
            f"a source at a repository of theirs; {fix}"
        )
    return "error", (
        f"the sources (a url, branch, share or signing key in {CONFIG}, or [sources] require_signed in "
        f"{SETTINGS_FILE}) changed since {slug!r} last approved them: whoever changes them decides whose files "
        f"arrive as a collective's. See 'git log -p {CONFIG} {SETTINGS_FILE}'; {fix}, or undo it"
    )


def sources_lines(root: Path) -> list[str]:
    """What a reader approves about the sources, one line each: shown before they sign."""
    from redflag_coord.org.sources import SourcesError, read_sources

    try:
        sources = read_sources(root)
    except SourcesError as e:
        return [f"sources: {e} (approving it as it is)"]
    section = _read_toml(root / SETTINGS_FILE).get("sources", {})
    signed = isinstance(section, dict) and section.get("require_signed") is True
    lines = [f"sources: signed commits {'required' if signed else 'not required'} ([sources] require_signed)"]
    for entry in sources.source if sources else []:
        n = len(entry.signing_keys)
        keys = f"signing key{'s' if n > 1 else ''} " + ", ".join(" ".join(k.split()[:2]) for k in entry.signing_keys)
        lines.append(
            f"source {entry.collective}: {entry.url} (branch {entry.branch}; shares {', '.join(entry.shares)}; "
            + (keys if n else "no signing keys")
            + ")"
        )
    return lines


def require_sources_approved(root: Path) -> None:
    """Before anything is fetched: TrustError when the sources differ from what the committee's readers approved
    (a redirected url or an added signing key takes effect only once a reader approves it)."""
    from redflag_coord.repo.sourcestore import CONFIG

    trust = load(root)
    for slug in sorted(sources_owners(root)):
        if slug in trust.broken:
            raise TrustError(f"{trust_rel(slug)}: {trust.broken[slug]}; nothing was fetched")
        found = sources_change(slug, trust.latest(slug), listed(root, slug))
        if found and found[0] == "error":
            raise TrustError(f"{CONFIG}: {found[1]}; nothing was fetched")


def _keys(verb: str, keys: list[str]) -> str:
    return f"{verb} {', '.join(repr(k) for k in keys)}" if keys else ""


# -- sealing: only to what was approved -----------------------------------------------------------------


def seal_to(trust: Trust, slug: str, contact: bool) -> list[str] | None:
    """The recipients an honest writer seals to; None when the organisation has no approvals yet.

    TrustError, naming the key, when the files list someone no reader approved: they get nothing.
    """
    if not trust.on:
        return None
    if slug in trust.broken:
        raise TrustError(f"{trust_rel(slug)}: {trust.broken[slug]}; nothing was sealed")
    last = trust.latest(slug)
    now = listed(trust.root, slug)
    if last is None:
        raise TrustError(
            f"{collective_rel(slug)}: recipients approved by no reader: run 'redflag-coord secrets approve {slug}' "
            "first; nothing was sealed"
        )
    changes = describe_change(slug, last, now)
    if changes:
        file, _, message, _ = changes[0]
        raise TrustError(f"{file}: {message}; nothing was sealed to anyone")
    return last.seal_to(contact)


# -- approving ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    slug: str
    previous: Approval | None
    new: Approval
    signer: sig.Signer
    changes: list[str]


def propose(trust: Trust, slug: str, ids: crypt.Identities, extra: dict[str, str]) -> Proposal | None:
    """The next approval of `slug` signed with this identity; None when the files already match the last one."""
    if slug in trust.broken:
        raise TrustError(f"{trust_rel(slug)}: {trust.broken[slug]}; restore it from git before approving")
    chain = trust.chains.get(slug, [])
    previous = chain[-1] if chain else None
    now = listed(trust.root, slug)
    if not now.recipients:
        raise TrustError(f'{collective_rel(slug)} lists no recipients: add recipients = ["age1…"] first')
    mine = sig.signers(ids)
    allowed = previous.approvers() if previous else None
    signer = next(
        (s for s in mine if (s.public in allowed if allowed is not None else s.recipient in now.recipients)), None
    )
    if signer is None:
        who = "a reader of its last approval" if previous else "one of its recipients"
        raise TrustError(
            f"{ids.path} is not {who}: only those who already read {slug!r} decide who reads it", usage=True
        )
    keys = dict(previous.signers) if previous else {}
    keys[signer.recipient] = signer.public
    for recipient, key in extra.items():
        if not sig.valid_public(key):
            raise TrustError(
                f"--signer {recipient}={key}: not a signing key ('ed25519:…', from 'secrets whoami')", usage=True
            )
        keys[crypt.normal_recipient(recipient)] = key
    keep = set(now.recipients) | set(now.mail_senders)
    signers = tuple(sorted((r, k) for r, k in keys.items() if r in keep))
    if previous is not None and previous.matches(now) and signers == previous.signers:
        return None
    new = Approval(
        version=len(chain) + 1,
        previous=previous.digest(slug) if previous else "",
        recipients=now.recipients,
        mail_senders=now.mail_senders,
        require=now.require,
        signers=signers,
        by=signer.public,
        sources=now.sources,
    )
    signed = Approval(**{**new.__dict__, "signature": signer.sign(sig.APPROVAL_DOMAIN, new.body(slug))})
    changes = describe_change(slug, previous, now) if previous else []
    lines = [m for _, _, m, _ in changes] or [f"first approval: {', '.join(now.recipients)}"]
    if now.sources != (previous.sources if previous else ""):
        lines += sources_lines(trust.root)
    added = sorted(set(dict(signers)) - set(dict(previous.signers) if previous else {}))
    lines += [f"signing key of {r}: {dict(signers)[r]}" for r in added]
    return Proposal(slug, previous, signed, signer, lines)


def write_approval(trust: Trust, p: Proposal) -> str:
    return write_approvals(trust, [p])[0]


def write_approvals(trust: Trust, proposals: list[Proposal], command: str = "secrets approve") -> list[str]:
    """Write these approvals as one change (repo.journal: all or nothing, under the organisation's lock)."""
    from redflag_coord.repo.journal import Change, apply

    if not proposals:
        return []
    change = Change(command)
    rels = [approval_change(trust, p, change) for p in proposals]
    apply(trust.root, change)
    return rels


def approval_change(trust: Trust, p: Proposal, change: Any) -> str:
    """Add the approval's trust file to a repo.journal Change (and to `trust`, which then holds it)."""
    from redflag_coord.repo.fsio import Changed

    rel = trust_rel(p.slug)
    path = trust.root / rel
    old = path.read_bytes() if path.exists() else None
    try:  # the file must still hold the chain this approval follows (another approval meanwhile?)
        same = (parse_chain(old.decode("utf-8"), p.slug) if old is not None else []) == trust.chains.get(p.slug, [])
    except (UnicodeDecodeError, TrustError):
        same = False
    if not same:
        raise Changed(f"{rel} changed meanwhile (another approval?); nothing was written: run the command again")
    folder = os.path.dirname(rel)
    if not (trust.root / folder).is_dir() and folder not in change.folders:
        change.folder(folder)
    chain = [*trust.chains.get(p.slug, []), p.new]
    change.write(rel, old, render_chain(p.slug, chain).encode("utf-8"))
    trust.chains[p.slug] = chain
    trust.on = True
    return rel


# -- with a key: each opened value where it was sealed, by an approved reader ----------------------------


def place(slug: str, kind: str, key: tuple[str | int, ...], handle: object) -> str:
    """Where a value belongs, by what stays put: a member by its handle, a relationship by its `id`.

    `handle` is the member's handle, or, for a relationship's value (a history note's too), the
    relationship's id: not the table the value sits in. TrustError when a relationship has no id.
    """
    if kind == "members":
        return f"{slug}/members/{handle}/{key[-1]}"
    if kind.startswith("reports/"):  # a distribution site: the report (by its meeting) and the site's position
        return f"{slug}/{kind}/" + "/".join(str(k) for k in key[1:])
    if not isinstance(handle, str) or not re.fullmatch(RELATIONSHIP_ID_PATTERN, handle):
        raise TrustError(
            f"{collective_rel(slug).replace('collective.toml', 'relationships.toml')}: relationship[{key[1]}] has "
            f"no id (or not one the tool wrote): run 'redflag-coord secrets migrate' (or 'secrets encrypt {slug}') "
            "to give it one"
        )
    return f"{slug}/{kind}/{handle}/" + "/".join(str(k) for k in key[2:])


def positional(sealed_for: str) -> bool:
    """A relationship's value sealed before relationships had ids: bound to a list position."""
    parts = sealed_for.split("/")
    return len(parts) > 2 and parts[1] == "relationships" and parts[2].isdigit()


def names(trust: Trust, slug: str) -> set[str]:
    """Every slug the collective had, by its signed approvals (a rename is one), and its own."""
    if slug in trust.broken:
        return {slug}
    return {slug} | {a.collective for a in trust.chains.get(slug, []) if a.collective}


def same_place(trust: Trust, slug: str, sealed_for: str, here: str) -> bool:
    """The value was sealed for here, under this collective's slug or a slug its approvals renamed it from."""
    was, _, rest = sealed_for.partition("/")
    return rest == here.partition("/")[2] and was in names(trust, slug)


def opened(
    trust: Trust, slug: str, rel: str, key: tuple[str | int, ...], contact: bool, here: str, plain: str, out: Problems
) -> str | None:
    """The value to use from an opened envelope, or None (withheld) with the problem: moved, forged, pending."""
    env = sig.unwrap(plain)
    if env is None:
        if not trust.on:
            return plain  # an organisation without approvals yet: values as before
        out.add(
            rel,
            "sealed-unbound",
            "this value carries no place and no signature, so anyone could have sealed it: it is not used; "
            f"a reader checks it and runs 'redflag-coord secrets migrate' (or 'secrets accept {slug}')",
            key=key,
        )
        return None
    if positional(env.place):
        out.add(
            rel,
            "sealed-positional",
            f"this value is bound to a list position ({env.place!r}), not to its relationship's id: deleting or "
            "reordering relationships would move it; it is not used until a reader runs "
            "'redflag-coord secrets migrate'",
            key=key,
        )
        return None
    if not same_place(trust, slug, env.place, here):
        out.add(
            rel,
            "sealed-moved",
            f"this value was sealed for {env.place!r}, not for here: it was moved, swapped or copied; "
            "it is not used (restore it from git, or seal the right value here)",
            key=key,
        )
        return None
    if env.pending:
        out.add(
            rel,
            "sealed-pending",
            "added by someone who is not a reader, so nothing uses it yet: a reader checks it "
            f"('secrets accept {slug}' shows it) and accepts it",
            key=key,
            severity="warning",
        )
        return None
    last = trust.latest(slug)
    approved = last.value_signers(contact) if last is not None else None
    if not env.authentic() or (trust.on and (approved is None or env.signer not in approved)):
        former = trust.on and env.authentic() and env.signer in trust.ever_signed(slug, contact)
        why = (
            "it is signed by a reader who is no longer approved: run 'redflag-coord secrets reencrypt "
            f"{slug}' to sign it again"
            if former
            else "its signature is not from an approved reader: it was forged; it is not used"
        )
        out.add(rel, "sealed-forged" if not former else "sealed-stale", why, key=key)
        return None
    return env.value


# -- renaming: a signed approval naming the new slug ----------------------------------------------------


def renamed_chain(trust: Trust, old: str, new: str, ids: crypt.Identities | None) -> str | None:
    """The text of trust/<new>.toml: the chain of `old` and a rename approval signed by a current reader.

    None when `old` has no approvals. The lists stay as approved; values sealed for `old` stay valid
    because `old` is in the chain's signed history (names). A rename without a reader's key is refused:
    moving the trust file by hand is an error (verify_chain: the last approval names the old slug).
    """
    if old not in trust.chains and old not in trust.broken:
        return None
    if old in trust.broken:
        raise TrustError(f"{trust_rel(old)}: {trust.broken[old]}; restore it from git before renaming")
    taken = {other for slug in trust.chains for other in names(trust, slug) if slug != old}
    if new in taken:
        raise TrustError(
            f"{new!r} is or was the name of another collective (trust/): values sealed for one could pass as "
            "the other's; choose another slug (nothing was changed)",
            usage=True,
        )
    if ids is None:
        raise TrustError(
            f"collective {old!r} has approved readers ({trust_rel(old)}): renaming it is signed by one of them; "
            "give --identity FILE (or REDFLAG_IDENTITY) of a current reader (nothing was changed)",
            usage=True,
        )
    chain = trust.chains[old]
    last = chain[-1]
    signer = next((s for s in sig.signers(ids) if s.public in last.approvers()), None)
    if signer is None:
        raise TrustError(
            f"{ids.path} is not a current reader of {old!r}: only its readers rename it (nothing was changed)",
            usage=True,
        )
    step = Approval(
        version=len(chain) + 1,
        previous=last.digest(old),
        recipients=last.recipients,
        mail_senders=last.mail_senders,
        require=last.require,
        signers=last.signers,
        by=signer.public,
        collective=new,
    )
    signed = Approval(**{**step.__dict__, "signature": signer.sign(sig.APPROVAL_DOMAIN, step.body(new))})
    return render_chain(new, [*chain, signed])
