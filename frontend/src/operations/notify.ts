// A short confirmation that something was done, with a named close button.
import { notifications } from "@mantine/notifications";
import type { TFunction } from "i18next";

export function notify(t: TFunction, message: string) {
  notifications.show({
    message,
    closeButtonProps: { "aria-label": t("operations:confirm.dismiss") },
  });
}
