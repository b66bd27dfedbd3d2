// The one GraphQL client of the app: the public API at /graphql/, over HTTP with the
// session cookie and the CSRF token, and over websocket (graphql-transport-ws) for
// subscriptions. Whatever the app does, an API client can do.
import { cacheExchange } from "@urql/exchange-graphcache";
import { createClient as createWsClient } from "graphql-ws";
import { Client, fetchExchange, subscriptionExchange } from "urql";

import { cacheUpdates } from "./cacheUpdates";

export const GRAPHQL_PATH = "/graphql/";

export function csrfToken(): string {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

function websocketUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss:" : "ws:"}//${host}${GRAPHQL_PATH}`;
}

export function createClient(): Client {
  // The browser sends the session cookie and its Origin; the server checks both.
  const ws = createWsClient({ url: websocketUrl(), lazy: true, retryAttempts: Infinity });
  return new Client({
    url: GRAPHQL_PATH,
    fetchOptions: () => ({
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/graphql-response+json" },
    }),
    exchanges: [
      cacheExchange({
        // Types without an id are parts of their parent, not entities of their own.
        keys: Object.fromEntries(UNKEYED.map((name) => [name, () => null])),
        updates: cacheUpdates,
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || "" };
          return {
            subscribe(sink) {
              return { unsubscribe: ws.subscribe(input, sink) };
            },
          };
        },
      }),
    ],
  });
}

/** Object types without an id: parts of their parent, not entities (a test keeps this
 * list equal to the schema's). */
export const UNKEYED = [
  "AgencyConnection",
  "AgencyEdge",
  "AmendHit",
  "CreateOperation",
  "CreateTimeWindow",
  "DecideEntities",
  "DecideEntitySuggestions",
  "DeconflictionMatch",
  "DeleteTimeWindow",
  "EntityDecision",
  "EntityNetwork",
  "EntitySuggestion",
  "EntitySuggestionConnection",
  "EntitySuggestionEdge",
  "Error",
  "HitConnection",
  "HitEdge",
  "HitItem",
  "HitRevision",
  "IdentityDocument",
  "InviteAgency",
  "Me",
  "MergeEvidence",
  "NetworkEdge",
  "OperationChange",
  "OperationConnection",
  "OperationEdge",
  "OperationSummary",
  "PageInfo",
  "ReportHit",
  "RespondToInvitation",
  "ReviewHit",
  "RevokeCalendarToken",
  "RotateCalendarToken",
  "RunNetworkAnalysis",
  "Shipment",
  "TimelineConnection",
  "TimelineEdge",
  "TimelineEntry",
  "TransitionOperation",
  "UpdateMe",
  "UpdateOperation",
  "UpdateTimeWindow",
];
