// The operations domain's closed lists (as the API's enums spell them) and how each value
// looks: the words come from the "operations" catalogue (status.ACTIVE, focus.DRUGS...).
import type {
  Marking,
  OperationFocus,
  OperationRole,
  OperationStatus,
  ParticipationRole,
} from "../gql/graphql";

export const STATUSES: OperationStatus[] = [
  "DRAFT",
  "PLANNED",
  "ACTIVE",
  "CLOSED",
  "ARCHIVED",
  "CANCELLED",
];

export const FOCUSES: OperationFocus[] = [
  "DRUGS",
  "PRECURSORS",
  "GENERAL_AVIATION",
  "POSTAL_AND_COURIER",
  "CONTAINERS",
  "OTHER",
];

/** From the widest audience to the narrowest (TLP 2.0). */
export const MARKINGS: Marking[] = ["CLEAR", "GREEN", "AMBER", "AMBER_STRICT", "RED"];

/** Roles a coordinator may invite an agency in (the lead takes part from the start). */
export const INVITABLE_ROLES: ParticipationRole[] = ["PARTICIPANT", "OBSERVER"];

/** Badge colours dark enough for white text (WCAG AA). */
export const STATUS_COLORS: Record<OperationStatus, string> = {
  DRAFT: "gray.7",
  PLANNED: "blue.8",
  ACTIVE: "teal.9",
  CLOSED: "indigo.8",
  ARCHIVED: "dark.6",
  CANCELLED: "red.9",
};

/** TLP 2.0 colours, as the standard prints them: coloured text on black. */
export const MARKING_COLORS: Record<Marking, string> = {
  CLEAR: "#FFFFFF",
  GREEN: "#33FF00",
  AMBER: "#FFC000",
  AMBER_STRICT: "#FFC000",
  RED: "#FF2B2B",
};

/** The catalogue key naming the role I play in an operation; none when I play none. */
export function myRoleKey(role: OperationRole | null | undefined): string {
  return role ? `myRole.${role}` : "myRole.NONE";
}
