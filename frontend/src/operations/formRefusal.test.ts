import i18next from "i18next";
import { describe, expect, it } from "vitest";

import { refusalOf } from "../core/refusals";
import { FORM_FIELDS } from "./components/OperationForm";
import { INVITE_FIELDS } from "./components/InviteAgencyForm";
import { onForm } from "./formRefusal";

describe("refusals laid on the operation form", () => {
  const fr = i18next.getFixedT("fr");
  const en = i18next.getFixedT("en");

  it("puts each code on its field, in the reader's language, with the operations' words", () => {
    const refusal = onForm(
      refusalOf(fr, "operations", {
        payloadErrors: [
          {
            field: "code",
            code: "UNIQUE",
            message: "One of your operations already has this code.",
          },
          { field: "plannedEnd", code: "END_BEFORE_START", message: "server words" },
        ],
      }),
      FORM_FIELDS,
    );

    expect(refusal.fields).toEqual({
      code: "Une de vos opérations porte déjà ce code.",
      plannedEnd: "La fin prévue doit être postérieure au début prévu.",
    });
    expect(refusal.general).toEqual([]);
  });

  it("tells the same code apart by field: a fixed code, a closed operation", () => {
    const refusal = onForm(
      refusalOf(en, "operations", {
        payloadErrors: [
          { field: "code", code: "OPERATION_NOT_EDITABLE", message: "x" },
          { field: "id", code: "OPERATION_NOT_EDITABLE", message: "x" },
        ],
      }),
      FORM_FIELDS,
    );

    expect(refusal.fields).toEqual({
      code: "The code is fixed once the operation leaves draft.",
    });
    // the form has no "id" field: said for the whole form
    expect(refusal.general).toEqual([
      "A closed, archived or cancelled operation can no longer be changed.",
    ]);
  });

  it("names the people fields as the form does", () => {
    const refusal = onForm(
      refusalOf(en, "operations", {
        payloadErrors: [
          { field: "coordinatorIds", code: "COORDINATOR_NOT_ELIGIBLE", message: "x" },
          { field: "analystIds", code: "ANALYST_NOT_ELIGIBLE", message: "x" },
          { field: "planned_end", code: "WINDOWS_OUTSIDE_SPAN", message: "x" },
        ],
      }),
      FORM_FIELDS,
    );

    expect(Object.keys(refusal.fields)).toEqual(["coordinators", "analysts"]);
    expect(refusal.general).toEqual([
      "Some phases or control windows would fall outside these dates: move them first, in the plan.",
    ]);
  });

  it("puts an agency already taking part on the agency field of the invitation", () => {
    const refusal = onForm(
      refusalOf(en, "operations", {
        payloadErrors: [
          { field: "agencyId", code: "ALREADY_PARTICIPATING", message: "x" },
          { field: "locations", code: "INVALID_LOCATION_CODE", message: "x" },
          { field: "operationId", code: "PERMISSION_DENIED", message: "x" },
        ],
      }),
      INVITE_FIELDS,
    );

    expect(refusal.fields).toEqual({
      agency: "This agency already takes part or is already invited.",
      locations: "Not a UN/LOCODE, IATA or ICAO code.",
    });
    expect(refusal.general).toEqual(["You are not allowed to do this in this operation."]);
  });

  it("keeps a network failure for the whole form", () => {
    const error = { networkError: new Error("Failed to fetch"), graphQLErrors: [] } as never;

    const refusal = onForm(refusalOf(en, "operations", { error }), FORM_FIELDS);

    expect(refusal.fields).toEqual({});
    expect(refusal.general[0]).toMatch(/cannot be reached/);
  });
});
