import i18next from "i18next";
import { describe, expect, it } from "vitest";

import type { OperationRole } from "../gql/graphql";
import { answersToOffer } from "./answers";
import { FOCUSES, MARKINGS, myRoleKey, STATUSES } from "./labels";
import { transitionButtons, whyNoTransition } from "./transitions";

const ROLES: OperationRole[] = ["COORDINATOR", "ANALYST", "LEAD", "PARTICIPANT", "OBSERVER"];

describe("my role", () => {
  it("reads as a person says it, in each language", () => {
    const words = (language: string) =>
      ROLES.map((role) => i18next.getFixedT(language, "operations")(myRoleKey(role)));

    expect(words("en")).toEqual([
      "Coordinator",
      "Analyst",
      "Lead agency",
      "Participant",
      "Observer",
    ]);
    expect(words("fr")).toEqual([
      "Coordonnateur",
      "Analyste",
      "Administration chef de file",
      "Participant",
      "Observateur",
    ]);
    expect(words("es")).toEqual([
      "Coordinador",
      "Analista",
      "Administración líder",
      "Participante",
      "Observador",
    ]);
  });

  it("says none when there is none", () => {
    expect(i18next.getFixedT("en", "operations")(myRoleKey(null))).toBe("None");
  });
});

describe("the catalogues", () => {
  it("have words for every status, focus and marking in every language", () => {
    for (const language of ["en", "fr", "es"]) {
      const t = i18next.getFixedT(language, "operations");
      const keys = [
        ...STATUSES.map((s) => `status.${s}`),
        ...FOCUSES.map((f) => `focus.${f}`),
        ...MARKINGS.flatMap((m) => [`marking.${m}.label`, `marking.${m}.help`]),
        ...STATUSES.filter((s) => s !== "DRAFT").map((s) => `lifecycle.action.${s}`),
      ];
      for (const key of keys) {
        expect(
          i18next.exists(key, { lng: language, ns: "operations", fallbackLng: [] }),
          `${language} ${key}`,
        ).toBe(true);
        expect(t(key)).not.toBe(key);
      }
    }
  });
});

describe("lifecycle buttons", () => {
  it("follow the lifecycle's order, cancel last, whatever order the API gives", () => {
    expect(transitionButtons(["CANCELLED", "ACTIVE"])).toEqual(["ACTIVE", "CANCELLED"]);
    expect(transitionButtons([])).toEqual([]);
  });

  it("say why none shows", () => {
    expect(whyNoTransition(["view_operation", "report_hit"], [])).toBe(
      "lifecycle.onlyCoordinators",
    );
    expect(whyNoTransition(["view_operation", "coordinate_operation"], [])).toBe("lifecycle.final");
    expect(whyNoTransition(["coordinate_operation"], ["PLANNED"])).toBeNull();
  });
});

describe("answers offered for a participation", () => {
  it("are accept and decline while invited, else withdraw", () => {
    expect(answersToOffer(["ACCEPT", "DECLINE", "WITHDRAW"])).toEqual(["ACCEPT", "DECLINE"]);
    expect(answersToOffer(["WITHDRAW"])).toEqual(["WITHDRAW"]);
    expect(answersToOffer([])).toEqual([]);
  });
});
