"""Private values encrypted at rest: which values, to whom, and reading them (writing: edit.secrets;
checks: check.sealed).

A collective lists its recipients in collective.toml; relationship fields are sealed to them only,
contact fields (email, phone) also to the organisation's mail senders (organisation.toml). A sealed
value is one TOML string "age:…" (see crypt), so files stay valid TOML and a diff shows which value
changed. Writing never re-seals a value whose plain text did not change.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redflag_coord import crypt
from redflag_coord.crypt import CryptError, Identities
from redflag_coord.org.load import COLLECTIVES, Organisation, rel_path
from redflag_coord.org.model import (
    Conversation,
    Distribution,
    Member,
    Relationship,
    Report,
    Settings,
    StageChange,
    private_date,
    private_fields,
)
from redflag_coord.org.problems import Problems
from redflag_coord.org.textcheck import ONE_LINE_MAX, unsafe_char

# Which values are private is the model's to say (`private_field`); these are its answers, in file order.
CONTACT = private_fields(Member)  # email, phone: also sealed to the mail senders
RELATIONSHIP = private_fields(Relationship)  # pseudonym, workplace, notes, next_step, next_due
CONVERSATION = private_fields(Conversation)  # a conversation's date, kind and note: all private (issue 33)
DATES = ("next_due", "date")  # private dates: a TOML date in plain text, its ISO text once opened
# Private values any text holds by chance (a date, a conversation's kind such as "call"): sealed like the
# rest, but no leak finder can look for them in an export (every agenda has dates).
GUESSABLE = (*DATES, "kind")
(HISTORY_NOTE,) = private_fields(StageChange)  # a stage change's note
(SITE,) = private_fields(Distribution)  # a report's distribution site: a place to wait for members
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
                    if getattr(step, HISTORY_NOTE) is not None:
                        key = ("relationship", i, "history", j, HISTORY_NOTE)
                        yield Slot(c.slug, rel, key, False, step, HISTORY_NOTE)
                for j, talk in enumerate(r.conversations):
                    for name in CONVERSATION:
                        if getattr(talk, name) is not None:
                            yield Slot(c.slug, rel, ("relationship", i, "conversation", j, name), False, talk, name)
        for mid, report in c.reports.items():
            yield from report_slots(c.slug, mid, report)


def report_slots(slug: str, meeting: str, report: Report) -> Iterator[Slot]:
    """A report's private values that are set: its distribution sites."""
    for i, d in enumerate(report.red_flag.distribution if report.red_flag else []):
        if getattr(d, SITE) is not None:
            yield Slot(slug, rel_path("report", slug, meeting), (*SITE_PATH, i, SITE), False, d, SITE)


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


def withhold(org: Organisation) -> None:
    """Replace every value still sealed by None (a pseudonym by a stand-in): ciphertext goes into no output."""
    for s in list(slots(org)):
        if crypt.is_sealed(s.value):
            s.set(WITHHELD_PSEUDONYM if s.attr == "pseudonym" else None)
            org.withheld.add((s.file, s.key))


def reveal(
    org: Organisation,
    settings: Settings,
    identities: Identities | None,
    out: Problems,
    trust: Any = None,
    whole: bool = True,
) -> Opened:
    """Open every sealed value this identity can read, in place; the rest stay sealed (see `withhold`).

    Errors (file:line:col through `out`): a damaged value; a value sealed without a key that is listed
    for it (re-encrypt); an identity that opens nothing and is listed nowhere (the wrong file: judged
    only when `org` is the `whole` organisation). `trust`: the approvals, when the caller read them
    already (validate reads them once, not once per streamed report).
    """
    result = Opened()
    mine = set(identities.recipients) if identities else set()
    keys = identities.keys if identities else ()
    first_unopened: Slot | None = None
    from redflag_coord.org import trustcheck  # issue 28: each value where it was sealed, by an approved reader

    if trust is None and keys:
        trust = trustcheck.load(org.root)
    ids: dict[str, list[str | None]] = {}  # each collective's relationship ids, read once
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
            here = _place(org, s, ids)
            # with approvals, a relationship without an id or sharing one (a copy) has no place: withheld
            # (validate names it); before approvals values are used as they are (opened)
            if here is not None or not trust.on:
                plain = trustcheck.opened(trust, s.slug, s.file, s.key, s.contact, here or "", plain, out)
            else:
                plain = None
        if plain is None:
            result.withheld[(s.slug, s.contact)] = result.withheld.get((s.slug, s.contact), 0) + 1
        elif _plain_ok(s, plain, out):
            result.opened += 1
            s.set(plain)
        else:
            result.withheld[(s.slug, s.contact)] = result.withheld.get((s.slug, s.contact), 0) + 1
    if whole and identities and result.sealed and not result.opened and not _listed_anywhere(org, settings, mine):
        where = first_unopened
        out.add(
            where.file if where else "organisation.toml",
            "wrong-identity",
            f"the identity in {identities.path} opens none of the {result.sealed} encrypted value(s) and its key is "
            "listed in no collective's recipients: is this the right identity file?",
            key=where.key if where else (),
        )
    return result


def _place(org: Organisation, s: Slot, ids: dict[str, list[str | None]]) -> str | None:
    """Where the value belongs (trustcheck.place); None for a relationship with no id, or one used twice."""
    from redflag_coord.org.trustcheck import place

    if s.key[0] != "relationship":
        return place(s.slug, file_kind(s.file), s.key, getattr(s.owner, "handle", None))
    if s.slug not in ids:
        ids[s.slug] = relationship_ids(org, s.slug)
    rid = ids[s.slug][int(s.key[1])]
    return place(s.slug, "relationships", s.key, rid) if rid else None


def relationship_ids(org: Organisation, slug: str) -> list[str | None]:
    """Each relationship's id, in file order; None where it has none or shares it with another (a copy)."""
    c = org.collectives.get(slug)
    found = [r.id for r in c.relationships.relationships] if c is not None and c.relationships is not None else []
    from collections import Counter

    counts = Counter(i for i in found if i is not None)
    twice = {i for i, n in counts.items() if n > 1}
    return [None if i in twice else i for i in found]


SITE_PATH = ("red_flag", "distribution")  # a site's key path: red_flag.distribution[i].site
REPORTS = "reports/"  # a report's kind for sealing: "reports/<meeting>", so its place names the report


def file_kind(rel: str) -> str:
    """The kind a private file's values are bound under: members, relationships or reports/<meeting>."""
    parts = rel.removesuffix(".toml").split("/")
    return REPORTS + parts[-1] if len(parts) == 4 and parts[2] == "reports" else parts[-1]


LONG_TEXT = ("notes", "note")  # Text (20,000 characters); the other private fields are one line of 300


def _plain_ok(s: Slot, plain: str, out: Problems) -> bool:
    """The checks a plain value gets on loading, for a value that was sealed then: never echoing it."""
    limit = 20_000 if s.attr in LONG_TEXT else ONE_LINE_MAX
    if not plain or len(plain) > limit:
        size = "empty" if not plain else f"{len(plain):,} characters"
        out.add(s.file, "bad-value", f"the encrypted value is {size}; 1 to {limit:,} characters are allowed", key=s.key)
        return False
    if s.attr in DATES and private_date(plain) is None:
        out.add(s.file, "bad-value", "the encrypted value is not a date (YYYY-MM-DD)", key=s.key)
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
                if _sealable(r.get(name), name):
                    yield r, name, ("relationship", i, name), False
            for j, step in enumerate(r.get("history", [])):
                if isinstance(step, dict) and isinstance(step.get(HISTORY_NOTE), str):
                    yield step, HISTORY_NOTE, ("relationship", i, "history", j, HISTORY_NOTE), False
            for j, talk in enumerate(r.get("conversation", [])):
                for name in CONVERSATION if isinstance(talk, dict) else ():
                    if _sealable(talk.get(name), name):
                        yield talk, name, ("relationship", i, "conversation", j, name), False
    elif kind.startswith(REPORTS):
        flag = doc.get("red_flag")
        for i, d in enumerate(flag.get("distribution", []) if isinstance(flag, dict) else []):
            if isinstance(d, dict) and isinstance(d.get(SITE), str):
                yield d, SITE, (*SITE_PATH, i, SITE), False


def _sealable(value: object, name: str) -> bool:
    """A value `secrets` seals: text, or for a private date a TOML date (sealed as its ISO text)."""
    import datetime as dt

    return isinstance(value, str) or (name in DATES and isinstance(value, dt.date))


def private_files(root: Path, slug: str) -> Iterator[tuple[Path, str, str]]:
    for kind in PRIVATE_KINDS:
        rel = rel_path(kind, slug)
        if (root / rel).is_file():
            yield root / rel, rel, kind
    folder = root / COLLECTIVES / slug / "reports"
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        rel = rel_path("report", slug, path.stem)
        yield path, rel, file_kind(rel)
