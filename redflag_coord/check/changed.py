"""Validate only the files changed since a revision, plus the references that touch them.

Made for pre-commit hooks and pull requests in large repositories: it reads the
changed files and, for the cross-file checks, only the few files they refer to
or that refer to them, found by path (folder listings and `stat`, no parsing):

| changed file        | also read                         | cross-file checks                                  |
| ------------------- | --------------------------------- | -------------------------------------------------- |
| collective.toml     | -                                 | -                                                  |
| members.toml        | every members.toml (handles only) | handles unique; its relationships' comrades and its reports' filed_by resolve |
| relationships.toml  | its members.toml                  | comrades resolve                                   |
| meetings/<id>.toml  | reports/<id>.toml everywhere, with their members.toml; every relationships.toml | id unique; participants/opens/leads name collectives; the reports to it still fit; no private text |
| reports/<id>.toml   | its members.toml, meetings/<id>.toml; every relationships.toml | meeting exists and invites the collective; filed before it; filed_by, requests resolve; no private text |
| a deleted file      | as for a change to it             | whatever referred to it                            |

A deleted collective.toml (or a whole collective removed) falls back to the full
validation, since any file may name that collective. Not checked with
--changed: problems in unchanged files that the change does not touch, symbolic
links, and unknown files outside the changed paths.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from redflag_coord.check.registry import follows
from redflag_coord.check.rules import check_meeting, check_relationships, check_report
from redflag_coord.check.validate import validate_path
from redflag_coord.org.cached import check as check_file
from redflag_coord.org.clock import today_default
from redflag_coord.org.load import (
    COLLECTIVES,
    FIXED_FILES,
    FOLDERS,
    CollectiveData,
    Organisation,
    name_problem,
    rel_path,
)
from redflag_coord.org.model import FileModel, slug_problem
from redflag_coord.org.problems import Problem, Problems, located

if TYPE_CHECKING:
    from redflag_coord.check.privacy import Pseudonyms
    from redflag_coord.crypt import Identities

# Problems reported in an unchanged file only when the change causes them: the registry's `follows` codes.
_REFERENCE_CODES = follows()


@dataclass(frozen=True)
class Target:
    rel: str
    kind: str
    slug: str
    name: str | None = None


@dataclass
class ChangedOutcome:
    problems: list[Problem]
    changed: list[str]  # data files among the changed paths
    read: set[str] = field(default_factory=set)  # every file parsed
    full: bool = False  # fell back to the full validation

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)


def classify(rel: str, problems: Problems, exists: bool) -> Target | None:
    """What a changed path is, with the problems discovery would report for it."""
    parts = rel.split("/")
    if parts[0] != COLLECTIVES or len(parts) < 2 or any(p.startswith(".") for p in parts):
        return None
    if len(parts) == 2:
        if exists and rel.endswith(".toml"):
            problems.add(
                rel,
                "unknown-file",
                "a TOML file directly in collectives/ is not read; each collective is a folder",
                severity="warning",
            )
        return None
    slug = parts[1]
    bad = name_problem(slug, "folder name", "is not a slug", "el-salvador")
    if bad:
        if exists:
            problems.add(f"{COLLECTIVES}/{slug}", "bad-slug", bad)
        return None
    if len(parts) == 3 and parts[2] in FIXED_FILES:
        return Target(rel, FIXED_FILES[parts[2]], slug)
    if len(parts) == 4 and parts[2] in FOLDERS and parts[3].endswith(".toml"):
        stem = parts[3][: -len(".toml")]
        bad = name_problem(stem, "file name", "is not a meeting id", "ic-2026-12")
        if bad is None:
            return Target(rel, FOLDERS[parts[2]], slug, stem)
        if exists:
            problems.add(rel, "bad-slug", bad)
        return None
    if exists and len(parts) == 3 and parts[2].endswith(".toml"):
        known = [*FIXED_FILES, *FOLDERS]
        close = difflib.get_close_matches(parts[2], known, n=1, cutoff=0.7)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known files: {', '.join(known)}"
        problems.add(rel, "unknown-file", f"not read{hint}", severity="warning")
    return None


class _Reader:
    """Reads each needed file at most once into a partial Organisation."""

    def __init__(self, root: Path, changed: set[str]) -> None:
        self.root = root
        self.changed = changed
        self.org = Organisation(root=root)
        self.problems = Problems()
        self.read: set[str] = set()  # files parsed
        self._tried: set[str] = set()  # and those looked for that do not exist
        self.pseudonyms: Pseudonyms | None = None  # built on first need, from every relationships.toml
        self.identities: Identities | None = None  # opens sealed pseudonyms for the private-text check
        base = root / COLLECTIVES
        slugs = (
            sorted(p.name for p in base.iterdir() if p.is_dir() and slug_problem(p.name) is None)
            if base.is_dir()
            else []
        )
        for slug in slugs:
            self.org.collectives[slug] = CollectiveData(slug)

    def get(self, kind: str, slug: str, name: str | None = None) -> FileModel | None:
        rel = rel_path(kind, slug, name)
        c = self.org.collectives.get(slug)
        if c is None:
            return None
        if rel not in self._tried:
            self._tried.add(rel)
            path = self.root / rel
            if path.exists():
                self.read.add(rel)
                result = check_file(path, rel, kind)
                if rel in self.changed:
                    self.problems.extend(result.problems)
                if result.model is None:
                    self.org.failed.add(rel)
                else:
                    _attach(c, kind, name, result.model)
        return _attached(c, kind, name)

    def meeting_files(self, mid: str) -> list[str]:
        return [s for s in self.org.collectives if (self.root / rel_path("meeting", s, mid)).is_file()]

    def report_files(self, mid: str) -> list[str]:
        return [s for s in self.org.collectives if (self.root / rel_path("report", s, mid)).is_file()]


_DICTS = {"meeting": "meetings", "report": "reports", "minutes": "minutes", "article": "articles", "motion": "motions"}


def _attach(c: CollectiveData, kind: str, name: str | None, model: FileModel) -> None:
    if kind in _DICTS:
        getattr(c, _DICTS[kind])[name or ""] = model
    else:
        setattr(c, "info" if kind == "collective" else kind, model)


def _attached(c: CollectiveData, kind: str, name: str | None) -> FileModel | None:
    if kind in _DICTS:
        return getattr(c, _DICTS[kind]).get(name or "")
    return getattr(c, "info" if kind == "collective" else kind)


def validate_changed(
    root: Path | str, changed: list[str], today: dt.date | None = None, identities: Identities | None = None
) -> ChangedOutcome:
    """Check the changed files (paths relative to root) and the cross-references that touch them;
    `identities` opens the sealed pseudonyms the private-text check looks for."""
    root = Path(root)
    today = today or today_default()
    pre = Problems()
    targets = []
    for rel in changed:
        t = classify(rel, pre, (root / rel).exists())
        if t is not None:
            targets.append(t)
    if any(t.kind == "collective" and not (root / t.rel).exists() for t in targets):
        outcome = validate_path(root, today, identities)
        return ChangedOutcome(outcome.problems, [t.rel for t in targets], full=True)
    reader = _Reader(root, {t.rel for t in targets})
    reader.identities = identities
    out = Problems(list(pre))
    for slug in sorted({t.slug for t in targets}):
        if (root / COLLECTIVES / slug).is_dir() and not (root / rel_path("collective", slug)).exists():
            out.add(
                rel_path("collective", slug),
                "missing-file",
                "every collective folder needs a collective.toml (name, kind, timezone, languages)",
            )
    dependents = Problems()
    reports_done: set[tuple[str, str]] = set()
    for t in targets:
        reader.get(t.kind, t.slug, t.name)
    for t in targets:
        _check_target(reader, t, out, dependents, reports_done, today)
        if t.kind in _TEXT_KINDS:
            _check_published(reader, t, out)
    out.extend(reader.problems)
    out.extend(_minutes_problems(root, [t.rel for t in targets if t.kind in ("minutes", "roles", "motion")]))
    out.extend(_article_problems(root, changed))
    out.extend(p for p in dependents if p.file in reader.changed or p.code in _REFERENCE_CODES)
    _check_sealed_of(reader, {t.slug for t in targets if t.kind in (*_SEALED_KINDS, "report")}, out)
    _check_trust(root, out)
    problems = located(_unique(out), root)
    return ChangedOutcome(problems, [t.rel for t in targets], reader.read)


def _check_published(reader: _Reader, t: Target, out: Problems) -> None:
    """The changed file's published text (and a private file's comments), checked as `validate` checks
    it: no email address, phone number or relationship's pseudonym (of any collective: every
    relationships.toml, opened with the identity given, as `validate` opens them)."""
    from redflag_coord.check.outside import file_texts
    from redflag_coord.check.privacy import check_texts

    model = reader.get(t.kind, t.slug, t.name)
    if model is not None:
        check_texts(file_texts(reader.root, t.kind, t.slug, t.name, model), _pseudonyms(reader), out)


def _pseudonyms(reader: _Reader) -> Pseudonyms:
    from redflag_coord.check.privacy import Pseudonyms
    from redflag_coord.org.secrets import reveal
    from redflag_coord.org.settings import settings_or_defaults

    if reader.pseudonyms is None:
        for slug in reader.org.collectives:
            reader.get("collective", slug)  # its country: local phone formats
            reader.get("relationships", slug)
        org = reader.org
        if reader.identities is not None:  # opened in a copy: the plain-text checks read the files as they are
            org = Organisation(root=reader.root)
            for slug, c in reader.org.collectives.items():
                org.collectives[slug] = copy = CollectiveData(slug)
                copy.info = c.info
                copy.relationships = c.relationships.model_copy(deep=True) if c.relationships else None
            reveal(org, settings_or_defaults(reader.root), reader.identities, Problems())
        reader.pseudonyms = Pseudonyms(org)
    return reader.pseudonyms


def _minutes_problems(root: Path, rels: list[str]) -> list[Problem]:
    """Minutes point at commitments and requests anywhere in the organisation, at motions (whose results follow
    the organisation's rule), a rota at its meetings, minutes and members: read it whole for them."""
    if not rels:
        return []
    from redflag_coord.check.commitments import check_commitments
    from redflag_coord.check.lifecycle import check_approvals, check_history
    from redflag_coord.check.motions import check_motions, check_results
    from redflag_coord.check.rota import check_rota
    from redflag_coord.org.load import load_organisation
    from redflag_coord.org.settings import settings_or_defaults

    org = load_organisation(root)
    found = Problems([p for p in org.problems if p.file in rels])
    check_commitments(org, found)
    check_approvals(org, found)  # the lifecycle: approved minutes change only by a recorded amendment
    check_history(org, found)
    check_rota(org, found)
    check_motions(org, found)
    check_results(org, settings_or_defaults(root).decisions, found)
    return [p for p in found if p.file in rels]


def _article_problems(root: Path, changed: list[str]) -> list[Problem]:
    """An article file or a text beside it (a source edit turns translations stale): the articles of the
    collectives touched, checked against the whole organisation (collectives, members, texts)."""
    touched = {parts[1] for parts in (rel.split("/") for rel in changed) if len(parts) == 4 and parts[2] == "articles"}
    if not touched:
        return []
    from redflag_coord.check.articles import check_articles
    from redflag_coord.org.load import load_organisation

    org = load_organisation(root)
    found = Problems([p for p in org.problems if "/articles/" in p.file])
    check_articles(org, found)
    return [p for p in found if any(p.file.startswith(f"{COLLECTIVES}/{slug}/articles/") for slug in touched)]


_SEALED_KINDS = ("collective", "members", "relationships")
_TEXT_KINDS = ("report", "meeting", "minutes", *_SEALED_KINDS)  # published texts or comments


def _check_sealed_of(reader: _Reader, slugs: set[str], out: Problems) -> None:
    """Plain text where recipients are listed (the pre-commit hook refuses it), in the collectives touched."""
    from redflag_coord.check.sealed import check_sealed
    from redflag_coord.org.settings import settings_or_defaults

    for slug in slugs:
        for kind in _SEALED_KINDS:
            reader.get(kind, slug)
    found = Problems()
    check_sealed(reader.org, settings_or_defaults(reader.root), found)
    out.extend(p for p in found if any(p.file.startswith(f"{COLLECTIVES}/{slug}/") for slug in slugs))


def _check_trust(root: Path, out: Problems) -> None:
    """Every recipient, mail sender and `require` change approved (issue 28): whatever changed, it is cheap."""
    from redflag_coord.check.trust import check_approvals, load

    check_approvals(load(root), out)


def _unique(problems: Problems) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _check_target(
    reader: _Reader, t: Target, out: Problems, dependents: Problems, reports_done: set[tuple[str, str]], today: dt.date
) -> None:
    org = reader.org
    c = org.collectives.get(t.slug)
    if c is None:
        return
    if t.kind == "members":
        _check_handles(reader, t, out)
        _check_relationships_of(reader, c, dependents, today)
        for mid in _report_names(reader.root, t.slug):
            _check_one_report(reader, t.slug, mid, dependents, reports_done)
    elif t.kind == "relationships":
        _check_relationships_of(reader, c, out, today)
    elif t.kind == "meeting":
        meeting = reader.get("meeting", t.slug, t.name)
        mid = t.name or ""
        others = [s for s in reader.meeting_files(mid) if s != t.slug]
        if meeting is not None:
            if others:
                out.add(
                    t.rel,
                    "duplicate-meeting",
                    f"meeting id {mid!r} is already used by "
                    f"{rel_path('meeting', others[0], mid)}; meeting ids are unique across the "
                    "organisation, so rename one file",
                )
            check_meeting(org, t.slug, mid, meeting, out)  # type: ignore[arg-type]
        for slug in reader.report_files(mid):
            _check_one_report(reader, slug, mid, dependents, reports_done)
    elif t.kind == "report":
        _check_one_report(reader, t.slug, t.name or "", out, reports_done)


def _check_one_report(reader: _Reader, slug: str, mid: str, out: Problems, done: set[tuple[str, str]]) -> None:
    if (slug, mid) in done:
        return
    done.add((slug, mid))
    report = reader.get("report", slug, mid)
    if report is None:
        return
    reader.get("members", slug)
    meetings: dict[str, tuple[str, FileModel]] = {}
    for s in reader.meeting_files(mid):
        m = reader.get("meeting", s, mid)
        if m is not None:
            meetings.setdefault(mid, (s, m))
    check_report(reader.org, reader.org.collectives[slug], mid, report, meetings, out)  # type: ignore[arg-type]


def _check_relationships_of(reader: _Reader, c: CollectiveData, out: Problems, today: dt.date) -> None:
    if reader.get("relationships", c.slug) is None:
        return
    members = reader.get("members", c.slug)
    handles = {m.handle: c.slug for m in members.members} if members is not None else {}  # type: ignore[attr-defined]
    check_relationships(reader.org, c, handles, out, today)


def _check_handles(reader: _Reader, t: Target, out: Problems) -> None:
    members = reader.get("members", t.slug)
    if members is None:
        return
    others: dict[str, str] = {}
    for slug in reader.org.collectives:
        if slug == t.slug:
            continue
        other = reader.get("members", slug)
        for m in other.members if other is not None else ():  # type: ignore[attr-defined]
            others.setdefault(m.handle, rel_path("members", slug))
    seen: dict[str, int] = {}
    for i, m in enumerate(members.members):  # type: ignore[attr-defined]
        where = (
            f"earlier in this file (member[{seen[m.handle]}])"
            if m.handle in seen
            else (f"in {others[m.handle]}" if m.handle in others else None)
        )
        if where:
            out.add(
                t.rel,
                "duplicate-handle",
                f"handle {m.handle!r} is already used {where}; each member needs a handle of their own",
                key=("member", i, "handle"),
            )
        seen.setdefault(m.handle, i)


def _report_names(root: Path, slug: str) -> list[str]:
    folder = root / COLLECTIVES / slug / "reports"
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.iterdir() if p.suffix == ".toml" and slug_problem(p.stem) is None)
