"""Benchmark: reporting throughput under concurrency, and reading the latest hits.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jointops \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/ingestion.py

It builds its own database (PostgreSQL ``<name>_ingestion_bench``, dropped and
recreated, and dropped again at the end; without DATABASE_URL a temporary SQLite file)
and measures in one process, interleaved round by round so that every figure shares the
machine's state with its baseline:

1. reporting: ``hit_report`` (the whole service: checks, cleaning, deconfliction, the
   transaction, the broadcast after commit to the channel layer) one report after the
   other; from 8 threads into one operation; from 8 threads into eight operations;
   against a bare ORM insert of one row per transaction, sequential and from 8 threads.
   Everything runs as a server process runs a request (:class:`ServerLoop`): in a worker
   thread of an event loop, with its own database connection, the broadcast handed to
   the loop.
   Every report carries one item, a shipment with an air waybill and an actor with a
   phone, the same in every report, so deconfliction finds more earlier hits sharing
   them as the run goes on (the hardest case: it is bounded by MAX_MATCHES);
2. reading: the latest 1,000 hits of an operation with items, shipment, actors and
   reporting agency, over GraphQL (the Django test client: the whole HTTP stack but the
   socket) against the ORM reading the same rows and ``json.dumps`` of the same fields.

Each figure is the median of ``--rounds`` rounds; the ratios are of medians.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support import fresh_postgres, service_payload  # noqa: E402

THREADS = 8
LATEST_HITS = """query($id: ID!, $last: Int!) { operation(id: $id) { hits(last: $last) {
  edges { node {
    id sequence occurredAt marking status
    items { commodity quantity unit kilograms }
    shipment { containerNumber airWaybill departureCountry destinationCountry }
    actors { name role phones }
    reportingAgency { acronym name }
  } } } } }"""


def prepare_database() -> tuple[str, callable]:
    """A fresh database for the benchmark: its DATABASE_URL and how to drop it."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return fresh_postgres(url, f"{url.rsplit('/', 1)[1]}_ingestion_bench")
    path = Path(tempfile.mkdtemp()) / "ingestion.sqlite3"
    return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)


def setup_world():
    """A coordinator, eight reporting agencies with one officer each, one operation they
    all take part in and eight operations with one of them each, all active now; and a
    table for the bare inserts."""
    from django.contrib.auth.models import Permission
    from django.core.management import call_command
    from django.db import connection, models
    from django.utils import timezone

    from agencies.models import Agency, User
    from agencies.services import api_token_create
    from operations import services
    from operations.models import Operation
    from timeline.models import TimeWindow
    from timeline.services import time_window_create

    call_command("migrate", verbosity=0)
    wco = Agency.objects.create(name="WCO", acronym="WCO", kind="international_organisation")
    coordinator = User.objects.create_user(username="wco", agency=wco)
    coordinator.user_permissions.add(Permission.objects.get(codename="add_operation"))
    coordinator = User.objects.get(pk=coordinator.pk)
    countries = ["CR", "NG", "KE", "FR", "BR", "IN", "MA", "PE"]
    agencies = [
        Agency.objects.create(name=f"{c} customs", acronym=f"{c}-C", kind="customs", country=c)
        for c in countries
    ]
    officers = [User.objects.create_user(username=a.acronym.lower(), agency=a) for a in agencies]
    now = timezone.now()

    def operation(code, taking_part):
        op = services.operation_create(
            actor=coordinator,
            code=code,
            name=code,
            focus="drugs",
            planned_start=now - timedelta(days=1),
            planned_end=now + timedelta(days=5),
        )
        for officer in taking_part:
            invited = services.participation_invite(
                actor=coordinator, operation=op, agency=officer.agency
            )
            services.participation_respond(actor=officer, participation=invited, response="accept")
        time_window_create(
            actor=coordinator,
            operation=op,
            kind=TimeWindow.Kind.OPERATIONAL,
            starts_at=now - timedelta(hours=12),
            ends_at=now + timedelta(days=2),
        )
        for status in (Operation.Status.PLANNED, Operation.Status.ACTIVE):
            services.operation_transition(actor=coordinator, operation=op, to_status=status)
        return op

    shared = operation("ONE-OP", officers)
    apart = [operation(f"OP-{i}", [officer]) for i, officer in enumerate(officers)]

    class BareRow(models.Model):
        operation_id = models.IntegerField()
        sequence = models.IntegerField()
        payload = models.JSONField()

        class Meta:
            app_label = "bench"

        def __str__(self):
            return f"{self.operation_id}#{self.sequence}"

    with connection.schema_editor() as editor:
        editor.create_model(BareRow)
    token = api_token_create(user=coordinator)[1]
    return shared, apart, officers, coordinator, token, BareRow


class ServerLoop:
    """An event loop in a thread of its own with a pool of worker threads, as in a server
    process: work runs in a worker thread (asgiref's ``sync_to_async``, as Django runs a
    request), so the broadcast after a report's commit is handed to the loop
    (operations.events.send_soon) instead of being waited for, as in the service."""

    def __init__(self):
        import asyncio

        self.loop = asyncio.new_event_loop()
        self.loop.set_default_executor(ThreadPoolExecutor(THREADS * 2))
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, work, jobs: list) -> float:
        """Run `work(job)` for every job at once, each in a worker thread with its own
        database connection; the seconds from the start (all released at once) to the
        end."""
        import asyncio

        from asgiref.sync import sync_to_async
        from django.db import connection

        start = threading.Barrier(len(jobs) + 1)

        def one(job):
            try:
                start.wait()
                work(job)
            finally:
                connection.close()

        futures = [
            asyncio.run_coroutine_threadsafe(
                sync_to_async(one, thread_sensitive=False)(job), self.loop
            )
            for job in jobs
        ]
        start.wait()
        began = time.perf_counter()
        for future in futures:
            future.result()
        return time.perf_counter() - began

    def close(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()


def reporting_modes(server, shared, apart, officers, BareRow, count: int) -> dict:
    """name -> a function that makes `count` rows and returns the seconds it took."""
    from django.db import transaction

    from operations.hit_services import hit_report

    def report(officer, operation, n):
        for _ in range(n):
            hit_report(
                actor=officer, operation=operation, client_id=uuid.uuid4(), data=service_payload()
            )

    def insert(n):
        for i in range(n):
            with transaction.atomic():
                BareRow.objects.create(operation_id=1, sequence=i, payload={"n": i})

    each = count // THREADS
    return {
        "bare insert, sequential": lambda: server.run(insert, [count]),
        "bare insert, 8 threads": lambda: server.run(insert, [each] * THREADS),
        "hit_report, sequential": lambda: server.run(
            lambda officer: report(officer, shared, count), [officers[0]]
        ),
        "hit_report, 8 reporters into one operation": lambda: server.run(
            lambda officer: report(officer, shared, each), officers
        ),
        "hit_report, 8 reporters into eight operations": lambda: server.run(
            lambda pair: report(pair[0], pair[1], each), list(zip(officers, apart, strict=True))
        ),
    }


def reading_modes(shared, token, size: int) -> dict:
    from django.test import Client
    from graphql_relay import to_global_id

    from operations.models import Actor, Hit

    client = Client()
    body = json.dumps(
        {
            "query": LATEST_HITS,
            "variables": {"id": to_global_id("Operation", shared.pk), "last": size},
        }
    )

    def graphql():
        response = client.post(
            "/graphql/",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            secure=True,
        )
        edges = response.json()["data"]["operation"]["hits"]["edges"]
        assert response.status_code == 200 and len(edges) == size, response.content[:500]

    def raw():
        from django.db.models import Prefetch

        hits = list(
            Hit.objects.filter(operation=shared)
            .select_related("reporting_agency", "shipment")
            .prefetch_related("items", Prefetch("actors", queryset=Actor.objects.order_by("id")))
            .order_by("-sequence")[:size]
        )
        hits.reverse()

        def shipment(hit):
            s = getattr(hit, "shipment", None)
            if s is None:
                return None
            return {
                "containerNumber": s.container_number,
                "airWaybill": s.air_waybill,
                "departureCountry": s.departure_country,
                "destinationCountry": s.destination_country,
            }

        text = json.dumps(
            [
                {
                    "id": hit.pk,
                    "sequence": hit.sequence,
                    "occurredAt": hit.occurred_at.isoformat(),
                    "marking": hit.marking,
                    "status": hit.status,
                    "items": [
                        {
                            "commodity": i.commodity,
                            "quantity": str(i.quantity),
                            "unit": i.unit,
                            "kilograms": str(i.kilograms),
                        }
                        for i in hit.items.all()
                    ],
                    "shipment": shipment(hit),
                    "actors": [
                        {"name": a.name, "role": a.role, "phones": a.phones}
                        for a in hit.actors.all()
                    ],
                    "reportingAgency": {
                        "acronym": hit.reporting_agency.acronym,
                        "name": hit.reporting_agency.name,
                    },
                }
                for hit in hits
            ]
        )
        assert len(hits) == size and text

    def timed(work):
        def run():
            began = time.perf_counter()
            work()
            return time.perf_counter() - began

        return run

    return {f"GraphQL, {size:,} latest hits": timed(graphql), "ORM + json.dumps": timed(raw)}


def statements(work) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        work()
    return len(captured)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=160, help="rows per figure and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--read-rounds", type=int, default=9)
    parser.add_argument("--read-size", type=int, default=1000, help="latest hits read")
    args = parser.parse_args()

    os.environ.setdefault("SECRET_KEY", "bench-only-key")
    os.environ.update(
        DEBUG="0",
        ALLOWED_HOSTS="testserver",
        GRAPHQL_MAX_PAGE_SIZE=str(args.read_size),
        GRAPHQL_MAX_QUERY_COST=str(100 * args.read_size),  # the read is that large on purpose
        DATABASE_POOL_MAX_SIZE=str(THREADS + 4),
    )
    database_url, drop = prepare_database()
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection, connections

    server = ServerLoop()
    try:
        shared, apart, officers, coordinator, token, BareRow = setup_world()
        redis = " + Redis" if os.environ.get("REDIS_URL") else " + in-memory layer"
        print(
            f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}; database: {connection.vendor}{redis}"
        )
        modes = reporting_modes(server, shared, apart, officers, BareRow, args.reports)
        rates: dict[str, list[float]] = {name: [] for name in modes}
        for round in range(args.rounds):
            for name, run in modes.items():
                rates[name].append(args.reports / run())
            print(f"  round {round + 1}: " + ", ".join(f"{r[-1]:.0f}" for r in rates.values()))
        median = {name: statistics.median(values) for name, values in rates.items()}
        print(f"\nreporting, rows/s (median of {args.rounds} rounds of {args.reports} rows):")
        for name, value in median.items():
            print(f"  {name:<48} {value:7.1f}")
        base = median["bare insert, sequential"]
        one, eight = (
            median["hit_report, 8 reporters into one operation"],
            median["hit_report, 8 reporters into eight operations"],
        )
        print(
            f"  hit_report sequential / bare insert sequential:  "
            f"{median['hit_report, sequential'] / base:.2f} (target >= 0.25)\n"
            f"  8 reporters: one operation / eight operations:   {one / eight:.2f} "
            f"(target >= 0.80)\n"
            f"  8 reporters into one operation / bare, 8 threads: "
            f"{one / median['bare insert, 8 threads']:.2f}"
        )
        from operations.hit_services import hit_report

        report_statements = statements(
            lambda: hit_report(
                actor=officers[0], operation=shared, client_id=uuid.uuid4(), data=service_payload()
            )
        )
        print(f"  statements per report (with deconfliction matches): {report_statements}")

        from operations.models import Hit

        for _ in range(args.read_size - Hit.objects.filter(operation=shared).count()):
            hit_report(
                actor=officers[0], operation=shared, client_id=uuid.uuid4(), data=service_payload()
            )
        reads = reading_modes(shared, token, args.read_size)
        times: dict[str, list[float]] = {name: [] for name in reads}
        for run in reads.values():
            run()  # warm up
        for _ in range(args.read_rounds):
            for name, run in reads.items():
                times[name].append(run())
        read_median = {name: statistics.median(values) for name, values in times.items()}
        graphql, raw = read_median.values()
        print(f"\nreading, ms (median of {args.read_rounds}):")
        for name, value in read_median.items():
            print(f"  {name:<48} {value * 1000:7.1f}")
        read_statements = [statements(run) for run in reads.values()]
        print(
            f"  GraphQL / raw: {graphql / raw:.2f} (target <= 2); statements: "
            f"{read_statements[0]} against {read_statements[1]}"
        )
    finally:
        server.close()
        connections.close_all()
        for alias in connections:
            close_pool = getattr(connections[alias], "close_pool", None)
            if close_pool:
                close_pool()
        drop()


if __name__ == "__main__":
    main()
