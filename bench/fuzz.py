"""Fuzz the GraphQL schema against a live server, longer than the test does (issue 9).

    .venv/bin/python bench/fuzz.py                        # SQLite file, one daphne server
    .venv/bin/python bench/fuzz.py --database postgres    # PostgreSQL (jointops_fuzz) + Redis

It builds a database of its own (a temporary SQLite file, or the PostgreSQL database
``jointops_fuzz``, dropped and recreated, and dropped again at the end unless ``--keep``),
migrates it, loads ``seed_demo`` (ten agencies, a user for every role, a planned operation
and an active one with 300 hits), runs one analysis, makes API tokens for the personas and
starts a daphne server (``tests/support/live.py``). Then it sends the requests of the
harness in ``tests/graphql/test_fuzz.py`` (hypothesis-graphql documents for every root
query and mutation: valid ones with arguments inline, invalid ones, and valid ones with
their arguments in ``variables``, half of those corrupted) one at a time, as each persona:

- ``coordinator``: wco.coordinator, coordinates both operations;
- ``officer``: cr.officer, a participating agency's officer (reports hits);
- ``analyst``: wco.analyst, named analyst of the active operation;
- ``outsider``: fr.coordinator, a planner whose agency takes part in nothing seeded;
- ``anonymous``: no credentials.

Unlike the test, nothing is rolled back: mutations that succeed change the world the next
requests meet. A request fails when the answer is a 5xx, is not a JSON GraphQL response,
or carries an error with ``extensions.code == "INTERNAL_ERROR"``. Failures are grouped by
the exception the server logged, and each one's request is minimised by deleting
arguments, fields and values while it still fails the same way. Exit status 1 when
anything failed. Results and the command's last output: ``docs/fuzzing.md``.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support import fresh_postgres  # noqa: E402

HOOKS = "bench.fuzz"  # schemathesis loads this module for its check (SCHEMATHESIS_HOOKS)
PERSONAS = {
    "coordinator": "wco.coordinator",
    "officer": "cr.officer",
    "analyst": "wco.analyst",
    "outsider": "fr.coordinator",
    "anonymous": None,
}
POSTGRES = "postgres://postgres@127.0.0.1:5432"
DATABASE = "jointops_fuzz"


def prepare_database(kind: str):
    """A fresh database of `kind`: its URL and how to drop it (the SQLite file stays)."""
    if kind == "postgres":
        return fresh_postgres(f"{POSTGRES}/postgres", DATABASE)
    return f"sqlite:///{tempfile.mkdtemp(prefix='jointops-fuzz-')}/fuzz.sqlite3", lambda: None


def seed() -> dict[str, dict]:
    """Migrate, load the demo data, run one analysis; headers of each persona."""
    from django.core.management import call_command

    from agencies.models import User
    from agencies.services import api_token_create
    from network_analysis.services import run_create, run_execute
    from operations.models import Operation

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    analyst = User.objects.get(username="wco.analyst")
    active = Operation.objects.get(code="COLIBRI-SKY")
    run_execute(run_create(actor=analyst, operations=[active], parameters={}).pk)
    headers = {}
    for persona, username in PERSONAS.items():
        if username is None:
            headers[persona] = {}
        else:
            raw = api_token_create(user=User.objects.get(username=username), name="fuzz")[1]
            headers[persona] = {"Authorization": f"Bearer {raw}"}
    return headers


if __name__ != "__main__" and os.environ.get("SCHEMATHESIS_HOOKS") == HOOKS:
    # Loaded by the schemathesis CLI: register the harness's judge as its check.
    import django
    import schemathesis

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from tests.graphql.test_fuzz import judge, now_iso, scalar_strategies

    # Scalars schemathesis has no strategy for, and ids of the seeded rows (next to forged
    # ones) so that queries reach real objects; the other scalars stay schemathesis's own.
    _known = json.loads(os.environ.get("JOINTOPS_FUZZ_KNOWN", '{"ids": [], "uuids": []}'))
    _strategies = scalar_strategies(_known["ids"], _known["uuids"], now_iso)
    for _name in ("ID", "UUID", "Decimal", "JSONString", "GenericScalar"):
        schemathesis.graphql.scalar(_name, _strategies[_name])

    @schemathesis.check
    def jointops_answer(ctx, response, case):
        """No 5xx, a JSON GraphQL answer, no error with code INTERNAL_ERROR."""
        content_type = ",".join(response.headers.get("content-type", []))
        problems = judge(response.status_code, content_type, response.content)
        if problems:
            raise AssertionError("; ".join(problems))


def run_schemathesis(server, personas: dict, known: dict, args) -> int:
    """The schemathesis CLI against the server, once per persona, with the harness's check;
    then the distinct exceptions the server logged. Returns the number of failing runs."""
    from tests.graphql.test_fuzz import cause_of, split_tracebacks

    failed = 0
    for persona, headers in personas.items():
        command = [
            str(Path(sys.executable).parent / "schemathesis"),
            "run",
            # the committed schema: anonymous callers may not introspect the live one
            str(ROOT / "schema.graphql"),
            *("--url", f"{server.url}/graphql/"),
            *("--checks", "jointops_answer"),
            *("--max-examples", str(args.examples)),
            *("--seed", str(args.seed)),
            *("--workers", "1"),
            "--continue-on-failure",
            *("--suppress-health-check", "all"),
            *(f"--header=Authorization: {value}" for value in headers.values()),
        ]
        print(f"\n== schemathesis as {persona}", flush=True)
        env = {
            **os.environ,
            "SCHEMATHESIS_HOOKS": HOOKS,
            "PYTHONPATH": str(ROOT),
            "JOINTOPS_FUZZ_KNOWN": json.dumps(known),
        }
        result = subprocess.run(command, cwd=ROOT, env=env)
        failed += result.returncode != 0
    causes: dict = {}
    for chunk in split_tracebacks(Path(server.log.name).read_text(errors="replace")):
        cause = cause_of(chunk)
        causes[cause] = causes.get(cause, 0) + 1
    print(f"\nthe server logged {sum(causes.values())} exception(s), {len(causes)} distinct:")
    for cause, count in causes.items():
        print(
            f"  {count}x {cause.exception}\n      at {cause.project_frame} (innermost {cause.innermost_frame})"
        )
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--examples", type=int, default=40, help="per root field, mode and persona (default 40)"
    )
    parser.add_argument("--seed", type=int, default=9, help="Hypothesis seed (default 9)")
    parser.add_argument("--fields", default="", help="comma-separated root fields (default all)")
    parser.add_argument("--personas", default=",".join(PERSONAS), help="comma-separated")
    parser.add_argument("--modes", default="literals,negative,variables", help="comma-separated")
    parser.add_argument(
        "--engine",
        choices=["harness", "schemathesis"],
        default="harness",
        help="the harness of tests/graphql/test_fuzz.py, or the schemathesis CLI with its check",
    )
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args()
    # hypothesis-graphql's own strategies set this off; it says nothing about the server
    warnings.filterwarnings("ignore", message="There is no reason to use @st.composite")

    database_url, drop = prepare_database(args.database)
    redis_url = "redis://127.0.0.1:6379/0" if args.database == "postgres" else ""
    os.environ.update(DATABASE_URL=database_url, SECRET_KEY="fuzz-only-key", DEBUG="0")
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from tests.graphql import test_fuzz as harness
    from tests.support.live import Server

    started = time.monotonic()
    headers = seed()
    ids, uuids = harness.known_values()
    connection.close()
    if getattr(connection, "close_pool", None):  # PostgreSQL's pool, when configured
        connection.close_pool()
    personas = {name: headers[name] for name in args.personas.split(",")}
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; database: {connection.vendor}"
        + (" + Redis" if redis_url else "")
        + f"; seeded in {time.monotonic() - started:.0f} s"
    )
    server = Server(
        database_url=database_url,
        redis_url=redis_url,
        channel_prefix=f"fuzz-{uuid.uuid4().hex[:8]}",
    )
    try:
        server.wait_ready()
        if args.engine == "schemathesis":
            known = {"ids": ids, "uuids": uuids}
            return 1 if run_schemathesis(server, personas, known, args) else 0
        started = time.monotonic()
        findings = harness.fuzz(
            harness.HttpTransport(server.url, server.log.name),
            personas,
            harness.scalar_strategies(ids, uuids, harness.now_iso),
            examples=args.examples,
            fields=[f for f in args.fields.split(",") if f] or None,
            modes=args.modes.split(","),
            seed=args.seed,
            progress=None if args.quiet else (lambda line: print(line, flush=True)),
        )
        elapsed = time.monotonic() - started
    finally:
        server.stop()
        connection.close()
        if not args.keep:
            drop()

    print()
    print(
        f"--examples {args.examples} --seed {args.seed}, personas {args.personas}: "
        f"{findings.requests} requests in {elapsed:.0f} s"
    )
    print("outcomes per root field:")
    for field_name, outcomes in findings.outcomes.items():
        print(f"  {field_name}: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    print()
    print(findings.report())
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
