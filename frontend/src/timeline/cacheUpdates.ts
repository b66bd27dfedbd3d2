import type { UpdateResolver } from "@urql/exchange-graphcache";

/** An operation's windows and timeline are read again after a change of its plan. */
const refreshOperation: UpdateResolver = (_result, _args, cache) => {
  for (const field of cache.inspectFields("Query")) {
    if (field.fieldName === "operation" || field.fieldName === "node") {
      cache.invalidate("Query", field.fieldName, field.arguments ?? undefined);
    }
  }
};

export const timelineUpdates: Record<string, UpdateResolver> = {
  createTimeWindow: refreshOperation,
  updateTimeWindow: refreshOperation,
  deleteTimeWindow: refreshOperation,
};
