// Date spans of operations, read in a zone and a language. (Intl refuses a time-zone name
// together with dateStyle/timeStyle, so the parts are spelt out here.)

export interface ReadAs {
  zone: string;
  locale: string;
}

const DATE_TIME: Intl.DateTimeFormatOptions = {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
};

/** "1 – 31 Mar 2027": the days a span covers, in `zone`. */
export function formatDaySpan(start: string, end: string, { zone, locale }: ReadAs): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: zone }).formatRange(
    new Date(start),
    new Date(end),
  );
}

/** "1 Mar 2027, 08:00 – 31 Mar 2027, 08:00 CET": a span to the minute, with the zone's name. */
export function formatTimeSpan(start: string, end: string, { zone, locale }: ReadAs): string {
  return new Intl.DateTimeFormat(locale, {
    ...DATE_TIME,
    timeZone: zone,
    timeZoneName: "short",
  }).formatRange(new Date(start), new Date(end));
}

/** One instant to the minute, with the zone's name. */
export function formatInstant(iso: string, { zone, locale }: ReadAs): string {
  return new Intl.DateTimeFormat(locale, {
    ...DATE_TIME,
    timeZone: zone,
    timeZoneName: "short",
  }).format(new Date(iso));
}
