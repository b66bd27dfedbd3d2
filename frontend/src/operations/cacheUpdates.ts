import type { Cache, UpdateResolver } from "@urql/exchange-graphcache";

/** Lists of operations (and my invitations) are read again after these. */
function refreshOperationLists(cache: Cache) {
  for (const field of cache.inspectFields("Query")) {
    if (field.fieldName === "operations" || field.fieldName === "me") {
      cache.invalidate("Query", field.fieldName, field.arguments ?? undefined);
    }
  }
}

/** Every operation read by id: what I may see of them may have changed. */
function refreshOperations(cache: Cache) {
  for (const field of cache.inspectFields("Query")) {
    if (field.fieldName === "operation") {
      cache.invalidate("Query", field.fieldName, field.arguments ?? undefined);
    }
  }
}

const refresh: UpdateResolver = (_result, _args, cache) => refreshOperationLists(cache);

/** A new invitation: the lists, and the operation's participations. */
const invited: UpdateResolver = (_result, args, cache) => {
  refreshOperationLists(cache);
  if (typeof args.operationId === "string") {
    cache.invalidate({ __typename: "Operation", id: args.operationId }, "participations");
  }
};

/** An answer changes who sees the operation: the lists and every operation read. */
const answered: UpdateResolver = (_result, _args, cache) => {
  refreshOperationLists(cache);
  refreshOperations(cache);
};

export const operationUpdates: Record<string, UpdateResolver> = {
  createOperation: refresh,
  updateOperation: refresh,
  transitionOperation: refresh,
  inviteAgency: invited,
  respondToInvitation: answered,
};
