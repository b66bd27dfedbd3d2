import { Alert, Button, Group, Modal, Stack, Text, Textarea } from "@mantine/core";
import { type FormEvent, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";

import { READABLE } from "./styles";

/** Asks before an action that cannot be undone; optionally asks a reason. */
export function ConfirmModal({
  opened,
  title,
  text,
  reasonLabel,
  busy,
  error,
  onConfirm,
  onClose,
}: {
  opened: boolean;
  title: string;
  text: string;
  /** When given, a reason is asked (required). */
  reasonLabel?: string;
  busy?: boolean;
  error?: string[];
  onConfirm: (reason: string) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation("operations");
  const [reason, setReason] = useState("");
  useEffect(() => {
    if (!opened) setReason("");
  }, [opened]);

  function submit(event: FormEvent) {
    event.preventDefault();
    onConfirm(reason.trim());
  }

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={title}
      centered
      style={READABLE}
      closeButtonProps={{ "aria-label": t("confirm.closeDialog") }}
    >
      <form onSubmit={submit}>
        <Stack>
          <Text size="sm">{text}</Text>
          {reasonLabel && (
            <Textarea
              label={reasonLabel}
              required
              autosize
              minRows={2}
              maxLength={2000}
              value={reason}
              onChange={(event) => setReason(event.currentTarget.value)}
              data-autofocus
            />
          )}
          {error && error.length > 0 && (
            <Alert color="red" role="alert">
              {error.join(" ")}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("confirm.back")}
            </Button>
            <Button type="submit" loading={busy}>
              {t("confirm.confirm")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
