"""Writing private values in the files: sealing, sealing again, forgetting, and the text `secrets edit` opens.

Files are rewritten with tomlkit (comments and layout kept) through repo/fsio; writing never re-seals a
value whose plain text did not change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redflag_coord import crypt
from redflag_coord.crypt import CryptError, Identities
from redflag_coord.org.load import Organisation, rel_path
from redflag_coord.org.model import Settings
from redflag_coord.org.secrets import CONTACT, HISTORY_NOTE, RELATIONSHIP, doc_slots, private_files, recipients
from redflag_coord.org.settings import settings_or_defaults
from redflag_coord.repo.fsio import write_if_unchanged


@dataclass
class Written:
    files: list[str] = field(default_factory=list)
    sealed: int = 0


def encrypt(
    org: Organisation, slugs: list[str], settings: Settings | None = None, identities: Identities | None = None
) -> Written:
    """Seal every plaintext private value of these collectives to their recipients; sealed values stay as they are.

    Signed with `identities` when it is an approved reader's; otherwise pending (see edit.trustseal)."""
    from redflag_coord.edit.trustseal import reseal  # issue 28: bound, signed, to approved recipients only

    done = reseal(org, slugs, settings or settings_or_defaults(org.root), identities, "encrypt", files())
    return Written(done.files, done.sealed)


def _need(org: Organisation, settings: Settings, slug: str, contact: bool) -> list[str]:
    found = recipients(org, settings, slug, contact)
    if not found:
        raise CryptError(
            "bad-recipient",
            f'collective {slug!r} lists no recipients: add recipients = ["age1…"] to '
            f"{rel_path('collective', slug)} (see 'redflag-coord secrets keygen')",
        )
    return found


@dataclass
class Plain:
    """A file opened for editing: its text in the clear, and the ciphertext of each plain value it held."""

    text: str
    memo: dict[tuple[str, str], str]  # (field, plain text) -> the exact ciphertext it came from


def open_text(text: str, kind: str, identities: Identities, where: str) -> Plain:
    """The file's text with every sealed value opened (CryptError naming where it failed)."""
    import tomlkit  # only where a file is read or written keeping its layout: not at start-up

    doc = tomlkit.parse(text)
    memo: dict[tuple[str, str], str] = {}
    for container, key, path, _ in doc_slots(doc, kind):
        value = str(container[key])
        if not crypt.is_sealed(value):
            continue
        try:
            plain = crypt.open_sealed(value, identities.keys)
        except CryptError as e:
            raise CryptError(e.kind, f"{where}: {_key(path)}: {e}") from None
        from redflag_coord.edit.trustseal import open_bound

        plain = open_bound(plain)  # the clear view shows the value, not its place and signature
        memo[(key, plain)] = value
        container[key] = plain
    return Plain(tomlkit.dumps(doc), memo)


def seal_text(text: str, kind: str, memo: dict[tuple[str, str], str], recipients_for: Any, bind: Any = None) -> str:
    """Seal every plain value again; a value whose plain text is unchanged keeps its exact ciphertext.

    `bind(owner, key path, contact, value)`, when given, seals a value bound to its place (edit.trustseal;
    owner: its member's or relationship's table, trustseal.owner_of)."""
    import tomlkit  # only where a file is read or written keeping its layout: not at start-up

    doc = tomlkit.parse(text)
    for container, key, kpath, contact in doc_slots(doc, kind):
        value = str(container[key])
        if crypt.is_sealed(value):
            continue
        kept = memo.get((key, value))
        if kept is None and bind is not None:
            from redflag_coord.edit.trustseal import owner_of

            kept = bind(owner_of(doc, kind, kpath, container), kpath, contact, value)
        container[key] = kept if kept is not None else crypt.seal(value, recipients_for(contact))
    return tomlkit.dumps(doc)


def reencrypt(org: Organisation, slugs: list[str], identities: Identities, settings: Settings | None = None) -> Written:
    """Open and seal again every private value of these collectives to the recipients listed now."""
    from redflag_coord.edit.trustseal import reseal  # issue 28: checks every value first, writes all or nothing

    done = reseal(org, slugs, settings or settings_or_defaults(org.root), identities, "reencrypt", files())
    return Written(done.files, done.sealed)


def forget(
    root: Path, slug: str, handle: str | None = None, relationship: int | None = None, seal_to: list[str] | None = None
) -> list[str]:
    """Remove a member's contact details (and opt-out of invites), or a relationship's private values.

    A relationship keeps its place, stage and dates; its pseudonym becomes 'forgotten-N' (sealed to `seal_to`).
    Returns the keys removed.
    """
    import tomlkit  # only where a file is read or written keeping its layout: not at start-up

    removed: list[str] = []
    if handle is not None:
        path = root / rel_path("members", slug)
        raw = path.read_bytes()  # written back only if nobody changed the file meanwhile
        doc = tomlkit.parse(raw.decode("utf-8"))
        for i, m in enumerate(doc.get("member", [])):
            if m.get("handle") == handle:
                for name in CONTACT:
                    if name in m:
                        del m[name]
                        removed.append(_key(("member", i, name)))
                if m.get("invite"):
                    m["invite"] = False
                break
        else:
            raise KeyError(f"no member {handle!r} in {rel_path('members', slug)}")
    else:
        path = root / rel_path("relationships", slug)
        raw = path.read_bytes()  # written back only if nobody changed the file meanwhile
        doc = tomlkit.parse(raw.decode("utf-8"))
        rels = doc.get("relationship", [])
        if relationship is None or not 0 <= relationship < len(rels):
            raise KeyError(f"no relationship[{relationship}] in {rel_path('relationships', slug)} ({len(rels)} there)")
        r = rels[relationship]
        stand_in = f"forgotten-{relationship + 1}"  # the field is required; sealed like any other where keys are listed
        r["pseudonym"] = crypt.seal(stand_in, seal_to) if seal_to else stand_in
        removed.append(_key(("relationship", relationship, "pseudonym")))
        for name in (n for n in RELATIONSHIP if n != "pseudonym"):  # the pseudonym (required) got its stand-in
            if name in r:
                del r[name]
                removed.append(_key(("relationship", relationship, name)))
        for j, step in enumerate(r.get("history", [])):
            if HISTORY_NOTE in step:
                del step[HISTORY_NOTE]
                removed.append(_key(("relationship", relationship, "history", j, HISTORY_NOTE)))
    write_if_unchanged(path, raw, tomlkit.dumps(doc).encode("utf-8"))
    return removed


def files() -> Any:
    """How this module finds private values, for edit.trustseal (which this module calls)."""
    from redflag_coord.edit.trustseal import Files

    return Files(private_files, doc_slots, _need)


def _key(path: tuple[str | int, ...]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out
