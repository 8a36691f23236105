"""In a collective's repository: the branch of its shared files only, and a bundle of it.

The shared branch (default `redflag-shared`) is rebuilt from the current branch's first-parent history,
one commit for each commit that changed a shared file: its tree holds only the shared paths (never
members.toml or relationships.toml, whatever is asked), its dates are the original commit's (a report's
filed date in the committee's repository is the date it was committed here), and its author is the
collective, not a member (a member's name and email stay here). Nothing else of the history goes in, so
no object of the branch, or of a bundle of it, holds a private file. It only ever grows: each run adds
to the last shared commit, so the committee sees no history rewrite.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from redflag_coord.errors import UsageError
from redflag_coord.org.load import COLLECTIVES
from redflag_coord.org.sources import DEFAULT_BRANCH, DEFAULT_SHARES, share_problem, shared, trust_path
from redflag_coord.repo.gitinfo import GitError
from redflag_coord.sources import gitrun

UPTO = "refs/redflag/shared-upto"  # the last commit of the current branch already shared


@dataclass(frozen=True)
class Shared:
    slug: str
    branch: str
    commit: str | None  # None: nothing shared yet
    added: int  # commits added to the shared branch by this run


def local_collective(root: Path, slug: str | None) -> str:
    """The collective whose files are shared: the one given, or the only local folder that has members."""
    base = root / COLLECTIVES
    local = sorted(d.name for d in base.iterdir() if d.is_dir()) if base.is_dir() else []
    if slug is not None:
        if slug not in local:
            from redflag_coord.org.load import UnknownCollective

            raise UnknownCollective(slug, local, "--collective")
        return slug
    own = [s for s in local if (base / s / "members.toml").is_file()] or local
    if len(own) != 1:
        raise UsageError(f"this repository holds {len(own)} collectives with members: name one with --collective")
    return own[0]


def share(
    root: Path,
    slug: str | None = None,
    shares: list[str] | None = None,
    branch: str = DEFAULT_BRANCH,
    sign: bool = False,
) -> Shared:
    """Bring the shared branch up to the current branch (HEAD); see the module's docstring."""
    slug = local_collective(root, slug)
    shares = list(shares or DEFAULT_SHARES)
    for s in shares:
        bad = share_problem(s)
        if bad:
            raise UsageError(f"--share: {bad}")
    try:
        prefix = gitrun.text(root, "rev-parse", "--show-prefix").strip()
        head = gitrun.text(root, "rev-parse", "HEAD").strip()
    except GitError as e:
        raise UsageError(
            f"{root}: not a git repository with commits ({e}); commit the collective's files first"
        ) from None
    prev = _ref(root, f"refs/heads/{branch}")
    upto = _ref(root, UPTO)
    walk = ["rev-list", "--first-parent", "--reverse", "HEAD"]
    if upto and gitrun.run(root, "merge-base", "--is-ancestor", upto, head, check=False).returncode == 0:
        walk += ["--not", upto]
    prev_tree = gitrun.text(root, "rev-parse", f"{prev}^{{tree}}").strip() if prev else _empty_tree(root)
    added = 0
    with tempfile.TemporaryDirectory(prefix="redflag-share-") as tmp:
        index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        for commit in gitrun.text(root, *walk).split():
            tree = _filtered_tree(root, commit, prefix, slug, shares, index)
            if tree == prev_tree:
                continue
            prev = _commit(root, commit, tree, prev, slug, sign)
            prev_tree, added = tree, added + 1
    if prev:
        gitrun.run(root, "update-ref", f"refs/heads/{branch}", prev)
    gitrun.run(root, "update-ref", UPTO, head)
    return Shared(slug, branch, prev, added)


def _ref(root: Path, ref: str) -> str | None:
    done = gitrun.run(root, "rev-parse", "--verify", "-q", f"{ref}^{{commit}}", check=False)
    return done.stdout.decode().strip() or None if done.returncode == 0 else None


def _empty_tree(root: Path) -> str:
    return gitrun.run(root, "mktree", input=b"").stdout.decode().strip()


def _filtered_tree(root: Path, commit: str, prefix: str, slug: str, shares: list[str], env: dict[str, str]) -> str:
    """The tree of `commit` cut down to the shared paths, at the organisation's place (collectives/…), and the
    collective's approvals of who reads it (trust/<slug>.toml) when it shares its collective.toml."""
    folder = f"{prefix}{COLLECTIVES}/{slug}"
    approvals = f"{prefix}{trust_path(slug)}"
    listed = gitrun.run(root, "ls-tree", "-r", "-z", "--full-tree", commit, "--", folder, approvals).stdout
    keep: list[bytes] = []
    for entry in listed.split(b"\0"):
        if not entry:
            continue
        meta, _, raw = entry.partition(b"\t")
        mode, kind, oid = meta.decode().split()
        path = raw.decode("utf-8")[len(prefix) :]
        if kind == "blob" and mode in ("100644", "100755") and shared(path, slug, shares):
            keep.append(f"{mode} {oid}\t".encode() + path.encode("utf-8"))
    gitrun.run(root, "read-tree", "--empty", env=env)
    if keep:
        gitrun.run(root, "update-index", "-z", "--index-info", input=b"\0".join(keep) + b"\0", env=env)
    return gitrun.text(root, "write-tree", env=env).strip()


def _commit(root: Path, original: str, tree: str, parent: str | None, slug: str, sign: bool) -> str:
    """A shared commit: the original's dates, the collective as author, a message naming no one."""
    when = gitrun.text(root, "log", "-1", "--format=%cI", original).strip()
    env = {
        "GIT_AUTHOR_NAME": slug,
        "GIT_AUTHOR_EMAIL": f"{slug}@sources.invalid",
        "GIT_COMMITTER_NAME": slug,
        "GIT_COMMITTER_EMAIL": f"{slug}@sources.invalid",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    args = ["commit-tree", tree, *(["-p", parent] if parent else []), "-m", f"{slug}: shared files as of {when}"]
    args += ["-m", f"Redflag-Source-Commit: {original}"]
    if sign:
        args.insert(1, "-S")
    done = gitrun.run(root, *args, env=env, check=False)
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        hint = " (set user.signingkey, and gpg.format=ssh for an SSH key)" if sign else ""
        raise UsageError(f"cannot write the shared commit: {said[-1] if said else 'git commit-tree failed'}{hint}")
    return done.stdout.decode().strip()


def bundle(
    root: Path,
    out: Path,
    slug: str | None = None,
    shares: list[str] | None = None,
    branch: str = DEFAULT_BRANCH,
    sign: bool = False,
    recipients: list[str] | None = None,
    force: bool = False,
) -> Shared:
    """The shared branch in a git bundle file (sealed with age to `recipients` when given)."""
    from redflag_coord.crypt import seal_bytes
    from redflag_coord.repo.fsio import write_output

    done = share(root, slug, shares, branch, sign)
    if done.commit is None:
        raise UsageError(f"collective {done.slug!r} has no shared file committed yet: nothing to bundle")
    with tempfile.TemporaryDirectory(prefix="redflag-bundle-") as tmp:
        made = Path(tmp) / "shared.bundle"
        gitrun.run(root, "bundle", "create", "-q", str(made), f"refs/heads/{branch}")
        data = made.read_bytes()
    if recipients:
        data = seal_bytes(data, recipients)
    write_output(out, data, force=force)
    return done
