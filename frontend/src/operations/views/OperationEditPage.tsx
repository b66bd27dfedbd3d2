// Change an operation's plan: only what was changed is sent, so a refusal names what
// the coordinator touched.
import { Alert, Center, Loader, Stack, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { useMutation, useQuery } from "urql";

import { ErrorPage } from "../../core/layout/ErrorPage";
import { hasRefusal, useRefusal } from "../../core/refusals";
import { graphql } from "../../gql";
import type { OperationUpdateInput } from "../../gql/graphql";
import {
  FORM_FIELDS,
  OperationForm,
  type OperationFormValues,
  type Person,
} from "../components/OperationForm";
import { onForm } from "../formRefusal";
import { useFramedOperation } from "../frame";
import { notify } from "../notify";

const OPERATION_EDIT = graphql(`
  query OperationEdit($id: ID!) {
    operation(id: $id) {
      id
      code
      name
      description
      focus
      timeZone
      plannedStart
      plannedEnd
      defaultMarking
      acceptLateReports
      viewerPermissions
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
      coordinatorCandidates {
        id
        displayName
        agency {
          id
          acronym
        }
      }
      analystCandidates {
        id
        displayName
        agency {
          id
          acronym
        }
      }
    }
  }
`);

const UPDATE_OPERATION = graphql(`
  mutation UpdateOperation($id: ID!, $input: OperationUpdateInput!) {
    updateOperation(id: $id, input: $input) {
      operation {
        id
        code
        name
        description
        focus
        timeZone
        plannedStart
        plannedEnd
        defaultMarking
        acceptLateReports
        # what the change may have changed for the viewer (a coordinator who left)
        myRole
        viewerPermissions
        allowedTransitions
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
      }
      errors {
        field
        code
        message
      }
    }
  }
`);

interface PersonRow {
  id: string;
  displayName: string;
  agency?: { acronym: string } | null;
}

/** Everyone who may be chosen, and those already chosen, once each. */
function people(...lists: PersonRow[][]): Person[] {
  const seen = new Map<string, Person>();
  for (const person of lists.flat()) {
    if (!seen.has(person.id)) {
      const agency = person.agency ? ` (${person.agency.acronym})` : "";
      seen.set(person.id, { id: person.id, label: `${person.displayName}${agency}` });
    }
  }
  return [...seen.values()];
}

const sameSet = (a: string[], b: string[]) =>
  a.length === b.length && a.every((value) => b.includes(value));

/** The input for what changed between `before` and `after`. */
export function changedInput(
  before: OperationFormValues,
  after: OperationFormValues,
): OperationUpdateInput {
  const input: OperationUpdateInput = {};
  if (after.code.trim() !== before.code) input.code = after.code.trim();
  if (after.name.trim() !== before.name) input.name = after.name.trim();
  if (after.description !== before.description) input.description = after.description;
  if (after.focus !== before.focus && after.focus) input.focus = after.focus;
  if (after.timeZone !== before.timeZone) input.timeZone = after.timeZone;
  if (after.plannedStart !== before.plannedStart && after.plannedStart)
    input.plannedStart = after.plannedStart;
  if (after.plannedEnd !== before.plannedEnd && after.plannedEnd)
    input.plannedEnd = after.plannedEnd;
  if (after.defaultMarking !== before.defaultMarking) input.defaultMarking = after.defaultMarking;
  if (after.acceptLateReports !== before.acceptLateReports)
    input.acceptLateReports = after.acceptLateReports;
  if (!sameSet(after.coordinators, before.coordinators)) input.coordinatorIds = after.coordinators;
  if (!sameSet(after.analysts, before.analysts)) input.analystIds = after.analysts;
  return input;
}

export function OperationEditPage() {
  const { t } = useTranslation("operations");
  const framed = useFramedOperation();
  const navigate = useNavigate();
  const toRefusal = useRefusal("operations");
  const [{ data, fetching, error }] = useQuery({
    query: OPERATION_EDIT,
    variables: { id: framed.id },
    requestPolicy: "cache-and-network",
  });
  const [, update] = useMutation(UPDATE_OPERATION);
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
  if (!operation.viewerPermissions.includes("change_operation")) {
    return (
      <Alert color="gray" title={t("edit.title")}>
        {t("edit.notAllowed")}
      </Alert>
    );
  }

  const initial: OperationFormValues = {
    code: operation.code,
    name: operation.name,
    description: operation.description,
    focus: operation.focus,
    timeZone: operation.timeZone,
    plannedStart: new Date(operation.plannedStart).toISOString(),
    plannedEnd: new Date(operation.plannedEnd).toISOString(),
    defaultMarking: operation.defaultMarking,
    acceptLateReports: operation.acceptLateReports,
    coordinators: operation.coordinators.map((p) => p.id),
    analysts: operation.analysts.map((p) => p.id),
  };

  async function submit(values: OperationFormValues) {
    const input = changedInput(initial, values);
    if (!Object.keys(input).length) {
      navigate("..", { relative: "path" });
      return null;
    }
    const result = await update({ id: framed.id, input });
    const payload = result.data?.updateOperation;
    const refusal = onForm(
      toRefusal({ payloadErrors: payload?.errors, error: result.error }),
      FORM_FIELDS,
    );
    if (!hasRefusal(refusal) && payload?.operation) {
      notify(t, t("edit.saved", { code: payload.operation.code }));
      navigate("..", { relative: "path" });
      return null;
    }
    if (!hasRefusal(refusal)) refusal.general.push(t("core:errors.UNKNOWN"));
    return refusal;
  }

  return (
    <Stack>
      <Title order={3}>{t("edit.title")}</Title>
      <OperationForm
        key={operation.id}
        mode="edit"
        initial={initial}
        coordinatorCandidates={people(operation.coordinators, operation.coordinatorCandidates)}
        analystCandidates={people(operation.analysts, operation.analystCandidates)}
        submitLabel={t("edit.submit")}
        cancelTo=".."
        onSubmit={submit}
      />
    </Stack>
  );
}
