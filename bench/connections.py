"""Benchmark: PostgreSQL connections held by two server processes under load (issue 9).

    .venv/bin/python bench/connections.py            # 5 rounds of 200 concurrent requests

The question: does a burst of 200 concurrent GraphQL requests against two daphne
processes leave the database's connection count within the pool's bound, i.e.
2 x ``DATABASE_POOL_MAX_SIZE`` (default 10 per process, so 20)? Before the pool, the
server opened one connection per request (each request runs in a thread of its own, and
the connection, kept for ``CONN_MAX_AGE``, went only when the garbage collector freed the
thread's state).

It builds a PostgreSQL database of its own, ``jointops_bench_conn``, owned by a login role
of the same name with a connection limit (``--cap``, default 40), so that a server that
does not bound its connections meets the cap, and fails requests, instead of taking the
100 connections the machine's PostgreSQL allows for everyone; the role is not a superuser,
which PostgreSQL would exempt from the limit. It migrates the database and loads
``seed_demo`` (an active operation with 300 hits), makes API tokens, and starts two
daphne processes (``tests/support/live.py``) on it and Redis, passing
``DATABASE_POOL_MAX_SIZE`` and ``DATABASE_POOL_MIN_SIZE`` (``--pool-max``, ``--pool-min``)
in their environment. Each round:

1. baseline: the connection count with both servers idle, just before the burst;
2. burst: 200 requests (``--concurrency``) released at once from as many client threads,
   alternating between the servers: four in five are the coordinator's query of the
   operations with their last 20 hits (items, shipment), one in five a mutation refused by
   validation (``reportHit`` with a zero quantity as a participating officer, or
   ``createOperation`` ending before it starts as the coordinator);
3. during the burst ``SELECT count(*) FROM pg_stat_activity WHERE datname = ...`` every
   20 ms (from a connection to the ``postgres`` database, so not counted itself): peak;
4. settled: the count ``--settle`` seconds (default 3) after the last answer.

Every answer is checked: HTTP 200, JSON, no top-level error, and the mutations' expected
payload error; anything else counts as an error. Printed per round and as medians over the
rounds (latency p50 / p99 from all the round's requests). The database and the role are
dropped at the end (``--keep`` keeps them).
"""

import argparse
import json
import os
import platform
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support import percentile  # noqa: E402

NAME = "jointops_bench_conn"  # the database and its role
ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379/0"

OPERATIONS_WITH_HITS = """
query OperationsWithHits {
  operations(first: 10) {
    totalCount
    edges { node { id code status
      hits(last: 20) { totalCount edges { node { sequence occurredAt status marking
        items { commodity quantity unit } shipment { airWaybill containerNumber } } } } } }
  }
}"""
REPORT_ZERO = """
mutation Report($op: ID!, $cid: UUID!, $input: HitInput!) {
  reportHit(operationId: $op, clientId: $cid, input: $input) {
    hit { id } errors { field code } } }"""
CREATE_BACKWARDS = """
mutation Create($input: OperationCreateInput!) {
  createOperation(input: $input) { operation { id } errors { field code } } }"""


def admin():
    import psycopg

    return psycopg.connect(ADMIN, autocommit=True)


def drop_database() -> None:
    with admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
        conn.execute(f'DROP ROLE IF EXISTS "{NAME}"')


def create_database(cap: int) -> str:
    drop_database()
    with admin() as conn:
        conn.execute(f'CREATE ROLE "{NAME}" LOGIN NOSUPERUSER CONNECTION LIMIT {cap}')
        conn.execute(f'CREATE DATABASE "{NAME}" OWNER "{NAME}" CONNECTION LIMIT {cap}')
    return f"postgres://{NAME}@127.0.0.1:5432/{NAME}"


def seed():
    """Migrate, load the demo data; tokens and ids for the requests."""
    from django.core.management import call_command
    from graphql_relay import to_global_id

    from agencies.models import User
    from agencies.services import api_token_create
    from operations.models import Operation

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)

    def token(username):
        return api_token_create(user=User.objects.get(username=username), name="bench")[1]

    operation = Operation.objects.get(code="COLIBRI-SKY")
    return {
        "coordinator": token("wco.coordinator"),
        "officer": token("cr.officer"),
        "operation": to_global_id("Operation", operation.pk),
    }


def release(connection) -> None:
    """Close this process's own connection, and its pool when the settings give one."""
    connection.close()
    close_pool = getattr(connection, "close_pool", None)
    if close_pool is not None:
        close_pool()


def count_connections(conn) -> tuple[int, int]:
    """(all, idle) backends connected to the benchmark's database."""
    row = conn.execute(
        "SELECT count(*), count(*) FILTER (WHERE state = 'idle') "
        "FROM pg_stat_activity WHERE datname = %s",
        (NAME,),
    ).fetchone()
    return row[0], row[1]


class Sampler(threading.Thread):
    """Counts the connections every `interval` seconds until stopped."""

    def __init__(self, interval: float = 0.02):
        super().__init__(daemon=True)
        self.interval, self.samples, self._done = interval, [], threading.Event()

    def run(self):
        with admin() as conn:
            while not self._done.is_set():
                self.samples.append(count_connections(conn))
                time.sleep(self.interval)

    def stop(self) -> list[tuple[int, int]]:
        self._done.set()
        self.join()
        return self.samples


def request_for(n: int, world: dict) -> tuple[str, dict, str | None]:
    """(token, body, expected payload error code or None) of the n-th request."""
    from datetime import timedelta

    from django.utils import timezone

    if n % 10 == 3:
        return (
            world["officer"],
            {
                "query": REPORT_ZERO,
                "variables": {
                    "op": world["operation"],
                    "cid": str(uuid.uuid4()),
                    "input": {
                        "occurredAt": (timezone.now() - timedelta(minutes=5)).isoformat(),
                        "country": "CR",
                        "locationType": "AIRPORT",
                        "modeOfTransport": "GENERAL_AVIATION",
                        "detectionMethod": "DETECTOR_DOG",
                        "items": [{"commodity": "COCAINE", "quantity": "0", "unit": "KILOGRAM"}],
                    },
                },
            },
            "reportHit",
        )
    if n % 10 == 7:
        return (
            world["coordinator"],
            {
                "query": CREATE_BACKWARDS,
                "variables": {
                    "input": {
                        "code": f"BENCH-{n}",
                        "name": "Backwards",
                        "focus": "DRUGS",
                        "plannedStart": "2027-03-10T00:00:00Z",
                        "plannedEnd": "2027-03-01T00:00:00Z",
                    }
                },
            },
            "createOperation",
        )
    return world["coordinator"], {"query": OPERATIONS_WITH_HITS}, None


def send(url: str, token: str, body: dict, mutation: str | None) -> tuple[float, str | None]:
    """(seconds, error or None) of one request."""
    request = urllib.request.Request(
        f"{url}/graphql/",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            status, content = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, content = error.code, error.read()
    except OSError as error:
        return time.perf_counter() - started, f"no answer ({type(error).__name__})"
    elapsed = time.perf_counter() - started
    try:
        answer = json.loads(content)
    except ValueError:
        return elapsed, f"HTTP {status}, not JSON"
    if status != 200 or answer.get("errors"):
        codes = sorted(
            {str((e.get("extensions") or {}).get("code")) for e in answer.get("errors") or []}
        )
        return elapsed, f"HTTP {status} {','.join(codes)}"
    if mutation and not (answer["data"][mutation] or {}).get("errors"):
        return elapsed, f"{mutation} accepted"
    return elapsed, None


def burst(servers, world: dict, concurrency: int, offset: int) -> tuple[list[float], list[str]]:
    gate = threading.Barrier(concurrency)

    def one(n):
        token, body, mutation = request_for(offset + n, world)
        gate.wait()
        return send(servers[n % len(servers)].url, token, body, mutation)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(one, range(concurrency)))
    return [r[0] for r in results], [r[1] for r in results if r[1]]


_EXCEPTION = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Timeout)): ?(.{0,120})", re.M)


def logged_exceptions(servers) -> dict[str, int]:
    """How often each exception (type: message) ends a traceback in the servers' logs."""
    counts: dict[str, int] = {}
    for server in servers:
        for kind, message in _EXCEPTION.findall(server.log_tail(10**8)):
            key = f"{kind}: {message}".strip()
            counts[key] = counts.get(key, 0) + 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--pool-max", type=int, default=10, help="DATABASE_POOL_MAX_SIZE")
    parser.add_argument("--pool-min", type=int, default=1, help="DATABASE_POOL_MIN_SIZE")
    parser.add_argument("--cap", type=int, default=40, help="connection limit of the role")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds after a burst")
    parser.add_argument("--keep", action="store_true", help="keep the database and role")
    args = parser.parse_args()

    database_url = create_database(args.cap)
    os.environ.update(
        DATABASE_URL=database_url,
        SECRET_KEY="bench-only-key",
        DEBUG="0",
        DATABASE_POOL_MAX_SIZE=str(args.pool_max),
        DATABASE_POOL_MIN_SIZE=str(args.pool_min),
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from tests.support.live import Server

    world = seed()
    release(connection)
    bound = 2 * args.pool_max
    database = connection.settings_dict
    pool = (database.get("OPTIONS") or {}).get("pool")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; PostgreSQL + Redis, 2 daphne processes; "
        f"DATABASE_POOL_MAX_SIZE={args.pool_max} DATABASE_POOL_MIN_SIZE={args.pool_min} "
        f"(bound {bound}); the servers' settings: "
        + (f"pool {pool}" if pool else f"no pool, CONN_MAX_AGE {database['CONN_MAX_AGE']}")
        + f"; role connection limit {args.cap}"
    )
    prefix = f"bench-conn-{uuid.uuid4().hex[:8]}"
    servers = [
        Server(database_url=database_url, redis_url=REDIS, channel_prefix=prefix) for _ in range(2)
    ]
    rows = []
    try:
        for server in servers:
            server.wait_ready()
        with admin() as conn:
            for number in range(1, args.rounds + 1):
                time.sleep(1)
                baseline, _ = count_connections(conn)
                sampler = Sampler()
                sampler.start()
                started = time.perf_counter()
                latencies, errors = burst(
                    servers, world, args.concurrency, number * args.concurrency
                )
                wall = time.perf_counter() - started
                samples = sampler.stop()
                time.sleep(args.settle)
                settled, settled_idle = count_connections(conn)
                row = {
                    "baseline": baseline,
                    "peak": max(s[0] for s in samples),
                    "settled": settled,
                    "settled_idle": settled_idle,
                    "p50": percentile(latencies, 50) * 1000,
                    "p99": percentile(latencies, 99) * 1000,
                    "wall": wall,
                    "errors": len(errors),
                    "kinds": sorted(set(errors)),
                }
                rows.append(row)
                print(
                    f"round {number}: before {baseline}, peak {row['peak']}, "
                    f"settled {settled} ({settled_idle} idle) against the bound {bound}; "
                    f"{args.concurrency} requests in {wall:.1f} s, p50 {row['p50']:.0f} ms, "
                    f"p99 {row['p99']:.0f} ms, errors {len(errors)}"
                    + (f" {row['kinds']}" if errors else ""),
                    flush=True,
                )
            time.sleep(max(0.0, 10 - args.settle))
            final, final_idle = count_connections(conn)
        exceptions = logged_exceptions(servers)
    finally:
        for server in servers:
            server.stop()
        if not args.keep:
            drop_database()

    def median(key):
        return statistics.median(r[key] for r in rows)

    within = all(r["peak"] <= bound for r in rows) and final <= bound
    print()
    print(
        f"medians over {len(rows)} rounds: before {median('baseline'):.0f}, "
        f"peak {median('peak'):.0f}, settled {median('settled'):.0f} "
        f"(bound {bound}); latency p50 {median('p50'):.0f} ms, p99 {median('p99'):.0f} ms; "
        f"errors {median('errors'):.0f} of {args.concurrency} per round "
        f"({sum(r['errors'] for r in rows)} of {args.concurrency * len(rows)} in all)"
    )
    print(f"10 s after the last round: {final} connections ({final_idle} idle)")
    print("exceptions in the servers' logs: " + ("none" if not exceptions else ""))
    for text, count in sorted(exceptions.items(), key=lambda item: -item[1]):
        print(f"  {count}x {text}")
    print(
        f"highest peak {max(r['peak'] for r in rows)}: "
        + ("within" if within else "OVER")
        + f" the bound {bound}"
    )
    return 0 if within and not any(r["errors"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
