"""Private values encrypted at rest: which values, to whom, and reading or writing them in the files.

A collective lists its recipients in collective.toml; relationship fields are sealed to them only,
contact fields (email, phone) also to the organisation's mail senders (organisation.toml). A sealed
value is one TOML string "age:…" (see crypt), so files stay valid TOML and a diff shows which value
changed. Writing never re-seals a value whose plain text did not change.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from redflag_coord import crypt
from redflag_coord.crypt import CryptError, Identities
from redflag_coord.org.load import Organisation, rel_path
from redflag_coord.org.model import Settings
from redflag_coord.org.problems import Problem, Problems
from redflag_coord.org.settings import settings_or_defaults
from redflag_coord.org.textcheck import ONE_LINE_MAX, unsafe_char
from redflag_coord.repo.fsio import write_if_unchanged

CONTACT = ("email", "phone")  # also sealed to the mail senders
RELATIONSHIP = ("pseudonym", "workplace", "notes")
WITHHELD_PSEUDONYM = "(encrypted)"  # stands in for a pseudonym nobody here can read (the field is required)
PRIVATE_KINDS = ("members", "relationships")


@dataclass(frozen=True)
class Slot:
    """One private value in a loaded organisation, with a way to replace it in the model."""

    slug: str
    file: str
    key: tuple[str | int, ...]
    contact: bool
    owner: Any  # the pydantic model holding it
    attr: str

    @property
    def value(self) -> str | None:
        return getattr(self.owner, self.attr)

    def set(self, value: str | None) -> None:
        setattr(self.owner, self.attr, value)


def slots(org: Organisation) -> Iterator[Slot]:
    """Every private value that is set, in file order."""
    for c in org.collectives.values():
        if c.members is not None:
            rel = rel_path("members", c.slug)
            for i, m in enumerate(c.members.members):
                for name in CONTACT:
                    if getattr(m, name) is not None:
                        yield Slot(c.slug, rel, ("member", i, name), True, m, name)
        if c.relationships is not None:
            rel = rel_path("relationships", c.slug)
            for i, r in enumerate(c.relationships.relationships):
                for name in RELATIONSHIP:
                    if getattr(r, name) is not None:
                        yield Slot(c.slug, rel, ("relationship", i, name), False, r, name)
                for j, step in enumerate(r.history):
                    if step.note is not None:
                        yield Slot(c.slug, rel, ("relationship", i, "history", j, "note"), False, step, "note")


def recipients(org: Organisation, settings: Settings, slug: str, contact: bool) -> list[str]:
    """Who may read a private value of collective `slug`: its recipients, plus the mail senders for contacts."""
    c = org.collectives.get(slug)
    own = list(c.info.recipients) if c is not None and c.info is not None else []
    if not own:
        return []
    return own + ([s for s in settings.encryption.mail_senders if s not in own] if contact else [])


# -- reading ----------------------------------------------------------------------


@dataclass
class Opened:
    """What reading the sealed values gave: how many opened, how many stay withheld, and where."""

    sealed: int = 0
    opened: int = 0
    withheld: dict[tuple[str, bool], int] = field(default_factory=dict)  # (collective, contact) -> values unread

    @property
    def unread(self) -> int:
        return sum(self.withheld.values())

    def note(self, purpose: str, contact: bool | None = None) -> str | None:
        """One line saying what could not be used (contact fields only, relationship fields only, or all)."""
        counts: dict[str, int] = {}
        for (slug, is_contact), n in self.withheld.items():
            if contact is None or is_contact == contact:
                counts[slug] = counts.get(slug, 0) + n
        if not counts:
            return None
        what = {None: "private value(s)", True: "email(s)/phone(s)", False: "relationship value(s)"}[contact]
        how = "no identity given (--identity FILE or REDFLAG_IDENTITY)" if not self.opened else "not readable with it"
        return f"{sum(counts.values())} encrypted {what} of {', '.join(sorted(counts))} not used ({how}): {purpose}"


def check_sealed(org: Organisation, settings: Settings, out: Problems) -> None:
    """Keyless checks: plaintext where recipients are listed, damaged values, recipients that parse."""
    for slug, c in org.collectives.items():
        if c.info is None:
            continue
        for i, r in enumerate(c.info.recipients):
            try:
                crypt.parse_recipient(r)
            except CryptError as e:
                out.add(rel_path("collective", slug), "bad-recipient", str(e), key=("recipients", i))
        if settings.encryption.require and not c.info.recipients and _has_private(org, slug):
            out.add(
                rel_path("collective", slug),
                "no-recipients",
                "the organisation requires encryption ([encryption] require = true in organisation.toml) but this "
                "collective lists no recipients: add recipients = [\"age1…\"] and run 'redflag-coord secrets encrypt'",
            )
    from redflag_coord.org import trustcheck  # issue 28: approvals, and recipients counted in each header

    trust = trustcheck.load(org.root)
    trustcheck.check_approvals(trust, out)
    trustcheck.check_stanzas(
        trust, ((s.file, s.slug, s.key, s.contact, s.value or "") for s in slots(org) if crypt.is_sealed(s.value)), out
    )
    for s in slots(org):
        value = s.value
        assert value is not None
        if crypt.is_sealed(value):
            try:
                crypt.check_form(value)
            except CryptError as e:
                out.add(s.file, "sealed-damaged", str(e), key=s.key)
        elif recipients(org, settings, s.slug, s.contact) or settings.encryption.require:
            out.add(
                s.file,
                "plaintext-private",
                "private value in plain text where it must be encrypted: run "
                f"'redflag-coord secrets encrypt {s.slug}' before committing",
                key=s.key,
            )


def _has_private(org: Organisation, slug: str) -> bool:
    return any(s.slug == slug for s in slots(org))


def withhold(org: Organisation) -> None:
    """Replace every value still sealed by None (a pseudonym by a stand-in): ciphertext goes into no output."""
    for s in list(slots(org)):
        if crypt.is_sealed(s.value):
            s.set(WITHHELD_PSEUDONYM if s.attr == "pseudonym" else None)


def reveal(org: Organisation, settings: Settings, identities: Identities | None, out: Problems) -> Opened:
    """Open every sealed value this identity can read, in place; the rest stay sealed (see `withhold`).

    Errors (file:line:col through `out`): a damaged value; a value sealed without a key that is listed
    for it (re-encrypt); an identity that opens nothing and is listed nowhere (the wrong file).
    """
    result = Opened()
    mine = set(identities.recipients) if identities else set()
    keys = identities.keys if identities else ()
    first_unopened: Slot | None = None
    from redflag_coord.org import trustcheck  # issue 28: each value where it was sealed, by an approved reader

    trust = trustcheck.load(org.root) if keys else None
    for s in list(slots(org)):
        value = s.value
        if not crypt.is_sealed(value):
            continue
        result.sealed += 1
        plain: str | None = None
        if keys:
            listed = {crypt.normal_recipient(r) for r in recipients(org, settings, s.slug, s.contact)}
            try:
                plain = crypt.open_sealed(value or "", keys)
            except CryptError as e:
                if e.kind != "not-for-you":
                    out.add(s.file, "sealed-damaged", str(e), key=s.key)
                elif mine & listed:
                    out.add(
                        s.file,
                        "sealed-stale",
                        f"not encrypted to your key although {identities.path if identities else ''} is listed "
                        "for it: it was sealed to other recipients; run 'redflag-coord secrets reencrypt "
                        f"{s.slug}' with a key that opens it",
                        key=s.key,
                    )
                first_unopened = first_unopened or s
        if plain is not None and trust is not None:
            plain = trustcheck.opened(trust, s.slug, s.file, s.key, s.contact, _place(s), plain, out)
        if plain is None:
            result.withheld[(s.slug, s.contact)] = result.withheld.get((s.slug, s.contact), 0) + 1
        elif _plain_ok(s, plain, out):
            result.opened += 1
            s.set(plain)
        else:
            result.withheld[(s.slug, s.contact)] = result.withheld.get((s.slug, s.contact), 0) + 1
    if identities and result.sealed and not result.opened and not _listed_anywhere(org, settings, mine):
        where = first_unopened
        out.add(
            where.file if where else "organisation.toml",
            "wrong-identity",
            f"the identity in {identities.path} opens none of the {result.sealed} encrypted value(s) and its key is "
            "listed in no collective's recipients: is this the right identity file?",
            key=where.key if where else (),
        )
    return result


def _place(s: Slot) -> str:
    from redflag_coord.org.trustcheck import place

    return place(s.slug, s.file.rsplit("/", 1)[-1].removesuffix(".toml"), s.key, getattr(s.owner, "handle", None))


LONG_TEXT = ("notes", "note")  # Text (20,000 characters); the other private fields are one line of 300


def _plain_ok(s: Slot, plain: str, out: Problems) -> bool:
    """The checks a plain value gets on loading, for a value that was sealed then: never echoing it."""
    limit = 20_000 if s.attr in LONG_TEXT else ONE_LINE_MAX
    if not plain or len(plain) > limit:
        size = "empty" if not plain else f"{len(plain):,} characters"
        out.add(s.file, "bad-value", f"the encrypted value is {size}; 1 to {limit:,} characters are allowed", key=s.key)
        return False
    bad = unsafe_char(plain, s.attr not in LONG_TEXT)
    if bad:
        out.add(s.file, bad[0], f"the encrypted value holds {bad[1]}", key=s.key)
        return False
    return True


def _listed_anywhere(org: Organisation, settings: Settings, mine: set[str]) -> bool:
    listed = set(settings.encryption.mail_senders)
    for c in org.collectives.values():
        if c.info is not None:
            listed.update(crypt.normal_recipient(r) for r in c.info.recipients)
    return bool(mine & listed)


# -- writing ----------------------------------------------------------------------


def doc_slots(doc: Any, kind: str) -> Iterator[tuple[Any, str, tuple[str | int, ...], bool]]:
    """(container, key, key path, is contact) for every private value set in a parsed members/relationships file."""
    if kind == "members":
        for i, m in enumerate(doc.get("member", [])):
            for name in CONTACT:
                if isinstance(m.get(name), str):
                    yield m, name, ("member", i, name), True
    elif kind == "relationships":
        for i, r in enumerate(doc.get("relationship", [])):
            for name in RELATIONSHIP:
                if isinstance(r.get(name), str):
                    yield r, name, ("relationship", i, name), False
            for j, step in enumerate(r.get("history", [])):
                if isinstance(step, dict) and isinstance(step.get("note"), str):
                    yield step, "note", ("relationship", i, "history", j, "note"), False


@dataclass
class Written:
    files: list[str] = field(default_factory=list)
    sealed: int = 0


def private_files(root: Path, slug: str) -> Iterator[tuple[Path, str, str]]:
    for kind in PRIVATE_KINDS:
        rel = rel_path(kind, slug)
        if (root / rel).is_file():
            yield root / rel, rel, kind


def encrypt(
    org: Organisation, slugs: list[str], settings: Settings | None = None, identities: Identities | None = None
) -> Written:
    """Seal every plaintext private value of these collectives to their recipients; sealed values stay as they are.

    Signed with `identities` when it is an approved reader's; otherwise pending (see org.trustseal)."""
    from redflag_coord.org.trustseal import reseal  # issue 28: bound, signed, to approved recipients only

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
        from redflag_coord.org.trustseal import open_bound

        plain = open_bound(plain)  # the clear view shows the value, not its place and signature
        memo[(key, plain)] = value
        container[key] = plain
    return Plain(tomlkit.dumps(doc), memo)


def seal_text(text: str, kind: str, memo: dict[tuple[str, str], str], recipients_for: Any, bind: Any = None) -> str:
    """Seal every plain value again; a value whose plain text is unchanged keeps its exact ciphertext.

    `bind(container, key path, contact, value)`, when given, seals a value bound to its place (org.trustseal)."""
    import tomlkit  # only where a file is read or written keeping its layout: not at start-up

    doc = tomlkit.parse(text)
    for container, key, kpath, contact in doc_slots(doc, kind):
        value = str(container[key])
        if crypt.is_sealed(value):
            continue
        kept = memo.get((key, value))
        if kept is None and bind is not None:
            kept = bind(container, kpath, contact, value)
        container[key] = kept if kept is not None else crypt.seal(value, recipients_for(contact))
    return tomlkit.dumps(doc)


def reencrypt(org: Organisation, slugs: list[str], identities: Identities, settings: Settings | None = None) -> Written:
    """Open and seal again every private value of these collectives to the recipients listed now."""
    from redflag_coord.org.trustseal import reseal  # issue 28: checks every value first, writes all or nothing

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
        for name in ("workplace", "notes"):
            if name in r:
                del r[name]
                removed.append(_key(("relationship", relationship, name)))
        for j, step in enumerate(r.get("history", [])):
            if "note" in step:
                del step["note"]
                removed.append(_key(("relationship", relationship, "history", j, "note")))
    write_if_unchanged(path, raw, tomlkit.dumps(doc).encode("utf-8"))
    return removed


def files() -> Any:
    """How this module finds private values, for org.trustseal (which this module calls)."""
    from redflag_coord.org.trustseal import Files

    return Files(private_files, doc_slots, _need)


def _key(path: tuple[str | int, ...]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


# Addresses that name nobody: documentation domains, GitHub's no-reply addresses, local names.
_PSEUDONYMOUS = (".example", ".invalid", ".test", ".localhost", ".local", "noreply.github.com")
_EXAMPLE_DOMAINS = ("example.org", "example.com", "example.net")


def looks_real(address: str) -> bool:
    """An email address that may lead to a person (a real mail domain)."""
    if "@" not in address:
        return False
    domain = address.rsplit("@", 1)[1].lower().rstrip(".")
    if "." not in domain or domain.endswith(_PSEUDONYMOUS) or "noreply" in domain:
        return False
    return not any(domain == d or domain.endswith("." + d) for d in _EXAMPLE_DOMAINS)


def check_commit_identities(emails: list[str], out: Problems) -> None:
    """A warning (that repeats no address: it ends up in CI logs) when commits carry real-looking addresses."""
    real = {e for e in emails if looks_real(e)}
    if real:
        out.add(
            ".git",
            "commit-identity",
            f"{len(real)} commit author or committer address(es) in recent history look like real email addresses "
            "(not shown); anyone with a clone sees them: commit under a pseudonymous identity (git config "
            "user.email handle@users.noreply.example), see the README's threat model",
            severity="warning",
        )


def check_text(text: str, rel: str, kind: str) -> list[Problem]:
    """Problems of an edited file's text (syntax and model), with line and column, before it is sealed."""
    from pydantic import ValidationError

    from redflag_coord.org.locate import locate, positions
    from redflag_coord.org.model import FILE_MODELS
    from redflag_coord.org.parse import parse_toml, schema_problems

    data, problems = parse_toml(text.encode("utf-8"), rel)
    if data is None:
        return problems
    model = FILE_MODELS[kind]
    try:
        model.model_validate(data)
        return []
    except ValidationError as err:
        table = positions(text)
        return [
            replace(p, line=(pos := locate("", p.key, table))[0], column=pos[1])
            for p in schema_problems(rel, model, err)
        ]
