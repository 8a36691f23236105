"""The state of each invited collective's report to a meeting: filed, late, draft or missing.

The one definition that `report status`, `report remind`, `agenda`, `summary`,
`network` and their JSON outputs share.

The filed date: inside a git repository (with full history), the committer date
of the first-parent commit of the current branch that brought the report (the
committee's merge, not a date the report's author can set), as a date in the collective's own
zone, so it cannot be written back. A report not committed yet, data outside git,
a shallow clone, or REDFLAG_FILED_DATES=file: the report's `filed` key.
A report is on time when that date is on or before the due date (a local date,
compared in the collective's zone), late after it, and a draft while its summary
still starts with the template's TODO marker, whatever its date.
A meeting or occurrence that takes no reports (org.occurrences.accepts_reports: none asked for, or
cancelled) has no report missing: only reports that exist are listed.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from redflag_coord.errors import DataWarning
from redflag_coord.org.load import Organisation, rel_path
from redflag_coord.org.model import Meeting, Report
from redflag_coord.org.occurrences import Occurrence, OccurrenceError, accepts_reports, is_cancelled, pick, reports_due
from redflag_coord.tz import span
from redflag_coord.tz.zones import zone

if TYPE_CHECKING:
    from redflag_coord.repo.gitinfo import Version

PLACEHOLDER = "TODO"  # what `report new` writes at the start of the summary
Status = Literal["filed", "late", "draft", "missing"]
Source = Literal["git", "file"]
STATUSES: tuple[Status, ...] = ("filed", "late", "draft", "missing")


def is_draft(report: Report) -> bool:
    """The summary still starts with the template's marker: nobody has written the report yet."""
    return _unwritten(report.summary)


def _unwritten(summary: object) -> bool:
    """The one draft rule, for a loaded report and for a version git holds: no summary written yet."""
    return not isinstance(summary, str) or summary.lstrip().startswith(PLACEHOLDER)


@dataclass(frozen=True)
class ReportState:
    collective: str
    status: Status
    zone: str  # the collective's zone: the filed date is a date there
    filed: dt.date | None = None
    source: Source | None = None  # where the filed date comes from
    days_late: int = 0
    due: dt.date | None = None
    report: Report | None = field(default=None, repr=False, compare=False)

    @property
    def on_time(self) -> bool | None:
        """None when there is nothing to judge (no due date, no report, or a draft)."""
        return None if self.due is None or self.status in ("missing", "draft") else self.status == "filed"

    def to_dict(self) -> dict:
        return {
            "collective": self.collective,
            "status": self.status,
            "filed": self.filed.isoformat() if self.filed else None,
            "source": self.source,
            "days_late": self.days_late,
            "on_time": self.on_time,
            "zone": self.zone,
        }


@dataclass(frozen=True)
class MeetingReports:
    meeting: str
    convener: str
    occurrence: Occurrence
    due: dt.date | None
    dates_from: Source
    states: tuple[ReportState, ...]
    accepts: bool = True  # org.occurrences.accepts_reports: reports are due (not cancelled, reports asked for)
    cancelled: bool = False  # org.occurrences.is_cancelled

    def by_collective(self) -> dict[str, ReportState]:
        return {s.collective: s for s in self.states}

    def count(self, status: Status) -> int:
        return sum(s.status == status for s in self.states)

    def outstanding(self) -> list[str]:
        """Collectives that still owe a report (missing or only a draft); none when no report is due."""
        if not self.accepts:
            return []
        return [s.collective for s in self.states if s.status in ("missing", "draft")]


# dates_source of each loaded organisation (one run): commands that judge every meeting's reports
# (summary, network) asked git three times a meeting. Keyed by the object, dropped with it.
_SOURCES: dict[int, tuple[weakref.ref, Source]] = {}


def dates_source(org: Organisation) -> Source:
    """git when the repository's full history can say when each report arrived, else file.

    Asked of git once per loaded organisation: a run's reports are judged by one answer."""
    wanted = os.environ.get("REDFLAG_FILED_DATES", "").strip().lower()
    if wanted == "file":
        return "file"
    known = _SOURCES.get(id(org))
    if known is not None and known[0]() is org:
        return known[1]
    from redflag_coord.repo import gitinfo

    source: Source = "git" if gitinfo.history_usable(org.root) else "file"
    key = id(org)
    _SOURCES[key] = (weakref.ref(org, lambda _: _SOURCES.pop(key, None)), source)
    return source


def report_states(
    org: Organisation,
    meeting_id: str,
    occurrence: Occurrence | None = None,
    *,
    today: dt.date | None = None,
) -> MeetingReports:
    """The state of every invited collective's report to a meeting occurrence (default: the next one).

    Invited: the meeting's participants, in their order; a collective that filed without being
    invited is listed after them (validate reports it).
    """
    found = org.find_meeting(meeting_id)
    if found is None:
        raise KeyError(meeting_id)
    convener, meeting = found
    if occurrence is None and today is None:
        raise ValueError("report_states needs the occurrence or today")
    occ = occurrence or _next(meeting, today)  # type: ignore[arg-type]
    due = reports_due(meeting, occ)
    source = dates_source(org)
    filed = org.reports_for(meeting_id)
    added = _added(org, meeting_id, filed) if source == "git" else {}
    accepts = accepts_reports(meeting, occ)
    # a meeting that takes no reports has nobody missing: only the reports that exist are judged
    order = dict.fromkeys([*(meeting.participants if accepts else ()), *sorted(filed)])
    states = tuple(
        state_of(org, slug, meeting_id, meeting, filed.get(slug), due, added.get(rel_path("report", slug, meeting_id)))
        for slug in order
    )
    return MeetingReports(meeting_id, convener, occ, due, source, states, accepts, is_cancelled(meeting, occ))


def _next(meeting: Meeting, today: dt.date) -> Occurrence:
    """The next occurrence; a series that has ended is judged by its last due date rule all the same."""
    try:
        return pick(meeting, today)
    except OccurrenceError:
        return Occurrence(meeting.start.date(), 1, meeting.recurrence is not None, "single")


def _added(org: Organisation, meeting_id: str, filed: dict[str, Report]) -> dict[str, dt.datetime]:
    """rel path -> when git received the report: a finished report by the first commit whose version is not
    a draft (a draft committed early is not a filing); a report still a draft by the commit that added it.
    One `git log` and one `git cat-file` for the whole meeting, whatever the number of reports."""
    from redflag_coord.repo import gitinfo

    finished = {rel_path("report", slug, meeting_id) for slug, r in filed.items() if not is_draft(r)}
    found: dict[str, list[Version]] = {}
    texts: dict[str, bytes] = {}
    try:
        for where, rev, spec in _histories(org, meeting_id, set(filed)):
            here = gitinfo.versions(where, [spec], rev=rev)
            texts.update(gitinfo.blobs(where, [v.blob for path, vs in here.items() if path in finished for v in vs]))
            found.update(here)
    except gitinfo.GitError:
        return {}
    out = {}
    for path, vs in found.items():
        version = _received(vs, texts) if path in finished else vs[0]
        if version is not None and _usable(path, version.when) and version.when is not None:
            out[path] = version.when
    return out


def _histories(org: Organisation, meeting_id: str, filed: set[str]) -> list[tuple[Path, str | None, str]]:
    """Where each report's history is: this repository (its current branch), and each fetched collective's
    own repository at the commit read (issue 34: the date it was filed there, not when it was fetched),
    for the collectives that filed one only (a git log per source: thousands of sources, one meeting's few)."""
    from redflag_coord.repo.sourcestore import bare_of

    out: list[tuple[Path, str | None, str]] = [(org.root, None, rel_path("report", "*", meeting_id))]
    for slug, commit in sorted(org.fetched.items()):
        if slug not in filed:
            continue
        bare = bare_of(org.root, slug)
        if bare is not None:
            out.append((bare, commit, rel_path("report", slug, meeting_id)))
    return out


def _received(versions: list[Version], texts: dict[str, bytes]) -> Version | None:
    """The first version that is not a draft; None: every committed version is one (the finished report
    is not committed yet: the file's `filed` key is used, as for any uncommitted report)."""
    for v in versions:
        text = texts.get(v.blob)
        if text is not None and not is_draft_text(text):
            return v
    return None


def is_draft_text(data: bytes) -> bool:
    """is_draft for a report's bytes as git holds them; a version that does not parse is not a filing either."""
    import tomllib

    try:
        summary = tomllib.loads(data.decode("utf-8")).get("summary")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True
    return _unwritten(summary)


def _usable(path: str, when: dt.datetime | None) -> bool:
    """A committer date in the supported range (tz.span); else a warning, and the file's `filed` is used."""
    if when is not None and span.in_range(when):
        return True
    shown = when.isoformat() if when is not None else "after the year 9999"
    warnings.warn(
        f"{path}: git dates the commit that added it {shown}, outside {span.RANGE} (a clock set wrong?); "
        "that date is ignored and the report's `filed` key is used",
        DataWarning,
        stacklevel=2,
    )
    return False


def collective_zone(org: Organisation, slug: str, meeting: Meeting) -> str:
    c = org.collectives.get(slug)
    return c.info.timezone if c is not None and c.info is not None else meeting.timezone


def state_of(
    org: Organisation,
    slug: str,
    meeting_id: str,
    meeting: Meeting,
    report: Report | None,
    due: dt.date | None,
    committed: dt.datetime | None,
) -> ReportState:
    tz = collective_zone(org, slug, meeting)
    if report is None:
        return ReportState(slug, "missing", tz, due=due)
    source: Source = "git" if committed else "file"
    filed = committed.astimezone(zone(tz)).date() if committed else report.filed
    late = max((filed - due).days, 0) if due else 0
    status: Status = "draft" if is_draft(report) else "late" if late else "filed"
    return ReportState(slug, status, tz, filed, source, late if status == "late" else 0, due, report)
