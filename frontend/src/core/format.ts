// Times and numbers as the reader expects them: in their language, and in a time zone
// (the viewer's preference from updateMe, or the operation's).
export function formatDateTime(
  iso: string | Date,
  { zone, locale, withZone = false }: { zone: string; locale: string; withZone?: boolean },
): string {
  // Intl refuses dateStyle/timeStyle together with timeZoneName: spell the parts out.
  const options: Intl.DateTimeFormatOptions = withZone
    ? {
        year: "numeric",
        month: "short",
        day: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        timeZoneName: "short",
      }
    : { dateStyle: "medium", timeStyle: "short" };
  return new Intl.DateTimeFormat(locale, { ...options, timeZone: zone }).format(
    typeof iso === "string" ? new Date(iso) : iso,
  );
}

export function formatDate(iso: string | Date, { zone, locale }: { zone: string; locale: string }) {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: zone }).format(
    typeof iso === "string" ? new Date(iso) : iso,
  );
}

export function formatNumber(value: number | string, locale: string): string {
  return new Intl.NumberFormat(locale).format(Number(value));
}

/** Every IANA zone this browser knows, for pickers, UTC first, with the zones in use
 * (`current`): a browser may know a zone by an older name only (Asia/Calcutta for
 * Asia/Kolkata, Europe/Kiev for Europe/Kyiv), and a picker must still show the value. */
export function timeZones(current: readonly (string | null | undefined)[] = []): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const zones = new Set(intl.supportedValuesOf?.("timeZone") ?? []);
  for (const zone of current) if (zone) zones.add(zone);
  zones.delete("UTC");
  return ["UTC", ...[...zones].sort()];
}
