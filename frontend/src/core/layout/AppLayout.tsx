// The frame of every signed-in page: the header (who I am, my agency, language, time
// zone, sign-out) and the navigation by domain. Parts 2 and 3 of the app add their
// entries to NAVIGATION.
import { AppShell, Burger, Button, Group, NavLink, Stack, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useTranslation } from "react-i18next";
import { Link, Outlet, useLocation } from "react-router";

import { useSession } from "../auth/sessionContext";
import { useViewer } from "../auth/viewer";
import { LanguagePicker } from "./LanguagePicker";
import { TimeZonePicker } from "./TimeZonePicker";

const NAVIGATION = [{ to: "/operations", label: "nav.operations" }];

export function AppLayout() {
  const { t } = useTranslation();
  const { signOut: onSignOut } = useSession();
  const { me } = useViewer();
  const [opened, { toggle, close }] = useDisclosure();
  const { pathname } = useLocation();

  return (
    <AppShell
      header={{ height: 64 }}
      navbar={{ width: 230, breakpoint: "md", collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="md"
              size="sm"
              aria-label={t("layout.menu")}
            />
            <Title order={1} size="h3">
              <Link to="/operations" style={{ color: "inherit", textDecoration: "none" }}>
                JointOps
              </Link>
            </Title>
          </Group>
          <Group wrap="nowrap" gap="sm" visibleFrom="md">
            <Stack gap={0} align="flex-end">
              <Text size="sm" fw={600}>
                {me.user.displayName}
              </Text>
              <Text size="xs" c="dimmed">
                {me.agency ? `${me.agency.acronym} · ${me.agency.name}` : t("layout.noAgency")}
              </Text>
            </Stack>
            <LanguagePicker compact />
            <TimeZonePicker compact />
            <Button variant="default" onClick={onSignOut}>
              {t("layout.signOut")}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label={t("layout.navigation")}>
        <Stack gap="xs">
          {NAVIGATION.map((item) => (
            <NavLink
              key={item.to}
              component={Link}
              to={item.to}
              label={t(item.label)}
              active={pathname.startsWith(item.to)}
              onClick={close}
            />
          ))}
        </Stack>
        <Stack gap="sm" mt="xl" hiddenFrom="md">
          <Text size="sm" fw={600}>
            {me.user.displayName}
            {me.agency ? ` · ${me.agency.acronym}` : ""}
          </Text>
          <LanguagePicker />
          <TimeZonePicker />
          <Button variant="default" onClick={onSignOut}>
            {t("layout.signOut")}
          </Button>
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
