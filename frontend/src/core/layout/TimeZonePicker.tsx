import { Select } from "@mantine/core";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { useMutation } from "urql";

import { graphql } from "../../gql";
import { useViewer } from "../auth/viewer";
import { timeZones } from "../format";

const UPDATE_ME = graphql(`
  mutation UpdateMyTimeZone($timeZone: String!) {
    updateMe(input: { timeZone: $timeZone }) {
      me { timeZone }
      errors { field code message }
    }
  }
`);

/** The zone every time is shown in (me.timeZone), changed with updateMe. */
export function TimeZonePicker({ compact = false }: { compact?: boolean }) {
  const { t } = useTranslation();
  const { zone } = useViewer();
  const [{ fetching }, update] = useMutation(UPDATE_ME);
  const zones = useMemo(() => timeZones([zone]), [zone]);
  return (
    <Select
      label={compact ? undefined : t("layout.timeZone")}
      aria-label={t("layout.timeZone")}
      data={zones}
      value={zone}
      searchable
      disabled={fetching}
      allowDeselect={false}
      onChange={(value) => value && update({ timeZone: value })}
      w={compact ? 200 : undefined}
    />
  );
}
