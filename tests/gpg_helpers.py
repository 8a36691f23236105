"""OpenPGP keys for tests: made with gpg (ed25519, no passphrase) in temporary homes, the agent ended after."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from redflag_coord.sources import signing

GPG = signing.gpg_program()


class Key:
    """A gpg home holding one secret signing key (made `when` on the faked clock, expiring after `expire`)."""

    def __init__(self, name: str, expire: str = "never", when: str | None = None) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="rf-gpg-"))  # short: gpg-agent's socket path has a length limit
        self.clock = ["--faked-system-time", when] if when else []
        self.run(
            "--passphrase",
            "",
            *self.clock,
            "--quick-gen-key",
            f"{name} <{name}@sources.invalid>",
            "ed25519",
            "sign",
            expire,
        )
        listed = self.run("--list-keys", "--with-colons").stdout.decode()
        self.fpr = next(line.split(":")[9] for line in listed.splitlines() if line.startswith("fpr:"))

    def run(self, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        assert GPG is not None
        return subprocess.run(
            [GPG, "--homedir", str(self.home), "--batch", "--no-tty", *args],
            input=input,
            capture_output=True,
            check=True,
        )

    def public(self) -> str:
        return self.run("--armor", "--export", self.fpr).stdout.decode()

    def revoke(self) -> None:
        """Import the revocation certificate gpg wrote when it made the key: the key, exported, is revoked."""
        cert = (self.home / "openpgp-revocs.d" / f"{self.fpr}.rev").read_bytes().replace(b":-----BEGIN", b"-----BEGIN")
        self.run("--import", input=cert)

    def program(self) -> str:
        """A gpg that signs on this key's clock (an expired key signs only before it expired)."""
        if not self.clock:
            assert GPG is not None
            return GPG
        wrapper = self.home / "gpg-then"
        wrapper.write_text(f'#!/bin/sh\nexec {GPG} {" ".join(self.clock)} "$@"\n')
        wrapper.chmod(0o755)
        return str(wrapper)

    def close(self) -> None:
        if shutil.which("gpgconf"):  # the agent gpg started to make the key: ended, not left running
            subprocess.run(["gpgconf", "--homedir", str(self.home), "--kill", "gpg-agent"], capture_output=True)
        shutil.rmtree(self.home, ignore_errors=True)
