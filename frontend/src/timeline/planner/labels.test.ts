// Labels in the operation's zone with the viewer's alongside, across a change of the clocks.
import { describe, expect, it } from "vitest";

import {
  dayLabel,
  dayShift,
  dualTime,
  hoursLabel,
  rangeLabel,
  timeLabel,
  zoneAbbreviations,
} from "./labels";

const BRUSSELS = "Europe/Brussels";
const COSTA_RICA = "America/Costa_Rica";
const at = (iso: string) => new Date(iso);

describe("labels in two zones", () => {
  it("reads one instant in the operation's zone and in the viewer's", () => {
    const label = dualTime(at("2027-03-28T06:00Z"), BRUSSELS, COSTA_RICA, "en");

    expect(label).toEqual({ primary: "08:00", secondary: "00:00", dayShift: 0 });
  });

  it("tells when the viewer's clocks still show the day before", () => {
    const label = dualTime(at("2027-03-28T05:00Z"), BRUSSELS, COSTA_RICA, "en");

    expect(label).toEqual({ primary: "07:00", secondary: "23:00", dayShift: -1 });
    expect(dayShift(at("2027-03-28T05:00Z"), COSTA_RICA, BRUSSELS)).toBe(1);
  });

  it("gives no second label when the viewer reads the operation's zone", () => {
    expect(dualTime(at("2027-03-28T06:00Z"), BRUSSELS, BRUSSELS, "fr").secondary).toBeNull();
  });

  it("follows the change of the clocks: the gap between the zones grows from 7 to 8 hours", () => {
    const before = dualTime(at("2027-03-27T12:00Z"), BRUSSELS, COSTA_RICA, "en");
    const after = dualTime(at("2027-03-28T12:00Z"), BRUSSELS, COSTA_RICA, "en");

    expect([before.primary, before.secondary]).toEqual(["13:00", "06:00"]);
    expect([after.primary, after.secondary]).toEqual(["14:00", "06:00"]);
  });

  it("writes 24-hour times and days in the reader's language", () => {
    const instant = at("2027-03-28T14:05Z");

    expect(timeLabel(instant, BRUSSELS, "fr")).toBe("16:05");
    expect(timeLabel(instant, BRUSSELS, "es")).toBe("16:05");
    expect(dayLabel(instant, BRUSSELS, "en")).toBe("Sun, Mar 28");
    expect(dayLabel(instant, BRUSSELS, "fr")).toBe("dim. 28 mars");
    expect(dayLabel(instant, COSTA_RICA, "en", "short")).toBe("28");
  });

  it("names the day once for a window within one local day", () => {
    const label = rangeLabel(at("2027-03-01T07:00Z"), at("2027-03-01T15:00Z"), BRUSSELS, "en");

    expect(label).toMatch(/^Mar 1, 08:00\s*–\s*16:00$/);
  });

  it("names both days for a window across midnight, and reads it in the viewer's zone", () => {
    const start = at("2027-03-04T12:00Z");
    const end = at("2027-03-05T00:00Z");

    expect(rangeLabel(start, end, COSTA_RICA, "en")).toMatch(/^Mar 4, 06:00\s*–\s*18:00$/);
    expect(rangeLabel(start, end, BRUSSELS, "en")).toMatch(/^Mar 4, 13:00\s*–\s*Mar 5, 01:00$/);
  });

  it("names the zone's offsets over a span, both when its clocks change", () => {
    const start = at("2027-03-01T07:00Z");
    const end = at("2027-03-31T06:00Z");

    expect(zoneAbbreviations(start, end, BRUSSELS, "en")).toBe("GMT+1 → GMT+2");
    expect(zoneAbbreviations(start, end, COSTA_RICA, "en")).toBe("CST");
  });

  it("writes lengths in hours", () => {
    expect(hoursLabel(23, "en")).toMatch(/^23\s+hr$/);
    expect(hoursLabel(11.5, "fr")).toMatch(/^11,5\s+h$/);
  });
});
