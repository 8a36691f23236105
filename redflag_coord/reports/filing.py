"""Reports to a meeting: a new report from a template, who has filed, and reminders.

A new report's summary starts with PLACEHOLDER until someone writes it: the file
validates as it is (so the pull request can be opened early), and `report
status` counts it as a draft, not as filed.
"""

from __future__ import annotations

import datetime as dt
import string
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources

from redflag_coord.errors import RedflagError
from redflag_coord.i18n.labels import Labels, choose
from redflag_coord.org.commitments import CommitmentState
from redflag_coord.org.load import CollectiveData, Organisation, rel_path
from redflag_coord.org.model import DEFAULT_NATURES, Meeting, Relationship, Report, Stage
from redflag_coord.org.occurrences import Occurrence, accepts_reports, is_cancelled, reports_due, takes_reports
from redflag_coord.org.reportstate import STATUSES, ReportState, report_states
from redflag_coord.tz.zones import resolve, zone


class ReportError(RedflagError):
    """A report command cannot go on (unknown meeting, file exists, ...); `usage` for wrong arguments."""

    usage = True

    def __init__(self, message: str, usage: bool | None = None) -> None:
        super().__init__(message, usage=usage)


def occurrence_of(meeting: Meeting, on: dt.date | None, today: dt.date | None = None) -> Occurrence:
    """The occurrence a report command is about: `on`, else the next one (org/occurrences decides); a
    cancelled date of a series is returned marked cancelled, so the command can say it takes no reports."""
    from redflag_coord.org.clock import today_default
    from redflag_coord.org.occurrences import OccurrenceError, pick

    try:
        return pick(meeting, today or today_default(), on, cancelled=True)
    except OccurrenceError as e:
        raise ReportError(str(e)) from e


def no_reports_message(meeting_id: str) -> str:
    return (
        f"{meeting_id} takes no reports (a recurring meeting does not unless its file says reports = true): "
        "nothing is due"
    )


def cancelled_message(org: Organisation, meeting_id: str, occ: Occurrence) -> str:
    """Why a cancelled meeting (or occurrence) takes no reports, naming the file that says so and the way back."""
    convener, meeting = find_meeting(org, meeting_id)
    rel = rel_path("meeting", convener, meeting_id)
    if occ.cancelled and meeting.status.value != "cancelled":
        return (
            f"{meeting_id}: the meeting of {occ.date} is cancelled ({rel}: [[occurrence]] date = {occ.date}, "
            "cancelled = true): it takes no reports and gets no reminders; if it takes place after all, "
            "remove that entry"
        )
    return (
        f'{meeting_id} is cancelled ({rel}: status = "cancelled"): it takes no reports and gets no reminders; '
        'if it takes place after all, set status = "confirmed" there'
    )


def find_meeting(org: Organisation, meeting_id: str) -> tuple[str, Meeting]:
    return org.meeting(meeting_id)


def template_language(languages: list[str], kind: str) -> str:
    """The first of a collective's languages with a template (by base language), else English."""
    folder = resources.files("redflag_coord.reports") / "templates" / kind
    return choose(languages, {p.name.split(".")[0] for p in folder.iterdir()})  # the one rule (i18n)


def _template(kind: str, lang: str, suffix: str) -> str:
    return (resources.files("redflag_coord.reports") / "templates" / kind / f"{lang}{suffix}").read_text(
        encoding="utf-8"
    )


# -- status -------------------------------------------------------------------------------


@dataclass
class StatusResult:
    """`report status`: the meeting's report states (see org.reportstate) with what the table shows."""

    meeting: str
    convener: str
    due: dt.date | None
    start: dt.datetime
    timezone: str
    git: bool
    rows: list[ReportState] = field(default_factory=list)
    takes_reports: bool = True
    cancelled: bool = False  # org.occurrences.is_cancelled: no report is due, none is missing
    note: str = ""  # why no report is due (a meeting that takes none, or cancelled)

    def missing(self) -> list[str]:
        return [r.collective for r in self.rows if r.status in ("missing", "draft")]

    def to_dict(self) -> dict:
        return {
            "meeting": self.meeting,
            "convener": self.convener,
            "reports_due": self.due.isoformat() if self.due else None,
            "start": self.start.isoformat(),
            "timezone": self.timezone,
            "dates_from": "git" if self.git else "file",
            "reports": [r.to_dict() for r in self.rows],
            "counts": {k: sum(r.status == k for r in self.rows) for k in STATUSES},
            "takes_reports": self.takes_reports,
            "cancelled": self.cancelled,
        }


def report_status(
    org: Organisation, meeting_id: str, on: dt.date | None = None, today: dt.date | None = None
) -> StatusResult:
    """Filed / late / draft / missing for each participant of one occurrence of a meeting (default: the next).

    The rule, and the filed date inside and outside git, are org.reportstate's; the occurrence and its
    due date are org.occurrences'. A meeting that takes no reports lists nobody.
    """
    from redflag_coord.org.clock import today_default

    convener, meeting = find_meeting(org, meeting_id)
    today = today or today_default()
    occ = occurrence_of(meeting, on, today)
    states = report_states(org, meeting_id, occ, today=today)
    takes = accepts_reports(meeting, occ)  # the one rule: not cancelled, reports asked for
    rows = list(states.states) if takes else []
    result = StatusResult(
        meeting_id, convener, states.due, occ.wall(meeting), meeting.timezone, states.dates_from == "git", rows
    )
    result.takes_reports = takes
    result.cancelled = is_cancelled(meeting, occ)
    if not takes:
        result.note = cancelled_message(org, meeting_id, occ) if result.cancelled else no_reports_message(meeting_id)
    return result


def render_status(s: StatusResult) -> str:
    if not s.takes_reports:
        return s.note or no_reports_message(s.meeting)
    due = s.due.isoformat() if s.due else "no due date"
    lines = [f"{s.meeting}: reports due {due} (filed dates from {'git history' if s.git else 'the files'})"]
    width = max([len(r.collective) for r in s.rows] + [10])
    for r in s.rows:
        filed = r.filed.isoformat() if r.filed else "-"
        note = (
            f"  {Labels('en').count('count.days_late', r.days_late)}"
            if r.status == "late"
            else ("  summary not written yet" if r.status == "draft" else "")
        )
        lines.append(f"  {r.collective:<{width}}  {r.status:<7}  {filed:<10}{note}".rstrip())
    counts = Counter(r.status for r in s.rows)
    lines.append(", ".join(f"{counts[k]} {k}" for k in ("filed", "late", "draft", "missing")))
    return "\n".join(lines)


# -- a new report -----------------------------------------------------------------------------


@dataclass
class NewReport:
    rel: str
    text: str
    language: str
    previous: str | None
    todo: list[str]


def previous_report(org: Organisation, slug: str, meeting_id: str) -> tuple[str, Report] | None:
    """The collective's report to the latest meeting before this one (by meeting start, else filed)."""
    c = org.collectives[slug]
    _, this = find_meeting(org, meeting_id)
    meetings = org.meetings()

    def when(mid: str) -> dt.date:
        return meetings[mid][1].start.date() if mid in meetings else c.reports[mid].filed

    earlier = [mid for mid in c.reports if mid != meeting_id and when(mid) < this.start.date()]
    if not earlier:
        return None
    best = max(earlier, key=when)
    return best, c.reports[best]


def relationship_figures(rels: list[Relationship], natures: list[str], since: dt.date | None) -> dict:
    """by_stage, by_nature, new (begun after the cut-off) and moved_up (known then, higher now):
    the same rules as `network`, so a report's snapshot and the network figures agree."""
    by_stage = Counter(r.stage for r in rels)
    by_nature = Counter(r.nature for r in rels)
    order = list(dict.fromkeys([*DEFAULT_NATURES, *natures, *sorted(by_nature)]))
    from redflag_coord.network.build import is_new, moved_up

    new = sum(1 for r in rels if since is None or is_new(r, since))
    moved = 0 if since is None else sum(1 for r in rels if moved_up(r, since))
    return {
        "by_stage": {s.value: by_stage[s] for s in Stage if by_stage[s]},
        "by_nature": {n: by_nature[n] for n in order if by_nature[n]},
        "new": new,
        "moved_up": moved,
    }


def new_report(org: Organisation, slug: str, meeting_id: str, today: dt.date, on: dt.date | None = None) -> NewReport:
    """The text of a new report for a collective, from its language's template and its previous report."""
    import tomlkit

    from redflag_coord.edit.fmt import format_text

    c = org.collective(slug)
    if c.info is None:
        raise ReportError(f"no collective {slug!r} (a folder in collectives/ with a collective.toml)")
    convener, meeting = find_meeting(org, meeting_id)
    if slug not in meeting.participants and slug != convener:
        raise ReportError(f"{slug!r} is not a participant of {meeting_id!r}; ask its convener ({convener}) to add it")
    occ = occurrence_of(meeting, on, today)
    if is_cancelled(meeting, occ):  # the data says so, not the command line: exit 1
        raise ReportError(cancelled_message(org, meeting_id, occ) + "; no report was written", usage=False)
    if not takes_reports(meeting):
        raise ReportError(no_reports_message(meeting_id))
    due = reports_due(meeting, occ) or occ.date  # no due date given: by the meeting
    rel = rel_path("report", slug, meeting_id)
    if meeting_id in c.reports or (org.root / rel).exists():
        raise ReportError(f"{rel} exists already; edit it instead (nothing was changed)")
    lang = template_language(org.languages_of(slug), "report")
    prev = previous_report(org, slug, meeting_id)
    words = {
        "collective": org.name_of(slug),
        "meeting_id": meeting_id,
        "meeting_date": occ.date.isoformat(),
        "due": due.isoformat(),
    }
    template = string.Template(_template("report", lang, ".toml")).safe_substitute(words)
    doc = tomlkit.parse(_with_red_flag(template, prev))
    todo = [
        "summary: replace the TODO text with the collective's report",
        "recruits: new members since the last report",
    ]
    doc["filed"] = today
    handle = _filed_by(c, prev[1] if prev else None)
    if handle:
        doc["filed_by"] = handle
    else:
        del doc["filed_by"]
        todo.append("filed_by: add your handle once you are in members.toml")
    if prev and prev[1].red_flag:
        todo.append(f"red_flag: readers and copies carried over from {prev[0]}; update them")
    else:  # left out, a figure reads "not reported"; a 0 would say the collective has no readers
        todo.append("red_flag: readers and copies not given yet; write them in (uncomment readers)")
    unread = sum(1 for d in (prev[1].red_flag.distribution if prev and prev[1].red_flag else []) if d.site is None)
    if unread:
        todo.append(
            f"red_flag.distribution: {Labels('en').count('count.sites', unread)} not carried over "
            "(private, not opened here): run "
            "'report new' with --identity, or write them and run 'redflag-coord secrets encrypt'"
        )
    cutoff = _meeting_date(org, prev[0]) if prev else None
    if c.relationships is not None:
        figures = relationship_figures(c.relationships.relationships, c.relationships.natures, cutoff)
        for key, value in figures.items():
            if isinstance(value, dict):
                table = tomlkit.inline_table()
                table.update(value)
                value = table
            doc["relationships"][key] = value
        todo.append("relationships: counted from relationships.toml today; check them")
    owed = owed_commitments(org, slug, meeting_id)
    if owed:
        todo.append(f"answer: {Labels('en').count('count.open_commitments', len(owed))} (status done or dropped)")
    articles = article_blocks(c)
    if articles:
        todo.append("article: the collective's article files not yet published, listed; check their status")
    text = format_text(tomlkit.dumps(doc) + articles + answer_blocks(owed), "report")
    Report.model_validate(tomlkit.parse(text).unwrap())  # the template must always give a valid report
    return NewReport(rel, text, lang, prev[0] if prev else None, todo)


def owed_commitments(org: Organisation, slug: str, meeting_id: str) -> list[CommitmentState]:
    """What the collective owes that is open when it reports to `meeting_id` (overdue first)."""
    from redflag_coord.org.commitments import for_meeting

    return [s for s in for_meeting(org, meeting_id) if s.owner == slug]


def article_blocks(c: CollectiveData) -> str:
    """One [[article]] per article file of the collective not yet published, with a comment naming the
    file (where its text, editions and translations are): the report lists them, the file holds them."""
    import tomlkit

    out = []
    for aid, a in sorted(c.articles.items()):
        if a.status.value == "published":
            continue
        title = tomlkit.string(" ".join(a.title.split())).as_string()
        out.append(
            f"\n# {rel_path('article', c.slug, aid)}\n[[article]]\ntitle = {title}\n"
            f'language = "{a.language}"\nstatus = "{a.status.value}"\n'
        )
    return "".join(out)


def answer_blocks(owed: list[CommitmentState]) -> str:
    """One [[answer]] per open commitment, its text and due date in a comment, status still open."""
    out = []
    for s in owed:
        what = " ".join(s.text.split())
        due = f" (due {s.due.isoformat()})" if s.due else ""
        hint = '# done or dropped, with a note = "..."'
        out.append(f'\n[[answer]]\n# {what}{due}\ncommitment = "{s.id}"\nstatus = "open"  {hint}\n')
    return "".join(out)


def _meeting_date(org: Organisation, meeting_id: str) -> dt.date | None:
    """When a meeting took place (or, its file gone, when the first report to it was filed)."""
    found = org.find_meeting(meeting_id)
    if found:
        return found[1].start.date()
    c_reports = [c.reports[meeting_id] for c in org.collectives.values() if meeting_id in c.reports]
    return c_reports[0].filed if c_reports else None


def _filed_by(c: CollectiveData, prev: Report | None) -> str | None:
    handles = [m.handle for m in c.members.members] if c.members else []
    if prev and prev.filed_by in handles:
        return prev.filed_by
    with_role = [m.handle for m in c.members.members if m.role] if c.members else []
    return (with_role or handles or [None])[0]  # type: ignore[list-item]


def _with_red_flag(template: str, prev: tuple[str, Report] | None) -> str:
    """The template's text with last report's readers and distribution sites carried over.

    Spliced in as text, right under `readers`, so the comments that follow `[red_flag]` in the
    template stay above the table they describe (tomlkit's public API only appends at a table's end,
    after those comments). Values are written by tomlkit, so quoting is always TOML's.
    """

    rf = prev[1].red_flag if prev else None
    lines = template.splitlines(keepends=True)
    at = lines.index("[red_flag]\n") + 1
    if not lines[at].startswith("readers = "):
        raise AssertionError("report template: [red_flag] must start with `readers = `")
    # no figure to carry over: the line stays a comment, so the agenda says "not reported", never "Readers: 0"
    readers = rf.readers if rf else None
    lines[at] = f"readers = {readers}\n" if readers is not None else f"# {lines[at]}"
    blocks = [
        f"\n[[red_flag.distribution]]\n{_site_line(d.site)}copies = {d.copies}\n"
        for d in (rf.distribution if rf else [])
    ]
    return "".join(lines[: at + 1] + blocks + lines[at + 1 :])


# A site is private (sealed, bound to its report): one not opened here is left out, and the comment says how
# to put it back. An opened one is written in the clear here and sealed for the new report before writing.
SITE_HINT = (
    "# site = \"…\"  private: carried over with --identity, or write it and run 'redflag-coord secrets encrypt'\n"
)


def _site_line(site: str | None) -> str:
    import tomlkit

    return SITE_HINT if site is None else f"site = {tomlkit.item(site).as_string()}\n"


# -- reminders ---------------------------------------------------------------------------------


@dataclass
class Reminder:
    collective: str
    language: str
    subject: str
    body: str
    recipients: list[str]  # handles of members with an email address who opted in (invite = true)
    addresses: list[str] = field(repr=False, default_factory=list)  # private: only for --send / --include-private
    sealed: int = 0  # members who opted in whose address is sealed and was not opened (no key, or not theirs)


def reminders(
    org: Organisation, meeting_id: str, on: dt.date | None = None, today: dt.date | None = None
) -> list[Reminder]:
    """A reminder for each participant whose report is missing or still a draft, in its language and zone.

    Neutral wording (nothing that would hurt if the message were read by others):
    no meeting title, no names, only dates, times and the meeting id.
    """
    status = report_status(org, meeting_id, on, today)
    if status.cancelled:  # nothing is written or sent; the data says so, not the command line: exit 1
        raise ReportError(status.note + "; no reminder was written or sent", usage=False)
    if not status.takes_reports:
        raise ReportError(no_reports_message(meeting_id) + ": no reminders")
    _, meeting = find_meeting(org, meeting_id)
    out = []
    for row in status.rows:
        if row.status not in ("missing", "draft"):  # a draft is not a report yet: remind it too
            continue
        c = org.collectives.get(row.collective)
        tz = org.zone_of(row.collective) or meeting.timezone
        lang = template_language(org.languages_of(row.collective), "remind")
        subject, body = _remind_text(meeting_id, meeting, lang, tz, status)
        owed = "\n\n".join(
            p
            for p in (_owed_paragraph(org, row.collective, meeting_id, lang), *_vote_lines(org, row.collective, lang))
            if p
        )
        if owed:  # before the closing line
            head, _, last = body.rstrip("\n").rpartition("\n\n")
            body = f"{head}\n\n{owed}\n\n{last}\n" if head else f"{body}\n{owed}\n"
        members = [m for m in (c.members.members if c and c.members else []) if m.email and m.invite]
        reminder = Reminder(
            row.collective, lang, subject, body, [m.handle for m in members], [m.email for m in members if m.email]
        )
        reminder.sealed = _sealed_addresses(org, row.collective)
        out.append(reminder)
    return out


def _sealed_addresses(org: Organisation, slug: str) -> int:
    """Members who opted in (invite = true) whose e-mail address stayed sealed: a key would open them."""
    c = org.collectives.get(slug)
    rel = rel_path("members", slug)
    members = c.members.members if c and c.members else []
    return sum(1 for i, m in enumerate(members) if m.invite and (rel, ("member", i, "email")) in org.withheld)


def _owed_paragraph(org: Organisation, slug: str, meeting_id: str, lang: str) -> str:
    """'Your collective also has 2 open commitments to answer in its report: id (due ...), ...' by id
    and due date only: the reminder stays neutral, the text of each is in the minutes and reports."""
    from babel.dates import format_date

    owed = owed_commitments(org, slug, meeting_id)
    if not owed:
        return ""
    t = Labels(lang)
    items = ", ".join(s.id + (f" ({format_date(s.due, 'long', locale=lang)})" if s.due else "") for s in owed)
    return t.count("commitments.remind", len(owed), list=items)


def _vote_lines(org: Organisation, slug: str, lang: str) -> list[str]:
    """One line per open vote between meetings the collective has not voted in: the motion id and the close on
    its own wall clock (neutral: no title, as the rest of the reminder)."""
    from babel.dates import format_datetime

    from redflag_coord.org.ballot import open_votes
    from redflag_coord.org.settings import settings_or_defaults

    if not any(m.between and m.opened for c in org.collectives.values() for m in c.motions.values()):
        return []
    tz = org.zone_of(slug) or "UTC"
    t = Labels(lang)
    return [
        t("votes.remind", motion=mid, closes=format_datetime(m.closes, "full", tzinfo=zone(tz), locale=lang), zone=tz)
        for _, mid, m, waiting in open_votes(org, settings_or_defaults(org.root).decisions)
        if slug in waiting and m.closes is not None
    ]


def _remind_text(meeting_id: str, meeting: Meeting, lang: str, tz: str, status: StatusResult) -> tuple[str, str]:
    from babel.dates import format_date, format_time

    local = resolve(status.start, meeting.timezone)
    instant = local.instants[0] if local.instants else status.start.replace(tzinfo=zone(meeting.timezone))
    there = instant.astimezone(zone(tz))
    words = {
        "meeting_id": meeting_id,
        "meeting_date": format_date(there.date(), "long", locale=lang),
        "due": format_date(status.due or status.start.date(), "full", locale=lang),
        "meeting_time": f"{format_date(there.date(), 'full', locale=lang)} "
        f"{format_time(there, 'HH:mm', tzinfo=zone(tz), locale=lang)}",
        "zone": tz,
    }
    text = string.Template(_template("remind", lang, ".txt")).safe_substitute(words)
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip("\n") + "\n"


def render_eml(r: Reminder, sender: str | None, to: str | None = None) -> bytes:
    """One message; `to` is its one recipient (never several: each member gets a message of their own)."""
    from email.message import EmailMessage
    from email.policy import SMTP

    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = r.subject
    if sender:
        msg["From"] = sender
    if to:
        msg["To"] = to
    msg.set_content(r.body)
    return msg.as_bytes()


def personal(r: Reminder) -> list[tuple[str, str]]:
    """(handle, address) of each recipient: a reminder goes out once per member, addressed to them alone."""
    return list(zip(r.recipients, r.addresses, strict=True))


def render_txt(r: Reminder) -> str:
    return f"{r.subject}\n\n{r.body}"
