import { describe, expect, it } from "vitest";

import { pageAfterSignIn } from "./next";

const origin = "https://jointops.example";

describe("pageAfterSignIn", () => {
  it("keeps a page of this site, with its query and fragment", () => {
    expect(pageAfterSignIn("/operations/T3A=?tab=hits#top", origin)).toBe("/operations/T3A=?tab=hits#top");
  });

  it.each(["//evil.example", "/\\evil.example", "/\t/evil.example", "/\\/evil.example", "https://evil.example/"])(
    "refuses %j, another site once the browser resolves it",
    (next) => {
      expect(pageAfterSignIn(next, origin)).toBeNull();
    },
  );

  it("refuses nothing given", () => {
    expect(pageAfterSignIn(null, origin)).toBeNull();
    expect(pageAfterSignIn("", origin)).toBeNull();
  });
});
