"""Real server processes and real clients, for end-to-end tests and benchmarks.

- :class:`CeleryWorker`: a Celery worker process consuming one queue of its own.
- :class:`Server`: a daphne process serving ``config.asgi`` on a free loopback port,
  against the database and Redis given; servers of one test share a channel prefix
  of their own, so earlier runs' leftovers in Redis do not reach them.
- :func:`post_graphql`: an HTTP GraphQL call with a bearer token (stdlib only).
- :class:`Subscriber`: a ``graphql-transport-ws`` client (the `websockets` package)
  that records every ``next`` it receives, with its arrival time.
- :func:`manage`: a ``manage.py`` command run in a child process against a given database.
- :class:`SiteOnFile`: a site of its own (an SQLite file in a temporary directory,
  prepared with ``manage.py`` commands, and a :class:`Server` on it), for the browser
  tests and benchmarks: it runs the same whatever database the test process uses.
- :class:`RedisServer`: a private ``redis-server`` on a free port, for tests that stop and
  restart Redis (never the shared one).
- :func:`cpu_seconds`, :func:`rss_bytes`: a process's CPU time and resident memory, read
  from ``/proc`` (benchmarks and the soak).
"""

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(db_settings: dict) -> str:
    """A DATABASE_URL for Django's settings of one connection (PostgreSQL or SQLite)."""
    if db_settings["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db_settings['NAME']}"
    user = db_settings.get("USER") or "postgres"
    password = f":{db_settings['PASSWORD']}" if db_settings.get("PASSWORD") else ""
    host = db_settings.get("HOST") or "127.0.0.1"
    port = db_settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db_settings['NAME']}"


def _environment(database_url: str, redis_url: str, channel_prefix: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        DEBUG="0",
        SECRET_KEY="end-to-end-test-key-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
        env["CHANNEL_PREFIX"] = channel_prefix or "jointops"
    return env


class _Child:
    """A child process of the project, its stderr kept in a log file until stop()."""

    stop_timeout = 10

    def __init__(self, args: list[str], env: dict, log_prefix: str):
        # Open for the life of the process; closed by stop().
        self.log = tempfile.NamedTemporaryFile(prefix=log_prefix, suffix=".log")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )

    def log_tail(self, size: int = 4000) -> str:
        return Path(self.log.name).read_text(errors="replace")[-size:]

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill: no cleanup runs; the log stays readable."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.process.pid)

    def rss_bytes(self) -> int:
        return rss_bytes(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=self.stop_timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class CeleryWorker(_Child):
    """``celery -A config worker`` taking tasks from `broker_url`."""

    stop_timeout = 15

    def __init__(self, *, database_url: str, redis_url: str, channel_prefix: str, broker_url: str):
        env = _environment(database_url, redis_url, channel_prefix)
        env["CELERY_BROKER_URL"] = broker_url
        super().__init__(
            [
                *("celery", "-A", "config", "worker"),
                *("--pool=solo", "--without-gossip", "--without-mingle"),
                "--loglevel=WARNING",
            ],
            env,
            "jointops-celery-",
        )


class Server(_Child):
    def __init__(
        self,
        *,
        database_url: str,
        redis_url: str = "",
        channel_prefix: str = "",
        settings: dict[str, str] | None = None,
        application: str = "config.asgi:application",
        port: int | None = None,
    ):
        """`settings`: more environment variables for the server (see .env.example);
        `application`: another ASGI application (e.g. the benchmarks' bare relay);
        `port`: a given port, e.g. to restart a server where its clients expect it."""
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/graphql/"
        env = _environment(database_url, redis_url, channel_prefix)
        env.update(settings or {})
        super().__init__(
            ["daphne", "-b", "127.0.0.1", "-p", str(self.port), application],
            env,
            f"jointops-{self.port}-",
        )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(f"server on port {self.port} not ready")

    def __enter__(self):
        self.wait_ready()
        return self


def post_graphql(url: str, token: str, query: str, variables: dict) -> dict:
    request = urllib.request.Request(
        f"{url}/graphql/",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


class Subscriber:
    """One websocket connection with one subscription; records (payload, arrival time)."""

    def __init__(self, ws_url: str, token: str, query: str, variables: dict):
        self.ws_url, self.token, self.query, self.variables = ws_url, token, query, variables
        self.received: list[tuple[dict, float]] = []
        self._task: asyncio.Task | None = None
        self._ready = asyncio.Event()
        self.error: dict | None = None

    async def start(self, timeout: float = 10) -> "Subscriber":
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self._ready.wait(), timeout)
        return self

    async def _run(self) -> None:
        async with websockets.connect(self.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(
                json.dumps(
                    {
                        "type": "connection_init",
                        "payload": {"authorization": f"Bearer {self.token}"},
                    }
                )
            )
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": self.query, "variables": self.variables},
                    }
                )
            )
            self._ready.set()
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "next":
                    self.received.append((message["payload"], time.perf_counter()))
                elif message["type"] == "error":
                    self.error = message
                    return
                elif message["type"] == "complete":
                    return

    async def wait_for(self, count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            if self._task.done():
                self._task.result()
                break
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        if self._task and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
                await self._task


def manage(database_url: str, *args: str, settings: dict[str, str] | None = None) -> str:
    """Run ``manage.py ARGS`` against `database_url` in a child process; return its output.

    The environment is the servers' (production settings, no Redis) with `settings` on top.
    """
    env = _environment(database_url, "", "")
    env.update(settings or {})
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-4000:]}")
    return result.stdout


class SiteOnFile:
    """A server with a database of its own: an SQLite file in a temporary directory,
    prepared by `prepare` (``manage.py`` commands, each a tuple of arguments), then
    served by a :class:`Server`. No developer ``.env`` is read (``ENV_FILE`` is empty).

    Use it as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(
        self,
        *,
        prepare: tuple[tuple[str, ...], ...] = (("migrate", "--noinput", "-v0"), ("seed_demo",)),
        settings: dict[str, str] | None = None,
    ):
        self._directory = tempfile.TemporaryDirectory(prefix="jointops-site-")
        self.database_url = f"sqlite:///{self._directory.name}/db.sqlite3"
        self.settings = {"ENV_FILE": "", **(settings or {})}
        self.prepare = prepare
        self.server: Server | None = None

    @property
    def url(self) -> str:
        return self.server.url

    def manage(self, *args: str) -> str:
        """A ``manage.py`` command against this site's database."""
        return manage(self.database_url, *args, settings=self.settings)

    def start(self, timeout: float = 60) -> "SiteOnFile":
        try:
            for command in self.prepare:
                self.manage(*command)
            self.server = Server(database_url=self.database_url, settings=self.settings)
            self.server.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
        self._directory.cleanup()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class RedisServer:
    """A private ``redis-server`` on a free loopback port, no persistence: stop() and
    start() again lose everything it held, as a restarted Redis does."""

    def __init__(self):
        executable = shutil.which("redis-server")
        if executable is None:
            raise RuntimeError("redis-server is not installed")
        self.executable = executable
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 10) -> "RedisServer":
        self.process = subprocess.Popen(
            [self.executable, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock,
            ):
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return self
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"redis-server on port {self.port} not ready")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # After the command name: state is field 3 of stat(5), utime 14 and stime 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int) -> int:
    """Resident memory of process `pid` (``/proc/<pid>/statm``)."""
    pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


class ResumingSubscriber:
    """A ``hitReported`` subscriber that behaves as a real client does over faults.

    When its socket closes, or the server ends the subscription (``error`` or
    ``complete``), it connects again, to the next of `ws_urls` in turn (as a load
    balancer would send it), and resumes with ``afterSequence`` = the last sequence it
    received; until the first, `after`. It records every sequence received, in order, and
    why it reconnected; a ``next`` that carries errors is recorded in ``faulty`` and not
    acted on (a graphql-ws client shows it and carries on). :meth:`drop` closes the
    current socket from the client's side (a reconnection storm: call it on many at once).
    """

    def __init__(self, ws_urls: list[str], token: str, operation_id: str, *, after: int = 0):
        self.ws_urls, self.token, self.operation_id, self.after = (
            ws_urls,
            token,
            operation_id,
            after,
        )
        self.sequences: list[int] = []
        self.reconnections: dict[str, int] = {}
        self.faulty: list[dict] = []
        self._ws = None
        self._turn = 0
        self._subscribed = asyncio.Event()
        self._stopped = False
        self._task: asyncio.Task | None = None

    query = """subscription($op: ID!, $after: Int) {
      hitReported(operationId: $op, afterSequence: $after) { sequence clientId marking } }"""

    async def start(self, timeout: float = 30) -> "ResumingSubscriber":
        self._turn = 0
        self._task = asyncio.create_task(self._run())
        await self.subscribed(timeout)
        return self

    async def subscribed(self, timeout: float = 30) -> None:
        """Wait until the current connection has sent its ``subscribe``."""
        await asyncio.wait_for(self._subscribed.wait(), timeout)

    def _count(self, cause: str) -> None:
        self.reconnections[cause] = self.reconnections.get(cause, 0) + 1

    async def _run(self) -> None:
        failures = 0
        while not self._stopped:
            url = self.ws_urls[self._turn % len(self.ws_urls)]
            self._turn += 1
            self._subscribed.clear()
            cause = "closed"
            try:
                async with websockets.connect(
                    url, subprotocols=["graphql-transport-ws"], open_timeout=10
                ) as ws:
                    self._ws = ws
                    await ws.send(
                        json.dumps(
                            {
                                "type": "connection_init",
                                "payload": {"authorization": f"Bearer {self.token}"},
                            }
                        )
                    )
                    ack = json.loads(await asyncio.wait_for(ws.recv(), 30))
                    if ack.get("type") != "connection_ack":
                        raise RuntimeError(f"no connection_ack: {ack}")
                    after = self.sequences[-1] if self.sequences else self.after
                    await ws.send(
                        json.dumps(
                            {
                                "id": "1",
                                "type": "subscribe",
                                "payload": {
                                    "query": self.query,
                                    "variables": {"op": self.operation_id, "after": after},
                                },
                            }
                        )
                    )
                    self._subscribed.set()
                    failures = 0
                    async for raw in ws:
                        message = json.loads(raw)
                        if message["type"] == "next":
                            payload = message["payload"]
                            hit = (payload.get("data") or {}).get("hitReported")
                            if hit is not None:
                                self.sequences.append(hit["sequence"])
                            if payload.get("errors"):
                                self.faulty.append(payload)
                        elif message["type"] in ("error", "complete"):
                            cause = f"{message['type']}: {str(message.get('payload'))[:200]}"
                            break
            except websockets.ConnectionClosed:
                cause = "closed"
            except (OSError, TimeoutError, websockets.WebSocketException, RuntimeError) as error:
                cause = f"could not connect: {type(error).__name__}"
                failures += 1
            finally:
                self._ws = None
            if self._stopped:
                return
            self._count(cause)
            if failures:  # the server is away: try the next one, a little later each time
                await asyncio.sleep(min(0.1 * failures, 1.0))

    async def drop(self) -> None:
        """Close the socket from this side; the subscriber reconnects at once."""
        self._subscribed.clear()
        if self._ws is not None:
            with contextlib.suppress(websockets.ConnectionClosed):
                await self._ws.close()

    async def wait_for(self, sequences: list[int], timeout: float) -> bool:
        """Wait until the sequences received end with the last of `sequences` (or more)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not sequences or (self.sequences and self.sequences[-1] >= sequences[-1]):
                return True
            await asyncio.sleep(0.05)
        return False

    async def stop(self) -> None:
        self._stopped = True
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
                await self._task
