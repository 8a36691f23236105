"""Validation of a whole organisation: loaded at once (`validate_path`) or streamed report by report
(`validate_tree`, the `validate` command). Both walk the same table of checks (check.registry) and
differ only in what they load.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from redflag_coord.check.registry import Frame, report_values, run_across, run_frame, run_report, run_sealed
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
    check_organisation(org, problems, today or today_default())
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
    return located(problems, org.root)


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
    from redflag_coord.org.load import begin, take
    from redflag_coord.org.pool import Job, check_entries, map_entries

    today = today or today_default()
    org, entries = begin(root)
    frame_entries = [e for e in entries if e.kind != "report"]
    report_entries = [e for e in entries if e.kind == "report"]
    take(org, frame_entries, check_entries(frame_entries, workers))
    problems, opened = _open(org, identities)
    frame = run_frame(org, problems, today)
    frame.identities = identities  # each streamed report's sites: opened (and checked) as the rest were
    # Requests matter across reports only to the commitments check: it runs when there are minutes,
    # or answers in some report. Without minutes, reports are kept only if they answer; should one
    # answer, the others' requests are read again (a second pass, rarely needed).
    keep_all = any(c.minutes for c in org.collectives.values())
    results = map_entries(Job(partial(_report_in_frame, frame, keep_all), keeps=False), report_entries, workers)
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


def _report_in_frame(frame: Frame | None, keep: bool, entry: Entry) -> Streamed:
    """One report file read and checked against the frame (None: not checked): its problems, whether it
    loaded, what the checks across reports read of it (its date, requests and answers), if it has
    answers or `keep`, and its private values in plain text (sites: read or opened), which the exports
    check looks for after the report is let go."""
    from redflag_coord.org import parse

    result = parse.check_file(entry.path, entry.rel, entry.kind)
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
    kept = Report.model_construct(
        {"filed", "requests", "answers"},
        filed=report.filed,
        summary="",
        requests=report.requests,
        answers=report.answers,
    )
    return out.items, True, kept, plain


def check_organisation(org: Organisation, out: Problems, today: dt.date) -> None:
    """The frame, each report and the checks across reports: the table walked once over what is loaded."""
    frame = run_frame(org, out, today)
    for c in org.collectives.values():
        for mid, report in c.reports.items():
            run_report(frame, c.slug, mid, report, out)
    run_across(org, out)
