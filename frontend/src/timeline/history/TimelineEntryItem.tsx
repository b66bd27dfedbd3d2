// One entry of the timeline: its kind, what happened, who did it, and when (in my zone,
// with the operation's alongside).
import { Badge, Group, Paper, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";

import { useViewer } from "../../core/auth/viewer";
import {
  type Entry,
  entryDetails,
  entryTimes,
  entryTitle,
  entryWho,
  hitStatus,
  KIND_COLORS,
  NAMESPACE,
} from "./entry";

export function TimelineEntryItem({
  entry,
  operationZone,
  upcoming = false,
}: {
  entry: Entry;
  operationZone: string;
  /** Badge it as yet to come (a window that starts later). */
  upcoming?: boolean;
}) {
  const { t } = useTranslation(NAMESPACE);
  const { zone, locale } = useViewer();
  const title = entryTitle(t, entry, locale);
  const details = entryDetails(t, entry, { zone, locale });
  const who = entryWho(t, entry);
  const times = entryTimes(entry.at, { viewerZone: zone, operationZone, locale });
  const status = hitStatus(entry);

  return (
    <Paper component="li" withBorder p="sm" radius="sm">
      <Stack gap={4}>
        <Group gap="xs" wrap="wrap">
          <Badge color={KIND_COLORS[entry.kind]} variant="filled" radius="sm">
            {t(`badge.${entry.kind}`)}
          </Badge>
          {status && (
            <Badge color="gray.8" variant="outline" radius="sm">
              {t(`hitStatus.${status}`)}
            </Badge>
          )}
          {upcoming && (
            <Badge color="dark" variant="outline" radius="sm">
              {t("badge.upcoming")}
            </Badge>
          )}
        </Group>
        <Text fw={600} style={{ overflowWrap: "anywhere" }}>
          {title}
        </Text>
        {details && (
          <Text size="sm" style={{ overflowWrap: "anywhere" }}>
            {details}
          </Text>
        )}
        <Text size="sm" c="gray.8">
          <time dateTime={entry.at}>{t("yourTime", { time: times.viewer })}</time>
          {times.operation && (
            <>
              {" · "}
              {t("operationTime", { time: times.operation, zone: operationZone })}
            </>
          )}
        </Text>
        {who && (
          <Text size="sm" c="gray.8">
            {who}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
