import { readFileSync } from "node:fs";
import { resolve } from "node:path";

import { buildSchema, isObjectType } from "graphql";
import { describe, expect, it } from "vitest";

import { UNKEYED } from "./client";

describe("the normalised cache", () => {
  it("knows every object type of the schema that has no id", () => {
    const schema = buildSchema(readFileSync(resolve(__dirname, "../../../schema.graphql"), "utf8"));
    const roots = new Set(["Query", "Mutation", "Subscription"]);
    const keyless = Object.values(schema.getTypeMap())
      .filter((type) => isObjectType(type) && !type.name.startsWith("__") && !roots.has(type.name))
      .filter((type) => isObjectType(type) && !("id" in type.getFields()))
      .map((type) => type.name)
      .sort();

    expect([...UNKEYED].sort()).toEqual(keyless);
  });
});
