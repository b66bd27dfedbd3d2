// The planner of an operation (/operations/:operationId/plan): its phases and control
// windows on a time axis (or as a list), in the operation's zone with the viewer's
// alongside. Those who may change the operation (change_operation) plan here; everyone
// else who sees the operation reads the plan.
import { Alert, Button, Center, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { useQuery } from "urql";

import { useViewer } from "../../core/auth/viewer";
import { instantOf } from "../../core/time/zoned";
import { graphql } from "../../gql";
import type { TimeWindowKind } from "../../gql/graphql";
import { dayOf, shiftInstant } from "../planner/axis";
import { ChoiceButtons } from "../planner/ChoiceButtons";
import { rangeLabel } from "../planner/labels";
import type { NameContext } from "../planner/names";
import { PHASE_KINDS, buildPlan, type PlanRow, type PlanWindow } from "../planner/plan";
import { PlanAxis } from "../planner/PlanAxis";
import { PlanList } from "../planner/PlanList";
import {
  READABLE,
  WindowDrawer,
  draftOf,
  type DrawerTarget,
  type PlannerContext,
  type WindowDraft,
} from "../planner/WindowDrawer";

const PLANNER_OPERATION = graphql(`
  query PlannerOperation($id: ID!) {
    operation(id: $id) {
      id
      code
      name
      status
      timeZone
      plannedStart
      plannedEnd
      viewerPermissions
      participations {
        ...PlannerParticipation
      }
      timeWindows {
        ...PlannerWindow
      }
    }
  }
`);

/** Statuses whose plan the server no longer lets change: the planner then only reads. */
const FINISHED = new Set(["CLOSED", "ARCHIVED", "CANCELLED"]);

export function PlannerPage() {
  const { operationId = "" } = useParams();
  const { t } = useTranslation("timeline.planner");
  const viewer = useViewer();
  const phone = useMediaQuery("(max-width: 48em)") ?? false;
  const [view, setView] = useState<"axis" | "list" | null>(null);
  const [target, setTarget] = useState<DrawerTarget | null>(null);
  const [{ data, fetching, error }] = useQuery({
    query: PLANNER_OPERATION,
    variables: { id: operationId },
  });
  const operation = data?.operation ?? null;

  const plan = useMemo(
    () =>
      operation
        ? buildPlan(operation.timeWindows, operation.participations, viewer.me.agency?.id ?? null)
        : null,
    [operation, viewer.me.agency?.id],
  );
  const nameContext: NameContext | null = useMemo(
    () =>
      operation
        ? {
            zone: operation.timeZone,
            locale: viewer.locale,
            participations: new Map(operation.participations.map((p) => [p.id, p])),
          }
        : null,
    [operation, viewer.locale],
  );

  if (fetching && !data) {
    return (
      <Center mih="40vh">
        <Loader aria-label={t("loading")} />
      </Center>
    );
  }
  if (!operation || !plan || !nameContext) {
    return (
      <Alert color={error ? "red" : "gray"} role="alert" title={t(error ? "failed" : "notFound")}>
        {error?.networkError
          ? t("core:errors.NETWORK")
          : t(error ? "core:errors.UNKNOWN" : "core:notFound.text")}
      </Alert>
    );
  }

  const zone = operation.timeZone;
  const span = { start: operation.plannedStart, end: operation.plannedEnd };
  const mayChange = operation.viewerPermissions.includes("change_operation");
  const canEdit = mayChange && !FINISHED.has(operation.status);
  const shown = view ?? (phone ? "list" : "axis");
  const context: PlannerContext = {
    operationId: operation.id,
    zone,
    span,
    windows: operation.timeWindows,
    participations: operation.participations,
    nameContext,
  };
  const rowName = (row: PlanRow) => {
    const agency = row.participation?.agency.acronym ?? "";
    return row.place ? t("row", { agency, place: row.place }) : agency;
  };
  const open = (window: PlanWindow) => setTarget({ mode: canEdit ? "edit" : "view", window });
  const add = (row: PlanRow | null, kind?: TimeWindowKind) =>
    setTarget({ mode: "create", draft: newDraft(row, kind, operation.timeWindows, span, zone) });
  const props = {
    plan,
    zone,
    viewerZone: viewer.zone,
    locale: viewer.locale,
    nameContext,
    canEdit,
    onOpen: open,
    onAdd: (row: PlanRow | null) => add(row, row?.key === "phases" ? undefined : "CONTROL"),
    rowName,
  };

  return (
    <Stack gap="md" style={READABLE}>
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <div>
          <Title order={2}>{t("title")}</Title>
          <Text size="sm" c="gray.7">
            {t("span", {
              code: operation.code,
              span: rangeLabel(new Date(span.start), new Date(span.end), zone, viewer.locale),
              zone,
            })}
          </Text>
        </div>
        {canEdit && (
          <Group gap="xs">
            <Button variant="light" onClick={() => add(plan.phases)}>
              {t("actions.addPhase")}
            </Button>
            <Button onClick={() => add(null, "CONTROL")}>{t("actions.addControl")}</Button>
          </Group>
        )}
      </Group>
      {!mayChange && <Text size="sm">{t("readOnly")}</Text>}
      {mayChange && !canEdit && (
        <Alert color="gray" title={t("finished.title")}>
          {t(`finished.${operation.status}`)}
        </Alert>
      )}
      <div>
        <ChoiceButtons
          label={t("view.label")}
          value={shown}
          onChange={setView}
          options={[
            { value: "axis", label: t("view.axis") },
            { value: "list", label: t("view.list") },
          ]}
        />
      </div>
      {shown === "axis" ? <PlanAxis {...props} span={span} /> : <PlanList {...props} />}
      <WindowDrawer target={target} onClose={() => setTarget(null)} context={context} />
    </Stack>
  );
}

/** A new window's first values, for convenience (the server decides what may be planned):
 * a phase after the last one; a control window the day after the row's last, else on the
 * first operational phase's first day, 08:00 to 16:00 in the operation's zone. */
function newDraft(
  row: PlanRow | null,
  kind: TimeWindowKind | undefined,
  windows: readonly PlanWindow[],
  span: { start: string; end: string },
  zone: string,
): WindowDraft {
  const empty: WindowDraft = {
    kind: kind ?? "OPERATIONAL",
    participationId: "",
    locationCode: "",
    locationName: "",
    latitude: "",
    longitude: "",
    startsAt: null,
    endsAt: null,
    notes: "",
  };
  const phases = windows.filter((w) => PHASE_KINDS.includes(w.kind));
  if (!kind || kind !== "CONTROL") {
    const planned = new Set(phases.map((w) => w.kind));
    const next = PHASE_KINDS.find((k) => !planned.has(k)) ?? "OPERATIONAL";
    const last = [...phases].sort((a, b) => Date.parse(b.endsAt) - Date.parse(a.endsAt))[0];
    const start = last ? new Date(last.endsAt) : new Date(span.start);
    return {
      ...empty,
      kind: next,
      startsAt: start.toISOString(),
      endsAt: shiftInstant(start, zone, { days: 1 }).toISOString(),
    };
  }
  const previous = row?.windows.at(-1);
  if (previous) {
    return {
      ...draftOf(previous),
      notes: "",
      startsAt: shiftInstant(new Date(previous.startsAt), zone, { days: 1 }).toISOString(),
      endsAt: shiftInstant(new Date(previous.endsAt), zone, { days: 1 }).toISOString(),
    };
  }
  const operational = phases
    .filter((w) => w.kind === "OPERATIONAL")
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt))[0];
  const base = new Date(operational?.startsAt ?? span.start);
  let start = instantOf({ ...dayOf(base, zone).date, hour: 8, minute: 0 }, zone).instant;
  if (start < base) start = base;
  return {
    ...empty,
    kind: "CONTROL",
    participationId: row?.participation?.id ?? "",
    locationCode: row?.locationCode ?? "",
    locationName: row?.locationName ?? "",
    startsAt: start.toISOString(),
    endsAt: shiftInstant(start, zone, { hours: 8 }).toISOString(),
  };
}
