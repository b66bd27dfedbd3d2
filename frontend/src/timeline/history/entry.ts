// One entry of an operation's timeline in its reader's words: what happened (the phase
// that begins, the window, the status or participation change, the hit), who did it and
// when, in the reader's zone with the operation's alongside. The words come from the
// "timeline.history" catalogue; the server's English summary is the last resort.
import type { TFunction } from "i18next";

import { formatDateTime, formatNumber } from "../../core/format";
import { graphql } from "../../gql";
import type { TimelineEntryFieldsFragment, TimelineEntryKind } from "../../gql/graphql";

export const NAMESPACE = "timeline.history";

export const TIMELINE_ENTRY_FIELDS = graphql(`
  fragment TimelineEntryFields on TimelineEntry {
    at
    kind
    summary
    actor
    status
    participationState
    agency { id acronym name }
    node {
      __typename
      id
      ... on TimeWindow {
        kind
        endsAt
        locationCode
        locationName
        latitude
        longitude
        participation { id agency { id acronym name } }
      }
      ... on Participation { role agency { id acronym name } }
      ... on Hit {
        sequence
        hitKind: kind
        hitStatus: status
        country
        place
        hitLocationCode: locationCode
        items { commodity quantity unit }
      }
    }
  }
`);

export type Entry = TimelineEntryFieldsFragment;

/** Every kind, in the order the filters show them. */
export const KINDS: TimelineEntryKind[] = [
  "PHASE",
  "CONTROL_WINDOW",
  "STATUS_CHANGE",
  "PARTICIPATION_CHANGE",
  "HIT",
];

/** Badge colours dark enough for white text (WCAG AA). */
export const KIND_COLORS: Record<TimelineEntryKind, string> = {
  PHASE: "violet.9",
  CONTROL_WINDOW: "blue.9",
  STATUS_CHANGE: "gray.8",
  PARTICIPATION_CHANGE: "teal.9",
  HIT: "red.9",
};

type Node = NonNullable<Entry["node"]>;
type WindowNode = Extract<Node, { __typename: "TimeWindow" }>;
type ParticipationNode = Extract<Node, { __typename: "Participation" }>;
type HitNode = Extract<Node, { __typename: "Hit" }>;

function isWindow(node: Entry["node"]): node is WindowNode {
  return node?.__typename === "TimeWindow";
}

function isParticipation(node: Entry["node"]): node is ParticipationNode {
  return node?.__typename === "Participation";
}

function isHit(node: Entry["node"]): node is HitNode {
  return node?.__typename === "Hit";
}

/** Where a window lies: its code and name, or its coordinates. */
export function windowPlace(t: TFunction, node: WindowNode, locale: string): string {
  const { locationCode: code, locationName: name } = node;
  if (code && name) return `${code} (${name})`;
  if (code || name) return (code || name) as string;
  if (node.latitude != null && node.longitude != null) {
    const coordinate = (value: number) =>
      new Intl.NumberFormat(locale, { maximumFractionDigits: 4 }).format(value);
    return t(`${NAMESPACE}:place.coordinates`, {
      latitude: coordinate(node.latitude),
      longitude: coordinate(node.longitude),
    });
  }
  return t(`${NAMESPACE}:place.unknown`);
}

/** What happened, in one line. */
export function entryTitle(t: TFunction, entry: Entry, locale: string): string {
  const { node } = entry;
  const ns = NAMESPACE;
  switch (entry.kind) {
    case "PHASE":
      if (isWindow(node)) return t(`${ns}:entry.phase.${node.kind}`);
      break;
    case "CONTROL_WINDOW":
      if (isWindow(node) && node.participation) {
        return t(`${ns}:entry.controlWindow`, {
          agency: node.participation.agency.acronym,
          place: windowPlace(t, node, locale),
        });
      }
      break;
    case "STATUS_CHANGE":
      if (entry.status) return t(`${ns}:entry.status.${entry.status}`);
      break;
    case "PARTICIPATION_CHANGE":
      if (isParticipation(node) && entry.participationState) {
        return t(`${ns}:entry.participation.${entry.participationState}`, {
          agency: node.agency.acronym,
          role: t(`${ns}:role.${node.role}`),
        });
      }
      break;
    case "HIT":
      if (isHit(node)) {
        return t(`${ns}:entry.hit.${node.hitKind}`, {
          sequence: node.sequence,
          place: node.hitLocationCode || node.place || node.country,
        });
      }
      break;
  }
  return entry.summary;
}

/** More about it: until when a phase or window runs, what a hit seized. */
export function entryDetails(
  t: TFunction,
  entry: Entry,
  { zone, locale }: { zone: string; locale: string },
): string | null {
  const { node } = entry;
  if (isWindow(node)) {
    return t(`${NAMESPACE}:until`, { time: formatDateTime(node.endsAt, { zone, locale }) });
  }
  if (isHit(node) && node.items.length) {
    return node.items
      .map((item) =>
        t(`${NAMESPACE}:item`, {
          commodity: t(`${NAMESPACE}:commodity.${item.commodity}`),
          quantity: t(`${NAMESPACE}:unit.${item.unit}`, {
            count: Number(item.quantity),
            quantity: formatNumber(item.quantity, locale),
          }),
        }),
      )
      .join(t(`${NAMESPACE}:itemSeparator`));
  }
  return null;
}

/** Who did it: a person and their agency, or the agency that reported a hit. */
export function entryWho(t: TFunction, entry: Entry): string | null {
  if (entry.kind === "HIT") {
    const agency = entry.agency?.acronym ?? entry.actor;
    return agency ? t(`${NAMESPACE}:reportedBy`, { agency }) : null;
  }
  if (!entry.actor) return null;
  return entry.agency
    ? t(`${NAMESPACE}:byWithAgency`, { person: entry.actor, agency: entry.agency.acronym })
    : t(`${NAMESPACE}:by`, { person: entry.actor });
}

/** The hit's review status, for a badge (hits only). */
export function hitStatus(entry: Entry): HitNode["hitStatus"] | null {
  return isHit(entry.node) ? entry.node.hitStatus : null;
}

/** The same instant in the reader's zone and, when it differs, the operation's. */
export function entryTimes(
  at: string,
  { viewerZone, operationZone, locale }: { viewerZone: string; operationZone: string; locale: string },
): { viewer: string; operation: string | null } {
  const viewer = formatDateTime(at, { zone: viewerZone, locale });
  const operation =
    operationZone === viewerZone ? null : formatDateTime(at, { zone: operationZone, locale });
  return { viewer, operation };
}

/** A key that tells entries apart across pages (an entry has no id of its own). */
export function entryKey(entry: Entry): string {
  return [entry.kind, entry.node?.id ?? "", entry.at, entry.status ?? "", entry.participationState ?? ""].join(
    "|",
  );
}
