import { Alert, Button, Center } from "@mantine/core";
import { useTranslation } from "react-i18next";

interface PageError {
  networkError?: unknown;
  graphQLErrors?: readonly { extensions?: Record<string, unknown> }[];
}

/** A page that could not be shown: says why (the error's code in words, the network, or
 * a bug) and offers a retry, which reloads (and so signs in again when the session ended). */
export function ErrorPage({ error }: { error?: PageError }) {
  const { t, i18n } = useTranslation();
  const code = error?.graphQLErrors?.[0]?.extensions?.code;
  const known = typeof code === "string" && i18n.exists(`errors.${code}`);
  const why = known ? t(`errors.${code}`) : error?.networkError ? t("errors.NETWORK") : t("errors.UNKNOWN");
  return (
    <Center mih="50vh" p="md">
      <Alert color="red" role="alert" title={t("errors.pageFailed")} maw={520}>
        {why}
        <Button mt="md" variant="light" onClick={() => window.location.reload()}>
          {t("errors.retry")}
        </Button>
      </Alert>
    </Center>
  );
}
