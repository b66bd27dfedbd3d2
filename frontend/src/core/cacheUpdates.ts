// After a mutation, what in the normalised cache is stale. Each domain lists its own
// (operations/cacheUpdates.ts, timeline/cacheUpdates.ts); this merges them.
import type { UpdateResolver, UpdatesConfig } from "@urql/exchange-graphcache";

import { operationUpdates } from "../operations/cacheUpdates";
import { timelineUpdates } from "../timeline/cacheUpdates";

/** `me` has no id: read it again after the viewer changes their preferences. */
const refreshMe: UpdateResolver = (_result, _args, cache) => cache.invalidate("Query", "me");

/** A new (or no) calendar key changes every feed address: mine and each operation's. */
const refreshCalendarLinks: UpdateResolver = (result, args, cache, info) => {
  refreshMe(result, args, cache, info);
  for (const field of cache.inspectFields("Query")) {
    if (field.fieldName === "operation" || field.fieldName === "node") {
      cache.invalidate("Query", field.fieldName, field.arguments ?? undefined);
    }
  }
};

export const cacheUpdates: UpdatesConfig = {
  Mutation: {
    updateMe: refreshMe,
    rotateCalendarToken: refreshCalendarLinks,
    revokeCalendarToken: refreshCalendarLinks,
    ...operationUpdates,
    ...timelineUpdates,
  },
};
