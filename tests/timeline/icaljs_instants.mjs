// Reads an iCalendar file on stdin with ical.js (the parser of Thunderbird) and prints,
// as JSON, each VEVENT's UID with its DTSTART and DTEND as UTC instants:
//   {"<uid>": {"DTSTART": "2027-03-28T06:00:00Z", "DTEND": "..."}, ...}
// A TZID is resolved only through the VTIMEZONEs of the file itself (ical.js has no
// zone database of its own); a TZID the file does not define is an error.
// Used by tests/timeline/test_calendar_feeds.py; ical.js comes from frontend/node_modules.

import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const library = new URL("../../frontend/node_modules/ical.js/dist/ical.js", import.meta.url);
if (!existsSync(fileURLToPath(library))) {
  console.error(
    `ical.js is not installed at ${fileURLToPath(library)}: ` +
      "run `npm ci` in frontend/ (`make install` does).",
  );
  process.exit(2);
}
const { default: ICAL } = await import(library.href);

const calendar = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));

ICAL.TimezoneService.reset();
const zones = new Map();
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  const zone = new ICAL.Timezone(vtimezone);
  zones.set(zone.tzid, zone);
  ICAL.TimezoneService.register(zone);
}

function instant(property) {
  const value = property.getFirstValue();
  let zone;
  if (value.zone === ICAL.Timezone.utcTimezone) {
    zone = ICAL.Timezone.utcTimezone;
  } else {
    const tzid = property.getParameter("tzid");
    if (!tzid) throw new Error(`floating time: ${property.toICALString()}`);
    zone = zones.get(tzid);
    if (!zone) throw new Error(`no VTIMEZONE for TZID ${tzid}`);
  }
  const time = new ICAL.Time(
    {
      year: value.year,
      month: value.month,
      day: value.day,
      hour: value.hour,
      minute: value.minute,
      second: value.second,
      isDate: false,
    },
    zone,
  );
  return new Date(time.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
}

const events = {};
for (const vevent of calendar.getAllSubcomponents("vevent")) {
  const uid = vevent.getFirstPropertyValue("uid");
  events[uid] = {
    DTSTART: instant(vevent.getFirstProperty("dtstart")),
    DTEND: instant(vevent.getFirstProperty("dtend")),
  };
}
process.stdout.write(JSON.stringify(events));
