import { type CSSVariablesResolver, createTheme } from "@mantine/core";

export const theme = createTheme({
  primaryColor: "blue",
  // Contrast that passes WCAG AA for text on the default shades.
  primaryShade: { light: 8, dark: 6 },
  defaultRadius: "sm",
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif",
});

/** Secondary ("dimmed") text and error messages dark enough for WCAG AA on white (gray 7
 * and red 9; Mantine's defaults, gray 6 and red 6, give about 3.3:1). */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    "--mantine-color-dimmed": "var(--mantine-color-gray-7)",
    "--mantine-color-error": "var(--mantine-color-red-9)",
  },
  dark: {},
});
