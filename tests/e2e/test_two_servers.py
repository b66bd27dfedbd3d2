"""Two real server processes on PostgreSQL + Redis, real websocket clients on both.

200 hits (with retries of the same clientId) reported through both servers reach every
subscriber exactly once, in sequence order; a client that drops out and resumes with
afterSequence ends with exactly the same set.
"""

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone
from graphql_relay import to_global_id

from agencies.services import api_token_create
from tests.support.live import Server, Subscriber, post_graphql

pytestmark = pytest.mark.django_db(transaction=True)

HITS = 200
REPORT = """mutation($op: ID!, $cid: UUID!, $input: HitInput!) {
  reportHit(operationId: $op, clientId: $cid, input: $input) {
    created hit { sequence } errors { field code message } } }"""
SUBSCRIPTION = """subscription($op: ID!, $after: Int) {
  hitReported(operationId: $op, afterSequence: $after) { sequence clientId } }"""


@pytest.fixture
def tokens(coordinator, officer, ng_officer, observer):
    return {
        u.username: api_token_create(user=u)[1]
        for u in (coordinator, officer, ng_officer, observer)
    }


def hit_input(n: int) -> dict:
    occurred = timezone.now() - timedelta(minutes=5)
    return {
        "occurredAt": occurred.isoformat(),
        "country": "CR",
        "locationType": "AIRPORT",
        "modeOfTransport": "AIR",
        "detectionMethod": "RISK_PROFILING",
        "marking": "AMBER",
        "items": [{"commodity": "COCAINE", "quantity": str(n + 1), "unit": "GRAM"}],
    }


async def test_hits_reach_every_subscriber_on_both_servers_once_in_order(
    shared_services, active_operation, tokens
):
    db_url, redis_url = shared_services
    op = to_global_id("Operation", active_operation.pk)
    variables = {"op": op, "after": 0}
    prefix = f"e2e-{uuid.uuid4().hex[:8]}"
    with (
        Server(database_url=db_url, redis_url=redis_url, channel_prefix=prefix) as a,
        Server(database_url=db_url, redis_url=redis_url, channel_prefix=prefix) as b,
    ):
        subscribers = {
            "coordinator@a": await Subscriber(
                a.ws_url, tokens["wco.coordinator"], SUBSCRIPTION, variables
            ).start(),
            "officer@b": await Subscriber(
                b.ws_url, tokens["cr.officer"], SUBSCRIPTION, variables
            ).start(),
            "observer@a": await Subscriber(
                a.ws_url, tokens["unodc.observer"], SUBSCRIPTION, variables
            ).start(),
            "ng@b": await Subscriber(
                b.ws_url, tokens["ng.officer"], SUBSCRIPTION, variables
            ).start(),
        }
        client_ids = [str(uuid.uuid4()) for _ in range(HITS)]
        inputs = [hit_input(n) for n in range(HITS)]  # a retry sends exactly the same report

        def send(n: int, retry: bool = False) -> dict:
            server = (a, b)[(n + retry) % 2]  # a retry goes to the other server
            reporter = ("cr.officer", "ng.officer")[n % 2]
            answer = post_graphql(
                server.url,
                tokens[reporter],
                REPORT,
                {"op": op, "cid": client_ids[n], "input": inputs[n]},
            )
            payload = answer["data"]["reportHit"]
            assert payload["errors"] == [], payload
            return payload

        async def report(numbers, retries=()):
            with ThreadPoolExecutor(max_workers=4) as pool:
                loop = asyncio.get_running_loop()
                jobs = [loop.run_in_executor(pool, send, n) for n in numbers]
                jobs += [loop.run_in_executor(pool, send, n, True) for n in retries]
                return await asyncio.gather(*jobs)

        # First half, with every tenth hit reported twice concurrently.
        first = await report(range(HITS // 2), retries=range(0, HITS // 2, 10))
        await subscribers["ng@b"].wait_for(HITS // 2, timeout=60)
        dropped = subscribers.pop("ng@b")
        await dropped.stop()
        seen_before_drop = [p["data"]["hitReported"]["sequence"] for p, _ in dropped.received]

        second = await report(range(HITS // 2, HITS), retries=range(HITS // 2, HITS, 10))
        resumed = await Subscriber(
            a.ws_url, tokens["ng.officer"], SUBSCRIPTION, {"op": op, "after": seen_before_drop[-1]}
        ).start()
        for subscriber in [*subscribers.values(), resumed]:
            await subscriber.wait_for(
                HITS - (len(seen_before_drop) if subscriber is resumed else 0), timeout=60
            )
            await subscriber.stop()

    created = [p for p in first + second if p["created"]]
    retried = [p for p in first + second if not p["created"]]
    assert len(created) == HITS and len(retried) == HITS // 10
    assert sorted(p["hit"]["sequence"] for p in created) == list(range(1, HITS + 1))
    by_client = {}
    for payload in first + second:
        by_client.setdefault(payload["hit"]["sequence"], []).append(payload)
    assert all(len(v) in (1, 2) for v in by_client.values())

    expected = list(range(1, HITS + 1))
    for name, subscriber in subscribers.items():
        assert subscriber.error is None, (name, subscriber.error)
        got = [p["data"]["hitReported"]["sequence"] for p, _ in subscriber.received]
        assert got == expected, name
    resumed_got = [p["data"]["hitReported"]["sequence"] for p, _ in resumed.received]
    assert seen_before_drop == list(range(1, len(seen_before_drop) + 1))
    assert seen_before_drop + resumed_got == expected
    assert await database_sync_to_async(active_operation.hits.count)() == HITS
