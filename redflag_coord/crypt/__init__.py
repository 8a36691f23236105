"""age encryption of single text values (pyrage): seal, open, keys and identities.

Pure crypto on plain strings; knows nothing of the organisation's files (see org.secrets).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import errno
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from redflag_coord.crypt.kinds import CryptError as CryptError  # re-exported: crypt's callers use these names
from redflag_coord.crypt.kinds import Identities as Identities
from redflag_coord.crypt.kinds import Identity as Identity
from redflag_coord.crypt.kinds import Recipient as Recipient
from redflag_coord.crypt.padding import pad, unpad

PREFIX = "age:"  # a sealed value: "age:" + the age binary format in standard base64, no armor
_HEADER = b"age-encryption.org/v1\n"
MAX_SEALED = 100_000  # characters: a sealed 20,000-character note to a few dozen recipients fits


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def normal_recipient(text: str) -> str:
    """The comparable form of a recipient: 'age1…' as is, 'ssh-ed25519 KEY' without its comment."""
    parts = text.split()
    if len(parts) >= 2 and parts[0] == "ssh-ed25519":
        return f"{parts[0]} {parts[1]}"
    return text.strip()


def parse_recipient(text: str) -> Recipient:
    """An age X25519 recipient ('age1…') or an OpenSSH ed25519 public key ('ssh-ed25519 AAAA… comment')."""
    import pyrage  # type: ignore[import-untyped]  # compiled, without stubs; imported where used: an organisation without keys never loads it

    text = text.strip()
    try:
        if text.startswith("age1"):
            return pyrage.x25519.Recipient.from_str(text)
        if text.startswith("ssh-ed25519 "):
            return pyrage.ssh.Recipient.from_str(normal_recipient(text))
    except (pyrage.RecipientError, ValueError) as e:
        raise CryptError("bad-recipient", f"not a valid key ({e}): copy the whole public key") from None
    raise CryptError(
        "bad-recipient",
        "expected an age recipient ('age1…') or an ssh-ed25519 public key ('ssh-ed25519 AAAA…'); "
        "other ssh key types are not accepted",
    )


def generate() -> tuple[str, str]:
    """A new X25519 identity: (secret key text, its recipient)."""
    import pyrage

    ident = pyrage.x25519.Identity.generate()
    return str(ident), str(ident.to_public())


def read_identities(path: Path | str) -> Identities:
    """Keys from an identity file: age (plain or passphrase-protected) or OpenSSH ed25519 (see crypt.identity)."""
    from redflag_coord.crypt.identity import read_file

    return read_file(path)


def seal(plain: str, recipients: Sequence[str]) -> str:
    """Encrypt `plain` to every recipient; one line of text starting with PREFIX."""
    if not recipients:
        raise CryptError("bad-recipient", "no recipients to encrypt to")
    import pyrage

    parsed = [parse_recipient(r) for r in recipients]
    try:
        data = pyrage.encrypt(pad(plain.encode("utf-8")), parsed)  # padded: the length shows only a bucket
    except pyrage.EncryptError as e:  # pragma: no cover - only mixed or no recipients
        raise CryptError("bad-recipient", str(e)) from None
    return PREFIX + base64.b64encode(data).decode("ascii")


def _decode(value: str) -> bytes:
    body = value[len(PREFIX) :]
    if len(value) > MAX_SEALED:
        raise CryptError("corrupt", f"encrypted value is {len(value):,} characters, over {MAX_SEALED:,}")
    try:
        data = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise CryptError("corrupt", "encrypted value is not valid base64: it was cut short or edited") from None
    if not data.startswith(_HEADER) or b"\n--- " not in data:
        raise CryptError("corrupt", "encrypted value has no complete age header: it was cut short or edited")
    return data


def check_form(value: str) -> None:
    """Check what can be checked without a key (base64, header); raises CryptError('corrupt')."""
    _decode(value)


def open_sealed(value: str, identities: Iterable[Identity]) -> str:
    """The plain text of a sealed value. CryptError 'not-for-you' when no identity opens it, 'corrupt' otherwise."""
    import pyrage

    data = _decode(value)
    try:
        plain = pyrage.decrypt(data, list(identities))
    except pyrage.DecryptError as e:
        if "No matching keys" in str(e):
            raise CryptError("not-for-you", "not encrypted to this identity") from None
        raise CryptError("corrupt", f"encrypted value is damaged ({e}): it was cut short or edited") from None
    try:
        text = unpad(plain)
    except ValueError:
        raise CryptError("corrupt", "encrypted value has broken padding: it was edited") from None
    try:
        return (plain if text is None else text).decode("utf-8")  # None: sealed before padding existed
    except UnicodeDecodeError:
        raise CryptError("corrupt", "encrypted value does not hold UTF-8 text") from None


def write_identity(path: Path | str, passphrase: str | None = None) -> str:
    """Create a new identity file (mode 0600, never overwriting one); returns its recipient.

    With a passphrase the file is an armored age file sealed with it ('age -d' opens it too).
    """
    return new_identity(path, passphrase).recipients[0]


def _remove_folders(made: list[Path]) -> None:
    for folder in made:  # deepest first; only if empty: never what someone else put there
        with contextlib.suppress(OSError):
            folder.rmdir()


def _cannot_write(path: Path, e: OSError) -> str:
    fix = {
        errno.ENOSPC: "the disk is full; nothing was written: free some space",
        errno.EROFS: "the file system is read-only; nothing was written: choose a writable place (--identity FILE)",
    }.get(e.errno or 0, f"{e.strerror or e}; nothing was written: make its folder writable or choose another")
    return f"cannot write {path}: {fix}, then run the command again"


def new_identity(path: Path | str, passphrase: str | None = None) -> Identities:
    """write_identity, returning the new key itself (in memory) so its holder can sign at once (`init`)."""
    import pyrage

    secret, recipient = generate()
    path = Path(path)
    text = (
        f"# redflag-coord identity: keep it secret, keep it out of the repository\n# recipient: {recipient}\n{secret}\n"
    )
    data = text.encode("utf-8")
    if passphrase is not None:
        from redflag_coord.crypt.identity import protect

        data = protect(text, passphrase)  # no comment outside the armor: age would refuse the file
    made = [p for p in path.parents if not p.exists()]  # the folders it makes, removed again on failure
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CryptError("bad-identity", f"{path} exists; not overwriting an identity (choose another file)") from None
    except OSError as e:
        _remove_folders(made)
        raise CryptError("bad-identity", _cannot_write(path, e)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except OSError as e:  # a full disk: no half-written key left behind
        with contextlib.suppress(OSError):
            os.unlink(path)
        _remove_folders(made)
        raise CryptError("bad-identity", _cannot_write(path, e)) from None
    return Identities(str(path), (pyrage.x25519.Identity.from_str(secret),), (recipient,))


AGE_FILE_HEADER = _HEADER  # what an age file (a sealed bundle) starts with


def seal_bytes(data: bytes, recipients: Sequence[str]) -> bytes:
    """A whole file (a source's bundle) encrypted to every recipient, in age's binary format (no padding:
    a bundle's size says little beyond how much the collective shared)."""
    import pyrage

    if not recipients:
        raise CryptError("bad-recipient", "no recipients to encrypt to")
    try:
        return bytes(pyrage.encrypt(data, [parse_recipient(r) for r in recipients]))
    except pyrage.EncryptError as e:  # pragma: no cover - only mixed or no recipients
        raise CryptError("bad-recipient", str(e)) from None


def open_bytes(data: bytes, identities: Iterable[Identity]) -> bytes:
    """The contents of a file `seal_bytes` wrote; CryptError 'not-for-you' or 'corrupt'."""
    import pyrage

    try:
        return bytes(pyrage.decrypt(data, list(identities)))
    except pyrage.DecryptError as e:
        if "No matching keys" in str(e):
            raise CryptError("not-for-you", "not encrypted to this identity") from None
        raise CryptError("corrupt", f"the sealed file is damaged ({e}): copy it again") from None
