"""Checks of the keys around the encryption: secret keys in the repository, published DEMO keys, ssh recipients.

Plain functions returning problems, without a key (so CI and the hooks run them):
- `secret_keys`: an age secret key or a private key (OpenSSH, PEM) anywhere in the work tree or in a commit
  reachable from HEAD is an error: everyone with a clone holds it, and deleting the file does not take it
  out of history. The published DEMO identities (tests/keys/) pass only in the example organisation.
- `recipient_keys`: a DEMO recipient outside the example (organisation.toml without `example = true`) is an
  error (everyone can read what is sealed to it); an ssh-ed25519 recipient is a warning (see SSH_WHY).
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

from redflag_coord import crypt
from redflag_coord.crypt.identity import DEMO_RECIPIENTS
from redflag_coord.org.load import Organisation, rel_path
from redflag_coord.org.model import Settings
from redflag_coord.org.problems import Problem, Problems, located
from redflag_coord.org.settings import SETTINGS_FILE
from redflag_coord.repo.cache import Store
from redflag_coord.repo.gitinfo import GitError, git, is_repository

# What git looks for (extended regular expressions) and what Python then confirms: a whole key, so
# that a mention of the header in a document or in this file is not one.
GIT_PATTERN = r"AGE-SECRET-KEY-1[0-9A-Z]{58}|-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----"
AGE_KEY = re.compile(r"AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}")
PEM_KEY = re.compile(
    r"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----\r?\n[A-Za-z0-9+/=:,\- \t\r\n]{40,}?-----END \1PRIVATE KEY-----"
)
MAX_FILE = 5_000_000  # bytes: a key file is small; larger files outside git are not read
FIX = (
    "everyone with a clone holds it: remove it, purge it from history (git filter-repo, then every member "
    "re-clones), and treat the key as exposed: make a new identity ('redflag-coord secrets keygen --passphrase'), "
    "put its recipient in place of the old one and run 'redflag-coord secrets reencrypt'"
)
SSH_WHY = (
    "an ssh-ed25519 recipient ties the collective to its holder's forge account (ssh keys are public, e.g. "
    "at https://github.com/USER.keys, so anyone can match them), and age tags every value sealed to it with "
    "a 32-bit id of that key, showing whose key can read it; a dedicated age key is recommended: "
    "'redflag-coord secrets keygen --passphrase'"
)


def _found_keys(text: str) -> Iterator[tuple[str, str]]:
    """(what, public name) for each secret key in a text; the name is the recipient for age keys."""
    for m in AGE_KEY.finditer(text):
        # only once a key's shape is found: validate of files without keys never loads pyrage (memory)
        import pyrage  # type: ignore[import-untyped]  # compiled, without type stubs

        try:
            recipient = str(pyrage.x25519.Identity.from_str(m.group(0)).to_public())
        except (pyrage.IdentityError, ValueError):
            continue  # the right shape but no valid key (checksum): nothing anyone can decrypt with
        yield "an age secret key", recipient
    for m in PEM_KEY.finditer(text):
        yield f"a {(m.group(1) or '').strip() or 'PEM'} private key".replace("a OPENSSH", "an OpenSSH"), ""


def _allowed(recipient: str, settings: Settings) -> bool:
    return settings.example and recipient in DEMO_RECIPIENTS


def secret_keys(root: Path | str, settings: Settings, history: bool = True) -> list[Problem]:
    """Secret keys in the work tree and (`history`) in the commits reachable from HEAD: errors."""
    root = Path(root)
    out = Problems()
    seen: set[tuple[str, str]] = set()  # (file, key): a key still in the tree is told once, there
    for rel, text in _tree_texts(root):
        for what, recipient in _found_keys(text):
            if not _allowed(recipient, settings) and (rel, recipient or what) not in seen:
                seen.add((rel, recipient or what))
                out.add(rel, "secret-key", f"{what}{_named(recipient)} is in this file: {FIX}")
    if not history:
        return out.items
    scan = HistoryScan(root, settings.example)
    clean = True
    for commit, rel, what, recipient in _history(root, scan.since()):
        if _allowed(recipient, settings):
            continue
        clean = False
        if (rel, recipient or what) not in seen:
            seen.add((rel, recipient or what))
            out.add(
                rel,
                "secret-key",
                f"{what}{_named(recipient)} was committed in {commit[:12]} and stays in history although the file "
                f"no longer holds it: {FIX}",
            )
    if clean:
        scan.done()
    return out.items


class HistoryScan:
    """Where the last clean scan of history ended, so the next `validate` reads only newer commits.

    Kept in the repository's git folder (never committed): the commit scanned up to, and whether the
    DEMO keys were allowed then. A rewritten history (the commit no longer below HEAD), another
    setting or a fresh clone (CI) scan everything again; a scan that found a key is not remembered.
    """

    def __init__(self, root: Path, example: bool) -> None:
        self.root = root
        self.tag = "example" if example else "real"
        self.path: Path | None = None
        self.head = ""
        try:
            self.path = Path(root, git(root, "rev-parse", "--git-path", "redflag-coord-key-scan").strip())
            self.head = git(root, "rev-parse", "--verify", "-q", "HEAD").strip()
        except GitError:
            self.path = None

    def since(self) -> str | None:
        if self.path is None or not self.head:
            return None
        try:
            commit, tag = self.path.read_text(encoding="ascii").split()[:2]
        except (OSError, ValueError, UnicodeDecodeError):
            return None
        if tag != self.tag:
            return None
        try:
            git(self.root, "merge-base", "--is-ancestor", commit, self.head)
        except GitError:
            return None  # not below HEAD (history rewritten) or unknown
        return commit

    def done(self) -> None:
        if self.path is None or not self.head:
            return
        try:
            self.path.write_text(f"{self.head} {self.tag}\n", encoding="ascii")
        except OSError:
            pass  # a read-only clone scans everything each time


def _named(recipient: str) -> str:
    return f" (recipient {recipient})" if recipient else ""


def _tree_texts(root: Path) -> Iterator[tuple[str, str]]:
    """(path relative to root, text) of the files that may hold a key: git's candidates, or every file."""
    for rel in sorted(_candidates(root)):
        path = root / rel
        try:
            info = path.lstat()  # a FIFO or device would block or never end; a link may lead anywhere
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE:
                continue
            yield Path(rel).as_posix(), path.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            continue


def _candidates(root: Path) -> list[str]:
    if is_repository(root):
        from redflag_coord.repo.cache import store_for

        store = store_for(root)
        if store is None:
            return _grep(root, ["."]) or []
        return _candidates_known(root, store)
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        found.extend(os.path.relpath(os.path.join(folder, f), root) for f in files)
    return found


def _grep(root: Path, pathspecs: list[str]) -> list[str] | None:
    """The files under the pathspecs (tracked, or untracked and not ignored; not binary) git finds a key
    header in; None when git failed (then nothing may be remembered of the files).

    Two greps: `git grep --untracked` leaves out a tracked file that .gitignore names (staged before the
    ignore, or with `add -f`), which the next commit carries all the same; plain `git grep` reads it."""
    found: set[str] = set()
    for extra in ([], ["--untracked"]):
        cmd = ["git", "-C", str(root), "-c", "core.quotepath=off", "grep", *extra, "-I", "-l", "-z", "-E"]
        try:
            done = subprocess.run([*cmd, GIT_PATTERN, "--", *pathspecs], capture_output=True, check=False)
        except OSError:
            return None
        if done.returncode not in (0, 1):  # 1: nothing matches
            return None
        found.update(n for n in done.stdout.decode("utf-8", "surrogateescape").split("\0") if n)
    return sorted(found)


KEY_SCAN = "key-candidates"  # the cache's index: blob id -> whether git grep found a key header in it
_ASK_ALL = 500  # more unknown files than this: one `git grep` of the whole tree (the first run)


def _candidates_known(root: Path, store: Store) -> list[str]:
    """`git grep` of only the files whose content it has not seen (issue 35: the pre-commit hook at 10,000
    files). A tracked file that `git ls-files -m` does not list holds its blob in the index, so what git
    grep found in that blob before holds; files changed or untracked, and blobs not seen, are asked again."""
    import json

    from redflag_coord.org.cached import version_key

    try:
        staged = git(root, "ls-files", "-s", "-z")
        dirty = set(filter(None, git(root, "ls-files", "-z", "-m", "-o", "--exclude-standard").split("\0")))
    except GitError:
        return _grep(root, ["."]) or []
    blobs = {}
    for line in filter(None, staged.split("\0")):
        meta, _, path = line.partition("\t")
        mode, blob, _ = meta.split(" ", 2)
        if mode in ("100644", "100755") and path not in dirty:
            blobs[path] = blob
    try:
        index = json.loads(store.read_index(KEY_SCAN) or b"{}")
    except ValueError:
        index = {}
    known = index.get("blobs") if isinstance(index, dict) and index.get("v") == version_key() else None
    known = known if isinstance(known, dict) else {}
    unknown = [p for p, b in blobs.items() if b not in known]
    ask = sorted(dirty | set(unknown))
    if len(ask) > _ASK_ALL:
        ask, found = ["."], _grep(root, ["."])
    else:
        found = _grep(root, [f":(literal){p}" for p in ask]) if ask else []
    if found is None:
        return []  # as before: git failed, nothing to look in
    hits = set(found)
    if ask == ["."]:
        learnt = {b: p in hits for p, b in blobs.items()}
    else:
        learnt = {b: known.get(b, p in hits) for p, b in blobs.items()}
    if learnt != known:  # blobs no longer in the index are dropped
        body = json.dumps({"v": version_key(), "blobs": learnt}, separators=(",", ":")).encode("ascii")
        store.write_index(KEY_SCAN, body)
    return sorted(hits | {p for p, b in blobs.items() if learnt[b] and p not in dirty})


def _history(root: Path, since: str | None = None) -> Iterator[tuple[str, str, str, str]]:
    """(commit, path, what, recipient) for each key in a file as committed, oldest commit first
    (only in commits after `since`, when given).

    One `git log -G` finds the commits whose diff adds or removes a matching line; one `git cat-file
    --batch` reads each such file as that commit left it (a removal leaves none, so it is not counted).
    """
    if not is_repository(root):
        return
    try:
        top = Path(git(root, "rev-parse", "--show-toplevel").strip())
        commits = ["HEAD", f"^{since}"] if since else ["HEAD"]
        log = git(root, "log", "--reverse", "-G", GIT_PATTERN, "--format=%x00%H", "--name-only", *commits, "--")
    except GitError:
        return  # no commits yet
    wanted: list[tuple[str, str]] = []
    for chunk in log.split("\0")[1:]:
        lines = [line for line in chunk.splitlines() if line]
        wanted.extend((lines[0], name) for name in lines[1:])
    if not wanted:
        return
    query = "".join(f"{commit}:{name}\n" for commit, name in wanted).encode("utf-8")
    done = subprocess.run(["git", "-C", str(top), "cat-file", "--batch"], input=query, capture_output=True, check=False)
    data = done.stdout
    for commit, name in wanted:
        head, _, data = data.partition(b"\n")
        if head.endswith(b" missing") or not head:
            continue
        size = int(head.rsplit(b" ", 1)[1])
        blob, data = data[:size], data[size + 1 :]
        rel = os.path.relpath(top / name, root.absolute())
        rel = name if rel.startswith("..") else Path(rel).as_posix()
        for what, recipient in _found_keys(blob.decode("utf-8", errors="replace")):
            yield commit, rel, what, recipient


def recipient_keys(org: Organisation, settings: Settings, has_settings_file: bool) -> list[Problem]:
    """DEMO recipients outside the example (errors) and ssh-ed25519 recipients (warnings).

    The example is the organisation whose organisation.toml says `example = true`; a data folder without
    organisation.toml (a copy of the example's collectives, as the tests make) is not judged: `init`
    writes one for every real organisation.
    """
    out = Problems()
    listed: list[tuple[str, tuple[str | int, ...], str]] = [
        (SETTINGS_FILE, ("encryption", "mail_senders", i), r) for i, r in enumerate(settings.encryption.mail_senders)
    ]
    for slug, c in sorted(org.collectives.items()):
        if c.info is not None:
            listed.extend((rel_path("collective", slug), ("recipients", i), r) for i, r in enumerate(c.info.recipients))
    for file, key, recipient in listed:
        normal = crypt.normal_recipient(recipient)
        if normal in DEMO_RECIPIENTS and has_settings_file and not settings.example:
            out.add(
                file,
                "demo-recipient",
                "this is a published DEMO key (tests/keys/ of redflag-coord): everyone on the internet can read what "
                "is sealed to it; put your own recipient here ('redflag-coord secrets keygen --passphrase') and run "
                "'redflag-coord secrets reencrypt --all'",
                key=key,
            )
        elif normal.startswith("ssh-ed25519 "):
            out.add(file, "ssh-recipient", SSH_WHY, key=key, severity="warning")
    return out.items


def tree_keys(root: Path | str) -> list[Problem]:
    """Secret keys in the work tree only (`validate --changed`, the pre-commit hook: fast, before a commit)."""
    from redflag_coord.org.settings import settings_or_defaults

    return secret_keys(root, settings_or_defaults(root), history=False)


def check_keys(org: Organisation) -> list[Problem]:
    """Every check of this module (the full `validate`)."""
    from redflag_coord.org.settings import settings_or_defaults

    settings = settings_or_defaults(org.root)
    has_file = (Path(org.root) / SETTINGS_FILE).is_file()
    return located(recipient_keys(org, settings, has_file), org.root) + secret_keys(org.root, settings)
