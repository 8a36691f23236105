"""`sources fetch`: receive each collective's shared files into the committee's repository, verified.

The cost follows the sources that changed, not those listed (issue 34: thousands of collectives). A source
whose branch still points at the commit this clone holds is left alone after one `git ls-remote` (run for
many sources at once). Each changed source is fetched into a quarantine (a bare repository borrowing the
objects already kept, so only what is new lands there) and checked there, several at once: the new
commit descends from the last good one, every object new since then lies inside the collective's shared
paths, and, when the organisation requires it, every new commit is signed by a key sources.toml lists.
Then every candidate's files are put in place together and the committee's organisation is validated
once (schema, private text, references): a source whose files carry an error gets its last good files
back, and the rest are validated once more without it. Only then are an accepted source's objects moved
into its kept repository, its files left read-only where the loader reads them, and the commit recorded
in sources.lock. A refused source leaves its quarantine deleted (nothing of it stays on disk) and keeps
its last good commit.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from redflag_coord.errors import RedflagError, UsageError
from redflag_coord.org.load import COLLECTIVES
from redflag_coord.org.sources import (
    TRUST_WITH,
    SourceEntry,
    SourcesError,
    SourcesFile,
    read_sources,
    share_problems,
    shared,
    trust_path,
)
from redflag_coord.org.sources import tree_allowed as folder_allowed
from redflag_coord.org.trustcheck import require_sources_approved
from redflag_coord.repo import sourcestore
from redflag_coord.repo.gitinfo import GitError
from redflag_coord.repo.sourcestore import Locked
from redflag_coord.sources import gitrun, trustshare

Result = Literal["updated", "unchanged", "refused"]
BUNDLE_SUFFIXES = (".bundle", ".bundle.age")
T = TypeVar("T")


class Refused(RedflagError):
    """What a source sent is not accepted: the message says why."""


@dataclass(frozen=True)
class Outcome:
    slug: str
    result: Result
    commit: str | None  # the commit kept (the new one, or the last good one after a refusal)
    reason: str = ""
    offered: str | None = None  # the commit the source offered

    def to_dict(self) -> dict:
        return {
            "collective": self.slug,
            "result": self.result,
            "commit": self.commit,
            "offered": self.offered,
            "reason": self.reason,
        }


def split_names(names: list[str]) -> tuple[list[str], Path | None]:
    """`sources fetch`'s arguments: source slugs, and at most one bundle file."""
    bundles = [Path(n) for n in names if n.endswith(BUNDLE_SUFFIXES)]
    if len(bundles) > 1:
        raise UsageError("give one bundle file at a time")
    return [n for n in names if not n.endswith(BUNDLE_SUFFIXES)], (bundles[0] if bundles else None)


def render(outcomes: list[Outcome], fmt: str) -> tuple[str, str]:
    """What `sources fetch` prints: (standard output, the refusals for standard error; JSON prints them
    in its output and the refusals' lines on standard error all the same, for the exit)."""
    refused = "".join(
        f"{o.slug}: refused, last good commit {o.commit[:12] if o.commit else 'nothing'} kept: {o.reason}\n"
        for o in outcomes
        if o.result == "refused"
    )
    if fmt == "json":
        return json.dumps([o.to_dict() for o in outcomes], indent=2) + "\n", refused
    done = "".join(f"{o.slug}: {o.result} at {(o.commit or '')[:12]}\n" for o in outcomes if o.result != "refused")
    return done, refused


def configured(root: Path) -> SourcesFile:
    """sources.toml, or a usage error saying how to start one."""
    try:
        found = read_sources(root)
    except SourcesError as e:
        raise RedflagError(f"{e}; fix it (docs/sources.md)") from None
    if found is None:
        raise UsageError(
            f"no {sourcestore.CONFIG} in {root}: this is not a committee's repository with sources "
            "(docs/sources.md shows one)"
        )
    bad = share_problems(found)
    if bad:
        raise RedflagError(f"{sourcestore.CONFIG}: {bad[0].message}; nothing was fetched")
    require_sources_approved(root)
    return found


def fetch(
    root: Path,
    slugs: list[str] | None = None,
    bundle: Path | None = None,
    identities: object = None,
    now: dt.datetime | None = None,
) -> list[Outcome]:
    """Fetch the sources named (default: all, or the one a bundle is for); each verified on its own."""
    from redflag_coord.org.settings import settings_or_defaults

    config = configured(root)
    if sourcestore.store(root) is None:
        raise UsageError(f"{root} is not inside a git repository: fetched sources are kept in its git folder")
    signed = settings_or_defaults(root).sources.require_signed
    by_slug = {s.collective: s for s in config.source}
    unknown = [s for s in slugs or [] if s not in by_slug]
    if unknown:
        from redflag_coord.org.load import UnknownCollective

        raise UnknownCollective(unknown[0], by_slug, "sources.toml")
    chosen = [by_slug[s] for s in slugs] if slugs else list(by_slug.values())
    now = now or dt.datetime.now(dt.UTC)
    lock = sourcestore.read_lock(root)
    with tempfile.TemporaryDirectory(prefix="redflag-bundle-") as scratch:
        url_of: dict[str, str] = {}
        if bundle is not None:
            where = _readable_bundle(bundle, Path(scratch), identities)
            if not slugs:
                chosen = [_bundle_source(root, where, config)]
            url_of = {s.collective: str(where) for s in chosen}
        urls = {s.collective: url_of.get(s.collective) or _url(root, s) for s in chosen}
        outcomes = _batch(root, chosen, urls, lock, signed, {s.collective for s in config.source})
    _record(root, lock, outcomes, now)
    return outcomes


def _url(root: Path, source: SourceEntry) -> str:
    """A relative local path is relative to the organisation root; anything else goes to git as given."""
    if "://" in source.url or source.url.startswith("git@") or Path(source.url).is_absolute():
        return source.url
    return str((root / source.url).resolve())


WORKERS = 8  # git processes at once: a fetch mostly waits for the network or the disk, it computes little


@dataclass
class Candidate:
    """A source's offered commit, fetched into its quarantine and past every git check, waiting for `validate`."""

    source: SourceEntry
    tip: str
    files: dict[str, bytes]
    quarantine: Path
    kept: Path
    approvals: bytes | None = None  # the trust/<slug>.toml it sent (None: the approvals here stay)


def _pool(work: Callable[[SourceEntry], T], sources: list[SourceEntry]) -> list[T]:
    """`work` over the sources, a bounded number at once (each is git processes, not Python work)."""
    if len(sources) <= 1:
        return [work(s) for s in sources]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(WORKERS, len(sources))) as ex:
        return list(ex.map(work, sources))


def _batch(
    root: Path,
    chosen: list[SourceEntry],
    urls: dict[str, str],
    lock: dict[str, Locked],
    signed: bool,
    listed: set[str],
) -> list[Outcome]:
    """Every chosen source, in three steps whose cost follows the sources that changed, not those listed:
    which sources offer a new commit (`git ls-remote`, in parallel); the changed ones fetched and checked
    by git in their quarantines (in parallel); then one `validate` of the organisation with every
    candidate in place, which refuses only the sources whose files carry problems (they keep their last
    good commit) and confirms once more without them."""
    done: dict[str, Outcome] = {}

    def offered(s: SourceEntry) -> Outcome | None:
        return _unchanged(root, s, urls[s.collective], lock.get(s.collective))

    for s, o in zip(chosen, _pool(offered, chosen), strict=True):
        if o is not None:
            done[s.collective] = o
    todo = [s for s in chosen if s.collective not in done]

    def fetched(s: SourceEntry) -> Candidate | Outcome:
        last = lock.get(s.collective)
        return _guarded(s.collective, last, lambda: _candidate(root, s, urls[s.collective], last, signed))

    candidates: list[Candidate] = []
    try:
        for got in _pool(fetched, todo):
            if isinstance(got, Outcome):
                done[got.slug] = got
            else:
                candidates.append(got)
        for slug, why in _accept(root, candidates, listed).items():
            last = lock.get(slug)
            done[slug] = Outcome(slug, "refused", last.commit if last else None, why, offered=_tip_of(candidates, slug))
        for c in candidates:
            done.setdefault(c.source.collective, Outcome(c.source.collective, "updated", c.tip, offered=c.tip))
    finally:
        for c in candidates:  # a refused source leaves nothing of what it sent
            shutil.rmtree(c.quarantine, ignore_errors=True)
    return [done[s.collective] for s in chosen]


def _tip_of(candidates: list[Candidate], slug: str) -> str | None:
    return next((c.tip for c in candidates if c.source.collective == slug), None)


def _guarded(slug: str, last: Locked | None, step: Callable[[], Candidate | Outcome]) -> Candidate | Outcome:
    """A refusal (or git failing) is this source's outcome, never the whole fetch's."""
    kept_commit = last.commit if last else None
    try:
        return step()
    except Refused as e:
        return Outcome(slug, "refused", kept_commit, str(e))
    except GitError as e:
        return Outcome(slug, "refused", kept_commit, f"git: {e}")


def _unchanged(root: Path, source: SourceEntry, url: str, last: Locked | None) -> Outcome | None:
    """The source still offers the commit this clone holds and the lock records: nothing to fetch. One
    `git ls-remote`; None (fetch it) when it changed, was never fetched here, or cannot be asked (the
    fetch then says why)."""
    slug = source.collective
    if last is None or sourcestore.materialised(root, slug) != last.commit:
        return None
    ref = f"refs/heads/{source.branch}"
    tip = _local_tip(url, ref)
    if tip is None:
        try:
            listed = gitrun.run(root, "ls-remote", "--", url, ref, check=False)
        except GitError:
            return None
        said = listed.stdout.decode("utf-8", "replace").splitlines()
        tips = [line.split()[0] for line in said if line.endswith(ref)]
        tip = tips[0] if listed.returncode == 0 and len(tips) == 1 else None
    if tip != last.commit:
        return None
    return Outcome(slug, "unchanged", last.commit, offered=last.commit)


def _local_tip(url: str, ref: str) -> str | None:
    """A branch's commit in a repository on this machine (a folder: a bare repository, or a work tree's
    .git), read from git's files without a process; None when it is not such a folder or the ref is not
    a plain loose or packed one (then `git ls-remote` asks). Only ever used to skip an unchanged source:
    a loose ref is what git itself reads first, so a commit read here is the branch's."""
    import re

    if "://" in url or url.startswith("git@") or url.endswith(BUNDLE_SUFFIXES):
        return None
    base = Path(url)
    git_dir = base / ".git" if (base / ".git").is_dir() else base
    if not (git_dir / "HEAD").is_file():
        return None
    commit = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
    try:
        loose = (git_dir / ref).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        loose = ""
    if commit.fullmatch(loose):
        return loose
    if loose:
        return None  # a symbolic ref, or something git writes that this does not read
    try:
        packed = (git_dir / "packed-refs").read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    found = [line.split()[0] for line in packed if line.endswith(" " + ref)]
    return found[0] if len(found) == 1 and commit.fullmatch(found[0]) else None


def _candidate(root: Path, source: SourceEntry, url: str, last: Locked | None, signed: bool) -> Candidate | Outcome:
    """Fetch the source into its quarantine and run every check git can answer (history, paths, signatures);
    `validate` of its files comes after, with every other candidate (`_accept`)."""
    slug = source.collective
    kept = sourcestore.bare_of(root, slug)
    assert kept is not None  # fetch() checked that there is a git folder
    new = not (kept / "HEAD").exists()
    if new:
        _init(kept)
    quarantine = kept.parent / f".{slug}.quarantine.git"
    if quarantine.exists():
        shutil.rmtree(quarantine)
    _init(quarantine)
    try:
        # the quarantine sees the kept objects (alternates): only new objects land in it
        (quarantine / "objects" / "info" / "alternates").write_text(str((kept / "objects").resolve()) + "\n")
        got = gitrun.run(
            quarantine, "fetch", "-q", "--no-tags", url, f"+refs/heads/{source.branch}:refs/heads/incoming", check=False
        )
        if got.returncode != 0:
            said = got.stderr.decode("utf-8", "replace").strip().splitlines()
            raise Refused(
                f"cannot fetch branch {source.branch!r} from {url}: {said[-1] if said else 'git fetch failed'}"
            )
        tip = gitrun.text(quarantine, "rev-parse", "refs/heads/incoming^{commit}").strip()
        last_commit = last.commit if last else None
        if tip == last_commit and sourcestore.materialised(root, slug) == tip:
            shutil.rmtree(quarantine, ignore_errors=True)
            return Outcome(slug, "unchanged", tip, offered=tip)
        good = None if new else _kept_tip(kept)
        _descends(quarantine, last_commit, tip)
        _paths(quarantine, slug, source.shares, tip, good)
        if signed:
            _signatures(quarantine, source, tip, good, root)
        files = _files(quarantine, slug, tip)
        approvals = _approvals(root, slug, files)
        _not_local(root, slug)
    except BaseException:
        shutil.rmtree(quarantine, ignore_errors=True)  # a refused source leaves nothing of what it sent
        raise
    return Candidate(source, tip, files, quarantine, kept, approvals)


def _accept(root: Path, candidates: list[Candidate], listed: set[str]) -> dict[str, str]:
    """Put every candidate's files in place and validate the organisation once; a source whose files carry
    errors gets its last good files back, and the rest are validated once more (until none is refused).
    The accepted ones' objects move into their kept repositories. Returns slug -> why, for the refused."""
    from redflag_coord.repo.fsio import locked

    if not candidates:
        return {}
    refused: dict[str, str] = {}
    with locked(root / COLLECTIVES):  # no writer in the organisation while the candidates are in place
        staged: dict[str, _Placed] = {}
        moved: set[str] = set()
        try:
            for c in candidates:
                staged[c.source.collective] = _Placed.put(root, c)
            by_slug = {c.source.collective: c for c in candidates}
            while staged:
                bad = _validate_all(root, set(staged), listed)
                if not bad:
                    bad = _move(by_slug, [s for s in staged if s not in moved], moved)
                if not bad:
                    break
                for slug, why in bad.items():
                    staged.pop(slug).undo()
                    refused[slug] = why
        except BaseException:
            for st in staged.values():
                st.undo()
            raise
        for slug, st in staged.items():
            st.keep(by_slug[slug].tip)
    if staged:
        sourcestore.exclude(root, *staged)
    return refused


@dataclass
class _Placed:
    """A candidate's files and the approvals it sent, in place together: undone together."""

    files: sourcestore.Staged
    trust: trustshare.Staged

    @classmethod
    def put(cls, root: Path, c: Candidate) -> _Placed:
        files = sourcestore.Staged(root, c.source.collective, c.files)
        try:
            return cls(files, trustshare.Staged(root, c.source.collective, c.approvals))
        except BaseException:
            files.undo()
            raise

    def undo(self) -> None:
        self.trust.undo()
        self.files.undo()

    def keep(self, tip: str) -> None:
        self.files.keep(tip)


def _move(by_slug: dict[str, Candidate], slugs: list[str], moved: set[str]) -> dict[str, str]:
    """The verified objects of each accepted source into its kept repository (in parallel); slug -> why,
    for the few git fails to move."""

    def one(s: SourceEntry) -> str | None:
        c = by_slug[s.collective]
        try:
            _migrate(c.quarantine / "objects", c.kept / "objects")
        except OSError as e:
            return f"cannot move the verified objects into {c.kept}: {e.strerror}"
        done = gitrun.run(c.kept, "update-ref", "refs/heads/good", c.tip, check=False)
        if done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            return f"git: {said[-1] if said else 'git update-ref failed'}"
        return None

    sources = [by_slug[s].source for s in slugs]
    failed: dict[str, str] = {}
    for s, why in zip(sources, _pool(one, sources), strict=True):
        if why is None:
            moved.add(s.collective)
        else:
            failed[s.collective] = why
    return failed


def _migrate(src: Path, dest: Path) -> None:
    """The quarantine's objects renamed into the kept repository's, as git does with its own incoming
    quarantine (no git process, nothing copied): loose objects, then each pack before its index, so a
    reader never finds an index without its pack. An object already there is the same object (its name
    is its hash)."""
    for folder in sorted(src.iterdir()):
        if len(folder.name) == 2 and folder.is_dir():
            (dest / folder.name).mkdir(exist_ok=True)
            for obj in folder.iterdir():
                os.replace(obj, dest / folder.name / obj.name)
    packs = src / "pack"
    if packs.is_dir():
        (dest / "pack").mkdir(exist_ok=True)
        last = (".idx",)
        for name in sorted(packs.iterdir(), key=lambda p: (p.suffix in last, p.name)):
            os.replace(name, dest / "pack" / name.name)


def _init(path: Path) -> None:
    """A bare repository for objects only: no hooks or samples copied (thousands of sources)."""
    path.mkdir(parents=True, exist_ok=True)
    gitrun.run(path, "init", "-q", "--bare", "--template=")


def _approvals(root: Path, slug: str, files: dict[str, bytes]) -> bytes | None:
    """The source's trust/<slug>.toml, taken out of its files (it lies outside its folder) and held to the
    rules a change here would meet (trustshare.py); None when it sent none (the approvals here stay)."""
    from redflag_coord.sources.trustshare import refusal

    data = files.pop(trust_path(slug), None)
    why = refusal(root, slug, data) if data is not None else None
    if why:
        raise Refused(why)
    return data


def _not_local(root: Path, slug: str) -> None:
    """A folder `sources fetch` did not write (the collective still kept here) is never replaced: it may hold
    members and changes not committed yet. Nothing lost: the user moves it first."""
    if (root / COLLECTIVES / slug).exists() and sourcestore.materialised(root, slug) is None:
        raise Refused(
            f"{COLLECTIVES}/{slug}/ is a local folder, not one 'sources fetch' wrote: move it to the collective's own "
            "repository (docs/sources.md) and remove it here; nothing was changed"
        )


def _kept_tip(kept: Path) -> str | None:
    done = gitrun.run(kept, "rev-parse", "--verify", "-q", "refs/heads/good^{commit}", check=False)
    return done.stdout.decode().strip() or None if done.returncode == 0 else None


def _descends(repo: Path, last: str | None, tip: str) -> None:
    """A history rewrite (a force-push, a rebuilt branch) is refused: the new commit descends from the last good one."""
    if last is None or last == tip:
        return
    done = gitrun.run(repo, "merge-base", "--is-ancestor", last, tip, check=False)
    if done.returncode != 0:
        raise Refused(
            f"history rewrite: the offered commit {tip[:12]} does not descend from the last good commit "
            f"{last[:12]} (sources.lock); ask the collective why. To accept a new history on purpose, remove "
            "its entry from sources.lock and fetch again"
        )


def _paths(repo: Path, slug: str, shares: list[str], tip: str, good: str | None) -> None:
    """Every object new since the last good commit lies inside the shared paths; the tip holds only plain files."""
    listed = gitrun.run(repo, "rev-list", "--objects", tip, *(["--not", good] if good else []))
    checked = gitrun.run(repo, "cat-file", "--batch-check=%(objecttype) %(rest)", input=listed.stdout).stdout.decode(
        "utf-8", "replace"
    )
    for line in checked.splitlines():
        kind, _, path = line.partition(" ")
        if kind == "blob" and not shared(path, slug, shares):
            raise Refused(_outside(path, slug, shares))
        if kind == "tree" and not folder_allowed(path, slug, shares):
            raise Refused(_outside(path + "/", slug, shares))
    for entry in gitrun.run(repo, "ls-tree", "-r", "-z", "--full-tree", tip).stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, raw = entry.partition(b"\t")
        mode = meta.split()[0].decode()
        if mode not in ("100644", "100755"):
            shown = raw.decode("utf-8", "replace")
            raise Refused(f"{shown}: a symbolic link or submodule (mode {mode}) is not a shared file")


def _outside(path: str, slug: str, shares: list[str]) -> str:
    allowed = [f"collectives/{slug}/{s}" for s in shares] + ([trust_path(slug)] if TRUST_WITH in shares else [])
    return (
        f"path outside the shared set: {path} (collective {slug!r} shares only {', '.join(allowed)}); "
        "nothing of it was kept"
    )


def _signatures(repo: Path, source: SourceEntry, tip: str, good: str | None, root: Path) -> None:
    """Every new commit signed by one of the keys sources.toml lists for the source (SSH or OpenPGP: signing.py)."""
    from redflag_coord.sources.signing import unsigned

    why = unsigned(repo, root, source, tip, good)
    if why:
        raise Refused(why)


def _files(repo: Path, slug: str, tip: str) -> dict[str, bytes]:
    """The tip's files (all inside collectives/<slug>/, checked by `_paths`), read in one git process."""
    from redflag_coord.repo.gitinfo import blobs

    listing: list[tuple[str, str]] = []
    for entry in gitrun.run(repo, "ls-tree", "-r", "-z", "--full-tree", tip).stdout.split(b"\0"):
        if entry:
            meta, _, path = entry.partition(b"\t")
            listing.append((path.decode("utf-8"), meta.split()[2].decode()))
    contents = blobs(repo, [oid for _, oid in listing])
    return {path: contents[oid] for path, oid in listing}


def _validate_all(root: Path, slugs: set[str], listed: set[str]) -> dict[str, str]:
    """The candidates' files (in place) checked as part of the committee's organisation, in one `validate`:
    slug -> why, for each candidate with an error in its own files."""
    from redflag_coord.sources.verify import problems_by_source

    out = {}
    for slug, found in problems_by_source(root, slugs, listed).items():
        if found:
            more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
            out[slug] = f"{found[0]}{more}; the collective's own 'redflag-coord validate' shows them"
    return out


def _readable_bundle(path: Path, scratch: Path, identities: object) -> Path:
    """A bundle file as git reads it: a sealed one (age) opened first with the identity given."""
    from redflag_coord.crypt import AGE_FILE_HEADER, open_bytes

    try:
        data = path.read_bytes()
    except OSError as e:
        raise UsageError(f"{path}: cannot read the bundle ({e.strerror})") from None
    if not data.startswith(AGE_FILE_HEADER):
        return path.absolute()
    keys = getattr(identities, "keys", None)
    if not keys:
        raise UsageError(f"{path} is sealed with age: give the identity that opens it (--identity or REDFLAG_IDENTITY)")
    opened = scratch / "source.bundle"
    opened.write_bytes(open_bytes(data, keys))
    return opened


def _bundle_source(root: Path, bundle: Path, config: SourcesFile) -> SourceEntry:
    """The source a bundle is for: the one collective folder its branch holds."""
    heads = gitrun.text(root, "bundle", "list-heads", str(bundle)).split()
    names = {p.split("/", 2)[2] for p in heads if p.startswith("refs/heads/")}
    for branch in sorted({s.branch for s in config.source} & names):
        slug = _slug_in_bundle(bundle, branch)
        for s in config.source:
            if s.collective == slug and s.branch == branch:
                return s
    raise UsageError(
        f"{bundle}: holds no branch of a source in sources.toml; name the source: sources fetch SLUG {bundle}"
    )


def _slug_in_bundle(bundle: Path, branch: str) -> str | None:
    """The collective folder of the bundle's branch tip, read in a throw-away bare repository."""
    with tempfile.TemporaryDirectory(prefix="redflag-peek-") as tmp:
        gitrun.init_bare(Path(tmp))
        gitrun.run(tmp, "fetch", "-q", "--no-tags", str(bundle), f"refs/heads/{branch}:refs/heads/peek")
        names = gitrun.text(tmp, "ls-tree", "--name-only", "refs/heads/peek:collectives").split()
    return names[0] if len(names) == 1 else None


# -- what is recorded ---------------------------------------------------------------------------


def _record(root: Path, lock: dict[str, Locked], outcomes: list[Outcome], now: dt.datetime) -> None:
    """sources.lock for the accepted commits; the last attempt of each source beside its kept repository."""
    from redflag_coord.repo.fsio import update

    stamp = now.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    new = dict(lock)
    for o in outcomes:
        if o.result == "updated" and o.commit is not None:
            new[o.slug] = Locked(o.slug, o.commit, stamp)
        _attempt(root, o, stamp)
    if new != lock:
        with update(root / sourcestore.LOCK) as u:
            u.write(sourcestore.render_lock(new))


def _attempt(root: Path, outcome: Outcome, stamp: str) -> None:
    """The last attempt (when, result, reason), for `sources status`; this machine's, not committed."""
    store = sourcestore.store(root)
    if store is None:
        return
    store.mkdir(parents=True, exist_ok=True)
    record = {"when": stamp, **outcome.to_dict()}
    path = store / f"{outcome.slug}.attempt.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(tmp, path)


def last_attempt(root: Path, slug: str) -> dict | None:
    store = sourcestore.store(root)
    try:
        return json.loads((store / f"{slug}.attempt.json").read_text(encoding="utf-8")) if store else None
    except (OSError, ValueError):
        return None
