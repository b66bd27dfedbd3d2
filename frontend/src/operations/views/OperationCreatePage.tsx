// A new operation: the coordinator who creates it coordinates it, led by their agency.
import { Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { useMutation } from "urql";

import { useViewer } from "../../core/auth/viewer";
import { NotFoundPage } from "../../core/layout/NotFoundPage";
import { hasRefusal, useRefusal } from "../../core/refusals";
import { graphql } from "../../gql";
import { FORM_FIELDS, OperationForm, type OperationFormValues } from "../components/OperationForm";
import { onForm } from "../formRefusal";
import { READABLE } from "../components/styles";

const CREATE_OPERATION = graphql(`
  mutation CreateOperation($input: OperationCreateInput!) {
    createOperation(input: $input) {
      operation {
        id
        code
      }
      errors {
        field
        code
        message
      }
    }
  }
`);

export function OperationCreatePage() {
  const { t } = useTranslation("operations");
  const { me, zone } = useViewer();
  const navigate = useNavigate();
  const toRefusal = useRefusal("operations");
  const [, create] = useMutation(CREATE_OPERATION);

  if (!me.canCreateOperations) return <NotFoundPage />;

  const initial: OperationFormValues = {
    code: "",
    name: "",
    description: "",
    focus: null,
    timeZone: zone,
    plannedStart: null,
    plannedEnd: null,
    defaultMarking: "AMBER",
    acceptLateReports: false,
    coordinators: [],
    analysts: [],
  };

  async function submit(values: OperationFormValues) {
    const result = await create({
      input: {
        code: values.code.trim(),
        name: values.name.trim(),
        description: values.description,
        focus: values.focus!,
        timeZone: values.timeZone,
        plannedStart: values.plannedStart!,
        plannedEnd: values.plannedEnd!,
        defaultMarking: values.defaultMarking,
      },
    });
    const payload = result.data?.createOperation;
    const refusal = onForm(
      toRefusal({ payloadErrors: payload?.errors, error: result.error }),
      FORM_FIELDS,
    );
    if (!hasRefusal(refusal) && payload?.operation) {
      navigate(`/operations/${payload.operation.id}`);
      return null;
    }
    if (!hasRefusal(refusal)) refusal.general.push(t("core:errors.UNKNOWN"));
    return refusal;
  }

  return (
    <Stack style={READABLE}>
      <Title order={2}>{t("create.title")}</Title>
      <Text size="sm">{t("create.intro")}</Text>
      <OperationForm
        mode="create"
        initial={initial}
        submitLabel={t("create.submit")}
        cancelTo="/operations"
        onSubmit={submit}
      />
    </Stack>
  );
}
