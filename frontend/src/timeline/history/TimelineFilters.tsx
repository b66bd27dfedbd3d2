// Which kinds of entry the timeline shows, and in which order.
import { Chip, Fieldset, Group, SegmentedControl, Stack, Text } from "@mantine/core";
import { useId } from "react";
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
  const orderLabel = useId();
  return (
    <Group align="flex-end" gap="md" wrap="wrap">
      <Fieldset legend={t("filters.legend")} variant="unstyled" p={0} style={{ flex: "1 1 20rem" }}>
        <Chip.Group
          multiple
          value={kinds}
          onChange={(value) => onKindsChange(KINDS.filter((kind) => value.includes(kind)))}
        >
          <Group gap="xs" mt={4}>
            {KINDS.map((kind) => (
              <Chip key={kind} value={kind} color="blue.9" size="sm">
                {t(`kind.${kind}`)}
              </Chip>
            ))}
          </Group>
        </Chip.Group>
      </Fieldset>
      <Stack gap={4}>
        <Text id={orderLabel} size="sm" fw={500}>
          {t("filters.order")}
        </Text>
        <SegmentedControl
          aria-labelledby={orderLabel}
          value={newestFirst ? "newest" : "oldest"}
          onChange={(value) => onNewestFirstChange(value === "newest")}
          data={[
            { value: "newest", label: t("filters.newest") },
            { value: "oldest", label: t("filters.oldest") },
          ]}
        />
      </Stack>
    </Group>
  );
}
