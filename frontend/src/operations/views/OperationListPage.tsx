// The operations I may see: filter by status and focus, search by code or name, page
// through with cursors. My agency's open invitations come first.
import {
  Alert,
  Anchor,
  Button,
  Center,
  Group,
  Loader,
  MultiSelect,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue, useMediaQuery } from "@mantine/hooks";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { useQuery } from "urql";

import { useViewer } from "../../core/auth/viewer";
import { useRefusal } from "../../core/refusals";
import { graphql } from "../../gql";
import type { OperationListQuery } from "../../gql/graphql";
import { InvitationsPanel } from "../components/InvitationsPanel";
import { StatusBadge } from "../components/StatusBadge";
import { formatDaySpan } from "../dates";
import { FOCUSES, myRoleKey, STATUSES } from "../labels";
import { CAPTION, READABLE } from "../components/styles";

export const PAGE_SIZE = 25;

export const OPERATION_LIST = graphql(`
  query OperationList(
    $first: Int!
    $after: String
    $status: [String]
    $focus: [String]
    $search: String
  ) {
    operations(first: $first, after: $after, status: $status, focus: $focus, search: $search) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          code
          name
          status
          focus
          plannedStart
          plannedEnd
          timeZone
          myRole
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

type Row = NonNullable<NonNullable<OperationListQuery["operations"]>["edges"][number]>["node"] & {};

/** The values of a list filter kept in the address, those the list knows only. */
function listParam(params: URLSearchParams, name: string, known: readonly string[]): string[] {
  return (params.get(name) ?? "").split(",").filter((value) => known.includes(value));
}

export function OperationListPage() {
  const { t } = useTranslation("operations");
  const { me } = useViewer();
  const toRefusal = useRefusal("operations");
  const phone = useMediaQuery("(max-width: 48em)", false, { getInitialValueInEffect: false });
  const [params, setParams] = useSearchParams();
  const status = listParam(params, "status", STATUSES);
  const focus = listParam(params, "focus", FOCUSES);
  const [search, setSearch] = useState(params.get("q") ?? "");
  const [typed] = useDebouncedValue(search.trim(), 300);
  // The cursors the pages up to the current one start after (null: the first page), for
  // the filters they were read with: other filters start again from the first page.
  const filterKey = `${status.join()}|${focus.join()}|${typed}`;
  const [paging, setPaging] = useState({ key: filterKey, cursors: [null] as (string | null)[] });
  const cursors = paging.key === filterKey ? paging.cursors : [null];
  const setCursors = (change: (stack: (string | null)[]) => (string | null)[]) =>
    setPaging({ key: filterKey, cursors: change(cursors) });

  function setFilter(name: string, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  }
  useEffect(() => {
    if ((params.get("q") ?? "") !== typed) setFilter("q", typed);
  }, [typed]);

  const variables = useMemo(
    () => ({
      first: PAGE_SIZE,
      after: cursors[cursors.length - 1] ?? undefined,
      status: status.length ? status : undefined,
      focus: focus.length ? focus : undefined,
      search: typed || undefined,
    }),
    [filterKey, cursors[cursors.length - 1]],
  );
  const [{ data, fetching, error }] = useQuery({ query: OPERATION_LIST, variables });
  const connection = data?.operations;
  const rows = (connection?.edges ?? []).flatMap((edge) => (edge?.node ? [edge.node] : []));
  const total = connection?.totalCount ?? 0;
  const first = (cursors.length - 1) * PAGE_SIZE;
  const filtered = status.length > 0 || focus.length > 0 || typed !== "";

  return (
    <Stack gap="lg" style={READABLE}>
      <Group justify="space-between">
        <Title order={2}>{t("list.title")}</Title>
        {me.canCreateOperations && (
          <Button component={Link} to="/operations/new">
            {t("list.new")}
          </Button>
        )}
      </Group>
      <InvitationsPanel />
      <Stack component="section" aria-label={t("list.mine")} gap="sm">
        <SimpleGrid cols={{ base: 1, sm: 3 }} role="search" aria-label={t("list.filters")}>
          <TextInput
            label={t("list.search")}
            placeholder={t("list.searchPlaceholder")}
            value={search}
            onChange={(event) => setSearch(event.currentTarget.value)}
            type="search"
          />
          <MultiSelect
            label={t("list.status")}
            placeholder={status.length ? undefined : t("list.any")}
            data={STATUSES.map((value) => ({ value, label: t(`status.${value}`) }))}
            value={status}
            onChange={(value) => setFilter("status", value.join(","))}
            clearable
            clearButtonProps={{ "aria-label": t("list.clearStatus") }}
          />
          <MultiSelect
            label={t("list.focus")}
            placeholder={focus.length ? undefined : t("list.any")}
            data={FOCUSES.map((value) => ({ value, label: t(`focus.${value}`) }))}
            value={focus}
            onChange={(value) => setFilter("focus", value.join(","))}
            clearable
            clearButtonProps={{ "aria-label": t("list.clearFocus") }}
          />
        </SimpleGrid>
        {error && !data && (
          <Alert color="red" role="alert">
            {toRefusal({ error }).general.join(" ")}
          </Alert>
        )}
        {fetching && !data ? (
          <Center p="xl">
            <Loader aria-label={t("list.loading")} />
          </Center>
        ) : rows.length === 0 && connection ? (
          <Text>{filtered ? t("list.noMatch") : t("list.empty")}</Text>
        ) : phone ? (
          <OperationCards rows={rows} total={total} />
        ) : (
          <OperationTable rows={rows} total={total} />
        )}
        {connection && total > 0 && (
          <Group justify="space-between" aria-label={t("list.paging")} role="navigation">
            <Text size="sm" aria-live="polite">
              {t("list.range", { from: first + 1, to: first + rows.length, total })}
            </Text>
            <Group gap="xs">
              <Button
                variant="default"
                disabled={cursors.length <= 1}
                onClick={() => setCursors((stack) => stack.slice(0, -1))}
              >
                {t("list.previous")}
              </Button>
              <Button
                variant="default"
                disabled={!connection.pageInfo.hasNextPage}
                onClick={() =>
                  setCursors((stack) => [...stack, connection.pageInfo.endCursor ?? null])
                }
              >
                {t("list.next")}
              </Button>
            </Group>
          </Group>
        )}
      </Stack>
    </Stack>
  );
}

function OperationTable({ rows, total }: { rows: Row[]; total: number }) {
  const { t } = useTranslation("operations");
  const { zone, locale } = useViewer();
  return (
    <Table.ScrollContainer minWidth={900} type="native" tabIndex={0} aria-label={t("list.mine")}>
      <Table striped highlightOnHover captionSide="top" verticalSpacing="sm" styles={CAPTION}>
        <Table.Caption>{t("list.caption", { count: total, zone })}</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t("field.code")}</Table.Th>
            <Table.Th scope="col">{t("field.name")}</Table.Th>
            <Table.Th scope="col">{t("field.status")}</Table.Th>
            <Table.Th scope="col">{t("field.focus")}</Table.Th>
            <Table.Th scope="col">{t("list.dates")}</Table.Th>
            <Table.Th scope="col">{t("field.leadAgency")}</Table.Th>
            <Table.Th scope="col">{t("list.myRole")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.id}>
              <Table.Th scope="row">
                <Anchor component={Link} to={`/operations/${row.id}`} fw={600}>
                  {row.code}
                </Anchor>
              </Table.Th>
              <Table.Td>{row.name}</Table.Td>
              <Table.Td>
                <StatusBadge status={row.status} />
              </Table.Td>
              <Table.Td>{t(`focus.${row.focus}`)}</Table.Td>
              <Table.Td>
                {formatDaySpan(row.plannedStart, row.plannedEnd, { zone, locale })}
              </Table.Td>
              <Table.Td>
                <abbr title={row.leadAgency.name}>{row.leadAgency.acronym}</abbr>
              </Table.Td>
              <Table.Td>{t(myRoleKey(row.myRole))}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** On a phone: one card per operation, every column a labelled line. */
function OperationCards({ rows, total }: { rows: Row[]; total: number }) {
  const { t } = useTranslation("operations");
  const { zone, locale } = useViewer();
  return (
    <Stack gap="sm">
      <Text size="sm">{t("list.caption", { count: total, zone })}</Text>
      {rows.map((row) => (
        <Paper
          key={row.id}
          component="article"
          aria-labelledby={`card-${row.id}`}
          withBorder
          p="sm"
        >
          <Stack gap={4}>
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <Title order={3} size="h5" id={`card-${row.id}`}>
                <Anchor component={Link} to={`/operations/${row.id}`}>
                  {row.code}
                </Anchor>{" "}
                · {row.name}
              </Title>
              <StatusBadge status={row.status} />
            </Group>
            <Text size="sm">
              {t("field.focus")}: {t(`focus.${row.focus}`)}
            </Text>
            <Text size="sm">
              {t("list.dates")}: {formatDaySpan(row.plannedStart, row.plannedEnd, { zone, locale })}
            </Text>
            <Text size="sm">
              {t("field.leadAgency")}: {row.leadAgency.acronym}
            </Text>
            <Text size="sm">
              {t("list.myRole")}: {t(myRoleKey(row.myRole))}
            </Text>
          </Stack>
        </Paper>
      ))}
    </Stack>
  );
}
