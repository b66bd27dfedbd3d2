import { Alert, Button, Center, Paper, PasswordInput, Stack, TextInput, Title } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";

import { LanguagePicker } from "../layout/LanguagePicker";
import { type SignInResult, signIn } from "./session";

export function SignInPage({ onSignedIn }: { onSignedIn: () => void }) {
  const { t } = useTranslation();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [result, setResult] = useState<SignInResult | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    const outcome = await signIn(username, password);
    setBusy(false);
    setResult(outcome);
    if (outcome === "signed-in") onSignedIn();
  }

  return (
    <Center mih="100vh" p="md">
      <Paper component="main" withBorder shadow="sm" p="xl" w="100%" maw={420}>
        <form onSubmit={submit} aria-labelledby="sign-in-title">
          <Stack>
            <Title order={1} size="h2" id="sign-in-title">
              {t("signIn.title")}
            </Title>
            {result && result !== "signed-in" && (
              <Alert color="red" role="alert" title={t("signIn.refused")}>
                {t(`signIn.${result}`)}
              </Alert>
            )}
            <TextInput
              label={t("signIn.username")}
              autoComplete="username"
              required
              value={username}
              onChange={(event) => setUsername(event.currentTarget.value)}
            />
            <PasswordInput
              label={t("signIn.password")}
              autoComplete="current-password"
              visibilityToggleButtonProps={{ "aria-label": t("signIn.showPassword") }}
              required
              value={password}
              onChange={(event) => setPassword(event.currentTarget.value)}
            />
            <Button type="submit" loading={busy}>
              {t("signIn.submit")}
            </Button>
            <LanguagePicker />
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
