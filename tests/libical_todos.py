"""Read an iCalendar file of tasks from standard input with libical (through its GObject bindings,
ICalGLib, as Evolution reads it) and print, as JSON, each VTODO's uid, status, sequence, organizer,
and DTSTART, DUE and COMPLETED as their zone and their instant in UTC.

Run by the system's python3 (python3-gi and gir1.2-ical-3.0), not the project's: `tests/test_minutes.py`.
Usage: python3 libical_todos.py < file.ics
"""

import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib as ICal  # noqa: E402

UTC = ICal.Timezone.get_utc_timezone()


def when(component, kind, read):
    """[TZID or None, the UTC instant as 20260613T140000Z] of a date-time property, or None."""
    if component.get_first_property(kind) is None:
        return None
    value = read(component)
    return [value.get_tzid(), value.convert_to_zone(UTC).as_ical_string()]


def completed(component):
    return component.get_first_property(ICal.PropertyKind.COMPLETED_PROPERTY).get_completed()


def main() -> None:
    root = ICal.Component.new_from_string(sys.stdin.read())
    if root is None:
        sys.exit("libical could not parse the file")
    todos = []
    todo = root.get_first_component(ICal.ComponentKind.VTODO_COMPONENT)
    while todo is not None:
        organizer = todo.get_first_property(ICal.PropertyKind.ORGANIZER_PROPERTY)
        sequence = todo.get_first_property(ICal.PropertyKind.SEQUENCE_PROPERTY)
        todos.append(
            {
                "uid": todo.get_uid(),
                "status": todo.get_status().value_nick.upper().replace("NEEDSACTION", "NEEDS-ACTION"),
                "sequence": sequence.get_sequence() if sequence else None,
                "organizer": organizer.get_organizer() if organizer else None,
                "dtstart": when(todo, ICal.PropertyKind.DTSTART_PROPERTY, ICal.Component.get_dtstart),
                "due": when(todo, ICal.PropertyKind.DUE_PROPERTY, ICal.Component.get_due),
                "completed": when(todo, ICal.PropertyKind.COMPLETED_PROPERTY, completed),
            }
        )
        todo = root.get_next_component(ICal.ComponentKind.VTODO_COMPONENT)
    json.dump({"todos": todos}, sys.stdout)


main()
