import { createTheme } from "@mantine/core";

export const theme = createTheme({
  primaryColor: "blue",
  // Contrast that passes WCAG AA for text on the default shades.
  primaryShade: { light: 8, dark: 6 },
  defaultRadius: "sm",
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif",
});
