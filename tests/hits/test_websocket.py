"""The graphql-transport-ws protocol on /graphql/, with Channels' WebsocketCommunicator."""

import json
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from graphql_relay import to_global_id

from agencies.services import api_token_create
from config.asgi import application
from operations import hit_services, services
from operations.models import Marking, Operation
from tests.hits.conftest import report

pytestmark = pytest.mark.django_db(transaction=True)

HIT_REPORTED = """subscription($op: ID!, $after: Int) {
  hitReported(operationId: $op, afterSequence: $after) { sequence marking reportingAgency { acronym } }
}"""
OPERATION_CHANGED = """subscription($op: ID!) {
  operationChanged(operationId: $op) { what operation { status } hit { sequence status } }
}"""
ME = "{ me { user { username } } }"


def token_for(user) -> str:
    return api_token_create(user=user)[1]


async def connect(token: str | None = None, *, init=True, subprotocols=("graphql-transport-ws",)):
    communicator = WebsocketCommunicator(application, "/graphql/", subprotocols=list(subprotocols))
    connected, subprotocol = await communicator.connect()
    assert connected and subprotocol == "graphql-transport-ws"
    if init:
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await communicator.send_json_to({"type": "connection_init", "payload": payload})
        assert await communicator.receive_json_from() == {"type": "connection_ack"}
    return communicator


async def subscribe(communicator, op_id: str, query: str, **variables):
    await communicator.send_json_to(
        {"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables}}
    )


async def assert_closed_with(communicator, code: int):
    message = await communicator.receive_output(timeout=2)
    assert message == {"type": "websocket.close", "code": code}


async def test_handshake_without_the_subprotocol_is_refused(db):
    communicator = WebsocketCommunicator(application, "/graphql/", subprotocols=["graphql-ws"])

    connected, _ = await communicator.connect()

    assert not connected


async def test_init_with_bearer_token_is_acknowledged_then_ping_pong(officer):
    token = await database_sync_to_async(token_for)(officer)
    communicator = await connect(token)

    await communicator.send_json_to({"type": "ping", "payload": {"t": 1}})
    assert await communicator.receive_json_from() == {"type": "pong", "payload": {"t": 1}}
    await communicator.send_json_to({"type": "pong"})
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"authorization": "Bearer jo_wrong"},
        {"authorization": "Basic x"},
        {"authorization": "Bearer jo_\ud800"},  # not Unicode: no token's, no crash
    ],
)
async def test_init_without_valid_credentials_is_closed_4403(db, payload):
    communicator = await connect(init=False)

    await communicator.send_json_to({"type": "connection_init", "payload": payload})

    await assert_closed_with(communicator, 4403)


async def session_cookie(user) -> bytes:
    from django.test import Client

    client = await database_sync_to_async(Client)()
    await database_sync_to_async(client.force_login)(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def init_with_session(cookie: bytes, origin: str, *, scheme="ws", extra_headers=()):
    """connection_init with the session cookie, from a browser page at `origin` that opened
    `scheme`://testserver/graphql/; the first answer (an ack, or the close event)."""
    communicator = WebsocketCommunicator(
        application,
        "/graphql/",
        subprotocols=["graphql-transport-ws"],
        headers=[
            (b"host", b"testserver"),
            (b"cookie", cookie),
            (b"origin", origin.encode()),
            *extra_headers,
        ],
    )
    communicator.scope["scheme"] = scheme  # read when the application first runs
    await communicator.connect()
    await communicator.send_json_to({"type": "connection_init"})
    answer = await communicator.receive_output(timeout=2)
    await communicator.disconnect()
    if answer["type"] == "websocket.send":
        return json.loads(answer["text"])
    return answer


ACK = {"type": "connection_ack"}
REFUSED = {"type": "websocket.close", "code": 4403}


@pytest.mark.parametrize(
    "scheme, origin, expected",
    [
        ("ws", "http://testserver", ACK),
        ("wss", "https://testserver", ACK),
        ("ws", "https://evil.example", REFUSED),
        ("ws", "http://testserver:9999", REFUSED),  # another port is another origin
        ("ws", "https://testserver", REFUSED),  # another scheme too
        ("wss", "http://testserver", REFUSED),
        ("ws", "http://testserver.evil.example", REFUSED),
        ("ws", "null", REFUSED),
    ],
)
async def test_session_cookie_is_honoured_only_from_our_own_origin(
    officer, scheme, origin, expected
):
    cookie = await session_cookie(officer)

    assert await init_with_session(cookie, origin, scheme=scheme) == expected


async def test_session_origin_behind_a_tls_proxy_follows_x_forwarded_proto(officer):
    cookie = await session_cookie(officer)
    https = [(b"x-forwarded-proto", b"https")]

    assert await init_with_session(cookie, "https://testserver", extra_headers=https) == ACK
    assert await init_with_session(cookie, "http://testserver", extra_headers=https) == REFUSED


async def test_session_origin_may_be_a_csrf_trusted_origin(officer, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.example.org", "https://*.ops.example.org"]
    cookie = await session_cookie(officer)

    for origin, expected in [
        ("https://app.example.org", ACK),
        ("https://lima.ops.example.org", ACK),
        ("http://app.example.org", REFUSED),
        ("http://lima.ops.example.org", REFUSED),
        ("https://app.example.org:8443", REFUSED),
    ]:
        assert await init_with_session(cookie, origin) == expected, origin


async def test_session_cookie_without_origin_is_refused(officer):
    cookie = await session_cookie(officer)
    communicator = WebsocketCommunicator(
        application,
        "/graphql/",
        subprotocols=["graphql-transport-ws"],
        headers=[(b"host", b"testserver"), (b"cookie", cookie)],
    )
    await communicator.connect()

    await communicator.send_json_to({"type": "connection_init"})

    await assert_closed_with(communicator, 4403)


async def test_subscribe_before_init_is_closed_4401(db):
    communicator = await connect(init=False)

    await subscribe(communicator, "1", ME)

    await assert_closed_with(communicator, 4401)


async def test_second_init_is_closed_4429(officer):
    communicator = await connect(await database_sync_to_async(token_for)(officer))

    await communicator.send_json_to({"type": "connection_init", "payload": {}})

    await assert_closed_with(communicator, 4429)


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        '{"no": "type"}',
        '{"type": "unheard_of"}',
        "[1, 2]",
        '{"type": "subscribe", "payload": {"query": "{ me { user { id } } }"}}',
        '{"type": "subscribe", "id": "1", "payload": "nope"}',
        '{"type": ["subscribe"]}',
        '{"type": {}}',
        "[" * 5000 + "]" * 5000,  # deeper than Python's stack
    ],
)
async def test_bad_messages_are_closed_4400(officer, raw):
    communicator = await connect(await database_sync_to_async(token_for)(officer))

    await communicator.send_to(text_data=raw)

    await assert_closed_with(communicator, 4400)


async def test_init_timeout_closes_4408(db, settings):
    settings.GRAPHQL_WS_INIT_TIMEOUT = 0.1
    communicator = await connect(init=False)

    await assert_closed_with(communicator, 4408)


async def test_query_over_websocket_answers_next_then_complete(officer):
    communicator = await connect(await database_sync_to_async(token_for)(officer))

    await subscribe(communicator, "q1", ME)

    assert await communicator.receive_json_from() == {
        "type": "next",
        "id": "q1",
        "payload": {"data": {"me": {"user": {"username": "cr.officer"}}}},
    }
    assert await communicator.receive_json_from() == {"type": "complete", "id": "q1"}
    await communicator.disconnect()


async def test_invalid_document_answers_error(officer):
    communicator = await connect(await database_sync_to_async(token_for)(officer))

    await subscribe(communicator, "bad", "{ me { nope } }")

    message = await communicator.receive_json_from()
    assert message["type"] == "error" and message["id"] == "bad"
    assert "nope" in message["payload"][0]["message"]
    await communicator.disconnect()


async def test_duplicate_subscription_id_is_closed_4409(active_operation, officer):
    communicator = await connect(await database_sync_to_async(token_for)(officer))
    op = to_global_id("Operation", active_operation.pk)

    await subscribe(communicator, "same", HIT_REPORTED, op=op)
    await subscribe(communicator, "same", HIT_REPORTED, op=op)

    await assert_closed_with(communicator, 4409)


async def test_hidden_operation_is_refused_exactly_like_a_missing_one(active_operation, outsider):
    communicator = await connect(await database_sync_to_async(token_for)(outsider))

    await subscribe(
        communicator, "real", HIT_REPORTED, op=to_global_id("Operation", active_operation.pk)
    )
    real = await communicator.receive_json_from()
    await subscribe(communicator, "fake", HIT_REPORTED, op=to_global_id("Operation", 999999))
    fake = await communicator.receive_json_from()

    assert real["type"] == fake["type"] == "error"
    assert real["payload"] == fake["payload"]
    assert real["payload"][0]["extensions"]["code"] == "NOT_FOUND"
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_hit_reported_replays_after_sequence_then_streams_live_hits(
    active_operation, officer, coordinator
):
    for _ in range(3):
        await database_sync_to_async(report)(officer, active_operation)
    communicator = await connect(await database_sync_to_async(token_for)(coordinator))

    await subscribe(
        communicator, "s", HIT_REPORTED, op=to_global_id("Operation", active_operation.pk), after=1
    )
    replayed = [await communicator.receive_json_from() for _ in range(2)]
    await database_sync_to_async(report)(officer, active_operation)
    live = await communicator.receive_json_from()

    assert [m["payload"]["data"]["hitReported"]["sequence"] for m in [*replayed, live]] == [2, 3, 4]
    assert live["payload"]["data"]["hitReported"]["reportingAgency"] == {"acronym": "CR-CUSTOMS"}
    await communicator.send_json_to({"type": "complete", "id": "s"})
    await database_sync_to_async(report)(officer, active_operation)
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_without_after_sequence_only_live_hits_arrive(active_operation, officer):
    await database_sync_to_async(report)(officer, active_operation)
    communicator = await connect(await database_sync_to_async(token_for)(officer))

    await subscribe(
        communicator, "s", HIT_REPORTED, op=to_global_id("Operation", active_operation.pk)
    )
    assert await communicator.receive_nothing(timeout=0.3)
    await database_sync_to_async(report)(officer, active_operation)

    message = await communicator.receive_json_from()
    assert message["payload"]["data"]["hitReported"]["sequence"] == 2
    await communicator.disconnect()


async def test_restricted_hits_never_reach_other_participants(
    active_operation, officer, observer, ng_officer
):
    observer_ws = await connect(await database_sync_to_async(token_for)(observer))
    ng_ws = await connect(await database_sync_to_async(token_for)(ng_officer))
    op = to_global_id("Operation", active_operation.pk)
    await subscribe(observer_ws, "o", HIT_REPORTED, op=op)
    await subscribe(ng_ws, "n", HIT_REPORTED, op=op)

    await database_sync_to_async(report)(officer, active_operation, marking=Marking.RED)
    await database_sync_to_async(report)(officer, active_operation, marking=Marking.AMBER_STRICT)
    await database_sync_to_async(report)(officer, active_operation, marking=Marking.GREEN)

    for ws in (observer_ws, ng_ws):
        message = await ws.receive_json_from()
        assert message["payload"]["data"]["hitReported"] == {
            "sequence": 3,
            "marking": "GREEN",
            "reportingAgency": {"acronym": "CR-CUSTOMS"},
        }
        assert await ws.receive_nothing(timeout=0.3)
        await ws.disconnect()


async def test_operation_changed_carries_status_and_reviews(active_operation, officer, coordinator):
    hit = (await database_sync_to_async(report)(officer, active_operation)).hit
    communicator = await connect(await database_sync_to_async(token_for)(officer))
    await subscribe(
        communicator, "c", OPERATION_CHANGED, op=to_global_id("Operation", active_operation.pk)
    )
    await communicator.receive_nothing(timeout=0.2)

    await database_sync_to_async(hit_services.hit_review)(
        actor=coordinator, hit=hit, decision="confirm"
    )
    reviewed = await communicator.receive_json_from()
    await database_sync_to_async(services.operation_transition)(
        actor=coordinator, operation=active_operation, to_status=Operation.Status.CLOSED
    )
    closed = await communicator.receive_json_from()

    assert reviewed["payload"]["data"]["operationChanged"] == {
        "what": "hit_reviewed",
        "operation": {"status": "ACTIVE"},
        "hit": {"sequence": 1, "status": "CONFIRMED"},
    }
    assert closed["payload"]["data"]["operationChanged"] == {
        "what": "status",
        "operation": {"status": "CLOSED"},
        "hit": None,
    }
    await communicator.disconnect()


async def test_changes_to_hidden_hits_are_not_announced(
    active_operation, officer, observer, coordinator
):
    hit = (
        await database_sync_to_async(report)(
            officer, active_operation, marking=Marking.RED, client_id=uuid.uuid4()
        )
    ).hit
    communicator = await connect(await database_sync_to_async(token_for)(observer))
    await subscribe(
        communicator, "c", OPERATION_CHANGED, op=to_global_id("Operation", active_operation.pk)
    )
    await communicator.receive_nothing(timeout=0.2)

    await database_sync_to_async(hit_services.hit_review)(
        actor=coordinator, hit=hit, decision="confirm"
    )

    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()


async def assert_still_open(communicator):
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}


@pytest.mark.parametrize("variables", ["{}", [], ["op"], 3, True])
async def test_variables_that_are_not_an_object_answer_variables_invalid(officer, variables):
    communicator = await connect(await database_sync_to_async(token_for)(officer))

    await communicator.send_json_to(
        {"id": "v", "type": "subscribe", "payload": {"query": ME, "variables": variables}}
    )

    message = await communicator.receive_json_from()
    assert message["type"] == "error" and message["id"] == "v"
    assert [e["extensions"]["code"] for e in message["payload"]] == ["VARIABLES_INVALID"]
    await assert_still_open(communicator)
    await communicator.disconnect()


async def test_null_variables_are_no_variables(officer):
    communicator = await connect(await database_sync_to_async(token_for)(officer))

    await communicator.send_json_to(
        {"id": "v", "type": "subscribe", "payload": {"query": ME, "variables": None}}
    )

    assert (await communicator.receive_json_from())["type"] == "next"
    assert await communicator.receive_json_from() == {"type": "complete", "id": "v"}
    await communicator.disconnect()


HIT_REPORTED_IN_INLINE_FRAGMENT = """subscription($op: ID!) {
  ... on Subscription { hitReported(operationId: $op) { sequence } }
}"""
HIT_REPORTED_IN_FRAGMENT_SPREAD = """subscription Live($op: ID!) { ...Hits }
fragment Hits on Subscription { hitReported(operationId: $op) { sequence } }"""


@pytest.mark.parametrize(
    "query", [HIT_REPORTED_IN_INLINE_FRAGMENT, HIT_REPORTED_IN_FRAGMENT_SPREAD]
)
async def test_subscription_root_field_inside_a_fragment_streams(active_operation, officer, query):
    communicator = await connect(await database_sync_to_async(token_for)(officer))
    await subscribe(communicator, "f", query, op=to_global_id("Operation", active_operation.pk))
    assert await communicator.receive_nothing(timeout=0.3)

    await database_sync_to_async(report)(officer, active_operation)

    assert await communicator.receive_json_from() == {
        "type": "next",
        "id": "f",
        "payload": {"data": {"hitReported": {"sequence": 1}}},
    }
    await communicator.disconnect()


async def test_subscription_root_field_in_a_fragment_still_needs_a_login_rule(
    active_operation, outsider
):
    communicator = await connect(await database_sync_to_async(token_for)(outsider))

    await subscribe(
        communicator,
        "f",
        HIT_REPORTED_IN_INLINE_FRAGMENT,
        op=to_global_id("Operation", active_operation.pk),
    )

    message = await communicator.receive_json_from()
    assert message["type"] == "error"
    assert [e["extensions"]["code"] for e in message["payload"]] == ["NOT_FOUND"]
    await communicator.disconnect()


@pytest.mark.parametrize(
    "query",
    [
        # two root fields, one through a fragment: refused by the spec's validation
        """subscription($op: ID!) { operationChanged(operationId: $op) { what }
           ... on Subscription { hitReported(operationId: $op) { sequence } } }""",
        # no root field left once @skip applies
        """subscription($op: ID!) { hitReported(operationId: $op) @skip(if: true) { sequence } }""",
    ],
)
async def test_subscription_without_exactly_one_root_field_is_refused(
    active_operation, officer, query
):
    communicator = await connect(await database_sync_to_async(token_for)(officer))

    await subscribe(
        communicator, "s", query, op=to_global_id("Operation", active_operation.pk), skip=True
    )

    message = await communicator.receive_json_from()
    assert message["type"] == "error" and message["id"] == "s"
    assert len(message["payload"]) == 1
    assert message["payload"][0].get("extensions", {}).get("code") != "INTERNAL_ERROR"
    assert "one" in message["payload"][0]["message"]
    await assert_still_open(communicator)
    await communicator.disconnect()


async def test_skip_or_include_with_a_variable_on_the_root_field_is_refused_not_crashed(
    active_operation, officer
):
    # graphql-core's single-root-field rule collects root fields without variables and
    # raises rather than reporting; later spec drafts forbid these directives there.
    communicator = await connect(await database_sync_to_async(token_for)(officer))
    query = """subscription($op: ID!, $skip: Boolean!) {
      hitReported(operationId: $op) @skip(if: $skip) { sequence } }"""

    await subscribe(
        communicator, "s", query, op=to_global_id("Operation", active_operation.pk), skip=False
    )

    message = await communicator.receive_json_from()
    assert message["type"] == "error" and len(message["payload"]) == 1
    assert message["payload"][0].get("extensions", {}).get("code") != "INTERNAL_ERROR"
    await communicator.disconnect()


async def test_operations_beyond_the_limit_are_refused_and_the_socket_stays_open(
    active_operation, officer, settings
):
    settings.GRAPHQL_WS_MAX_OPERATIONS = 2
    communicator = await connect(await database_sync_to_async(token_for)(officer))
    op = to_global_id("Operation", active_operation.pk)
    await subscribe(communicator, "a", HIT_REPORTED, op=op)
    await subscribe(communicator, "b", OPERATION_CHANGED, op=op)

    await subscribe(communicator, "c", HIT_REPORTED, op=op)

    message = await communicator.receive_json_from()
    assert message["type"] == "error" and message["id"] == "c"
    assert [e["extensions"]["code"] for e in message["payload"]] == ["TOO_MANY_OPERATIONS"]
    await assert_still_open(communicator)
    # given one completes, there is room again
    await communicator.send_json_to({"type": "complete", "id": "a"})
    await subscribe(communicator, "c", HIT_REPORTED, op=op)
    assert await communicator.receive_nothing(timeout=0.3)
    await database_sync_to_async(report)(officer, active_operation)
    delivered = await communicator.receive_json_from()
    assert delivered["id"] == "c" and delivered["payload"]["data"]["hitReported"]["sequence"] == 1
    await communicator.disconnect()
