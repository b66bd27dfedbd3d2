// A date-time field read and typed in a given zone (the operation's, say), giving and
// taking instants (ISO 8601). It tells when the typed time never happened or happened
// twice (daylight saving), and shows the same instant in the viewer's zone alongside.
import { DateTimePicker } from "@mantine/dates";
import { useTranslation } from "react-i18next";

import { useViewer } from "../auth/viewer";
import { formatDateTime } from "../format";
import { formatWall, instantOf, parseWall, toApi, wallTimeAt } from "./zoned";

export interface ZonedDateTimeInputProps {
  label: string;
  /** The instant (ISO 8601), or null. */
  value: string | null;
  onChange: (value: string | null) => void;
  /** The zone the time is typed in. */
  zone: string;
  error?: string;
  required?: boolean;
  description?: string;
}

export function ZonedDateTimeInput({
  label,
  value,
  onChange,
  zone,
  error,
  required,
  description,
}: ZonedDateTimeInputProps) {
  const { t } = useTranslation();
  const viewer = useViewer();
  const instant = value ? new Date(value) : null;
  const wall = instant ? parseWall(formatWall(wallTimeAt(instant, zone))) : null;
  const resolved = wall ? instantOf(wall, zone) : null;
  const notes = [description ?? t("time.inZone", { zone })];
  if (instant && viewer.zone !== zone) {
    notes.push(
      t("time.forYou", {
        time: formatDateTime(instant, { zone: viewer.zone, locale: viewer.locale, withZone: true }),
      }),
    );
  }
  if (resolved?.ambiguous) notes.push(t("time.ambiguous"));
  return (
    <DateTimePicker
      label={label}
      required={required}
      error={error}
      description={notes.join(" · ")}
      value={wall ? formatWall(wall) : null}
      valueFormat="YYYY-MM-DD HH:mm"
      clearable={!required}
      onChange={(text) => {
        const typed = text ? parseWall(text) : null;
        onChange(typed ? toApi(instantOf(typed, zone).instant) : null);
      }}
    />
  );
}
