// The lifecycle buttons: one per status the API allows next (allowedTransitions), in the
// order of the lifecycle, cancel last.
import type { OperationStatus } from "../gql/graphql";

export const TRANSITION_ORDER: OperationStatus[] = [
  "PLANNED",
  "ACTIVE",
  "CLOSED",
  "ARCHIVED",
  "CANCELLED",
];

export function transitionButtons(allowed: readonly OperationStatus[]): OperationStatus[] {
  return TRANSITION_ORDER.filter((status) => allowed.includes(status));
}

/** Why no lifecycle button shows, as a catalogue key; null when some do. */
export function whyNoTransition(
  permissions: readonly string[],
  allowed: readonly OperationStatus[],
): string | null {
  if (!permissions.includes("coordinate_operation")) return "lifecycle.onlyCoordinators";
  if (!allowed.length) return "lifecycle.final";
  return null;
}
