"""Live subscriptions, built on graphene's ``subscribe_<field>`` resolvers.

The source streams run in the websocket consumer's event loop. Live events are fanned out
by the process's hub (``graphql_api/fanout.py``): it reads each new hit or change once,
decides with the permission rules what each subscriber is shown, and executes each
distinct document once for everybody shown the same; the streams here pass its ready
payloads on. Replays are read here, per subscription, in batches of ``REPLAY_BATCH``
through the same permission-aware selectors as any other read, and executed by the
connection.

``hitReported`` first replays every visible hit after ``afterSequence`` from the
database, then follows live events. The stream joins the operation's feed before the
replay reads, and both phases advance one cursor over the per-operation sequence (the
cursor: everything the subscriber may see up to it has been sent): the replay reads
until its cursor has reached the feed's, then joins (``LiveSubscription.go_live``, in
the same step), and the feed sends it only hits after its cursor. So a hit committed
during the replay is sent once, in order, never skipped.

A subscription lasts as long as its subscriber may see the operation. Each change of the
operation (participation, coordinators, analysts, status: ``OPERATION_CHANGED``) is
checked by the hub for all its subscribers at once, and each change of the subscriber's
own access (``ACCESS_CHANGED``, from the consumer) here; once access no longer holds, the
stream ends with ``NOT_FOUND``, the answer for an operation that does not exist, and the
client gets an ``error`` message. A subscriber too far behind ends with
``RESUME_REQUIRED`` (see the fan-out).
"""

import graphene
from graphql_relay import from_global_id

from graphql_api import fanout
from graphql_api.core.errors import CodedGraphQLError
from graphql_api.core.selection import requested
from graphql_api.core.threads import in_thread_pool
from graphql_api.hits.schema import plan_hit_queryset
from graphql_api.hits.types import HitNode, hit_selection
from graphql_api.operations.types import OperationNode
from operations.models import Hit, Operation
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


@in_thread_pool
def _last_sequence_if_visible(user, operation_pk: int) -> int | None:
    """The operation's latest sequence number, or None when the user may not see it."""
    return (
        operation_list_for_user(user)
        .filter(pk=operation_pk)
        .values_list("last_hit_sequence", flat=True)
        .first()
    )


@in_thread_pool
def _replay_batch(
    user, operation_pk: int, cursor: int, selected: frozenset[str]
) -> tuple[list[Hit], int]:
    """Up to REPLAY_BATCH hits the user may see after `cursor`, in sequence order, with
    what the document `selected` (graphql_api.hits.types.hit_selection); and the
    operation's last sequence as it stood before they were read (all hits up to it were
    committed, so fewer than a batch means the user has seen everything up to it)."""
    covered = (
        Operation.objects.filter(pk=operation_pk)
        .values_list("last_hit_sequence", flat=True)
        .first()
        or 0
    )
    hits = (
        plan_hit_queryset(hits_visible_to(user), selected)
        .filter(operation_id=operation_pk, sequence__gt=cursor)
        .order_by("sequence")
    )
    return list(hits[:REPLAY_BATCH]), covered


async def _require_visible(user, operation_pk: int) -> int:
    last = await _last_sequence_if_visible(user, operation_pk)
    if last is None:  # the same answer as for an operation that does not exist
        raise fanout.operation_not_found()
    return last


async def _live(subscription, user_of, operation_pk: int):
    """What the hub hands `subscription`, re-checking access when the subscriber's own
    changes; ends with the error the subscription ended with."""
    while True:
        item = await subscription.next()
        if item is fanout.RECHECK:
            await _require_visible(user_of(), operation_pk)
            continue
        yield item


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
        subscription = await context.follow(operation_pk, fanout.HITS)  # or NOT_FOUND
        subscription.selected = hit_selection(requested(info), info)
        last = subscription.last_sequence
        cursor = last if after_sequence is None else max(after_sequence, 0)

        async def stream():
            nonlocal cursor
            try:
                while not subscription.go_live(cursor):  # replay until caught up
                    hits, covered = await _replay_batch(
                        context.user, operation_pk, cursor, subscription.selected
                    )
                    for hit in hits:
                        cursor = hit.sequence
                        yield hit
                    if len(hits) < REPLAY_BATCH:
                        cursor = max(cursor, covered)
                async for delivery in _live(subscription, lambda: context.user, operation_pk):
                    yield delivery
            finally:
                subscription.close()

        return stream()

    @staticmethod
    def resolve_hit_reported(root, info, **kwargs):
        # The hit, read by the replay (through hits_visible_to) or by the hub (shown only
        # to subscribers whose visibility profile lets them see it).
        return root

    @staticmethod
    async def subscribe_operation_changed(root, info, operation_id):
        context, operation_pk = info.context, _operation_pk(operation_id)
        subscription = await context.follow(operation_pk, fanout.CHANGES)  # or NOT_FOUND
        subscription.go_live()

        async def stream():
            try:
                async for delivery in _live(subscription, lambda: context.user, operation_pk):
                    yield delivery
            finally:
                subscription.close()

        return stream()

    @staticmethod
    def resolve_operation_changed(root, info, **kwargs):
        # Read by the hub, for subscribers who may see the operation and the hit.
        return OperationChange(what=root["what"], operation=root["operation"], hit=root["hit"])
