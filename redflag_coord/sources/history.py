"""`split --history keep`: each new repository gets the history of its own paths, and nothing else.

The current branch's first-parent history is replayed, oldest first, once for each new repository: a
commit that changed one of its paths becomes one commit whose tree holds only its paths (moved from the
organisation's folder to the repository's top), with the original author, committer, dates, encoding and
message, byte for byte. A commit that changed none of its paths is left out. Merges are linearised: a
merge becomes one commit with what it brought, dated as the merge is (the date the organisation's commands
read: gitinfo.versions is first-parent too), and the side branch's own commits are not carried. Signatures
(gpgsig, mergetag) cannot survive a new tree and are dropped. Symlinks and submodules are not carried.

Why git plumbing, not git filter-repo: no new dependency, one `git log` for the whole history, and the
new objects are written in a scratch repository that borrows the old one's objects (alternates); each
new repository then fetches its own branch from it, and git sends only the objects that branch reaches.
No other object can be in it: privacy rests on reachability, the thing `git fetch` guarantees.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from redflag_coord.sources import gitrun

REGULAR = ("100644", "100755")
ZERO = "0" * 40
HEADERS_DROPPED = (b"tree", b"parent", b"gpgsig", b"gpgsig-sha256", b"mergetag")

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
    (relative to the organisation's folder) belong to it."""
    prefix = gitrun.text(root, "rev-parse", "--show-prefix").strip()
    tips: dict[str, str | None] = dict.fromkeys(targets)
    trees: dict[str, str | None] = dict.fromkeys(targets)
    history = _first_parent_changes(root, prefix)
    raw = _raw_commits(root, [commit for commit, _ in history])
    for commit, changes in history:
        for name, belongs in targets.items():
            mine = [c for c in changes if belongs(c[0])]
            if not mine:
                continue
            tree = _tree(work, name, mine)
            if tree == trees[name]:
                continue  # e.g. a symlink replaced by another: nothing carried changed
            tips[name] = _write_commit(work, _rewritten(raw[commit], tree, tips[name]))
            trees[name] = tree
    for name, tip in tips.items():
        if tip:
            gitrun.run(work, "update-ref", f"refs/split/{name}", tip)
    return tips


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


def _tree(work: Path, name: str, changes: list[Change]) -> str:
    """The target's tree after `changes`, kept in its own index file across commits."""
    env = {"GIT_INDEX_FILE": str(work / f"index-{name}")}
    lines = []
    for path, mode, blob in changes:
        encoded = path.encode("utf-8", "surrogateescape")
        lines.append(f"{mode} {blob}\t".encode() + encoded if blob else f"0 {ZERO}\t".encode() + encoded)
    gitrun.run(work, "update-index", "-z", "--index-info", input=b"\0".join(lines) + b"\0", env=env)
    return gitrun.text(work, "write-tree", env=env).strip()


def _rewritten(raw: bytes, tree: str, parent: str | None) -> bytes:
    """The original commit with a new tree and parent; every other header and the message as they were."""
    head, sep, message = raw.partition(b"\n\n")
    kept = [f"tree {tree}".encode(), *([f"parent {parent}".encode()] if parent else [])]
    dropping = False
    for line in head.split(b"\n"):
        if line.startswith(b" "):  # the continuation of a multi-line header (a signature)
            if not dropping:
                kept.append(line)
            continue
        dropping = line.split(b" ", 1)[0] in HEADERS_DROPPED
        if not dropping:
            kept.append(line)
    return b"\n".join(kept) + (sep or b"\n\n") + message


def _write_commit(work: Path, body: bytes) -> str:
    return gitrun.run(work, "hash-object", "-t", "commit", "-w", "--stdin", input=body).stdout.decode().strip()
