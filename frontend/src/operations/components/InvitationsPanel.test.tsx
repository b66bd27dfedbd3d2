import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { type Request, renderWithApp, stubClient } from "../../test/app";
import { InvitationsPanel } from "./InvitationsPanel";

const INVITATION = {
  __typename: "Participation",
  id: "UGFydGljaXBhdGlvbjo5",
  role: "PARTICIPANT",
  viewerResponses: ["ACCEPT", "DECLINE", "WITHDRAW"],
  locations: ["KENBO"],
  operationSummary: {
    __typename: "OperationSummary",
    code: "POSTAL-SHIELD-2027",
    name: "Postal Shield",
    focus: "POSTAL_AND_COURIER",
    status: "PLANNED",
    plannedStart: "2027-03-01T07:00:00+00:00",
    plannedEnd: "2027-03-31T06:00:00+00:00",
    timeZone: "Europe/Brussels",
    leadAgency: {
      __typename: "Agency",
      id: "QWdlbmN5OjE=",
      acronym: "WCO",
      name: "World Customs Organization",
    },
  },
};

function server(answerMutation: (request: Request) => unknown) {
  return stubClient((request) =>
    request.operationName === "MyInvitations"
      ? { data: { me: { __typename: "Me", invitations: [INVITATION] } } }
      : answerMutation(request),
  );
}

describe("my agency's invitations", () => {
  it("tell what is offered and accept with one click", async () => {
    const { client, requests } = server(() => ({
      data: {
        respondToInvitation: {
          __typename: "RespondToInvitation",
          participation: {
            __typename: "Participation",
            id: INVITATION.id,
            state: "ACCEPTED",
            viewerResponses: ["WITHDRAW"],
          },
          errors: [],
        },
      },
    }));
    renderWithApp(<InvitationsPanel />, { client });

    const card = await screen.findByRole("article", { name: "POSTAL-SHIELD-2027 · Postal Shield" });
    expect(card.textContent).toContain("Invited as Participant by WCO · Postal and courier");
    expect(card.textContent).toContain("KENBO");
    // accept or decline; withdrawing an invitation is not offered beside them
    expect(
      within(card)
        .getAllByRole("button")
        .map((b) => b.textContent),
    ).toEqual(["Accept", "Decline"]);

    await userEvent.click(within(card).getByRole("button", { name: "Accept" }));

    await waitFor(() =>
      expect(requests.find((r) => r.operationName === "AnswerInvitation")?.variables).toEqual({
        participationId: INVITATION.id,
        response: "ACCEPT",
      }),
    );
  });

  it("say why an answer was refused, in the reader's language", async () => {
    const { client } = server(() => ({
      data: {
        respondToInvitation: {
          __typename: "RespondToInvitation",
          participation: null,
          errors: [
            {
              __typename: "Error",
              field: "response",
              code: "INVALID_PARTICIPATION_STATE",
              message: "x",
            },
          ],
        },
      },
    }));
    renderWithApp(<InvitationsPanel />, { client });

    await userEvent.click(await screen.findByRole("button", { name: "Accept" }));

    expect((await screen.findByRole("alert")).textContent).toBe(
      "This answer is no longer possible: the participation has changed. Reload the page.",
    );
  });

  it("ask before declining", async () => {
    const { client, requests } = server(() => ({
      data: {
        respondToInvitation: {
          __typename: "RespondToInvitation",
          participation: {
            __typename: "Participation",
            id: INVITATION.id,
            state: "DECLINED",
            viewerResponses: [],
          },
          errors: [],
        },
      },
    }));
    renderWithApp(<InvitationsPanel />, { client });

    await userEvent.click(await screen.findByRole("button", { name: "Decline" }));
    const dialog = await screen.findByRole("dialog", {
      name: "Decline the invitation to POSTAL-SHIELD-2027?",
    });
    expect(requests.some((r) => r.operationName === "AnswerInvitation")).toBe(false);
    await userEvent.click(within(dialog).getByRole("button", { name: "Confirm" }));

    await waitFor(() =>
      expect(requests.find((r) => r.operationName === "AnswerInvitation")?.variables.response).toBe(
        "DECLINE",
      ),
    );
  });
});
