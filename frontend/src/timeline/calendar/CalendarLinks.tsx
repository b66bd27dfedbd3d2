// The calendar subscription links of an operation: its own feed and mine (both carry my
// calendar key), how to subscribe, and the key's management. The server makes the
// addresses; this page only shows them.
import { Alert, Center, Loader, Paper, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useClient, useQuery } from "urql";

import { useRefusal } from "../../core/refusals";
import { graphql } from "../../gql";
import { FeedKeyActions, type KeyChange } from "./FeedKeyActions";
import { FeedLink } from "./FeedLink";
import { NAMESPACE } from "./names";
import { SubscribeHelp } from "./SubscribeHelp";

export const CALENDAR_LINKS = graphql(`
  query CalendarLinks($id: ID!) {
    operation(id: $id) {
      id
      code
      calendarUrl
    }
    me {
      calendarFeedUrl
    }
  }
`);

export function CalendarLinks({ operationId }: { operationId: string }) {
  const { t } = useTranslation(NAMESPACE);
  const refusal = useRefusal(NAMESPACE);
  const client = useClient();
  const [{ data, fetching, error }] = useQuery({
    query: CALENDAR_LINKS,
    variables: { id: operationId },
    // What the cache has at once, then the server's (a key changed in another tab).
    requestPolicy: "cache-and-network",
  });
  const [change, setChange] = useState<KeyChange | null>(null);

  if (fetching && !data) {
    return (
      <Center p="xl">
        <Loader aria-label={t("loading")} />
      </Center>
    );
  }
  if (error && !data) {
    return (
      <Alert color="red" role="alert">
        {refusal({ error }).general.join(" ")}
      </Alert>
    );
  }
  const operation = data?.operation;
  if (!operation) {
    return (
      <Alert color="red" role="alert">
        {t("notFound")}
      </Alert>
    );
  }
  const operationUrl = operation.calendarUrl;
  const myUrl = data?.me?.calendarFeedUrl;
  const hasKey = Boolean(operationUrl || myUrl);

  async function changed(what: KeyChange) {
    // The operation's address carries the key too: read both again from the server (the
    // cache hands them to this page), then say what changed.
    await client
      .query(CALENDAR_LINKS, { id: operationId }, { requestPolicy: "network-only" })
      .toPromise();
    setChange(what);
  }

  return (
    <Stack gap="lg">
      {hasKey && (
        <>
          {operationUrl && (
            <FeedLink
              feed="operation"
              url={operationUrl}
              filename={`${operation.code}.ics`}
              code={operation.code}
            />
          )}
          {myUrl && <FeedLink feed="mine" url={myUrl} filename="jointops.ics" />}
          <SubscribeHelp />
        </>
      )}
      <Paper withBorder p="md" radius="sm" component="section" aria-labelledby="calendar-key">
        <Stack gap="sm">
          <Title order={4} id="calendar-key">
            {t("key.title")}
          </Title>
          {!hasKey && <Text>{t("key.none")}</Text>}
          <Text size="sm">{t(hasKey ? "key.explain" : "key.explainNone")}</Text>
          <FeedKeyActions hasKey={hasKey} onChanged={changed} />
          <Text role="status" size="sm" fw={600}>
            {change ? t(`key.${change}`) : ""}
          </Text>
        </Stack>
      </Paper>
    </Stack>
  );
}
