// Read an iCalendar file of tasks from standard input with ical.js (Thunderbird's parser) and
// print, as JSON, each VTODO's uid, summary, status, sequence, organizer, the DUE's zone and its
// instant in UTC, and DTSTART and COMPLETED as [zone, instant in UTC].
// Usage: node todos.mjs < file.ics
import ICAL from "ical.js";
import { readFileSync } from "node:fs";

const root = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
for (const vtz of root.getAllSubcomponents("vtimezone")) {
  const tz = new ICAL.Timezone(vtz);
  ICAL.TimezoneService.register(tz.tzid, tz);
}
const iso = (t) => new Date(t.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
const todos = root.getAllSubcomponents("vtodo").map((todo) => {
  const due = todo.getFirstProperty("due");
  const value = due ? due.getFirstValue() : null;
  const when = (name) => {
    const prop = todo.getFirstProperty(name);
    return prop ? [prop.getParameter("tzid") || prop.getFirstValue().zone.tzid, iso(prop.getFirstValue())] : null;
  };
  return {
    uid: todo.getFirstPropertyValue("uid"),
    sequence: todo.getFirstPropertyValue("sequence"),
    organizer: todo.getFirstPropertyValue("organizer"),
    dtstart: when("dtstart"),
    completed: when("completed"),
    summary: todo.getFirstPropertyValue("summary"),
    status: todo.getFirstPropertyValue("status"),
    tzid: due ? due.getParameter("tzid") || null : null,
    due: value ? iso(value) : null,
  };
});
process.stdout.write(JSON.stringify({ todos }));
