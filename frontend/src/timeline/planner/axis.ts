// The planner's time axis: where an instant sits, where a zone's days begin, where its
// hours fall, how wide a window is. Pure functions of instants and IANA zones (built on
// core/time/zoned.ts), so that they can be tested across daylight-saving changes: a day
// is 23, 24 or 25 hours long, and a window drawn across a change keeps its true length.
import { instantOf, offsetMinutes, wallTimeAt, type WallTime } from "../../core/time/zoned";

export const MINUTE = 60_000;
export const HOUR = 3_600_000;

/** The axis: from `start` to `end` (epoch milliseconds), `pxPerHour` pixels for an hour. */
export interface Scale {
  start: number;
  end: number;
  pxPerHour: number;
}

const ms = (instant: Date | number) => (typeof instant === "number" ? instant : instant.getTime());

/** Pixels from the axis' start to `instant`. */
export function xOf(instant: Date | number, scale: Scale): number {
  return ((ms(instant) - scale.start) / HOUR) * scale.pxPerHour;
}

/** Pixels a stretch of time takes: its true length, whatever the clocks did meanwhile. */
export function widthOf(start: Date | number, end: Date | number, scale: Scale): number {
  return ((ms(end) - ms(start)) / HOUR) * scale.pxPerHour;
}

/** The whole axis' width in pixels. */
export function axisWidth(scale: Scale): number {
  return widthOf(scale.start, scale.end, scale);
}

/** The instant at `x` pixels from the axis' start. */
export function instantAtX(x: number, scale: Scale): number {
  return scale.start + (x / scale.pxPerHour) * HOUR;
}

/** Hours between two instants (fractions kept). */
export function hoursBetween(start: Date | number, end: Date | number): number {
  return (ms(end) - ms(start)) / HOUR;
}

// --- days and hours in a zone -------------------------------------------------------

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** The calendar date `days` after `date` (any sign). */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** The first instant of a calendar day in `zone`: its midnight, or, where the clocks
 * jump forward at midnight, the first wall time after the gap. */
export function startOfDay(date: CalendarDate, zone: string): Date {
  return instantOf({ ...date, hour: 0, minute: 0 }, zone).instant;
}

export interface Day {
  date: CalendarDate;
  start: Date;
  /** The next day's start. */
  end: Date;
  /** 24, or 23 and 25 on the days the clocks change. */
  hours: number;
}

/** The days of `zone` that share some time with [from, to), in order. */
export function daysBetween(from: Date | number, to: Date | number, zone: string): Day[] {
  const days: Day[] = [];
  const first = wallTimeAt(new Date(ms(from)), zone);
  let date: CalendarDate = { year: first.year, month: first.month, day: first.day };
  let start = startOfDay(date, zone);
  while (start.getTime() < ms(to)) {
    const next = addDays(date, 1);
    const end = startOfDay(next, zone);
    days.push({ date, start, end, hours: hoursBetween(start, end) });
    date = next;
    start = end;
  }
  return days;
}

/** The local day around `instant` in `zone`. */
export function dayOf(instant: Date | number, zone: string): Day {
  return daysBetween(instant, ms(instant) + 1, zone)[0];
}

export interface HourTick {
  instant: Date;
  /** The wall time there (whole hours). */
  wall: WallTime;
  /** The first instant of a local day. */
  dayStart: boolean;
  /** This wall hour already happened once today (the clocks went back). */
  repeated: boolean;
}

/** The instants in [from, to) at which clocks in `zone` show a whole hour divisible by
 * `everyHours` (1, 2, 3, 4, 6, 8, 12, 24), starting every local day afresh. On a day the
 * clocks go forward a skipped hour has no tick; when they go back, a repeated hour has two. */
export function hourTicks(
  from: Date | number,
  to: Date | number,
  zone: string,
  everyHours: number,
): HourTick[] {
  const ticks: HourTick[] = [];
  for (const day of daysBetween(from, to, zone)) {
    const start = day.start.getTime();
    const end = day.end.getTime();
    const steady = offsetMinutes(day.start, zone) === offsetMinutes(new Date(end - 1), zone);
    const candidates: number[] = [];
    if (steady) {
      // No change of offset today: whole hours are whole hours after the day's start (which
      // is not midnight where the clocks jump at midnight: align on the first due hour).
      const first = wallTimeAt(day.start, zone);
      const due = ((everyHours - (first.hour % everyHours)) % everyHours) * HOUR;
      let time = start + due - first.minute * MINUTE;
      if (time < start) time += everyHours * HOUR;
      for (; time < end; time += everyHours * HOUR) candidates.push(time);
    } else {
      // A change today: look at every quarter hour (every real offset is a multiple of 15
      // minutes) and keep the whole hours the clocks show.
      for (let time = start; time < end; time += 15 * MINUTE) candidates.push(time);
    }
    const seen = new Set<number>();
    for (const time of candidates) {
      const instant = new Date(time);
      const wall = wallTimeAt(instant, zone);
      if (wall.minute !== 0 || wall.hour % everyHours !== 0) continue;
      if (time < ms(from) || time >= ms(to)) continue;
      ticks.push({
        instant,
        wall,
        dayStart: time === start,
        repeated: seen.has(wall.hour),
      });
      seen.add(wall.hour);
    }
  }
  return ticks;
}

/** The axis of a span: from the start of the local day it begins in to the end of the
 * local day it ends in, in `zone`. */
export function dayAlignedRange(
  start: Date | number,
  end: Date | number,
  zone: string,
): { start: Date; end: Date } {
  const first = dayOf(start, zone);
  const last = dayOf(ms(end) - 1, zone);
  return { start: first.start, end: last.end };
}

// --- moving a window ----------------------------------------------------------------

/** `instant` moved by whole local days (the wall time kept: 08:00 stays 08:00 across a
 * change of the clocks) and then by real hours. */
export function shiftInstant(
  instant: Date | number,
  zone: string,
  { days = 0, hours = 0 }: { days?: number; hours?: number },
): Date {
  let time = ms(instant);
  if (days) {
    const wall = wallTimeAt(new Date(time), zone);
    const date = addDays(wall, days);
    time = instantOf({ ...date, hour: wall.hour, minute: wall.minute }, zone).instant.getTime();
  }
  return new Date(time + hours * HOUR);
}

// --- zoom -----------------------------------------------------------------------------

export type Zoom = "day" | "week" | "operation";

export const ZOOMS: Zoom[] = ["day", "week", "operation"];

/** Pixels per hour for a zoom level, `viewport` pixels wide, on an axis of `range`:
 * a day, a week, or the whole range fills the viewport (never less than a legible floor). */
export function pxPerHourFor(
  zoom: Zoom,
  viewport: number,
  range: { start: Date | number; end: Date | number },
): number {
  const width = Math.max(viewport, 200);
  switch (zoom) {
    case "day":
      return Math.max(width / 24, 16);
    case "week":
      return Math.max(width / (7 * 24), 2);
    case "operation":
      return Math.max(width / Math.max(hoursBetween(range.start, range.end), 1), 0.25);
  }
}

export interface TickPlan {
  /** Hours between labelled hour ticks; null: no hour ticks. */
  hourStep: number | null;
  /** Day labels: "long" (weekday, day, month), "short" (day of the month), or "sparse"
   * (only every `dayEvery`th day). */
  dayLabel: "long" | "short" | "sparse";
  dayEvery: number;
}

const HOUR_STEPS = [1, 2, 3, 6, 12];
const HOUR_LABEL_PX = 44;

/** Which ticks and labels fit at `pxPerHour` without overlapping. */
export function tickPlan(pxPerHour: number): TickPlan {
  const hourStep = HOUR_STEPS.find((step) => step * pxPerHour >= HOUR_LABEL_PX) ?? null;
  const pxPerDay = pxPerHour * 24;
  if (pxPerDay >= 110) return { hourStep, dayLabel: "long", dayEvery: 1 };
  if (pxPerDay >= 26) return { hourStep, dayLabel: "short", dayEvery: 1 };
  return { hourStep, dayLabel: "sparse", dayEvery: Math.ceil(26 / pxPerDay) };
}

// --- rows -------------------------------------------------------------------------------

/** Lanes for intervals of one row, so that overlapping ones sit one under the other:
 * each interval's lane index (0 first), the earliest-starting first in the lowest free lane. */
export function assignLanes(intervals: { start: Date | number; end: Date | number }[]): number[] {
  const order = intervals
    .map((interval, index) => ({ start: ms(interval.start), end: ms(interval.end), index }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  const laneEnds: number[] = [];
  const lanes = new Array<number>(intervals.length);
  for (const interval of order) {
    let lane = laneEnds.findIndex((end) => end <= interval.start);
    if (lane === -1) lane = laneEnds.length;
    laneEnds[lane] = interval.end;
    lanes[interval.index] = lane;
  }
  return lanes;
}
