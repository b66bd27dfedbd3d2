import type { Cache, UpdateResolver } from "@urql/exchange-graphcache";

/** Lists of operations (and my invitations) are read again after these. */
function refreshOperationLists(cache: Cache) {
  for (const field of cache.inspectFields("Query")) {
    if (field.fieldName === "operations" || field.fieldName === "me") {
      cache.invalidate("Query", field.fieldName, field.arguments ?? undefined);
    }
  }
}

const refresh: UpdateResolver = (_result, _args, cache) => refreshOperationLists(cache);

export const operationUpdates: Record<string, UpdateResolver> = {
  createOperation: refresh,
  transitionOperation: refresh,
  inviteAgency: refresh,
  respondToInvitation: refresh,
};
