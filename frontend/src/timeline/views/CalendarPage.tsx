// The operation's calendar links (route /operations/:operationId/calendar): this
// operation's feed and mine, how to subscribe, and my calendar key (make, renew, turn off).
import { Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";

import { CalendarLinks } from "../calendar/CalendarLinks";
import { NAMESPACE } from "../calendar/names";

export function CalendarPage() {
  const { t } = useTranslation(NAMESPACE);
  const { operationId = "" } = useParams();
  return (
    <Stack gap="md">
      <Stack gap={4}>
        <Title order={3}>{t("title")}</Title>
        <Text size="sm">{t("intro")}</Text>
      </Stack>
      <CalendarLinks operationId={operationId} />
    </Stack>
  );
}
