// The planner's names and the server's verdicts, in the reader's language.
import i18next from "i18next";
import { afterEach, describe, expect, it } from "vitest";

import { planRefusal, warningMessages, windowName, type NameContext } from "./names";
import type { PlanParticipation, PlanWindow } from "./plan";

const be: PlanParticipation = {
  id: "p-be",
  role: "PARTICIPANT",
  state: "ACCEPTED",
  locations: ["BEBRU"],
  agency: { id: "a-be", acronym: "BE-CUSTOMS", name: "Belgian customs" },
};
const context: NameContext = {
  zone: "Europe/Brussels",
  locale: "en",
  participations: new Map([[be.id, be]]),
};
const shift: PlanWindow = {
  id: "w1",
  kind: "CONTROL",
  startsAt: "2027-03-04T07:00:00Z",
  endsAt: "2027-03-04T15:00:00Z",
  locationCode: "BEBRU",
  locationName: null,
  latitude: null,
  longitude: null,
  notes: "",
  revision: 0,
  icsUrl: "",
  participation: { id: "p-be" },
};
const phase: PlanWindow = {
  ...shift,
  id: "w0",
  kind: "OPERATIONAL",
  participation: null,
  locationCode: null,
  startsAt: "2027-03-27T23:00:00Z",
  endsAt: "2027-03-28T22:00:00Z",
};
const refusalContext = {
  zone: "Europe/Brussels",
  locale: "en",
  span: { start: "2027-03-01T07:00:00Z", end: "2027-03-31T06:00:00Z" },
  overlaps: [shift],
  nameContext: context,
};

afterEach(() => i18next.changeLanguage("en"));

describe("names", () => {
  it("names a control window by agency, place and times in the operation's zone", () => {
    expect(windowName(i18next.t, shift, context)).toMatch(
      /^Control window BE-CUSTOMS at BEBRU, Mar 4, 08:00\s*–\s*16:00$/,
    );
  });

  it("names a phase by its kind, across the 23-hour day", () => {
    expect(windowName(i18next.t, phase, context)).toMatch(
      /^Operational phase, Mar 28, 00:00\s*–\s*Mar 29, 00:00$/,
    );
  });

  it("names them in French", async () => {
    await i18next.changeLanguage("fr");

    expect(windowName(i18next.t, shift, { ...context, locale: "fr" })).toMatch(
      /^Fenêtre de contrôle BE-CUSTOMS à BEBRU, 4 mars, 08:00\s*–\s*16:00$/,
    );
  });
});

describe("the server's verdict", () => {
  it("puts an overlap on the start, naming the window it overlaps", () => {
    const refusal = planRefusal(
      i18next.t,
      {
        payloadErrors: [
          {
            field: "startsAt",
            code: "OVERLAPPING_WINDOW",
            message: "Overlaps ... Set allowOverlap.",
          },
        ],
      },
      refusalContext,
    );

    expect(refusal.fields.startsAt).toMatch(
      /^This control window overlaps another one of the same agency at the same place\. It overlaps: Mar 4, 08:00\s*–\s*16:00\.$/,
    );
    expect(refusal.general).toEqual([]);
    expect(refusal.codes).toEqual(new Set(["OVERLAPPING_WINDOW"]));
  });

  it("says the operation's span when a window falls outside it", () => {
    const refusal = planRefusal(
      i18next.t,
      { payloadErrors: [{ field: "endsAt", code: "OUTSIDE_OPERATION_SPAN", message: "..." }] },
      refusalContext,
    );

    expect(refusal.fields.endsAt).toMatch(
      /^The window must lie inside the operation: Mar 1, 08:00\s*–\s*Mar 31, 08:00\.$/,
    );
  });

  it("tells in Spanish why a control window outside the operational phases is refused", async () => {
    await i18next.changeLanguage("es");

    const refusal = planRefusal(
      i18next.t,
      { payloadErrors: [{ field: "startsAt", code: "OUTSIDE_PHASE", message: "..." }] },
      refusalContext,
    );

    expect(refusal.fields.startsAt).toBe(
      "Una ventana de control se sitúa dentro de una fase operativa: prevea primero la fase operativa o mueva la ventana dentro de una.",
    );
  });

  it("says what is about the whole window (its id) above the form", () => {
    const refusal = planRefusal(
      i18next.t,
      { payloadErrors: [{ field: "id", code: "WINDOWS_OUTSIDE_PHASE", message: "..." }] },
      refusalContext,
    );

    expect(refusal.fields).toEqual({});
    expect(refusal.general).toEqual([
      "Control windows would be left outside every operational phase: move or delete them first.",
    ]);
  });

  it("translates a kept overlap's warning", async () => {
    await i18next.changeLanguage("fr");

    expect(
      warningMessages(i18next.t, [
        { field: "startsAt", code: "OVERLAPPING_WINDOW", message: "Overlaps ..." },
      ]),
    ).toEqual([
      "Elle chevauche une autre fenêtre de contrôle de la même administration au même lieu : les deux sont conservées.",
    ]);
  });
});
