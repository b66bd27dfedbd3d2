// A run of timeline entries under a heading, page by page. The first page is a live
// query: what the cache has at once, then the server's (another person may have changed
// the operation since), and it follows the changes made in this session. "Show more"
// reads the next page from the last cursor (the server pages at most 10,000 deep).
import { Alert, Button, Center, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { useCallback, useId, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { type CombinedError, useClient, useQuery } from "urql";

import { useRefusal } from "../../core/refusals";
import { graphql } from "../../gql";
import type { OperationTimelineQuery, TimelineEntryKind } from "../../gql/graphql";
import { type Entry, entryKey, NAMESPACE } from "./entry";
import { TimelineEntryItem } from "./TimelineEntryItem";

export const PAGE_SIZE = 50;
/** What comes next is a glance (one more page on demand); what happened is the story. */
export const GLANCE_SIZE = 5;

export const OPERATION_TIMELINE = graphql(`
  query OperationTimeline(
    $id: ID!
    $kinds: [TimelineEntryKind!]
    $newestFirst: Boolean
    $from: DateTime
    $to: DateTime
    $first: Int
    $after: String
  ) {
    operation(id: $id) {
      id
      timeZone
      timeline(
        kinds: $kinds
        newestFirst: $newestFirst
        from: $from
        to: $to
        first: $first
        after: $after
      ) {
        pageInfo { hasNextPage endCursor }
        edges { cursor node { ...TimelineEntryFields } }
      }
    }
  }
`);

export interface SectionQuery {
  kinds: TimelineEntryKind[] | null;
  newestFirst: boolean;
  from?: string;
  to?: string;
}

type Timeline = NonNullable<NonNullable<OperationTimelineQuery["operation"]>["timeline"]>;

interface Page {
  entries: Entry[];
  hasNextPage: boolean;
  endCursor: string | null;
}

function pageOf(timeline: Timeline | null | undefined): Page {
  return {
    entries: (timeline?.edges ?? []).flatMap((edge) => (edge?.node ? [edge.node] : [])),
    hasNextPage: timeline?.pageInfo.hasNextPage ?? false,
    endCursor: timeline?.pageInfo.endCursor ?? null,
  };
}

export function TimelineSection({
  operationId,
  title,
  empty,
  moreLabel,
  query,
  now,
  markUpcoming = false,
  fromServer = false,
  pageSize = PAGE_SIZE,
}: {
  operationId: string;
  title: string;
  /** What to say when there is nothing. */
  empty: string;
  /** The name of the button that loads the next page. */
  moreLabel: string;
  query: SectionQuery;
  now: Date;
  /** Badge entries yet to come (when past and future share the list). */
  markUpcoming?: boolean;
  /** Only from the server (after "Refresh"); else the cache at once, then the server. */
  fromServer?: boolean;
  pageSize?: number;
}) {
  const { t } = useTranslation(NAMESPACE);
  const refusal = useRefusal(NAMESPACE);
  const client = useClient();
  const headingId = useId();
  const variables = useMemo(
    () => ({ id: operationId, first: pageSize, ...query }),
    [operationId, query, pageSize],
  );
  const variablesKey = JSON.stringify(variables);
  const [{ data, fetching, error }] = useQuery({
    query: OPERATION_TIMELINE,
    variables,
    requestPolicy: fromServer ? "network-only" : "cache-and-network",
  });
  // The pages after the first, for the variables they were read with.
  const [more, setMore] = useState<{ key: string; pages: Page[] }>({ key: "", pages: [] });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<CombinedError | undefined>();

  const pages = useMemo(
    () => [pageOf(data?.operation?.timeline), ...(more.key === variablesKey ? more.pages : [])],
    [data, more, variablesKey],
  );
  const last = pages[pages.length - 1];
  // Cursors are positions: when entries arrive between two pages, never show one twice.
  const entries = useMemo(() => {
    const seen = new Set<string>();
    return pages
      .flatMap((page) => page.entries)
      .filter((entry) => {
        const key = entryKey(entry);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
  }, [pages]);

  const loadMore = useCallback(async () => {
    if (!last.endCursor) return;
    setLoadingMore(true);
    setMoreError(undefined);
    const result = await client
      // From the server: a page read earlier may have grown since (and hasNextPage with it).
      .query(OPERATION_TIMELINE, { ...variables, after: last.endCursor }, { requestPolicy: "network-only" })
      .toPromise();
    setLoadingMore(false);
    if (result.error || !result.data?.operation?.timeline) {
      setMoreError(result.error);
      return;
    }
    const page = pageOf(result.data.operation.timeline);
    setMore((current) => ({
      key: variablesKey,
      pages: [...(current.key === variablesKey ? current.pages : []), page],
    }));
  }, [client, variables, variablesKey, last.endCursor]);

  const operation = data?.operation;
  const firstError = error && !data ? refusal({ error }).general : [];
  const laterError = moreError ? refusal({ error: moreError }).general : [];

  let body;
  if (fetching && !data) {
    body = (
      <Center p="md">
        <Loader size="sm" aria-label={t("loading")} />
      </Center>
    );
  } else if (firstError.length) {
    body = (
      <Alert color="red" role="alert">
        {firstError.join(" ")}
      </Alert>
    );
  } else if (!operation) {
    body = (
      <Alert color="red" role="alert">
        {t("notFound")}
      </Alert>
    );
  } else if (entries.length === 0) {
    body = <Text size="sm">{empty}</Text>;
  } else {
    body = (
      <>
        <Stack
          component="ol"
          aria-labelledby={headingId}
          gap="xs"
          m={0}
          p={0}
          style={{ listStyle: "none" }}
        >
          {entries.map((entry) => (
            <TimelineEntryItem
              key={entryKey(entry)}
              entry={entry}
              operationZone={operation.timeZone}
              upcoming={markUpcoming && new Date(entry.at) > now}
            />
          ))}
        </Stack>
        <Text size="sm" role="status">
          {t("shown", { count: entries.length })}
          {!last.hasNextPage && ` ${t("allShown")}`}
        </Text>
        {laterError.length > 0 && (
          <Alert color="red" role="alert">
            {laterError.join(" ")}
          </Alert>
        )}
        {last.hasNextPage && (
          <Group>
            <Button variant="light" onClick={loadMore} loading={loadingMore}>
              {moreLabel}
            </Button>
          </Group>
        )}
      </>
    );
  }

  return (
    <Stack gap="xs" component="section" aria-labelledby={headingId}>
      <Title order={4} id={headingId}>
        {title}
      </Title>
      {body}
    </Stack>
  );
}
