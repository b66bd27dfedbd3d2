import { Alert, Button, Center } from "@mantine/core";
import { useTranslation } from "react-i18next";

/** A page that could not be shown: says why (the network, or a bug) and offers a retry. */
export function ErrorPage({ error }: { error?: { networkError?: unknown } }) {
  const { t } = useTranslation();
  return (
    <Center mih="50vh" p="md">
      <Alert color="red" role="alert" title={t("errors.pageFailed")} maw={520}>
        {error?.networkError ? t("errors.NETWORK") : t("errors.UNKNOWN")}
        <Button mt="md" variant="light" onClick={() => window.location.reload()}>
          {t("errors.retry")}
        </Button>
      </Alert>
    </Center>
  );
}
