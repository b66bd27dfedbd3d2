import { describe, expect, it } from "vitest";

import { operationToRun } from "./operation";

const SUBSCRIPTION = "subscription Watch($id: ID!) { operationChanged(operationId: $id) { what } }";

describe("operationToRun", () => {
  it("reads the operation from the text, whatever name GraphiQL still holds", () => {
    for (const stale of [undefined, null, "", "EarlierQuery"]) {
      const run = operationToRun(SUBSCRIPTION, stale);
      expect(run?.operation.operation).toBe("subscription");
      expect(run?.operation.name?.value).toBe("Watch");
    }
  });

  it("takes the named operation of several", () => {
    const text = `query Other { me { username } } ${SUBSCRIPTION}`;
    expect(operationToRun(text, "Watch")?.operation.operation).toBe("subscription");
    expect(operationToRun(text, "Other")?.operation.operation).toBe("query");
  });

  it("leaves the choice to the server when it is not clear or the text does not parse", () => {
    expect(operationToRun(`query Other { me { username } } ${SUBSCRIPTION}`, "Gone")).toBeNull();
    expect(operationToRun(`query Other { me { username } } ${SUBSCRIPTION}`)).toBeNull();
    expect(operationToRun("subscription {")).toBeNull();
  });
});
