"""Signing keys derived from age identities, signatures, and the envelope that binds a sealed value to its place.

Why signatures at all: age encrypts, it does not authenticate the sender. Anyone holding the public
recipients can seal a value, so without a signature a forged email or a value moved from another
member is indistinguishable from an honest one (issue 28).

Each reader's Ed25519 signing key is DERIVED from their age identity (HKDF-SHA256 over the secret
key's 32 bytes, or over an OpenSSH ed25519 key's seed), so there is no second key to keep: the identity
file is the only secret. Signing and verifying use the `cryptography` library (Ed25519 and HKDF from
OpenSSL, widely reviewed); pyrage exposes no signing. Pure crypto on strings: knows nothing of files.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where a key is made or a signature checked: `validate` without approvals never
    # loads the library (about a fifth of its peak memory, for a run that signs and verifies nothing)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from redflag_coord.crypt import PREFIX, CryptError, Identities, normal_recipient

SIGN_PREFIX = "ed25519:"  # a signing public key: "ed25519:" + 32 bytes in standard base64
_HKDF_INFO = b"redflag-coord signing key v1"
ENVELOPE = "redflag-value-v1"  # first line of every bound value's plain text
VALUE_DOMAIN = b"redflag-coord value v1\n"
APPROVAL_DOMAIN = b"redflag-coord approval v1\n"
RETENTION_DOMAIN = b"redflag-coord retention v1\n"  # a reader vouching for the day a table's values may go
PENDING = "-"  # signer and signature of a value sealed by someone who is not a reader


# -- bech32 (BIP 173), only to read an AGE-SECRET-KEY-1… line ----------------------------------------

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def bech32_decode(text: str) -> tuple[str, bytes]:
    """(human-readable part, data bytes) of a bech32 string; CryptError on a bad checksum or character."""
    s = text.strip().lower()
    pos = s.rfind("1")
    if pos < 1 or pos + 7 > len(s):
        raise CryptError("bad-identity", "not a bech32 key")
    hrp, rest = s[:pos], s[pos + 1 :]
    try:
        data = [_CHARSET.index(c) for c in rest]
    except ValueError:
        raise CryptError("bad-identity", "not a bech32 key (a character outside its alphabet)") from None
    if _polymod([ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + data) != 1:
        raise CryptError("bad-identity", "bech32 checksum does not match: the key was mistyped")
    acc, bits, out = 0, 0, bytearray()
    for v in data[:-6]:
        acc = (acc << 5) | v
        bits += 5
        if bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    return hrp, bytes(out)


# -- signing keys ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    """A reader's signing key, derived from one identity, with the recipient that identity opens."""

    recipient: str  # normal form (see crypt.normal_recipient)
    key: Ed25519PrivateKey

    @property
    def public(self) -> str:
        from cryptography.hazmat.primitives import serialization

        raw = self.key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return SIGN_PREFIX + base64.b64encode(raw).decode("ascii")

    def sign(self, domain: bytes, data: bytes) -> str:
        return base64.b64encode(self.key.sign(domain + data)).decode("ascii")


def _derive(secret: bytes) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(secret)
    return Ed25519PrivateKey.from_private_bytes(seed)


def signers(ids: Identities) -> list[Signer]:
    """The signing keys of an identity: one per age secret key, or one for an OpenSSH ed25519 key.

    From the keys already read (and unlocked: a protected file, a command's output), never the file again.
    """
    if ids.ssh_seed is not None:
        return [Signer(normal_recipient(ids.recipients[0]), _derive(ids.ssh_seed))]
    found = []
    for key in ids.keys:
        hrp, secret = bech32_decode(str(key))  # pyrage's x25519 identity prints its AGE-SECRET-KEY-1… text
        if hrp != "age-secret-key-" or len(secret) != 32:
            raise CryptError("bad-identity", f"{ids.path}: not an age X25519 secret key")
        found.append(secret)
    return [Signer(r, _derive(s)) for r, s in zip(ids.recipients, found, strict=True)]


def valid_public(text: str) -> bool:
    return _public(text) is not None


def _public(text: str) -> Ed25519PublicKey | None:
    if not text.startswith(SIGN_PREFIX):
        return None
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        raw = base64.b64decode(text[len(SIGN_PREFIX) :], validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        return None


def verify(public: str, domain: bytes, data: bytes, signature: str) -> bool:
    key = _public(public)
    if key is None:
        return False
    from cryptography.exceptions import InvalidSignature

    try:
        key.verify(base64.b64decode(signature, validate=True), domain + data)
        return True
    except (binascii.Error, ValueError, InvalidSignature):
        return False


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- the envelope of a sealed value -----------------------------------------------------------------


@dataclass(frozen=True)
class Envelope:
    """What a bound value's plain text holds: where it belongs, who vouched for it, and the value."""

    place: str
    signer: str  # a signing public key, or PENDING
    signature: str
    value: str

    @property
    def pending(self) -> bool:
        return self.signer == PENDING

    def authentic(self) -> bool:
        return not self.pending and verify(self.signer, VALUE_DOMAIN, _signed(self.place, self.value), self.signature)


def _signed(place: str, value: str) -> bytes:
    return f"{place}\n{value}".encode()


def wrap(place: str, value: str, signer: Signer | None) -> str:
    """The plain text to seal: the value bound to its place, signed when the sealer is a reader."""
    if signer is None:
        return f"{ENVELOPE}\n{place}\n{PENDING}\n{PENDING}\n{value}"
    return f"{ENVELOPE}\n{place}\n{signer.public}\n{signer.sign(VALUE_DOMAIN, _signed(place, value))}\n{value}"


def unwrap(plain: str) -> Envelope | None:
    """The envelope of an opened value; None for a value sealed before values were bound (legacy)."""
    parts = plain.split("\n", 4)
    if len(parts) < 5 or parts[0] != ENVELOPE:
        return None
    return Envelope(parts[1], parts[2], parts[3], parts[4])


# -- a vouched retention date -------------------------------------------------------------------------


@dataclass(frozen=True)
class Vouch:
    """`<day> <signing key> <signature>`: a reader says a table's private values may go from `day`, not before."""

    day: str  # ISO date, as signed
    signer: str
    signature: str

    def text(self) -> str:
        return f"{self.day} {self.signer} {self.signature}"

    def verifies(self, place: str) -> bool:
        return verify(self.signer, RETENTION_DOMAIN, _signed(place, self.day), self.signature)


def vouch(signer: Signer, place: str, day: str) -> Vouch:
    """The vouch of `signer` that the values at `place` (its date key's place) may go from `day`."""
    return Vouch(day, signer.public, signer.sign(RETENTION_DOMAIN, _signed(place, day)))


def read_vouch(text: str) -> Vouch | None:
    """The vouch a `*_vouched` value holds; None when it is not one (then nothing is vouched)."""
    parts = text.split(" ")
    if len(parts) != 3 or not valid_public(parts[1]):
        return None
    return Vouch(*parts)


# -- what a sealed value shows without a key ---------------------------------------------------------


def stanzas(value: str) -> int | None:
    """How many recipients a sealed value was encrypted to, read from the age header (text, no key needed).

    Counts X25519 and ssh-ed25519 stanzas (age also writes random 'grease' stanzas, not counted);
    None when the value is not a readable age file.
    """
    if not value.startswith(PREFIX):
        return None
    try:
        data = base64.b64decode(value[len(PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        return None
    end = data.find(b"\n--- ")
    if end < 0:
        return None
    return sum(
        1 for line in data[:end].split(b"\n") if line.startswith(b"-> X25519 ") or line.startswith(b"-> ssh-ed25519 ")
    )
