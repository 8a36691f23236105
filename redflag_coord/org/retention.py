"""When private values expire: the one computation that `validate` (check.retention) and `secrets forget
--expired` (edit.retention) ask, so the warning and the removal never disagree about a date.

Any table of a data file that holds private values (a member, a relationship, a stage change, a
conversation note, a report's distribution) expires as a whole: its `expires` date, else the
organisation's default for its kind ([retention] in organisation.toml) counted from the date it names.
The tables are found by walking the file's model, so a new kind of table with a private field is covered
without a line here; a table of a kind named in RULES also gets the organisation's default.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel

from redflag_coord.crypt import is_sealed
from redflag_coord.org.load import Organisation, rel_path
from redflag_coord.org.model import Settings, is_private, submodel
from redflag_coord.tz.duration import Period, format_period, parse_period

# A table's name in the file -> ([retention] key, the key of the date its period counts from).
RULES: dict[str, tuple[str, str]] = {
    "member": ("member_left", "left"),
    "relationship": ("relationship_left", "left"),
    "conversation": ("conversation_notes", "date"),
}
EXPIRES = "expires"
VOUCHED = "_vouched"  # `expires_vouched`, `left_vouched`: a reader's vouch beside the date (org.vouch)
State = Literal["kept", "soon", "expired", "overdue"]


@dataclass(frozen=True)
class Policy:
    """The organisation's [retention] settings, parsed once."""

    periods: dict[str, Period | None]
    warn: Period | None
    grace: Period | None

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        r = settings.retention
        periods = {key: parse_period(getattr(r, key)) for key, _ in RULES.values()}
        return cls(periods, parse_period(r.warn), parse_period(r.grace))

    def text(self, key: str) -> str:
        return format_period(self.periods.get(key))


@dataclass(frozen=True)
class Expiry:
    """One table whose private values expire: where, from which day, and why (never the values themselves)."""

    file: str  # relative to the root
    key: tuple[str | int, ...]  # the table, e.g. ("relationship", 0, "history", 1)
    on: dt.date  # the first day its private values are expired
    source: tuple[str | int, ...]  # the key whose date decided it (its `expires`, `left` or `date`)
    reason: str  # e.g. "expires = 2026-11-20" or "[retention] member_left = 6mo after left = 2026-05-01"
    values: tuple[str, ...]  # the private keys it holds
    whole: bool  # a private value is required there: the table cannot stand without it and goes whole
    sealed: bool = False  # counted from a sealed date opened with a key: messages never show a day of it
    vouch: str | None = None  # the `<date key>_vouched` beside the deciding date (org.vouch judges it)
    owner: str | None = None  # its member's handle or relationship's id: where the date belongs (trustcheck.place)

    def day(self, on: dt.date | None = None) -> str:
        """`on` (default: the expiry day) as messages show it: a day counted from a sealed date would say that
        date (minus the period) in a terminal or a CI log, so it is not shown."""
        return "a day counted from a sealed date" if self.sealed else str(on if on is not None else self.on)

    def state(self, today: dt.date, policy: Policy) -> State:
        """kept (nothing to say), soon (within the warning period), expired (within the grace), overdue."""
        if today >= self.on:
            end = grace_end(self.on, policy)
            return "overdue" if end is not None and today >= end else "expired"
        start = warn_from(self.on, policy)
        return "soon" if start is not None and today >= start else "kept"


def grace_end(on: dt.date, policy: Policy) -> dt.date | None:
    """The first day an expired value is an error; None when the grace never ends (or ends past the calendar)."""
    try:
        return policy.grace.after(on) if policy.grace is not None else None
    except (OverflowError, ValueError):
        return None


def warn_from(on: dt.date, policy: Policy) -> dt.date | None:
    """The first day of the warning before `on`; None when there is no warning period."""
    if policy.warn is None:
        return None
    try:
        return policy.warn.before(on)
    except (OverflowError, ValueError):
        return dt.date.min


def expiries(
    model: BaseModel, rel: str, policy: Policy, unjudged: list[tuple[str, tuple[str | int, ...]]] | None = None
) -> list[Expiry]:
    """Every table of one file's model that holds a private value and has an expiry date, in file order.

    A table inside one that goes whole is left out when it would expire no earlier (it goes with it).
    A default counted from a sealed date (a conversation's) is judged only once a key has opened it in
    place (validate or forget with an identity); until then its table is added to `unjudged`."""
    found: list[Expiry] = []
    _walk(model, (), rel, policy, None, found, unjudged if unjudged is not None else [])
    return found


def _owner(obj: BaseModel, key: tuple[str | int, ...], owner: str | None) -> str | None:
    """A member's handle or a relationship's id, from its own table (the top one); nested tables keep it."""
    if len(key) != 2:
        return owner
    name = getattr(obj, "handle", None) if key[0] == "member" else getattr(obj, "id", None)
    return name if isinstance(name, str) else None


def organisation_expiries(org: Organisation, policy: Policy, reports: bool = True) -> Iterator[Expiry]:
    """Every expiry of the organisation's members, relationships and (with `reports`) reports."""
    for c in org.collectives.values():
        if c.members is not None:
            yield from expiries(c.members, rel_path("members", c.slug), policy)
        if c.relationships is not None:
            yield from expiries(c.relationships, rel_path("relationships", c.slug), policy)
        for mid, report in c.reports.items() if reports else ():
            yield from expiries(report, rel_path("report", c.slug, mid), policy)


def expired(found: list[Expiry], today: dt.date) -> list[Expiry]:
    """Those expired on `today` (what `secrets forget --expired` removes), grace or not."""
    return [e for e in found if today >= e.on]


# -- the walk -----------------------------------------------------------------------------------------


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class _Shape:
    private: tuple[tuple[str, str], ...]  # (attribute, key in the file) of each private field
    required: bool  # one of them is required
    children: tuple[tuple[str, str, bool], ...]  # (attribute, key, is a list) of nested tables with private values


@cache
def _shape(cls: type[BaseModel]) -> _Shape:
    private, children, required = [], [], False
    for name, field in cls.model_fields.items():
        key = field.alias or name
        if is_private(field):
            private.append((name, key))
            required = required or field.is_required()
            continue
        inner = submodel(field.annotation)
        if inner is not None and _holds_private(inner):
            many = _is_list(field.annotation)
            children.append((name, key, many))
    return _Shape(tuple(private), required, tuple(children))


@cache
def _holds_private(cls: type[BaseModel]) -> bool:
    shape = _shape(cls)
    return bool(shape.private or shape.children)


def _is_list(annotation: Any) -> bool:
    if typing.get_origin(annotation) is list:
        return True
    return any(_is_list(a) for a in typing.get_args(annotation))


def _walk(
    obj: BaseModel,
    key: tuple[str | int, ...],
    rel: str,
    policy: Policy,
    until: dt.date | None,
    out: list[Expiry],
    unjudged: list[tuple[str, tuple[str | int, ...]]],
    owner: str | None = None,
) -> None:
    shape = _shape(type(obj))
    owner = _owner(obj, key, owner)
    held = tuple(k for attr, k in shape.private if getattr(obj, attr) is not None)
    here = _expiry(obj, key, rel, policy, held, shape.required, unjudged) if held else None
    if here is not None:
        here = replace(here, vouch=getattr(obj, f"{here.source[-1]}{VOUCHED}", None), owner=owner)
    if here is not None and (until is None or here.on < until):
        out.append(here)
    if here is not None and here.whole:
        until = here.on if until is None else min(until, here.on)
    for attr, k, many in shape.children:
        value = getattr(obj, attr)
        items = enumerate(value) if many else [(None, value)]
        for i, item in items:
            if isinstance(item, BaseModel):
                at = (*key, k) if i is None else (*key, k, i)
                _walk(item, at, rel, policy, until, out, unjudged, owner)


def _expiry(
    obj: BaseModel,
    key: tuple[str | int, ...],
    rel: str,
    policy: Policy,
    held: tuple[str, ...],
    whole: bool,
    unjudged: list[tuple[str, tuple[str | int, ...]]],
) -> Expiry | None:
    explicit = getattr(obj, EXPIRES, None)
    if isinstance(explicit, dt.date):  # the table's own date wins over the organisation's default
        return Expiry(rel, key, explicit, (*key, EXPIRES), f"{EXPIRES} = {explicit}", held, whole)
    name = next((k for k in reversed(key) if isinstance(k, str)), "")
    rule = RULES.get(name)
    if rule is None:
        return None
    setting, since_key = rule
    period = policy.periods.get(setting)
    since = getattr(obj, since_key, None)
    opened = isinstance(since, str)  # a sealed date (opened in place with a key, or still sealed)
    if isinstance(since, str) and period is not None:
        if is_sealed(since):  # only a key can say when it was: judged where one opens it
            unjudged.append((rel, key))
            return None
        since = _date(since)  # a sealed date opened in place by reveal() is its plain text
        shown = f"its sealed {since_key}"  # said nowhere: messages and CI logs name places, never values
    else:
        shown = f"{since_key} = {since}"
    if period is None or not isinstance(since, dt.date):
        return None
    try:
        on = period.after(since)
    except (OverflowError, ValueError):
        return None  # past the calendar's end: never in practice
    reason = f"[retention] {setting} = {format_period(period)} after {shown}"
    return Expiry(rel, key, on, (*key, since_key), reason, held, whole, sealed=opened)
