// GraphiQL, bundled (no CDN): served at /graphql/ to browsers allowed by the GRAPHIQL
// setting. Queries and mutations go over HTTP with the session and CSRF token,
// subscriptions over the same graphql-transport-ws websocket as the app.
import "graphiql/setup-workers/vite";
import "graphiql/style.css";
import "./graphiql.css";

import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { csrfToken, GRAPHQL_PATH } from "../core/client";

const { protocol, host } = window.location;
const fetcher = createGraphiQLFetcher({
  url: GRAPHQL_PATH,
  subscriptionUrl: `${protocol === "https:" ? "wss:" : "ws:"}//${host}${GRAPHQL_PATH}`,
  fetch: (input, init) =>
    fetch(input, {
      ...init,
      credentials: "same-origin",
      headers: { ...(init?.headers as Record<string, string>), "X-CSRFToken": csrfToken() },
    }),
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} defaultEditorToolsVisibility="variables" />
  </StrictMode>,
);
