// The operation's timeline (route /operations/:operationId/timeline): phases, control
// windows, status and participation changes and the hits I may see, newest or oldest
// first.
import { Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { useQuery } from "urql";

import { graphql } from "../../gql";
import { NAMESPACE } from "../history/entry";
import { TimelineHistory } from "../history/TimelineHistory";

const TIMELINE_HEADING = graphql(`
  query TimelineHeading($id: ID!) {
    operation(id: $id) { id code }
  }
`);

export function TimelinePage() {
  const { t } = useTranslation(NAMESPACE);
  const { operationId = "" } = useParams();
  const [{ data }] = useQuery({ query: TIMELINE_HEADING, variables: { id: operationId } });
  const code = data?.operation?.code;
  return (
    <Stack gap="md">
      <Stack gap={4}>
        <Title order={3}>{t("title")}</Title>
        {code && <Text size="sm">{t("intro", { code })}</Text>}
      </Stack>
      <TimelineHistory operationId={operationId} />
    </Stack>
  );
}
