"""The table of checks: every check across files, by name, with what it ensures and the problem codes it
can report. `validate` (whole or streamed) and `validate --changed` read this table, and so does the
generated docs/checks.md.

A check runs in one scope, and each scope has one signature:

| scope    | runs                                                   | called as                        |
| -------- | ------------------------------------------------------ | -------------------------------- |
| sealed   | on the files as written, before private values open    | run(org, settings, out)          |
| frame    | once, on everything but the reports                    | run(frame, out)                  |
| report   | once per report, against the frame                     | run(frame, slug, mid, report, out) |
| across   | once, on what the reports left for checks across them  | run(org, out)                    |
| repository | around the files: git history, exports, keys (`validate`) | run(org, out)                  |

A new check is a function here whose one-line docstring says what it ensures ("Ensure …"), added to
CHECKS with its codes; its logic lives in the module of its subject (rules, privacy, commitments, sealed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from typing import Any, Literal

from redflag_coord.check import rules
from redflag_coord.check.articles import check_articles
from redflag_coord.check.commitments import check_commitments
from redflag_coord.check.outside import comment_texts
from redflag_coord.check.privacy import Pseudonyms, article_texts, check_texts, frame_texts, report_texts
from redflag_coord.check.sealed import check_commit_identities, check_sealed
from redflag_coord.org.load import Organisation, rel_path
from redflag_coord.org.model import Meeting, Report, Settings
from redflag_coord.org.problems import Problems

Scope = Literal["sealed", "frame", "report", "across", "repository"]
SCOPES: tuple[Scope, ...] = ("sealed", "frame", "report", "across", "repository")


@dataclass(frozen=True)
class Check:
    """One named check: its scope, the function that runs it, and every problem code it can report."""

    name: str
    scope: Scope
    run: Callable[..., None]
    codes: tuple[str, ...]
    # Codes it reports in one file because of another: `validate --changed` reports them in an unchanged
    # file too, when the change causes them.
    follows: tuple[str, ...] = ()

    @property
    def ensures(self) -> str:
        """The first line of the function's docstring: what the check ensures."""
        return (self.run.__doc__ or "").strip().splitlines()[0]


@dataclass
class Frame:
    """What checking one report needs from the rest of the organisation, worked out once before the reports."""

    org: Organisation
    today: dt.date
    meetings: dict[str, tuple[str, Meeting]]  # meeting id -> (convener, meeting); the first file wins
    owners: dict[str, str]  # handle -> its collective; the first file wins
    handles: dict[str, set[str]]  # collective -> its members' handles
    pseudonyms: Pseudonyms
    identities: Any = None  # streamed `validate`: the identity that opens each report's sites
    sealed: Any = None  # (settings, trust), read once for each report's sealed values
    retention: Any = None  # org.retention.Policy, read once for the retention checks
    vouching: Any = None  # org.vouch.Vouching (the approvals), read once for the retention checks


def frame_of(org: Organisation, today: dt.date) -> Frame:
    """The indexes the frame and report checks share (private values already opened)."""
    meetings: dict[str, tuple[str, Meeting]] = {}
    owners: dict[str, str] = {}
    for c in org.collectives.values():
        for mid, meeting in c.meetings.items():
            meetings.setdefault(mid, (c.slug, meeting))
        for m in c.members.members if c.members is not None else ():
            owners.setdefault(m.handle, c.slug)
    members = {slug: {m.handle for m in c.members.members} for slug, c in org.collectives.items() if c.members}
    return Frame(org, today, meetings, owners, members, Pseudonyms(org))


# -- the checks, each saying what it ensures ---------------------------------------------------------


def sealed_values(org: Organisation, settings: Settings, out: Problems) -> None:
    """Ensure private values are sealed, well-formed and to approved readers (a warning where encryption is off)."""
    check_sealed(org, settings, out)


def report_values(frame: Frame, slug: str, mid: str, r: Report, out: Problems) -> None:
    """The sealed-values check on one streamed report's private values (its distribution sites).

    Not a check of its own: `validate` reads reports one at a time after the sealed scope ran on the
    rest, so it applies the same check (same codes) to each; the whole-organisation path covers them there."""
    from redflag_coord.check import trust
    from redflag_coord.check.sealed import check_values
    from redflag_coord.org.load import CollectiveData
    from redflag_coord.org.secrets import reveal, slots
    from redflag_coord.org.settings import settings_or_defaults

    if not (r.red_flag and any(d.site is not None for d in r.red_flag.distribution)):
        return
    if frame.sealed is None:
        frame.sealed = (settings_or_defaults(frame.org.root), trust.load(frame.org.root))
    settings, approvals = frame.sealed
    # this report's values and its collective's readers: per report, nothing that grows with the organisation
    # (the approvals are read once; whether the identity is anyone's was judged on the whole organisation)
    one = Organisation(root=frame.org.root)
    own = frame.org.collectives.get(slug)
    one.collectives[slug] = CollectiveData(slug, info=own.info if own else None, reports={mid: r})
    check_values(one, settings, list(slots(one)), approvals, out)
    if frame.identities is not None:
        reveal(one, settings, frame.identities, out, trust=approvals, whole=False)


def settings_file(frame: Frame, out: Problems) -> None:
    """Ensure organisation.toml names known collectives and organiser addresses that can receive replies."""
    rules.check_settings_file(frame.org, out)


def unique_handles(frame: Frame, out: Problems) -> None:
    """Ensure every member's handle is used once across the organisation."""
    rules.check_handles(frame.org, out)


def unique_meeting_ids(frame: Frame, out: Problems) -> None:
    """Ensure every meeting id is used once across the organisation."""
    rules.check_meeting_ids(frame.org, out)


def meetings(frame: Frame, out: Problems) -> None:
    """Ensure each meeting names known collectives, exists in its zone's wall time and holds a valid series."""
    for c in frame.org.collectives.values():
        for mid, meeting in c.meetings.items():
            rules.check_meeting(frame.org, c.slug, mid, meeting, out)


def relationships(frame: Frame, out: Problems) -> None:
    """Ensure relationships name the collective's members and known natures, with dates in order."""
    for c in frame.org.collectives.values():
        rules.check_relationships(frame.org, c, frame.owners, out, frame.today)


def availability(frame: Frame, out: Problems) -> None:
    """Ensure a collective's available hours start before they end and do not overlap."""
    for c in frame.org.collectives.values():
        if c.info is not None and c.info.availability is not None:
            rules.check_availability(rel_path("collective", c.slug), c.info.availability, out)


def published_text(frame: Frame, out: Problems) -> None:
    """Ensure published text (meetings, minutes, members, articles and their texts; ids) and comments name no one."""
    texts = chain(frame_texts(frame.org), article_texts(frame.org), comment_texts(frame.org))
    check_texts(texts, frame.pseudonyms, out)


def lookalike_names(frame: Frame, out: Problems) -> None:
    """Ensure no two collective names or handles look the same but differ (Unicode TR 39 skeletons)."""
    rules.check_lookalikes(frame.org, out)


def retention(frame: Frame, out: Problems) -> None:
    """Ensure no member's or relationship's private values outlive their expiry (a warning first, then an error)."""
    from redflag_coord.check.retention import check_expiries
    from redflag_coord.org.retention import organisation_expiries

    policy = _policy(frame)
    found = organisation_expiries(frame.org, policy, reports=False)
    check_expiries(found, policy, frame.today, out, _vouching(frame))


def report_retention(frame: Frame, slug: str, mid: str, r: Report, out: Problems) -> None:
    """Ensure no report's private values (distribution sites) outlive their expiry date."""
    from redflag_coord.check.retention import check_expiries
    from redflag_coord.org.retention import expiries

    if r.red_flag is None or not any(d.expires for d in r.red_flag.distribution):
        return  # reports have no default period: only an explicit `expires` makes one expire
    policy = _policy(frame)
    check_expiries(expiries(r, rel_path("report", slug, mid), policy), policy, frame.today, out, _vouching(frame))


def retention_unvouched(frame: Frame, out: Problems) -> None:
    """Ensure every date that decides when a member's or relationship's sealed values go was vouched by a reader."""
    from redflag_coord.check.retention import check_unvouched
    from redflag_coord.org.retention import organisation_expiries

    check_unvouched(organisation_expiries(frame.org, _policy(frame), reports=False), _vouching(frame), out)


def report_retention_unvouched(frame: Frame, slug: str, mid: str, r: Report, out: Problems) -> None:
    """Ensure every `expires` of a report's sealed distribution sites was vouched by a reader."""
    from redflag_coord.check.retention import check_unvouched
    from redflag_coord.org.retention import expiries

    if r.red_flag is None or not any(d.expires for d in r.red_flag.distribution):
        return
    check_unvouched(expiries(r, rel_path("report", slug, mid), _policy(frame)), _vouching(frame), out)


def _vouching(frame: Frame) -> Any:
    """Who may vouch for retention dates (the approvals), read once per run."""
    from redflag_coord.org.vouch import Vouching

    if frame.vouching is None:
        frame.vouching = Vouching(frame.org.root)
    return frame.vouching


def _policy(frame: Frame) -> Any:
    """The organisation's [retention] policy, read once per run."""
    from redflag_coord.org.retention import Policy
    from redflag_coord.org.settings import settings_or_defaults

    if frame.retention is None:
        frame.retention = Policy.of(settings_or_defaults(frame.org.root))
    return frame.retention


def report(frame: Frame, slug: str, mid: str, r: Report, out: Problems) -> None:
    """Ensure a report is for a meeting that invites its collective, filed before it by a member, requests resolve."""
    c = frame.org.collectives[slug]
    rules.check_report(frame.org, c, mid, r, frame.meetings, out, frame.handles.get(slug, set()))


def report_text(frame: Frame, slug: str, mid: str, r: Report, out: Problems) -> None:
    """Ensure a report's published text holds no email address, phone number or relationship's pseudonym."""
    check_texts(report_texts(slug, mid, r), frame.pseudonyms, out)


def commitments(org: Organisation, out: Problems) -> None:
    """Ensure minutes follow a held meeting and commitments, requests and answers resolve, unique and in order."""
    if any(c.minutes or any(r.answers for r in c.reports.values()) for c in org.collectives.values()):
        check_commitments(org, out)


def roles(frame: Frame, out: Problems) -> None:
    """Ensure roles.toml names known holders, meetings and roles, and minutes name the rota's holder or a swap's."""
    from redflag_coord.check.rota import check_rota

    check_rota(frame.org, out)


def minutes_approval(org: Organisation, out: Problems) -> None:
    """Ensure minutes approve earlier minutes of their body, and a status says approved exactly when they are."""
    from redflag_coord.check.lifecycle import check_approvals

    check_approvals(org, out)


def minutes_history(org: Organisation, out: Problems) -> None:
    """Ensure approved minutes change only by an amendment recorded with the approving meeting (git history)."""
    from redflag_coord.check.lifecycle import check_history

    check_history(org, out)


def articles(org: Organisation, out: Problems) -> None:
    """Ensure translations name known collectives and members, one per language, in state order, reviewed by another."""
    check_articles(org, out)


def motions(frame: Frame, out: Problems) -> None:
    """Ensure motions name known collectives and meetings, are seconded by others than the mover, amendments settled."""
    from redflag_coord.check.motions import check_motions

    check_motions(frame.org, out)


def decision_results(frame: Frame, out: Problems) -> None:
    """Ensure each decision on a motion records entitled stances and votes and the result its rule gives."""
    from redflag_coord.check.motions import check_results
    from redflag_coord.org.settings import settings_or_defaults

    if any(
        d.motion or d.result for c in frame.org.collectives.values() for m in c.minutes.values() for d in m.decisions
    ):
        check_results(frame.org, settings_or_defaults(frame.org.root).decisions, out)


def between_meetings(frame: Frame, out: Problems) -> None:
    """Ensure each vote between meetings keeps its computed window, closes early only when settled, and its result."""
    from redflag_coord.check.motions import check_between
    from redflag_coord.org.settings import settings_or_defaults

    if any(m.between for c in frame.org.collectives.values() for m in c.motions.values()):
        check_between(frame.org, settings_or_defaults(frame.org.root).decisions, out)


def commit_identities(org: Organisation, out: Problems) -> None:
    """Ensure commit author addresses in the history do not look like real people's (every clone carries them)."""
    from redflag_coord.repo.gitinfo import commit_emails

    check_commit_identities(commit_emails(org.root), out)


def unpushed_commits(org: Organisation, out: Problems) -> None:
    """Ensure the messages and author names of commits not yet on the base branch name no one."""
    from redflag_coord.check.outside import commit_problems

    out.extend(commit_problems(org.root, None, lambda: Pseudonyms(org)))  # values opened in place


def exports(org: Organisation, out: Problems) -> None:
    """Ensure no HTML, iCalendar or JSON export holding a private value lies inside the repository."""
    from redflag_coord.check.exports import export_problems

    out.extend(export_problems(org.root, org))


def keys(org: Organisation, out: Problems) -> None:
    """Ensure no secret key is in the tree or its history, and no DEMO or ssh key guards real data."""
    from redflag_coord.check.keychecks import check_keys

    out.extend(check_keys(org))


def assessments(frame: Frame, out: Problems) -> None:
    """Ensure each relationship's assessment is one id of the organisation's scale, and the scale lists each once."""
    from redflag_coord.org.settings import settings_or_defaults

    rules.check_assessments(frame.org, settings_or_defaults(frame.org.root).relationships.ids(), out)


def sources(org: Organisation, out: Problems) -> None:
    """Ensure a committee's repository with sources shares no member list: sources.toml and the private files kept."""
    from redflag_coord.check.sources import check_sources

    check_sources(org, out)


DATA_ENTRIES = ("collectives", "organisation.toml", "trust", "locales")  # what commands read and write


def links(org: Organisation, out: Problems) -> None:
    """Ensure no symbolic link in the organisation's tree leads outside it (nothing is read or written through one)."""
    from redflag_coord.repo.contain import LINK_OUT, outside_links

    known = {p.file for p in org.problems if p.code == "symlink-outside"}  # the loader named these already
    for rel, _ in outside_links(org.root, DATA_ENTRIES):
        if rel not in known:
            out.add(rel, "symlink-outside", LINK_OUT)


_REFS = ("unresolved-ref", "not-invited")
CHECKS: tuple[Check, ...] = (
    Check(
        "sealed-values",
        "sealed",
        sealed_values,
        (
            "bad-recipient",
            "no-recipients",
            "sealed-damaged",
            "plaintext-private",
            # who reads, approved (issue 28; check/trust.py)
            "trust-unapproved",
            "trust-chain",
            "sealed-recipients",
            "relationship-id",
        ),
    ),
    Check("unique-handles", "frame", unique_handles, ("duplicate-handle",), follows=("duplicate-handle",)),
    Check("unique-meeting-ids", "frame", unique_meeting_ids, ("duplicate-meeting",), follows=("duplicate-meeting",)),
    Check(
        "meetings",
        "frame",
        meetings,
        (
            *_REFS,
            "duplicate-participant",
            "dst-gap",
            "dst-ambiguous",
            "bad-recurrence",
            "no-occurrence",
            "bad-occurrence",
            "date-order",
            "items-overrun",
        ),
    ),
    Check(
        "relationships",
        "frame",
        relationships,
        (
            "unresolved-ref",
            "bad-choice",
            "duplicate-pseudonym",
            "future-date",
            "date-order",
            "stage-backwards",
            "stage-mismatch",
        ),
        follows=("unresolved-ref",),
    ),
    Check("availability", "frame", availability, ("bad-hours", "overlapping-hours")),
    Check("published-text", "frame", published_text, ("private-text",)),
    Check("lookalike-names", "frame", lookalike_names, ("lookalike-name",)),
    Check("settings-file", "frame", settings_file, ("undeliverable-organiser", "unknown-collective")),
    Check("retention", "frame", retention, ("expiring", "expired")),
    Check("assessments", "frame", assessments, ("unknown-assessment", "duplicate-assessment")),
    Check(
        "report",
        "report",
        report,
        (*_REFS, "report-after-meeting", "draft-report", "self-request"),
        follows=(*_REFS, "report-after-meeting"),
    ),
    Check("report-text", "report", report_text, ("private-text",)),
    Check("report-retention", "report", report_retention, ("expiring", "expired")),
    Check(
        "commitments",
        "across",
        commitments,
        (
            *_REFS,
            "duplicate-id",
            "minutes-before-meeting",
            "missing-votes",
            "due-before-meeting",
            "date-order",
            "not-owner",
        ),
    ),
    Check("roles", "frame", roles, ("unresolved-ref", "duplicate-role", "role-holder")),
    Check("minutes-approval", "across", minutes_approval, ("unresolved-ref", "minutes-status")),
    Check(
        "articles",
        "across",
        articles,
        (
            "unknown-collective",
            "unresolved-ref",
            "duplicate-article",
            "duplicate-language",
            "self-review",
            "machine-unreviewed",
            "state-order",
            "date-order",
            "missing-text",
            "stale-translation",
        ),
    ),
    Check(
        "motions",
        "frame",
        motions,
        (
            "unresolved-ref",
            "not-invited",
            "duplicate-id",
            "self-second",
            "duplicate-second",
            "motion-destination",
            "amendment-state",
            "date-order",
        ),
    ),
    Check(
        "decision-results",
        "frame",
        decision_results,
        (
            "unresolved-ref",
            "wrong-meeting",
            "duplicate-id",
            "not-entitled",
            "duplicate-entry",
            "block-reason",
            "mixed-vote",
            "missing-result",
            "wrong-result",
        ),
    ),
    Check(
        "between-meetings",
        "frame",
        between_meetings,
        (
            "vote-window",
            "not-entitled",
            "duplicate-entry",
            "late-vote",
            "block-reason",
            "date-order",
            "early-close",
            "missing-result",
            "wrong-result",
        ),
    ),
    Check("commit-identities", "repository", commit_identities, ("commit-identity",)),
    Check("unpushed-commits", "repository", unpushed_commits, ("private-text",)),
    Check("exports", "repository", exports, ("export-private",)),
    Check("keys", "repository", keys, ("secret-key", "demo-recipient", "ssh-recipient")),
    Check("links", "repository", links, ("symlink-outside",)),
    Check("minutes-history", "repository", minutes_history, ("approved-changed",)),
    Check("sources", "repository", sources, ("bad-sources", "duplicate-source", "private-share", "private-elsewhere")),
    Check("retention-unvouched", "frame", retention_unvouched, ("retention-unvouched",)),
    Check("report-retention-unvouched", "report", report_retention_unvouched, ("retention-unvouched",)),
)


def of(scope: Scope) -> list[Check]:
    return [c for c in CHECKS if c.scope == scope]


def follows() -> set[str]:
    """The codes any check reports in one file because of another (what `--changed` looks for in unchanged files)."""
    return {code for c in CHECKS for code in c.follows}


# -- walking the table: the same for the whole organisation and the streamed one ----------------------


def run_sealed(org: Organisation, settings: Settings, out: Problems) -> None:
    for check in of("sealed"):
        check.run(org, settings, out)


def run_frame(
    org: Organisation, out: Problems, today: dt.date, via: Callable[[Check, Frame, Problems], None] | None = None
) -> Frame:
    """`via`: runs each check instead (validate's cache answers the checks that read only the files)."""
    frame = frame_of(org, today)
    for check in of("frame"):
        if via is None:
            check.run(frame, out)
        else:
            via(check, frame, out)
    return frame


def run_report(frame: Frame, slug: str, mid: str, r: Report, out: Problems) -> None:
    for check in _REPORT:
        check.run(frame, slug, mid, r, out)


def run_across(org: Organisation, out: Problems) -> None:
    for check in of("across"):
        check.run(org, out)


def run_repository(org: Organisation, out: Problems) -> None:
    """What lies around the data files (git history, exports, keys): the `validate` command walks it once,
    the other commands do not (they check the files they read)."""
    for check in of("repository"):
        check.run(org, out)


_REPORT = of("report")  # once: walked for every report


def describe() -> list[dict[str, Any]]:
    """Every check as a row (name, scope, ensures, codes), in table order: for the docs."""
    return [{"name": c.name, "scope": c.scope, "ensures": c.ensures, "codes": list(c.codes)} for c in CHECKS]
