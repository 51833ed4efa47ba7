// Expand an iCalendar feed (stdin) with Mozilla's ical.js, the parser Thunderbird uses.
// Usage: ICALJS_DIR=<dir with node_modules/ical.js> node icaljs_expand.mjs <window start ISO> <window end ISO>
// Prints JSON [[uid, startUTC, endUTC, status], ...] for occurrences overlapping [start, end).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const dir = process.env.ICALJS_DIR || process.cwd();
const ICAL = (await import(pathToFileURL(`${dir}/node_modules/ical.js/dist/ical.js`).href)).default;
const [windowStart, windowEnd] = process.argv.slice(2).map((s) => new Date(s).getTime());

const root = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
for (const vtz of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(vtz));  // ical.js trusts the VTIMEZONE it is given
}
const byUid = new Map();
for (const vevent of root.getAllSubcomponents("vevent")) {
  const uid = vevent.getFirstPropertyValue("uid");
  if (!byUid.has(uid)) byUid.set(uid, { master: null, exceptions: [] });
  const entry = byUid.get(uid);
  if (vevent.hasProperty("recurrence-id")) entry.exceptions.push(vevent); else entry.master = vevent;
}
const out = [];
const push = (uid, start, end, item) => {
  const s = start.toJSDate().getTime(), e = end.toJSDate().getTime();
  if (s < windowEnd && e > windowStart) {
    out.push([uid, new Date(s).toISOString(), new Date(e).toISOString(), item.component.getFirstPropertyValue("status") || ""]);
  }
};
for (const [uid, { master, exceptions }] of byUid) {
  if (!master) throw new Error(`override without master: ${uid}`);
  const event = new ICAL.Event(master, { strictExceptions: true, exceptions });
  if (!event.isRecurring()) {
    push(uid, event.startDate, event.endDate, event);
    continue;
  }
  const it = event.iterator();
  for (let next = it.next(); next; next = it.next()) {
    const details = event.getOccurrenceDetails(next);
    // Overrides may move an occurrence far; stop once the rule itself is well past the window.
    if (next.toJSDate().getTime() > windowEnd + 40 * 86400000) break;
    push(uid, details.startDate, details.endDate, details.item);
  }
}
process.stdout.write(JSON.stringify(out));
