// Parse an iCalendar file with Mozilla's ical.js (Thunderbird's parser), as a client would.
// Reads the .ics text on stdin, prints JSON: the calendar's properties and every VEVENT with
// its instants in UTC (ISO 8601), the zone ical.js resolved, and its text properties.
import ICAL from "ical.js";

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (chunk) => chunks.push(chunk));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

function utc(time) {
  return new Date(time.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
}

const text = await readStdin();
const calendar = new ICAL.Component(ICAL.parse(text));
// Zones defined in the file are what a client uses to place TZID times.
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
}
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  const geo = component.getFirstPropertyValue("geo");
  return {
    uid: event.uid,
    summary: event.summary,
    description: event.description,
    location: event.location,
    status: component.getFirstPropertyValue("status"),
    sequence: event.sequence,
    url: component.getFirstPropertyValue("url"),
    geo: geo ? geo.map(Number) : null,
    start: utc(event.startDate),
    end: utc(event.endDate),
    zone: event.startDate.zone ? event.startDate.zone.tzid : null,
    start_local: event.startDate.toString(),
  };
});
process.stdout.write(
  JSON.stringify({
    name: calendar.getFirstPropertyValue("name"),
    prodid: calendar.getFirstPropertyValue("prodid"),
    events,
  }),
);
