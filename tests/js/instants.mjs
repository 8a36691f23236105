// Read an iCalendar file from standard input with ical.js (Thunderbird's parser) and print,
// as JSON, what it understood: each event's UTC start/end, its zone, whether the start is
// floating, and the UTC starts of its occurrences (RRULE minus EXDATE), up to a limit.
// Usage: node instants.mjs [MAX_OCCURRENCES] < file.ics
import ICAL from "ical.js";
import { readFileSync } from "node:fs";

const max = Number(process.argv[2] || 500);
const text = readFileSync(0, "utf8");
const root = new ICAL.Component(ICAL.parse(text));
const zones = [];
for (const vtz of root.getAllSubcomponents("vtimezone")) {
  const tz = new ICAL.Timezone(vtz);
  ICAL.TimezoneService.register(tz.tzid, tz);
  zones.push(tz.tzid);
}
const iso = (t) => new Date(t.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
const events = root.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  const start = event.startDate;
  const zone = start.zone;
  const floating = !zone || zone === ICAL.Timezone.localTimezone || zone.tzid === "floating";
  const occurrences = [];
  const it = event.iterator();
  for (let next = it.next(); next && occurrences.length < max; next = it.next()) occurrences.push(iso(next));
  return {
    uid: event.uid,
    summary: event.summary,
    description: event.description,
    location: event.location,
    sequence: event.sequence,
    status: vevent.getFirstPropertyValue("status"),
    tzid: vevent.getFirstProperty("dtstart").getParameter("tzid") || null,
    zone: zone ? zone.tzid : null,
    floating,
    start: iso(start),
    end: iso(event.endDate),
    occurrences,
  };
});
process.stdout.write(JSON.stringify({ method: root.getFirstPropertyValue("method"), zones, events }));
