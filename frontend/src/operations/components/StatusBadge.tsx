import { Badge } from "@mantine/core";
import { useTranslation } from "react-i18next";

import type { OperationStatus } from "../../gql/graphql";
import { STATUS_COLORS } from "../labels";

export function StatusBadge({ status }: { status: OperationStatus }) {
  const { t } = useTranslation("operations");
  return (
    <Badge color={STATUS_COLORS[status]} variant="filled" radius="sm" style={{ flexShrink: 0 }}>
      {t(`status.${status}`)}
    </Badge>
  );
}
