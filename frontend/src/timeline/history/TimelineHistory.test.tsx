import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { Client } from "urql";
import { describe, expect, it, vi } from "vitest";
import { fromValue, never } from "wonka";

import type { Entry } from "./entry";
import { ACCEPTED, CONTROL_WINDOW, CREATED, HIT, INVITED, PHASE } from "./fixtures";
import { renderWithApp } from "../../test/app";
import { TimelineHistory } from "./TimelineHistory";


type Variables = { from?: string; to?: string; after?: string; newestFirst: boolean; kinds: unknown };

function page(entries: Entry[], hasNextPage = false, endCursor = "") {
  return {
    operation: {
      __typename: "Operation",
      id: "T3BlcmF0aW9uOjE=",
      timeZone: "America/Costa_Rica",
      timeline: {
        __typename: "TimelineConnection",
        pageInfo: { __typename: "PageInfo", hasNextPage, endCursor },
        edges: entries.map((node, i) => ({ __typename: "TimelineEdge", cursor: `c${i}`, node })),
      },
    },
  };
}

/** Answers as the server would: what comes next (from), what happened (to), or all. */
function mockClient(answers: {
  next?: ReturnType<typeof page>;
  past?: ReturnType<typeof page>;
  all?: ReturnType<typeof page>;
  more?: ReturnType<typeof page>;
}) {
  const answer = (variables: Variables) =>
    variables.from ? answers.next : variables.to ? answers.past : answers.all;
  const executeQuery = vi.fn((request: { variables: Variables }) =>
    fromValue({ data: answer(request.variables) ?? page([]) }),
  );
  const query = vi.fn(() => ({ toPromise: () => Promise.resolve({ data: answers.more }) }));
  const client = {
    executeQuery,
    executeMutation: vi.fn(() => never),
    executeSubscription: vi.fn(() => never),
    query,
  } as unknown as Client;
  return { client, executeQuery, query };
}

function lastVariables(executeQuery: ReturnType<typeof vi.fn>): Variables[] {
  return (executeQuery.mock.calls as unknown as [{ variables: Variables }][]).map(([r]) => r.variables);
}

const OPERATION = "T3BlcmF0aW9uOjE=";

describe("TimelineHistory", () => {
  it("reads from now: what comes next, then what happened, newest first", () => {
    const { client, executeQuery } = mockClient({
      next: page([CONTROL_WINDOW]),
      past: page([HIT, ACCEPTED], true, "end1"),
    });

    renderWithApp(<TimelineHistory operationId={OPERATION} />, { client });

    const next = screen.getByRole("list", { name: "Coming next" });
    expect(within(next).getAllByRole("listitem")).toHaveLength(1);
    const past = screen.getByRole("list", { name: "So far" });
    const items = within(past).getAllByRole("listitem");
    expect(items).toHaveLength(2);
    expect(items[0].textContent).toContain("Seizure #12 at MROC");
    expect(items[0].textContent).toContain("Reported by CR-CUSTOMS");
    expect(items[0].textContent).toContain("Mar 5, 2027, 3:15 PM (your time)");
    expect(items[0].textContent).toContain("Mar 5, 2027, 8:15 AM in America/Costa_Rica");
    expect(items[1].textContent).toContain("CR-CUSTOMS accepted the invitation");
    const [upcoming, happened] = lastVariables(executeQuery);
    expect(upcoming).toMatchObject({ newestFirst: false, kinds: null, first: 5 });
    expect(happened).toMatchObject({ newestFirst: true, kinds: null, first: 50 });
    expect(new Date(upcoming.from!).getTime()).toBeGreaterThan(new Date(happened.to!).getTime());
  });

  it("loads the next page from the last cursor and appends it", async () => {
    const { client, query } = mockClient({
      past: page([HIT, ACCEPTED], true, "end1"),
      more: page([INVITED, CREATED, PHASE], false, "end2"),
    });
    renderWithApp(<TimelineHistory operationId={OPERATION} />, { client });

    await userEvent.click(screen.getByRole("button", { name: "Show earlier entries" }));

    const past = screen.getByRole("list", { name: "So far" });
    expect(await within(past).findByText("Operational phase begins")).toBeTruthy();
    expect(within(past).getAllByRole("listitem")).toHaveLength(5);
    expect((query.mock.calls[0] as unknown[])[1]).toMatchObject({ after: "end1", newestFirst: true });
    expect(screen.queryByRole("button", { name: "Show earlier entries" })).toBeNull();
    expect(screen.getByText("5 entries shown. No more entries.")).toBeTruthy();
    expect(screen.getByText("Nothing planned from now on.")).toBeTruthy();
  });

  it("tells the whole story oldest first, marking what is yet to come", async () => {
    const past = (entry: Entry, at: string) => ({ ...entry, at });
    const future = past(PHASE, "2999-01-01T00:00:00+00:00");
    const { client, executeQuery } = mockClient({
      all: page([past(CREATED, "2020-01-01T00:00:00Z"), past(INVITED, "2020-01-02T00:00:00Z"), future]),
    });
    renderWithApp(<TimelineHistory operationId={OPERATION} />, { client });

    await userEvent.click(screen.getByRole("radio", { name: "Oldest first" }));

    const list = await screen.findByRole("list", { name: "From the beginning" });
    const items = within(list).getAllByRole("listitem");
    expect(items.map((item) => item.textContent?.includes("Upcoming"))).toEqual([false, false, true]);
    const variables = lastVariables(executeQuery).at(-1)!;
    expect(variables).toMatchObject({ newestFirst: false, kinds: null });
    expect(variables.from).toBeUndefined();
    expect(variables.to).toBeUndefined();
  });

  it("asks for the kinds I keep", async () => {
    const { client, executeQuery } = mockClient({ past: page([HIT]) });
    renderWithApp(<TimelineHistory operationId={OPERATION} />, { client });

    await userEvent.click(screen.getByRole("checkbox", { name: "Control windows" }));

    await waitFor(() =>
      expect(lastVariables(executeQuery).at(-1)).toMatchObject({
        kinds: ["PHASE", "STATUS_CHANGE", "PARTICIPATION_CHANGE", "HIT"],
      }),
    );
  });

  it("asks for nothing when no kind is kept, and says why", async () => {
    const { client } = mockClient({ past: page([HIT]) });
    renderWithApp(<TimelineHistory operationId={OPERATION} />, { client });

    for (const name of ["Phases", "Control windows", "Status changes", "Participation changes", "Hits"]) {
      await userEvent.click(screen.getByRole("checkbox", { name }));
    }

    expect(screen.getByText("Choose at least one kind of entry to show.")).toBeTruthy();
    expect(screen.queryByRole("list")).toBeNull();
  });

  it("reads everything again from the server on Refresh", async () => {
    const { client, executeQuery } = mockClient({ past: page([HIT]) });
    renderWithApp(<TimelineHistory operationId={OPERATION} />, { client });
    const before = executeQuery.mock.calls.length;

    await userEvent.click(screen.getByRole("button", { name: "Refresh" }));

    const calls = (executeQuery.mock.calls as unknown as [unknown, { requestPolicy: string }][]).slice(before);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.every(([, context]) => context.requestPolicy === "network-only")).toBe(true);
  });
});

describe("TimelineFilters", () => {
  it("are labelled groups of plain checkboxes and radio buttons", () => {
    const { client } = mockClient({ past: page([HIT]) });
    renderWithApp(<TimelineHistory operationId={OPERATION} />, { client });

    const show = screen.getByRole("group", { name: "Show" });
    expect(within(show).getAllByRole("checkbox").map((box) => (box as HTMLInputElement).checked)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    const order = screen.getByRole("radiogroup", { name: "Order" });
    expect((within(order).getByRole("radio", { name: "Newest first" }) as HTMLInputElement).checked).toBe(true);
  });
});
