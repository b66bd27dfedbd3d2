// Labels of the planner's axis and windows in a zone and a language: the operation's
// zone first, the viewer's alongside. Pure (Intl does the calendars and the languages).
import { wallTimeAt } from "../../core/time/zoned";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, zone: string, options: Intl.DateTimeFormatOptions) {
  const key = `${locale}|${zone}|${JSON.stringify(options)}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(locale, { ...options, timeZone: zone });
    formatters.set(key, found);
  }
  return found;
}

const TIME: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
const DAY_LONG: Intl.DateTimeFormatOptions = { weekday: "short", day: "numeric", month: "short" };
const DAY_MONTH: Intl.DateTimeFormatOptions = { day: "numeric", month: "short" };
const DAY_TIME: Intl.DateTimeFormatOptions = { ...DAY_MONTH, ...TIME };

/** "08:00": the wall time in `zone`, 24-hour. */
export function timeLabel(instant: Date, zone: string, locale: string): string {
  return formatter(locale, zone, TIME).format(instant);
}

/** The day `instant` falls on in `zone`: "Sun, Mar 28" (long) or "28" (short). */
export function dayLabel(
  instant: Date,
  zone: string,
  locale: string,
  style: "long" | "short" = "long",
): string {
  if (style === "short") return String(wallTimeAt(instant, zone).day);
  return formatter(locale, zone, DAY_LONG).format(instant);
}

/** "Mar 28": a day of the month in `zone`. */
export function dayMonthLabel(instant: Date, zone: string, locale: string): string {
  return formatter(locale, zone, DAY_MONTH).format(instant);
}

/** "Mar 28, 08:00": a day and a time in `zone`. */
export function dayTimeLabel(instant: Date, zone: string, locale: string): string {
  return formatter(locale, zone, DAY_TIME).format(instant);
}

/** The zone's short name at `instant` in `locale`: "GMT+1", "CEST", "UTC-6"... */
export function zoneAbbreviation(instant: Date, zone: string, locale: string): string {
  const parts = formatter(locale, zone, { timeZoneName: "short" }).formatToParts(instant);
  return parts.find((part) => part.type === "timeZoneName")?.value ?? zone;
}

/** The zone's short names over a span: "GMT+1", or "GMT+1 → GMT+2" when its clocks
 * change between the start and the end. */
export function zoneAbbreviations(
  start: Date | number,
  end: Date | number,
  zone: string,
  locale: string,
): string {
  const first = zoneAbbreviation(new Date(start), zone, locale);
  const last = zoneAbbreviation(new Date(end), zone, locale);
  return first === last ? first : `${first} → ${last}`;
}

/** A window's times in `zone`: "Mar 1, 08:00 – 16:00", the day named once when both ends
 * fall on the same local day. */
export function rangeLabel(start: Date, end: Date, zone: string, locale: string): string {
  return formatter(locale, zone, DAY_TIME).formatRange(start, end);
}

/** Calendar days from the date at `instant` in `zone` to its date in `otherZone`: -1, 0
 * or +1 (the other zone's clocks already show tomorrow, say). */
export function dayShift(instant: Date, zone: string, otherZone: string): number {
  const here = wallTimeAt(instant, zone);
  const there = wallTimeAt(instant, otherZone);
  const day = (wall: typeof here) => Date.UTC(wall.year, wall.month - 1, wall.day) / 86_400_000;
  return day(there) - day(here);
}

export interface DualTime {
  /** In the operation's zone. */
  primary: string;
  /** In the viewer's zone; null when it is the same zone. */
  secondary: string | null;
  /** The viewer's date minus the operation's date at that instant. */
  dayShift: number;
}

/** One instant read in the operation's zone and, alongside, in the viewer's. */
export function dualTime(
  instant: Date,
  zone: string,
  viewerZone: string,
  locale: string,
): DualTime {
  const primary = timeLabel(instant, zone, locale);
  if (viewerZone === zone) return { primary, secondary: null, dayShift: 0 };
  return {
    primary,
    secondary: timeLabel(instant, viewerZone, locale),
    dayShift: dayShift(instant, zone, viewerZone),
  };
}

/** "12 hr", "11,5 h": a length of time in hours, in the reader's language. */
export function hoursLabel(hours: number, locale: string): string {
  return new Intl.NumberFormat(locale, {
    style: "unit",
    unit: "hour",
    unitDisplay: "short",
    maximumFractionDigits: 2,
  }).format(hours);
}
