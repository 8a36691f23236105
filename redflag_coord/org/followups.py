"""Relationship follow-ups (issue 33): a comrade's sealed next step and its due day, and the counts the
committee may see.

A follow-up is private twice over: its text says what a member will do with a person, and its day says
when a member meets someone (a public due date next to a public handle reads "rosa meets someone on the
12th"). Both are sealed like the relationship's notes, and so are conversation notes with their date
and kind. Only two things are made from them: the comrade's own feed (`calendar --for HANDLE`, which
opens them with an identity that reads them) and counts (due soon, overdue, not readable here).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from redflag_coord import crypt
from redflag_coord.errors import RedflagError
from redflag_coord.org.load import CollectiveData, Organisation, rel_path
from redflag_coord.org.model import Relationship, private_date

DUE_DAYS = 7  # "due": today or within the next six days, on the collective's wall clock
FOLLOW_UP = ("next_step", "next_due")


class FeedRefused(RedflagError):
    """`calendar --for HANDLE` without an identity that opens that comrade's follow-ups."""


@dataclass(frozen=True)
class FollowUp:
    """One relationship's next step, opened: what the comrade's feed holds."""

    collective: str
    zone: str
    rid: str  # the relationship's random id (names nobody): the task's UID
    pseudonym: str
    step: str | None
    due: dt.date | None


@dataclass
class FollowUpCounts:
    """Follow-ups by when they are due, counted on the collective's wall clock: no text, no date, no one."""

    due: int = 0  # due today or within DUE_DAYS
    overdue: int = 0  # due before today
    later: int = 0  # due after that, or with no day
    unread: int = 0  # sealed, not readable with the identity given (or none)

    @property
    def total(self) -> int:
        return self.due + self.overdue + self.later + self.unread

    def add(self, other: FollowUpCounts) -> None:
        self.due += other.due
        self.overdue += other.overdue
        self.later += other.later
        self.unread += other.unread


def local_today(now: dt.datetime, zone_name: str) -> dt.date:
    """The date on the collective's wall clock at the instant `now` (aware)."""
    from redflag_coord.tz.zones import zone

    return now.astimezone(zone(zone_name)).date()


def _zone(c: CollectiveData) -> str:
    return c.info.timezone if c.info is not None else "UTC"


def _has_follow_up(r: Relationship) -> bool:
    return r.next_step is not None or r.next_due is not None


def _withheld(org: Organisation, slug: str, i: int, names: tuple[str, ...] = FOLLOW_UP) -> bool:
    rel = rel_path("relationships", slug)
    return any((rel, ("relationship", i, name)) in org.withheld for name in names)


def counts(org: Organisation, c: CollectiveData, now: dt.datetime) -> FollowUpCounts:
    """The collective's follow-ups by due, overdue and later, on its wall clock; unread ones counted apart."""
    found = FollowUpCounts()
    today = local_today(now, _zone(c))
    for i, r in enumerate(c.relationships.relationships if c.relationships else ()):
        sealed = crypt.is_sealed(r.next_step) or crypt.is_sealed(r.next_due)
        if sealed or _withheld(org, c.slug, i):
            found.unread += 1
        elif _has_follow_up(r):
            found.add(_when(private_date(r.next_due), today))
    return found


def _when(due: dt.date | None, today: dt.date) -> FollowUpCounts:
    if due is None:
        return FollowUpCounts(later=1)
    if due < today:
        return FollowUpCounts(overdue=1)
    if (due - today).days < DUE_DAYS:
        return FollowUpCounts(due=1)
    return FollowUpCounts(later=1)


def comrade_collective(org: Organisation, handle: str, collective: str | None) -> CollectiveData:
    """The collective whose member `handle` is (or, named, the one given); FeedRefused when none or several."""
    found = [c for c in org.collectives.values() if collective in (None, c.slug) and _knows(c, handle)]
    if collective is not None and not found:
        raise FeedRefused(
            f"{handle!r} is no member of {collective!r} and holds no relationship there "
            f"({rel_path('members', collective)})",
            usage=True,
        )
    if not found:
        raise FeedRefused(f"no collective has a member {handle!r} or a relationship held by them", usage=True)
    if len(found) > 1:
        names = ", ".join(sorted(c.slug for c in found))
        raise FeedRefused(
            f"{handle!r} is in {names}: name the collective, e.g. 'calendar {found[0].slug} --for {handle}'", usage=True
        )
    return found[0]


def _knows(c: CollectiveData, handle: str) -> bool:
    """`handle` is a member of the collective, or holds one of its relationships."""
    members = c.members.members if c.members else []
    held = c.relationships.relationships if c.relationships else []
    return any(m.handle == handle for m in members) or any(r.comrade == handle for r in held)


def feed_items(org: Organisation, c: CollectiveData, handle: str, recipients: list[str]) -> list[FollowUp]:
    """The comrade's follow-ups, opened; FeedRefused unless the identity whose `recipients` are given reads them.

    How the tool knows the identity is the comrade's: it cannot tell one reader of a collective from another
    (values are sealed to the collective's readers, not to one member), so it asks for what only a reader
    has. The identity's key must be one of the collective's recipients (approved in trust/), and it must
    open every sealed follow-up of the comrade: an identity that opens none, or only some, writes nothing.
    A collective that lists no recipients keeps follow-ups in plain text in every clone: no feed then."""
    rel = rel_path("relationships", c.slug)
    listed = {crypt.normal_recipient(r) for r in (c.info.recipients if c.info else [])}
    if not listed:
        raise FeedRefused(
            f"collective {c.slug!r} lists no recipients, so its follow-ups are not sealed: a personal feed is written "
            f"only from sealed follow-ups, with the comrade's identity (add recipients to "
            f"{rel_path('collective', c.slug)} and run 'redflag-coord secrets encrypt {c.slug}')"
        )
    mine = {crypt.normal_recipient(r) for r in recipients}
    if not mine:
        raise FeedRefused(
            f"the follow-ups of {handle!r} are sealed: give the comrade's identity "
            "(--identity FILE or REDFLAG_IDENTITY); nothing was written"
        )
    if not mine & listed:
        raise FeedRefused(
            f"this identity is not one of the readers of {c.slug!r} ({rel_path('collective', c.slug)} recipients): "
            f"the feed of {handle!r} is written only with their own identity; nothing was written"
        )
    items = []
    for i, r in enumerate(c.relationships.relationships if c.relationships else ()):
        if r.comrade != handle:
            continue
        if _withheld(org, c.slug, i) or crypt.is_sealed(r.next_step) or crypt.is_sealed(r.next_due):
            raise FeedRefused(
                f"{rel}: relationship[{i}]: the identity given does not open this follow-up of {handle!r}: "
                "the feed is written only with an identity that reads every one of them; nothing was written"
            )
        if _has_follow_up(r):  # without an id (no approvals yet): by position, until 'secrets migrate' gives one
            rid = r.id or f"{c.slug}-{i + 1}"
            items.append(FollowUp(c.slug, _zone(c), rid, r.pseudonym, r.next_step, private_date(r.next_due)))
    return items
