// Rendering a component of the app in a test: Mantine, the router, a GraphQL client
// (given, usually a stub that answers what the test says) and a signed-in viewer, in jsdom.
import { MantineProvider } from "@mantine/core";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter, Route, Routes } from "react-router";
import { Client, fetchExchange, Provider } from "urql";

import { type Me, ViewerProvider } from "../core/auth/viewer";

export const COORDINATOR: Me = {
  user: { id: "VXNlcjox", username: "wco.coordinator", displayName: "Amina Diallo" },
  agency: { id: "QWdlbmN5OjE=", acronym: "WCO", name: "World Customs Organization" },
  timeZone: "Europe/Brussels",
  canCreateOperations: true,
  calendarFeedUrl: null,
};

export interface Request {
  operationName: string;
  variables: Record<string, unknown>;
}

/** What the stub server answers: a GraphQL response body, or a thrown error for a
 * network failure. */
export type Answer = (request: Request) => unknown;

/** A real client whose requests go to `answer` instead of a server; `requests` records
 * them. */
export function stubClient(answer: Answer = () => ({ data: null })) {
  const requests: Request[] = [];
  const fetchStub = async (_url: unknown, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body ?? "{}"));
    const request = { operationName: body.operationName, variables: body.variables ?? {} };
    requests.push(request);
    const json = answer(request);
    return new Response(JSON.stringify(json), {
      status: 200,
      headers: { "Content-Type": "application/json" },
    });
  };
  const client = new Client({
    url: "http://jointops.test/graphql/",
    exchanges: [fetchExchange],
    fetch: fetchStub as typeof fetch,
    preferGetMethod: false,
  });
  return { client, requests };
}

export function renderWithApp(
  ui: ReactElement,
  {
    client = stubClient().client,
    me = COORDINATOR,
    at,
  }: {
    client?: Client;
    me?: Me;
    /** Render `ui` as the route `path`, at the address `url`. */
    at?: { path: string; url: string };
  } = {},
) {
  const routed = at ? (
    <Routes>
      <Route path={at.path} element={ui} />
    </Routes>
  ) : (
    ui
  );
  return render(
    <MantineProvider>
      <Provider value={client}>
        <MemoryRouter initialEntries={at ? [at.url] : undefined}>
          <ViewerProvider me={me}>{routed}</ViewerProvider>
        </MemoryRouter>
      </Provider>
    </MantineProvider>,
  );
}
