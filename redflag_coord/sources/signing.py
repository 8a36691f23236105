"""Every new commit of a source signed by a key sources.toml lists for it: SSH or OpenPGP, checked by git itself.

git reads each commit's signature (`git log --format=%G?`) with only the listed keys in reach: SSH keys in
an allowed signers file, OpenPGP keys in a temporary GnuPG home holding nothing else. Never the user's
keyring: a key the user's gpg trusts, but that sources.toml does not list for this source, must not pass.
No network either: the home's gpg.conf disables dirmngr (no keyserver, no WKD lookup) and starts no agent.
A listed OpenPGP key that has expired or was revoked (its file updated with the revocation) refuses the
commits it signed, with a message saying which.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from redflag_coord.org.sources import SourceEntry, key_kind
from redflag_coord.sources import gitrun

GPG_CONF = "no-autostart\ndisable-dirmngr\nno-auto-key-retrieve\ntrust-model always\n"
GOOD = "G"


class KeyProblem(Exception):
    """A listed key that cannot be read: the message says which and why."""


def gpg_program() -> str | None:
    return shutil.which("gpg") or shutil.which("gpg2")


def unsigned(repo: Path, root: Path, source: SourceEntry, tip: str, good: str | None) -> str | None:
    """Why a new commit (tip, not reachable from good) is not signed by a listed key; None when all are."""
    slug = source.collective
    if not source.signing_keys:
        return (
            "signed commits are required ([sources] require_signed) but sources.toml lists no signing_keys "
            f"for {slug!r}"
        )
    with tempfile.TemporaryDirectory(prefix="redflag-signers-") as tmp:
        try:
            config, env = _keys_in_reach(Path(tmp), root, source)
        except KeyProblem as e:
            return str(e)
        log = gitrun.run(repo, *config, "log", "--format=%H %G? %GP", tip, *(["--not", good] if good else []), env=env)
    for line in log.stdout.decode("utf-8", "replace").splitlines():
        commit, code, *fpr = line.split(" ")
        if code != GOOD:
            return _why(commit, code, "".join(fpr), slug)
    return None


def _keys_in_reach(tmp: Path, root: Path, source: SourceEntry) -> tuple[list[str], dict[str, str]]:
    """git's -c options and environment that put the listed keys, and only them, in reach."""
    signers = tmp / "allowed_signers"
    ssh = [k for k in source.signing_keys if key_kind(k) == "ssh"]
    signers.write_text("".join(f"{source.collective}@sources {' '.join(k.split()[:2])}\n" for k in ssh))
    home = tmp / "gnupg"  # empty unless OpenPGP keys are listed: the user's keyring is never read
    home.mkdir(mode=0o700)
    (home / "gpg.conf").write_text(GPG_CONF)
    config = [
        "-c",
        "gpg.format=ssh",
        "-c",
        f"gpg.ssh.allowedSignersFile={signers}",
        "-c",
        "gpg.minTrustLevel=undefined",
    ]
    pgp = [(i, k) for i, k in enumerate(source.signing_keys) if key_kind(k) != "ssh"]
    gpg = gpg_program()
    # git's own gpg, never a program the user's git config names; an X.509 signature (gpgsm, which may ask a
    # dirmngr for revocation lists) is handed to this gpg too, which cannot read it: refused, offline
    program = gpg or "gpg"
    config += [
        "-c",
        f"gpg.program={program}",
        "-c",
        f"gpg.openpgp.program={program}",
        "-c",
        f"gpg.x509.program={program}",
    ]
    if pgp:
        if gpg is None:
            raise KeyProblem(
                f"sources.toml lists OpenPGP signing_keys for {source.collective!r} but gpg (GnuPG) is not installed "
                "here: install gnupg to check its commits"
            )
        for i, key in pgp:
            _import(gpg, home, root, source.collective, i, key)
    return config, {"GNUPGHOME": str(home)}


def _import(gpg: str, home: Path, root: Path, slug: str, index: int, key: str) -> None:
    where = f"sources.toml: {slug!r} signing_keys[{index}]"
    if key_kind(key) == "file":
        path = root / key.strip()
        try:
            data = path.read_bytes()
        except OSError as e:
            raise KeyProblem(
                f"{where}: cannot read the key file {key.strip()} ({e.strerror}); nothing was kept"
            ) from None
    else:
        data = key.strip().encode("utf-8") + b"\n"
    done = subprocess.run(
        [gpg, "--homedir", str(home), "--batch", "--no-tty", "--quiet", "--import"],
        input=data,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise KeyProblem(
            f"{where}: not an OpenPGP public key gpg can read ({said[-1] if said else 'gpg --import failed'}); "
            "give the output of 'gpg --export --armor FINGERPRINT'"
        )


def _why(commit: str, code: str, fpr: str, slug: str) -> str:
    """The refusal for git's signature code (git log's %G?)."""
    short = commit[:12]
    listed = f"listed for {slug!r} in sources.toml (signing_keys)"
    if code == "N":
        return f"unsigned commit: {short} is not signed, and [sources] require_signed is true: sign with a key {listed}"
    if code in ("Y", "X"):
        what = "an expired key" if code == "Y" else "a signature that has expired"
        return (
            f"signed by {what}: {short} (key {fpr or 'unknown'}); the collective extends the key's expiry and sends "
            "the renewed public key, which the committee puts in sources.toml"
        )
    if code == "R":
        return (
            f"signed by a revoked key: {short} (key {fpr or 'unknown'}) was revoked by its owner; its commits are "
            "not accepted: the collective signs again with a new key, listed in sources.toml"
        )
    if code == "B":
        return f"bad signature: {short}'s signature does not verify (changed after it was signed)"
    return f"unsigned commit: {short} is signed by a key not {listed}, and [sources] require_signed is true"
