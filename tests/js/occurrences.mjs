// Read an iCalendar file from standard input with ical.js and print, as JSON, each series'
// occurrences with RECURRENCE-ID overrides applied (ical.js relates them to the series):
// [{uid, start (UTC), local start in the event's zone, recurrenceId}] up to a limit per series.
// Usage: node occurrences.mjs [MAX_OCCURRENCES] < file.ics
import ICAL from "ical.js";
import { readFileSync } from "node:fs";

const max = Number(process.argv[2] || 500);
const root = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
for (const vtz of root.getAllSubcomponents("vtimezone")) {
  const tz = new ICAL.Timezone(vtz);
  ICAL.TimezoneService.register(tz.tzid, tz);
}
const iso = (t) => new Date(t.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
const masters = new Map();
const overrides = [];
for (const vevent of root.getAllSubcomponents("vevent")) {
  (vevent.hasProperty("recurrence-id") ? overrides : []).push(vevent);
  if (!vevent.hasProperty("recurrence-id")) masters.set(vevent.getFirstPropertyValue("uid"), new ICAL.Event(vevent));
}
for (const vevent of overrides) masters.get(vevent.getFirstPropertyValue("uid")).relateException(new ICAL.Event(vevent));
const out = [];
for (const [uid, event] of masters) {
  const it = event.iterator();
  for (let next = it.next(), n = 0; next && n < max; next = it.next(), n++) {
    const details = event.getOccurrenceDetails(next);
    const start = details.startDate;
    out.push({ uid, start: iso(start), local: start.toString(), recurrenceId: iso(details.recurrenceId) });
  }
}
process.stdout.write(JSON.stringify(out));
