// The planner page against a stub server: what a coordinator and an officer see, and a
// control window refused for overlap, with the message on its field, then kept anyway.
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { Client } from "urql";
import { describe, expect, it } from "vitest";

import type { Me } from "../../core/auth/viewer";
import { renderWithApp, stubClient } from "../../test/app";
import { PlannerPage } from "../views/PlannerPage";


const COORDINATOR: Me = {
  user: { id: "VXNlcjox", username: "wco.coordinator", displayName: "Amina Diallo" },
  agency: { id: "QWdlbmN5OjE=", acronym: "WCO", name: "World Customs Organization" },
  timeZone: "America/Costa_Rica",
  canCreateOperations: true,
  calendarFeedUrl: null,
};
const OFFICER: Me = {
  ...COORDINATOR,
  user: { id: "VXNlcjoy", username: "be.officer", displayName: "Lotte Peeters" },
  agency: { id: "a-be", acronym: "BE-CUSTOMS", name: "Belgian customs" },
  canCreateOperations: false,
};

const SHIFT = {
  __typename: "TimeWindow",
  id: "w-shift",
  kind: "CONTROL",
  startsAt: "2027-03-04T07:00:00+00:00",
  endsAt: "2027-03-04T15:00:00+00:00",
  locationCode: "BEBRU",
  locationName: "Brussels Airport",
  latitude: null,
  longitude: null,
  notes: "",
  revision: 0,
  icsUrl: "http://jointops.test/calendar/windows/2.ics",
  participation: { __typename: "Participation", id: "p-be" },
};
const PHASE = {
  ...SHIFT,
  id: "w-phase",
  kind: "OPERATIONAL",
  startsAt: "2027-03-03T23:00:00+00:00",
  endsAt: "2027-03-24T23:00:00+00:00",
  locationCode: null,
  locationName: null,
  participation: null,
};

function operation(permissions: string[]) {
  return {
    __typename: "Operation",
    id: "op-1",
    code: "POSTAL-SHIELD-2027",
    name: "Postal Shield",
    status: "PLANNED",
    timeZone: "Europe/Brussels",
    plannedStart: "2027-03-01T07:00:00+00:00",
    plannedEnd: "2027-03-31T06:00:00+00:00",
    viewerPermissions: permissions,
    participations: [
      {
        __typename: "Participation",
        id: "p-be",
        role: "PARTICIPANT",
        state: "ACCEPTED",
        locations: ["BEBRU"],
        agency: {
          __typename: "Agency",
          id: "a-be",
          acronym: "BE-CUSTOMS",
          name: "Belgian customs",
        },
      },
    ],
    timeWindows: [PHASE, SHIFT],
  };
}

function renderPlanner(client: Client, me: Me) {
  return renderWithApp(<PlannerPage />, {
    client,
    me,
    at: { path: "/operations/:operationId/plan", url: "/operations/op-1/plan" },
  });
}

const created = (allowOverlap: boolean) =>
  allowOverlap
    ? {
        timeWindow: {
          ...SHIFT,
          id: "w-new",
          startsAt: "2027-03-04T08:00:00+00:00",
          endsAt: "2027-03-04T16:00:00+00:00",
          operation: { __typename: "Operation", id: "op-1" },
        },
        warnings: [
          {
            __typename: "Error",
            field: "startsAt",
            code: "OVERLAPPING_WINDOW",
            message: "Overlaps the control window 2027-03-04 07:00Z-15:00Z at the same place.",
          },
        ],
        errors: [],
      }
    : {
        timeWindow: null,
        warnings: [],
        errors: [
          {
            __typename: "Error",
            field: "startsAt",
            code: "OVERLAPPING_WINDOW",
            message:
              "Overlaps the control window 2027-03-04 07:00Z-15:00Z at the same place. Set allowOverlap to keep both.",
          },
        ],
      };

describe("the planner", () => {
  it("shows a coordinator the plan on the axis, each window a named button, and what to add", async () => {
    const { client } = stubClient(() => ({
      data: { operation: operation(["change_operation", "view_operation"]) },
    }));

    renderPlanner(client, COORDINATOR);

    expect(
      await screen.findByRole("button", {
        name: /^Control window BE-CUSTOMS at BEBRU, Mar 4, 08:00\s*–\s*16:00$/,
      }),
    ).toBeTruthy();
    expect(
      screen.getByRole("button", { name: /^Operational phase, Mar 4, 00:00\s*–\s*Mar 25, 00:00$/ }),
    ).toBeTruthy();
    expect(screen.getByRole("button", { name: "Add a phase" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Add a control window" })).toBeTruthy();
    expect(
      screen.getByRole("button", { name: "New control window for BE-CUSTOMS at BEBRU" }),
    ).toBeTruthy();
    expect(screen.getByRole("region", { name: "Plan on a time axis" })).toBeTruthy();
    expect(screen.getByText(/Times in the operation's zone, Europe\/Brussels/)).toBeTruthy();
  });

  it("refuses an overlapping control window with the reason on its start, then keeps it anyway", async () => {
    const user = userEvent.setup();
    const { client, requests } = stubClient((request) =>
      request.operationName === "PlannerCreateWindow"
        ? { data: { createTimeWindow: created(request.variables.allowOverlap === true) } }
        : { data: { operation: operation(["change_operation", "view_operation"]) } },
    );
    renderPlanner(client, COORDINATOR);

    // when the coordinator plans a second shift at BEBRU over the first one
    await user.click(
      await screen.findByRole("button", { name: "New control window for BE-CUSTOMS at BEBRU" }),
    );
    const form = await screen.findByRole("form", { name: "Window" });
    await user.click(within(form).getByRole("button", { name: "1 day earlier" }));
    await user.click(within(form).getByRole("button", { name: "1 hour later" }));
    await user.click(within(form).getByRole("button", { name: "Create" }));

    // then the refusal is on the start field (beside its label, not the end's), naming the
    // window it overlaps
    const message = await within(form).findByText(
      /^This control window overlaps another one of the same agency at the same place\. It overlaps: Mar 4, 08:00\s*–\s*16:00\.$/,
    );
    const field = message.parentElement!;
    expect(within(field).getByText(/^Start/)).toBeTruthy();
    expect(within(field).queryByText(/^End/)).toBeNull();
    const sent = requests.find((r) => r.operationName === "PlannerCreateWindow")!;
    expect(sent.variables).toMatchObject({
      operationId: "op-1",
      allowOverlap: false,
      input: {
        kind: "CONTROL",
        participationId: "p-be",
        locationCode: "BEBRU",
        startsAt: "2027-03-04T08:00:00.000Z",
        endsAt: "2027-03-04T16:00:00.000Z",
      },
    });

    // and "Keep anyway" sends it again with allowOverlap
    await user.click(within(form).getByRole("button", { name: "Keep anyway" }));
    await waitFor(() => expect(screen.queryByRole("form", { name: "Window" })).toBeNull());
    const kept = requests.filter((r) => r.operationName === "PlannerCreateWindow");
    expect(kept.map((r) => r.variables.allowOverlap)).toEqual([false, true]);
  });

  it("shows an officer the plan read-only, a window's details and its calendar file", async () => {
    const user = userEvent.setup();
    const { client } = stubClient(() => ({
      data: { operation: operation(["view_operation", "report_hit"]) },
    }));
    renderPlanner(client, OFFICER);

    const bar = await screen.findByRole("button", { name: /^Control window BE-CUSTOMS at BEBRU/ });
    expect(screen.queryByRole("button", { name: "Add a control window" })).toBeNull();
    expect(screen.queryByRole("button", { name: /^New control window/ })).toBeNull();
    expect(
      screen.getByText("You can read this plan; the operation's coordinators change it."),
    ).toBeTruthy();
    expect(screen.getByText("Your agency")).toBeTruthy();

    await user.click(bar);

    expect(await screen.findByRole("link", { name: "Add to my calendar (.ics)" })).toBeTruthy();
    expect(screen.queryByRole("form", { name: "Window" })).toBeNull();
  });

  it("shows the same windows as a list", async () => {
    const user = userEvent.setup();
    const { client } = stubClient(() => ({ data: { operation: operation(["view_operation"]) } }));
    renderPlanner(client, OFFICER);

    await user.click(await screen.findByRole("button", { name: "List" }));

    expect(screen.getByRole("button", { name: "List" }).getAttribute("aria-pressed")).toBe("true");
    expect(screen.getByRole("heading", { name: "BE-CUSTOMS" })).toBeTruthy();
    expect(
      screen.getByRole("button", {
        name: /^Control window BE-CUSTOMS at BEBRU, Mar 4, 08:00\s*–\s*16:00$/,
      }),
    ).toBeTruthy();
    expect(screen.queryByRole("region", { name: "Plan on a time axis" })).toBeNull();
  });
});
