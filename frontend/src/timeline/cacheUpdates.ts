// After a change of an operation's plan, what in the normalised cache is stale: the
// operation's windows (their order and number) and its timeline. A window's own fields
// are updated by the cache from the mutation's answer; a deleted window is dropped.
import type { Cache, UpdateResolver } from "@urql/exchange-graphcache";

const PLAN_FIELDS = new Set(["timeWindows", "timeline"]);

interface WindowPayload {
  timeWindow?: { id: string; operation?: { id: string } | null } | null;
  errors?: readonly unknown[];
}

/** Every query of operations, when the operation is not known. */
function refreshOperations(cache: Cache) {
  for (const field of cache.inspectFields("Query")) {
    if (field.fieldName === "operation" || field.fieldName === "node") {
      cache.invalidate("Query", field.fieldName, field.arguments ?? undefined);
    }
  }
}

function refreshPlan(cache: Cache, operationId: string | null | undefined) {
  const key = operationId ? cache.keyOfEntity({ __typename: "Operation", id: operationId }) : null;
  if (!key) {
    refreshOperations(cache);
    return;
  }
  for (const field of cache.inspectFields(key)) {
    if (PLAN_FIELDS.has(field.fieldName)) {
      cache.invalidate(key, field.fieldName, field.arguments ?? undefined);
    }
  }
}

function planChanged(mutation: string, { deleted = false } = {}): UpdateResolver {
  return (result, args, cache) => {
    const payload = result[mutation] as WindowPayload | null | undefined;
    if (!payload || payload.errors?.length) return;
    const operationId =
      payload.timeWindow?.operation?.id ??
      (typeof args.operationId === "string" ? args.operationId : null);
    refreshPlan(cache, operationId);
    if (deleted && payload.timeWindow?.id) {
      cache.invalidate({ __typename: "TimeWindow", id: payload.timeWindow.id });
    }
  };
}

export const timelineUpdates: Record<string, UpdateResolver> = {
  createTimeWindow: planChanged("createTimeWindow"),
  updateTimeWindow: planChanged("updateTimeWindow"),
  deleteTimeWindow: planChanged("deleteTimeWindow", { deleted: true }),
};
