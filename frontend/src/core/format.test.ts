import { describe, expect, it } from "vitest";

import { formatDateTime } from "./format";

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
