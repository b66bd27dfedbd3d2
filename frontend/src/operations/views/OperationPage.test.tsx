import { cleanup, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { type Answer, renderWithApp, stubClient } from "../../test/app";
import { OperationPage } from "./OperationPage";

const AT = { path: "/operations/:operationId/*", url: "/operations/T3BlcmF0aW9uOjk5/participants" };

async function pageFor(answer: Answer) {
  renderWithApp(<OperationPage />, { client: stubClient(answer).client, at: AT });
  await screen.findByRole("heading", { level: 2 });
  return document.body.textContent;
}

describe("the operation page", () => {
  it("is the same not-found page for an operation hidden, missing or misspelt", async () => {
    const hidden = await pageFor(() => ({ data: { operation: null } }));
    cleanup();
    const misspelt = await pageFor(() => ({
      data: { operation: null },
      errors: [{ message: "Not an Operation id.", extensions: { code: "INVALID_ID" } }],
    }));

    expect(hidden).toContain("Not found");
    expect(hidden).toContain("There is nothing here, or nothing you may see.");
    expect(misspelt).toBe(hidden);
    expect(screen.queryByRole("navigation", { name: "Sections of the operation" })).toBeNull();
  });

  it("shows the operation with links to its sections, the current one marked", async () => {
    await pageFor(() => ({
      data: {
        operation: {
          __typename: "Operation",
          id: "T3BlcmF0aW9uOjk5",
          code: "COLIBRI-SKY",
          name: "Colibri Sky",
          status: "ACTIVE",
          plannedStart: "2027-03-01T06:00:00+00:00",
          plannedEnd: "2027-03-21T06:00:00+00:00",
          timeZone: "America/Costa_Rica",
          myRole: "OBSERVER",
          viewerPermissions: ["view_operation"],
        },
      },
    }));

    expect(screen.getByRole("heading", { level: 2 }).textContent).toBe("COLIBRI-SKY · Colibri Sky");
    expect(document.body.textContent).toContain("My role: Observer");
    const sections = screen.getByRole("navigation", { name: "Sections of the operation" });
    const links = [...sections.querySelectorAll("a")].map((a) => [
      a.textContent,
      a.getAttribute("href"),
      a.getAttribute("aria-current"),
    ]);
    expect(links).toEqual([
      ["Overview", "/operations/T3BlcmF0aW9uOjk5", null],
      ["Plan", "/operations/T3BlcmF0aW9uOjk5/plan", null],
      ["Participants", "/operations/T3BlcmF0aW9uOjk5/participants", "page"],
      ["Timeline", "/operations/T3BlcmF0aW9uOjk5/timeline", null],
      ["Calendar", "/operations/T3BlcmF0aW9uOjk5/calendar", null],
    ]);
    // the operation's times in its zone, and mine (Brussels) alongside
    expect(document.body.textContent).toContain("America/Costa_Rica");
    expect(document.body.textContent).toContain("your time, Europe/Brussels");
  });
});
