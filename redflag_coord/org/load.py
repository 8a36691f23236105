"""Find an organisation's files and load them all into one `Organisation`.

Every file is read once (see `parse`), a large organisation on every core (see `pool`).
Problems are collected, never raised; line numbers are found later, only for files with problems.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from redflag_coord.errors import RedflagError
from redflag_coord.org.model import (
    SLUG_PATTERN,
    ArticleFile,
    Collective,
    FileModel,
    Meeting,
    MembersFile,
    Minutes,
    Motion,
    RelationshipsFile,
    Report,
    RolesFile,
    slug_problem,
    windows_reserved,
)
from redflag_coord.org.parse import Entry
from redflag_coord.org.problems import Problems, safe
from redflag_coord.repo.contain import LINK_OUT, inside, outside_link

COLLECTIVES = "collectives"
FIXED_FILES = {
    "collective.toml": "collective",
    "members.toml": "members",
    "relationships.toml": "relationships",
    "roles.toml": "roles",
}
FOLDERS = {"meetings": "meeting", "reports": "report", "minutes": "minutes", "articles": "article", "motions": "motion"}
_SLUG = re.compile(SLUG_PATTERN)


class UnknownId(RedflagError):
    """An id the user gave (a meeting, a collective) that names nothing: the one wording, with did-you-mean."""

    usage = True

    def __init__(self, kind: str, given: str, known: Iterable[str], option: str | None = None) -> None:
        super().__init__(unknown_id(kind, given, list(known), option))
        self.given = given


class UnknownMeeting(UnknownId):
    def __init__(self, given: str, known: Iterable[str], option: str | None = None) -> None:
        super().__init__("meeting", given, known, option)


class UnknownCollective(UnknownId):
    def __init__(self, given: str, known: Iterable[str], option: str | None = None) -> None:
        super().__init__("collective", given, known, option)


def unknown_id(kind: str, given: str, known: list[str], option: str | None = None) -> str:
    """The one wording for an id that names nothing: what was given, a suggestion, the known ones, e.g.
    "no meeting 'IC-2026-12'; did you mean 'ic-2026-12'? (known meetings: ic-2026-06, ic-2026-12)"."""
    folded = {k.casefold(): k for k in known}
    close = [folded[given.casefold()]] if given.casefold() in folded else []
    close = close or difflib.get_close_matches(given, known, n=1, cutoff=0.6)
    close = close or [folded[c] for c in difflib.get_close_matches(given.casefold(), list(folded), n=1, cutoff=0.6)]
    where = f"{option}: " if option else ""
    hint = f"; did you mean {close[0]!r}?" if close else ""
    listing = ", ".join(sorted(known)) if known else "none yet"
    return f"{where}no {kind} {safe(given)!r}{hint} (known {kind}s: {listing})"  # safe: typed, may hold escapes


class RootNotFound(RedflagError):
    """No organisation (a folder holding collectives/) at or above a path."""

    usage = True


def find_root(start: Path | str | None = None) -> Path:
    """The organisation root: a folder holding `collectives/`, searched upwards from `start`."""
    here = Path(start or ".").absolute()
    if here.is_file():
        here = here.parent
    if here.name == COLLECTIVES and here.is_dir() and not (here / COLLECTIVES).is_dir():
        return here.parent
    for folder in (here, *here.parents):
        if (folder / COLLECTIVES).is_dir():
            return folder
    raise RootNotFound(
        f"no '{COLLECTIVES}/' folder in {here} or above it; run the command inside an "
        f"organisation repository or give its path (e.g. --root path/to/repo)"
    )


def rel_path(kind: str, slug: str, name: str | None = None) -> str:
    """The repository-relative path of a file of `kind` for collective `slug`."""
    if kind == "meeting":
        return f"{COLLECTIVES}/{slug}/meetings/{name}.toml"
    if kind == "report":
        return f"{COLLECTIVES}/{slug}/reports/{name}.toml"
    if kind == "minutes":
        return f"{COLLECTIVES}/{slug}/minutes/{name}.toml"
    if kind == "article":
        return f"{COLLECTIVES}/{slug}/articles/{name}.toml"
    if kind == "motion":
        return f"{COLLECTIVES}/{slug}/motions/{name}.toml"
    return f"{COLLECTIVES}/{slug}/{kind}.toml"


@dataclass
class CollectiveData:
    slug: str
    info: Collective | None = None
    members: MembersFile | None = None
    relationships: RelationshipsFile | None = None
    meetings: dict[str, Meeting] = field(default_factory=dict)
    reports: dict[str, Report] = field(default_factory=dict)
    minutes: dict[str, Minutes] = field(default_factory=dict)
    roles: RolesFile | None = None  # roles.toml: the rota of a body that holds meetings
    articles: dict[str, ArticleFile] = field(default_factory=dict)
    motions: dict[str, Motion] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The display name, on one line (a line break in a name would break a comment or a table);
        the slug when collective.toml did not load. Asked through `Organisation.name_of` by every caller."""
        return " ".join(self.info.name.splitlines()) if self.info is not None else self.slug


@dataclass
class Organisation:
    root: Path
    collectives: dict[str, CollectiveData] = field(default_factory=dict)
    problems: Problems = field(default_factory=Problems)
    failed: set[str] = field(default_factory=set)  # files that did not load: skip references into them
    files: list[str] = field(default_factory=list)  # every data file looked at, loaded or not
    # Private values, readable here, of files checked and let go (`validate`'s streamed reports: their
    # sites): what the exports check must still look for. Memory only, like every opened value.
    let_go: set[str] = field(default_factory=set)
    # private values left sealed (no key opened them), by file and key: "sealed" is not "none" (reminders)
    withheld: set[tuple[str, tuple[str | int, ...]]] = field(default_factory=set)
    # collectives received from their own repositories (sources.lock): slug -> the commit read. Read-only
    # here; their members are not known, and their filed dates come from their own history.
    fetched: dict[str, str] = field(default_factory=dict)

    def loaded(self, kind: str, slug: str, name: str | None = None) -> bool:
        """False when that file exists but could not be read, so references to it are not judged."""
        return rel_path(kind, slug, name) not in self.failed

    def meetings(self) -> dict[str, tuple[str, Meeting]]:
        """Meeting id -> (convening collective, meeting)."""
        return {mid: (c.slug, m) for c in self.collectives.values() for mid, m in c.meetings.items()}

    def find_meeting(self, meeting_id: str) -> tuple[str, Meeting] | None:
        for c in self.collectives.values():
            if meeting_id in c.meetings:
                return c.slug, c.meetings[meeting_id]
        return None

    def meeting(self, meeting_id: str, option: str | None = None) -> tuple[str, Meeting]:
        """(Convening collective, meeting) of an id the user gave; `UnknownMeeting` (did you mean) if none."""
        found = self.find_meeting(meeting_id)
        if found is None:
            raise UnknownMeeting(meeting_id, self.meetings(), option)
        return found

    def collective(self, slug: str, option: str | None = None) -> CollectiveData:
        """The collective a slug the user gave names; `UnknownCollective` (did you mean) if none."""
        if slug not in self.collectives:
            raise UnknownCollective(slug, self.collectives, option)
        return self.collectives[slug]

    def reports_for(self, meeting_id: str) -> dict[str, Report]:
        return {c.slug: c.reports[meeting_id] for c in self.collectives.values() if meeting_id in c.reports}

    # -- a collective's facts: asked here by every caller, so a missing collective.toml reads the same everywhere

    def _info(self, slug: str | None) -> Collective | None:
        c = self.collectives.get(slug or "")
        return c.info if c is not None else None

    def name_of(self, slug: str) -> str:
        """A collective's display name (`CollectiveData.name`); its slug when it is not known."""
        c = self.collectives.get(slug)
        return c.name if c is not None else slug

    def names(self) -> dict[str, str]:
        """Slug -> display name (`name_of`) of every collective."""
        return {slug: self.name_of(slug) for slug in self.collectives}

    def zone_of(self, slug: str | None) -> str | None:
        """A collective's IANA time zone; None when unknown."""
        info = self._info(slug)
        return info.timezone if info is not None else None

    def languages_of(self, slug: str | None) -> list[str]:
        """A collective's languages (BCP 47 tags, preferred first); empty when unknown."""
        info = self._info(slug)
        return list(info.languages) if info is not None else []


# -- the tree -------------------------------------------------------------------


def discover(root: Path, problems: Problems) -> tuple[list[str], list[Entry]]:
    """Collective slugs and the files to read, with problems for anything out of place."""
    base = root / COLLECTIVES
    real_root = os.path.realpath(root)
    slugs: list[str] = []
    entries: list[Entry] = []
    leaves = outside_link(root, base)  # collectives/ itself linked elsewhere: nothing of it is read
    if leaves is not None:
        problems.add(COLLECTIVES, "symlink-outside", LINK_OUT)
        return slugs, entries
    if not base.is_dir():
        problems.add(COLLECTIVES, "missing-folder", f"no '{COLLECTIVES}/' folder in {root}")
        return slugs, entries
    _interrupted(root, problems)
    for d in _scandir(base):
        rel = f"{COLLECTIVES}/{d.name}"
        if _leftover(d, rel, problems) or d.name.startswith(".") or not _inside(d, real_root, rel, problems):
            continue
        if not d.is_dir():
            if d.name.endswith(".toml"):
                problems.add(
                    rel,
                    "unknown-file",
                    "a TOML file directly in collectives/ is not read; each collective is a folder",
                    severity="warning",
                )
            continue
        bad = name_problem(d.name, "folder name", "is not a slug", "el-salvador")
        if bad:
            problems.add(rel, "bad-slug", bad)
            continue
        slugs.append(d.name)
        entries.extend(_collective_entries(d, rel, real_root, problems))
    _fetched_problems(root, slugs, problems)
    return slugs, entries


def fetched_commits(root: Path, slugs: list[str]) -> dict[str, str]:
    """slug -> the commit of each collective this clone received from its own repository (sources.lock)."""
    from redflag_coord.repo.sourcestore import LOCK, LockError, materialised, read_lock

    if not (root / LOCK).is_file():
        return {}
    try:
        lock = read_lock(root)
    except LockError:
        return {}
    return {slug: have for slug in lock if slug in slugs and (have := materialised(root, slug)) is not None}


def _fetched_problems(root: Path, slugs: list[str], problems: Problems) -> None:
    """The collectives a committee receives from their own repositories (sources.lock, issue 34): `sources
    fetch` writes their verified files read-only into collectives/<slug>/ (git ignores them there), so every
    reader reads them as local ones. Said here: a source not fetched on this machine, or behind the lock,
    and a local folder in a source's place."""
    from redflag_coord.repo.sourcestore import LOCK, LockError, materialised, read_lock

    if not (root / LOCK).is_file():
        return  # the single-repository layout: one stat, nothing more
    try:
        lock = read_lock(root)
    except LockError as e:
        problems.add(LOCK, "bad-lock", str(e))
        return
    for slug, locked in sorted(lock.items()):
        rel = f"{COLLECTIVES}/{slug}"
        have = materialised(root, slug)
        fetch = f"run 'redflag-coord sources fetch {slug}'"
        if have is None and slug in slugs:
            problems.add(
                rel,
                "source-shadowed",
                f"collective {slug!r} is a source of this repository ({LOCK}), but this folder was not written by "
                f"'sources fetch': its files come from its own repository; move this folder away and {fetch}",
            )
        elif have is None or slug not in slugs:
            problems.add(
                rel,
                "source-not-fetched",
                f"source {slug!r} is not fetched on this machine: {fetch}",
                severity="warning",
            )
        elif have != locked.commit:
            problems.add(
                rel,
                "source-stale",
                f"source {slug!r}: this machine holds commit {have[:12]}, {LOCK} records {locked.commit[:12]}: {fetch}",
                severity="warning",
            )


def _interrupted(root: Path, problems: Problems) -> None:
    """A change to several files that a killed command left half-done (repo.journal keeps its journal)."""
    from redflag_coord.repo.journal import journal_path, pending

    command = pending(root)
    if command is None:
        return
    path = journal_path(root)
    rel = os.path.relpath(path, root)
    problems.add(
        rel,
        "interrupted-change",
        f"'{command}' was interrupted part-way (its journal {rel} is left): run any other redflag-coord "
        "command (e.g. 'redflag-coord summary') to complete it, or roll it back where it cannot be completed",
    )


def name_problem(name: str, what: str, not_one: str, example: str) -> str | None:
    """Why a folder or file name cannot be a slug (model.slug_problem decides), worded for that name."""
    if not _SLUG.fullmatch(name):
        return f"{what} {name!r} {not_one}: use lower-case letters, digits and inner hyphens (e.g. {example!r})"
    return f"{what} {slug_problem(name)}" if windows_reserved(name) else None


def _leftover(entry: os.DirEntry, rel: str, problems: Problems) -> bool:
    """A temporary file left by a write that was killed (fsio removes them on every other exit)."""
    from redflag_coord.repo.fsio import is_leftover

    if not is_leftover(entry.name):
        return False
    problems.add(
        rel,
        "leftover-temp",
        "a temporary file left by a redflag-coord write that was killed; the real file beside it is "
        "intact: delete this one",
        severity="warning",
    )
    return True


def _scandir(folder: Path | str) -> list[os.DirEntry]:
    with os.scandir(folder) as it:
        return sorted(it, key=lambda e: e.name)


def _inside(entry: os.DirEntry, real_root: str, rel: str, problems: Problems) -> bool:
    """Follow a symlink only when it stays inside the repository."""
    if not entry.is_symlink():
        return True
    target = os.path.realpath(entry.path)
    if not os.path.exists(target):
        problems.add(
            rel,
            "broken-link",
            "symbolic link to a path that does not exist (or to itself); replace it with the file itself or remove it",
        )
        return False
    if not inside(real_root, target):
        problems.add(rel, "symlink-outside", LINK_OUT)
        return False
    return True


def _collective_entries(d: os.DirEntry, rel: str, real_root: str, problems: Problems) -> list[Entry]:
    slug = d.name
    out: list[Entry] = []
    names = _scandir(d.path)
    if not any(e.name == "collective.toml" for e in names):
        problems.add(
            f"{rel}/collective.toml",
            "missing-file",
            "every collective folder needs a collective.toml (name, kind, timezone, languages)",
        )
    for e in names:
        erel = f"{rel}/{e.name}"
        if _leftover(e, erel, problems) or e.name.startswith(".") or not _inside(e, real_root, erel, problems):
            continue
        if e.name in FIXED_FILES:
            out.append(Entry(e.path, erel, FIXED_FILES[e.name], slug))
        elif e.name in FOLDERS:
            if not e.is_dir():
                problems.add(
                    erel,
                    "not-a-folder",
                    f"'{e.name}' must be a folder of .toml files, each named "
                    "after a meeting id (e.g. ic-2026-12.toml): make it a folder and move the file into it",
                )
                continue
            out.extend(_folder_entries(e, erel, FOLDERS[e.name], slug, real_root, problems))
        elif e.name.endswith(".toml") or e.is_dir():
            known = [*FIXED_FILES, *FOLDERS]
            close = difflib.get_close_matches(e.name, known, n=1, cutoff=0.7)
            if close or e.name.endswith(".toml"):
                hint = f"; did you mean {close[0]!r}?" if close else f"; known files: {', '.join(known)}"
                problems.add(erel, "unknown-file", f"not read{hint}", severity="warning")
    return out


def _folder_entries(d: os.DirEntry, rel: str, kind: str, slug: str, real_root: str, problems: Problems) -> list[Entry]:
    out = []
    for e in _scandir(d.path):
        erel = f"{rel}/{e.name}"
        if _leftover(e, erel, problems) or e.name.startswith(".") or not _inside(e, real_root, erel, problems):
            continue
        if not e.name.endswith(".toml"):
            if e.is_dir():
                problems.add(
                    erel,
                    "unknown-file",
                    f"sub-folders are not read here; move its files up into {rel}/",
                    severity="warning",
                )
            continue
        stem = e.name[: -len(".toml")]
        article = kind == "article"  # named by its own id, the others by their meeting's
        bad = name_problem(
            stem,
            "file name",
            f"is not {'an article' if article else 'a meeting'} id",
            "maquilas" if article else "ic-2026-12",
        )
        if bad:
            problems.add(erel, "bad-slug", bad)
            continue
        out.append(Entry(e.path, erel, kind, slug, stem))
    return out


def load_organisation(root: Path | str, workers: int | None = None) -> Organisation:
    """Read every file of the organisation once; schema problems are collected, not raised.

    A large organisation is checked on every core (see `pool`); `workers` (or REDFLAG_WORKERS)
    fixes the number of processes, 1 for serial. The result does not depend on it.
    """
    from redflag_coord.org.cached import prune
    from redflag_coord.org.pool import check_entries

    org, entries = begin(root)
    take(org, entries, check_entries(entries, workers))
    prune(root, org.files)
    return org


def begin(root: Path | str) -> tuple[Organisation, list[Entry]]:
    """An organisation with its collectives and the problems of its tree, and the files still to read."""
    root = Path(root)
    org = Organisation(root=root)
    slugs, entries = discover(root, org.problems)
    org.failed.update(p.file for p in org.problems if p.severity == "error")
    for slug in slugs:
        org.collectives[slug] = CollectiveData(slug)
    org.fetched = fetched_commits(root, slugs)
    # files refused on sight (a bad name, a broken link) were looked at too
    org.files = sorted({e.rel for e in entries} | {p.file for p in org.problems if p.file.endswith(".toml")})
    return org, entries


def take(org: Organisation, entries: list[Entry], checked: list[tuple[FileModel | None, list]]) -> None:
    """Add the files read (a model or None, and their problems, entry by entry) to the organisation."""
    for entry, (model, problems) in zip(entries, checked):
        org.problems.extend(problems)
        if model is not None:
            _attach(org.collectives[entry.slug], entry, model)
        else:
            org.failed.add(entry.rel)


def _attach(c: CollectiveData, entry: Entry, model: FileModel) -> None:
    if entry.kind == "collective":
        c.info = model  # type: ignore[assignment]
    elif entry.kind == "members":
        c.members = model  # type: ignore[assignment]
    elif entry.kind == "relationships":
        c.relationships = model  # type: ignore[assignment]
    elif entry.kind == "meeting":
        c.meetings[entry.name or ""] = model  # type: ignore[assignment]
    elif entry.kind == "report":
        c.reports[entry.name or ""] = model  # type: ignore[assignment]
    elif entry.kind == "minutes":
        c.minutes[entry.name or ""] = model  # type: ignore[assignment]
    elif entry.kind == "roles":
        c.roles = model  # type: ignore[assignment]
    elif entry.kind == "article":
        c.articles[entry.name or ""] = model  # type: ignore[assignment]
    elif entry.kind == "motion":
        c.motions[entry.name or ""] = model  # type: ignore[assignment]
