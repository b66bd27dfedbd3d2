// One calendar feed: what it holds, its address (to copy into a calendar application),
// a download of the file as it stands, and a webcal: link that opens a calendar app.
import { Anchor, Button, Group, Paper, Stack, Text, TextInput, Title } from "@mantine/core";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";

import { copyText, webcalUrl } from "./copy";
import { NAMESPACE } from "./names";

export type FeedName = "operation" | "mine";

// Long names wrap on a phone rather than being cut.
const WRAPPING = {
  root: { height: "auto", minHeight: 36, paddingTop: 8, paddingBottom: 8 },
  inner: { height: "auto" },
  label: {
    whiteSpace: "normal" as const,
    textAlign: "left" as const,
    lineHeight: 1.35,
    height: "auto",
    overflow: "visible",
  },
};

export function FeedLink({
  feed,
  url,
  filename,
  code,
}: {
  feed: FeedName;
  url: string;
  filename: string;
  /** The operation's code, for the operation's feed. */
  code?: string;
}) {
  const { t } = useTranslation(NAMESPACE);
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<boolean | null>(null);

  async function copy() {
    setCopied(await copyText(url, field.current));
  }

  return (
    <Paper withBorder p="md" radius="sm" component="section" aria-labelledby={`feed-${feed}`}>
      <Stack gap="sm">
        <Title order={4} id={`feed-${feed}`}>
          {t(`${feed}.title`, { code })}
        </Title>
        <Text size="sm">{t(`${feed}.holds`, { code })}</Text>
        <TextInput
          ref={field}
          label={t(`${feed}.address`)}
          value={url}
          readOnly
          onFocus={(event) => event.currentTarget.select()}
          styles={{ input: { fontFamily: "monospace", fontSize: "0.8rem" } }}
        />
        <Group gap="sm" wrap="wrap">
          <Button onClick={copy} styles={WRAPPING}>{t(`${feed}.copy`)}</Button>
          <Button component="a" href={url} download={filename} variant="default" styles={WRAPPING}>
            {t(`${feed}.download`)}
          </Button>
          <Anchor href={webcalUrl(url)} size="sm">
            {t(`${feed}.open`)}
          </Anchor>
        </Group>
        <Text size="sm" role="status" c={copied === false ? "red.9" : undefined}>
          {copied === true ? t("copied") : copied === false ? t("copyFailed") : ""}
        </Text>
      </Stack>
    </Paper>
  );
}
