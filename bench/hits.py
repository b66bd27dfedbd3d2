"""Benchmark: hit reporting throughput and live delivery latency to N subscribers.

    make bench                      # embedded: SQLite, one server, in-memory layer
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jointops \
    REDIS_URL=redis://127.0.0.1:6379/0 make bench   # PostgreSQL + Redis, two servers

It builds its own database (a temporary SQLite file, or PostgreSQL database
``<name>_bench`` dropped and recreated), an active operation with two reporting
agencies, then measures:

1. service throughput: ``hit_report`` called in-process, one after another;
2. HTTP throughput: ``reportHit`` over HTTP with 4 concurrent clients;
3. delivery latency: for N subscribers (spread over the servers), the time from
   sending ``reportHit`` to each subscriber receiving the hit, over 50 hits.
"""

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REPORT = """mutation($op: ID!, $cid: UUID!, $input: HitInput!) {
  reportHit(operationId: $op, clientId: $cid, input: $input) { hit { sequence } errors { code } } }"""
SUBSCRIPTION = """subscription($op: ID!) { hitReported(operationId: $op) { sequence } }"""


def prepare_database() -> str:
    """A fresh, migrated database for the benchmark; returns its DATABASE_URL."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        bench_name = f"{name}_bench"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{bench_name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{bench_name}"')
        url = f"{base}/{bench_name}"
    else:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url
    return url


def setup_world():
    """Agencies, users with tokens, and an operation running now."""
    from django.core.management import call_command
    from django.utils import timezone
    from graphql_relay import to_global_id

    from agencies.models import Agency, User
    from agencies.services import api_token_create
    from operations import services
    from operations.models import Operation
    from timeline.models import TimeWindow
    from timeline.services import time_window_create

    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import Permission

    agencies = {
        acr: Agency.objects.create(name=acr, acronym=acr, kind=kind, country=country)
        for acr, kind, country in [
            ("WCO", "international_organisation", ""),
            ("CR-C", "customs", "CR"),
            ("NG-C", "customs", "NG"),
        ]
    }
    users = {
        acr: User.objects.create_user(username=acr.lower(), agency=agency)
        for acr, agency in agencies.items()
    }
    users["WCO"].user_permissions.add(Permission.objects.get(codename="add_operation"))
    coordinator = User.objects.get(pk=users["WCO"].pk)
    now = timezone.now()
    op = services.operation_create(
        actor=coordinator,
        code="BENCH",
        name="Bench",
        focus="drugs",
        planned_start=now - timedelta(days=1),
        planned_end=now + timedelta(days=5),
    )
    for acr in ("CR-C", "NG-C"):
        p = services.participation_invite(actor=coordinator, operation=op, agency=agencies[acr])
        services.participation_respond(actor=users[acr], participation=p, response="accept")
    time_window_create(
        actor=coordinator,
        operation=op,
        kind=TimeWindow.Kind.OPERATIONAL,
        starts_at=now - timedelta(hours=12),
        ends_at=now + timedelta(days=2),
    )
    for status in (Operation.Status.PLANNED, Operation.Status.ACTIVE):
        services.operation_transition(actor=coordinator, operation=op, to_status=status)
    tokens = {acr: api_token_create(user=user)[1] for acr, user in users.items()}
    return op, users, tokens, to_global_id("Operation", op.pk)


def service_payload():
    from django.utils import timezone

    return {
        "occurred_at": timezone.now() - timedelta(minutes=1),
        "country": "CR",
        "location_type": "airport",
        "mode_of_transport": "air",
        "detection_method": "intelligence",
        "items": [{"commodity": "cocaine", "quantity": "1.5", "unit": "kg"}],
        "shipment": {"air_waybill": "020-12345675"},
        "actors": [
            {"kind": "person", "role": "courier", "name": "A Courier", "phones": ["+506 8312 3456"]}
        ],
    }


def http_input():
    from django.utils import timezone

    return {
        "occurredAt": (timezone.now() - timedelta(minutes=1)).isoformat(),
        "country": "CR",
        "locationType": "AIRPORT",
        "modeOfTransport": "AIR",
        "detectionMethod": "INTELLIGENCE",
        "items": [{"commodity": "COCAINE", "quantity": "1.5", "unit": "KILOGRAM"}],
        "shipment": {"airWaybill": "020-12345675"},
    }


def bench_service(op, user, count: int) -> float:
    from operations.hit_services import hit_report

    started = time.perf_counter()
    for _ in range(count):
        hit_report(actor=user, operation=op, client_id=uuid.uuid4(), data=service_payload())
    return count / (time.perf_counter() - started)


def bench_http(servers, tokens, op_id: str, count: int) -> float:
    from tests.support.live import post_graphql

    def send(n):
        server = servers[n % len(servers)]
        answer = post_graphql(
            server.url,
            tokens[("CR-C", "NG-C")[n % 2]],
            REPORT,
            {"op": op_id, "cid": str(uuid.uuid4()), "input": http_input()},
        )
        if not (answer.get("data") or {}).get("reportHit") or answer["data"]["reportHit"]["errors"]:
            raise RuntimeError(f"{answer}\n{server.log_tail()}")

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(send, range(count)))
    return count / (time.perf_counter() - started)


async def bench_latency(servers, tokens, op_id: str, subscribers: int, hits: int) -> list[float]:
    from tests.support.live import Subscriber, post_graphql

    clients = [
        await Subscriber(
            servers[i % len(servers)].ws_url, tokens["WCO"], SUBSCRIPTION, {"op": op_id}
        ).start()
        for i in range(subscribers)
    ]
    await asyncio.sleep(0.5)
    latencies = []
    for n in range(hits):
        sent = time.perf_counter()
        answer = await asyncio.to_thread(
            post_graphql,
            servers[n % len(servers)].url,
            tokens["CR-C"],
            REPORT,
            {"op": op_id, "cid": str(uuid.uuid4()), "input": http_input()},
        )
        sequence = answer["data"]["reportHit"]["hit"]["sequence"]
        for client in clients:
            await client.wait_for(n + 1, timeout=10)
            payload, arrived = client.received[n]
            assert payload["data"]["hitReported"]["sequence"] == sequence
            latencies.append(arrived - sent)
    for client in clients:
        await client.stop()
    return latencies


def percentile(values, q):
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hits", type=int, default=300, help="hits for each throughput figure")
    parser.add_argument("--subscribers", default="1,10,50", help="comma-separated counts")
    parser.add_argument("--latency-hits", type=int, default=50)
    args = parser.parse_args()

    os.environ.setdefault("SECRET_KEY", "bench-only-key")
    os.environ.setdefault("DEBUG", "0")
    database_url = prepare_database()
    redis_url = os.environ.get("REDIS_URL", "")
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection

    from tests.support.live import Server

    op, users, tokens, op_id = setup_world()
    backend = f"{connection.vendor}" + (" + Redis" if redis_url else " + in-memory layer")
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; database: {backend}"
    )

    print(
        f"service throughput: {bench_service(op, users['CR-C'], args.hits):.0f} hits/s "
        f"({args.hits} sequential hit_report calls, in-process)"
    )
    connection.close()

    count = 2 if redis_url else 1  # without Redis, processes cannot share live events
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    servers = [
        Server(database_url=database_url, redis_url=redis_url, channel_prefix=prefix)
        for _ in range(count)
    ]
    try:
        for server in servers:
            server.wait_ready()
        rate = bench_http(servers, tokens, op_id, args.hits)
        print(
            f"HTTP throughput: {rate:.0f} hits/s ({args.hits} reportHit, 4 concurrent clients, "
            f"{count} server process(es))"
        )
        for n in (int(x) for x in args.subscribers.split(",")):
            latencies = asyncio.run(bench_latency(servers, tokens, op_id, n, args.latency_hits))
            print(
                f"delivery latency to {n:>3} subscribers over {count} server(s): "
                f"p50 {percentile(latencies, 50) * 1000:.1f} ms, "
                f"p95 {percentile(latencies, 95) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms "
                f"({len(latencies)} deliveries)"
            )
    finally:
        for server in servers:
            server.stop()


if __name__ == "__main__":
    main()
