"""A real server process on PostgreSQL + Redis and real websocket clients: revoking a
token in another process (here, the test's) closes the socket opened with it on the
server, through the Redis channel layer; other users' sockets stay open."""

import asyncio
import json

import pytest
import websockets
from channels.db import database_sync_to_async
from django.conf import settings

from agencies.services import api_token_create, api_token_revoke, user_deactivate
from tests.support.live import Server

pytestmark = pytest.mark.django_db(transaction=True)


async def open_socket(url: str, token: str):
    ws = await websockets.connect(url, subprotocols=["graphql-transport-ws"])
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    )
    assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"type": "connection_ack"}
    return ws


async def close_code(ws) -> int:
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 5)
    return closed.value.rcvd.code


async def assert_open(ws) -> None:
    await ws.send(json.dumps({"type": "ping"}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 5)) == {"type": "pong"}


async def test_revocation_and_deactivation_elsewhere_close_sockets_on_a_real_server(
    shared_services, officer, observer, ng_officer, coordinator
):
    db_url, redis_url = shared_services
    # The server must hear this process's broadcasts: the same channel prefix.
    prefix = settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]
    create = database_sync_to_async(lambda user: api_token_create(user=user))
    (officer_token, officer_raw), (_, observer_raw), (_, ng_raw) = [
        await create(user) for user in (officer, observer, ng_officer)
    ]
    with Server(database_url=db_url, redis_url=redis_url, channel_prefix=prefix) as server:
        revoked = await open_socket(server.ws_url, officer_raw)
        deactivated = await open_socket(server.ws_url, ng_raw)
        bystander = await open_socket(server.ws_url, observer_raw)
        try:
            await database_sync_to_async(api_token_revoke)(token=officer_token)
            assert await close_code(revoked) == 4403

            await database_sync_to_async(user_deactivate)(actor=coordinator, user=ng_officer)
            assert await close_code(deactivated) == 4403

            await assert_open(bystander)
        finally:
            for ws in (revoked, deactivated, bystander):
                await ws.close()
