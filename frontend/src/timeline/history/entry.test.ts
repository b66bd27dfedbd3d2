import i18next from "i18next";
import { describe, expect, it } from "vitest";

import { entryDetails, entryKey, entryTimes, entryTitle, entryWho } from "./entry";
import {
  ACCEPTED,
  ACTIVATED,
  AIRSTRIP,
  CONTROL_WINDOW,
  CREATED,
  HIT,
  INVITED,
  PHASE,
} from "./fixtures";

const ALL = [PHASE, CONTROL_WINDOW, AIRSTRIP, CREATED, ACTIVATED, INVITED, ACCEPTED, HIT];

describe("what happened, in the reader's words", () => {
  const en = i18next.getFixedT("en");
  const fr = i18next.getFixedT("fr");
  const es = i18next.getFixedT("es");

  it("names every kind of entry in English", () => {
    expect(ALL.map((entry) => entryTitle(en, entry, "en"))).toEqual([
      "Operational phase begins",
      "Control window of CR-CUSTOMS at MROC (Juan Santamaría International Airport)",
      "Control window of CR-CUSTOMS at 11.0336, -84.7098",
      "Operation created (draft)",
      "Operation activated",
      "CR-CUSTOMS invited as participant",
      "CR-CUSTOMS accepted the invitation",
      "Seizure #12 at MROC",
    ]);
  });

  it("names every kind of entry in French", () => {
    expect(ALL.map((entry) => entryTitle(fr, entry, "fr"))).toEqual([
      "Début de la phase opérationnelle",
      "Fenêtre de contrôle de CR-CUSTOMS à MROC (Juan Santamaría International Airport)",
      "Fenêtre de contrôle de CR-CUSTOMS à 11,0336\u00a0; -84,7098",
      "Opération créée (brouillon)",
      "Opération activée",
      "Invitation de CR-CUSTOMS (rôle\u00a0: participant)",
      "CR-CUSTOMS a accepté l'invitation",
      "Saisie n° 12 à MROC",
    ]);
  });

  it("names every kind of entry in Spanish", () => {
    expect(ALL.map((entry) => entryTitle(es, entry, "es"))).toEqual([
      "Comienza la fase operativa",
      "Ventana de control de CR-CUSTOMS en MROC (Juan Santamaría International Airport)",
      "Ventana de control de CR-CUSTOMS en 11,0336; -84,7098",
      "Operación creada (borrador)",
      "Operación activada",
      "Invitación a CR-CUSTOMS (participante)",
      "CR-CUSTOMS aceptó la invitación",
      "Incautación n.º 12 en MROC",
    ]);
  });

  it("falls back to the server's summary when the object is not there", () => {
    const bare = { ...HIT, node: null };

    expect(entryTitle(fr, bare, "fr")).toBe(HIT.summary);
  });

  it("says what a hit seized, with numbers and plurals of the reader's language", () => {
    expect(entryDetails(en, HIT, { zone: "UTC", locale: "en" })).toBe(
      "cocaine: 120.5 kg; MDMA (ecstasy): 1 tablet",
    );
    expect(entryDetails(fr, HIT, { zone: "UTC", locale: "fr" })).toBe(
      "cocaïne\u00a0: 120,5 kg\u00a0; MDMA (ecstasy)\u00a0: 1 comprimé",
    );
  });

  it("says until when a window runs, in the reader's zone", () => {
    expect(entryDetails(en, CONTROL_WINDOW, { zone: "America/Costa_Rica", locale: "en" })).toBe(
      "Until Mar 5, 2027, 6:00 PM",
    );
  });

  it("says who did it and for which agency", () => {
    expect(entryWho(en, CREATED)).toBe("By Amina Diallo (WCO)");
    expect(entryWho(en, HIT)).toBe("Reported by CR-CUSTOMS");
    expect(entryWho(fr, ACCEPTED)).toBe("Par Daniela Quesada (CR-CUSTOMS)");
    expect(entryWho(en, PHASE)).toBeNull();
  });
});

describe("when", () => {
  it("gives the reader's time and the operation's when the zones differ", () => {
    const times = entryTimes(HIT.at, {
      viewerZone: "Europe/Brussels",
      operationZone: "America/Costa_Rica",
      locale: "en",
    });

    expect(times).toEqual({ viewer: "Mar 5, 2027, 3:15 PM", operation: "Mar 5, 2027, 8:15 AM" });
  });

  it("gives one time when the reader reads in the operation's zone", () => {
    const times = entryTimes(HIT.at, {
      viewerZone: "America/Costa_Rica",
      operationZone: "America/Costa_Rica",
      locale: "en",
    });

    expect(times.operation).toBeNull();
  });
});

describe("entryKey", () => {
  it("tells apart the invitation and the answer of one participation", () => {
    expect(new Set(ALL.map(entryKey)).size).toBe(ALL.length);
  });
});
