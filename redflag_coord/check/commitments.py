"""The minutes and the answers in reports, checked against the meetings, members and requests they name."""

from __future__ import annotations

import datetime as dt

from redflag_coord.org.articles import duties
from redflag_coord.org.clock import now_or_today
from redflag_coord.org.commitments import all_commitments, meeting_date, meeting_instant, request_id
from redflag_coord.org.load import Organisation, rel_path
from redflag_coord.org.model import Meeting, Minutes, Report
from redflag_coord.org.problems import Problems


def check_commitments(org: Organisation, out: Problems, now: dt.datetime | None = None) -> None:
    """Minutes and answers: meetings held, references resolve, ids unique, dates in order."""
    now = now or now_or_today()
    meetings = org.meetings()
    handles = {m.handle: c.slug for c in org.collectives.values() if c.members for m in c.members.members}
    ids: dict[str, str] = {}
    for c in org.collectives.values():
        for mid, report in c.reports.items():
            for i, req in enumerate(report.requests):
                ids.setdefault(request_id(mid, c.slug, i, req.id), rel_path("report", c.slug, mid))
    for t in duties(org):  # translations are commitments too: answers may point at them
        ids.setdefault(t.id, t.source)
    for c in org.collectives.values():
        for mid, minutes in c.minutes.items():
            rel = rel_path("minutes", c.slug, mid)
            for i, cm in enumerate(minutes.commitments):
                if cm.id in ids:
                    out.add(
                        rel,
                        "duplicate-id",
                        f"commitment id {cm.id!r} is used already in {ids[cm.id]}; give it another id",
                        key=("commitment", i, "id"),
                    )
                else:
                    ids[cm.id] = rel
    for c in org.collectives.values():
        for mid, minutes in c.minutes.items():
            _check_minutes(org, c.slug, mid, minutes, meetings, handles, ids, now, out)
    states = all_commitments(org, now)  # once: a large organisation has many reports with answers
    owners = {s.id: s.owner for s in states}
    for c in org.collectives.values():
        for mid, report in c.reports.items():
            _check_answers(c.slug, mid, report, ids, owners, out)
    for s in states:
        if s.kind == "translation":  # its dates are the article file's (check.articles reads them)
            continue
        for e in s.history:
            if e.date < s.made:
                out.add(
                    e.source,
                    "date-order",
                    f"status '{e.status}' of {s.id!r} is dated {e.date}, before it "
                    f"was made ({s.made}); statuses follow one another in time",
                    key=e.key,
                )


def _check_minutes(
    org: Organisation,
    slug: str,
    mid: str,
    minutes: Minutes,
    meetings: dict[str, tuple[str, Meeting]],
    handles: dict[str, str],
    ids: dict[str, str],
    now: dt.datetime,
    out: Problems,
) -> None:
    rel = rel_path("minutes", slug, mid)
    found = meetings.get(mid)
    if found is None or found[0] != slug:
        where = (
            f"; it is convened by {found[0]!r}: move the file to {rel_path('minutes', found[0], mid)}"
            if found
            else ("; name the file after a meeting id of this collective")
        )
        out.add(rel, "unresolved-ref", f"no meeting {mid!r} in {rel_path('meeting', slug, mid)}{where}")
        return
    meeting = found[1]
    if meeting_instant(meeting) > now:
        out.add(
            rel,
            "minutes-before-meeting",
            f"meeting {mid!r} has not started yet ({meeting.start} "
            f"{meeting.timezone}); minutes are written once it is held",
        )
    invited = {slug, *meeting.participants}
    n_items = len(meeting.items)
    for key, who in (("chair", minutes.chair), ("minute_taker", minutes.minute_taker)):
        if who is not None and who not in handles and not org.fetched:  # fetched collectives' members: not here
            out.add(rel, "unresolved-ref", f"no member {who!r} in any members.toml", key=(key,))
    att = minutes.attendance
    for field_name, slugs in (("present", att.present), ("apologies", att.apologies), ("members", list(att.members))):
        for j, s in enumerate(slugs):
            if s not in invited:
                out.add(
                    rel,
                    "not-invited",
                    f"{s!r} is not a participant of meeting {mid!r}",
                    key=("attendance", field_name, j if field_name != "members" else s),
                )
    for table, rows in (("item", minutes.items), ("decision", minutes.decisions), ("commitment", minutes.commitments)):
        for i, row in enumerate(rows):
            number = getattr(row, "item", None)
            if number is not None and number > n_items:
                out.add(
                    rel,
                    "unresolved-ref",
                    f"no item {number} in meeting {mid!r} (it has {n_items})",
                    key=(table, i, "item"),
                )
    for i, d in enumerate(minutes.decisions):
        if d.method.value == "vote" and not d.votes:
            out.add(
                rel,
                "missing-votes",
                "a decision taken by vote needs its [[decision.vote]] counts",
                key=("decision", i, "method"),
            )
        for j, vote in enumerate(d.votes):
            if vote.collective not in invited:
                out.add(
                    rel,
                    "not-invited",
                    f"{vote.collective!r} is not a participant of meeting {mid!r}",
                    key=("decision", i, "vote", j, "collective"),
                )
    held = meeting_date(meeting)
    for i, cm in enumerate(minutes.commitments):
        if cm.owner not in org.collectives:
            out.add(rel, "unresolved-ref", f"no collective {cm.owner!r}", key=("commitment", i, "owner"))
        if cm.handle is not None and handles.get(cm.handle) != cm.owner and cm.owner not in org.fetched:
            out.add(
                rel,
                "unresolved-ref",
                f"no member {cm.handle!r} in {rel_path('members', cm.owner)}",
                key=("commitment", i, "handle"),
            )
        if cm.due is not None and cm.due <= held:
            out.add(
                rel,
                "due-before-meeting",
                f"due {cm.due} is not after the meeting ({held})",
                key=("commitment", i, "due"),
            )
        if cm.request is not None and cm.request not in ids:
            out.add(rel, "unresolved-ref", f"no request {cm.request!r}", key=("commitment", i, "request"))
        if cm.date is not None and cm.date < held:
            out.add(
                rel,
                "date-order",
                f"status date {cm.date} is before the meeting ({held})",
                key=("commitment", i, "date"),
            )
    for i, u in enumerate(minutes.updates):
        if u.commitment not in ids:
            out.add(
                rel, "unresolved-ref", f"no commitment or request {u.commitment!r}", key=("update", i, "commitment")
            )


def _check_answers(
    slug: str, mid: str, report: Report, ids: dict[str, str], owners: dict[str, str], out: Problems
) -> None:
    rel = rel_path("report", slug, mid)
    if not report.answers:
        return
    for i, a in enumerate(report.answers):
        if a.commitment not in ids:
            out.add(
                rel, "unresolved-ref", f"no commitment or request {a.commitment!r}", key=("answer", i, "commitment")
            )
        elif owners.get(a.commitment, slug) != slug:
            out.add(
                rel,
                "not-owner",
                f"{a.commitment!r} is owed by {owners[a.commitment]!r}, not by {slug!r}; "
                "only the collective that owes it answers it",
                key=("answer", i, "commitment"),
            )
