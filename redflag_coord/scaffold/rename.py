"""Renaming a collective: its folder moves and every reference to its slug follows, all or nothing.

The move and the edits are one repo.journal change: a signal or a crash leaves the organisation
before or after the rename, and files saved meanwhile are never overwritten.

References are the meetings' participants, opens and item leads, the reports' requests, the
minutes' attendance, votes and commitment owners, the articles' translations (who asked, was asked
and claimed), and organisation.toml's per-collective organisers. Meeting ids and report file names
do not hold slugs, so they stay. Edits keep comments and layout (tomlkit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import ParseError

from redflag_coord.crypt import Identities
from redflag_coord.org import trustcheck
from redflag_coord.org.load import COLLECTIVES, Organisation, rel_path
from redflag_coord.org.settings import SETTINGS_FILE
from redflag_coord.repo.fsio import Changed
from redflag_coord.repo.journal import Change, apply
from redflag_coord.scaffold.new import ScaffoldError, check_slug


@dataclass
class Renamed:
    old: str
    new: str
    moved: tuple[str, str]
    edited: list[str] = field(default_factory=list)  # repository-relative paths, as they are after the rename


def rename_collective(
    root: Path, org: Organisation, old: str, new: str, identities: Identities | None = None
) -> Renamed:
    """Move collectives/OLD to collectives/NEW and rewrite every reference; refuses when NEW exists.

    A collective with approved readers (trust/OLD.toml) moves its chain to trust/NEW.toml with a rename
    approval signed by `identities`, a current reader (TrustError without one): no value is sealed again.
    """
    check_slug(new, "new slug")
    if old not in org.collectives or not (root / COLLECTIVES / old).is_dir():
        raise ScaffoldError(f"no collective {old!r} (no folder {COLLECTIVES}/{old})")
    if old == new:
        raise ScaffoldError("the old and new slugs are the same")
    if new in org.collectives or (root / COLLECTIVES / new).exists():
        raise ScaffoldError(f"{COLLECTIVES}/{new} exists already; choose another slug (nothing was changed)")
    edits = _edits(root, org, old, new)
    chain = trustcheck.renamed_chain(trustcheck.load(root), old, new, identities)
    # The bytes each edit was made from: read again after a second pass, so an edit saved in between
    # is seen here (the passes differ) or under the lock (the bytes differ): never overwritten.
    read = {rel: _bytes(root / rel) for rel in edits}
    if _edits(root, org, old, new) != edits:
        raise Changed(
            f"a file naming {old!r} changed meanwhile (while it was read); nothing was changed: run the command again"
        )
    src, dst = f"{COLLECTIVES}/{old}", f"{COLLECTIVES}/{new}"
    change = Change("rename collective")
    change.move(src, dst)  # the folder moves whole (files written meanwhile wait for the lock, then refuse)
    change.guards.append(lambda: _same_files(root, org, old))
    after = []
    for rel, text in edits.items():
        moved = dst + rel[len(src) :] if rel.startswith(src + "/") else rel
        change.write(moved, read[rel], text.encode("utf-8"))
        after.append(moved)
    if chain is not None:  # the approvals follow: trust/NEW.toml is the chain and its rename approval
        was = trustcheck.trust_rel(old)
        change.write(trustcheck.trust_rel(new), None, chain.encode("utf-8"))
        change.write(was, _bytes(root / was), None)
        after.append(trustcheck.trust_rel(new))
    apply(root, change)
    return Renamed(old, new, (src, dst), sorted(after))


def _same_files(root: Path, org: Organisation, old: str) -> None:
    """Under the lock: no meeting, report or minutes appeared since the organisation was read (it could
    name OLD and would not be edited)."""
    known = set(org.files)
    for slug in org.collectives:
        for folder in ("meetings", "reports", "minutes", "articles", "motions"):
            for p in sorted((root / COLLECTIVES / slug / folder).glob("*.toml")):
                rel = f"{COLLECTIVES}/{slug}/{folder}/{p.name}"
                if not p.name.startswith(".") and rel not in known:
                    raise Changed(
                        f"{rel} appeared meanwhile (it may name {old!r}); nothing was changed: run the command again"
                    )


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise Changed(f"{path}: cannot read it again ({e.strerror or e}); nothing was changed") from e


def _edits(root: Path, org: Organisation, old: str, new: str) -> dict[str, str]:
    """Repository-relative path (before the move) -> new text, for every file that names OLD."""
    out: dict[str, str] = {}
    for c in org.collectives.values():
        for mid in c.meetings:
            _edit(root, rel_path("meeting", c.slug, mid), out, lambda doc: _meeting(doc, old, new))
        for mid in c.reports:
            _edit(root, rel_path("report", c.slug, mid), out, lambda doc: _report(doc, old, new))
        for mid in c.minutes:
            rel = rel_path("minutes", c.slug, mid)
            _edit(root, rel, out, lambda doc: _minutes(doc, old, new))
            if rel in out:
                out[rel] = _renamed_keys(out[rel], old, new)
        if c.roles is not None:
            _edit(root, rel_path("roles", c.slug), out, lambda doc: _roles(doc, old, new))
        for aid in c.articles:
            _edit(root, rel_path("article", c.slug, aid), out, lambda doc: _article(doc, old, new))
        for mid in c.motions:
            _edit(root, rel_path("motion", c.slug, mid), out, lambda doc: _motion(doc, old, new))
    if (root / SETTINGS_FILE).exists():
        _edit(root, SETTINGS_FILE, out, lambda doc: _settings(doc, old, new))
    return out


def _edit(root: Path, rel: str, out: dict[str, str], change: Any) -> None:
    try:
        doc = tomlkit.parse((root / rel).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ParseError) as e:
        raise ScaffoldError(f"{rel}: cannot read it to update references ({e}); nothing was changed") from e
    if change(doc):
        out[rel] = tomlkit.dumps(doc)


def _set(table: Any, key: str, value: str) -> None:
    """Replace a value, keeping a comment on its line."""
    before = table[key]
    item = tomlkit.item(value)
    if hasattr(before, "trivia"):
        item.trivia.comment, item.trivia.comment_ws = before.trivia.comment, before.trivia.comment_ws
    table[key] = item


def _meeting(doc: Any, old: str, new: str) -> bool:
    changed = False
    participants = doc.get("participants")
    if isinstance(participants, list):
        for i, slug in enumerate(list(participants)):
            if slug == old:
                participants[i] = new
                changed = True
    if doc.get("opens") == old:
        _set(doc, "opens", new)
        changed = True
    for item in doc.get("item", []) or []:
        if item.get("lead") == old:
            _set(item, "lead", new)
            changed = True
    return changed


def _report(doc: Any, old: str, new: str) -> bool:
    changed = False
    for request in doc.get("request", []) or []:
        if request.get("to") == old:
            _set(request, "to", new)
            changed = True
    return changed


def _article(doc: Any, old: str, new: str) -> bool:
    changed = False
    for translation in doc.get("translation", []) or []:
        for key in ("requested_by", "to", "claimed_by"):
            if translation.get(key) == old:
                _set(translation, key, new)
                changed = True
    return changed


def _in_list(values: Any, old: str, new: str) -> bool:
    changed = False
    if isinstance(values, list):
        for i, slug in enumerate(list(values)):
            if slug == old:
                values[i] = new
                changed = True
    return changed


def _minutes(doc: Any, old: str, new: str) -> bool:
    attendance = doc.get("attendance", {})
    changed = _in_list(attendance.get("present"), old, new) | _in_list(attendance.get("apologies"), old, new)
    members = attendance.get("members")
    if members is not None and old in members:
        # A key of an inline table: tomlkit would reorder and respace the table, so the key is
        # renamed in place, in the text (see _renamed_keys), keeping its order and spacing.
        members[old] = tomlkit.item(members[old]).value
        changed = True
    for decision in doc.get("decision", []) or []:
        for row in [*(decision.get("vote", []) or []), *(decision.get("stance", []) or [])]:
            if row.get("collective") == old:
                _set(row, "collective", new)
                changed = True
        changed |= _in_list(decision.get("rule", {}).get("entitled"), old, new)
    for commitment in doc.get("commitment", []) or []:
        if commitment.get("owner") == old:
            _set(commitment, "owner", new)
            changed = True
    return changed


def _roles(doc: Any, old: str, new: str) -> bool:
    """A rota's pools, swaps and skips name collectives (or handles, which a rename leaves alone)."""
    changed = False
    for role in doc.get("role", []) or []:
        changed |= _in_list(role.get("pool"), old, new)
    for entry in [*(doc.get("swap", []) or []), *(doc.get("skip", []) or [])]:
        for key in ("from", "to", "holder"):
            if entry.get(key) == old:
                _set(entry, key, new)
                changed = True
    return changed


def _motion(doc: Any, old: str, new: str) -> bool:
    """A motion names collectives as seconds, in its rule's entitled list, in its amendments and its votes."""
    changed = _in_list(doc.get("seconds"), old, new) | _in_list(doc.get("rule", {}).get("entitled"), old, new)
    for amendment in doc.get("amendment", []) or []:
        for key in ("by", "accepted_by"):
            if amendment.get(key) == old:
                _set(amendment, key, new)
                changed = True
    for vote in doc.get("vote", []) or []:  # a vote between meetings (org.ballot)
        if vote.get("collective") == old:
            _set(vote, "collective", new)
            changed = True
    return changed


def _renamed_keys(text: str, old: str, new: str) -> str:
    """`members = { ..., OLD = 2 }` -> `... NEW = 2 ...` on the attendance line, in place."""
    import re

    key = re.compile(rf"(?<=[{{,])(\s*){re.escape(old)}(?=\s*=)")
    return "\n".join(
        key.sub(lambda m: m.group(1) + new, line) if re.match(r"\s*members\s*=\s*\{", line) else line
        for line in text.split("\n")
    )


def _settings(doc: Any, old: str, new: str) -> bool:
    organisers = doc.get("calendar", {}).get("organisers")
    changed = _in_list(doc.get("decisions", {}).get("entitled"), old, new)
    if organisers is None or old not in organisers:
        return changed
    organisers[new] = organisers[old]
    del organisers[old]
    return True
