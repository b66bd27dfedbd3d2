// For component tests of the timeline pages: Mantine in jsdom, a signed-in viewer, and
// an urql client whose answers the test gives.
import { MantineProvider } from "@mantine/core";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import type { Client } from "urql";
import { Provider } from "urql";

import { type Me, ViewerProvider } from "../../core/auth/viewer";

export function jsdomForMantine() {
  // Mantine reads media queries and observes sizes; jsdom does neither.
  window.matchMedia ??= ((query: string) => ({
    matches: false,
    media: query,
    onchange: null,
    addListener: () => {},
    removeListener: () => {},
    addEventListener: () => {},
    removeEventListener: () => {},
    dispatchEvent: () => false,
  })) as never;
  window.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as never;
}

export const COORDINATOR: Me = {
  user: { id: "VXNlcjox", username: "wco.coordinator", displayName: "Amina Diallo" },
  agency: { id: "QWdlbmN5OjE=", acronym: "WCO", name: "World Customs Organization" },
  timeZone: "Europe/Brussels",
  canCreateOperations: true,
  calendarFeedUrl: null,
};

export function renderPage(client: Client, children: ReactNode, me: Me = COORDINATOR) {
  return render(
    <MantineProvider>
      <Provider value={client}>
        <ViewerProvider me={me}>{children}</ViewerProvider>
      </Provider>
    </MantineProvider>,
  );
}
