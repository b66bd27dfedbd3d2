// A coordinator invites an agency, in a role, to cover some places. Refusals land on the
// field concerned (ALREADY_PARTICIPATING on the agency, a bad code on the locations).
import { Alert, Button, Group, Select, SimpleGrid, Stack, TagsInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { useMutation, useQuery } from "urql";

import { hasRefusal, NO_REFUSAL, type Refusal, useRefusal } from "../../core/refusals";
import { graphql } from "../../gql";
import type { ParticipationRole } from "../../gql/graphql";
import { onForm } from "../formRefusal";
import { INVITABLE_ROLES } from "../labels";
import { notify } from "../notify";

const INVITABLE_AGENCIES = graphql(`
  query InvitableAgencies($search: String) {
    agencies(first: 50, search: $search) {
      edges {
        node {
          id
          acronym
          name
          countryName
        }
      }
    }
  }
`);

const INVITE_AGENCY = graphql(`
  mutation InviteAgency(
    $operationId: ID!
    $agencyId: ID!
    $role: ParticipationRole
    $locations: [String!]
  ) {
    inviteAgency(
      operationId: $operationId
      agencyId: $agencyId
      role: $role
      locations: $locations
    ) {
      participation {
        id
        role
        state
        locations
        agency {
          id
          acronym
          name
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

/** The API's fields this form shows, by the form's own names. */
export const INVITE_FIELDS: Record<string, string | true> = {
  agencyId: "agency",
  role: true,
  locations: true,
};

interface Option {
  value: string;
  label: string;
}

export function InviteAgencyForm({ operationId }: { operationId: string }) {
  const { t } = useTranslation("operations");
  const toRefusal = useRefusal("operations");
  const [agency, setAgency] = useState<Option | null>(null);
  const [search, setSearch] = useState("");
  const [searched] = useDebouncedValue(search, 250);
  const [role, setRole] = useState<ParticipationRole>("PARTICIPANT");
  const [locations, setLocations] = useState<string[]>([]);
  const [refusal, setRefusal] = useState<Refusal>(NO_REFUSAL);
  const [{ fetching }, invite] = useMutation(INVITE_AGENCY);
  // While the field shows the chosen agency, list them all rather than search its label.
  const term = agency && searched === agency.label ? "" : searched.trim();
  const [{ data }] = useQuery({
    query: INVITABLE_AGENCIES,
    variables: { search: term || undefined },
  });
  const options: Option[] = (data?.agencies?.edges ?? []).flatMap((edge) =>
    edge?.node
      ? [
          {
            value: edge.node.id,
            label: `${edge.node.acronym} · ${edge.node.name}${
              edge.node.countryName ? ` (${edge.node.countryName})` : ""
            }`,
          },
        ]
      : [],
  );
  if (agency && !options.some((option) => option.value === agency.value)) options.unshift(agency);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!agency) {
      setRefusal({ fields: { agency: t("core:errors.REQUIRED") }, general: [] });
      return;
    }
    const result = await invite({
      operationId,
      agencyId: agency.value,
      role,
      locations: locations.map((code) => code.trim().toUpperCase()).filter(Boolean),
    });
    const payload = result.data?.inviteAgency;
    const found = onForm(
      toRefusal({ payloadErrors: payload?.errors, error: result.error }),
      INVITE_FIELDS,
    );
    if (hasRefusal(found) || !payload?.participation) {
      setRefusal(hasRefusal(found) ? found : { fields: {}, general: [t("core:errors.UNKNOWN")] });
      return;
    }
    setRefusal(NO_REFUSAL);
    notify(t, t("participants.invited", { agency: payload.participation.agency.acronym }));
    setAgency(null);
    setSearch("");
    setLocations([]);
    setRole("PARTICIPANT");
  }

  return (
    <Stack component="section" aria-labelledby="invite-agency-title" gap="sm">
      <Title order={3} id="invite-agency-title">
        {t("participants.inviteTitle")}
      </Title>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm" maw={880}>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select
              label={t("participants.agency")}
              required
              searchable
              data={options}
              value={agency?.value ?? null}
              onChange={(value, option) =>
                setAgency(value && option ? { value, label: option.label } : null)
              }
              searchValue={search}
              onSearchChange={setSearch}
              filter={({ options: all }) => all}
              nothingFoundMessage={t("participants.noAgency")}
              error={refusal.fields.agency}
            />
            <Select
              label={t("participants.role")}
              required
              data={INVITABLE_ROLES.map((value) => ({
                value,
                label: t(`participationRole.${value}`),
              }))}
              value={role}
              onChange={(value) => value && setRole(value as ParticipationRole)}
              allowDeselect={false}
              error={refusal.fields.role}
            />
          </SimpleGrid>
          <TagsInput
            label={t("participants.locations")}
            description={t("participants.locationsHelp")}
            value={locations}
            onChange={setLocations}
            splitChars={[",", " "]}
            maxTags={50}
            error={refusal.fields.locations}
          />
          {refusal.general.length > 0 && (
            <Alert color="red" role="alert">
              {refusal.general.join(" ")}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={fetching}>
              {t("participants.invite")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}
