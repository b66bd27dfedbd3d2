// A refusal (core/refusals.ts) laid on a form: each message on the field the form shows
// for it, everything else (a field the form does not show, the whole request, the
// network) said above the submit button.
import type { Refusal } from "../core/refusals";

/**
 * `fields`: the API's field names the form shows, each with the form's own name for it
 * when it differs (e.g. `coordinatorIds` shown as `coordinators`).
 */
export function onForm(refusal: Refusal, fields: Record<string, string | true>): Refusal {
  const placed: Refusal = { fields: {}, general: [...refusal.general] };
  for (const [field, message] of Object.entries(refusal.fields)) {
    const shown = fields[field];
    if (shown === undefined) {
      placed.general.push(message);
      continue;
    }
    const name = shown === true ? field : shown;
    placed.fields[name] = placed.fields[name] ? `${placed.fields[name]} ${message}` : message;
  }
  return placed;
}
