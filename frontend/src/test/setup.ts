// Vitest: components render in jsdom with the app's translations (English).
import { cleanup } from "@testing-library/react";
import { afterEach, beforeAll } from "vitest";

import { initI18n } from "../core/i18n";

beforeAll(async () => {
  await initI18n("en");
});
afterEach(() => cleanup());
