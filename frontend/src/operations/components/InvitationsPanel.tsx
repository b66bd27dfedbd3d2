// My agency's open invitations, above the operations list: what the operation is, the
// role offered, and Accept or Decline. Once accepted, the operation joins my list.
import { Alert, Button, Group, Paper, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useMutation, useQuery } from "urql";

import { useRefusal } from "../../core/refusals";
import { graphql } from "../../gql";
import type { InvitationResponse, MyInvitationsQuery } from "../../gql/graphql";
import { answersToOffer } from "../answers";
import { formatTimeSpan } from "../dates";
import { useViewer } from "../../core/auth/viewer";
import { ConfirmModal } from "./ConfirmModal";
import { StatusBadge } from "./StatusBadge";
import { notify } from "../notify";

export const MY_INVITATIONS = graphql(`
  query MyInvitations {
    me {
      invitations {
        id
        role
        viewerResponses
        locations
        operationSummary {
          code
          name
          focus
          status
          plannedStart
          plannedEnd
          timeZone
          leadAgency {
            id
            acronym
            name
          }
        }
      }
    }
  }
`);

export const ANSWER_INVITATION = graphql(`
  mutation AnswerInvitation($participationId: ID!, $response: InvitationResponse!) {
    respondToInvitation(participationId: $participationId, response: $response) {
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

type Invitation = NonNullable<MyInvitationsQuery["me"]>["invitations"][number];

export function InvitationsPanel() {
  const { t } = useTranslation("operations");
  const [{ data }] = useQuery({ query: MY_INVITATIONS });
  const invitations = data?.me?.invitations ?? [];
  if (!invitations.length) return null;
  return (
    <Stack component="section" aria-labelledby="invitations-title" gap="sm">
      <Title order={3} id="invitations-title">
        {t("invitations.title", { count: invitations.length })}
      </Title>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {invitations.map((invitation) => (
          <InvitationCard key={invitation.id} invitation={invitation} />
        ))}
      </SimpleGrid>
    </Stack>
  );
}

function InvitationCard({ invitation }: { invitation: Invitation }) {
  const { t } = useTranslation("operations");
  const { locale } = useViewer();
  const toRefusal = useRefusal("operations");
  const [{ fetching }, answer] = useMutation(ANSWER_INVITATION);
  const [refused, setRefused] = useState<string[]>([]);
  const [declining, setDeclining] = useState(false);
  const summary = invitation.operationSummary;
  const titleId = `invitation-${invitation.id}`;

  async function respond(response: InvitationResponse) {
    const result = await answer({ participationId: invitation.id, response });
    const payload = result.data?.respondToInvitation;
    const refusal = toRefusal({ payloadErrors: payload?.errors, error: result.error });
    const messages = [...refusal.general, ...Object.values(refusal.fields)];
    setRefused(messages);
    if (messages.length) return;
    setDeclining(false);
    notify(
      t,
      t(response === "ACCEPT" ? "invitations.accepted" : "invitations.declined", {
        code: summary.code,
      }),
    );
  }

  return (
    <Paper component="article" aria-labelledby={titleId} withBorder p="md">
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Title order={4} id={titleId}>
            {summary.code} · {summary.name}
          </Title>
          <StatusBadge status={summary.status} />
        </Group>
        <Text size="sm">
          {t("invitations.offer", {
            role: t(`participationRole.${invitation.role}`),
            lead: summary.leadAgency.acronym,
            focus: t(`focus.${summary.focus}`),
          })}
        </Text>
        <Text size="sm">
          {t("dates.inOperationZone", {
            span: formatTimeSpan(summary.plannedStart, summary.plannedEnd, {
              zone: summary.timeZone,
              locale,
            }),
            zone: summary.timeZone,
          })}
        </Text>
        {invitation.locations.length > 0 && (
          <Text size="sm">
            {t("invitations.locations", { list: invitation.locations.join(", ") })}
          </Text>
        )}
        {refused.length > 0 && !declining && (
          <Alert color="red" role="alert">
            {refused.join(" ")}
          </Alert>
        )}
        <Group>
          {answersToOffer(invitation.viewerResponses).map((response) =>
            response === "ACCEPT" ? (
              <Button key={response} loading={fetching} onClick={() => respond("ACCEPT")}>
                {t("invitations.accept")}
              </Button>
            ) : response === "DECLINE" ? (
              <Button key={response} variant="default" onClick={() => setDeclining(true)}>
                {t("invitations.decline")}
              </Button>
            ) : null,
          )}
        </Group>
      </Stack>
      <ConfirmModal
        opened={declining}
        title={t("invitations.declineTitle", { code: summary.code })}
        text={t("invitations.declineText")}
        busy={fetching}
        error={refused}
        onConfirm={() => respond("DECLINE")}
        onClose={() => {
          setDeclining(false);
          setRefused([]);
        }}
      />
    </Paper>
  );
}
