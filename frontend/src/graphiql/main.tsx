// GraphiQL, bundled (no CDN): served at /graphql/ to browsers allowed by the GRAPHIQL
// setting. Queries and mutations go over HTTP with the session and CSRF token,
// subscriptions over the same graphql-transport-ws websocket as the app.
import "graphiql/setup-workers/vite";
import "graphiql/style.css";
import "./graphiql.css";

import { createGraphiQLFetcher, type Fetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { csrfToken, GRAPHQL_PATH } from "../core/client";
import { operationToRun } from "./operation";

const { protocol, host } = window.location;
const toolkitFetcher = createGraphiQLFetcher({
  url: GRAPHQL_PATH,
  subscriptionUrl: `${protocol === "https:" ? "wss:" : "ws:"}//${host}${GRAPHQL_PATH}`,
  fetch: (input, init) =>
    fetch(input, {
      ...init,
      credentials: "same-origin",
      headers: { ...(init?.headers as Record<string, string>), "X-CSRFToken": csrfToken() },
    }),
});

// The transport follows the text being run, not GraphiQL's lagging parse of it (./operation).
const fetcher: Fetcher = (params, options) => {
  const run = operationToRun(params.query, params.operationName);
  if (run === null) return toolkitFetcher(params, options);
  return toolkitFetcher(
    { ...params, operationName: run.operation.name?.value ?? null },
    { ...options, documentAST: run.document },
  );
};

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} defaultEditorToolsVisibility="variables" />
  </StrictMode>,
);
