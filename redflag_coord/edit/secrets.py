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
from redflag_coord.crypt import trust as sig
from redflag_coord.org.load import Organisation, rel_path
from redflag_coord.org.model import Settings
from redflag_coord.org.secrets import CONTACT, HISTORY_NOTE, RELATIONSHIP, doc_slots, private_files, recipients
from redflag_coord.org.settings import settings_or_defaults
from redflag_coord.org.trustcheck import place
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


@dataclass(frozen=True)
class Was:
    """A value as the file held it when it was opened: shown value, exact ciphertext, opened plain text."""

    value: str  # what the clear view shows
    sealed: str  # the exact ciphertext in the file
    opened: str  # its whole plain text (the envelope: place, signer, signature, value)


@dataclass
class Plain:
    """A file opened for editing: its text in the clear, and what each place held (for seal_text)."""

    text: str
    memo: dict[str, Was]  # place (org.trustcheck.place) -> what was sealed there


def open_text(text: str, kind: str, identities: Identities, where: str, slug: str = "") -> Plain:
    """The file's text with every sealed value opened (CryptError naming where it failed)."""
    import tomlkit  # only where a file is read or written keeping its layout: not at start-up

    from redflag_coord.edit.trustseal import open_bound, owner_of

    doc = tomlkit.parse(text)
    memo: dict[str, Was] = {}
    for container, key, path, _ in doc_slots(doc, kind):
        value = str(container[key])
        if not crypt.is_sealed(value):
            continue
        try:
            opened = crypt.open_sealed(value, identities.keys)
        except CryptError as e:
            raise CryptError(e.kind, f"{where}: {_key(path)}: {e}") from None
        plain = open_bound(opened)  # the clear view shows the value, not its place and signature
        memo[_memo_key(slug, kind, path, owner_of(doc, kind, path, container))] = Was(plain, value, opened)
        container[key] = plain
    return Plain(tomlkit.dumps(doc), memo)


def _memo_key(slug: str, kind: str, kpath: tuple[str | int, ...], owner: Any) -> str:
    """The place a value's ciphertext is remembered under while editing. A relationship without an id (an
    organisation without approvals, where values are not bound) by its position, as before ids."""
    name = owner.get("id") if kind == "relationships" else owner.get("handle")
    if name is None and kind == "relationships":
        return f"{slug}/{kind}/" + "/".join(str(k) for k in kpath[1:])
    return place(slug, kind, kpath, name)


def seal_text(text: str, kind: str, memo: dict[str, Was], recipients_for: Any, bind: Any = None, slug: str = "") -> str:
    """Seal every plain value again. A value keeps its exact ciphertext only if it is unchanged AT THE SAME
    PLACE and still sealed to as many recipients as it would be now; anything else is sealed fresh, so
    equal values at two places get two ciphertexts and no ciphertext is carried to another place.

    `bind(owner, key path, contact, value, was)`, when given, decides instead (edit.trustseal.binder: bound
    to the place, signed, to the approved recipients; owner: its member's or relationship's table,
    trustseal.owner_of; `was` is the unchanged value or None)."""
    import tomlkit  # only where a file is read or written keeping its layout: not at start-up

    from redflag_coord.edit.trustseal import owner_of

    doc = tomlkit.parse(text)
    for container, key, kpath, contact in doc_slots(doc, kind):
        value = str(container[key])
        if crypt.is_sealed(value):
            continue  # typed sealed in the clear view: kept as typed (validate judges it)
        owner = owner_of(doc, kind, kpath, container)
        was = memo.get(_memo_key(slug, kind, kpath, owner))
        same = was if was is not None and was.value == value else None
        if bind is not None:
            container[key] = bind(owner, kpath, contact, value, same)
            continue
        to = recipients_for(contact)
        fresh = same is not None and sig.stanzas(same.sealed) == len(to)
        container[key] = same.sealed if same is not None and fresh else crypt.seal(value, to)
    return tomlkit.dumps(doc)


def new_comments(before: str, after: str) -> list[int]:
    """Lines of `after` holding a comment that `before` did not hold: comments are never sealed.

    A comment kept, moved or removed is fine; each comment of `before` excuses one in `after`."""
    from collections import Counter

    known = Counter(text for _, text in comments(before))
    lines = []
    for line, text in comments(after):
        if not text.replace("#", "").strip():
            continue  # an empty comment carries nothing
        if known[text]:
            known[text] -= 1
        else:
            lines.append(line)
    return lines


def comments(text: str) -> list[tuple[int, str]]:
    """(line, text) of every TOML comment: a '#' outside any string, to the end of its line."""
    found: list[tuple[int, str]] = []
    i, line, n = 0, 1, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            found.append((line, text[i + 1 : end].strip()))
            i = end
        elif c in "\"'":
            start = i
            i = _string_end(text, i)
            line += text.count("\n", start, i)
        else:
            line += c == "\n"
            i += 1
    return found


def _string_end(text: str, i: int) -> int:
    """The index just after the TOML string that starts at `i` (basic, literal, or their multi-line forms)."""
    q = text[i]
    basic = q == '"'
    if text.startswith(q * 3, i):
        j = i + 3
        while j < len(text):
            if basic and text[j] == "\\":
                j += 2
            elif text.startswith(q * 3, j):
                k = j
                while k < len(text) and k - j < 5 and text[k] == q:
                    k += 1  # up to two quotes of the value may touch the closing three
                return k
            else:
                j += 1
        return len(text)
    j = i + 1
    while j < len(text) and text[j] not in (q, "\n"):
        j += 2 if basic and text[j] == "\\" else 1
    return j + 1 if j < len(text) and text[j] == q else j


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
        if "conversation" in r:  # a conversation is its private date, kind and note: nothing public stays
            del r["conversation"]
            removed.append(_key(("relationship", relationship, "conversation")))
    write_if_unchanged(path, raw, tomlkit.dumps(doc).encode("utf-8"))
    return removed


def seal_new_report(org: Organisation, slug: str, rel: str, text: str, identities: Identities | None) -> str:
    """A new report's text with its plain distribution sites sealed for it (where the collective has readers)."""
    from redflag_coord.edit.trustseal import seal_new_text
    from redflag_coord.org.secrets import file_kind

    settings = settings_or_defaults(org.root)
    if not recipients(org, settings, slug, False):
        return text  # an organisation without keys keeps its values in plain text (validate says so if required)
    return seal_new_text(org, slug, rel, file_kind(rel), text, settings, identities, files())


def files() -> Any:
    """How this module finds private values, for edit.trustseal (which this module calls)."""
    from redflag_coord.edit.trustseal import Files

    return Files(private_files, doc_slots, _need)


def _key(path: tuple[str | int, ...]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out
