"""Whether a value someone types is acceptable: one function per kind (slug, handle, title, name, start).

Each returns why the value is refused, or None. validate decides with the same functions: the model's
Slug and Handle types call `slug_problem` and `handle_problem`, a one-line text is textcheck's check
(`one_line_problem`), look-alike names are the rules' TR 39 skeletons, dates are tz.span's range. Every
writer (`new`, `rename`, `slots --apply`) asks them before it writes, so nothing a writer accepts is
refused by validate afterwards.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable

from redflag_coord.org.model import handle_problem, slug_problem
from redflag_coord.org.textcheck import ONE_LINE_MAX, confusable_groups, one_line_problem
from redflag_coord.tz import span
from redflag_coord.tz.zones import resolve


def slug(value: str) -> str | None:
    """A collective's folder, a meeting id: the pattern, and no name Windows keeps for a device."""
    return slug_problem(value)


def handle(value: str) -> str | None:
    """A member's handle: letters, digits, inner '.', '_', '-'; nothing invisible."""
    return handle_problem(value)


def title(value: str) -> str | None:
    """A title, a topic, a name: one line of 1 to 300 characters, no control, bidi or invisible character."""
    value = unicodedata.normalize("NFC", value)
    if not value.strip():
        return "is empty; give the text"
    if len(value) > ONE_LINE_MAX:
        return f"is {len(value):,} characters long; at most {ONE_LINE_MAX} are allowed"
    return one_line_problem(value)


def name(value: str, others: Iterable[str]) -> str | None:
    """A collective's name: a title that is not the same as, nor a look-alike of, another collective's."""
    problem = title(value)
    if problem:
        return problem
    for other in others:
        if confusable_groups([(value, "", ()), (other, "", ())]):
            same = "is the same as" if value == other else "looks the same as"
            return f"{value!a} {same} the name of another collective ({other!a}); make it clearly different"
    return None


def start(wall: dt.datetime, zone: str, now: dt.datetime | None = None) -> str | None:
    """A meeting's local start: in the supported range, a wall time that exists once in the zone, and
    (when `now` is given, an aware instant) not in the past."""
    problem = span.out_of_range(wall)
    if problem:
        return problem
    local = resolve(wall, zone)
    if local.kind != "ok":
        what = "does not exist (clocks go forward)" if local.kind == "gap" else "happens twice (clocks go back)"
        return f"{wall:%Y-%m-%d %H:%M} {what} in {zone}; choose another time"
    if now is not None and local.instant < now:
        return f"{wall:%Y-%m-%d %H:%M} in {zone} is in the past"
    return None
