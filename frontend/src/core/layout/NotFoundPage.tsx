import { Button, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

/** Also what an operation one may not see looks like: exactly as one that does not exist. */
export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <Stack align="flex-start">
      <Title order={2}>{t("notFound.title")}</Title>
      <Text>{t("notFound.text")}</Text>
      <Button component={Link} to="/operations" variant="light">
        {t("notFound.back")}
      </Button>
    </Stack>
  );
}
