import { Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";

import { useViewer } from "../../core/auth/viewer";
import { formatTimeSpan } from "../dates";

/** An operation's planned span in its own zone, and in mine when mine differs. */
export function OperationDates({
  plannedStart,
  plannedEnd,
  timeZone,
  size = "sm",
}: {
  plannedStart: string;
  plannedEnd: string;
  timeZone: string;
  size?: "xs" | "sm" | "md";
}) {
  const { t } = useTranslation("operations");
  const { zone, locale } = useViewer();
  return (
    <Stack gap={0}>
      <Text size={size}>
        {t("dates.inOperationZone", {
          span: formatTimeSpan(plannedStart, plannedEnd, { zone: timeZone, locale }),
          zone: timeZone,
        })}
      </Text>
      {zone !== timeZone && (
        <Text size={size} c="gray.7">
          {t("dates.inMyZone", {
            span: formatTimeSpan(plannedStart, plannedEnd, { zone, locale }),
            zone,
          })}
        </Text>
      )}
    </Stack>
  );
}
