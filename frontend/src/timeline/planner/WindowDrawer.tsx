// A phase or control window in a drawer: planned (created), edited or moved, deleted
// after a confirmation; or, for those who may not change the plan, read. Times are typed in
// the operation's zone with the viewer's alongside. The server's verdict is shown on the
// field it concerns, in the reader's language; an overlap can be kept anyway.
import {
  Alert,
  Anchor,
  Autocomplete,
  Button,
  Drawer,
  Group,
  Modal,
  NativeSelect,
  NumberInput,
  Stack,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { useMemo, useState, type CSSProperties, type FormEvent } from "react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { useMutation } from "urql";

import { useViewer } from "../../core/auth/viewer";
import { hasRefusal } from "../../core/refusals";
import { ZonedDateTimeInput } from "../../core/time/ZonedDateTimeInput";
import { offsetMinutes } from "../../core/time/zoned";
import { graphql } from "../../gql";
import type { TimeWindowInput, TimeWindowKind } from "../../gql/graphql";
import { hoursBetween, shiftInstant } from "./axis";
import { hoursLabel, rangeLabel } from "./labels";
import {
  NAMESPACE,
  planRefusal,
  warningMessages,
  windowName,
  type NameContext,
  type PlanRefusal,
} from "./names";
import {
  isPhase,
  overlapsOf,
  placeLabel,
  WINDOW_KINDS,
  type PlanParticipation,
  type PlanWindow,
} from "./plan";

const CREATE_WINDOW = graphql(`
  mutation PlannerCreateWindow(
    $operationId: ID!
    $input: TimeWindowInput!
    $allowOverlap: Boolean
  ) {
    createTimeWindow(operationId: $operationId, input: $input, allowOverlap: $allowOverlap) {
      timeWindow {
        ...PlannerWindow
        operation {
          id
        }
      }
      warnings {
        field
        code
        message
      }
      errors {
        field
        code
        message
      }
    }
  }
`);

const UPDATE_WINDOW = graphql(`
  mutation PlannerUpdateWindow($id: ID!, $input: TimeWindowInput!, $allowOverlap: Boolean) {
    updateTimeWindow(id: $id, input: $input, allowOverlap: $allowOverlap) {
      timeWindow {
        ...PlannerWindow
        operation {
          id
        }
      }
      warnings {
        field
        code
        message
      }
      errors {
        field
        code
        message
      }
    }
  }
`);

const DELETE_WINDOW = graphql(`
  mutation PlannerDeleteWindow($id: ID!) {
    deleteTimeWindow(id: $id) {
      timeWindow {
        id
        operation {
          id
        }
      }
      errors {
        field
        code
        message
      }
    }
  }
`);

/** Mantine's default greys and light reds, oranges, indigos (descriptions, field errors, alert
 * titles, badges) are below WCAG AA for small text on white: darker shades inside the planner. */
export const READABLE = {
  "--mantine-color-dimmed": "var(--mantine-color-gray-7)",
  "--mantine-color-error": "var(--mantine-color-red-8)",
  "--mantine-color-red-light-color": "var(--mantine-color-red-9)",
  "--mantine-color-orange-light-color": "var(--mantine-color-orange-9)",
  "--mantine-color-green-light-color": "var(--mantine-color-green-9)",
  "--mantine-color-indigo-light-color": "var(--mantine-color-indigo-9)",
  "--mantine-color-gray-light-color": "var(--mantine-color-gray-8)",
} as CSSProperties;

/** A notification's look: a readable grey for its text, a named close button. */
function notice(t: TFunction) {
  return {
    styles: { description: { color: "var(--mantine-color-gray-8)" } },
    closeButtonProps: { "aria-label": t("form.close") },
  };
}

/** What the form holds: what was typed, kept whatever the server answers. */
export interface WindowDraft {
  kind: TimeWindowKind;
  participationId: string;
  locationCode: string;
  locationName: string;
  latitude: number | string;
  longitude: number | string;
  startsAt: string | null;
  endsAt: string | null;
  notes: string;
}

export type DrawerTarget =
  { mode: "create"; draft: WindowDraft } | { mode: "edit" | "view"; window: PlanWindow };

export interface PlannerContext {
  operationId: string;
  zone: string;
  span: { start: string; end: string };
  windows: readonly PlanWindow[];
  participations: readonly PlanParticipation[];
  nameContext: NameContext;
}

export function draftOf(window: PlanWindow): WindowDraft {
  return {
    kind: window.kind,
    participationId: window.participation?.id ?? "",
    locationCode: window.locationCode ?? "",
    locationName: window.locationName ?? "",
    latitude: window.latitude ?? "",
    longitude: window.longitude ?? "",
    startsAt: window.startsAt,
    endsAt: window.endsAt,
    notes: window.notes,
  };
}

const number = (value: number | string) => (value === "" || value == null ? null : Number(value));
const text = (value: string) => value.trim() || null;

function inputOf(draft: WindowDraft): TimeWindowInput {
  const control = !isPhase(draft.kind);
  return {
    kind: draft.kind,
    participationId: control ? draft.participationId || null : null,
    locationCode: control ? text(draft.locationCode) : null,
    locationName: control ? text(draft.locationName) : null,
    latitude: control ? number(draft.latitude) : null,
    longitude: control ? number(draft.longitude) : null,
    startsAt: draft.startsAt,
    endsAt: draft.endsAt,
    notes: draft.notes,
  };
}

export function WindowDrawer({
  target,
  onClose,
  context,
}: {
  target: DrawerTarget | null;
  onClose: () => void;
  context: PlannerContext;
}) {
  const { t } = useTranslation(NAMESPACE);
  const phone = useMediaQuery("(max-width: 48em)") ?? false;
  const title = !target
    ? ""
    : target.mode === "create"
      ? t(isPhase(target.draft.kind) ? "form.newPhase" : "form.newControl")
      : target.mode === "edit"
        ? t(isPhase(target.window.kind) ? "form.editPhase" : "form.editControl")
        : t(`kinds.${target.window.kind}`);
  return (
    <Drawer
      opened={target !== null}
      onClose={onClose}
      title={title}
      position="right"
      size={phone ? "100%" : "md"}
      closeButtonProps={{ "aria-label": t("form.close") }}
    >
      {target?.mode === "view" && <WindowDetails window={target.window} context={context} />}
      {target && target.mode !== "view" && (
        <WindowForm
          key={target.mode === "edit" ? `${target.window.id}@${target.window.revision}` : "new"}
          target={target}
          context={context}
          onDone={onClose}
        />
      )}
    </Drawer>
  );
}

function WindowForm({
  target,
  context,
  onDone,
}: {
  target: Exclude<DrawerTarget, { mode: "view" }>;
  context: PlannerContext;
  onDone: () => void;
}) {
  const { t } = useTranslation(NAMESPACE);
  const { locale } = useViewer();
  const { zone } = context;
  const [draft, setDraft] = useState<WindowDraft>(
    target.mode === "create" ? target.draft : draftOf(target.window),
  );
  const [refusal, setRefusal] = useState<PlanRefusal | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [created, create] = useMutation(CREATE_WINDOW);
  const [updated, update] = useMutation(UPDATE_WINDOW);
  const saving = created.fetching || updated.fetching;
  const control = !isPhase(draft.kind);
  const windowId = target.mode === "edit" ? target.window.id : undefined;
  const set = <K extends keyof WindowDraft>(field: K, value: WindowDraft[K]) =>
    setDraft((current) => ({ ...current, [field]: value }));

  const participation = context.participations.find((p) => p.id === draft.participationId);
  const choosable = context.participations.filter(
    (p) => p.role !== "OBSERVER" && (p.state === "INVITED" || p.state === "ACCEPTED"),
  );
  if (participation && !choosable.includes(participation)) choosable.push(participation);

  const submit = async (allowOverlap: boolean) => {
    const input = inputOf(draft);
    const result =
      target.mode === "create"
        ? await create({ operationId: context.operationId, input, allowOverlap })
        : await update({ id: target.window.id, input, allowOverlap });
    const payload =
      result.data &&
      ("createTimeWindow" in result.data
        ? result.data.createTimeWindow
        : result.data.updateTimeWindow);
    const overlaps =
      draft.startsAt && draft.endsAt
        ? overlapsOf(context.windows, {
            id: windowId,
            participationId: draft.participationId || null,
            locationCode: text(draft.locationCode),
            locationName: text(draft.locationName),
            latitude: number(draft.latitude),
            longitude: number(draft.longitude),
            startsAt: draft.startsAt,
            endsAt: draft.endsAt,
          })
        : [];
    const verdict = planRefusal(
      t,
      { payloadErrors: payload?.errors, error: result.error },
      { zone, locale, span: context.span, overlaps, nameContext: context.nameContext },
    );
    if (hasRefusal(verdict) || !payload?.timeWindow) {
      setRefusal(
        hasRefusal(verdict)
          ? verdict
          : { fields: {}, general: [t("core:errors.UNKNOWN")], codes: new Set() },
      );
      return;
    }
    const saved = windowName(t, payload.timeWindow, context.nameContext);
    const warnings = warningMessages(t, payload.warnings);
    notifications.show({
      ...notice(t),
      color: warnings.length ? "orange" : "green",
      title: t(target.mode === "create" ? "form.created" : "form.saved"),
      message: [saved, ...warnings].join(" "),
    });
    onDone();
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit(false);
  };

  const move = (change: { days?: number; hours?: number }) => {
    setDraft((current) => ({
      ...current,
      startsAt: current.startsAt
        ? shiftInstant(new Date(current.startsAt), zone, change).toISOString()
        : null,
      endsAt: current.endsAt
        ? shiftInstant(new Date(current.endsAt), zone, change).toISOString()
        : null,
    }));
  };

  const stretch = (change: { days?: number; hours?: number }) => {
    setDraft((current) => ({
      ...current,
      endsAt: current.endsAt
        ? shiftInstant(new Date(current.endsAt), zone, change).toISOString()
        : null,
    }));
  };

  const fieldError = (field: string) => refusal?.fields[field];
  const length =
    draft.startsAt && draft.endsAt && Date.parse(draft.endsAt) > Date.parse(draft.startsAt)
      ? hoursBetween(new Date(draft.startsAt), new Date(draft.endsAt))
      : null;
  // The clocks change during the window when the zone's offset differs at its two ends.
  const clocksChange =
    length !== null &&
    offsetMinutes(new Date(draft.startsAt!), zone) !== offsetMinutes(new Date(draft.endsAt!), zone);
  const locations = participation?.locations ?? [];
  const name = target.mode === "edit" ? windowName(t, target.window, context.nameContext) : "";

  return (
    <form onSubmit={onSubmit} noValidate aria-label={t("form.label")} style={READABLE}>
      <Stack gap="sm">
        {refusal && refusal.general.length > 0 && (
          <Alert color="red" role="alert" title={t("form.refused")}>
            {refusal.general.map((message) => (
              <Text key={message} size="sm">
                {message}
              </Text>
            ))}
          </Alert>
        )}
        <NativeSelect
          label={t("form.kind")}
          value={draft.kind}
          onChange={(event) => set("kind", event.currentTarget.value as TimeWindowKind)}
          data={WINDOW_KINDS.map((kind) => ({ value: kind, label: t(`kinds.${kind}`) }))}
          error={fieldError("kind")}
          required
        />
        {control && (
          <>
            <NativeSelect
              label={t("form.participation")}
              value={draft.participationId}
              onChange={(event) => set("participationId", event.currentTarget.value)}
              data={[
                { value: "", label: t("form.chooseParticipation") },
                ...choosable.map((p) => ({
                  value: p.id,
                  label: `${p.agency.acronym} · ${p.agency.name}`,
                })),
              ]}
              error={fieldError("participationId")}
              required
            />
            <Autocomplete
              label={t("form.locationCode")}
              description={t("form.locationCodeHelp")}
              value={draft.locationCode}
              onChange={(value) => set("locationCode", value.toUpperCase())}
              data={locations}
              maxLength={5}
              error={fieldError("locationCode")}
              autoComplete="off"
            />
            <TextInput
              label={t("form.locationName")}
              value={draft.locationName}
              onChange={(event) => set("locationName", event.currentTarget.value)}
              error={fieldError("locationName")}
              maxLength={200}
            />
            <Group grow align="flex-start" gap="xs">
              <NumberInput
                label={t("form.latitude")}
                value={draft.latitude}
                onChange={(value) => set("latitude", value)}
                min={-90}
                max={90}
                decimalScale={6}
                hideControls
                error={fieldError("latitude")}
              />
              <NumberInput
                label={t("form.longitude")}
                value={draft.longitude}
                onChange={(value) => set("longitude", value)}
                min={-180}
                max={180}
                decimalScale={6}
                hideControls
                error={fieldError("longitude")}
              />
            </Group>
            <Text size="xs" c="gray.7" mt={-6}>
              {t("form.coordinatesHelp")}
            </Text>
          </>
        )}
        <ZonedDateTimeInput
          label={t("form.start")}
          value={draft.startsAt}
          onChange={(value) => set("startsAt", value)}
          zone={zone}
          error={fieldError("startsAt")}
          required
        />
        <ZonedDateTimeInput
          label={t("form.end")}
          value={draft.endsAt}
          onChange={(value) => set("endsAt", value)}
          zone={zone}
          error={fieldError("endsAt")}
          required
        />
        {length !== null && (
          <Text size="sm" aria-live="polite">
            {t(clocksChange ? "form.lengthClocksChange" : "form.length", {
              hours: hoursLabel(length, locale),
            })}
          </Text>
        )}
        {refusal?.codes.has("OVERLAPPING_WINDOW") && (
          <Alert
            color="orange"
            title={t("form.overlapTitle")}
            styles={{ title: { color: "var(--mantine-color-dark-9)" } }}
          >
            <Text size="sm" mb="xs">
              {t("form.overlapHelp")}
            </Text>
            <Button
              variant="filled"
              color="dark.7"
              size="xs"
              loading={saving}
              onClick={() => void submit(true)}
            >
              {t("form.keepAnyway")}
            </Button>
          </Alert>
        )}
        <div role="group" aria-labelledby="planner-move-label">
          <Text size="sm" fw={500} id="planner-move-label" mb={4}>
            {t("form.move")}
          </Text>
          <Group gap={6}>
            <Button variant="default" size="xs" onClick={() => move({ days: -1 })}>
              {t("form.moveDayEarlier")}
            </Button>
            <Button variant="default" size="xs" onClick={() => move({ hours: -1 })}>
              {t("form.moveHourEarlier")}
            </Button>
            <Button variant="default" size="xs" onClick={() => move({ hours: 1 })}>
              {t("form.moveHourLater")}
            </Button>
            <Button variant="default" size="xs" onClick={() => move({ days: 1 })}>
              {t("form.moveDayLater")}
            </Button>
          </Group>
        </div>
        <div role="group" aria-labelledby="planner-stretch-label">
          <Text size="sm" fw={500} id="planner-stretch-label" mb={4}>
            {t("form.stretch")}
          </Text>
          <Group gap={6}>
            <Button variant="default" size="xs" onClick={() => stretch({ days: -1 })}>
              {t("form.dayShorter")}
            </Button>
            <Button variant="default" size="xs" onClick={() => stretch({ hours: -1 })}>
              {t("form.hourShorter")}
            </Button>
            <Button variant="default" size="xs" onClick={() => stretch({ hours: 1 })}>
              {t("form.hourLonger")}
            </Button>
            <Button variant="default" size="xs" onClick={() => stretch({ days: 1 })}>
              {t("form.dayLonger")}
            </Button>
          </Group>
        </div>
        <Textarea
          label={t("form.notes")}
          value={draft.notes}
          onChange={(event) => set("notes", event.currentTarget.value)}
          autosize
          minRows={2}
          maxRows={6}
          error={fieldError("notes")}
        />
        <Group justify="space-between" mt="sm">
          {target.mode === "edit" ? (
            <Button color="red" variant="outline" onClick={() => setConfirming(true)}>
              {t("form.delete")}
            </Button>
          ) : (
            <span />
          )}
          <Group gap="xs">
            <Button variant="default" onClick={onDone}>
              {t("form.cancel")}
            </Button>
            <Button type="submit" loading={saving}>
              {t(target.mode === "create" ? "form.create" : "form.save")}
            </Button>
          </Group>
        </Group>
      </Stack>
      {target.mode === "edit" && (
        <DeleteConfirmation
          opened={confirming}
          window={target.window}
          name={name}
          context={context}
          onCancel={() => setConfirming(false)}
          onDeleted={onDone}
        />
      )}
    </form>
  );
}

function DeleteConfirmation({
  opened,
  window,
  name,
  context,
  onCancel,
  onDeleted,
}: {
  opened: boolean;
  window: PlanWindow;
  name: string;
  context: PlannerContext;
  onCancel: () => void;
  onDeleted: () => void;
}) {
  const { t } = useTranslation(NAMESPACE);
  const { locale } = useViewer();
  const [deleted, remove] = useMutation(DELETE_WINDOW);
  const [messages, setMessages] = useState<string[]>([]);
  const confirm = async () => {
    const result = await remove({ id: window.id });
    const verdict = planRefusal(
      t,
      { payloadErrors: result.data?.deleteTimeWindow?.errors, error: result.error },
      {
        zone: context.zone,
        locale,
        span: context.span,
        overlaps: [],
        nameContext: context.nameContext,
      },
    );
    if (hasRefusal(verdict)) {
      setMessages([...verdict.general, ...Object.values(verdict.fields)]);
      return;
    }
    notifications.show({ ...notice(t), color: "green", title: t("delete.done"), message: name });
    onDeleted();
  };
  return (
    <Modal
      opened={opened}
      onClose={onCancel}
      title={t(isPhase(window.kind) ? "delete.titlePhase" : "delete.titleControl")}
      centered
      zIndex={400}
      closeButtonProps={{ "aria-label": t("form.close") }}
    >
      <Stack gap="sm" style={READABLE}>
        <Text size="sm">{name}</Text>
        <Text size="sm">{t("delete.text")}</Text>
        {messages.length > 0 && (
          <Alert color="red" role="alert" title={t("delete.refused")}>
            {messages.map((message) => (
              <Text key={message} size="sm">
                {message}
              </Text>
            ))}
          </Alert>
        )}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onCancel}>
            {t("delete.keep")}
          </Button>
          <Button color="red" loading={deleted.fetching} onClick={() => void confirm()}>
            {t("delete.confirm")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** A window as those who may not change the plan read it. */
function WindowDetails({ window, context }: { window: PlanWindow; context: PlannerContext }) {
  const { t } = useTranslation(NAMESPACE);
  const { zone: viewerZone, locale } = useViewer();
  const { zone } = context;
  const start = new Date(window.startsAt);
  const end = new Date(window.endsAt);
  const participation = context.participations.find((p) => p.id === window.participation?.id);
  const rows = useMemo(() => {
    const entries: [string, string][] = [];
    if (participation)
      entries.push([
        t("form.participation"),
        `${participation.agency.acronym} · ${participation.agency.name}`,
      ]);
    const place = [placeLabel(window), window.locationCode ? window.locationName : null]
      .filter(Boolean)
      .join(" · ");
    if (!isPhase(window.kind)) entries.push([t("details.place"), place || t("axis.noPlace")]);
    entries.push([t("details.when", { zone }), rangeLabel(start, end, zone, locale)]);
    if (viewerZone !== zone)
      entries.push([
        t("details.whenForYou", { zone: viewerZone }),
        rangeLabel(start, end, viewerZone, locale),
      ]);
    entries.push([t("details.length"), hoursLabel(hoursBetween(start, end), locale)]);
    if (window.notes) entries.push([t("form.notes"), window.notes]);
    return entries;
  }, [window, participation, zone, viewerZone, locale, t]);
  return (
    <Stack gap="sm" style={READABLE}>
      <dl style={{ margin: 0 }}>
        {rows.map(([term, value]) => (
          <div key={term} style={{ marginBottom: 8 }}>
            <Text component="dt" size="xs" c="gray.7">
              {term}
            </Text>
            <Text component="dd" size="sm" m={0} style={{ whiteSpace: "pre-wrap" }}>
              {value}
            </Text>
          </div>
        ))}
      </dl>
      <Anchor href={window.icsUrl} size="sm">
        {t("details.ics")}
      </Anchor>
    </Stack>
  );
}
