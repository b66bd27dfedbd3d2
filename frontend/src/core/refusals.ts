// Every refusal is visible: an error code from the API becomes a message in the reader's
// language, on the field it concerns; a network failure says so (and the form keeps
// what was typed, since nothing is cleared on failure).
import type { TFunction } from "i18next";
import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import type { CombinedError } from "urql";

export interface PayloadError {
  field?: string | null;
  code: string;
  message: string;
}

export interface Refusal {
  /** Messages by input field (camelCase path, as the API names it). */
  fields: Record<string, string>;
  /** Messages about the whole request or input. */
  general: string[];
}

export const NO_REFUSAL: Refusal = { fields: {}, general: [] };

/** The message for `code`, most specific first: the domain's words for this field, the
 * domain's words for the code, the app's words for the code, then the server's own. */
export function messageFor(
  t: TFunction,
  namespace: string,
  code: string,
  field?: string | null,
  fallback?: string,
): string {
  const keys = [
    ...(field ? [`${namespace}:errors.${field}.${code}`] : []),
    `${namespace}:errors.${code}`,
    `core:errors.${code}`,
  ];
  for (const key of keys) {
    if (t(key, { defaultValue: "" })) return t(key);
  }
  return fallback || t("core:errors.UNKNOWN");
}

export function refusalOf(
  t: TFunction,
  namespace: string,
  { payloadErrors, error }: { payloadErrors?: readonly PayloadError[] | null; error?: CombinedError },
): Refusal {
  const refusal: Refusal = { fields: {}, general: [] };
  if (error?.networkError && !error.graphQLErrors.length) {
    refusal.general.push(t("core:errors.NETWORK"));
  }
  for (const graphQLError of error?.graphQLErrors ?? []) {
    const code = String(graphQLError.extensions?.code ?? "UNKNOWN");
    refusal.general.push(messageFor(t, namespace, code, null, graphQLError.message));
  }
  for (const payloadError of payloadErrors ?? []) {
    const message = messageFor(t, namespace, payloadError.code, payloadError.field, payloadError.message);
    if (payloadError.field) {
      refusal.fields[payloadError.field] = refusal.fields[payloadError.field]
        ? `${refusal.fields[payloadError.field]} ${message}`
        : message;
    } else {
      refusal.general.push(message);
    }
  }
  return refusal;
}

export function hasRefusal(refusal: Refusal): boolean {
  return refusal.general.length > 0 || Object.keys(refusal.fields).length > 0;
}

/** `refusalOf` bound to a namespace and the current language. */
export function useRefusal(namespace: string) {
  const { t } = useTranslation();
  return useCallback(
    (given: { payloadErrors?: readonly PayloadError[] | null; error?: CombinedError }) =>
      refusalOf(t, namespace, given),
    [t, namespace],
  );
}
