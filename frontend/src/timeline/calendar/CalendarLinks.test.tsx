import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Client } from "urql";
import { fromValue, never } from "wonka";

import { renderWithApp } from "../../test/app";
import { CalendarLinks } from "./CalendarLinks";


const OPERATION_FEED = "http://127.0.0.1:8000/calendar/operations/2.ics?token=old";
const MY_FEED = "http://127.0.0.1:8000/calendar/me.ics?token=old";

function links(withKey: boolean) {
  return {
    operation: {
      __typename: "Operation",
      id: "T3BlcmF0aW9uOjI=",
      code: "COLIBRI-SKY",
      calendarUrl: withKey ? OPERATION_FEED : null,
    },
    me: { __typename: "Me", calendarFeedUrl: withKey ? MY_FEED : null },
  };
}

function mockClient(withKey: boolean, mutationAnswer: object = {}) {
  const executeMutation = vi.fn(() => fromValue(mutationAnswer));
  const executeQuery = vi.fn(() => fromValue({ data: links(withKey) }));
  const query = vi.fn(() => ({ toPromise: () => Promise.resolve({ data: links(true) }) }));
  const client = {
    executeQuery,
    executeMutation,
    executeSubscription: vi.fn(() => never),
    query,
  } as unknown as Client;
  return { client, executeMutation, executeQuery, query };
}

function mutationName(mock: ReturnType<typeof vi.fn>, call = 0): string {
  const [request] = mock.mock.calls[call] as [{ query: { definitions: { name?: { value: string } }[] } }];
  return request.query.definitions[0].name?.value ?? "";
}

describe("CalendarLinks", () => {
  it("gives both feeds to copy, download and open", () => {
    const { client } = mockClient(true);

    renderWithApp(<CalendarLinks operationId="T3BlcmF0aW9uOjI=" />, { client });

    expect(
      (screen.getByRole("textbox", { name: "Address of this operation's calendar" }) as HTMLInputElement).value,
    ).toBe(OPERATION_FEED);
    expect((screen.getByRole("textbox", { name: "Address of my calendar" }) as HTMLInputElement).value).toBe(
      MY_FEED,
    );
    const download = screen.getByRole("link", { name: "Download this operation's calendar (.ics)" });
    expect(download.getAttribute("href")).toBe(OPERATION_FEED);
    expect(download.getAttribute("download")).toBe("COLIBRI-SKY.ics");
    expect(screen.getByRole("link", { name: "Download my calendar (.ics)" }).getAttribute("href")).toBe(MY_FEED);
    expect(
      screen.getByRole("link", { name: "Open this operation's calendar in my calendar app" }).getAttribute("href"),
    ).toBe("webcal://127.0.0.1:8000/calendar/operations/2.ics?token=old");
    expect(screen.getByRole("button", { name: "Copy this operation's calendar address" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Outlook" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Google Calendar" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Thunderbird" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Apple Calendar (Mac, iPhone, iPad)" })).toBeTruthy();
  });

  it("copies an address", async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    Object.defineProperty(window, "isSecureContext", { value: true, configurable: true });
    const { client } = mockClient(true);
    renderWithApp(<CalendarLinks operationId="T3BlcmF0aW9uOjI=" />, { client });

    await userEvent.click(screen.getByRole("button", { name: "Copy my calendar address" }));

    expect(writeText).toHaveBeenCalledWith(MY_FEED);
    expect(await screen.findByText("Address copied.")).toBeTruthy();
  });

  it("offers to create the links when I have none", async () => {
    const { client, executeMutation, query } = mockClient(false, {
      data: { rotateCalendarToken: { calendarFeedUrl: MY_FEED, errors: [] } },
    });
    renderWithApp(<CalendarLinks operationId="T3BlcmF0aW9uOjI=" />, { client });
    expect(screen.queryByRole("textbox")).toBeNull();

    await userEvent.click(screen.getByRole("button", { name: "Create my calendar links" }));

    expect(mutationName(executeMutation)).toBe("RotateCalendarToken");
    expect(await screen.findByText("Your calendar links are ready.")).toBeTruthy();
    const [, variables, context] = query.mock.calls.at(-1) as unknown as [unknown, object, { requestPolicy: string }];
    expect(variables).toEqual({ id: "T3BlcmF0aW9uOjI=" });
    expect(context.requestPolicy).toBe("network-only");
  });

  it("asks before making new links, and does nothing when I cancel", async () => {
    const { client, executeMutation } = mockClient(true, {
      data: { rotateCalendarToken: { calendarFeedUrl: MY_FEED, errors: [] } },
    });
    renderWithApp(<CalendarLinks operationId="T3BlcmF0aW9uOjI=" />, { client });

    await userEvent.click(screen.getByRole("button", { name: "Make new links" }));
    let dialog = await screen.findByRole("dialog", { name: "Make new calendar links?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(executeMutation).not.toHaveBeenCalled();

    await userEvent.click(screen.getByRole("button", { name: "Make new links" }));
    dialog = await screen.findByRole("dialog", { name: "Make new calendar links?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Replace the links" }));

    expect(mutationName(executeMutation)).toBe("RotateCalendarToken");
    expect(await screen.findByText("New calendar links made: the old ones no longer work.")).toBeTruthy();
  });

  it("asks before turning the links off", async () => {
    const { client, executeMutation } = mockClient(true, { data: { revokeCalendarToken: { errors: [] } } });
    renderWithApp(<CalendarLinks operationId="T3BlcmF0aW9uOjI=" />, { client });

    await userEvent.click(screen.getByRole("button", { name: "Turn off my calendar links" }));
    const dialog = await screen.findByRole("dialog", { name: "Turn off your calendar links?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Turn them off" }));

    expect(mutationName(executeMutation)).toBe("RevokeCalendarToken");
    expect(await screen.findByText("Your calendar links are turned off.")).toBeTruthy();
  });

  it("says when the server cannot be reached, and keeps the dialog open", async () => {
    const { client } = mockClient(true, {
      error: { networkError: new Error("Failed to fetch"), graphQLErrors: [] },
    });
    renderWithApp(<CalendarLinks operationId="T3BlcmF0aW9uOjI=" />, { client });

    await userEvent.click(screen.getByRole("button", { name: "Turn off my calendar links" }));
    const dialog = await screen.findByRole("dialog", { name: "Turn off your calendar links?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Turn them off" }));

    expect((await within(dialog).findByRole("alert")).textContent).toContain("The server cannot be reached");
  });
});
