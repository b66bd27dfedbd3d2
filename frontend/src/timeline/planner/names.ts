// What the planner calls things, in the reader's language: the accessible name of a
// window ("Control window CR-CUSTOMS at MROC, Mar 4, 06:00 – 18:00"), of a row, and the
// refusals and warnings of the planning rules with what the planner knows around them
// (the window an overlap is with, the operation's span).
import type { TFunction } from "i18next";
import type { CombinedError } from "urql";

import { type PayloadError, refusalOf, type Refusal } from "../../core/refusals";
import { rangeLabel } from "./labels";
import { isPhase, placeLabel, type PlanParticipation, type PlanWindow } from "./plan";

export const NAMESPACE = "timeline.planner";

export interface NameContext {
  zone: string;
  locale: string;
  participations: ReadonlyMap<string, PlanParticipation>;
}

export function windowRange(
  window: Pick<PlanWindow, "startsAt" | "endsAt">,
  zone: string,
  locale: string,
) {
  return rangeLabel(new Date(window.startsAt), new Date(window.endsAt), zone, locale);
}

/** The accessible name of a window (its button on the axis and in the list). */
export function windowName(t: TFunction, window: PlanWindow, context: NameContext): string {
  const range = windowRange(window, context.zone, context.locale);
  if (isPhase(window.kind)) {
    return t(`${NAMESPACE}:name.phase`, { kind: t(`${NAMESPACE}:kinds.${window.kind}`), range });
  }
  const agency =
    context.participations.get(window.participation?.id ?? "")?.agency.acronym ??
    t(`${NAMESPACE}:name.unknownAgency`);
  const place = placeLabel(window);
  return place
    ? t(`${NAMESPACE}:name.control`, { agency, place, range })
    : t(`${NAMESPACE}:name.controlNowhere`, { agency, range });
}

/** The fields of the window form; errors about other inputs (the window's or the
 * operation's id) are about the whole request. */
export const FORM_FIELDS = [
  "kind",
  "participationId",
  "locationCode",
  "locationName",
  "latitude",
  "longitude",
  "startsAt",
  "endsAt",
  "notes",
] as const;

export interface PlanRefusal extends Refusal {
  /** The codes refused, to offer what fits (allowOverlap after OVERLAPPING_WINDOW). */
  codes: Set<string>;
}

export interface RefusalContext {
  zone: string;
  locale: string;
  span: { start: string; end: string };
  /** The windows the refused one overlaps, as the planner sees them. */
  overlaps: PlanWindow[];
  nameContext: NameContext;
}

/** The server's verdict on a window, field by field, in the reader's language. Overlaps
 * name the window(s) they are with; the span is given in the operation's zone. */
export function planRefusal(
  t: TFunction,
  given: { payloadErrors?: readonly PayloadError[] | null; error?: CombinedError },
  context: RefusalContext,
): PlanRefusal {
  const errors = given.payloadErrors ?? [];
  const refusal = refusalOf(t, NAMESPACE, { ...given, payloadErrors: errors });
  const codes = new Set(errors.map((error) => error.code));
  const add = (field: string, message: string) => {
    refusal.fields[field] = refusal.fields[field] ? `${refusal.fields[field]} ${message}` : message;
  };
  for (const error of errors) {
    if (error.code === "OVERLAPPING_WINDOW" && error.field && context.overlaps.length) {
      add(
        error.field,
        t(`${NAMESPACE}:errors.overlapsWith`, {
          windows: context.overlaps
            .map((w) => windowRange(w, context.zone, context.locale))
            .join("; "),
        }),
      );
    }
    if (error.code === "OUTSIDE_OPERATION_SPAN" && error.field) {
      refusal.fields[error.field] = t(`${NAMESPACE}:errors.outsideSpan`, {
        span: rangeLabel(
          new Date(context.span.start),
          new Date(context.span.end),
          context.zone,
          context.locale,
        ),
      });
    }
  }
  for (const field of Object.keys(refusal.fields)) {
    if (!(FORM_FIELDS as readonly string[]).includes(field)) {
      refusal.general.push(refusal.fields[field]);
      delete refusal.fields[field];
    }
  }
  return { ...refusal, codes };
}

/** Warnings of a change that went through (coded as refusals are), in the reader's language. */
export function warningMessages(t: TFunction, warnings: readonly PayloadError[]): string[] {
  return warnings.map((warning) =>
    t(`${NAMESPACE}:warnings.${warning.code}`, { defaultValue: warning.message }),
  );
}
