// An operation's timeline: which kinds of entry, in which order, and the entries. Newest
// first reads from now: what comes next (soonest first), then what happened (most recent
// first), so that a running operation's news is not buried under its plan. Oldest first
// is the whole story from the beginning. Every time is in my zone, with the operation's.
import { Alert, Button, Group, Stack } from "@mantine/core";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import type { TimelineEntryKind } from "../../gql/graphql";
import { KINDS, NAMESPACE } from "./entry";
import { TimelineFilters } from "./TimelineFilters";
import { GLANCE_SIZE, PAGE_SIZE, type SectionQuery, TimelineSection } from "./TimelineSection";

export function TimelineHistory({ operationId }: { operationId: string }) {
  const { t } = useTranslation(NAMESPACE);
  const [kinds, setKinds] = useState<TimelineEntryKind[]>(KINDS);
  const [newestFirst, setNewestFirst] = useState(true);
  const [now, setNow] = useState(() => new Date());
  const [generation, setGeneration] = useState(0);

  // Every kind is the same as no filter: ask for none, so the server's default holds.
  const sections = useMemo((): { name: string; query: SectionQuery }[] => {
    const asked = kinds.length === KINDS.length ? null : kinds;
    if (!newestFirst) return [{ name: "all", query: { kinds: asked, newestFirst: false } }];
    return [
      {
        name: "next",
        query: { kinds: asked, newestFirst: false, from: new Date(now.getTime() + 1).toISOString() },
      },
      { name: "past", query: { kinds: asked, newestFirst: true, to: now.toISOString() } },
    ];
  }, [kinds, newestFirst, now]);

  function refresh() {
    // From the server again, from this moment, and from the first page.
    setNow(new Date());
    setGeneration((n) => n + 1);
  }

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
        <TimelineFilters
          kinds={kinds}
          onKindsChange={setKinds}
          newestFirst={newestFirst}
          onNewestFirstChange={setNewestFirst}
        />
        <Button variant="default" onClick={refresh}>
          {t("refresh")}
        </Button>
      </Group>
      {kinds.length === 0 ? (
        <Alert color="blue" variant="light">
          {t("noKinds")}
        </Alert>
      ) : (
        sections.map(({ name, query }) => (
          <TimelineSection
            key={`${name}-${generation}`}
            operationId={operationId}
            title={t(`section.${name}.title`)}
            empty={t(`section.${name}.empty`)}
            moreLabel={t(`section.${name}.more`)}
            query={query}
            now={now}
            markUpcoming={name === "all"}
            fromServer={generation > 0}
            pageSize={name === "next" ? GLANCE_SIZE : PAGE_SIZE}
          />
        ))
      )}
    </Stack>
  );
}
