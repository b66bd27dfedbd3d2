// After a mutation, what in the normalised cache is stale. Each domain lists its own
// (operations/cacheUpdates.ts, timeline/cacheUpdates.ts); this merges them.
import type { UpdateResolver, UpdatesConfig } from "@urql/exchange-graphcache";

import { operationUpdates } from "../operations/cacheUpdates";
import { timelineUpdates } from "../timeline/cacheUpdates";

/** `me` has no id: read it again after the viewer changes their preferences. */
const refreshMe: UpdateResolver = (_result, _args, cache) => cache.invalidate("Query", "me");

export const cacheUpdates: UpdatesConfig = {
  Mutation: {
    updateMe: refreshMe,
    rotateCalendarToken: refreshMe,
    revokeCalendarToken: refreshMe,
    ...operationUpdates,
    ...timelineUpdates,
  },
};
