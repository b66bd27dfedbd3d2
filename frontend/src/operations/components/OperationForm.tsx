// The form of an operation, to create one or change it. What the server refuses is
// said on the field concerned; what was typed stays, whatever happened.
import {
  Alert,
  Button,
  Checkbox,
  Group,
  MultiSelect,
  Radio,
  Select,
  SimpleGrid,
  Stack,
  Textarea,
  TextInput,
} from "@mantine/core";
import { type FormEvent, type ReactNode, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { timeZones } from "../../core/format";
import { NO_REFUSAL, type Refusal } from "../../core/refusals";
import { ZonedDateTimeInput } from "../../core/time/ZonedDateTimeInput";
import type { Marking, OperationFocus } from "../../gql/graphql";
import { FOCUSES, MARKINGS } from "../labels";
import { MarkingBadge } from "./MarkingBadge";

export interface OperationFormValues {
  code: string;
  name: string;
  description: string;
  focus: OperationFocus | null;
  timeZone: string;
  plannedStart: string | null;
  plannedEnd: string | null;
  defaultMarking: Marking;
  acceptLateReports: boolean;
  coordinators: string[];
  analysts: string[];
}

export interface Person {
  id: string;
  label: string;
}

/** The API's input fields this form shows, and the form's own name for each. */
export const FORM_FIELDS: Record<string, string | true> = {
  code: true,
  name: true,
  description: true,
  focus: true,
  timeZone: true,
  plannedStart: true,
  plannedEnd: true,
  defaultMarking: true,
  acceptLateReports: true,
  coordinatorIds: "coordinators",
  analystIds: "analysts",
};

const REQUIRED: (keyof OperationFormValues)[] = [
  "code",
  "name",
  "focus",
  "timeZone",
  "plannedStart",
  "plannedEnd",
];

export function OperationForm({
  mode,
  initial,
  coordinatorCandidates = [],
  analystCandidates = [],
  submitLabel,
  cancelTo,
  onSubmit,
}: {
  mode: "create" | "edit";
  initial: OperationFormValues;
  coordinatorCandidates?: Person[];
  analystCandidates?: Person[];
  submitLabel: string;
  cancelTo: string;
  /** Sends the values; resolves to what was refused (or nothing). */
  onSubmit: (values: OperationFormValues) => Promise<Refusal | null>;
}) {
  const { t } = useTranslation("operations");
  const [values, setValues] = useState(initial);
  const [refusal, setRefusal] = useState<Refusal>(NO_REFUSAL);
  const [busy, setBusy] = useState(false);
  const zones = useMemo(() => timeZones([initial.timeZone]), [initial.timeZone]);

  function set<K extends keyof OperationFormValues>(key: K, value: OperationFormValues[K]) {
    setValues((current) => ({ ...current, [key]: value }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const missing = REQUIRED.filter((key) => {
      const value = values[key];
      return value === null || (typeof value === "string" && !value.trim());
    });
    if (missing.length) {
      setRefusal({
        fields: Object.fromEntries(missing.map((key) => [key, t("core:errors.REQUIRED")])),
        general: [],
      });
      return;
    }
    setBusy(true);
    try {
      setRefusal((await onSubmit(values)) ?? NO_REFUSAL);
    } finally {
      setBusy(false);
    }
  }

  const error = (field: string): ReactNode => refusal.fields[field];

  return (
    <form onSubmit={submit} noValidate aria-label={submitLabel}>
      <Stack gap="md" maw={880}>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label={t("field.code")}
            description={t(mode === "create" ? "form.codeHelp" : "form.codeFixedHelp")}
            required
            maxLength={32}
            autoCapitalize="characters"
            value={values.code}
            onChange={(event) => set("code", event.currentTarget.value.toUpperCase())}
            error={error("code")}
          />
          <TextInput
            label={t("field.name")}
            required
            maxLength={200}
            value={values.name}
            onChange={(event) => set("name", event.currentTarget.value)}
            error={error("name")}
          />
        </SimpleGrid>
        <Textarea
          label={t("field.description")}
          autosize
          minRows={3}
          maxLength={10000}
          value={values.description}
          onChange={(event) => set("description", event.currentTarget.value)}
          error={error("description")}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label={t("field.focus")}
            required
            data={FOCUSES.map((value) => ({ value, label: t(`focus.${value}`) }))}
            value={values.focus}
            onChange={(value) => set("focus", value as OperationFocus | null)}
            error={error("focus")}
          />
          <Select
            label={t("field.timeZone")}
            description={t("form.timeZoneHelp")}
            required
            searchable
            data={zones}
            value={values.timeZone}
            onChange={(value) => value && set("timeZone", value)}
            allowDeselect={false}
            nothingFoundMessage={t("form.noZone")}
            error={error("timeZone")}
          />
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <ZonedDateTimeInput
            label={t("field.plannedStart")}
            required
            zone={values.timeZone}
            value={values.plannedStart}
            onChange={(value) => set("plannedStart", value)}
            error={refusal.fields.plannedStart}
          />
          <ZonedDateTimeInput
            label={t("field.plannedEnd")}
            required
            zone={values.timeZone}
            value={values.plannedEnd}
            onChange={(value) => set("plannedEnd", value)}
            error={refusal.fields.plannedEnd}
          />
        </SimpleGrid>
        <Radio.Group
          label={t("field.defaultMarking")}
          description={t("form.markingHelp")}
          value={values.defaultMarking}
          onChange={(value) => set("defaultMarking", value as Marking)}
          error={error("defaultMarking")}
        >
          <Stack gap="xs" mt="xs">
            {MARKINGS.map((marking) => (
              <Radio
                key={marking}
                value={marking}
                label={
                  <Group gap="xs" component="span">
                    <MarkingBadge marking={marking} />
                  </Group>
                }
                aria-label={t(`marking.${marking}.label`)}
                description={t(`marking.${marking}.help`)}
              />
            ))}
          </Stack>
        </Radio.Group>
        {mode === "edit" && (
          <>
            <Checkbox
              label={t("field.acceptLateReports")}
              description={t("form.lateReportsHelp")}
              checked={values.acceptLateReports}
              onChange={(event) => set("acceptLateReports", event.currentTarget.checked)}
              error={error("acceptLateReports")}
            />
            <MultiSelect
              label={t("field.coordinators")}
              description={t("form.coordinatorsHelp")}
              data={coordinatorCandidates.map((p) => ({ value: p.id, label: p.label }))}
              value={values.coordinators}
              onChange={(value) => set("coordinators", value)}
              searchable
              nothingFoundMessage={t("form.nobody")}
              error={error("coordinators")}
            />
            <MultiSelect
              label={t("field.analysts")}
              description={t("form.analystsHelp")}
              data={analystCandidates.map((p) => ({ value: p.id, label: p.label }))}
              value={values.analysts}
              onChange={(value) => set("analysts", value)}
              searchable
              clearable
              nothingFoundMessage={t("form.nobody")}
              error={error("analysts")}
            />
          </>
        )}
        {refusal.general.length > 0 && (
          <Alert color="red" role="alert" title={t("form.refused")}>
            {refusal.general.join(" ")}
          </Alert>
        )}
        {Object.keys(refusal.fields).length > 0 && refusal.general.length === 0 && (
          <Alert color="red" role="alert">
            {t("form.seeFields")}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={busy}>
            {submitLabel}
          </Button>
          <Button component={Link} to={cancelTo} variant="default">
            {t("form.cancel")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
