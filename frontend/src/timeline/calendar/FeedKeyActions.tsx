// My calendar key: make it (when I have none), make a new one (every earlier address
// stops working) or turn it off (every address answers 403). Both ask first.
import { Alert, Button, Group, Modal, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useMutation } from "urql";

import { useRefusal } from "../../core/refusals";
import { graphql } from "../../gql";
import { NAMESPACE } from "./names";

const ROTATE_CALENDAR_TOKEN = graphql(`
  mutation RotateCalendarToken {
    rotateCalendarToken {
      calendarFeedUrl
      errors { field code message }
    }
  }
`);

const REVOKE_CALENDAR_TOKEN = graphql(`
  mutation RevokeCalendarToken {
    revokeCalendarToken {
      errors { field code message }
    }
  }
`);

export type KeyChange = "created" | "rotated" | "revoked";

type Asking = "rotate" | "revoke" | null;

export function FeedKeyActions({
  hasKey,
  onChanged,
}: {
  hasKey: boolean;
  onChanged: (change: KeyChange) => Promise<void> | void;
}) {
  const { t } = useTranslation(NAMESPACE);
  const refusal = useRefusal(NAMESPACE);
  const [, rotate] = useMutation(ROTATE_CALENDAR_TOKEN);
  const [, revoke] = useMutation(REVOKE_CALENDAR_TOKEN);
  const [asking, setAsking] = useState<Asking>(null);
  const [problem, setProblem] = useState<string[]>([]);
  // From the click until the page shows the new addresses.
  const [busy, setBusy] = useState(false);

  async function act(change: KeyChange) {
    setProblem([]);
    setBusy(true);
    const { payload, error } =
      change === "revoked"
        ? await revoke({}).then((r) => ({ payload: r.data?.revokeCalendarToken, error: r.error }))
        : await rotate({}).then((r) => ({ payload: r.data?.rotateCalendarToken, error: r.error }));
    const refused = refusal({ error, payloadErrors: payload?.errors }).general;
    if (refused.length || !payload) {
      setProblem(refused.length ? refused : [t("core:errors.UNKNOWN")]);
      setBusy(false);
      return;
    }
    await onChanged(change);
    setBusy(false);
    setAsking(null);
  }

  function close() {
    setAsking(null);
    setProblem([]);
  }

  const problemAlert = problem.length > 0 && (
    <Alert color="red" role="alert">
      {problem.join(" ")}
    </Alert>
  );

  if (!hasKey) {
    return (
      <Stack gap="sm" align="flex-start">
        <Button onClick={() => act("created")} loading={busy}>
          {t("key.create")}
        </Button>
        {problemAlert}
      </Stack>
    );
  }

  return (
    <Stack gap="sm">
      <Group gap="sm" wrap="wrap">
        <Button variant="default" onClick={() => setAsking("rotate")}>
          {t("key.rotate")}
        </Button>
        <Button variant="outline" color="red.9" onClick={() => setAsking("revoke")}>
          {t("key.revoke")}
        </Button>
      </Group>
      {asking === null && problemAlert}
      <Modal
        opened={asking !== null}
        onClose={close}
        title={asking === "revoke" ? t("key.revokeTitle") : t("key.rotateTitle")}
        closeButtonProps={{ "aria-label": t("key.close") }}
        centered
      >
        <Stack>
          <Text size="sm">{asking === "revoke" ? t("key.revokeText") : t("key.rotateText")}</Text>
          {problemAlert}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t("key.cancel")}
            </Button>
            {asking === "revoke" ? (
              <Button color="red.9" onClick={() => act("revoked")} loading={busy} data-autofocus>
                {t("key.revokeConfirm")}
              </Button>
            ) : (
              <Button onClick={() => act("rotated")} loading={busy} data-autofocus>
                {t("key.rotateConfirm")}
              </Button>
            )}
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
