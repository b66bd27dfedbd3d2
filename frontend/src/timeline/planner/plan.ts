// The plan as the planner lays it out: the phases in one row, then one group per
// participating agency with a row per place (the places it covers, and those its windows
// name). Pure: it arranges what the API gave, and decides nothing the server decides.
import { graphql } from "../../gql";
import type {
  PlannerParticipationFragment,
  PlannerWindowFragment,
  TimeWindowKind,
} from "../../gql/graphql";
import { assignLanes } from "./axis";

export const PLANNER_WINDOW = graphql(`
  fragment PlannerWindow on TimeWindow {
    id
    kind
    startsAt
    endsAt
    locationCode
    locationName
    latitude
    longitude
    notes
    revision
    icsUrl
    participation {
      id
    }
  }
`);

export const PLANNER_PARTICIPATION = graphql(`
  fragment PlannerParticipation on Participation {
    id
    role
    state
    locations
    agency {
      id
      acronym
      name
    }
  }
`);

export type PlanWindow = PlannerWindowFragment;
export type PlanParticipation = PlannerParticipationFragment;

export const PHASE_KINDS: TimeWindowKind[] = ["PLANNING", "BRIEFING", "OPERATIONAL", "FOLLOW_UP"];
export const WINDOW_KINDS: TimeWindowKind[] = [...PHASE_KINDS, "CONTROL"];

export const isPhase = (kind: TimeWindowKind) => kind !== "CONTROL";

/** Where a control window is: its code, else its name, else its coordinates. */
export function placeKey(
  window: Pick<PlanWindow, "locationCode" | "locationName" | "latitude" | "longitude">,
) {
  if (window.locationCode) return `code:${window.locationCode.toUpperCase()}`;
  if (window.locationName) return `name:${window.locationName}`;
  if (window.latitude != null && window.longitude != null) {
    return `geo:${window.latitude},${window.longitude}`;
  }
  return "none";
}

/** A place as people read it: the code, else the name, else the coordinates. */
export function placeLabel(
  window: Pick<PlanWindow, "locationCode" | "locationName" | "latitude" | "longitude">,
): string {
  if (window.locationCode) return window.locationCode;
  if (window.locationName) return window.locationName;
  if (window.latitude != null && window.longitude != null) {
    return `${window.latitude.toFixed(4)}, ${window.longitude.toFixed(4)}`;
  }
  return "";
}

export interface PlanRow {
  key: string;
  /** The row's windows, in time order, each with its lane (overlapping ones stack). */
  windows: PlanWindow[];
  lanes: number[];
  laneCount: number;
  /** Windows of this row that overlap another of the same row (kept with allowOverlap). */
  overlapping: Set<string>;
  participation: PlanParticipation | null;
  /** For a place: its code (or null), its name, how people read it. */
  locationCode: string | null;
  locationName: string | null;
  place: string;
}

export interface PlanGroup {
  participation: PlanParticipation;
  /** The viewer's own agency. */
  own: boolean;
  rows: PlanRow[];
}

export interface Plan {
  phases: PlanRow;
  groups: PlanGroup[];
  /** Every window by id. */
  byId: Map<string, PlanWindow>;
}

const byStart = (a: PlanWindow, b: PlanWindow) =>
  Date.parse(a.startsAt) - Date.parse(b.startsAt) || Date.parse(a.endsAt) - Date.parse(b.endsAt);

function row(
  key: string,
  windows: PlanWindow[],
  participation: PlanParticipation | null,
  place: { code: string | null; name: string | null; label: string },
): PlanRow {
  const sorted = [...windows].sort(byStart);
  const lanes = assignLanes(
    sorted.map((w) => ({ start: Date.parse(w.startsAt), end: Date.parse(w.endsAt) })),
  );
  const overlapping = new Set<string>();
  sorted.forEach((a, i) => {
    for (const b of sorted.slice(i + 1)) {
      if (Date.parse(b.startsAt) >= Date.parse(a.endsAt)) break;
      overlapping.add(a.id).add(b.id);
    }
  });
  return {
    key,
    windows: sorted,
    lanes,
    laneCount: Math.max(1, ...lanes.map((lane) => lane + 1)),
    overlapping,
    participation,
    locationCode: place.code,
    locationName: place.name,
    place: place.label,
  };
}

const TAKING_PART = new Set(["INVITED", "ACCEPTED"]);

/** The plan of an operation, for a viewer of agency `ownAgencyId`: phases first, then the
 * viewer's agency, then the others by acronym. An agency that takes part (invited or
 * accepted, not as observer) has a row for each place it covers even before it has a
 * window there, so that one can be planned; others appear only with their windows. */
export function buildPlan(
  windows: readonly PlanWindow[],
  participations: readonly PlanParticipation[],
  ownAgencyId: string | null,
): Plan {
  const byId = new Map(windows.map((w) => [w.id, w]));
  const phases = row(
    "phases",
    windows.filter((w) => isPhase(w.kind)),
    null,
    { code: null, name: null, label: "" },
  );
  const controls = windows.filter((w) => !isPhase(w.kind));
  const groups: PlanGroup[] = [];
  for (const participation of participations) {
    const own = controls.filter((w) => w.participation?.id === participation.id);
    const plans = TAKING_PART.has(participation.state) && participation.role !== "OBSERVER";
    if (!own.length && !plans) continue;
    const places = new Map<string, { code: string | null; name: string | null; label: string }>();
    for (const code of participation.locations) {
      places.set(`code:${code.toUpperCase()}`, { code, name: null, label: code });
    }
    for (const w of [...own].sort(byStart)) {
      const key = placeKey(w);
      const known = places.get(key);
      if (!known) {
        places.set(key, {
          code: w.locationCode ?? null,
          name: w.locationName ?? null,
          label: placeLabel(w),
        });
      } else if (!known.name && w.locationName) {
        known.name = w.locationName;
      }
    }
    // An agency that covers no place and has no window yet (often the lead, coordinating)
    // gets no row: a window for it is planned with "Add a control window".
    if (!places.size) continue;
    const rows = [...places.entries()].map(([key, place]) =>
      row(
        `${participation.id}|${key}`,
        own.filter((w) => placeKey(w) === key),
        participation,
        place,
      ),
    );
    groups.push({ participation, own: participation.agency.id === ownAgencyId, rows });
  }
  groups.sort(
    (a, b) =>
      Number(b.own) - Number(a.own) ||
      a.participation.agency.acronym.localeCompare(b.participation.agency.acronym),
  );
  return { phases, groups, byId };
}

/** The row a window sits in. */
export function rowOf(plan: Plan, windowId: string): PlanRow | undefined {
  if (plan.phases.windows.some((w) => w.id === windowId)) return plan.phases;
  for (const group of plan.groups) {
    for (const found of group.rows) if (found.windows.some((w) => w.id === windowId)) return found;
  }
  return undefined;
}

/** The control windows of the same participant at the same place as `draft` that share time
 * with it (the server's overlap rule, read on what the planner shows: to name the window a
 * refusal is about). */
export function overlapsOf(
  windows: readonly PlanWindow[],
  draft: Pick<PlanWindow, "locationCode" | "locationName" | "latitude" | "longitude"> & {
    id?: string;
    participationId: string | null;
    startsAt: string;
    endsAt: string;
  },
): PlanWindow[] {
  const start = Date.parse(draft.startsAt);
  const end = Date.parse(draft.endsAt);
  return windows.filter(
    (w) =>
      w.kind === "CONTROL" &&
      w.id !== draft.id &&
      w.participation?.id === draft.participationId &&
      (w.locationCode ?? "").toUpperCase() === (draft.locationCode ?? "").toUpperCase() &&
      (w.latitude ?? null) === (draft.latitude ?? null) &&
      (w.longitude ?? null) === (draft.longitude ?? null) &&
      Date.parse(w.startsAt) < end &&
      Date.parse(w.endsAt) > start,
  );
}
