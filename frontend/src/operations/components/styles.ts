import type React from "react";

// Small style overrides shared by the operations pages, for contrast (WCAG AA).

/** A table caption in readable grey, aligned with the table's text. */
export const CAPTION = {
  caption: { color: "var(--mantine-color-gray-7)", textAlign: "start" as const, marginBottom: 4 },
};

/** Put on a page's root: descriptions, dimmed text and field errors in darker shades
 * than Mantine's defaults, which fail WCAG AA on white. */
export const READABLE = {
  "--mantine-color-dimmed": "var(--mantine-color-gray-7)",
  "--mantine-color-error": "var(--mantine-color-red-9)",
} as React.CSSProperties;
