"""Benchmark: live fan-out of hits to 1 to 500 subscribers, JointOps against a bare relay.

    .venv/bin/python bench/fanout.py                    # 1,10,50,200,500 subscribers
    .venv/bin/python bench/fanout.py --counts 1,10 --hits 10 --rounds 1   # a quick look

PostgreSQL and Redis are required (``--database-url`` of a server whose ``postgres``
database can create databases, default ``postgres://postgres@127.0.0.1:5432/postgres``;
``--redis-url``, default ``redis://127.0.0.1:6379/0``). The benchmark makes a database
of its own, ``jointops_fanout`` (dropped first and at the end; ``--keep`` keeps it),
migrates it and builds an operation the size of a real one: a WCO coordinator, a named
analyst, an observer agency and 48 participating customs agencies with one officer
each. It starts four daphne processes (``tests/support/live.py`` ``Server``), each
channel layer under a prefix of its own:

- two JointOps servers (``config.asgi``);
- two bare relay servers (``bench/bare_relay.py``: a view that inserts one row and
  group-sends, a consumer that joins the group and forwards what it gets).

For each subscriber count, rounds of each system alternate (JointOps, bare, bare,
JointOps, ...: ``--rounds`` of each). In a round, a client process of its own
(one asyncio loop holding every websocket, so the client side stays light) opens the
sockets, split evenly across the system's two servers; JointOps's subscribers are the
operation's users in turn (coordinator, analyst, observer, officers), each subscribing
with ``graphql-transport-ws`` to ``hitReported`` with the fields a board shows. Then
``--hits`` reports are sent at ``--rate`` per second (``reportHit`` over HTTP as the
officers, alternating between the servers; the bare relay: ``POST /report``), and the
client waits until every socket has every hit or ``--deadline`` seconds after the last
report. Measured per round:

- latency of each delivery: from the moment the report is sent to the moment a
  subscriber's socket receives it (``time.monotonic``, the same clock in every process);
  p50 and p99 over every delivery of the system's rounds at that count;
- lost (not received when the round ended), duplicated (received more than once), and
  out of order (a socket that received a lower sequence, or row id, after a higher one);
- server CPU per delivery: the user + system CPU time of the system's two server
  processes (``/proc/<pid>/stat``) during the round, less what the round's reports cost
  on their own, divided by the deliveries. What a report costs on its own is measured
  first, in rounds with nobody subscribed (interleaved too), after a warm-up round of
  each system that is not counted;
- the ratio of JointOps's p50 and p99 to the bare relay's at the same count.

Between rounds the benchmark waits until the servers are idle (a backlog left by one
round would otherwise be charged to the next). When JointOps leaves more than
``--give-up`` of a round's deliveries undelivered at a count, larger counts are not
attempted for it ("not reachable"), as its backlog only grows (``--no-give-up`` to try).

The figures, with the machine and the commit, go in ``docs/performance.md`` ("Live
fan-out").
"""

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support import fresh_postgres, hit_input, percentile  # noqa: E402

DATABASE = "jointops_fanout"
PARTICIPANTS = 48
REPORT = """mutation($op: ID!, $cid: UUID!, $input: HitInput!) {
  reportHit(operationId: $op, clientId: $cid, input: $input) {
    hit { sequence } errors { field code message } } }"""
# What a live board of the operation shows of each hit.
SUBSCRIPTION = """subscription($op: ID!, $after: Int) {
  hitReported(operationId: $op, afterSequence: $after) {
    sequence clientId occurredAt marking status country locationType modeOfTransport
    reportingAgency { acronym } items { commodity quantity unit } shipment { airWaybill }
    nominalDataVisible actors { name role } } }"""


# -- the client process: every websocket of one round, in one asyncio loop --------------


async def _client_socket(config: dict, index: int, gate: asyncio.Semaphore, log: list):
    """One subscriber: connect, subscribe, then record (key, number, arrival) until cancelled."""
    import websockets

    url = config["urls"][index % len(config["urls"])]
    async with gate:
        if config["kind"] == "bare":
            ws = await websockets.connect(url, max_size=None, open_timeout=60)
        else:
            ws = await websockets.connect(
                url, subprotocols=["graphql-transport-ws"], max_size=None, open_timeout=60
            )
            token = config["tokens"][index % len(config["tokens"])]
            await ws.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
                )
            )
            ack = json.loads(await asyncio.wait_for(ws.recv(), 60))
            if ack["type"] != "connection_ack":
                raise RuntimeError(f"no connection_ack: {ack}")
            await ws.send(
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": config["query"], "variables": config["variables"]},
                    }
                )
            )
    return ws


async def _client_listen(ws, kind: str, log: list, errors: list) -> None:
    import websockets

    try:
        async for raw in ws:
            arrived = time.monotonic()
            message = json.loads(raw)
            if kind == "bare":
                log.append((message["key"], message["id"], arrived))
            elif message.get("type") == "next":
                hit = (message["payload"].get("data") or {}).get("hitReported")
                if hit:
                    log.append((hit["clientId"], hit["sequence"], arrived))
                if message["payload"].get("errors"):
                    errors.append(str(message["payload"]["errors"])[:300])
            elif message.get("type") in ("error", "complete"):
                errors.append(str(message)[:300])
                return
        # A close without an error code ends the loop quietly; the client never closes first.
        errors.append(f"closed by the server: {ws.close_code} {ws.close_reason}")
    except websockets.ConnectionClosed as closed:
        errors.append(f"closed: {closed}")


async def _client_main(config: dict) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    gate = asyncio.Semaphore(25)
    logs = [[] for _ in range(config["count"])]
    errors: list[str] = []
    opened = await asyncio.gather(
        *(_client_socket(config, i, gate, logs[i]) for i in range(config["count"])),
        return_exceptions=True,
    )
    sockets = [ws for ws in opened if not isinstance(ws, BaseException)]
    errors += [f"connect: {e!r}"[:300] for e in opened if isinstance(e, BaseException)]
    listeners = [
        asyncio.create_task(_client_listen(ws, config["kind"], logs[i], errors))
        for i, ws in enumerate(opened)
        if not isinstance(ws, BaseException)
    ]
    # The servers join the groups when they handle `subscribe`: give them time.
    await asyncio.sleep(1 + config["count"] / 200)
    print(json.dumps({"ready": len(sockets)}), flush=True)

    command = json.loads(await reader.readline())
    expect, deadline = command["expect"], command["deadline"]
    while time.monotonic() < deadline:
        if all(len({key for key, _, _ in log} & set(expect)) == len(expect) for log in logs):
            break
        await asyncio.sleep(0.05)
    ended = time.monotonic()
    for task in listeners:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    own = os.times()
    print(
        json.dumps(
            {
                "logs": logs,
                "errors": errors[:20],
                "error_count": len(errors),
                "ended": ended,
                "client_cpu": own.user + own.system,
            }
        ),
        flush=True,
    )


def client_process() -> None:
    config = json.loads(sys.stdin.readline())
    asyncio.run(_client_main(config))


class Client:
    """The client process of one round (``bench/fanout.py --client``)."""

    def __init__(self, config: dict):
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--client"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        self._write(config)

    def _write(self, message: dict) -> None:
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()

    def _read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the client process ended early")
        return json.loads(line)

    def ready(self) -> int:
        return self._read()["ready"]

    def finish(self, expect: list[str], deadline: float) -> dict:
        self._write({"expect": expect, "deadline": deadline})
        result = self._read()
        self.process.wait(timeout=60)
        return result

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


# -- the world ---------------------------------------------------------------------------


def build_world(participants: int = PARTICIPANTS) -> dict:
    """An active operation with a coordinator, an analyst, an observer agency and
    `participants` reporting agencies; API tokens for everyone. Returns what the rounds need."""
    from django.contrib.auth.models import Permission
    from django.core.management import call_command
    from django.utils import timezone
    from graphql_relay import to_global_id

    from agencies.models import Agency, User
    from agencies.services import api_token_create
    from operations import services
    from operations.models import Operation, Participation
    from timeline.models import TimeWindow
    from timeline.services import time_window_create

    call_command("migrate", verbosity=0)

    def agency(acronym, kind="customs", country="BE"):
        return Agency.objects.create(name=acronym, acronym=acronym, kind=kind, country=country)

    def user(username, of):
        return User.objects.create_user(username=username, agency=of)

    wco = agency("WCO", "international_organisation", "")
    coordinator = user("wco.coordinator", wco)
    coordinator.user_permissions.add(
        Permission.objects.get(codename="add_operation", content_type__app_label="operations")
    )
    coordinator = User.objects.get(pk=coordinator.pk)
    analyst = user("rilo.analyst", agency("RILO", "international_organisation", ""))
    observer = user("unodc.observer", agency("UNODC", "international_organisation", ""))
    countries = ["CR", "NG", "BR", "CO", "PE", "PA", "MX", "GT", "KE", "GH", "SN", "ES"]
    officers = [
        user(f"officer{n:02d}", agency(f"C{n:02d}", country=countries[n % len(countries)]))
        for n in range(participants)
    ]
    now = timezone.now()
    op = services.operation_create(
        actor=coordinator,
        code="FANOUT",
        name="Fan-out",
        focus="drugs",
        planned_start=now - timedelta(days=1),
        planned_end=now + timedelta(days=5),
    )
    observers = [(observer, Participation.Role.OBSERVER), (analyst, Participation.Role.OBSERVER)]
    for who, role in observers + [(o, Participation.Role.PARTICIPANT) for o in officers]:
        p = services.participation_invite(
            actor=coordinator, operation=op, agency=who.agency, role=role
        )
        services.participation_respond(actor=who, participation=p, response="accept")
    services.operation_update(actor=coordinator, operation=op, analysts=[analyst])
    time_window_create(
        actor=coordinator,
        operation=op,
        kind=TimeWindow.Kind.OPERATIONAL,
        starts_at=now - timedelta(hours=12),
        ends_at=now + timedelta(days=2),
    )
    for status in (Operation.Status.PLANNED, Operation.Status.ACTIVE):
        services.operation_transition(actor=coordinator, operation=op, to_status=status)

    def token(u):
        return api_token_create(user=u, name="bench")[1]

    readers = [coordinator, analyst, observer, *officers]
    return {
        "op": to_global_id("Operation", op.pk),
        "readers": [u.username for u in readers],  # in the order of reader_tokens
        "reader_tokens": [token(u) for u in readers],
        "reporter_tokens": [token(o) for o in officers[:8]],
    }


# -- measuring ---------------------------------------------------------------------------


def post_json(url: str, body: dict, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


class System:
    """Two servers of one kind, and how to report to them and subscribe to them."""

    def __init__(self, kind: str, servers: list, world: dict):
        self.kind, self.servers, self.world = kind, servers, world
        self.last_sequence = 0
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return "JointOps" if self.kind == "jointops" else "bare relay"

    def client_config(self, count: int) -> dict:
        if self.kind == "bare":
            urls = [f"ws://127.0.0.1:{s.port}/relay/" for s in self.servers]
            return {"kind": "bare", "urls": urls, "count": count}
        return {
            "kind": "jointops",
            "urls": [s.ws_url for s in self.servers],
            "count": count,
            "tokens": self.world["reader_tokens"],
            "query": SUBSCRIPTION,
            # Replay from here: a socket whose subscription the server handles late
            # still gets every hit of the round.
            "variables": {"op": self.world["op"], "after": self.last_sequence},
        }

    def report(self, n: int, key: str) -> None:
        server = self.servers[n % len(self.servers)]
        if self.kind == "bare":
            post_json(f"{server.url}/report", {"key": key})
            return
        tokens = self.world["reporter_tokens"]
        answer = post_json(
            f"{server.url}/graphql/",
            {
                "query": REPORT,
                "variables": {"op": self.world["op"], "cid": key, "input": hit_input(n)},
            },
            tokens[n % len(tokens)],
        )
        payload = (answer.get("data") or {}).get("reportHit")
        if not payload or payload["errors"]:
            raise RuntimeError(f"reportHit failed: {answer}\n{server.log_tail()}")
        with self._lock:
            self.last_sequence = max(self.last_sequence, payload["hit"]["sequence"])

    def cpu(self) -> float:
        return sum(s.cpu_seconds() for s in self.servers)


def settle(servers, *, idle: float = 0.05, window: float = 0.5, limit: float = 120) -> float:
    """Wait until the servers use under `idle` of a core over `window` s; the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        before = sum(s.cpu_seconds() for s in servers)
        time.sleep(window)
        if (sum(s.cpu_seconds() for s in servers) - before) / window < idle:
            break
    return time.monotonic() - started


def run_round(system: System, count: int, args, hits: int | None = None) -> dict:
    hits = args.hits if hits is None else hits
    client = Client(system.client_config(count))
    try:
        connected = client.ready()
        cpu_before = system.cpu()
        sent: dict[str, float] = {}

        def send(n: int, key: str) -> None:
            sent[key] = time.monotonic()
            system.report(n, key)

        keys = [str(uuid.uuid4()) for _ in range(hits)]
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            jobs = []
            for n, key in enumerate(keys):
                time.sleep(max(0.0, started + n / args.rate - time.monotonic()))
                jobs.append(pool.submit(send, n, key))
            for job in jobs:
                job.result()
        result = client.finish(keys, time.monotonic() + args.deadline)
        cpu = system.cpu() - cpu_before
    finally:
        client.stop()
    waited = settle(system.servers)

    latencies, lost, duplicated, reordered, deliveries = [], 0, 0, 0, 0
    wanted = set(keys)
    for log in result["logs"]:
        got = [(key, number, at) for key, number, at in log if key in wanted]
        distinct = {key for key, _, _ in got}
        deliveries += len(got)
        lost += len(wanted - distinct)
        duplicated += len(got) - len(distinct)
        numbers = [number for _, number, _ in got]
        reordered += numbers != sorted(numbers)
        latencies += [at - sent[key] for key, _, at in got]
    lost += (count - connected) * len(keys)  # a socket that never connected got nothing
    return {
        "system": system.name,
        "count": count,
        "connected": connected,
        "latencies": latencies,
        "deliveries": deliveries,
        "expected": count * len(keys),
        "reports": len(keys),
        "lost": lost,
        "duplicated": duplicated,
        "reordered": reordered,
        "cpu": cpu,
        "client_cpu": result["client_cpu"],
        "errors": result["errors"],
        "error_count": result["error_count"],
        "settle": waited,
    }


def summarise(rounds: list[dict], per_report: float) -> dict:
    """Latency percentiles over every delivery of `rounds`; server CPU per delivery once
    the reports' own cost (`per_report` seconds, measured with nobody subscribed) is off."""
    latencies = [x for r in rounds for x in r["latencies"]]
    deliveries = sum(r["deliveries"] for r in rounds)
    delivery_cpu = sum(r["cpu"] - per_report * r["reports"] for r in rounds)
    return {
        "p50": percentile(latencies, 50) * 1000 if latencies else float("nan"),
        "p99": percentile(latencies, 99) * 1000 if latencies else float("nan"),
        "lost": sum(r["lost"] for r in rounds),
        "duplicated": sum(r["duplicated"] for r in rounds),
        "reordered": sum(r["reordered"] for r in rounds),
        "expected": sum(r["expected"] for r in rounds),
        "cpu_ms": max(delivery_cpu, 0) / deliveries * 1000 if deliveries else float("nan"),
    }


def fmt_ms(value: float) -> str:
    if value != value:  # nan
        return "-"
    return f"{value / 1000:.1f} s" if value >= 1000 else f"{value:.0f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--counts", default="1,10,50,200,500")
    parser.add_argument("--hits", type=int, default=20, help="reports per round")
    parser.add_argument("--rate", type=float, default=2.0, help="reports per second")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each system per count")
    parser.add_argument("--deadline", type=float, default=60, help="seconds after the last report")
    parser.add_argument("--give-up", type=float, default=0.1, help="undelivered share")
    parser.add_argument("--no-give-up", action="store_true")
    parser.add_argument("--pool", type=int, default=5, help="DATABASE_POOL_MAX_SIZE per server")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    if args.client:
        client_process()
        return 0

    database_url, drop = fresh_postgres(args.database_url, DATABASE)
    os.environ.update(DATABASE_URL=database_url, SECRET_KEY="bench-only-key", DEBUG="0")
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from bench.bare_relay import create_table
    from tests.support.live import Server

    world = build_world()
    create_table(connection.settings_dict)
    connection.close()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; PostgreSQL + Redis; commit {commit}; "
        f"{args.hits} reports per round at {args.rate:g}/s, {args.rounds} rounds of each "
        f"system per count, deadline {args.deadline:g} s after the last report",
        flush=True,
    )

    run = uuid.uuid4().hex[:8]
    settings = {"DATABASE_POOL_MAX_SIZE": str(args.pool), "DATABASE_POOL_MIN_SIZE": "1"}

    def server(kind: str) -> Server:
        return Server(
            database_url=database_url,
            redis_url=args.redis_url,
            channel_prefix=f"fanout-{run}-{kind}",
            settings=settings,
            application="config.asgi:application"
            if kind == "j"
            else "bench.bare_relay:application",
        )

    servers = []
    results: dict[int, dict[str, list[dict]]] = {}
    per_report: dict[str, list[float]] = {}
    unreachable_from = None
    try:
        servers = [server("j"), server("j"), server("b"), server("b")]
        for s in servers:
            s.wait_ready()
        systems = [System("jointops", servers[:2], world), System("bare", servers[2:], world)]
        for system in systems:  # warm up: imports, caches, pools; not measured
            run_round(system, 2, args, hits=5)
        # Reports with nobody subscribed: the CPU a report itself costs, taken off the
        # rounds' CPU before it is divided by the deliveries.
        for number in range(args.rounds):
            for system in systems if number % 2 == 0 else systems[::-1]:
                r = run_round(system, 0, args)
                per_report.setdefault(system.name, []).append(r["cpu"] / args.hits)
        for system in systems:
            print(
                f"{system.name}: server CPU per report with nobody subscribed "
                f"{statistics.median(per_report[system.name]) * 1000:.1f} ms",
                flush=True,
            )
        for count in (int(c) for c in args.counts.split(",")):
            results[count] = {s.name: [] for s in systems}
            for number in range(args.rounds):
                order = systems if number % 2 == 0 else systems[::-1]
                for system in order:
                    if system.kind == "jointops" and unreachable_from is not None:
                        continue
                    r = run_round(system, count, args)
                    results[count][system.name].append(r)
                    print(
                        f"{count:>4} subscribers, {system.name:<10} round {number + 1}: "
                        f"p50 {fmt_ms(percentile(r['latencies'], 50) * 1000 if r['latencies'] else float('nan'))}, "
                        f"p99 {fmt_ms(percentile(r['latencies'], 99) * 1000 if r['latencies'] else float('nan'))}, "
                        f"{r['deliveries']}/{r['expected']} delivered, lost {r['lost']}, "
                        f"duplicated {r['duplicated']}, reordered sockets {r['reordered']}, "
                        f"server CPU {r['cpu']:.1f} s, client CPU {r['client_cpu']:.1f} s, "
                        f"settled in {r['settle']:.0f} s"
                        + (
                            f", {r['error_count']} client errors {r['errors'][:2]}"
                            if r["errors"]
                            else ""
                        ),
                        flush=True,
                    )
                    if (
                        system.kind == "jointops"
                        and not args.no_give_up
                        and r["lost"] > args.give_up * r["expected"]
                    ):
                        unreachable_from = count
    finally:
        for s in servers:
            s.stop()
        if not args.keep:
            drop()

    print()
    print(
        "| subscribers | JointOps p50 / p99 | bare relay p50 / p99 | ratio p50 / p99 | "
        "JointOps lost / duplicated / reordered | server CPU per delivery: JointOps / bare |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for count, by_system in results.items():
        bare = summarise(by_system["bare relay"], statistics.median(per_report["bare relay"]))
        if by_system["JointOps"]:
            j = summarise(by_system["JointOps"], statistics.median(per_report["JointOps"]))
            unreached = j["lost"] > args.give_up * j["expected"]
            jointops = f"{fmt_ms(j['p50'])} / {fmt_ms(j['p99'])}"
            ratio = f"{j['p50'] / bare['p50']:.1f} / {j['p99'] / bare['p99']:.1f}"
            faults = f"{j['lost']} / {j['duplicated']} / {j['reordered']} of {j['expected']}"
            cpu = f"{j['cpu_ms']:.1f} / {bare['cpu_ms']:.2f} ms"
            if unreached:
                jointops += f" ({j['lost']} of {j['expected']} undelivered at the deadline)"
        else:
            jointops, ratio, faults = "not reachable", "-", "-"
            cpu = f"- / {bare['cpu_ms']:.2f} ms"
        print(
            f"| {count} | {jointops} | {fmt_ms(bare['p50'])} / {fmt_ms(bare['p99'])} "
            f"(lost {bare['lost']}, duplicated {bare['duplicated']}) | {ratio} | {faults} | {cpu} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
