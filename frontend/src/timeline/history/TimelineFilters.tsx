// Which kinds of entry the timeline shows, and in which order: plain checkboxes and
// radio buttons, labelled as groups.
import { Checkbox, Group, Radio } from "@mantine/core";
import { useTranslation } from "react-i18next";

import type { TimelineEntryKind } from "../../gql/graphql";
import { KINDS, NAMESPACE } from "./entry";

export interface TimelineFiltersProps {
  kinds: TimelineEntryKind[];
  onKindsChange: (kinds: TimelineEntryKind[]) => void;
  newestFirst: boolean;
  onNewestFirstChange: (newestFirst: boolean) => void;
}

export function TimelineFilters({
  kinds,
  onKindsChange,
  newestFirst,
  onNewestFirstChange,
}: TimelineFiltersProps) {
  const { t } = useTranslation(NAMESPACE);
  return (
    <Group align="flex-start" gap="xl" wrap="wrap">
      <Checkbox.Group
        label={t("filters.legend")}
        value={kinds}
        onChange={(value) => onKindsChange(KINDS.filter((kind) => value.includes(kind)))}
        style={{ flex: "1 1 18rem" }}
      >
        <Group gap="md" mt={6} wrap="wrap">
          {KINDS.map((kind) => (
            <Checkbox key={kind} value={kind} label={t(`kind.${kind}`)} />
          ))}
        </Group>
      </Checkbox.Group>
      <Radio.Group
        label={t("filters.order")}
        value={newestFirst ? "newest" : "oldest"}
        onChange={(value) => onNewestFirstChange(value === "newest")}
      >
        <Group gap="md" mt={6} wrap="wrap">
          <Radio value="newest" label={t("filters.newest")} />
          <Radio value="oldest" label={t("filters.oldest")} />
        </Group>
      </Radio.Group>
    </Group>
  );
}
