import { Select } from "@mantine/core";
import { useTranslation } from "react-i18next";

import { chooseLanguage, LANGUAGE_NAMES, LANGUAGES, type Language } from "../i18n";

export function LanguagePicker({ compact = false }: { compact?: boolean }) {
  const { t, i18n } = useTranslation();
  return (
    <Select
      label={compact ? undefined : t("layout.language")}
      aria-label={t("layout.language")}
      data={LANGUAGES.map((value) => ({ value, label: LANGUAGE_NAMES[value] }))}
      value={i18n.language}
      onChange={(value) => value && chooseLanguage(value as Language)}
      allowDeselect={false}
      w={compact ? 130 : undefined}
      comboboxProps={{ withinPortal: true }}
    />
  );
}
