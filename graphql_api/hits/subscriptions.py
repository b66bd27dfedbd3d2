"""Live subscriptions, built on graphene's ``subscribe_<field>`` resolvers.

The source streams run in the websocket consumer's event loop and carry only keys
(hit ids, event kinds); every payload is then resolved like a query, in a worker
thread, through the same permission-aware selectors as any other read.

``hitReported`` first replays every visible hit after ``afterSequence`` from the
database, then follows live events. The consumer joins the operation's group before
the replay reads, and both phases advance one cursor over the per-operation sequence,
so a hit committed during the replay is sent once, in order, never skipped.

A subscription lasts as long as its subscriber may see the operation. Each change of the
operation (participation, coordinators, analysts, status: ``OPERATION_CHANGED``) and
each change of the subscriber's own access (``ACCESS_CHANGED``, from the consumer)
re-checks it; once it no longer holds, the stream ends with ``NOT_FOUND``, the answer
for an operation that does not exist, and the client gets an ``error`` message.
"""

import graphene
from channels.db import database_sync_to_async
from graphql_relay import from_global_id

from graphql_api.core.errors import CodedGraphQLError
from graphql_api.hits.schema import plan_hit_queryset
from graphql_api.hits.types import HitNode
from graphql_api.operations.types import OperationNode
from operations import events
from operations.permissions import hits_visible_to
from operations.selectors import operation_list_for_user

REPLAY_BATCH = 200


def _operation_pk(global_id: str) -> int:
    try:
        kind, pk = from_global_id(global_id)
        if kind != "Operation":
            raise ValueError(kind)
        return int(pk)
    except (TypeError, ValueError, UnicodeDecodeError) as exc:
        raise CodedGraphQLError("Not an Operation id.", "INVALID_ID") from exc


@database_sync_to_async
def _last_sequence_if_visible(user, operation_pk: int) -> int | None:
    """The operation's latest sequence number, or None when the user may not see it."""
    return (
        operation_list_for_user(user)
        .filter(pk=operation_pk)
        .values_list("last_hit_sequence", flat=True)
        .first()
    )


@database_sync_to_async
def _visible_hits_after(user, operation_pk: int, cursor: int) -> list[tuple[int, int]]:
    return list(
        hits_visible_to(user)
        .filter(operation_id=operation_pk, sequence__gt=cursor)
        .order_by("sequence")
        .values_list("pk", "sequence")[:REPLAY_BATCH]
    )


@database_sync_to_async
def _hit_visible(user, hit_pk: int) -> bool:
    return hits_visible_to(user).filter(pk=hit_pk).exists()


async def _require_visible(user, operation_pk: int) -> int:
    last = await _last_sequence_if_visible(user, operation_pk)
    if last is None:  # the same answer as for an operation that does not exist
        raise CodedGraphQLError("Operation not found.", "NOT_FOUND")
    return last


def _may_change_access(event: dict) -> bool:
    """A change that can take the operation away from a subscriber: not a hit's review or
    amendment (the hit is re-read through the selectors anyway)."""
    if event["kind"] == events.ACCESS_CHANGED:
        return True
    return event["kind"] == events.OPERATION_CHANGED and not event.get("hit_id")


class OperationChange(graphene.ObjectType):
    what = graphene.String(
        required=True,
        description="status, plan, participation, time_window, hit_amended, hit_reviewed",
    )
    operation = graphene.Field(OperationNode, required=True)
    hit = graphene.Field(HitNode)


class HitSubscriptions(graphene.ObjectType):
    hit_reported = graphene.Field(
        HitNode,
        operation_id=graphene.ID(required=True),
        after_sequence=graphene.Int(),
        description="Every hit I may see, once, in sequence order: first those after "
        "afterSequence (none when omitted), then live ones.",
    )
    operation_changed = graphene.Field(OperationChange, operation_id=graphene.ID(required=True))

    @staticmethod
    async def subscribe_hit_reported(root, info, operation_id, after_sequence=None):
        # info.context.user is read afresh each time: the connection re-authenticates.
        context, operation_pk = info.context, _operation_pk(operation_id)
        group = events.operation_group(operation_pk)
        events_queue = await context.listen(group)
        try:
            last = await _require_visible(context.user, operation_pk)
        except Exception:
            await context.unlisten(group, events_queue)
            raise
        cursor = last if after_sequence is None else max(after_sequence, 0)

        async def stream():
            nonlocal cursor
            try:
                while True:
                    while True:  # replay from the database until caught up
                        rows = await _visible_hits_after(context.user, operation_pk, cursor)
                        for pk, sequence in rows:
                            cursor = sequence
                            yield pk
                        if len(rows) < REPLAY_BATCH:
                            break
                    while True:  # wait for a newer hit; the replay re-checks permission
                        event = await events_queue.get()
                        if event["kind"] == events.HIT_REPORTED and event["sequence"] > cursor:
                            break
                        if _may_change_access(event):
                            await _require_visible(context.user, operation_pk)
            finally:
                await info.context.unlisten(group, events_queue)

        return stream()

    @staticmethod
    def resolve_hit_reported(root, info, **kwargs):
        return plan_hit_queryset(hits_visible_to(info.context.user)).filter(pk=root).first()

    @staticmethod
    async def subscribe_operation_changed(root, info, operation_id):
        context, operation_pk = info.context, _operation_pk(operation_id)
        group = events.operation_group(operation_pk)
        events_queue = await context.listen(group)
        try:
            await _require_visible(context.user, operation_pk)
        except Exception:
            await context.unlisten(group, events_queue)
            raise

        async def stream():
            try:
                while True:
                    event = await events_queue.get()
                    if event["kind"] not in (events.OPERATION_CHANGED, events.ACCESS_CHANGED):
                        continue
                    await _require_visible(context.user, operation_pk)
                    if event["kind"] == events.ACCESS_CHANGED:
                        continue
                    hit_id = event.get("hit_id")
                    if hit_id and not await _hit_visible(context.user, hit_id):
                        continue  # a change to a hit this user may not see
                    yield {"operation_pk": operation_pk, **event}
            finally:
                await info.context.unlisten(group, events_queue)

        return stream()

    @staticmethod
    def resolve_operation_changed(root, info, **kwargs):
        user = info.context.user
        operation = operation_list_for_user(user).filter(pk=root["operation_pk"]).first()
        if operation is None:
            return None
        hit = None
        if root.get("hit_id"):
            hit = plan_hit_queryset(hits_visible_to(user)).filter(pk=root["hit_id"]).first()
            if hit is None:
                return None
        return OperationChange(what=root["what"], operation=operation, hit=hit)
