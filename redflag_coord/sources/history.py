"""`split --history keep`: each new repository gets the history of its own paths, and nothing else.

The current branch's first-parent history is replayed, oldest first, once for each new repository: a
commit that changed one of its paths becomes one commit whose tree holds only its paths (moved from the
organisation's folder to the repository's top), with the original author, committer, dates, encoding and
message, byte for byte (other headers, rare, are not carried). A commit that changed none of its paths is
left out. Merges are linearised: a merge becomes one commit with what it brought, dated as the merge is
(the date the organisation's commands read: gitinfo.versions is first-parent too), and the side branch's
own commits are not carried. Signatures (gpgsig, mergetag) cannot survive a new tree and are dropped.
Symlinks and submodules are not carried.

Why git itself, not git filter-repo: no new dependency, and two git processes do the work whatever the
history's length: one `git log` lists every change, one `git fast-import` writes every repository's line
(the first version wrote each tree and commit with its own processes: the same commits, 25 times slower
on 1,000 commits). The new objects go into a scratch repository that borrows the old one's objects
(alternates); each new repository then fetches its own line from it, and git sends only the objects that
line reaches. No other object can be in it: privacy rests on reachability, the thing `git fetch` guarantees.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from redflag_coord.sources import gitrun

REGULAR = ("100644", "100755")
ZERO = "0" * 40

Change = tuple[str, str, str]  # path (from the organisation's folder), mode, blob ("" when removed)


def scratch(root: Path, where: Path) -> None:
    """A bare repository at `where` that reads `root`'s objects (and writes its own)."""
    common = gitrun.text(root, "rev-parse", "--path-format=absolute", "--git-common-dir").strip()
    gitrun.init_bare(where)
    alternates = where / "objects" / "info" / "alternates"
    alternates.parent.mkdir(parents=True, exist_ok=True)
    alternates.write_text(os.path.join(common, "objects") + "\n", encoding="utf-8")


def replay(root: Path, work: Path, targets: dict[str, Callable[[str], bool]]) -> dict[str, str | None]:
    """Write each target's line of commits in the scratch repository `work` (refs/split/<name>); return each
    target's last commit (None: no commit ever held one of its paths). `targets`: name -> which paths
    (relative to the organisation's folder) belong to it. One `git fast-import` writes every line."""
    prefix = gitrun.text(root, "rev-parse", "--show-prefix").strip()
    history = _first_parent_changes(root, prefix)
    raw = _raw_commits(root, [commit for commit, _ in history])
    held: dict[str, dict[str, tuple[str, str]]] = {name: {} for name in targets}  # path -> (mode, blob)
    stream: list[bytes] = []
    for commit, changes in history:
        for name, belongs in targets.items():
            mine = [c for c in changes if belongs(c[0])]
            before = dict(held[name])
            for path, mode, blob in mine:
                if blob:
                    held[name][path] = (mode, blob)
                else:
                    held[name].pop(path, None)
            if held[name] != before:  # e.g. a symlink replaced by another: nothing carried changed
                stream.append(_commit_command(name, raw[commit], mine))
    gitrun.run(work, "fast-import", "--quiet", "--done", input=b"".join(stream) + b"done\n")
    listed = gitrun.text(work, "for-each-ref", "--format=%(refname:lstrip=2) %(objectname)", "refs/split/")
    tips: dict[str, str | None] = dict.fromkeys(targets)
    tips.update(dict(line.split(" ", 1) for line in listed.splitlines()))
    return tips


def _commit_command(name: str, raw: bytes, changes: list[Change]) -> bytes:
    """One commit of a target's line for fast-import: the original's author, committer, encoding and message
    (fast-import continues the line from the last commit it wrote on the same ref)."""
    head, _, message = raw.partition(b"\n\n")
    said = dict(line.split(b" ", 1) for line in head.split(b"\n") if line and not line.startswith(b" "))
    out = [b"commit refs/split/" + name.encode(), b"author " + said[b"author"], b"committer " + said[b"committer"]]
    if b"encoding" in said:
        out.append(b"encoding " + said[b"encoding"])
    out.append(b"data %d\n" % len(message) + message)
    for path, mode, blob in changes:
        out.append(f"M {mode} {blob} ".encode() + _quoted(path) if blob else b"D " + _quoted(path))
    return b"\n".join(out) + b"\n\n"


def _quoted(path: str) -> bytes:
    """A path as fast-import reads it: C-style quoted when it starts with a quote or holds a newline or backslash."""
    raw = path.encode("utf-8", "surrogateescape")
    if not (raw.startswith(b'"') or b"\n" in raw or b"\\" in raw):
        return raw
    escaped = raw.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"\n", b"\\n")
    return b'"' + escaped + b'"'


def _first_parent_changes(root: Path, prefix: str) -> list[tuple[str, list[Change]]]:
    """Each first-parent commit of HEAD, oldest first, with the files it changed (a merge: against its first
    parent) under the organisation's folder. One `git log`, NUL-separated (no path quoting)."""
    out = gitrun.run(
        root,
        "log",
        "--first-parent",
        "--diff-merges=first-parent",
        "--reverse",
        "--root",
        "--no-renames",
        "--raw",
        "--no-abbrev",
        "-z",
        "--format=%x01%H",
        "HEAD",
    ).stdout
    found: list[tuple[str, list[Change]]] = []
    tokens = out.split(b"\0")
    i = 0
    while i < len(tokens):
        token = tokens[i].lstrip(b"\n")
        i += 1
        if token.startswith(b"\x01"):
            found.append((token[1:].decode(), []))
        elif token.startswith(b":") and found:
            path = tokens[i].decode("utf-8", "surrogateescape")
            i += 1
            _, mode, _, blob, _ = token[1:].decode().split()
            if path.startswith(prefix):
                carried = mode in REGULAR and blob != ZERO
                found[-1][1].append((path[len(prefix) :], mode, blob if carried else ""))
    return found


def _raw_commits(root: Path, commits: list[str]) -> dict[str, bytes]:
    """The commit objects as stored (one `git cat-file --batch`)."""
    out = gitrun.run(root, "cat-file", "--batch", input="".join(f"{c}\n" for c in commits).encode()).stdout
    found: dict[str, bytes] = {}
    at = 0
    while at < len(out):
        end = out.index(b"\n", at)
        oid, _kind, size = out[at:end].decode().split()
        found[oid] = out[end + 1 : end + 1 + int(size)]
        at = end + 1 + int(size) + 1  # the object, then a newline
    return found
