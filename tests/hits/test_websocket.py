"""The graphql-transport-ws protocol on /graphql/, with Channels' WebsocketCommunicator."""

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
    "payload", [{}, {"authorization": "Bearer jo_wrong"}, {"authorization": "Basic x"}]
)
async def test_init_without_valid_credentials_is_closed_4403(db, payload):
    communicator = await connect(init=False)

    await communicator.send_json_to({"type": "connection_init", "payload": payload})

    await assert_closed_with(communicator, 4403)


async def test_session_cookie_is_honoured_only_from_an_allowed_origin(officer):
    from django.test import Client

    client = await database_sync_to_async(Client)()
    await database_sync_to_async(client.force_login)(officer)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    for origin, expected in [
        (b"http://testserver", "connection_ack"),
        (b"https://evil.example", None),
    ]:
        communicator = WebsocketCommunicator(
            application,
            "/graphql/",
            subprotocols=["graphql-transport-ws"],
            headers=[(b"cookie", cookie), (b"origin", origin)],
        )
        await communicator.connect()
        await communicator.send_json_to({"type": "connection_init"})
        if expected:
            assert (await communicator.receive_json_from())["type"] == expected
            await communicator.disconnect()
        else:
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
