// The plan as a list, for a phone or for anyone who prefers reading to scanning an axis:
// the phases, then each agency's places with their windows in time order, each in the
// operation's zone with the viewer's time alongside. The same buttons, with the same
// names, as on the axis.
import { Badge, Button, Group, Stack, Text, Title, UnstyledButton } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { hoursBetween } from "./axis";
import { dayTimeLabel, hoursLabel, rangeLabel } from "./labels";
import { windowName, type NameContext } from "./names";
import type { Plan, PlanRow, PlanWindow } from "./plan";
import classes from "./Planner.module.css";

export interface ListProps {
  plan: Plan;
  zone: string;
  viewerZone: string;
  locale: string;
  nameContext: NameContext;
  canEdit: boolean;
  onOpen: (window: PlanWindow) => void;
  onAdd: (row: PlanRow | null) => void;
  rowName: (row: PlanRow) => string;
}

export function PlanList(props: ListProps) {
  const { plan, canEdit, onAdd } = props;
  const { t } = useTranslation("timeline.planner");
  return (
    <Stack gap="lg">
      <div role="group" aria-labelledby="plan-list-phases">
        <Group justify="space-between" mb="xs">
          <Title order={3} size="h4" id="plan-list-phases">
            {t("axis.phases")}
          </Title>
        </Group>
        <Windows {...props} row={plan.phases} />
      </div>
      {plan.groups.map((group) => (
        <div
          role="group"
          key={group.participation.id}
          aria-labelledby={`plan-list-${group.participation.id}`}
        >
          <Group gap="xs" mb="xs">
            <Title order={3} size="h4" id={`plan-list-${group.participation.id}`}>
              {group.participation.agency.acronym}
            </Title>
            <Text size="sm" c="gray.7">
              {group.participation.agency.name}
            </Text>
            {group.own && (
              <Badge size="sm" variant="light" color="indigo">
                {t("axis.yourAgency")}
              </Badge>
            )}
            {group.participation.state === "INVITED" && (
              <Badge size="sm" variant="outline" color="gray">
                {t("axis.invited")}
              </Badge>
            )}
          </Group>
          <Stack gap="md">
            {group.rows.map((row) => (
              <div key={row.key}>
                <Group justify="space-between" wrap="nowrap" mb={4} align="flex-start">
                  <Title order={4} size="h6" style={{ flex: 1, minWidth: 0 }}>
                    {row.locationCode ?? (row.place || t("axis.noPlace"))}
                    {row.locationName && row.locationCode ? (
                      <Text span size="sm" c="gray.7" fw={400}>
                        {" "}
                        · {row.locationName}
                      </Text>
                    ) : null}
                  </Title>
                  {canEdit && (
                    <Button
                      variant="light"
                      size="xs"
                      style={{ flex: "none" }}
                      aria-label={t("actions.addControlAt", { row: props.rowName(row) })}
                      onClick={() => onAdd(row)}
                    >
                      {t("actions.add")}
                    </Button>
                  )}
                </Group>
                <Windows {...props} row={row} own={group.own} />
              </div>
            ))}
          </Stack>
        </div>
      ))}
    </Stack>
  );
}

function Windows({
  row,
  own = false,
  zone,
  viewerZone,
  locale,
  nameContext,
  onOpen,
  rowName,
}: ListProps & { row: PlanRow; own?: boolean }) {
  const { t } = useTranslation("timeline.planner");
  const [all, setAll] = useState(false);
  if (!row.windows.length) {
    return (
      <Text size="sm" c="gray.7">
        {t("list.none")}
      </Text>
    );
  }
  const phases = row.key === "phases";
  // A long row opens on what is current or next; the rest is a click away.
  const now = Date.now();
  const current = Math.max(
    0,
    row.windows.findIndex((w) => Date.parse(w.endsAt) > now),
  );
  const from = Math.min(current, Math.max(0, row.windows.length - FEW));
  const shown =
    all || row.windows.length <= FEW + 1 ? row.windows : row.windows.slice(from, from + FEW);
  return (
    <>
      <Stack gap={6} component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
        {shown.map((window) => {
          const start = new Date(window.startsAt);
          const end = new Date(window.endsAt);
          const name = windowName(t, window, nameContext);
          const overlapping = row.overlapping.has(window.id);
          return (
            <li key={window.id} className={classes.listItem}>
              <Group gap="xs" wrap="nowrap" align="flex-start">
                <span
                  aria-hidden
                  className={`${classes.swatch} ${
                    phases
                      ? `${classes.phase} ${classes[window.kind]}`
                      : own
                        ? classes.controlOwn
                        : classes.control
                  }`}
                  style={{ marginTop: 3, flex: "none" }}
                />
                <div style={{ minWidth: 0 }}>
                  {/* The button's text is its name, or part of it; the whole card opens it. */}
                  <UnstyledButton
                    onClick={() => onOpen(window)}
                    aria-label={overlapping ? t("name.overlapping", { name }) : name}
                    className={classes.listButton}
                  >
                    <Text span size="sm" fw={600}>
                      {phases ? name : rangeLabel(start, end, zone, locale)}
                    </Text>
                  </UnstyledButton>
                  <Text size="xs" c="gray.7">
                    {hoursLabel(hoursBetween(start, end), locale)}
                    {viewerZone !== zone &&
                      ` · ${t("yourTime", {
                        range: `${dayTimeLabel(start, viewerZone, locale)} – ${dayTimeLabel(end, viewerZone, locale)}`,
                      })}`}
                  </Text>
                  {overlapping && (
                    <Text size="xs" c="orange.9">
                      {t("list.overlapping")}
                    </Text>
                  )}
                  {window.notes && (
                    <Text size="xs" lineClamp={2}>
                      {window.notes}
                    </Text>
                  )}
                </div>
              </Group>
            </li>
          );
        })}
      </Stack>
      {shown.length < row.windows.length && (
        <Button
          variant="subtle"
          size="xs"
          mt={4}
          onClick={() => setAll(true)}
          aria-label={t("list.showAllOf", {
            count: row.windows.length,
            row: phases ? t("axis.phases") : rowName(row),
          })}
        >
          {t("list.showAll", { count: row.windows.length, shown: shown.length })}
        </Button>
      )}
      {all && row.windows.length > FEW + 1 && (
        <Button variant="subtle" size="xs" mt={4} onClick={() => setAll(false)}>
          {t("list.showFewer")}
        </Button>
      )}
    </>
  );
}

const FEW = 4;
