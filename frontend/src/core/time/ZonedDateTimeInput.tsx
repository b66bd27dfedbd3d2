// A date and a time typed in a given zone (the operation's, say), giving and taking an
// instant (ISO 8601). Two plain fields a person (and a test) can type in: a date field
// with a calendar, and the browser's own time field. It says when the typed time never
// happened or happened twice (daylight saving), and shows the same instant in the
// viewer's zone alongside.
import { Group, Input } from "@mantine/core";
import { DateInput, TimeInput } from "@mantine/dates";
import { useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

import { useViewer } from "../auth/viewer";
import { formatDateTime } from "../format";
import { instantOf, toApi, type WallTime, wallTimeAt } from "./zoned";

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

const pad = (n: number) => String(n).padStart(2, "0");
const dayOf = (wall: WallTime) => `${wall.year}-${pad(wall.month)}-${pad(wall.day)}`;
const clockOf = (wall: WallTime) => `${pad(wall.hour)}:${pad(wall.minute)}`;

function wallOf(day: string | null, clock: string): WallTime | null {
  const date = day?.match(/^(\d{4})-(\d{2})-(\d{2})/);
  const time = clock.match(/^(\d{2}):(\d{2})/);
  if (!date || !time) return null;
  const [year, month, dayOfMonth] = date.slice(1).map(Number);
  const [hour, minute] = time.slice(1).map(Number);
  return { year, month, day: dayOfMonth, hour, minute };
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
  const id = useId();
  const wall = value ? wallTimeAt(new Date(value), zone) : null;
  // What is typed, which may be half a time (a date without its hour) for a while.
  const [day, setDay] = useState<string | null>(wall ? dayOf(wall) : null);
  const [clock, setClock] = useState(wall ? clockOf(wall) : "");
  // Follow the value (and the zone) when they change from outside, not when the value is
  // the one just typed here (a skipped 02:30 stays as typed, with its note).
  const shown = useRef({ value, zone });
  useEffect(() => {
    if (!wall || (value === shown.current.value && zone === shown.current.zone)) return;
    shown.current = { value, zone };
    setDay(dayOf(wall));
    setClock(clockOf(wall));
  }, [value, zone]);

  function typed(nextDay: string | null, nextClock: string) {
    setDay(nextDay);
    setClock(nextClock);
    const typedWall = wallOf(nextDay, nextClock);
    const instant = typedWall ? toApi(instantOf(typedWall, zone).instant) : null;
    shown.current = { value: instant, zone };
    onChange(instant);
  }

  const typedWall = wallOf(day, clock);
  const resolved = typedWall ? instantOf(typedWall, zone) : null;
  const notes = [description ?? t("time.inZone", { zone })];
  if (resolved && viewer.zone !== zone) {
    notes.push(
      t("time.forYou", {
        time: formatDateTime(resolved.instant, {
          zone: viewer.zone,
          locale: viewer.locale,
          withZone: true,
        }),
      }),
    );
  }
  if (resolved?.ambiguous) notes.push(t("time.ambiguous"));
  if (resolved?.skipped) notes.push(t("time.skipped"));

  return (
    <Input.Wrapper
      id={id}
      label={label}
      labelElement="div"
      required={required}
      error={error}
      description={notes.join(" · ")}
    >
      <Group gap="xs" wrap="nowrap" mt={4}>
        <DateInput
          aria-label={t("time.dateOf", { label })}
          aria-describedby={`${id}-description`}
          placeholder="YYYY-MM-DD"
          valueFormat="YYYY-MM-DD"
          value={day}
          onChange={(next) => typed(next, clock)}
          error={Boolean(error)}
          required={required}
          clearable={!required}
          style={{ flex: 3 }}
        />
        <TimeInput
          aria-label={t("time.timeOf", { label })}
          value={clock}
          onChange={(event) => typed(day, event.currentTarget.value)}
          error={Boolean(error)}
          required={required}
          style={{ flex: 2 }}
        />
      </Group>
    </Input.Wrapper>
  );
}
