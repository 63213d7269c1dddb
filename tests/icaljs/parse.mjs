// Reads one iCalendar file on stdin and prints, as JSON, what Mozilla's ical.js (the parser behind
// Thunderbird's and Nextcloud's calendars) understands of each VEVENT:
//   [{uid, summary, startUTC, endUTC, status, sequence, tzid, location, url, description}]
// Instants are converted to UTC by ical.js itself, with the file's own VTIMEZONE registered, so the
// Python tests compare them with instants they compute independently. Any error exits non-zero.
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
  if (!time) return null;
  if (time.zone === ICAL.Timezone.localTimezone) {
    // A floating time (no zone it could resolve): every client would read it differently.
    throw new Error(`floating time ${time.toString()}: its TZID was not resolved`);
  }
  return time.convertToZone(ICAL.Timezone.utcTimezone).toString();
}

const text = await readStdin();
const calendar = new ICAL.Component(ICAL.parse(text));
if (calendar.name !== "vcalendar") throw new Error(`not a VCALENDAR: ${calendar.name}`);

// Register every VTIMEZONE of the file, as calendar clients do, before reading any date.
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}

const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    summary: event.summary,
    startUTC: utc(event.startDate),
    endUTC: utc(event.endDate),
    status: component.getFirstPropertyValue("status"),
    sequence: event.sequence,
    tzid: component.getFirstProperty("dtstart").getParameter("tzid") ?? null,
    location: event.location,
    url: component.getFirstPropertyValue("url"),
    description: event.description,
  };
});

process.stdout.write(JSON.stringify({
  name: calendar.getFirstPropertyValue("x-wr-calname"),
  timezones: calendar.getAllSubcomponents("vtimezone").map((tz) => tz.getFirstPropertyValue("tzid")),
  events,
}));
