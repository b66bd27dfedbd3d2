// Translations: every string of the app is in a catalogue, one per domain (or feature)
// and language: src/<domain>[/<feature>]/locales/<language>.json, namespace
// "<domain>[.<feature>]" (e.g. "operations", "timeline.planner"). English is the fallback.
import i18next from "i18next";
import { initReactI18next } from "react-i18next";

export const LANGUAGES = ["en", "fr", "es"] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANGUAGE_NAMES: Record<Language, string> = {
  en: "English",
  fr: "Français",
  es: "Español",
};
const STORAGE_KEY = "jointops.language";

const catalogues = import.meta.glob<Record<string, unknown>>("/src/**/locales/*.json", {
  eager: true,
  import: "default",
});

export function resources() {
  const byLanguage: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const [path, catalogue] of Object.entries(catalogues)) {
    const match = path.match(/^\/src\/(.+)\/locales\/(\w+)\.json$/);
    if (!match) continue;
    const [, folder, language] = match;
    (byLanguage[language] ??= {})[folder.replaceAll("/", ".")] = catalogue;
  }
  return byLanguage;
}

export function initialLanguage(): Language {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored && (LANGUAGES as readonly string[]).includes(stored)) return stored as Language;
  for (const tag of navigator.languages ?? []) {
    const base = tag.slice(0, 2).toLowerCase();
    if ((LANGUAGES as readonly string[]).includes(base)) return base as Language;
  }
  return "en";
}

export function chooseLanguage(language: Language) {
  localStorage.setItem(STORAGE_KEY, language);
  document.documentElement.lang = language;
  return i18next.changeLanguage(language);
}

export async function initI18n(language: Language = initialLanguage()) {
  document.documentElement.lang = language;
  await i18next.use(initReactI18next).init({
    resources: resources(),
    lng: language,
    fallbackLng: "en",
    defaultNS: "core",
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return i18next;
}
