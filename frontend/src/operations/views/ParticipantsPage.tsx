// Who takes part: each agency's role, state, contacts and places. Coordinators invite;
// an officer of a taking-part agency may withdraw it.
import {
  Alert,
  Badge,
  Button,
  Center,
  Group,
  Loader,
  Paper,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { useMutation, useQuery } from "urql";

import { CAPTION } from "../components/styles";
import { useViewer } from "../../core/auth/viewer";
import { ErrorPage } from "../../core/layout/ErrorPage";
import { useRefusal } from "../../core/refusals";
import { graphql } from "../../gql";
import type { OperationParticipantsQuery, ParticipationState } from "../../gql/graphql";
import { answersToOffer } from "../answers";
import { ConfirmModal } from "../components/ConfirmModal";
import { InviteAgencyForm } from "../components/InviteAgencyForm";
import { formatInstant } from "../dates";
import { useFramedOperation } from "../frame";
import { notify } from "../notify";

const OPERATION_PARTICIPANTS = graphql(`
  query OperationParticipants($id: ID!) {
    operation(id: $id) {
      id
      code
      viewerPermissions
      participations {
        id
        role
        state
        locations
        invitedAt
        respondedAt
        viewerResponses
        agency {
          id
          acronym
          name
          countryName
        }
        contacts {
          id
          displayName
        }
      }
    }
  }
`);

const WITHDRAW = graphql(`
  mutation WithdrawParticipation($participationId: ID!) {
    respondToInvitation(participationId: $participationId, response: WITHDRAW) {
      participation {
        id
        state
        viewerResponses
      }
      errors {
        field
        code
        message
      }
    }
  }
`);

type Participation = NonNullable<OperationParticipantsQuery["operation"]>["participations"][number];

const STATE_COLORS: Record<ParticipationState, string> = {
  INVITED: "blue.8",
  ACCEPTED: "teal.9",
  DECLINED: "gray.7",
  WITHDRAWN: "gray.7",
};

function StateBadge({ state }: { state: ParticipationState }) {
  const { t } = useTranslation("operations");
  return (
    <Badge color={STATE_COLORS[state]} variant="filled" radius="sm" style={{ flexShrink: 0 }}>
      {t(`participationState.${state}`)}
    </Badge>
  );
}

function AgencyName({ agency }: { agency: Participation["agency"] }) {
  return (
    <Text size="xs" c="gray.7">
      {agency.name}
      {agency.countryName ? ` · ${agency.countryName}` : ""}
    </Text>
  );
}

export function ParticipantsPage() {
  const { t } = useTranslation("operations");
  const { zone, locale } = useViewer();
  const framed = useFramedOperation();
  const navigate = useNavigate();
  const toRefusal = useRefusal("operations");
  const phone = useMediaQuery("(max-width: 48em)", false, { getInitialValueInEffect: false });
  const [{ data, fetching, error }] = useQuery({
    query: OPERATION_PARTICIPANTS,
    variables: { id: framed.id },
  });
  const [{ fetching: withdrawing }, withdraw] = useMutation(WITHDRAW);
  const [leaving, setLeaving] = useState<{ id: string; acronym: string } | null>(null);
  const [refused, setRefused] = useState<string[]>([]);
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

  async function confirmWithdraw() {
    if (!leaving) return;
    const result = await withdraw({ participationId: leaving.id });
    const payload = result.data?.respondToInvitation;
    const refusal = toRefusal({ payloadErrors: payload?.errors, error: result.error });
    const messages = [...refusal.general, ...Object.values(refusal.fields)];
    setRefused(messages);
    if (messages.length) return;
    notify(t, t("participants.withdrawn", { agency: leaving.acronym, code: operation!.code }));
    setLeaving(null);
    navigate("/operations");
  }

  const coordinates = operation.viewerPermissions.includes("coordinate_operation");
  const caption = t("participants.caption", { count: operation.participations.length });
  const answeredOrInvited = (p: Participation) =>
    p.respondedAt
      ? t("participants.respondedAt", { when: formatInstant(p.respondedAt, { zone, locale }) })
      : t("participants.invitedAt", { when: formatInstant(p.invitedAt, { zone, locale }) });
  const contactsOf = (p: Participation) =>
    p.contacts.length
      ? p.contacts.map((c) => c.displayName).join(", ")
      : t("participants.noContact");
  const withdrawButton = (p: Participation) =>
    answersToOffer(p.viewerResponses).includes("WITHDRAW") ? (
      <Button
        size="xs"
        color="red.9"
        variant="outline"
        onClick={() => {
          setRefused([]);
          setLeaving({ id: p.id, acronym: p.agency.acronym });
        }}
      >
        {t("participants.withdraw")}
      </Button>
    ) : null;

  return (
    <Stack gap="xl">
      <Stack component="section" aria-labelledby="participants-title" gap="sm">
        <Title order={3} id="participants-title">
          {t("participants.title")}
        </Title>
        {phone ? (
          <Stack gap="sm">
            <Text size="sm">{caption}</Text>
            {operation.participations.map((p) => (
              <Paper
                key={p.id}
                component="article"
                aria-labelledby={`participation-${p.id}`}
                withBorder
                p="sm"
              >
                <Stack gap={4}>
                  <Group justify="space-between" wrap="nowrap" align="flex-start">
                    <Title order={4} size="h5" id={`participation-${p.id}`}>
                      {p.agency.acronym}
                    </Title>
                    <StateBadge state={p.state} />
                  </Group>
                  <AgencyName agency={p.agency} />
                  <Text size="sm">
                    {t("participants.role")}: {t(`participationRole.${p.role}`)}
                  </Text>
                  <Text size="sm">{answeredOrInvited(p)}</Text>
                  <Text size="sm">
                    {t("participants.contacts")}: {contactsOf(p)}
                  </Text>
                  <Text size="sm">
                    {t("participants.locations")}: {p.locations.join(", ") || "—"}
                  </Text>
                  {withdrawButton(p)}
                </Stack>
              </Paper>
            ))}
          </Stack>
        ) : (
          <Table.ScrollContainer
            minWidth={760}
            type="native"
            tabIndex={0}
            aria-label={t("participants.title")}
          >
            <Table striped captionSide="top" verticalSpacing="sm" styles={CAPTION}>
              <Table.Caption>{caption}</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t("participants.agency")}</Table.Th>
                  <Table.Th scope="col">{t("participants.role")}</Table.Th>
                  <Table.Th scope="col">{t("participants.state")}</Table.Th>
                  <Table.Th scope="col">{t("participants.contacts")}</Table.Th>
                  <Table.Th scope="col">{t("participants.locations")}</Table.Th>
                  <Table.Th scope="col">{t("participants.actions")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {operation.participations.map((p) => (
                  <Table.Tr key={p.id}>
                    <Table.Th scope="row">
                      <Text fw={600} size="sm">
                        {p.agency.acronym}
                      </Text>
                      <AgencyName agency={p.agency} />
                    </Table.Th>
                    <Table.Td>{t(`participationRole.${p.role}`)}</Table.Td>
                    <Table.Td>
                      <StateBadge state={p.state} />
                      <Text size="xs" c="gray.7" mt={4}>
                        {answeredOrInvited(p)}
                      </Text>
                    </Table.Td>
                    <Table.Td>{contactsOf(p)}</Table.Td>
                    <Table.Td>{p.locations.join(", ") || "—"}</Table.Td>
                    <Table.Td>{withdrawButton(p)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {refused.length > 0 && !leaving && (
          <Alert color="red" role="alert">
            {refused.join(" ")}
          </Alert>
        )}
      </Stack>
      {coordinates ? (
        <InviteAgencyForm operationId={operation.id} />
      ) : (
        <Text size="sm">{t("participants.onlyCoordinatorsInvite")}</Text>
      )}
      <ConfirmModal
        opened={leaving !== null}
        title={t("participants.withdrawTitle", { agency: leaving?.acronym, code: operation.code })}
        text={t("participants.withdrawText")}
        busy={withdrawing}
        error={refused}
        onConfirm={confirmWithdraw}
        onClose={() => setLeaving(null)}
      />
    </Stack>
  );
}
