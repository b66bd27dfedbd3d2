"""Live fan-out: each server process reads what an event is about once, and runs each
subscription document once per event for everybody who is shown the same, however many
websockets follow the operation.

**The hub.** One :class:`Hub` per server process (per event loop) holds one channel-layer
group membership per operation that any of its connections follows (a :class:`Feed`),
not one per connection. It receives each event once, on a channel of its own, and each
feed works through its operation's events in order:

- ``hit_reported``: the feed reads, in one planned query, every hit after its own cursor
  (the last sequence it read), so a lost or late event is caught up by the next one;
  it prefetches what its live documents select together (``Feed._selected``).
  Then the grants of all the operation's subscribers are read at once (two queries:
  ``operations.permissions.operation_permissions_of_users``), and each subscriber's
  visibility profile (``operations.permissions.visibility_profile``) says what they are
  shown of each hit: nothing, the hit without its nominal data, or with it (``HitView``).
- ``operation_changed``: the operation, and the hit if the change is about one, are read
  once, with the grants; subscribers who may no longer see the operation end with
  ``NOT_FOUND`` (on changes of the operation itself: what may take it away).

Subscribers are then grouped by (document, variables the payload depends on, what they
are shown), and each group's document is executed once, in a worker thread, by
graphql-core with the schema's resolvers and the root-field middleware, as one of the
group's users (with the grants the view was computed from, so every resolver sees the
same as the view); its JSON is made once and every member gets the same text in its
queue. So the cost of an event is one read and one execution per distinct group; a
connection costs a dictionary look-up and a websocket send.

**What may be shared.** Only fields whose value, for a hit or an operation the viewer
may see, depends on the viewer through what the view decides: :data:`SHARED_FIELDS`.
The other fields of those types are in :data:`PER_VIEWER_FIELDS`, each with the reason;
a document that selects one of them, or any type not audited here, is executed for each
connection on its own (still from the one read, with a fresh context as before). A test
checks that the two lists cover every field of the audited types.

**Cursor.** ``hitReported`` keeps one cursor per subscription (everything it may see up
to the cursor has been sent): its replay (``graphql_api/hits/subscriptions.py``) reads in
batches and advances it, then joins the live stream with :meth:`LiveSubscription.go_live`,
which only succeeds when the cursor has reached the feed's cursor (else the replay reads
on); the feed sends a joined subscription only the hits after its cursor. Both happen in
the event loop without an await in between, so nothing is missed or sent twice.

**Slow consumers.** Each subscription's queue holds at most ``GRAPHQL_WS_MAX_PENDING``
messages. A subscriber further behind is taken off the feed: it gets what is queued, then
an ``error`` with ``RESUME_REQUIRED`` and, for ``hitReported``, ``afterSequence``, the
sequence to resume from; nothing is dropped silently.

Nothing here is needed by another process: each process's hub reads from PostgreSQL and
listens on the shared channel layer on its own.
"""

import asyncio
import json
import logging
import weakref
from collections import Counter, deque
from dataclasses import dataclass

from channels.layers import get_channel_layer
from django.conf import settings
from django.db.models import Exists, OuterRef
from graphql import (
    ExecutionResult,
    GraphQLError,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    execute,
    visit,
)
from graphql.language import DocumentNode

from graphql_api.core.context import _ATTR as _PERMISSIONS_MEMO
from graphql_api.core.errors import CodedGraphQLError
from graphql_api.core.permissions import RootFieldRuleMiddleware
from graphql_api.core.threads import in_thread_pool
from graphql_api.hits.schema import plan_hit_queryset
from operations import events, permissions
from operations.models import Hit, Operation
from operations.selectors import operation_list_for_user

logger = logging.getLogger("jointops.graphql.fanout")

HITS = "hitReported"
CHANGES = "operationChanged"
READ_BATCH = 200  # hits read at once when a feed catches up
RETRY_AFTER = 1.0  # seconds before a feed that failed to read tries again
RECHECK = object()  # LiveSubscription.next(): the subscriber's own access changed


# -- what may be shared ----------------------------------------------------------------


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Fields whose value, for a hit or operation the viewer may see, is decided by what the
# viewer is shown of the hit (HitView) and nothing else of the viewer. Audited resolvers:
# Hit's nominal fields (nominalDataVisible, actors, reportedBy, revisions) follow
# can_see_nominal_data, which the view decides; Hit.operation is resolved through
# OperationNode.get_queryset (view_operation, which every viewer of the hit holds);
# Operation.coordinators and .analysts are the same list for every viewer; User and
# Agency rows are answered as loaded (no per-viewer filtering on these paths).
SHARED_FIELDS: dict[str, frozenset[str]] = {
    "Subscription": _names("hitReported operationChanged"),
    "OperationChange": _names("what operation hit"),
    "Hit": _names(
        "id operation clientId sequence kind occurredAt country place locationCode "
        "locationType modeOfTransport detectionMethod concealment arrests notes marking "
        "status version reviewReason reviewedAt reportedAt updatedAt modeOfTransportRec19 "
        "occurredAtLocal reportingAgency latitude longitude items shipment "
        "nominalDataVisible actors reportedBy revisions"
    ),
    "HitItem": _names("commodity commodityGroup quantity unit kilograms hsCode description"),
    "Shipment": _names(
        "containerNumber airWaybill postalItem billOfLading imoNumber flightNumber "
        "aircraftRegistration vehiclePlate departureCountry transitCountries "
        "destinationCountry"
    ),
    "IdentityDocument": _names("kind number country"),
    "Actor": _names(
        "id kind role name aliases nationality dateOfBirth registrationNumber documents "
        "addresses phones emails"
    ),
    "HitRevision": _names("version reason author createdAt content"),
    "Agency": _names("id name acronym kind country countryName"),
    "User": _names("id username firstName lastName agency displayName"),
    "Operation": _names(
        "id code name description focus status leadAgency coordinators analysts "
        "plannedStart plannedEnd timeZone defaultMarking acceptLateReports createdAt "
        "updatedAt plannedStartLocal plannedEndLocal"
    ),
}

# The other fields of the audited types: they depend on more of the viewer, so a
# document selecting one runs for each connection on its own.
PER_VIEWER_FIELDS: dict[str, dict[str, str]] = {
    "Subscription": {"analysisProgress": "not an operation's feed"},
    "Operation": {
        "viewerPermissions": "the viewer's own grants",
        "myRole": "the viewer's role and agency",
        "allowedTransitions": "empty unless the viewer coordinates",
        "coordinatorCandidates": "empty unless the viewer may change the operation",
        "analystCandidates": "empty unless the viewer may change the operation",
        "calendarUrl": "carries the viewer's own feed token",
        "timeline": "entries filtered for the viewer",
        "hits": "the hits the viewer may see",
        "participations": "Participation.viewerResponses, contacts and operation follow the viewer",
        "timeWindows": "TimeWindow.icsUrl and participation are not audited for sharing",
    },
}


@dataclass(frozen=True, slots=True)
class SharePlan:
    """How one subscription document may be run: shared (with the key of its group:
    document, operation name, and the values of the variables its payload reads), or
    for its connection alone (key None)."""

    key: tuple | None
    per_viewer: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SubscriptionRequest:
    """A subscription as the consumer prepared it: the text, its parsed document, the
    variables as sent and the operation's name."""

    query: str
    document: DocumentNode
    variables: dict | None
    operation_name: str | None


class _Audit(Visitor):
    def __init__(self, type_info: TypeInfo):
        super().__init__()
        self.type_info = type_info
        self.per_viewer: set[str] = set()
        self.variables: set[str] = set()
        self._root_arguments: list[bool] = []

    def enter_variable_definition(self, *_args):
        return self.SKIP

    def enter_field(self, node, *_args):
        parent, name = self.type_info.get_parent_type(), node.name.value
        if name == "__typename":
            return
        if parent is None or name not in SHARED_FIELDS.get(parent.name, ()):
            self.per_viewer.add(f"{getattr(parent, 'name', '?')}.{name}")

    def enter_argument(self, *_args):
        parent = self.type_info.get_parent_type()
        self._root_arguments.append(
            self.type_info.get_directive() is None
            and parent is not None
            and parent.name == "Subscription"
        )

    def leave_argument(self, *_args):
        self._root_arguments.pop()

    def enter_variable(self, node, *_args):
        # The root field's arguments (operationId, afterSequence) choose the feed and the
        # replay; the payload of a live event does not depend on them.
        if not (self._root_arguments and self._root_arguments[-1]):
            self.variables.add(node.name.value)


_plans: dict[tuple[str, str | None], tuple[tuple[str, ...], frozenset[str]]] = {}
_PLAN_CACHE_SIZE = 512


def share_plan(query: str, document: DocumentNode, operation_name, variables) -> SharePlan:
    """Whether the subscription `document` (the text `query`) may be shared, and with whom."""
    cached = _plans.get((query, operation_name))
    if cached is None:
        from graphql_api.schema import schema  # the schema imports this module

        type_info = TypeInfo(schema.graphql_schema)
        audit = _Audit(type_info)
        visit(document, TypeInfoVisitor(type_info, audit))
        cached = (tuple(sorted(audit.per_viewer)), frozenset(audit.variables))
        if len(_plans) >= _PLAN_CACHE_SIZE:
            _plans.clear()
        _plans[(query, operation_name)] = cached
    per_viewer, names = cached
    if per_viewer:
        return SharePlan(None, per_viewer)
    # An omitted variable and an explicit null may differ (a default applies to the first).
    given = variables or {}
    values = {name: [given[name]] if name in given else [] for name in sorted(names)}
    return SharePlan((query, operation_name, json.dumps(values, sort_keys=True, default=str)))


# -- executing --------------------------------------------------------------------------


class SharedContext:
    """The context of one execution shared by a group: `user` is one of its members
    (shared fields read nothing else of the viewer) and the memo of their grants is
    those the group's view was computed from (graphql_api.core.context)."""

    def __init__(self, user, operation_pk: int, held: set[str]):
        self.user = user
        setattr(self, _PERMISSIONS_MEMO, {operation_pk: set(held)})


def execute_document(request, root_value, context) -> ExecutionResult:
    """Execute a subscription's document for one event, as the consumer executes any
    operation (same schema, same middleware). In a worker thread."""
    from graphql_api.schema import schema  # the schema imports this module

    return execute(
        schema.graphql_schema,
        request.document,
        root_value=root_value,
        context_value=context,
        variable_values=request.variables,
        operation_name=request.operation_name,
        middleware=[RootFieldRuleMiddleware()],
    )


def format_result(result: ExecutionResult) -> dict:
    from graphql_api.views import format_error  # the views import the schema

    formatted = {"data": result.data}
    if result.errors:
        formatted["errors"] = [format_error(e) for e in result.errors]
    return formatted


def shows_nothing(result: ExecutionResult) -> bool:
    """A result with nothing for this viewer: not sent."""
    return result.errors is None and not any((result.data or {}).values())


class Delivery:
    """A ``next`` payload made once for every subscription of one group."""

    __slots__ = ("payload", "sequence")

    def __init__(self, payload: str, sequence: int | None):
        self.payload, self.sequence = payload, sequence

    def text(self, op_id: str) -> str:
        """The whole ``next`` message for subscription `op_id`."""
        return f'{{"type":"next","id":{json.dumps(op_id)},"payload":{self.payload}}}'


def _run_groups(groups: dict, root_for) -> tuple[dict, int]:
    """Execute each group's document once; (member -> Delivery, executions)."""
    deliveries, executions = {}, 0
    for members in groups.values():
        first = members[0]
        root, sequence = root_for(first)
        result = execute_document(first.request, root, first.execution_context)
        executions += 1
        if shows_nothing(result):
            continue
        delivery = Delivery(json.dumps(format_result(result)), sequence)
        for member in members:
            deliveries[member.subscription] = delivery
    return deliveries, executions


@dataclass
class _Member:
    """One subscription as the worker thread sees it: captured in the event loop."""

    subscription: "LiveSubscription"
    user: object
    request: object
    cursor: int | None
    share_key: tuple | None
    execution_context: object = None


def operation_not_found() -> CodedGraphQLError:
    """The answer for an operation the subscriber may not (or no longer) see: the same
    as for one that does not exist."""
    return CodedGraphQLError("Operation not found.", "NOT_FOUND")


def resume_required(after_sequence: int | None) -> GraphQLError:
    extensions = {"code": "RESUME_REQUIRED"}
    if after_sequence is not None:
        extensions["afterSequence"] = after_sequence
        message = "Too far behind: subscribe again with afterSequence."
    else:
        message = "Too far behind: subscribe again, and read what you show again."
    return GraphQLError(message, extensions=extensions)


# -- one subscription ----------------------------------------------------------------


class LiveSubscription:
    """One ``subscribe`` of one connection to one operation's live events.

    `context`: the connection's WsContext for this subscription (its ``user`` is read
    afresh, its ``request`` is the document, ``fresh()`` makes a context for one
    execution). The subscription's stream (graphql_api/hits/subscriptions.py) takes
    deliveries with :meth:`next`."""

    def __init__(self, feed: "Feed", context, kind: str):
        self.feed, self.context, self.kind = feed, context, kind
        request = context.request
        self.share_key = share_plan(
            request.query, request.document, request.operation_name, request.variables
        ).key
        self.cursor: int | None = None
        self.last_sequence = 0  # the operation's, when it was followed
        # What its document selects under a Hit (graphql_api.hits.types.hit_selection;
        # None: anything), so that the feed's read plans only what somebody selected.
        self.selected: frozenset[str] | None = None
        self.live = False
        self.closed = False
        self.limit = max(1, settings.GRAPHQL_WS_MAX_PENDING)
        self._items: deque[Delivery] = deque()
        self._wakeup = asyncio.Event()
        self._end: Exception | None = None
        self._recheck = False

    @property
    def user(self):
        return self.context.user

    @property
    def attached(self) -> bool:
        return not self.closed and self._end is None

    def go_live(self, cursor: int | None = None) -> bool:
        """Join the live stream from `cursor` (hitReported) if the feed has read nothing
        after it; False: replay further first."""
        if not self.attached:
            return True  # next() answers why
        if self.kind == HITS:
            if self.feed.cursor is None:
                self.feed.position(cursor)
            elif cursor < self.feed.cursor:
                return False
            self.cursor = cursor
        self.live = True
        return True

    def access_changed(self) -> None:
        """The subscriber's own access changed (ACCESS_CHANGED, a move to another agency):
        the stream re-checks before anything else."""
        self._recheck = True
        self._wakeup.set()

    def put(self, delivery: Delivery) -> bool:
        """Queue a delivery; False (and the subscription ends) when the queue is full."""
        if len(self._items) >= self.limit:
            self.feed.hub.stats["overflows"] += 1
            self.end(resume_required(self.cursor if self.kind == HITS else None))
            return False
        self._items.append(delivery)
        self._wakeup.set()
        return True

    def end(self, error: Exception) -> None:
        """End after what is queued, with `error`; leave the feed at once."""
        if self._end is None:
            self._end = error
            self.feed.remove(self)
            self._wakeup.set()

    def close(self) -> None:
        """The stream is done with it (completed, failed, or its connection closed)."""
        if not self.closed:
            self.closed = True
            self.feed.remove(self)
            self.context.forget(self)

    async def next(self):
        """The next Delivery, or RECHECK; raises the error the subscription ended with."""
        while True:
            if self._recheck:
                self._recheck = False
                return RECHECK
            if self._items:
                return self._items.popleft()
            if self._end is not None:
                raise self._end
            self._wakeup.clear()
            await self._wakeup.wait()

    def member(self) -> _Member:
        return _Member(self, self.user, self.context.request, self.cursor, self.share_key)


# -- one operation in one process -------------------------------------------------------


class Feed:
    """One operation's events in one process: its group membership, its cursor, the
    subscriptions following it, and the queues of raw events (analysisProgress)."""

    def __init__(self, hub: "Hub", group: str, operation_pk: int):
        self.hub, self.group, self.operation_pk = hub, group, operation_pk
        self.subscriptions: dict[LiveSubscription, None] = {}  # in arrival order
        self.listeners: set[asyncio.Queue] = set()
        self.cursor: int | None = None  # known once a subscription has read where it stands
        self._unplaced = False  # hit events came while the cursor was not known
        self._events: deque[dict] = deque()
        self._wakeup = asyncio.Event()
        self.stopped = False
        self.ready = asyncio.ensure_future(self._start())
        self._worker = asyncio.ensure_future(self._work())
        self._retry: asyncio.TimerHandle | None = None

    @property
    def empty(self) -> bool:
        return not self.subscriptions and not self.listeners

    async def _start(self) -> None:
        try:
            await self.hub.join(self.group)
        except BaseException:
            self.hub.forget(self)
            raise

    def position(self, last_sequence: int) -> None:
        """The operation's last sequence as read after joining: where the feed's reads
        start (the first subscription to read it sets it). A hit event that came while
        that was being read may be of a later hit: then the feed reads after it at once
        instead of waiting for the next event."""
        if self.cursor is None:
            self.cursor = last_sequence
            if self._unplaced:
                self._unplaced = False
                self.catch_up_soon()

    def remove(self, subscription: LiveSubscription) -> None:
        self.subscriptions.pop(subscription, None)
        self._stop_if_empty()

    def remove_listener(self, queue: asyncio.Queue) -> None:
        self.listeners.discard(queue)
        self._stop_if_empty()

    def _stop_if_empty(self) -> None:
        if self.empty and not self.stopped:
            self.stopped = True
            self._worker.cancel()
            if self._retry is not None:
                self._retry.cancel()
            self.hub.forget(self)
            if self.ready.done() and not self.ready.cancelled() and not self.ready.exception():
                self.hub.leave_soon(self.group)
            else:
                self.ready.add_done_callback(lambda task: self.hub.leave_soon(self.group))

    def push(self, event: dict) -> None:
        """An event of the operation's group, as received (in the event loop)."""
        for queue in self.listeners:
            queue.put_nowait(event)
        self._events.append(event)
        self._wakeup.set()

    def catch_up_soon(self) -> None:
        """Read after the cursor even without a new event (after a failure, a lost
        membership)."""
        self._events.append({"kind": events.HIT_REPORTED, "sequence": None})
        self._wakeup.set()

    async def _work(self) -> None:
        try:
            await self.ready
        except Exception:
            logger.exception("Could not follow %s", self.group)
            for subscription in list(self.subscriptions):
                subscription.end(CodedGraphQLError("Internal server error.", "INTERNAL_ERROR"))
            return
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            batch = list(self._events)
            self._events.clear()
            await self._handle(batch)

    async def _handle(self, batch: list[dict]) -> None:
        """The events in the order they came; consecutive hit events make one read. Hit
        events before any hitReported subscription has said where it stands (the cursor
        is None) are remembered for :meth:`position`."""
        hits_waiting = False
        for event in batch:
            kind = event.get("kind")
            if kind == events.HIT_REPORTED and self.cursor is None:
                self._unplaced = True
            elif kind == events.HIT_REPORTED:
                sequence = event.get("sequence")
                hits_waiting |= sequence is None or sequence > self.cursor
            elif kind == events.OPERATION_CHANGED:
                if hits_waiting:
                    await self._catch_up_or_retry()
                    hits_waiting = False
                try:
                    await self._changed(event)
                except Exception:  # as if the event had been lost
                    logger.exception("Live fan-out of a change of %s failed", self.group)
        if hits_waiting:
            await self._catch_up_or_retry()

    async def _catch_up_or_retry(self) -> None:
        try:
            await self._catch_up()
        except Exception:  # e.g. the database away: read again in a moment
            logger.exception("Live fan-out of %s failed; reading again", self.group)
            self._retry = asyncio.get_running_loop().call_later(RETRY_AFTER, self.catch_up_soon)

    async def _catch_up(self) -> None:
        """Read every hit after the cursor, and send each subscriber what it may see."""
        while True:
            if not any(s.kind == HITS for s in self.subscriptions):
                self.cursor = None  # nobody to read for: the next follower says where to start
                return
            previous = self.cursor
            hits = await _hits_after(self.operation_pk, previous, self._selected())
            self.hub.stats["reads"] += 1
            if not hits:
                return
            # In one step: who is live now, and the new cursor (see go_live).
            members = [s.member() for s in self.subscriptions if s.kind == HITS and s.live]
            self.cursor = hits[-1].sequence
            try:
                deliveries, executions = await _compute_hits(self.operation_pk, hits, members)
            except BaseException:
                self.cursor = previous  # read again; the subscribers' cursors avoid repeats
                raise
            self.hub.stats["executions"] += executions
            for hit, by_subscription in zip(hits, deliveries, strict=True):
                for member in members:
                    subscription = member.subscription
                    if not subscription.attached or hit.sequence <= subscription.cursor:
                        continue
                    delivery = by_subscription.get(subscription)
                    if delivery is not None and not subscription.put(delivery):
                        continue
                    subscription.cursor = hit.sequence
            if len(hits) < READ_BATCH:
                return

    def _selected(self) -> frozenset[str] | None:
        """What the live hitReported subscriptions select under a Hit, together (a
        subscription that goes live after the read is still served: what its document
        selects beyond this is read lazily)."""
        selections = [s.selected for s in self.subscriptions if s.kind == HITS and s.live]
        if any(selected is None for selected in selections):
            return None
        return frozenset().union(*selections)

    async def _changed(self, event: dict) -> None:
        hit_id = event.get("hit_id")
        may_take_access = not hit_id  # a hit's amendment or review changes no grant
        members = [
            s.member()
            for s in self.subscriptions
            if (s.kind == CHANGES and s.live) or (s.kind == HITS and may_take_access)
        ]
        if not members:
            return
        lost, deliveries, executions = await _compute_change(self.operation_pk, event, members)
        self.hub.stats["reads"] += 1
        self.hub.stats["executions"] += executions
        for member in members:
            subscription = member.subscription
            if not subscription.attached:
                continue
            if subscription in lost:
                subscription.end(operation_not_found())
            elif subscription in deliveries:
                subscription.put(deliveries[subscription])


# -- reads and executions, in a worker thread ------------------------------------------


@in_thread_pool
def _where_it_stands(user, operation_pk: int) -> tuple[int, bool]:
    """(the operation's last sequence, whether `user` may see the operation), in one
    statement; (0, False) when it does not exist."""
    visible = operation_list_for_user(user).filter(pk=OuterRef("pk"))
    row = (
        Operation.objects.filter(pk=operation_pk)
        .annotate(visible=Exists(visible))
        .values_list("last_hit_sequence", "visible")
        .first()
    )
    return (row[0], bool(row[1])) if row is not None else (0, False)


@in_thread_pool
def _hits_after(operation_pk: int, cursor: int, selected: frozenset[str] | None) -> list[Hit]:
    """The one read of an event: every hit after `cursor`, with what the subscribers'
    documents `selected`."""
    queryset = Hit.objects.filter(operation_id=operation_pk, sequence__gt=cursor)
    return list(plan_hit_queryset(queryset, selected).order_by("sequence")[:READ_BATCH])


def _profiles(operation_pk: int, members: list[_Member]) -> dict:
    held = permissions.operation_permissions_of_users((m.user for m in members), operation_pk)
    return {
        m.subscription: (
            permissions.visibility_profile(m.user, operation_pk, held.get(m.user.pk, set())),
            held.get(m.user.pk, set()),
        )
        for m in members
    }


def _context_for(member: _Member, operation_pk: int, held: set[str]):
    if member.share_key is None:
        return member.subscription.context.fresh()
    return SharedContext(member.user, operation_pk, held)


@in_thread_pool
def _compute_hits(operation_pk: int, hits: list[Hit], members: list[_Member]):
    """For each hit, each member's delivery (absent: nothing to send); and the number of
    executions."""
    profiles = _profiles(operation_pk, members)
    result, executions = [], 0
    for hit in hits:
        groups: dict[tuple, list[_Member]] = {}
        for member in members:
            if member.cursor is not None and hit.sequence <= member.cursor:
                continue
            profile, held = profiles[member.subscription]
            view = profile.hit_view(hit)
            if view is None:
                continue
            key = (member.share_key, view) if member.share_key else (id(member),)
            if key not in groups:
                member.execution_context = _context_for(member, operation_pk, held)
                groups[key] = []
            groups[key].append(member)
        deliveries, count = _run_groups(groups, lambda _first, hit=hit: (hit, hit.sequence))
        result.append(deliveries)
        executions += count
    return result, executions


@in_thread_pool
def _compute_change(operation_pk: int, event: dict, members: list[_Member]):
    """(members who lost the operation, member -> delivery, executions) for one
    operation_changed event."""
    profiles = _profiles(operation_pk, members)
    lost = {m.subscription for m in members if not profiles[m.subscription][0].sees_operation}
    changes = [m for m in members if m.subscription not in lost and m.subscription.kind == CHANGES]
    if not changes:
        return lost, {}, 0
    operation = Operation.objects.filter(pk=operation_pk).first()
    hit = None
    if event.get("hit_id"):
        hit = plan_hit_queryset(
            Hit.objects.filter(pk=event["hit_id"], operation_id=operation_pk)
        ).first()
    if operation is None or (event.get("hit_id") and hit is None):
        return lost, {}, 0
    groups: dict[tuple, list[_Member]] = {}
    for member in changes:
        profile, held = profiles[member.subscription]
        view = profile.hit_view(hit) if hit is not None else "operation"
        if view is None:
            continue  # a change to a hit this subscriber may not see
        key = (member.share_key, view) if member.share_key else (id(member),)
        if key not in groups:
            member.execution_context = _context_for(member, operation_pk, held)
            groups[key] = []
        groups[key].append(member)
    root = {
        "operation_pk": operation_pk,
        "what": event.get("what", ""),
        "hit_id": event.get("hit_id"),
        "operation": operation,
        "hit": hit,
    }
    deliveries, executions = _run_groups(groups, lambda _first: (root, None))
    return lost, deliveries, executions


# -- the hub -----------------------------------------------------------------------------


class Hub:
    """The live fan-out of one server process (one event loop): see the module."""

    def __init__(self, layer):
        self.layer = layer
        self.feeds: dict[str, Feed] = {}
        self.channel: str | None = None
        self.stats: Counter = Counter()  # reads, executions, overflows: for tests and benches
        self._receiver: asyncio.Task | None = None
        self._refresher: asyncio.Task | None = None
        self._channel_lock = asyncio.Lock()
        self._membership_locks: dict[str, asyncio.Lock] = {}

    # feeds

    def _feed(self, operation_pk: int) -> Feed:
        group = events.operation_group(operation_pk)
        feed = self.feeds.get(group)
        if feed is None:
            feed = self.feeds[group] = Feed(self, group, operation_pk)
        return feed

    def forget(self, feed: Feed) -> None:
        if self.feeds.get(feed.group) is feed:
            del self.feeds[feed.group]
        if not self.feeds:
            for task in (self._receiver, self._refresher):
                if task is not None:
                    task.cancel()
            self._receiver = self._refresher = None

    async def follow(self, context, operation_pk: int, kind: str) -> LiveSubscription:
        """A subscription to the operation's live events, once this process hears them,
        with ``last_sequence``: the operation's as read after that. Refused with
        NOT_FOUND, as for an operation that does not exist, when the subscriber may not
        see it."""
        feed = self._feed(operation_pk)
        subscription = LiveSubscription(feed, context, kind)
        feed.subscriptions[subscription] = None
        try:
            await asyncio.shield(feed.ready)
            last, visible = await _where_it_stands(context.user, operation_pk)
            if not visible:
                raise operation_not_found()
        except BaseException:
            subscription.close()
            raise
        feed.position(last)
        subscription.last_sequence = last
        return subscription

    async def listen(self, group: str, queue: asyncio.Queue) -> None:
        """Raw events of an operation's group into `queue` (analysisProgress wakes up)."""
        feed = self._feed(events.operation_of_group(group))
        feed.listeners.add(queue)
        try:
            await asyncio.shield(feed.ready)
        except BaseException:
            feed.remove_listener(queue)
            raise

    def unlisten(self, group: str, queue: asyncio.Queue) -> None:
        feed = self.feeds.get(group)
        if feed is not None:
            feed.remove_listener(queue)

    # the channel layer

    def _lock(self, group: str) -> asyncio.Lock:
        return self._membership_locks.setdefault(group, asyncio.Lock())

    async def join(self, group: str) -> None:
        async with self._channel_lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel()
        if self._receiver is None or self._receiver.done():
            self._receiver = asyncio.ensure_future(self._receive())
            self._refresher = asyncio.ensure_future(self._refresh())
        async with self._lock(group):
            await self.layer.group_add(group, self.channel)

    def leave_soon(self, group: str) -> None:
        asyncio.ensure_future(self._leave(group))

    async def _leave(self, group: str) -> None:
        async with self._lock(group):
            if group in self.feeds or self.channel is None:  # followed again meanwhile: stay
                return
            try:
                await self.layer.group_discard(group, self.channel)
            except Exception:
                logger.warning("Could not leave %s", group, exc_info=True)
            # Not followed: nobody waits for this lock (a join is for a followed group).
            self._membership_locks.pop(group, None)

    async def _receive(self) -> None:
        failures = 0
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                failures += 1
                logger.exception("Live fan-out lost the channel layer; joining again")
                await asyncio.sleep(min(0.1 * 2**failures, 5))
                await self._rejoin()
                continue
            failures = 0
            feed = self.feeds.get(message.get("group"))
            if feed is not None and not feed.stopped:
                feed.push(message)

    async def _rejoin(self) -> None:
        """Join every followed group again (a restarted Redis forgot them), then let each
        feed read what it may have missed."""
        for group, feed in list(self.feeds.items()):
            try:
                async with self._lock(group):
                    await self.layer.group_add(group, self.channel)
            except Exception:
                logger.warning("Could not join %s again", group, exc_info=True)
                continue
            feed.catch_up_soon()

    async def _refresh(self) -> None:
        """Memberships expire after the layer's group_expiry: renew them well before."""
        interval = max(1.0, getattr(self.layer, "group_expiry", 86400) / 4)
        while True:
            await asyncio.sleep(interval)
            for group in list(self.feeds):
                try:
                    async with self._lock(group):
                        await self.layer.group_add(group, self.channel)
                except Exception:
                    logger.warning("Could not renew %s", group, exc_info=True)


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub]" = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """This process's hub (its event loop's), for the current channel layer."""
    loop = asyncio.get_running_loop()
    layer = get_channel_layer()
    current = _hubs.get(loop)
    if current is None or current.layer is not layer:
        current = _hubs[loop] = Hub(layer)
    return current
