"""Reading identities (secret keys): plain or passphrase-protected files, or a command's output.

Where an identity comes from, first found wins: --identity FILE, REDFLAG_IDENTITY (a file),
REDFLAG_IDENTITY_COMMAND (a command whose output is the identity: a password manager, an agent).
What it may be:
- an age identity file (AGE-SECRET-KEY-1… lines, '#' comments);
- the same protected with a passphrase (`age -p`, or `secrets keygen --passphrase`): an age file, binary
  or armored, sealed with scrypt;
- an OpenSSH ed25519 private key, with or without a passphrase.
A passphrase comes from REDFLAG_PASSPHRASE_COMMAND (its output, one line) or a prompt on the terminal
(never echoed); with neither, an error says how to give one. Decrypted keys stay in memory only.

A file that others may read or write is refused (as ssh does), except the published DEMO identities:
a protected key in a shared folder still invites offline guessing of its passphrase.
"""

from __future__ import annotations

import base64
import binascii
import os
import shlex
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

from redflag_coord.crypt.kinds import CryptError, Identities

# The published DEMO identities of the example organisation (tests/keys/): everyone holds them.
DEMO_RECIPIENTS = frozenset(
    {
        "age1drhyk3ftvar42gudee02u2z3l34ztfs4uf2sngzf5kwj2kquf4js7952xy",  # tests/keys/demo-identity.txt
        "age1mw6vfxh3tvkt7fh9zwes5ycxdhqppegxl4pewl4ukt3u27keeg8sy6fltu",  # tests/keys/demo-mail-sender.txt
    }
)
AGE_HEADER = b"age-encryption.org/v1\n"
ARMOR_BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
ARMOR_END = b"-----END AGE ENCRYPTED FILE-----"
SSH_BEGIN = b"-----BEGIN OPENSSH PRIVATE KEY-----"
HOW = (
    "set REDFLAG_PASSPHRASE_COMMAND to a command that prints the passphrase (e.g. 'pass show redflag'), "
    "or REDFLAG_IDENTITY_COMMAND to one that prints the identity, or run it in a terminal"
)

Asker = Callable[[str], str]  # prompt -> passphrase


def source_from_env(option: str | Path | None) -> tuple[str, str] | None:
    """('file', path) or ('command', command line) for the identity to use, or None when none is given."""
    if option:
        return "file", str(option)
    if os.environ.get("REDFLAG_IDENTITY"):
        return "file", os.environ["REDFLAG_IDENTITY"]
    if os.environ.get("REDFLAG_IDENTITY_COMMAND", "").strip():
        return "command", os.environ["REDFLAG_IDENTITY_COMMAND"]
    return None


def load(option: str | Path | None, ask: Asker | None = None) -> Identities | None:
    """The identities from the option or the environment (see the module's docstring), or None."""
    found = source_from_env(option)
    if found is None:
        return None
    kind, where = found
    if kind == "command":
        raw = run_command("REDFLAG_IDENTITY_COMMAND", where)
        return parse(raw, "the output of REDFLAG_IDENTITY_COMMAND", ask)
    return read_file(where, ask)


def read_file(path: Path | str, ask: Asker | None = None) -> Identities:
    try:
        raw = Path(path).read_bytes()
        mode = Path(path).stat().st_mode
    except OSError as e:
        raise CryptError("bad-identity", f"{path}: cannot read the identity file: {e.strerror or e}") from None
    if mode & 0o077 and not _is_demo(raw):
        raise CryptError(
            "bad-identity",
            f"{path}: other users may read or change this identity (mode {stat.filemode(mode)}); "
            f"it is not used: run 'chmod 600 {shlex.quote(str(path))}' (and treat it as exposed if others read it)",
        )
    return parse(raw, str(path), ask)


def _is_demo(raw: bytes) -> bool:
    try:
        keys = _age_keys(raw, "")
    except CryptError:
        return False
    return all(str(k.to_public()) in DEMO_RECIPIENTS for k in keys)


def parse(raw: bytes, where: str, ask: Asker | None = None) -> Identities:
    """Identities from the bytes of an identity (plain, protected or ssh); `where` names it in messages."""
    stripped = raw.strip()
    if stripped.startswith(AGE_HEADER) or stripped.startswith(ARMOR_BEGIN):
        inner = _unprotect(stripped, where, ask)
        if inner.strip().startswith(AGE_HEADER) or inner.strip().startswith(ARMOR_BEGIN):
            raise CryptError("bad-identity", f"{where}: protected twice; protect the identity once")
        return parse(inner, where, ask)
    if SSH_BEGIN in raw:
        return _ssh(raw, where, ask)
    keys = _age_keys(raw, where)
    return Identities(where, tuple(keys), tuple(str(k.to_public()) for k in keys))


def _age_keys(raw: bytes, where: str) -> list:
    import pyrage  # type: ignore[import-untyped]  # compiled, without stubs; here: only a command given a key loads it

    keys = []
    for number, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            keys.append(pyrage.x25519.Identity.from_str(line))
        except (pyrage.IdentityError, ValueError):
            raise CryptError(
                "bad-identity", f"{where}:{number}: not an age secret key (AGE-SECRET-KEY-1…); is this the right file?"
            ) from None
    if not keys:
        raise CryptError("bad-identity", f"{where}: holds no AGE-SECRET-KEY-1… line")
    return keys


def _dearmor(data: bytes, where: str) -> bytes:
    if not data.startswith(ARMOR_BEGIN):
        return data
    body = data[len(ARMOR_BEGIN) :].split(ARMOR_END)[0]
    try:
        return base64.b64decode(b"".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        raise CryptError("bad-identity", f"{where}: the armored age file is damaged") from None


def _unprotect(data: bytes, where: str, ask: Asker | None) -> bytes:
    binary = _dearmor(data, where)
    if b"\n-> scrypt " not in binary.split(b"\n---", 1)[0]:
        raise CryptError(
            "bad-identity",
            f"{where}: an age file encrypted to a key, not with a passphrase: decrypt it with age first "
            "(an identity may be protected only with a passphrase: 'age -p')",
        )
    import pyrage

    passphrase = passphrase_for(where, ask)
    try:
        return bytes(pyrage.passphrase.decrypt(binary, passphrase))
    except pyrage.DecryptError:
        raise CryptError("bad-identity", f"{where}: wrong passphrase (or a damaged file)") from None


def _ssh(raw: bytes, where: str, ask: Asker | None) -> Identities:
    """An OpenSSH ed25519 key. pyrage refuses protected ones ("must be decrypted first"), so `cryptography`
    decrypts them, and hands pyrage the unprotected key in memory; it also gives the public key, which
    pyrage cannot derive."""
    import pyrage
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    password: bytes | None = None
    if _ssh_protected(raw):
        password = passphrase_for(where, ask).encode("utf-8")
    try:
        key = serialization.load_ssh_private_key(raw, password=password)
    except ValueError as e:
        why = "wrong passphrase (or a damaged key)" if password is not None else f"not a usable OpenSSH key ({e})"
        raise CryptError("bad-identity", f"{where}: {why}") from None
    except TypeError as e:  # password given for an unprotected key, or missing for a protected one
        raise CryptError("bad-identity", f"{where}: {e}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CryptError("bad-identity", f"{where}: only ssh-ed25519 keys are supported (age cannot use others)")
    plain = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )
    try:
        ident = pyrage.ssh.Identity.from_buffer(plain)
    except (pyrage.IdentityError, ValueError) as e:  # pragma: no cover - cryptography wrote a valid key
        raise CryptError("bad-identity", f"{where}: cannot use this ssh key ({e})") from None
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return Identities(where, (ident,), (public.decode("ascii"),), ssh_seed=seed)


def _ssh_protected(raw: bytes) -> bool:
    """Whether an OpenSSH key is passphrase-protected: its cipher name is not 'none'."""
    body = raw.split(SSH_BEGIN, 1)[1].split(b"-----END", 1)[0]
    try:
        data = base64.b64decode(b"".join(body.split()))
    except (binascii.Error, ValueError):
        return False  # load_ssh_private_key says what is wrong
    magic = b"openssh-key-v1\0"
    if not data.startswith(magic) or len(data) < len(magic) + 4:
        return False
    n = int.from_bytes(data[len(magic) : len(magic) + 4], "big")
    return data[len(magic) + 4 : len(magic) + 4 + n] != b"none"


def run_command(variable: str, command: str) -> bytes:
    """The output of the command in `variable` (the user's own setting: run without a shell)."""
    try:
        done = subprocess.run(shlex.split(command), stdout=subprocess.PIPE, check=False)
    except (OSError, ValueError) as e:
        raise CryptError(
            "bad-identity", f"{variable}: cannot run {command!r}: {getattr(e, 'strerror', None) or e}"
        ) from None
    if done.returncode != 0:
        raise CryptError("bad-identity", f"{variable}: {command!r} exited with {done.returncode}; no identity used")
    if not done.stdout.strip():
        raise CryptError("bad-identity", f"{variable}: {command!r} printed nothing")
    return bytes(done.stdout)


def has_terminal() -> bool:
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False
    os.close(fd)
    return True


def passphrase_for(where: str, ask: Asker | None = None) -> str:
    """The passphrase of a protected identity: REDFLAG_PASSPHRASE_COMMAND, else a prompt on the terminal."""
    command = os.environ.get("REDFLAG_PASSPHRASE_COMMAND", "").strip()
    if command:
        text = run_command("REDFLAG_PASSPHRASE_COMMAND", command).decode("utf-8", errors="strict")
        return text.splitlines()[0] if text.strip() else ""
    if ask is None:
        if not has_terminal():
            raise CryptError("no-passphrase", f"{where} is protected with a passphrase and there is no terminal: {HOW}")
        import getpass

        ask = getpass.getpass
    return ask(f"passphrase for {where}: ")


def new_passphrase(ask: Asker | None = None) -> str:
    """A passphrase for a new protected identity: REDFLAG_PASSPHRASE_COMMAND, else asked twice on the terminal."""
    command = os.environ.get("REDFLAG_PASSPHRASE_COMMAND", "").strip()
    if command:
        text = run_command("REDFLAG_PASSPHRASE_COMMAND", command).decode("utf-8")
        chosen = text.splitlines()[0] if text.strip() else ""
    else:
        if ask is None:
            if not has_terminal():
                raise CryptError(
                    "no-passphrase",
                    "a new passphrase is needed and there is no terminal: run it in a terminal, or set "
                    "REDFLAG_PASSPHRASE_COMMAND to a command that prints the passphrase",
                )
            import getpass

            ask = getpass.getpass
        chosen = ask("new passphrase: ")
        if ask("the same passphrase again: ") != chosen:
            raise CryptError("no-passphrase", "the two passphrases differ; nothing was written")
    if len(chosen) < 8:
        raise CryptError("no-passphrase", "a passphrase of at least 8 characters is needed (a few words are best)")
    return chosen


def protect(text: str, passphrase: str) -> bytes:
    """An identity's text sealed with a passphrase: the armored age file 'age -a -p' would write."""
    import pyrage

    data = bytes(pyrage.passphrase.encrypt(text.encode("utf-8"), passphrase))
    body = base64.b64encode(data)
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return ARMOR_BEGIN + b"\n" + b"\n".join(lines) + b"\n" + ARMOR_END + b"\n"
