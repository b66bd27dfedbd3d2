import { Badge } from "@mantine/core";
import { useTranslation } from "react-i18next";

import type { Marking } from "../../gql/graphql";
import { MARKING_COLORS } from "../labels";

/** A TLP 2.0 label as the standard prints it: coloured text on black. */
export function MarkingBadge({ marking }: { marking: Marking }) {
  const { t } = useTranslation("operations");
  return (
    <Badge
      radius="sm"
      variant="filled"
      styles={{ root: { backgroundColor: "#000", color: MARKING_COLORS[marking] } }}
    >
      {t(`marking.${marking}.label`)}
    </Badge>
  );
}
