"""The error and the key types of crypt, in a module of their own so that crypt.identity needs no import of crypt."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from redflag_coord.errors import RedflagError


class CryptError(RedflagError):
    """A key, identity or sealed value that cannot be used. `kind` says which, for the caller's wording.

    An identity that cannot be read, unlocked or written is how the command was called (--identity,
    keygen's path, a missing passphrase): exit 2. A recipient or a sealed value is the data: exit 1.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message, usage=kind in ("bad-identity", "no-passphrase"))
        self.kind = kind  # bad-recipient | bad-identity | no-passphrase | corrupt | not-for-you


Recipient = Any  # pyrage.x25519.Recipient | pyrage.ssh.Recipient (pyrage has no type stubs)
Identity = Any  # pyrage.x25519.Identity | pyrage.ssh.Identity


@dataclass(frozen=True)
class Identities:
    """The secret keys read from one identity file, and the public keys (recipients) they open."""

    path: str
    keys: tuple[Identity, ...]
    recipients: tuple[str, ...]  # 'age1…', or 'ssh-ed25519 KEY' (derived by cryptography: pyrage cannot)
    # An ssh key's 32-byte ed25519 seed, decrypted, in memory only: its signing key derives from it (crypt.trust),
    # and pyrage's ssh identity does not give it back. None for age keys (their text gives the secret).
    ssh_seed: bytes | None = field(default=None, repr=False)
