"""The live fan-out (graphql_api/fanout.py): one read of a hit per event and one
execution per distinct (document, variables, what the viewer is shown) in a process,
shared by every connection with the same; visibility profiles that agree with the
permission rules; viewer-dependent documents run per connection; bounded queues.

In `active_operation`: the coordinator (WCO), cr.officer (CR-CUSTOMS, participant),
ng.officer (NG-CUSTOMS, participant), unodc.observer (observer); these tests add
cr.analyst (CR-CUSTOMS, named analyst: the officer's agency, another role) and
ng.colleague (NG-CUSTOMS, the same profile as ng.officer).
"""

import asyncio
import threading
import uuid

import pytest
from channels.db import database_sync_to_async
from graphql import parse
from graphql_relay import to_global_id

from graphql_api import fanout
from graphql_api.hits import subscriptions
from graphql_api.schema import schema
from operations import events, services
from operations.models import Hit, Marking
from operations.permissions import (
    HitView,
    can_see_nominal_data,
    hits_visible_rule,
    hits_visible_to,
    operation_permissions,
    operation_permissions_of_users,
    visibility_profile,
)
from tests.conftest import make_user
from tests.hits.conftest import report
from tests.hits.test_websocket import connect, subscribe, token_for
from tests.support.statements import statements_of_every_thread

pytestmark = pytest.mark.django_db(transaction=True)

NOMINAL = """subscription($op: ID!, $after: Int) {
  hitReported(operationId: $op, afterSequence: $after) {
    sequence marking nominalDataVisible actors { name } reportedBy { username }
    reportingAgency { acronym } operation { code }
  }
}"""
PLAIN = """subscription($op: ID!, $after: Int) {
  hitReported(operationId: $op, afterSequence: $after) { sequence marking nominalDataVisible }
}"""
WITH_MY_ROLE = """subscription($op: ID!) {
  hitReported(operationId: $op) { sequence operation { myRole } }
}"""


@pytest.fixture
def cr_analyst(active_operation, coordinator, officer):
    analyst = make_user("cr.analyst", officer.agency)
    services.operation_update(actor=coordinator, operation=active_operation, analysts=[analyst])
    return analyst


@pytest.fixture
def ng_colleague(ng_officer):
    return make_user("ng.colleague", ng_officer.agency)


def op_id(operation) -> str:
    return to_global_id("Operation", operation.pk)


async def connect_as(user):
    return await connect(await database_sync_to_async(token_for)(user))


async def until(condition, what: str) -> None:
    """Wait for a state of the server (no claim about how long it takes)."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


def live_subscriptions(operation) -> list:
    feed = fanout.hub().feeds.get(events.operation_group(operation.pk))
    return [s for s in feed.subscriptions if s.live] if feed is not None else []


async def following(operation, count: int) -> None:
    """Wait until `count` subscriptions of this process follow the operation live."""
    await until(lambda: len(live_subscriptions(operation)) >= count, f"{count} live")


def hit_payload(message: dict) -> dict:
    assert message["type"] == "next", message
    return message["payload"]["data"]["hitReported"]


async def fan_out_statements(operation, officer, sockets) -> tuple[list[str], list[dict]]:
    """Report a GREEN hit as `officer`: the statements the fan-out sent for it, and what
    each of `sockets` received."""

    def report_in_a_thread() -> tuple[int, int]:
        report(officer, operation, marking=Marking.GREEN)
        return threading.get_ident(), len(sent)

    with statements_of_every_thread() as sent:
        reporter, reported = await database_sync_to_async(report_in_a_thread)()
        payloads = [hit_payload(await ws.receive_json_from()) for ws in sockets]
    # the fan-out's statements: those of other threads while the report ran, then all
    # (its thread may read for the fan-out once the report is done)
    statements = [
        sql for n, (thread, sql) in enumerate(sent) if n >= reported or thread != reporter
    ]
    return statements, payloads


# --- the profile agrees with the rules ------------------------------------------------------


def test_visibility_profile_agrees_with_the_selectors_for_every_persona_and_marking(
    active_operation, coordinator, officer, ng_officer, observer, outsider, cr_analyst
):
    hits = [
        report(officer, active_operation, marking=marking).hit
        for marking in (Marking.RED, Marking.AMBER_STRICT, Marking.AMBER, Marking.GREEN)
    ] + [
        report(ng_officer, active_operation, marking=marking).hit
        for marking in (Marking.RED, Marking.CLEAR)
    ]
    people = [coordinator, officer, ng_officer, observer, outsider, cr_analyst]
    held = operation_permissions_of_users(people, active_operation.pk)

    for user in people:
        # the batch read of grants is the one-user read, for each user
        assert held[user.pk] == operation_permissions(user, [active_operation.pk]).get(
            active_operation.pk, set()
        )
        profile = visibility_profile(user, active_operation.pk, held[user.pk])
        for hit in hits:
            visible = hits_visible_to(user).filter(pk=hit.pk).exists()
            expected = None
            if visible:
                nominal = can_see_nominal_data(user, hit, held[user.pk])
                expected = HitView.WITH_NOMINAL_DATA if nominal else HitView.WITHOUT_NOMINAL_DATA
            assert profile.hit_view(hit) == expected, (user.username, hit.sequence)
        # and as querysets: the operation's hits the viewer may see; all hits they may see
        assert set(profile.hits()) == {h for h in hits if profile.hit_view(h)}, user.username
        rule = hits_visible_rule(user, operation_permissions(user))
        assert set(Hit.objects.filter(rule)) == set(hits_visible_to(user)), user.username


def test_profiles_are_equal_exactly_when_users_are_shown_the_same(
    active_operation, coordinator, officer, ng_officer, ng_colleague, observer, cr_analyst
):
    people = [coordinator, officer, ng_officer, ng_colleague, observer, cr_analyst]
    held = operation_permissions_of_users(people, active_operation.pk)
    profile = {u.username: visibility_profile(u, active_operation.pk, held[u.pk]) for u in people}

    assert profile["ng.officer"] == profile["ng.colleague"]  # one agency, one role
    assert profile["cr.officer"] != profile["cr.analyst"]  # one agency, two roles
    assert len(set(profile.values())) == len(people) - 1
    assert profile["wco.coordinator"].sees_every_hit
    assert not profile["unodc.observer"].nominal_data_of_every_hit


# --- shared payloads over websockets -------------------------------------------------------


async def test_each_viewer_gets_what_they_may_see_and_equal_profiles_get_equal_payloads(
    active_operation, coordinator, officer, ng_officer, ng_colleague, observer, cr_analyst
):
    viewers = [coordinator, officer, cr_analyst, ng_officer, ng_colleague, observer]
    sockets = {}
    for user in viewers:
        sockets[user.username] = await connect_as(user)
        await subscribe(sockets[user.username], "h", NOMINAL, op=op_id(active_operation))
    await following(active_operation, len(viewers))
    hub = fanout.hub()
    hub.stats.clear()

    await database_sync_to_async(report)(officer, active_operation, marking=Marking.RED)
    await database_sync_to_async(report)(ng_officer, active_operation, marking=Marking.GREEN)

    got = {}
    for name, ws in sockets.items():
        count = 2 if name in ("wco.coordinator", "cr.officer", "cr.analyst") else 1
        got[name] = [hit_payload(await ws.receive_json_from()) for _ in range(count)]
    with_nominal = {
        "nominalDataVisible": True,
        "actors": [{"name": "Juan Pérez"}],
        "operation": {"code": "LIVE-OP"},
    }
    red = {"sequence": 1, "marking": "RED", "reportingAgency": {"acronym": "CR-CUSTOMS"}}
    green = {"sequence": 2, "marking": "GREEN", "reportingAgency": {"acronym": "NG-CUSTOMS"}}
    red_shown = {**red, **with_nominal, "reportedBy": {"username": "cr.officer"}}
    green_shown = {**green, **with_nominal, "reportedBy": {"username": "ng.officer"}}
    green_withheld = {
        **green,
        "nominalDataVisible": False,
        "actors": [],
        "reportedBy": None,
        "operation": {"code": "LIVE-OP"},
    }
    # The RED hit reaches the reporting agency (both its users, whatever their role) and
    # the coordinator, never the other participant or the observer, who share the
    # document and the variables.
    assert got == {
        "wco.coordinator": [red_shown, green_shown],
        "cr.officer": [red_shown, green_withheld],
        "cr.analyst": [red_shown, green_shown],  # an analyst: nominal data of every hit
        "ng.officer": [green_shown],
        "ng.colleague": [green_shown],
        "unodc.observer": [green_withheld],
    }
    # One execution for RED (one view), two for GREEN (with and without nominal data).
    assert hub.stats["executions"] == 3
    for ws in sockets.values():
        await ws.disconnect()


async def test_twenty_connections_with_two_profiles_cost_one_read_and_two_executions_an_event(
    active_operation, coordinator, officer, observer
):
    """The same database statements for 2 subscribers as for 20, one of them reading the
    hit; afterSequence (an argument of the root field) does not split a group."""

    async def fan_out_one_hit() -> tuple[list[str], int]:
        fanout.hub().stats.clear()
        statements, _payloads = await fan_out_statements(active_operation, officer, sockets)
        return statements, fanout.hub().stats["executions"]

    sockets = []

    async def add(user, count):
        last = await database_sync_to_async(
            lambda: type(active_operation).objects.get(pk=active_operation.pk).last_hit_sequence
        )()
        for n in range(count):
            ws = await connect_as(user)
            after = {"after": last} if n % 2 else {}
            await subscribe(ws, "h", PLAIN, op=op_id(active_operation), **after)
            sockets.append(ws)

    await add(coordinator, 1)
    await add(observer, 1)
    await following(active_operation, 2)
    two_statements, two_executions = await fan_out_one_hit()

    await add(coordinator, 9)
    await add(observer, 9)
    await following(active_operation, 20)
    twenty_statements, twenty_executions = await fan_out_one_hit()

    assert two_executions == twenty_executions == 2
    assert len(twenty_statements) == len(two_statements)
    hit_reads = [sql for sql in twenty_statements if 'FROM "operations_hit"' in sql]
    assert len(hit_reads) == 1, twenty_statements
    for ws in sockets:
        await ws.disconnect()


async def test_an_event_reads_only_what_the_live_documents_select(
    active_operation, coordinator, officer
):
    def tables_read(statements: list[str]) -> set[str]:
        return {
            table
            for table in ("operations_hititem", "operations_actor", "operations_hitrevision")
            for sql in statements
            if f'FROM "{table}"' in sql
        }

    # given a board that shows plain fields of each hit
    board = await connect_as(coordinator)
    await subscribe(board, "b", PLAIN, op=op_id(active_operation))
    await following(active_operation, 1)
    plain_read, _ = await fan_out_statements(active_operation, officer, [board])

    # and then a second document that shows the actors too
    nominal = await connect_as(coordinator)
    await subscribe(nominal, "n", NOMINAL, op=op_id(active_operation))
    await following(active_operation, 2)
    nominal_read, (_board, shown) = await fan_out_statements(
        active_operation, officer, [board, nominal]
    )

    # then the one read of an event prefetches only what some live document selects
    assert tables_read(plain_read) == set(), plain_read
    assert tables_read(nominal_read) == {"operations_actor"}, nominal_read
    assert [actor["name"] for actor in shown["actors"]] == ["Juan Pérez"]
    for ws in (board, nominal):
        await ws.disconnect()


async def test_a_document_with_viewer_dependent_fields_runs_for_each_connection(
    active_operation, officer, ng_officer, observer
):
    # Both are shown GREEN hits of others the same way, but play different roles.
    participant, watcher = await connect_as(officer), await connect_as(observer)
    await subscribe(participant, "r", WITH_MY_ROLE, op=op_id(active_operation))
    await subscribe(watcher, "r", WITH_MY_ROLE, op=op_id(active_operation))
    await following(active_operation, 2)
    hub = fanout.hub()
    hub.stats.clear()

    await database_sync_to_async(report)(ng_officer, active_operation, marking=Marking.GREEN)

    assert hit_payload(await participant.receive_json_from()) == {
        "sequence": 1,
        "operation": {"myRole": "PARTICIPANT"},
    }
    assert hit_payload(await watcher.receive_json_from()) == {
        "sequence": 1,
        "operation": {"myRole": "OBSERVER"},
    }
    assert hub.stats["executions"] == 2
    await participant.disconnect()
    await watcher.disconnect()


# --- which documents may be shared -----------------------------------------------------------


def plan_of(query: str, **variables):
    return fanout.share_plan(query, parse(query), None, variables)


def test_shared_and_per_viewer_fields_cover_every_field_of_the_audited_types():
    types = schema.graphql_schema.type_map
    for name, shared in fanout.SHARED_FIELDS.items():
        per_viewer = set(fanout.PER_VIEWER_FIELDS.get(name, {}))
        assert not shared & per_viewer, name
        assert shared | per_viewer == set(types[name].fields), name
        for field in shared:
            target = types[name].fields[field].type
            while hasattr(target, "of_type"):
                target = target.of_type
            if hasattr(target, "fields"):  # an object type: audited too
                assert target.name in fanout.SHARED_FIELDS, f"{name}.{field}"


@pytest.mark.parametrize(
    "query",
    [
        WITH_MY_ROLE,
        "subscription($op: ID!) { hitReported(operationId: $op) { operation { calendarUrl } } }",
        "subscription($op: ID!) { hitReported(operationId: $op) { operation { viewerPermissions } } }",
        "subscription($op: ID!) { operationChanged(operationId: $op) { operation { hits { totalCount } } } }",
        """subscription($op: ID!) { hitReported(operationId: $op) { ...F } }
           fragment F on Hit { operation { participations { viewerResponses } } }""",
    ],
)
def test_documents_selecting_viewer_dependent_fields_are_not_shared(query):
    assert plan_of(query, op="x").key is None


def test_the_group_key_ignores_the_root_arguments_but_not_variables_the_payload_reads():
    query = """subscription($op: ID!, $after: Int, $withActors: Boolean!) {
      hitReported(operationId: $op, afterSequence: $after) {
        sequence actors @include(if: $withActors) { name } } }"""

    first = plan_of(query, op="a", after=1, withActors=True)
    resumed = plan_of(query, op="a", after=40, withActors=True)
    without = plan_of(query, op="a", after=1, withActors=False)

    assert first.key is not None and first.key == resumed.key
    assert without.key != first.key


def test_the_group_key_tells_an_omitted_variable_from_an_explicit_null():
    # omitted, $withActors takes its default (true); null skips the @include's field
    query = """subscription($op: ID!, $withActors: Boolean = true) {
      hitReported(operationId: $op) { sequence actors @include(if: $withActors) { name } } }"""

    omitted = plan_of(query, op="a")
    null = plan_of(query, op="a", withActors=None)

    assert omitted.key is not None and null.key is not None
    assert omitted.key != null.key


# --- replay joins the shared stream -----------------------------------------------------------


async def test_a_hit_committed_during_the_replay_is_sent_once_in_order(
    active_operation, coordinator, officer, observer, monkeypatch
):
    for _ in range(5):
        await database_sync_to_async(report)(officer, active_operation)
    watcher = await connect_as(observer)  # keeps the feed reading live hits
    await subscribe(watcher, "w", PLAIN, op=op_id(active_operation))
    await following(active_operation, 1)
    monkeypatch.setattr(subscriptions, "REPLAY_BATCH", 2)
    original, calls = subscriptions._replay_batch, []

    async def replay_batch(user, operation_pk, cursor, selected):
        calls.append(cursor)
        if len(calls) == 2:  # between two batches of the replay, a new hit commits
            await database_sync_to_async(report)(officer, active_operation)
        return await original(user, operation_pk, cursor, selected)

    monkeypatch.setattr(subscriptions, "_replay_batch", replay_batch)
    resuming = await connect_as(coordinator)

    await subscribe(resuming, "r", PLAIN, op=op_id(active_operation), after=0)
    replayed = [hit_payload(await resuming.receive_json_from())["sequence"] for _ in range(6)]
    await database_sync_to_async(report)(officer, active_operation)
    after = hit_payload(await resuming.receive_json_from())["sequence"]

    assert replayed == [1, 2, 3, 4, 5, 6] and after == 7
    assert calls[:3] == [0, 2, 4]
    assert [hit_payload(await watcher.receive_json_from())["sequence"] for _ in range(2)] == [6, 7]
    await resuming.disconnect()
    await watcher.disconnect()


async def test_a_hit_committed_while_the_first_subscriber_reads_where_it_stands_is_sent_at_once(
    active_operation, officer, observer, monkeypatch
):
    original = fanout._where_it_stands
    handled = []

    async def where_it_stands(user, operation_pk):
        stands = await original(user, operation_pk)
        # a hit commits after that read, and the feed hears of it before it is told
        await database_sync_to_async(report)(officer, active_operation, marking=Marking.GREEN)
        await until(lambda: handled, "the event handled")
        return stands

    original_handle = fanout.Feed._handle

    async def handle(feed, batch):
        await original_handle(feed, batch)
        handled.append(batch)

    monkeypatch.setattr(fanout, "_where_it_stands", where_it_stands)
    monkeypatch.setattr(fanout.Feed, "_handle", handle)
    socket = await connect_as(observer)

    await subscribe(socket, "h", PLAIN, op=op_id(active_operation))

    # then the hit arrives without waiting for another report
    assert hit_payload(await socket.receive_json_from())["sequence"] == 1
    await socket.disconnect()


# --- slow consumers ------------------------------------------------------------------------


async def test_a_subscriber_too_far_behind_is_told_to_resume_and_loses_nothing(
    active_operation, officer, observer, settings, monkeypatch
):
    settings.GRAPHQL_WS_MAX_PENDING = 2
    ws = await connect_as(observer)
    await subscribe(ws, "h", PLAIN, op=op_id(active_operation))
    await following(active_operation, 1)
    # Five hits whose events are lost, then one whose event makes the feed read all six
    # at once: more than the subscription may have waiting.
    with monkeypatch.context() as quiet:
        quiet.setattr(events, "send_soon", lambda *args, **kwargs: None)
        for _ in range(5):
            await database_sync_to_async(report)(officer, active_operation)
    await database_sync_to_async(report)(officer, active_operation)

    first = [hit_payload(await ws.receive_json_from())["sequence"] for _ in range(2)]
    error = await ws.receive_json_from()
    assert first == [1, 2]
    assert error == {
        "type": "error",
        "id": "h",
        "payload": [
            {
                "message": "Too far behind: subscribe again with afterSequence.",
                "extensions": {"code": "RESUME_REQUIRED", "afterSequence": 2},
            }
        ],
    }
    assert fanout.hub().stats["overflows"] == 1
    # resuming from there, nothing is missing
    await subscribe(ws, "h2", PLAIN, op=op_id(active_operation), after=2)
    rest = [hit_payload(await ws.receive_json_from())["sequence"] for _ in range(4)]
    assert rest == [3, 4, 5, 6]
    await ws.disconnect()


async def test_a_failed_read_is_tried_again_and_nothing_is_lost(
    active_operation, officer, observer, monkeypatch
):
    monkeypatch.setattr(fanout, "RETRY_AFTER", 0.01)
    original, failures = fanout._hits_after, []

    async def flaky(operation_pk, cursor, selected):
        if not failures:
            failures.append(cursor)
            raise RuntimeError("database away")
        return await original(operation_pk, cursor, selected)

    monkeypatch.setattr(fanout, "_hits_after", flaky)
    ws = await connect_as(observer)
    await subscribe(ws, "h", PLAIN, op=op_id(active_operation))
    await following(active_operation, 1)

    await database_sync_to_async(report)(officer, active_operation, client_id=uuid.uuid4())

    assert hit_payload(await ws.receive_json_from())["sequence"] == 1
    assert failures == [0]
    await ws.disconnect()


# --- one membership per process ------------------------------------------------------------


async def test_the_process_leaves_the_group_when_its_last_subscriber_goes(
    active_operation, coordinator, observer
):
    first, second = await connect_as(coordinator), await connect_as(observer)
    await subscribe(first, "h", PLAIN, op=op_id(active_operation))
    await subscribe(second, "c", PLAIN, op=op_id(active_operation))
    await following(active_operation, 2)
    group = events.operation_group(active_operation.pk)
    assert list(fanout.hub().feeds) == [group]

    await first.disconnect()
    await until(lambda: len(live_subscriptions(active_operation)) == 1, "one left")
    assert group in fanout.hub().feeds
    await second.disconnect()

    await until(lambda: group not in fanout.hub().feeds, "the feed stopped")


async def test_subscribing_to_operations_that_do_not_exist_leaves_nothing_behind(observer):
    socket = await connect_as(observer)
    hub = fanout.hub()

    for n in range(3):
        await subscribe(socket, f"s{n}", PLAIN, op=to_global_id("Operation", 10_000 + n))
        message = await socket.receive_json_from()
        assert [e["extensions"]["code"] for e in message["payload"]] == ["NOT_FOUND"]

    await until(lambda: not hub.feeds and not hub._membership_locks, "nothing kept")
    await socket.disconnect()
