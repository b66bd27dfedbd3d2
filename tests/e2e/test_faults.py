"""Live reporting through faults: two real server processes on PostgreSQL and a Redis of
the test's own (``redis-server`` on a free port), real clients.

While reporters send REPORTS hits through both servers (each report retried with the
same clientId until it is acknowledged, every DUPLICATE_EVERY-th sent once more to the
other server as a client that lost the answer would) and SUBSCRIBERS clients (the
coordinator, a participating officer, a second participant and an observer, in turn)
follow ``hitReported`` on both servers:

1. a reconnection storm: STORM sockets (the subscribers and as many more) closed at
   once by their clients, which reconnect at once and resume with ``afterSequence``;
2. Redis restarts (no persistence: the channel layer's groups are gone);
3. one server process is killed (SIGKILL) and started again on its port;
4. the database connections of both servers are terminated (``pg_terminate_backend``).

A client does what a real one does: on a closed socket, or a subscription the server
ends, it reconnects (to the other server when one is down) and resumes with
``afterSequence`` = the last sequence it received. In the end every subscriber holds
exactly the hits its user may see (some are TLP:RED, seen only by the reporting agency
and the coordinator), each once, in sequence order; the storm's extra sockets exactly
those of their stretch; the database holds one hit per report acknowledged, numbered
without a gap; and after the storm the operation's channel-layer group holds no member
beyond the live subscriptions.

It runs the sizes of issue 11 (1,000 reports, 50 subscribers, 200 sockets in the storm)
in three to seven minutes on two cores.
"""

import asyncio
import itertools
import shutil
import threading
import time
import uuid
from datetime import timedelta

import psycopg
import pytest
import redis
from channels.db import database_sync_to_async
from django.utils import timezone
from graphql_relay import to_global_id

from agencies.services import api_token_create
from operations.models import Hit
from operations.permissions import hits_visible_to
from tests.conftest import services_required
from tests.support.live import RedisServer, ResumingSubscriber, Server, post_graphql

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(900)]

REPORTS = 1000
SUBSCRIBERS = 50
STORM = 200  # sockets closed at once: the subscribers and STORM - SUBSCRIBERS more
REPORTERS = 4
RATE = 10  # reports per second, all reporters together
# The share of the reports sent when each fault starts: the storm, the Redis restart,
# the server killed, the database connections dropped.
FAULTS_AT = (0.15, 0.35, 0.55, 0.75)
GATES = (0.3, 0.5, 0.7, 0.9)  # how far reports go on while each fault is under way
DUPLICATE_EVERY = 10
RED_EVERY = 7  # of the officer's reports
APPLICATION_NAME = "jointops-faults"
REPORT = """mutation($op: ID!, $cid: UUID!, $input: HitInput!) {
  reportHit(operationId: $op, clientId: $cid, input: $input) {
    created hit { sequence } errors { field code message } } }"""


@pytest.fixture
def private_redis(shared_services):
    if shutil.which("redis-server") is None:
        if services_required():
            pytest.fail("redis-server is required in this run")
        pytest.skip("needs redis-server")
    with RedisServer() as server:
        yield server


@pytest.fixture
def personas(coordinator, officer, ng_officer, observer):
    """(user, token) of the readers; the reporters are the officer and the second participant."""
    return [(u, api_token_create(user=u)[1]) for u in (coordinator, officer, ng_officer, observer)]


class Reporters:
    """Threads that send every report until it is acknowledged, alternating servers."""

    def __init__(self, urls: list[str], tokens: list[str], operation_id: str):
        self.urls, self.tokens, self.operation_id = urls, tokens, operation_id
        occurred = (timezone.now() - timedelta(minutes=5)).isoformat()
        self.client_ids = [str(uuid.uuid4()) for _ in range(REPORTS)]
        self.inputs = [  # a retry sends exactly the same report
            {
                "occurredAt": occurred,
                "country": "CR",
                "locationType": "AIRPORT",
                "modeOfTransport": "AIR",
                "detectionMethod": "RISK_PROFILING",
                "marking": "RED" if n % 2 == 0 and n % RED_EVERY == 0 else "AMBER",
                "items": [{"commodity": "COCAINE", "quantity": str(n + 1), "unit": "GRAM"}],
            }
            for n in range(REPORTS)
        ]
        self.answers: dict[int, list[dict]] = {}
        self.failures: dict[str, int] = {}
        self.refusals: list[str] = []
        self._numbers = itertools.count()
        self._stopped = False
        self._lock = threading.Lock()
        # No report from `at` on leaves before the fault under way is over: every fault
        # happens while reports are being sent, with more to come after it.
        self.gates = [(int(REPORTS * share), threading.Event()) for share in GATES]
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(REPORTERS)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    @property
    def acknowledged(self) -> int:
        return len(self.answers)

    def last_sequence(self) -> int:
        with self._lock:
            return max((a[0]["hit"]["sequence"] for a in self.answers.values()), default=0)

    def open_gate(self) -> None:
        next(event for _, event in self.gates if not event.is_set()).set()

    def stop(self) -> None:
        self._stopped = True
        for _, event in self.gates:
            event.set()

    def _run(self) -> None:
        while (n := next(self._numbers)) < REPORTS and not self._stopped:
            for at, event in self.gates:
                if n >= at:
                    event.wait(300)
            time.sleep(REPORTERS / RATE)
            self._send(n, first=n % 2)
            if n % DUPLICATE_EVERY == 0:
                self._send(n, first=(n + 1) % 2)

    def _send(self, n: int, first: int) -> None:
        variables = {"op": self.operation_id, "cid": self.client_ids[n], "input": self.inputs[n]}
        for attempt in range(600):
            url = self.urls[(first + attempt) % len(self.urls)]
            try:
                answer = post_graphql(url, self.tokens[n % 2], REPORT, variables)
            except Exception as error:  # refused, reset, timed out: the server is away
                self._fail(type(error).__name__)
                time.sleep(0.2)
                continue
            payload = (answer.get("data") or {}).get("reportHit")
            if payload is None or answer.get("errors"):  # e.g. the database went away
                codes = {(e.get("extensions") or {}).get("code") for e in answer.get("errors", [])}
                self._fail(f"errors {sorted(map(str, codes))}")
                time.sleep(0.2)
                continue
            if payload["errors"]:
                self.refusals.append(f"report {n}: {payload['errors']}")
                return
            with self._lock:
                self.answers.setdefault(n, []).append(payload)
            return
        self.refusals.append(f"report {n}: never acknowledged")

    def _fail(self, kind: str) -> None:
        with self._lock:
            self.failures[kind] = self.failures.get(kind, 0) + 1


async def until(condition, timeout: float, what: str, state=None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}: {state() if state else ''}")
        await asyncio.sleep(0.05)


def group_members(redis_url: str, prefix: str, operation_pk: int) -> tuple[int, int]:
    """Members in Redis (channels-redis's keys) of the operation's group, and of the users'
    groups all together."""
    with redis.Redis.from_url(redis_url) as client:
        users = sum(client.zcard(key) for key in client.scan_iter(f"{prefix}:group:user.*"))
        return client.zcard(f"{prefix}:group:operation.{operation_pk}"), users


def terminate_server_connections(db_url: str) -> int:
    """pg_terminate_backend on every connection of the servers (their application_name)."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        return conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s",
            (APPLICATION_NAME,),
        ).fetchone()[0]


@database_sync_to_async
def visible_sequences(user, operation) -> list[int]:
    return list(
        hits_visible_to(user)
        .filter(operation=operation)
        .order_by("sequence")
        .values_list("sequence", flat=True)
    )


@database_sync_to_async
def stored_hits(operation) -> list[tuple[int, str]]:
    return [
        (sequence, str(client_id))
        for sequence, client_id in Hit.objects.filter(operation=operation)
        .order_by("sequence")
        .values_list("sequence", "client_id")
    ]


async def test_no_hit_lost_or_duplicated_through_redis_restart_server_kill_database_drop_and_a_reconnection_storm(  # noqa: E501
    shared_services, private_redis, active_operation, personas
):
    db_url, _ = shared_services
    op = to_global_id("Operation", active_operation.pk)
    prefix = f"faults-{uuid.uuid4().hex[:8]}"
    server_db_url = f"{db_url}?application_name={APPLICATION_NAME}"

    def server(port: int | None = None) -> Server:
        return Server(
            database_url=server_db_url,
            redis_url=private_redis.url,
            channel_prefix=prefix,
            settings={"DATABASE_POOL_MAX_SIZE": "4", "DATABASE_POOL_MIN_SIZE": "1"},
            port=port,
        )

    servers = [server(), server()]
    subscribers: list[tuple[object, ResumingSubscriber]] = []
    extras: list[tuple[object, ResumingSubscriber]] = []
    notes: dict[str, object] = {}
    reporters = None
    try:
        for s in servers:
            await asyncio.to_thread(s.wait_ready)
        urls = [s.ws_url for s in servers]

        def subscriber(i: int, after: int = 0) -> tuple[object, ResumingSubscriber]:
            user, token = personas[i % len(personas)]
            start = (i // len(personas)) % 2  # every persona on both servers
            return user, ResumingSubscriber(urls[start:] + urls[:start], token, op, after=after)

        subscribers = [subscriber(i) for i in range(SUBSCRIBERS)]
        await asyncio.gather(*(s.start() for _, s in subscribers))

        reporters = Reporters(
            [s.url for s in servers], [t for u, t in personas[1:3]], op
        )  # the officer (reports RED too) and the second participant
        reporters.start()

        started = time.monotonic()

        async def fault_starts(number: int) -> None:
            share = FAULTS_AT[number]
            await until(lambda: reporters.acknowledged >= REPORTS * share, 180, f"{share:.0%}")
            print(f"{time.monotonic() - started:5.1f} s: fault {number + 1}", flush=True)

        # 1. The storm: STORM sockets closed at once, reconnected at once.
        await fault_starts(0)
        storm_start = reporters.last_sequence()
        extras = [subscriber(i, after=storm_start) for i in range(STORM - SUBSCRIBERS)]
        await asyncio.gather(*(s.start(60) for _, s in extras))
        everyone = [s for _, s in subscribers + extras]
        await asyncio.gather(*(s.drop() for s in everyone))
        await asyncio.gather(*(s.subscribed(60) for s in everyone))
        # Each process follows the operation once (one member each); each socket is in its
        # user's group: the closed ones left no member behind.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            notes["groups after storm"] = await asyncio.to_thread(
                group_members, private_redis.url, prefix, active_operation.pk
            )
            if notes["groups after storm"] == (len(servers), STORM):
                break
            await asyncio.sleep(0.5)
        print(f"{time.monotonic() - started:5.1f} s: reconnected after the storm", flush=True)
        target = min(reporters.last_sequence() + 3, reporters.gates[0][0])
        await until(
            lambda: reporters.last_sequence() >= target,
            120,
            "reports after the storm",
            lambda: (
                reporters.acknowledged,
                reporters.failures,
                [s.log_tail(1500) for s in servers],
            ),
        )
        for _, extra in extras:
            assert await extra.wait_for([target], 120), "an extra socket fell behind"
        await asyncio.gather(*(s.stop() for _, s in extras))
        print(f"{time.monotonic() - started:5.1f} s: the extra sockets caught up", flush=True)
        reporters.open_gate()

        # 2. Redis restarts.
        await fault_starts(1)
        await asyncio.to_thread(private_redis.stop)
        await asyncio.sleep(1)
        await asyncio.to_thread(private_redis.start)
        reporters.open_gate()

        # 3. A server process is killed, and started again where it was.
        await fault_starts(2)
        killed = servers[0]
        await asyncio.to_thread(killed.kill)
        notes["killed server log"] = killed.log_tail(10**7)
        killed.log.close()
        servers[0] = server(port=killed.port)
        await asyncio.to_thread(servers[0].wait_ready)
        reporters.open_gate()

        # 4. The database connections drop.
        await fault_starts(3)
        notes["terminated"] = await asyncio.to_thread(terminate_server_connections, db_url)
        reporters.open_gate()

        await asyncio.to_thread(reporters.join, 300)
        assert reporters.refusals == []
        assert reporters.acknowledged == REPORTS, reporters.failures
        expected = {
            user.pk: await visible_sequences(user, active_operation) for user, _ in personas
        }
        caught_up_by = (
            time.monotonic() + 240
        )  # one deadline for all: the checks below say who is behind
        for user, s in subscribers:
            await s.wait_for(expected[user.pk], max(0.0, caught_up_by - time.monotonic()))
        await asyncio.gather(*(s.stop() for _, s in subscribers))
        print(f"{time.monotonic() - started:5.1f} s: every subscriber caught up", flush=True)
        print(
            "report failures:",
            reporters.failures,
            "notes:",
            {k: v for k, v in notes.items() if k != "killed server log"},
        )
        print("reconnections:", [s.reconnections for _, s in subscribers][:8])
        print(
            "server log lines:",
            sorted(
                {
                    line[:160]
                    for line in (
                        notes["killed server log"] + "".join(s.log_tail(10**7) for s in servers)
                    ).splitlines()
                    if "Error" in line or "error" in line
                }
            )[:40],
        )
    finally:
        if reporters is not None:
            reporters.stop()
        for _, s in subscribers + extras:
            await s.stop()
        logs = {}
        for number, s in enumerate(servers):
            if s.process.poll() is None:
                logs[number] = s.log_tail(10**7)
                s.stop()

    # Every report acknowledged is stored once; nothing else is; numbered without a gap.
    hits = await stored_hits(active_operation)
    assert [sequence for sequence, _ in hits] == list(range(1, REPORTS + 1))
    assert sorted(cid for _, cid in hits) == sorted(reporters.client_ids)
    retried = [n for n, answers in reporters.answers.items() if len(answers) > 1]
    assert len(retried) == len(range(0, REPORTS, DUPLICATE_EVERY))
    for n in retried:  # the second answer is the first hit, not a new one
        first, second = reporters.answers[n]
        assert second["hit"]["sequence"] == first["hit"]["sequence"]
        assert not (first["created"] and second["created"])

    # Some hits are RED: the observer and the second participant see fewer.
    by_user = {user.username: expected[user.pk] for user, _ in personas}
    assert len(by_user["wco.coordinator"]) == REPORTS
    assert by_user["cr.officer"] == by_user["wco.coordinator"]
    assert len(by_user["unodc.observer"]) < REPORTS
    assert by_user["ng.officer"] == by_user["unodc.observer"]

    # Every subscriber: exactly what its user may see, each once, in order.
    for number, (user, s) in enumerate(subscribers):
        assert s.faulty == [], (number, user.username, s.faulty[:2])
        assert s.sequences == expected[user.pk], (
            number,
            user.username,
            s.reconnections,
            sorted(set(expected[user.pk]) - set(s.sequences))[:10],
            logs,
        )
    # The storm's extra sockets: exactly their stretch, (storm_start, last received].
    for user, s in extras:
        stretch = [q for q in expected[user.pk] if storm_start < q <= s.sequences[-1]]
        assert s.sequences == stretch, (user.username, s.reconnections)

    # The faults happened: every subscriber reconnected in the storm, those of the killed
    # server again, and the servers held connections that were terminated.
    assert all(s.reconnections for _, s in subscribers)
    assert notes["terminated"] > 0
    # After the storm: one member per process in the operation's group, one per socket in
    # the users' groups; none stale.
    assert notes["groups after storm"] == (2, STORM)
    # channels-redis had a connection for every command, and room for every event.
    every_log = "\n".join([notes["killed server log"], *logs.values()])
    for trouble in ("MaxConnectionsError", "Too many connections", "ChannelFull", "over capacity"):
        assert trouble not in every_log
