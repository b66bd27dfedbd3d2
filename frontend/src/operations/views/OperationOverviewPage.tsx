// An operation's details and its lifecycle: the transitions the API allows, each asked
// for confirmation, and why one was refused, next to the buttons.
import { Alert, Button, Center, DataList, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useMutation, useQuery } from "urql";

import { ErrorPage } from "../../core/layout/ErrorPage";
import { useRefusal } from "../../core/refusals";
import { graphql } from "../../gql";
import type { OperationStatus } from "../../gql/graphql";
import { ConfirmModal } from "../components/ConfirmModal";
import { MarkingBadge } from "../components/MarkingBadge";
import { useFramedOperation } from "../frame";
import { transitionButtons, whyNoTransition } from "../transitions";

const OPERATION_OVERVIEW = graphql(`
  query OperationOverview($id: ID!) {
    operation(id: $id) {
      id
      code
      status
      description
      focus
      timeZone
      defaultMarking
      acceptLateReports
      leadAgency {
        id
        acronym
        name
      }
      coordinators {
        id
        displayName
        agency {
          id
          acronym
        }
      }
      analysts {
        id
        displayName
        agency {
          id
          acronym
        }
      }
      viewerPermissions
      allowedTransitions
    }
  }
`);

const TRANSITION_OPERATION = graphql(`
  mutation TransitionOperation($id: ID!, $status: OperationStatus!, $reason: String) {
    transitionOperation(id: $id, status: $status, reason: $reason) {
      operation {
        id
        status
        allowedTransitions
      }
      errors {
        field
        code
        message
      }
    }
  }
`);

export function OperationOverviewPage() {
  const { t } = useTranslation("operations");
  const framed = useFramedOperation();
  const phone = useMediaQuery("(max-width: 48em)", false, { getInitialValueInEffect: false });
  const [{ data, fetching, error }] = useQuery({
    query: OPERATION_OVERVIEW,
    variables: { id: framed.id },
  });
  const operation = data?.operation;
  if (!operation) {
    return fetching ? (
      <Center p="xl">
        <Loader aria-label={t("frame.loading")} />
      </Center>
    ) : (
      <ErrorPage error={error} />
    );
  }
  const people = (list: typeof operation.coordinators) =>
    list.length
      ? list.map((p) => `${p.displayName}${p.agency ? ` (${p.agency.acronym})` : ""}`).join(", ")
      : t("overview.nobody");

  return (
    <Stack gap="xl">
      <Stack component="section" aria-labelledby="overview-details" gap="sm">
        <Group justify="space-between">
          <Title order={3} id="overview-details">
            {t("overview.details")}
          </Title>
          {operation.viewerPermissions.includes("change_operation") && (
            <Button component={Link} to="edit" variant="default">
              {t("overview.edit")}
            </Button>
          )}
        </Group>
        <DataList
          orientation={phone ? "vertical" : "horizontal"}
          labelWidth={240}
          withDivider
          styles={{ itemLabel: { color: "var(--mantine-color-gray-7)" } }}
        >
          <DataList.Item>
            <DataList.ItemLabel>{t("field.description")}</DataList.ItemLabel>
            <DataList.ItemValue style={{ whiteSpace: "pre-wrap" }}>
              {operation.description || t("overview.none")}
            </DataList.ItemValue>
          </DataList.Item>
          <DataList.Item>
            <DataList.ItemLabel>{t("field.focus")}</DataList.ItemLabel>
            <DataList.ItemValue>{t(`focus.${operation.focus}`)}</DataList.ItemValue>
          </DataList.Item>
          <DataList.Item>
            <DataList.ItemLabel>{t("field.timeZone")}</DataList.ItemLabel>
            <DataList.ItemValue>{operation.timeZone}</DataList.ItemValue>
          </DataList.Item>
          <DataList.Item>
            <DataList.ItemLabel>{t("field.defaultMarking")}</DataList.ItemLabel>
            <DataList.ItemValue>
              <Group gap="xs">
                <MarkingBadge marking={operation.defaultMarking} />
                <Text size="sm">{t(`marking.${operation.defaultMarking}.help`)}</Text>
              </Group>
            </DataList.ItemValue>
          </DataList.Item>
          <DataList.Item>
            <DataList.ItemLabel>{t("field.leadAgency")}</DataList.ItemLabel>
            <DataList.ItemValue>
              {operation.leadAgency.acronym} · {operation.leadAgency.name}
            </DataList.ItemValue>
          </DataList.Item>
          <DataList.Item>
            <DataList.ItemLabel>{t("field.coordinators")}</DataList.ItemLabel>
            <DataList.ItemValue>{people(operation.coordinators)}</DataList.ItemValue>
          </DataList.Item>
          <DataList.Item>
            <DataList.ItemLabel>{t("field.analysts")}</DataList.ItemLabel>
            <DataList.ItemValue>{people(operation.analysts)}</DataList.ItemValue>
          </DataList.Item>
          <DataList.Item>
            <DataList.ItemLabel>{t("field.acceptLateReports")}</DataList.ItemLabel>
            <DataList.ItemValue>
              {t(operation.acceptLateReports ? "overview.yes" : "overview.no")}
            </DataList.ItemValue>
          </DataList.Item>
        </DataList>
      </Stack>
      <Lifecycle
        id={operation.id}
        code={operation.code}
        permissions={operation.viewerPermissions}
        allowed={operation.allowedTransitions}
      />
    </Stack>
  );
}

function Lifecycle({
  id,
  code,
  permissions,
  allowed,
}: {
  id: string;
  code: string;
  permissions: readonly string[];
  allowed: readonly OperationStatus[];
}) {
  const { t } = useTranslation("operations");
  const toRefusal = useRefusal("operations");
  const [{ fetching }, transition] = useMutation(TRANSITION_OPERATION);
  const [asked, setAsked] = useState<OperationStatus | null>(null);
  const [refused, setRefused] = useState<{ to: OperationStatus; messages: string[] } | null>(null);
  const buttons = transitionButtons(allowed);
  const absent = whyNoTransition(permissions, allowed);

  async function confirm(reason: string) {
    if (!asked) return;
    const to = asked;
    const result = await transition({ id, status: to, reason: reason || undefined });
    const payload = result.data?.transitionOperation;
    const refusal = toRefusal({ payloadErrors: payload?.errors, error: result.error });
    const messages = [...refusal.general, ...Object.values(refusal.fields)];
    setAsked(null);
    setRefused(messages.length ? { to, messages } : null);
  }

  return (
    <Stack component="section" aria-labelledby="overview-lifecycle" gap="sm">
      <Title order={3} id="overview-lifecycle">
        {t("lifecycle.title")}
      </Title>
      {buttons.length > 0 && (
        <Group>
          {buttons.map((to) => (
            <Button
              key={to}
              color={to === "CANCELLED" ? "red.9" : undefined}
              variant={to === "CANCELLED" ? "outline" : "filled"}
              onClick={() => {
                setRefused(null);
                setAsked(to);
              }}
            >
              {t(`lifecycle.action.${to}`)}
            </Button>
          ))}
        </Group>
      )}
      {absent && <Text size="sm">{t(absent)}</Text>}
      {refused && (
        <Alert
          color="red"
          role="alert"
          title={t("lifecycle.refused", { action: t(`lifecycle.action.${refused.to}`) })}
        >
          {refused.messages.join(" ")}
        </Alert>
      )}
      <ConfirmModal
        opened={asked !== null}
        title={asked ? t(`lifecycle.confirm.${asked}.title`, { code }) : ""}
        text={asked ? t(`lifecycle.confirm.${asked}.text`) : ""}
        reasonLabel={asked === "CANCELLED" ? t("lifecycle.reason") : undefined}
        busy={fetching}
        onConfirm={confirm}
        onClose={() => setAsked(null)}
      />
    </Stack>
  );
}
