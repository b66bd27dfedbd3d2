// The planner's time arithmetic across daylight-saving changes and in two zones:
// Brussels (CET/CEST: a 23-hour day in March, a 25-hour day in October) and Costa Rica
// (UTC-6 all year).
import { describe, expect, it } from "vitest";

import { formatWall, wallTimeAt } from "../../core/time/zoned";
import {
  assignLanes,
  axisWidth,
  dayAlignedRange,
  daysBetween,
  hourTicks,
  instantAtX,
  pxPerHourFor,
  shiftInstant,
  tickPlan,
  widthOf,
  xOf,
  type Scale,
} from "./axis";

const BRUSSELS = "Europe/Brussels";
const COSTA_RICA = "America/Costa_Rica";
const at = (iso: string) => new Date(iso);
const walls = (ticks: { instant: Date }[], zone: string) =>
  ticks.map((tick) => formatWall(wallTimeAt(tick.instant, zone)).slice(0, 16));

describe("days in a zone", () => {
  it("makes the spring-forward day 23 hours long and the fall-back day 25", () => {
    const spring = daysBetween(at("2027-03-27T12:00Z"), at("2027-03-29T12:00Z"), BRUSSELS);
    const autumn = daysBetween(at("2027-10-30T12:00Z"), at("2027-11-01T12:00Z"), BRUSSELS);

    expect(spring.map((day) => [day.date.day, day.hours])).toEqual([
      [27, 24],
      [28, 23],
      [29, 24],
    ]);
    expect(autumn.map((day) => [day.date.day, day.hours])).toEqual([
      [30, 24],
      [31, 25],
      [1, 24],
    ]);
  });

  it("starts every day on a local midnight of the operation's zone", () => {
    const days = daysBetween(at("2027-03-26T00:00Z"), at("2027-04-01T00:00Z"), BRUSSELS);

    for (const day of days) {
      expect(formatWall(wallTimeAt(day.start, BRUSSELS))).toMatch(/ 00:00:00$/);
    }
    // Midnight is 23:00 UTC before the change and 22:00 UTC after it.
    expect(days.find((day) => day.date.day === 28)!.start.toISOString()).toBe(
      "2027-03-27T23:00:00.000Z",
    );
    expect(days.find((day) => day.date.day === 29)!.start.toISOString()).toBe(
      "2027-03-28T22:00:00.000Z",
    );
  });

  it("gives the same instants different days in Costa Rica, where every day has 24 hours", () => {
    const from = at("2027-03-27T12:00Z");
    const to = at("2027-03-29T12:00Z");

    const days = daysBetween(from, to, COSTA_RICA);

    expect(days.map((day) => day.hours)).toEqual([24, 24, 24]);
    expect(days.map((day) => day.start.toISOString())).toEqual([
      "2027-03-27T06:00:00.000Z",
      "2027-03-28T06:00:00.000Z",
      "2027-03-29T06:00:00.000Z",
    ]);
  });

  it("aligns an operation's span on whole local days", () => {
    const range = dayAlignedRange(at("2027-03-01T07:00Z"), at("2027-03-31T07:00Z"), BRUSSELS);

    expect(range.start.toISOString()).toBe("2027-02-28T23:00:00.000Z");
    expect(range.end.toISOString()).toBe("2027-03-31T22:00:00.000Z");
  });
});

describe("hour ticks", () => {
  it("skips the hour that never happens when the clocks go forward", () => {
    const day = daysBetween(at("2027-03-28T12:00Z"), at("2027-03-28T12:01Z"), BRUSSELS)[0];

    const ticks = hourTicks(day.start, day.end, BRUSSELS, 1);

    expect(ticks).toHaveLength(23);
    expect(walls(ticks, BRUSSELS).slice(0, 4)).toEqual([
      "2027-03-28 00:00",
      "2027-03-28 01:00",
      "2027-03-28 03:00",
      "2027-03-28 04:00",
    ]);
    // Consecutive ticks stay an hour apart: the gap is in the clocks, not on the axis.
    const gaps = ticks
      .slice(1)
      .map((tick, i) => tick.instant.getTime() - ticks[i].instant.getTime());
    expect(new Set(gaps)).toEqual(new Set([3_600_000]));
  });

  it("ticks the repeated hour twice when the clocks go back, and says it is repeated", () => {
    const day = daysBetween(at("2027-10-31T12:00Z"), at("2027-10-31T12:01Z"), BRUSSELS)[0];

    const ticks = hourTicks(day.start, day.end, BRUSSELS, 1);

    expect(ticks).toHaveLength(25);
    const twos = ticks.filter((tick) => tick.wall.hour === 2);
    expect(twos.map((tick) => [tick.instant.toISOString(), tick.repeated])).toEqual([
      ["2027-10-31T00:00:00.000Z", false],
      ["2027-10-31T01:00:00.000Z", true],
    ]);
  });

  it("puts coarser ticks on the local hours divisible by the step, either side of a change", () => {
    const ticks = hourTicks(at("2027-03-27T23:00Z"), at("2027-03-29T22:00Z"), BRUSSELS, 6);

    expect(walls(ticks, BRUSSELS)).toEqual([
      "2027-03-28 00:00",
      "2027-03-28 06:00",
      "2027-03-28 12:00",
      "2027-03-28 18:00",
      "2027-03-29 00:00",
      "2027-03-29 06:00",
      "2027-03-29 12:00",
      "2027-03-29 18:00",
    ]);
    expect(ticks.filter((tick) => tick.dayStart)).toHaveLength(2);
    // Midnight to 06:00 on the short day is five real hours.
    expect(ticks[1].instant.getTime() - ticks[0].instant.getTime()).toBe(5 * 3_600_000);
  });

  it("ticks the viewer's hours alongside: Costa Rica's whole hours are Brussels' too, 7 then 8 apart", () => {
    const from = at("2027-03-27T18:00Z");
    const to = at("2027-03-28T12:00Z");

    const costaRica = hourTicks(from, to, COSTA_RICA, 6);

    expect(walls(costaRica, COSTA_RICA)).toEqual([
      "2027-03-27 12:00",
      "2027-03-27 18:00",
      "2027-03-28 00:00",
    ]);
    expect(walls(costaRica, BRUSSELS)).toEqual([
      "2027-03-27 19:00",
      "2027-03-28 01:00",
      "2027-03-28 08:00",
    ]);
  });

  it("finds whole hours in a zone with a quarter-hour offset", () => {
    const ticks = hourTicks(at("2027-03-01T00:00Z"), at("2027-03-01T03:00Z"), "Asia/Kathmandu", 1);

    expect(ticks.map((tick) => tick.instant.toISOString())).toEqual([
      "2027-03-01T00:15:00.000Z",
      "2027-03-01T01:15:00.000Z",
      "2027-03-01T02:15:00.000Z",
    ]);
  });
});

describe("positions and lengths on the axis", () => {
  const day = daysBetween(at("2027-03-28T12:00Z"), at("2027-03-28T12:01Z"), BRUSSELS)[0];
  const scale: Scale = { start: day.start.getTime(), end: day.end.getTime(), pxPerHour: 10 };

  it("draws the 23-hour day 230 pixels wide at 10 pixels an hour", () => {
    expect(axisWidth(scale)).toBe(230);
  });

  it("keeps a window across the change its true length", () => {
    // 00:00 to 06:00 on the clocks of the short day: five hours.
    const start = at("2027-03-27T23:00Z");
    const end = at("2027-03-28T04:00Z");

    expect(xOf(start, scale)).toBe(0);
    expect(widthOf(start, end, scale)).toBe(50);
    expect(formatWall(wallTimeAt(end, BRUSSELS))).toBe("2027-03-28 06:00:00");
  });

  it("keeps a window across the fall-back change its true length too", () => {
    // 00:00 to 06:00 on the clocks of the long day: seven hours.
    const start = at("2027-10-30T22:00Z");
    const end = at("2027-10-31T05:00Z");

    expect(formatWall(wallTimeAt(end, BRUSSELS))).toBe("2027-10-31 06:00:00");
    expect(widthOf(start, end, { ...scale, start: start.getTime() })).toBe(70);
  });

  it("reads back the instant under a position", () => {
    const instant = at("2027-03-28T10:30Z");

    expect(instantAtX(xOf(instant, scale), scale)).toBe(instant.getTime());
  });

  it("draws the same window at the same place whichever zone labels the axis", () => {
    const start = at("2027-03-28T06:00Z");

    // 08:00 in Brussels, 00:00 in Costa Rica: one instant, one position.
    expect(formatWall(wallTimeAt(start, BRUSSELS))).toBe("2027-03-28 08:00:00");
    expect(formatWall(wallTimeAt(start, COSTA_RICA))).toBe("2027-03-28 00:00:00");
    expect(xOf(start, scale)).toBe(70);
  });
});

describe("moving a window", () => {
  it("keeps the wall time when moved by whole days across a change", () => {
    // 08:00 in Brussels on Saturday 27 March; a day later is 08:00 on Sunday, 23 hours on.
    const start = at("2027-03-27T07:00Z");

    const moved = shiftInstant(start, BRUSSELS, { days: 1 });

    expect(moved.toISOString()).toBe("2027-03-28T06:00:00.000Z");
    expect(formatWall(wallTimeAt(moved, BRUSSELS))).toBe("2027-03-28 08:00:00");
  });

  it("moves by real hours", () => {
    const start = at("2027-03-28T00:30Z"); // 01:30 CET, just before the change

    const moved = shiftInstant(start, BRUSSELS, { hours: 1 });

    expect(formatWall(wallTimeAt(moved, BRUSSELS))).toBe("2027-03-28 03:30:00");
  });

  it("moves a day back in a zone without daylight saving as 24 hours", () => {
    const start = at("2027-03-28T12:00Z");

    expect(shiftInstant(start, COSTA_RICA, { days: -1 }).toISOString()).toBe(
      "2027-03-27T12:00:00.000Z",
    );
  });
});

describe("zoom and labels that fit", () => {
  it("fits a day, a week or the whole operation in the viewport", () => {
    const range = { start: at("2027-03-01T00:00Z"), end: at("2027-03-31T00:00Z") };

    expect(pxPerHourFor("day", 960, range)).toBe(40);
    expect(pxPerHourFor("week", 1680, range)).toBe(10);
    expect(pxPerHourFor("operation", 720, range)).toBe(1);
    // A phone's day still shows hours that can be told apart (and scrolls).
    expect(pxPerHourFor("day", 260, range)).toBe(16);
  });

  it("labels hours and days only as densely as they fit", () => {
    expect(tickPlan(40)).toEqual({ hourStep: 2, dayLabel: "long", dayEvery: 1 });
    expect(tickPlan(10)).toEqual({ hourStep: 6, dayLabel: "long", dayEvery: 1 });
    expect(tickPlan(1.5)).toEqual({ hourStep: null, dayLabel: "short", dayEvery: 1 });
    expect(tickPlan(0.5)).toEqual({ hourStep: null, dayLabel: "sparse", dayEvery: 3 });
  });
});

describe("lanes", () => {
  it("puts overlapping windows one under the other and the rest in the first lane", () => {
    const lanes = assignLanes([
      { start: 0, end: 10 },
      { start: 5, end: 15 },
      { start: 10, end: 20 },
      { start: 6, end: 8 },
    ]);

    expect(lanes).toEqual([0, 1, 0, 2]);
  });
});
