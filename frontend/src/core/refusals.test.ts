import i18next from "i18next";
import { describe, expect, it } from "vitest";

import { refusalOf } from "./refusals";

describe("refusalOf", () => {
  const t = i18next.getFixedT("fr");

  it("puts a payload error on its field, in the reader's language", () => {
    const refusal = refusalOf(t, "nothing-specific", {
      payloadErrors: [{ field: "code", code: "UNIQUE", message: "One of your operations already has this code." }],
    });

    expect(refusal.fields).toEqual({ code: "Déjà pris." });
    expect(refusal.general).toEqual([]);
  });

  it("keeps an error without a field for the whole form", () => {
    const refusal = refusalOf(t, "nothing-specific", {
      payloadErrors: [{ field: null, code: "PERMISSION_DENIED", message: "server words" }],
    });

    expect(refusal.general).toEqual(["Vous n'êtes pas autorisé à faire ceci dans cette opération."]);
  });

  it("falls back to the server's message for a code it has no words for", () => {
    const refusal = refusalOf(t, "nothing-specific", {
      payloadErrors: [{ field: "name", code: "SOMETHING_NEW", message: "Server words." }],
    });

    expect(refusal.fields).toEqual({ name: "Server words." });
  });

  it("says when the network failed", () => {
    const error = { networkError: new Error("Failed to fetch"), graphQLErrors: [] } as never;

    const refusal = refusalOf(t, "nothing-specific", { error });

    expect(refusal.general).toEqual([
      "Le serveur est injoignable : rien n'a été envoyé. Votre saisie est conservée ; réessayez.",
    ]);
  });
});
