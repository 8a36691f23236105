"""The trust core's pieces (issue 28): derived signing keys, the approval chain, envelopes, stanza counts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import DEMO_IDENTITY, DEMO_MAIL_SENDER
from hypothesis import given, settings
from hypothesis import strategies as st

from redflag_coord import crypt
from redflag_coord.crypt import CryptError
from redflag_coord.crypt import trust as sig
from redflag_coord.org.trustcheck import Approval, verify_chain

DEMO_SECRET = "AGE-SECRET-KEY-1WFRGGNQCKVQK3WVH8G8DK2SN5FVSL0NW0QXDSVCMCK5N8AYTDEVQ0SUSW5"


def test_bech32_reads_an_age_secret_key_and_refuses_a_typo() -> None:
    hrp, data = sig.bech32_decode(DEMO_SECRET)
    assert hrp == "age-secret-key-" and len(data) == 32
    typo = DEMO_SECRET[:-2] + ("Q" if DEMO_SECRET[-2] != "Q" else "P") + DEMO_SECRET[-1]
    with pytest.raises(CryptError, match="checksum"):
        sig.bech32_decode(typo)


def test_signing_key_is_derived_the_same_every_time_and_differs_per_identity() -> None:
    a = sig.signers(crypt.read_identities(DEMO_IDENTITY))[0]
    again = sig.signers(crypt.read_identities(DEMO_IDENTITY))[0]
    other = sig.signers(crypt.read_identities(DEMO_MAIL_SENDER))[0]
    assert a.public == again.public != other.public
    assert a.recipient == crypt.read_identities(DEMO_IDENTITY).recipients[0]


def _chain(tmp_path: Path) -> tuple[list[Approval], list[sig.Signer]]:
    people = []
    for who in ("a", "b", "c"):
        crypt.write_identity(tmp_path / who)
        people.append(sig.signers(crypt.read_identities(tmp_path / who))[0])
    a, b, c = people

    def approval(version: int, previous: Approval | None, readers: list[sig.Signer], by: sig.Signer) -> Approval:
        new = Approval(
            version,
            previous.digest("x") if previous else "",
            tuple(sorted(r.recipient for r in readers)),
            (),
            True,
            tuple(sorted((r.recipient, r.public) for r in readers)),
            by.public,
        )
        return dataclasses.replace(new, signature=by.sign(sig.APPROVAL_DOMAIN, new.body("x")))

    first = approval(1, None, [a], a)
    second = approval(2, first, [a, b], a)
    third = approval(3, second, [b, c], b)
    return [first, second, third], people


def test_chain_holds_only_when_each_approval_is_signed_by_a_reader_before_it(tmp_path: Path) -> None:
    chain, (_, _, c) = _chain(tmp_path)
    assert verify_chain("x", chain) is None
    assert verify_chain("y", chain) is not None  # bound to its collective: not copied from another
    edited = dataclasses.replace(chain[1], recipients=(*chain[1].recipients, c.recipient))
    assert "does not verify" in (verify_chain("x", [chain[0], edited]) or "")
    assert "version" in (verify_chain("x", [chain[0], chain[2]]) or "")
    # c, approved only in the third version, cannot have signed the second.
    forged = dataclasses.replace(chain[1], by=c.public, signature=c.sign(sig.APPROVAL_DOMAIN, chain[1].body("x")))
    assert "not a reader" in (verify_chain("x", [chain[0], forged]) or "")


def test_envelope_binds_place_and_signer() -> None:
    me = sig.signers(crypt.read_identities(DEMO_IDENTITY))[0]
    env = sig.unwrap(sig.wrap("la/members/rosa/email", "line one\nline two", me))
    assert env is not None and env.authentic() and env.value == "line one\nline two"
    moved = dataclasses.replace(env, place="la/members/carmen/email")
    assert not moved.authentic()
    pending = sig.unwrap(sig.wrap("la/members/rosa/email", "x", None))
    assert pending is not None and pending.pending and not pending.authentic()
    assert sig.unwrap("rosa@example.org") is None  # a value sealed before values were bound


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=1, max_value=6))
def test_stanzas_count_recipients_not_grease(n: int) -> None:
    recipients = [crypt.generate()[1] for _ in range(n)]
    assert sig.stanzas(crypt.seal("x", recipients)) == n
