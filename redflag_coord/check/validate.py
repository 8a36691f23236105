"""Validation of a whole organisation: loaded at once (`validate_path`) or streamed report by report
(`validate_tree`, the `validate` command). Both walk the same table of checks (check.registry) and
differ only in what they load.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redflag_coord.check.registry import Check, Frame, report_values, run_across, run_frame, run_report, run_sealed
from redflag_coord.crypt import is_sealed
from redflag_coord.org.clock import today_default
from redflag_coord.org.load import Organisation, load_organisation
from redflag_coord.org.model import Report
from redflag_coord.org.problems import Problem, Problems, located
from redflag_coord.org.secrets import Opened, report_slots, reveal
from redflag_coord.org.settings import settings_or_defaults

if TYPE_CHECKING:
    from redflag_coord.crypt import Identities
    from redflag_coord.org.parse import Entry
    from redflag_coord.org.reads import Reads


@dataclass
class Outcome:
    org: Organisation
    problems: list[Problem]
    opened: Opened | None = None  # the encrypted private values read (and not) with the identity given

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity == "warning" for p in self.problems)


def validate_org(
    org: Organisation, today: dt.date | None = None, identities: Identities | None = None, opened: list | None = None
) -> list[Problem]:
    """All problems of a loaded organisation, located and sorted.

    Encrypted private values are opened first with `identities` (those it cannot read stay sealed,
    and the checks that need them skip them); what was opened is appended to `opened`.
    """
    problems, result = _open(org, identities)
    if opened is not None:
        opened.append(result)
    today = today or today_default()
    memo = _LoadedMemo(org, today) if identities is None and cache_on(org.root) else None
    check_organisation(org, problems, today, memo.run if memo is not None else None)
    if memo is not None:
        memo.keep()
    return _close(org, problems)


def _open(org: Organisation, identities: Identities | None) -> tuple[Problems, Opened]:
    """The first steps of every validation: the files' own problems, the keyless checks of sealed
    values, then the values this identity opens (in place, before any check reads them)."""
    problems = Problems(list(org.problems))
    settings = settings_or_defaults(org.root)  # its own problems: the settings-file check
    run_sealed(org, settings, problems)
    return problems, reveal(org, settings, identities, problems)


def _close(org: Organisation, problems: Problems) -> list[Problem]:
    """The last step of every validation: lines and columns, sorted."""
    if org.fetched:
        problems = Problems([p for p in problems if not _resolved_elsewhere(org, p)])
    return located(problems, org.root)


def _resolved_elsewhere(org: Organisation, p: Problem) -> bool:
    """A fetched file's reference to something another repository holds (issue 34): the committee's meeting
    names every participant, its minutes answer requests from every report, and a collective's repository
    holds only itself. References are checked in the source's own repository; here, its schema, its text
    and everything else still are. So is a decision's result: its rule may be a motion's, filed in a third
    repository, and its vote counts members of collectives this one does not hold."""
    slug = p.file.split("/")[1] if p.file.startswith("collectives/") else ""
    return slug in org.fetched and p.code in _JUDGED_AT_SOURCE


_JUDGED_AT_SOURCE = ("unresolved-ref", "unknown-collective", "wrong-result")


def validate_path(
    root: Path | str, today: dt.date | None = None, identities: Identities | None = None, reads: Reads | None = None
) -> Outcome:
    """Load and check the organisation; with `reads`, only the files a command reads and what their
    checks need (org.reads.load_read), the others left unparsed."""
    if reads is None:
        org = load_organisation(root)
    else:
        from redflag_coord.org.reads import load_read

        org = load_read(root, reads)
    opened: list[Opened] = []
    problems = validate_org(org, today, identities, opened)
    return Outcome(org, problems, opened[0])


def validate_tree(
    root: Path | str, today: dt.date | None = None, identities: Identities | None = None, workers: int | None = None
) -> Outcome:
    """The problems `validate_path` finds, without holding every report at once (the `validate` command).

    Every file but the reports (a few per collective, one per meeting or minutes) is loaded and
    checked first, as the frame. Then each report is read, checked against the frame and let go, on
    every core (forked workers see the frame without it crossing a pipe); what the checks across
    reports read (dates, requests, answers) is kept, the texts are not. The returned organisation
    therefore holds such cut-down reports: use `validate_path` for one to render from.
    """
    from redflag_coord.org.cached import prune
    from redflag_coord.org.load import begin, take
    from redflag_coord.org.pool import Job, check_entries, map_entries

    today = today or today_default()
    org, entries = begin(root)
    frame_entries = [e for e in entries if e.kind != "report"]
    report_entries = [e for e in entries if e.kind == "report"]
    before = _frame_inputs(org.root, frame_entries) if identities is None and cache_on(org.root) else None
    take(org, frame_entries, check_entries(frame_entries, workers))
    prune(root, org.files)
    problems, opened = _open(org, identities)
    # Requests matter across reports only to the commitments check: it runs when there are minutes,
    # or answers in some report. Without minutes, reports are kept only if they answer; should one
    # answer, the others' requests are read again (a second pass, rarely needed).
    keep_all = any(c.minutes for c in org.collectives.values())
    key = _frame_key(org, frame_entries, before, today, keep_all)
    memo = _FrameMemo(org.root, key) if key is not None else None
    frame = run_frame(org, problems, today, memo.run if memo is not None else None)
    frame.identities = identities  # each streamed report's sites: opened (and checked) as the rest were
    if key is not None and before is not None and _frame_inputs(org.root, frame_entries, before[1]) != before:
        key = None  # a file changed while the frame was checked: keep nothing of this run
    elif memo is not None:
        memo.keep()
    results = _reports_in_frame(frame, keep_all, key, report_entries, workers)
    unread: list[Entry] = []
    for entry, (found, loaded, kept, plain) in zip(report_entries, results):
        problems.extend(found)
        org.let_go.update(plain)
        if not loaded:
            org.failed.add(entry.rel)
        elif kept is not None:
            org.collectives[entry.slug].reports[entry.name or ""] = kept
        else:
            unread.append(entry)
    if unread and any(r.answers for c in org.collectives.values() for r in c.reports.values()):
        for entry, (_, _, kept, _) in zip(
            unread, map_entries(Job(partial(_report_in_frame, None, True)), unread, workers)
        ):
            if kept is not None:
                org.collectives[entry.slug].reports[entry.name or ""] = kept
    run_across(org, problems)
    return Outcome(org, _close(org, problems), opened)


Streamed = tuple[list[Problem], bool, Report | None, tuple[str, ...]]

# Frame checks whose problems follow from the frame files' content alone (no git, no clock but the key's
# day, nothing opened: the key is made only without an identity); a run with only reports changed reads
# them from the cache (issue 35: at 10,000 files, the privacy scan of the frame's texts is the largest).
_CONTENT_ONLY = frozenset({"published-text"})
_FRAME_CHECKS = "frame-checks"


class _FrameMemo:
    """`run_frame`'s `via`: each content-only check answered from the frame key's index, or run and kept."""

    def __init__(self, root: Path, key: str) -> None:
        self.root, self.key = root, key
        self.found = self._read()
        self.fresh: dict[str, list] = {}

    def _read(self) -> dict[str, Any]:
        from redflag_coord.org import cached

        return cached.keyed(self.root, _FRAME_CHECKS, self.key)

    def run(self, check: Check, frame: Frame, out: Problems) -> None:
        if check.name not in _CONTENT_ONLY:
            check.run(frame, out)
            return
        back = _problems_back(self.found.get(check.name))
        if back is not None:
            out.extend(back)
            return
        mine = Problems()
        check.run(frame, mine)
        out.extend(mine)
        self.fresh[check.name] = _rows(mine.items)

    def keep(self) -> None:
        from redflag_coord.org import cached

        if self.fresh:
            cached.keep_keyed(self.root, _FRAME_CHECKS, self.key, {**self.found, **self.fresh})


class _LoadedMemo(_FrameMemo):
    """The same for a loaded organisation (`validate_path`: every command but `validate`, whole or partly
    loaded), keyed by the content of every file beside the reports, which files were not loaded, the day
    and the settings; made only without an identity. The last few keys are kept: `agenda` and `summary`
    load different parts and each finds its own."""

    def __init__(self, org: Organisation, today: dt.date) -> None:
        from redflag_coord.org.cached import key_of

        self.org = org
        self.before = _inputs(org.root, [r for r in org.files if not _is_report(r)])
        env = sorted((k, v) for k, v in os.environ.items() if k.startswith("REDFLAG_") and k not in _NOT_READ)
        facts = [self.before, today.isoformat(), sorted(org.collectives), sorted(org.failed), env]
        super().__init__(org.root, key_of(["loaded", *facts]))

    def _read(self) -> dict[str, Any]:
        from redflag_coord.org import cached

        return cached.keyed_among(self.root, _LOADED_CHECKS, self.key)

    def keep(self) -> None:
        from redflag_coord.org import cached

        rels = [r for r in self.org.files if not _is_report(r)]
        if self.fresh and _inputs(self.org.root, rels, on=self.before[1]) == self.before:
            cached.keep_among(self.root, _LOADED_CHECKS, self.key, {**self.found, **self.fresh})


_LOADED_CHECKS = "loaded-checks"


def _is_report(rel: str) -> bool:
    parts = rel.split("/")
    return len(parts) == 4 and parts[0] == "collectives" and parts[2] == "reports"


def _rows(problems: list[Problem]) -> list[list]:
    return [[p.file, p.code, p.message, p.severity, list(p.key), p.line, p.column] for p in problems]


def _problems_back(rows: object) -> list[Problem] | None:
    try:
        return [Problem(f, c, m, s, tuple(k), ln, col) for f, c, m, s, k, ln, col in rows]  # type: ignore[attr-defined]
    except (ValueError, TypeError):
        return None


def _reports_in_frame(
    frame: Frame, keep: bool, key: str | None, entries: list[Entry], workers: int | None
) -> list[Streamed]:
    """`_report_in_frame` of each report, in order. With a key, the reports whose stat is the one recorded
    are answered from one index read here (org.cached.step_index) instead of one entry each; only the
    others go to the workers, and the index is written again when they were any."""
    from redflag_coord.org import cached
    from redflag_coord.org.pool import Job, map_entries

    rows = cached.step_index(frame.org.root, key) if key is not None else {}
    found: dict[str, Streamed] = {}
    kept: dict[str, list] = {}
    for entry in entries if rows else ():
        hit = cached.indexed(rows, entry.path, entry.rel, entry.kind)
        back = _streamed_back(hit, frame, keep, entry) if hit is not None else None
        if back is not None:
            found[entry.rel] = back
            kept[entry.rel] = rows[entry.rel]
    missing = [e for e in entries if e.rel not in found]
    job = Job(partial(_report_in_frame, frame, keep, key=key), keeps=False)
    found.update(zip((e.rel for e in missing), map_entries(job, missing, workers)))
    if key is not None and (missing or len(kept) != len(rows)):
        cached.keep_step_index(frame.org.root, key, kept, [(e.rel, e.path, e.kind) for e in missing])
    return [found[e.rel] for e in entries]


def _frame_inputs(root: Path, frame_entries: list[Entry], on: bool | None = None) -> list:
    """What a streamed report's checks read besides the report (no identity given): every other data file,
    the settings and the approvals, by content; read before and after the frame is checked."""
    return _inputs(root, [e.rel for e in frame_entries], [e.path for e in frame_entries], on)


def _inputs(root: Path, rels: list[str], paths: list[Path | str] | None = None, on: bool | None = None) -> list:
    """The files' content digests, with the settings', the approvals' and whether approvals are on (`on`:
    as found by the first of the reads that compare, which need not ask git again)."""
    from redflag_coord.org.cached import digests
    from redflag_coord.org.trustcheck import TRUST_DIR, approvals_on

    files = list(zip(rels, paths if paths is not None else [Path(root, r) for r in rels]))
    files.append(("organisation.toml", root / "organisation.toml"))
    # articles' texts (Markdown beside each article file): the published-text check reads every line of them
    texts = sorted(p for p in root.glob("collectives/*/articles/*") if p.suffix != ".toml" and p.is_file())
    files += [(p.relative_to(root).as_posix(), p) for p in texts]
    folder = root / TRUST_DIR
    files += [(f"{TRUST_DIR}/{p.name}", p) for p in sorted(folder.glob("*.toml"))] if folder.is_dir() else []
    return [digests(files), approvals_on(root) if on is None else on]


# Settings no check reads: how many processes, whether a bar is drawn, the cache itself
_NOT_READ = frozenset({"REDFLAG_NO_CACHE", "REDFLAG_WORKERS", "REDFLAG_NO_PROGRESS", "REDFLAG_PROGRESS_AFTER"})


def _frame_key(
    org: Organisation, frame_entries: list[Entry], before: list | None, today: dt.date, keep: bool
) -> str | None:
    """The key under which each report's checks against this frame are kept (issue 35), or None: not
    when an identity is given (what it opens never enters the cache), nor when a file changed meanwhile."""
    from redflag_coord.org.cached import key_of

    if before is None or _frame_inputs(org.root, frame_entries, before[1]) != before:
        return None
    env = sorted((k, v) for k, v in os.environ.items() if k.startswith("REDFLAG_") and k not in _NOT_READ)
    return key_of([before, today.isoformat(), keep, sorted(org.collectives), sorted(org.failed), env])


def cache_on(root: Path | str) -> bool:
    from redflag_coord.repo.cache import store_for

    return store_for(root) is not None


def _report_in_frame(frame: Frame | None, keep: bool, entry: Entry, key: str | None = None) -> Streamed:
    """`_report_checked`, answered from the cache when this report was checked against this very frame."""
    from redflag_coord.org import cached

    if key is not None and frame is not None:
        hit = cached.step_result(entry.path, entry.rel, entry.kind, key)
        found = _streamed_back(hit, frame, keep, entry) if hit is not None else None
        if found is not None:
            return found
    streamed = _report_checked(frame, keep, entry, defer=key is not None)
    if key is not None:  # the file's entry and, when it loaded, what its checks found: written at once
        value = None
        if streamed[1] and all(isinstance(v, str) for v in streamed[3]):
            problems = [[p.file, p.code, p.message, p.severity, list(p.key), p.line, p.column] for p in streamed[0]]
            value = [problems, streamed[2] is not None, list(streamed[3])]
        cached.keep_step(entry.path, entry.rel, entry.kind, key, value)
    return streamed


def _streamed_back(hit: list, frame: Frame, keep: bool, entry: Entry) -> Streamed | None:
    from redflag_coord.org import cached

    try:
        rows, kept, plain = hit
        problems = [Problem(f, c, m, s, tuple(k), ln, col) for f, c, m, s, k, ln, col in rows]
        plain = tuple(str(v) for v in plain)
    except (ValueError, TypeError):
        return None
    if not kept:
        return problems, True, None, plain
    report = cached.check(entry.path, entry.rel, entry.kind).model  # what the checks across reports read
    if not isinstance(report, Report):
        return None
    return problems, True, _cut_down(report), plain


def _cut_down(report: Report) -> Report:
    return Report.model_construct(
        {"filed", "requests", "answers"},
        filed=report.filed,
        summary="",
        requests=report.requests,
        answers=report.answers,
    )


def _report_checked(frame: Frame | None, keep: bool, entry: Entry, defer: bool = False) -> Streamed:
    """One report file read and checked against the frame (None: not checked): its problems, whether it
    loaded, what the checks across reports read of it (its date, requests and answers), if it has
    answers or `keep`, and its private values in plain text (sites: read or opened), which the exports
    check looks for after the report is let go."""
    from redflag_coord.org import cached

    result = cached.check(entry.path, entry.rel, entry.kind, defer)
    report = result.model
    if not isinstance(report, Report):
        return result.problems, False, None, ()
    out = Problems(list(result.problems))
    if frame is not None:
        report_values(frame, entry.slug, entry.name or "", report, out)  # sealed-values, for its sites
        run_report(frame, entry.slug, entry.name or "", report, out)
    plain = tuple(v for s in report_slots(entry.slug, entry.name or "", report) if (v := s.value) and not is_sealed(v))
    if not (keep or report.answers) or not (report.requests or report.answers):
        return out.items, True, None, plain
    return out.items, True, _cut_down(report), plain


def check_organisation(
    org: Organisation, out: Problems, today: dt.date, via: Callable[[Check, Frame, Problems], None] | None = None
) -> None:
    """The frame, each report and the checks across reports: the table walked once over what is loaded."""
    frame = run_frame(org, out, today, via)
    for c in org.collectives.values():
        for mid, report in c.reports.items():
            run_report(frame, c.slug, mid, report, out)
    run_across(org, out)
