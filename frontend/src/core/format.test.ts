import { describe, expect, it } from "vitest";

import { formatDateTime, timeZones } from "./format";

describe("formatDateTime", () => {
  it("names the zone when asked, in the reader's language", () => {
    const text = formatDateTime("2027-03-01T14:30:00Z", {
      zone: "America/Costa_Rica",
      locale: "fr",
      withZone: true,
    });

    expect(text).toContain("08:30");
    expect(text).toMatch(/UTC−6|GMT−6|UTC-6|GMT-6/);
  });

  it("reads the same instant in another zone", () => {
    expect(formatDateTime("2027-03-01T14:30:00Z", { zone: "Europe/Brussels", locale: "en" })).toContain(
      "3:30",
    );
  });
});

describe("timeZones", () => {
  it("lists UTC first, then every zone once, in order", () => {
    const zones = timeZones();
    expect(zones[0]).toBe("UTC");
    expect(zones.filter((zone) => zone === "UTC")).toHaveLength(1);
    expect(zones.slice(1)).toEqual([...zones.slice(1)].sort());
  });

  it("keeps a zone in use that the browser knows by another name", () => {
    const zones = timeZones(["Asia/Kolkata", "Europe/Kyiv", undefined]);
    expect(zones).toContain("Asia/Kolkata");
    expect(zones).toContain("Europe/Kyiv");
    expect(new Set(zones).size).toBe(zones.length);
  });
});
