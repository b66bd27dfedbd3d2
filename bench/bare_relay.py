"""The bare relay: the floor that ``bench/fanout.py`` and ``bench/soak.py`` compare
JointOps's live fan-out with.

An ASGI application served by daphne exactly as JointOps is (``tests/support/live.py``
``Server(application="bench.bare_relay:application")``), with the same channel layer
(``CHANNEL_LAYERS`` of ``config.settings``, so the same Redis settings) and the same
database, but none of the work JointOps does for a hit:

- ``POST /report`` with a JSON body ``{"key": "..."}``: inserts one row into
  ``relay_event`` (one statement, its own transaction, through a psycopg pool), then
  ``group_send`` to the group ``relay`` with the row's id and the key, and answers
  ``{"id": ...}``. No Django request, no authentication, no validation, no GraphQL.
- a websocket at ``/relay/``: a bare Channels consumer that joins the group ``relay`` and
  forwards each event as ``{"key": ..., "id": ...}``. No protocol, no permission
  check, no read of the database.

So the difference between the two is what JointOps adds per report and per delivery
(its checks, its GraphQL execution, its reads); transport, daphne, Redis and PostgreSQL
are common to both. :func:`create_table` makes the table (the benchmark calls it).
"""

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.urls import path  # noqa: E402
from psycopg_pool import AsyncConnectionPool  # noqa: E402

GROUP = "relay"
TABLE_SQL = (
    "CREATE TABLE IF NOT EXISTS relay_event "
    "(id bigserial PRIMARY KEY, key text NOT NULL, created_at timestamptz DEFAULT now())"
)


def conninfo(db_settings: dict) -> str:
    """A libpq connection string for Django's settings of one PostgreSQL connection."""
    parts = {
        "dbname": db_settings["NAME"],
        "user": db_settings.get("USER") or "postgres",
        "password": db_settings.get("PASSWORD") or "",
        "host": db_settings.get("HOST") or "127.0.0.1",
        "port": db_settings.get("PORT") or 5432,
    }
    return " ".join(f"{k}={v}" for k, v in parts.items() if v != "")


def create_table(db_settings: dict) -> None:
    import psycopg

    with psycopg.connect(conninfo(db_settings), autocommit=True) as connection:
        connection.execute(TABLE_SQL)


class RelayConsumer(AsyncWebsocketConsumer):
    """Joins the group, forwards what it gets."""

    async def connect(self):
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def relay_event(self, message):
        await self.send(text_data=json.dumps({"key": message["key"], "id": message["id"]}))


class ReportView:
    """``POST /report``: one row, one group_send. A pool as large as JointOps's
    (DATABASE_POOL_MAX_SIZE), opened on the first request (in daphne's event loop)."""

    def __init__(self):
        self.pool: AsyncConnectionPool | None = None

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if scope["method"] != "POST" or scope["path"] != "/report":
            await self._answer(send, 404, {"error": "not found"})
            return
        key = str(json.loads(body or b"{}").get("key", ""))
        if self.pool is None:
            pool = AsyncConnectionPool(
                conninfo(settings.DATABASES["default"]),
                min_size=1,
                max_size=int(os.environ.get("DATABASE_POOL_MAX_SIZE", "10")),
                kwargs={"autocommit": True},
                open=False,
            )
            await pool.open()
            if self.pool is None:
                self.pool = pool
            else:
                await pool.close()
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                "INSERT INTO relay_event (key) VALUES (%s) RETURNING id", (key,)
            )
            (row_id,) = await cursor.fetchone()
        await get_channel_layer().group_send(
            GROUP, {"type": "relay.event", "key": key, "id": row_id}
        )
        await self._answer(send, 200, {"id": row_id})

    @staticmethod
    async def _answer(send, status: int, payload: dict) -> None:
        content = json.dumps(payload).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": content})


async def healthz_or_report(scope, receive, send):
    """``/healthz`` as JointOps answers it (``Server.wait_ready`` polls it); else the view."""
    if scope["type"] == "http" and scope["path"] == "/healthz":
        await ReportView._answer(send, 200, {"status": "ok"})
        return
    await _report(scope, receive, send)


_report = ReportView()

application = ProtocolTypeRouter(
    {
        "http": healthz_or_report,
        "websocket": URLRouter([path("relay/", RelayConsumer.as_asgi())]),
    }
)
