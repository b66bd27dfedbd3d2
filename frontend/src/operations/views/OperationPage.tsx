// The frame of one operation's pages: its code, name, status and dates (in its zone and
// mine), and links to its sections. An operation that does not exist and one I may not
// see look exactly the same: not found.
import { Button, Center, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link, Outlet, useLocation, useParams } from "react-router";
import { useQuery } from "urql";

import { ErrorPage } from "../../core/layout/ErrorPage";
import { NotFoundPage } from "../../core/layout/NotFoundPage";
import { graphql } from "../../gql";
import { OperationDates } from "../components/OperationDates";
import { StatusBadge } from "../components/StatusBadge";
import type { OperationFrameContext } from "../frame";
import { myRoleKey } from "../labels";
import { READABLE } from "../components/styles";

export const OPERATION_FRAME = graphql(`
  query OperationFrame($id: ID!) {
    operation(id: $id) {
      id
      code
      name
      status
      plannedStart
      plannedEnd
      timeZone
      myRole
      viewerPermissions
    }
  }
`);

/** The sections of an operation, by path under /operations/:operationId. */
export const SECTIONS = [
  { path: "", label: "sections.overview" },
  { path: "plan", label: "sections.plan" },
  { path: "participants", label: "sections.participants" },
  { path: "timeline", label: "sections.timeline" },
  { path: "calendar", label: "sections.calendar" },
] as const;

export function OperationPage() {
  const { t } = useTranslation("operations");
  const { operationId = "" } = useParams();
  const { pathname } = useLocation();
  const [{ data, fetching, error }] = useQuery({
    query: OPERATION_FRAME,
    variables: { id: operationId },
  });

  if (fetching && !data) {
    return (
      <Center p="xl">
        <Loader aria-label={t("frame.loading")} />
      </Center>
    );
  }
  // A malformed id is as unknown as an id of nothing, or of something hidden.
  const unknownId = error?.graphQLErrors.some((e) => e.extensions?.code === "INVALID_ID");
  if (error && !data && !unknownId) return <ErrorPage error={error} />;
  const operation = data?.operation;
  if (!operation) return <NotFoundPage />;

  const base = `/operations/${operationId}`;
  const here = pathname.replace(/\/+$/, "");
  const context: OperationFrameContext = { operation };

  return (
    <Stack gap="md" style={READABLE}>
      <Stack gap="xs">
        <Group gap="sm" align="center">
          <Title order={2}>
            {operation.code} · {operation.name}
          </Title>
          <StatusBadge status={operation.status} />
        </Group>
        <OperationDates
          plannedStart={operation.plannedStart}
          plannedEnd={operation.plannedEnd}
          timeZone={operation.timeZone}
        />
        <Text size="sm">{t("frame.myRole", { role: t(myRoleKey(operation.myRole)) })}</Text>
      </Stack>
      <Group
        component="nav"
        aria-label={t("frame.sections")}
        gap={4}
        style={{ borderBottom: "1px solid var(--mantine-color-gray-3)" }}
        pb={4}
      >
        {SECTIONS.map((section) => {
          const to = section.path ? `${base}/${section.path}` : base;
          const active = here === to;
          return (
            <Button
              key={section.path}
              component={Link}
              to={to}
              variant={active ? "filled" : "subtle"}
              aria-current={active ? "page" : undefined}
              fw={active ? 700 : 500}
            >
              {t(section.label)}
            </Button>
          );
        })}
      </Group>
      <Outlet context={context} />
    </Stack>
  );
}
