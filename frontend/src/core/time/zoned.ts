// Wall-clock times in an IANA zone and the instants they name, with daylight saving
// handled by the browser's own zone data (Intl). The API speaks instants (ISO 8601 with
// an offset); people type and read wall times in a zone (the operation's, or their own).

/** A wall-clock time: what a clock on the wall in some zone shows. */
export interface WallTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
}

const partFormatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(zone: string): Intl.DateTimeFormat {
  let formatter = partFormatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    partFormatters.set(zone, formatter);
  }
  return formatter;
}

/** The wall time in `zone` at `instant` (seconds dropped). */
export function wallTimeAt(instant: Date, zone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const part of partsFormatter(zone).formatToParts(instant)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour,
    minute: parts.minute,
  };
}

/** Minutes `zone` is ahead of UTC at `instant` (e.g. 120 for Brussels in summer). */
export function offsetMinutes(instant: Date, zone: string): number {
  const wall = wallTimeAt(instant, zone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  return Math.round((asUtc - Math.floor(instant.getTime() / 60000) * 60000) / 60000);
}

export interface Resolved {
  instant: Date;
  /** The wall time happened twice (a fall-back): `instant` is the first of the two. */
  ambiguous: boolean;
  /** The wall time never happened (a spring-forward gap): `instant` is just after it. */
  skipped: boolean;
}

/** The instant a wall time in `zone` names, and whether it was ambiguous or skipped. */
export function instantOf(wall: WallTime, zone: string): Resolved {
  const naive = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  // The offsets in force a day either side cover every transition of real zones.
  const candidates = new Set([
    offsetMinutes(new Date(naive - 86_400_000), zone),
    offsetMinutes(new Date(naive), zone),
    offsetMinutes(new Date(naive + 86_400_000), zone),
  ]);
  const matches = [...candidates]
    .map((offset) => naive - offset * 60000)
    .filter((time) => sameWall(wallTimeAt(new Date(time), zone), wall))
    .sort((a, b) => a - b);
  if (matches.length) {
    return { instant: new Date(matches[0]), ambiguous: matches.length > 1, skipped: false };
  }
  // In a gap: read the wall time with the offset before the gap, which lands after it.
  const before = offsetMinutes(new Date(naive - 86_400_000), zone);
  return { instant: new Date(naive - before * 60000), ambiguous: false, skipped: true };
}

function sameWall(a: WallTime, b: WallTime): boolean {
  return (
    a.year === b.year &&
    a.month === b.month &&
    a.day === b.day &&
    a.hour === b.hour &&
    a.minute === b.minute
  );
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** "YYYY-MM-DD HH:mm:ss", the form Mantine's date-time pickers read and write. */
export function formatWall(wall: WallTime): string {
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)} ${pad(wall.hour)}:${pad(wall.minute)}:00`;
}

export function parseWall(text: string): WallTime | null {
  const match = text.match(/^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})/);
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1).map(Number);
  return { year, month, day, hour, minute };
}

/** An instant as the API takes it: ISO 8601 in UTC. */
export function toApi(instant: Date): string {
  return instant.toISOString();
}
