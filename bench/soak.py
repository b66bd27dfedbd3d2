"""Soak: 50 reporters and 500 live subscribers on two server processes for five minutes.

    .venv/bin/python bench/soak.py                          # 300 s at 5 reports/s
    .venv/bin/python bench/soak.py --duration 60            # a quick look

Issue 11's soak: does the service stay correct and flat under a real operation's peak
for minutes, not seconds? PostgreSQL and Redis are required (``--database-url``,
``--redis-url``: the defaults of ``bench/fanout.py``). The world is ``bench/fanout.py``'s,
in a database of its own, ``jointops_soak`` (dropped first and at the end; ``--keep``
keeps it): a WCO coordinator, a named analyst, an observer agency and 48 participating
customs agencies with one officer each. Two JointOps daphne processes
(``tests/support/live.py`` ``Server``, the service's default settings) share a channel
prefix of their own.

- **Subscribers**: ``--subscribers`` (500) websockets held by ``bench/fanout.py``'s client
  process (one asyncio loop), split evenly across the two servers, the operation's 51
  users in turn, each subscribed with ``graphql-transport-ws`` to ``hitReported`` with
  the fields a board shows, from the start.
- **Reporters**: ``--reporters`` (50) threads, reporter k as officer k mod 48, sending
  ``reportHit`` over HTTP at ``--rate`` (5) reports per second all together, for
  ``--duration`` (300) seconds: report n leaves at n / rate seconds, from reporter
  n mod 50, to server n mod 2. Each report has a clientId of its own; on any failure
  (HTTP error, no answer, a GraphQL error) it is sent again with the same clientId to
  the other server. One report in ``--red-every`` (7) is TLP:RED, which only the
  reporting agency and the coordinator may see, so subscribers of different users
  must end with different hits. After the last report is acknowledged, one more
  (AMBER, seen by all) closes the run: the client waits until every socket has it, or
  ``--drain`` seconds.

Measured:

- errors: HTTP errors and failed requests, GraphQL errors, refused reports (payload
  errors), reports never acknowledged, websocket errors and closes (the client never
  closes first), sockets that did not connect, and server log lines (``LOG_LEVEL``
  WARNING) containing ``Error``, ``Exception`` or ``Traceback`` (every line is printed);
- deliveries, per subscriber at the end: its hits must be exactly those its user may see
  (``operations.permissions.hits_visible_to`` against the database, as
  ``tests/e2e/test_faults.py`` checks), each once, in sequence order: lost, duplicated,
  out of order (sockets), not visible (delivered to a user who may not see it);
- the database: one hit per acknowledged report, numbered 1..N without a gap;
- each server's resident memory (``rss_bytes``) and CPU (``cpu_seconds``), sampled every
  ``--sample`` (10) seconds: growth from the first sample after ``--warm-up`` (30 s) to
  the end of reporting, in %, and CPU in % of one core;
- latency per minute of the run (by the minute a report left): ``reportHit``'s round trip
  (first attempt to acknowledgement) and delivery (the report leaving to the socket
  receiving it, ``time.monotonic``, one clock for every process), p50 / p99.

Exit status 1 on any error, loss, duplicate, disorder, hit not visible, database
mismatch, or memory growth of ``--max-growth`` (10) % or more on either server.
The figures, with the machine and the commit, go in ``docs/performance.md`` ("Soak").
"""

import argparse
import os
import platform
import subprocess
import sys
import threading
import time
import urllib.error
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fanout import Client, System, build_world, post_json  # noqa: E402
from bench.support import fresh_postgres, hit_input, percentile  # noqa: E402

DATABASE = "jointops_soak"
REPORT = """mutation($op: ID!, $cid: UUID!, $input: HitInput!) {
  reportHit(operationId: $op, clientId: $cid, input: $input) {
    created hit { sequence } errors { field code message } } }"""
MIB = 1024 * 1024


class Reporters:
    """Reporter threads on a shared schedule; every report retried until acknowledged."""

    def __init__(self, servers, officers: list[str], op: str, args):
        self.urls = [s.url for s in servers]
        self.officers, self.op, self.args = officers, op, args
        self.sent: dict[str, float] = {}  # clientId: first attempt
        self.acked: dict[str, tuple[int, float]] = {}  # clientId: (sequence, acknowledged)
        self.reports = 0
        self.retried = 0
        self.late = 0.0  # the most a report left after its time
        self.failures: list[str] = []  # HTTP errors, failed requests, GraphQL errors
        self.refusals: list[str] = []
        self._lock = threading.Lock()
        self.started = 0.0

    def run(self, started: float) -> None:
        self.started = started
        threads = [
            threading.Thread(target=self._reporter, args=(k,), daemon=True)
            for k in range(self.args.reporters)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _reporter(self, k: int) -> None:
        n = k
        while (at := self.started + n / self.args.rate) < self.started + self.args.duration:
            delay = at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            with self._lock:
                self.late = max(self.late, -delay)
            red = n % self.args.red_every == 0
            self.send(n, k, "RED" if red else "AMBER")
            n += self.args.reporters

    def send(self, n: int, k: int, marking: str) -> str:
        """Report until acknowledged (or refused); the clientId."""
        key = str(uuid.uuid4())
        token = self.officers[k % len(self.officers)]
        variables = {"op": self.op, "cid": key, "input": {**hit_input(n), "marking": marking}}
        with self._lock:
            self.reports += 1
            self.sent[key] = time.monotonic()
        for attempt in range(self.args.attempts):
            url = self.urls[(n + attempt) % len(self.urls)]
            if attempt:
                with self._lock:
                    self.retried += 1
                time.sleep(0.5)
            try:
                answer = post_json(
                    f"{url}/graphql/", {"query": REPORT, "variables": variables}, token
                )
            except urllib.error.HTTPError as error:
                body = error.read()[:200].decode(errors="replace")
                self._fail(f"report {n} to {url}: HTTP {error.code} {body}")
                continue
            except Exception as error:  # refused, reset, timed out
                self._fail(f"report {n} to {url}: {type(error).__name__} {error}"[:300])
                continue
            payload = (answer.get("data") or {}).get("reportHit")
            if payload is None or answer.get("errors"):
                self._fail(f"report {n} to {url}: GraphQL errors {answer.get('errors')}"[:300])
                continue
            if payload["errors"]:
                with self._lock:
                    self.refusals.append(f"report {n}: {payload['errors']}"[:300])
                return key
            with self._lock:
                self.acked[key] = (payload["hit"]["sequence"], time.monotonic())
            return key
        with self._lock:
            self.refusals.append(f"report {n}: never acknowledged")
        return key

    def _fail(self, what: str) -> None:
        with self._lock:
            self.failures.append(what)


class Sampler(threading.Thread):
    """Every `every` seconds: (t, RSS and CPU of each server, load average)."""

    def __init__(self, servers, started: float, every: float):
        super().__init__(daemon=True)
        self.servers, self.started, self.every = servers, started, every
        self.samples: list[tuple[float, list[int], list[float], float]] = []
        self._stop_event = threading.Event()

    def sample(self) -> tuple:
        row = (
            time.monotonic() - self.started,
            [s.rss_bytes() for s in self.servers],
            [s.cpu_seconds() for s in self.servers],
            os.getloadavg()[0],
        )
        self.samples.append(row)
        return row

    def run(self) -> None:
        number = 0
        while not self._stop_event.is_set():
            self.sample()
            number += 1
            self._stop_event.wait(max(0.0, self.started + number * self.every - time.monotonic()))

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def at(self, t: float) -> tuple:
        """The last sample taken at or before `t`."""
        return [s for s in self.samples if s[0] <= t + 0.5][-1]


def versions(database_url: str, redis_url: str) -> str:
    from importlib.metadata import version

    import psycopg
    import redis

    with psycopg.connect(database_url) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0].split()[0]
    with redis.Redis.from_url(redis_url) as client:
        rd = client.info("server")["redis_version"]
    return (
        f"PostgreSQL {pg}, Redis {rd}, daphne {version('daphne')}, "
        f"channels-redis {version('channels-redis')}, websockets {version('websockets')}"
    )


def check_deliveries(result: dict, readers: list[str], op_pk: int, sent: dict) -> dict:
    """Each subscriber's sequences against what its user may see, and the latencies."""
    from agencies.models import User
    from operations.permissions import hits_visible_to

    expected = {}
    for username in readers:
        user = User.objects.get(username=username)
        expected[username] = list(
            hits_visible_to(user)
            .filter(operation_id=op_pk)
            .order_by("sequence")
            .values_list("sequence", flat=True)
        )
    totals = dict(expected=0, delivered=0, lost=0, duplicated=0, reordered=0, invisible=0)
    latencies: list[tuple[float, float]] = []  # (sent, latency)
    examples: list[str] = []
    for index, log in enumerate(result["logs"]):
        username = readers[index % len(readers)]
        wanted = expected[username]
        got = [number for _, number, _ in log]
        distinct = set(got)
        lost = set(wanted) - distinct
        invisible = distinct - set(wanted)
        totals["expected"] += len(wanted)
        totals["delivered"] += len(got)
        totals["lost"] += len(lost)
        totals["duplicated"] += len(got) - len(distinct)
        totals["reordered"] += got != sorted(got)
        totals["invisible"] += len(invisible)
        if (lost or invisible or len(got) != len(distinct) or got != sorted(got)) and len(
            examples
        ) < 5:
            examples.append(
                f"subscriber {index} ({username}): lost {sorted(lost)[:5]}, "
                f"not visible {sorted(invisible)[:5]}, {len(got) - len(distinct)} duplicated"
            )
        latencies += [(sent[key], at - sent[key]) for key, _, at in log if key in sent]
    totals["examples"] = examples
    totals["latencies"] = latencies
    totals["per_user"] = {u: len(v) for u, v in expected.items()}
    return totals


def check_database(op_pk: int, acked: dict) -> list[str]:
    from operations.models import Hit

    rows = list(
        Hit.objects.filter(operation_id=op_pk)
        .order_by("sequence")
        .values_list("sequence", "client_id")
    )
    problems = []
    if [sequence for sequence, _ in rows] != list(range(1, len(rows) + 1)):
        problems.append("sequences are not 1..N without a gap")
    stored = sorted(str(cid) for _, cid in rows)
    if stored != sorted(acked):
        problems.append(
            f"{len(rows)} hits stored for {len(acked)} acknowledged reports "
            f"({len(set(stored) - set(acked))} not acknowledged, "
            f"{len(set(acked) - set(stored))} missing)"
        )
    if {str(cid): s for s, cid in rows} != {k: s for k, (s, _) in acked.items()}:
        problems.append("a report was acknowledged with another sequence than stored")
    return problems


def fmt_s(seconds: float) -> str:
    if seconds != seconds:  # nan
        return "-"
    return f"{seconds:.1f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def p50_p99(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{fmt_s(percentile(values, 50))} / {fmt_s(percentile(values, 99))}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=300, help="seconds of reporting")
    parser.add_argument("--rate", type=float, default=5.0, help="reports per second, in all")
    parser.add_argument("--reporters", type=int, default=50)
    parser.add_argument("--subscribers", type=int, default=500)
    parser.add_argument("--red-every", type=int, default=7, help="one report in N is RED")
    parser.add_argument("--attempts", type=int, default=20, help="tries of one report")
    parser.add_argument("--warm-up", type=float, default=30, help="seconds before the RSS base")
    parser.add_argument("--sample", type=float, default=10, help="seconds between samples")
    parser.add_argument("--drain", type=float, default=120, help="seconds to wait at the end")
    parser.add_argument("--max-growth", type=float, default=10, help="% RSS growth allowed")
    parser.add_argument("--pool", type=int, help="DATABASE_POOL_MAX_SIZE (default: the service's)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    database_url, drop = fresh_postgres(args.database_url, DATABASE)
    os.environ.update(DATABASE_URL=database_url, SECRET_KEY="bench-only-key", DEBUG="0")
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from graphql_relay import from_global_id

    from tests.support.live import Server

    servers: list = []
    client = None
    try:
        world = build_world()
        connection.close()
        op_pk = int(from_global_id(world["op"])[1])
        readers = world["readers"]
        tokens = dict(zip(readers, world["reader_tokens"], strict=True))
        officers = [tokens[u] for u in readers if u.startswith("officer")]
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, {versions(args.database_url, args.redis_url)}; "
            f"commit {commit}{' with uncommitted changes' if dirty else ''}; "
            f"{args.reporters} reporters at {args.rate:g} reports/s in all, "
            f"{args.subscribers} subscribers, {args.duration:g} s; "
            f"load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )

        settings = {}
        if args.pool:
            settings = {"DATABASE_POOL_MAX_SIZE": str(args.pool)}
        prefix = f"soak-{uuid.uuid4().hex[:8]}"
        servers = [
            Server(
                database_url=database_url,
                redis_url=args.redis_url,
                channel_prefix=prefix,
                settings=settings,
            )
            for _ in range(2)
        ]
        for s in servers:
            s.wait_ready()
        system = System("jointops", servers, world)
        client = Client(system.client_config(args.subscribers))
        connected = client.ready()
        print(f"{connected} of {args.subscribers} subscribers connected", flush=True)

        reporters = Reporters(servers, officers, world["op"], args)
        started = time.monotonic()
        sampler = Sampler(servers, started, args.sample)
        sampler.start()
        progress = threading.Thread(
            target=lambda: reporters.run(started), name="reporters", daemon=True
        )
        progress.start()
        while progress.is_alive():
            progress.join(60)
            if not progress.is_alive():
                break
            t, rss, _, load = sampler.samples[-1]
            print(
                f"{t:5.0f} s: {len(reporters.acked)} reports acknowledged, "
                f"{len(reporters.failures)} failures, RSS "
                + " / ".join(f"{r / MIB:.0f}" for r in rss)
                + f" MiB, load {load:.1f}",
                flush=True,
            )
        end = sampler.sample()
        last = reporters.send(reporters.reports, 0, "AMBER")  # seen by all: the end mark
        result = client.finish([last], time.monotonic() + args.drain)
        drained = sampler.sample()
        sampler.stop()
        logs = [s.log_tail(10**8) for s in servers]
        client_cpu = result["client_cpu"]

        deliveries = check_deliveries(result, readers, op_pk, reporters.sent)
        database = check_database(op_pk, reporters.acked)
    finally:
        if client is not None:
            client.stop()
        for s in servers:
            s.stop()
        connection.close()
        if not args.keep:
            drop()

    # -- per minute -------------------------------------------------------------------------
    minutes = int(-(-args.duration // 60))
    print()
    print(
        "| minute | reports | reportHit p50 / p99 | deliveries | delivery p50 / p99 | "
        "server CPU (% of a core, both) | RSS server 1 / 2 (MiB) | load average |"
    )
    print("| --- | ---: | --- | ---: | --- | ---: | --- | ---: |")
    for m in range(minutes):
        lo, hi = started + 60 * m, started + min(60 * (m + 1), args.duration)
        keys = [k for k, t in reporters.sent.items() if lo <= t < hi]
        round_trips = [
            reporters.acked[k][1] - reporters.sent[k] for k in keys if k in reporters.acked
        ]
        lat = [x for t, x in deliveries["latencies"] if lo <= t < hi]
        a, b = sampler.at(lo - started), sampler.at(hi - started)
        cpu = (sum(b[2]) - sum(a[2])) / max(b[0] - a[0], 1e-9) * 100
        print(
            f"| {m + 1} | {len(keys)} | {p50_p99(round_trips)} | {len(lat):,} | "
            f"{p50_p99([x for x in lat])} | {cpu:.0f} | "
            + " / ".join(f"{r / MIB:.0f}" for r in b[1])
            + f" | {b[3]:.1f} |"
        )

    # -- totals -------------------------------------------------------------------------------
    base = next(s for s in sampler.samples if s[0] >= args.warm_up)
    growth = [(e - b) / b * 100 for b, e in zip(base[1], end[1], strict=True)]
    peak = [max(s[1][i] for s in sampler.samples) for i in range(len(servers))]
    cpu = [(e - b) / (end[0] - base[0]) * 100 for b, e in zip(base[2], end[2], strict=True)]
    first = sampler.samples[0]
    all_cpu = sum(end[2]) - sum(first[2])
    server_errors = [
        line
        for log in logs
        for line in log.splitlines()
        if any(word in line for word in ("Error", "Exception", "Traceback"))
    ]
    ws_errors = result["error_count"] + (args.subscribers - connected)
    latencies = [x for _, x in deliveries["latencies"]]
    errors = (
        len(reporters.failures)
        + len(reporters.refusals)
        + ws_errors
        + len(server_errors)
        + len(database)
        + deliveries["invisible"]
    )
    print()
    print("| measure | value |")
    print("| --- | --- |")
    rows = [
        ("reports sent / acknowledged", f"{reporters.reports:,} / {len(reporters.acked):,}"),
        ("reports retried", f"{reporters.retried}"),
        ("HTTP and GraphQL errors (each failed attempt)", f"{len(reporters.failures)}"),
        ("refused or never acknowledged", f"{len(reporters.refusals)}"),
        ("most a report left after its time", fmt_s(reporters.late)),
        ("websocket errors and closes", f"{ws_errors}"),
        ("server log lines with an error", f"{len(server_errors)}"),
        (
            "database: one hit per acknowledged report, 1..N",
            "yes" if not database else "; ".join(database),
        ),
        (
            "deliveries expected / received",
            f"{deliveries['expected']:,} / {deliveries['delivered']:,}",
        ),
        (
            "lost / duplicated / out of order (sockets) / not visible",
            f"{deliveries['lost']} / {deliveries['duplicated']} / {deliveries['reordered']} / "
            f"{deliveries['invisible']}",
        ),
        ("delivery latency p50 / p99, whole run", p50_p99(latencies)),
        (
            f"RSS after {args.warm_up:g} s -> end (MiB), server 1 / 2",
            " / ".join(
                f"{b / MIB:.0f} -> {e / MIB:.0f}" for b, e in zip(base[1], end[1], strict=True)
            ),
        ),
        ("RSS growth, server 1 / 2", " / ".join(f"{g:+.1f} %" for g in growth)),
        ("RSS peak (MiB), server 1 / 2", " / ".join(f"{p / MIB:.0f}" for p in peak)),
        (
            "RSS after the drain (MiB), server 1 / 2",
            " / ".join(f"{d / MIB:.0f}" for d in drained[1]),
        ),
        (
            "server CPU after warm-up, % of a core, server 1 / 2",
            " / ".join(f"{c:.0f}" for c in cpu),
        ),
        ("server CPU, whole run, both servers", f"{all_cpu:.0f} s"),
        (f"client process CPU ({args.subscribers} sockets)", f"{client_cpu:.0f} s"),
        ("the end mark reached every socket after", fmt_s(result["ended"] - reporters.sent[last])),
        (
            "hits each user may see",
            f"coordinator {deliveries['per_user'][readers[0]]}, "
            f"analyst {deliveries['per_user'][readers[1]]}, "
            f"officers {min(deliveries['per_user'][u] for u in readers[3:])}-"
            f"{max(deliveries['per_user'][u] for u in readers[3:])}",
        ),
    ]
    for name, value in rows:
        print(f"| {name} | {value} |")
    print()
    for what, items in (
        ("report failures", reporters.failures),
        ("refusals", reporters.refusals),
        ("websocket errors", result["errors"]),
        ("delivery problems", deliveries["examples"]),
        ("server log lines", sorted({line[:200] for log in logs for line in log.splitlines()})),
    ):
        if items:
            print(f"{what} ({len(items)}):")
            for item in items[:20]:
                print(f"  {item}")
    failed = (
        errors
        or deliveries["lost"]
        or deliveries["duplicated"]
        or deliveries["reordered"]
        or any(g >= args.max_growth for g in growth)
    )
    print("FAILED" if failed else "passed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
