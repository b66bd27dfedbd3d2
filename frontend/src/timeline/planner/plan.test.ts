// How the planner lays out an operation's windows: phases, then agencies (the viewer's
// first) with a row per place, overlapping windows in lanes of their own.
import { describe, expect, it } from "vitest";

import { buildPlan, overlapsOf, placeKey, type PlanParticipation, type PlanWindow } from "./plan";

const participation = (
  id: string,
  acronym: string,
  locations: string[],
  extra: Partial<PlanParticipation> = {},
): PlanParticipation => ({
  id,
  role: "PARTICIPANT",
  state: "ACCEPTED",
  locations,
  agency: { id: `agency-${id}`, acronym, name: `${acronym} agency` },
  ...extra,
});

let serial = 0;
const window = (changes: Partial<PlanWindow>): PlanWindow => ({
  id: `w${++serial}`,
  kind: "CONTROL",
  startsAt: "2027-03-04T07:00:00Z",
  endsAt: "2027-03-04T15:00:00Z",
  locationCode: null,
  locationName: null,
  latitude: null,
  longitude: null,
  notes: "",
  revision: 0,
  icsUrl: "",
  participation: null,
  ...changes,
});

const be = participation("p-be", "BE-CUSTOMS", ["BEBRU"]);
const my = participation("p-my", "MY-CUSTOMS", ["MYKUL", "MYPEN"]);
const ke = participation("p-ke", "KE-KRA", ["KENBO"], { state: "INVITED" });
const unodc = participation("p-un", "UNODC", [], { role: "OBSERVER" });
const declined = participation("p-ng", "NG-CUSTOMS", ["NGLOS"], { state: "DECLINED" });
const wco = participation("p-wco", "WCO", [], { role: "LEAD" });

describe("the plan's rows", () => {
  it("puts the phases in one row and each agency's places in rows of their own", () => {
    const phase = window({
      kind: "OPERATIONAL",
      startsAt: "2027-03-03T23:00:00Z",
      endsAt: "2027-03-24T23:00:00Z",
    });
    const shift = window({ participation: { id: "p-be" }, locationCode: "BEBRU" });

    const plan = buildPlan([phase, shift], [be, my], null);

    expect(plan.phases.windows).toEqual([phase]);
    expect(
      plan.groups.map((g) => [g.participation.agency.acronym, g.rows.map((r) => r.place)]),
    ).toEqual([
      ["BE-CUSTOMS", ["BEBRU"]],
      ["MY-CUSTOMS", ["MYKUL", "MYPEN"]],
    ]);
    expect(plan.groups[0].rows[0].windows).toEqual([shift]);
  });

  it("puts the viewer's agency first, then the others by acronym", () => {
    const plan = buildPlan([], [my, ke, be], "agency-p-my");

    expect(plan.groups.map((g) => [g.participation.agency.acronym, g.own])).toEqual([
      ["MY-CUSTOMS", true],
      ["BE-CUSTOMS", false],
      ["KE-KRA", false],
    ]);
  });

  it("leaves out observers, agencies that left, and agencies with no place, unless they have windows", () => {
    const kept = window({ participation: { id: "p-ng" }, locationCode: "NGLOS" });

    const plan = buildPlan([kept], [be, unodc, declined, wco], null);

    expect(plan.groups.map((g) => g.participation.agency.acronym)).toEqual([
      "BE-CUSTOMS",
      "NG-CUSTOMS",
    ]);
  });

  it("adds a row for a place a window names that the agency did not declare, by code, name or coordinates", () => {
    const byName = window({ participation: { id: "p-be" }, locationName: "Airstrip near Liège" });
    const byCoordinates = window({
      participation: { id: "p-be" },
      latitude: 50.6374,
      longitude: 5.4432,
    });
    const byCode = window({
      participation: { id: "p-be" },
      locationCode: "bebru",
      locationName: "Brussels airport",
    });

    const plan = buildPlan([byName, byCoordinates, byCode], [be], null);

    const rows = plan.groups[0].rows;
    expect(rows.map((r) => r.place)).toEqual(["BEBRU", "Airstrip near Liège", "50.6374, 5.4432"]);
    expect(rows[0].locationName).toBe("Brussels airport");
    expect(rows[0].windows).toEqual([byCode]);
  });

  it("stacks overlapping windows of a row in lanes and flags them", () => {
    const first = window({ participation: { id: "p-be" }, locationCode: "BEBRU" });
    const overlapping = window({
      participation: { id: "p-be" },
      locationCode: "BEBRU",
      startsAt: "2027-03-04T12:00:00Z",
      endsAt: "2027-03-04T20:00:00Z",
    });
    const next = window({
      participation: { id: "p-be" },
      locationCode: "BEBRU",
      startsAt: "2027-03-05T07:00:00Z",
      endsAt: "2027-03-05T15:00:00Z",
    });

    const row = buildPlan([next, overlapping, first], [be], null).groups[0].rows[0];

    expect(row.windows).toEqual([first, overlapping, next]);
    expect(row.lanes).toEqual([0, 1, 0]);
    expect(row.laneCount).toBe(2);
    expect([...row.overlapping].sort()).toEqual([first.id, overlapping.id].sort());
  });
});

describe("overlaps", () => {
  const existing = window({ participation: { id: "p-be" }, locationCode: "BEBRU" });
  const draft = {
    participationId: "p-be",
    locationCode: "bebru",
    locationName: null,
    latitude: null,
    longitude: null,
    startsAt: "2027-03-04T14:00:00Z",
    endsAt: "2027-03-04T22:00:00Z",
  };

  it("names the windows of the same agency at the same place that share time with a draft", () => {
    expect(overlapsOf([existing], draft)).toEqual([existing]);
  });

  it("ignores the window itself, other places, other agencies and windows that only touch", () => {
    expect(overlapsOf([existing], { ...draft, id: existing.id })).toEqual([]);
    expect(overlapsOf([existing], { ...draft, locationCode: "BECRL" })).toEqual([]);
    expect(overlapsOf([existing], { ...draft, participationId: "p-my" })).toEqual([]);
    expect(overlapsOf([existing], { ...draft, startsAt: "2027-03-04T15:00:00Z" })).toEqual([]);
  });

  it("keys places as the server compares them", () => {
    expect(
      placeKey({ locationCode: "bebru", locationName: "x", latitude: null, longitude: null }),
    ).toBe("code:BEBRU");
    expect(placeKey({ locationCode: null, locationName: null, latitude: 1, longitude: 2 })).toBe(
      "geo:1,2",
    );
  });
});
