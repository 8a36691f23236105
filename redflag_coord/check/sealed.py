"""Checks of private values and identities: sealed where recipients are listed, commit identities,
an edited file's text."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from redflag_coord import crypt
from redflag_coord.crypt import CryptError
from redflag_coord.org.load import Organisation, rel_path
from redflag_coord.org.model import Settings
from redflag_coord.org.problems import Problem, Problems
from redflag_coord.org.secrets import RELATIONSHIP, Slot, recipients, slots
from redflag_coord.org.settings import SETTINGS_FILE, reserved_domain


def check_sealed(org: Organisation, settings: Settings, out: Problems) -> None:
    """Keyless checks: plaintext where recipients are listed (an error) or not (a warning), damaged values,
    recipients that parse."""
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
    from redflag_coord.check import trust as trustcheck  # issue 28: approvals, recipients counted in each header

    trust = trustcheck.load(org.root)
    trustcheck.check_approvals(trust, out)
    _check_ids(org, trust.on, out)
    check_values(org, settings, list(slots(org)), trust, out)


def check_values(org: Organisation, settings: Settings, found: list[Slot], trust: Any, out: Problems) -> None:
    """The keyless checks of each private value: sealed where it must be, well-formed, to the approved count.

    `validate` streams reports: it calls this once more per report, for its distribution sites."""
    from redflag_coord.check import trust as trustcheck

    trustcheck.check_stanzas(
        trust, ((s.file, s.slug, s.key, s.contact, s.value or "") for s in found if crypt.is_sealed(s.value)), out
    )
    # An organisation is one with an organisation.toml (`init` writes one for every real organisation); a
    # bare data folder (a copy of collectives/, as tests and the bad-input corpus make) is not judged, as
    # with the DEMO keys (check/keychecks.py).
    judged = (Path(org.root) / SETTINGS_FILE).is_file()
    for s in found:
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
        elif judged:  # an organisation without encryption (init --no-encryption, or older): said, not refused
            out.add(s.file, "plaintext-private", _unprotected(s.slug), key=s.key, severity="warning")


def _unprotected(slug: str) -> str:
    return (
        "private value in plain text that every clone reads (this organisation does not require encryption): "
        "make a key ('redflag-coord secrets keygen --passphrase'), list its recipient in "
        f"{rel_path('collective', slug)} (recipients = [\"age1…\"]), run 'redflag-coord secrets encrypt {slug}', "
        "and set [encryption] require = true in organisation.toml"
    )


def _check_ids(org: Organisation, bound: bool, out: Problems) -> None:
    """Relationships' ids (their sealed values are bound to them): none missing where a value is sealed, none twice."""
    for slug, c in org.collectives.items():
        if c.relationships is None:
            continue
        rel = rel_path("relationships", slug)
        seen: dict[str, int] = {}
        for i, r in enumerate(c.relationships.relationships):
            if r.id is not None and r.id in seen:
                out.add(
                    rel,
                    "relationship-id",
                    f"the id of relationship[{seen[r.id]}] again: one is a copy, and no value of either is used; "
                    "if this one was copied to make a new relationship, delete its id line and run "
                    f"'redflag-coord secrets encrypt {slug}' (it gets a new id)",
                    key=("relationship", i, "id"),
                )
            elif r.id is None and bound and any(crypt.is_sealed(getattr(r, f)) for f in RELATIONSHIP):
                out.add(
                    rel,
                    "relationship-id",
                    "no id, so its sealed values are bound to nothing that stays put and none is used: a reader "
                    "runs 'redflag-coord secrets migrate' (it gives every relationship an id)",
                    key=("relationship", i),
                )
            if r.id is not None:
                seen.setdefault(r.id, i)


def _has_private(org: Organisation, slug: str) -> bool:
    return any(s.slug == slug for s in slots(org))


# Addresses that name nobody: documentation domains, GitHub's no-reply addresses, local names.
# Addresses that name nobody: reserved domains (settings.RESERVED_DOMAINS), no-reply addresses, local names.


def looks_real(address: str) -> bool:
    """An email address that may lead to a person (a real mail domain)."""
    if "@" not in address:
        return False
    domain = address.rsplit("@", 1)[1].lower().rstrip(".")
    return not ("." not in domain or reserved_domain(domain) or domain.endswith(".local") or "noreply" in domain)


def check_commit_identities(emails: list[str], out: Problems) -> None:
    """A warning (that repeats no address: it ends up in CI logs) when commits carry real-looking addresses."""
    real = {e for e in emails if looks_real(e)}
    if real:
        out.add(
            ".git",
            "commit-identity",
            f"{len(real)} commit author or committer address(es) in recent history look like real email addresses "
            "(not shown); anyone with a clone sees them: commit under a pseudonymous identity (git config "
            "user.email handle@users.noreply.example), see docs/privacy.md, Threat model",
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
