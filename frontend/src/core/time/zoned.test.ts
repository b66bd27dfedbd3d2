import { describe, expect, it } from "vitest";

import { formatWall, instantOf, offsetMinutes, parseWall, wallTimeAt } from "./zoned";

const BRUSSELS = "Europe/Brussels";
const COSTA_RICA = "America/Costa_Rica";

describe("wall times and instants", () => {
  it("reads the same instant in two zones", () => {
    const instant = new Date("2027-03-01T14:30:00Z");

    expect(formatWall(wallTimeAt(instant, BRUSSELS))).toBe("2027-03-01 15:30:00");
    expect(formatWall(wallTimeAt(instant, COSTA_RICA))).toBe("2027-03-01 08:30:00");
  });

  it("follows daylight saving: Brussels is UTC+1 in winter, UTC+2 in summer", () => {
    expect(offsetMinutes(new Date("2027-03-28T00:59:00Z"), BRUSSELS)).toBe(60);
    expect(offsetMinutes(new Date("2027-03-28T01:00:00Z"), BRUSSELS)).toBe(120);
  });

  it("names the instant of a wall time on either side of a change", () => {
    expect(instantOf(parseWall("2027-03-27 12:00")!, BRUSSELS).instant.toISOString()).toBe(
      "2027-03-27T11:00:00.000Z",
    );
    expect(instantOf(parseWall("2027-03-28 12:00")!, BRUSSELS).instant.toISOString()).toBe(
      "2027-03-28T10:00:00.000Z",
    );
  });

  it("tells a wall time that never happened (spring forward)", () => {
    const resolved = instantOf(parseWall("2027-03-28 02:30")!, BRUSSELS);

    expect(resolved.skipped).toBe(true);
    expect(resolved.instant.toISOString()).toBe("2027-03-28T01:30:00.000Z");
    expect(formatWall(wallTimeAt(resolved.instant, BRUSSELS))).toBe("2027-03-28 03:30:00");
  });

  it("tells a wall time that happened twice (fall back) and takes the first", () => {
    const resolved = instantOf(parseWall("2027-10-31 02:30")!, BRUSSELS);

    expect(resolved.ambiguous).toBe(true);
    expect(resolved.instant.toISOString()).toBe("2027-10-31T00:30:00.000Z");
  });

  it("round-trips every hour of a year in a zone with daylight saving", () => {
    for (let time = Date.UTC(2027, 0, 1); time < Date.UTC(2028, 0, 1); time += 3_600_000) {
      const instant = new Date(time);
      const wall = wallTimeAt(instant, BRUSSELS);
      const back = instantOf(wall, BRUSSELS);
      expect(back.instant.getTime() === time || back.ambiguous).toBe(true);
    }
  });
});
