"""Settings come from the environment only; production values pass `check --deploy`."""

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection

from tests.conftest import services_required

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "production-like-secret-with-enough-entropy-9f3b2c",
    "ALLOWED_HOSTS": "jointops.example.org",
    "DATABASE_URL": "sqlite:////tmp/jointops-deploy-check.sqlite3",
}


def manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secret_key_is_required_when_debug_is_off():
    result = manage("check", env={k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"})

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_mode_runs_without_a_secret_key():
    result = manage("check", env={"DEBUG": "1", "DATABASE_URL": PRODUCTION["DATABASE_URL"]})

    assert result.returncode == 0, result.stderr


def test_channel_layer_follows_redis_url():
    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    if os.environ.get("REDIS_URL"):
        assert backend == "config.channel_layer.BoundedRedisChannelLayer"
    else:
        assert backend == "channels.layers.InMemoryChannelLayer"


def test_channel_layer_round_trip():
    layer = get_channel_layer()

    async def round_trip():
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "ping", "n": 1})
        return await layer.receive(channel)

    assert async_to_sync(round_trip)() == {"type": "ping", "n": 1}


@pytest.mark.skipif(not services_required(), reason="only CI's PostgreSQL + Redis run needs it")
def test_ci_service_run_really_uses_postgresql_and_redis(db):
    # In the services run nothing may pass because a service was silently missing.
    assert connection.vendor == "postgresql"
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"].endswith("RedisChannelLayer")


def redis_channel_layer(**overrides):
    """A fresh layer as configured for Redis (its connections die with the loop)."""
    if not os.environ.get("REDIS_URL"):
        if services_required():
            pytest.fail("Redis is required in this run")
        pytest.skip("the embedded run has the in-memory channel layer")
    from config.channel_layer import BoundedRedisChannelLayer

    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    return BoundedRedisChannelLayer(**{**config, "prefix": "jointops-test", **overrides})


def test_a_burst_of_group_changes_beyond_the_redis_pool_waits_for_connections():
    # 300 sockets joining and leaving at once over a pool of 5 connections: each waits
    # for a free connection (redis-py's plain pool raised MaxConnectionsError at 100).
    layer = redis_channel_layer(max_connections=5)

    async def storm() -> tuple[int, int]:
        channels = [f"{await layer.new_channel()}" for _ in range(300)]
        await asyncio.gather(*(layer.group_add("storm", c) for c in channels))
        connection = layer.connection(0)
        joined = await connection.zcard(layer._group_key("storm"))
        await asyncio.gather(*(layer.group_discard("storm", c) for c in channels))
        left = await connection.zcard(layer._group_key("storm"))
        await layer.close_pools()
        return joined, left

    assert async_to_sync(storm)() == (300, 0)


def test_an_idle_redis_channel_layer_read_outlasts_its_blocking_wait():
    # channels-redis blocks `brpop_timeout` seconds waiting for a message; a socket that
    # times out first (redis-py 8's default is the same 5 s) kills idle websockets.
    layer = redis_channel_layer()
    layer.brpop_timeout = 1

    async def idle_then_message():
        channel = await layer.new_channel()
        receive = asyncio.ensure_future(layer.receive(channel))
        await asyncio.sleep(2.5)  # two blocking waits come back empty
        assert not receive.done()
        await layer.send(channel, {"type": "ping"})
        return await asyncio.wait_for(receive, timeout=10)

    assert async_to_sync(idle_then_message)() == {"type": "ping"}


def test_every_cancelled_redis_receive_finishes():
    # A closing websocket cancels its channel-layer receive. With a socket timeout,
    # redis-py wraps each send in asyncio.wait_for, which on Python 3.11 can swallow
    # the cancellation; channels-redis then polls Redis for that channel forever
    # (about 1 cancel in 16 here, and CI hung on it in a test's teardown).
    async def cancel_receives(times: int) -> int:
        stuck = 0
        for attempt in range(times):
            layer = redis_channel_layer()  # a new connection: the race is likeliest there
            channel = await layer.new_channel()
            receive = asyncio.ensure_future(layer.receive(channel))
            for _ in range(attempt % 7):  # cancel at different points of the exchange
                await asyncio.sleep(0)
            if attempt % 3 == 0:
                await asyncio.sleep(0.0005 * (attempt % 11))
            receive.cancel()
            _, pending = await asyncio.wait([receive], timeout=layer.brpop_timeout + 2)
            stuck += len(pending)
            await layer.close_pools()
        return stuck

    assert async_to_sync(cancel_receives)(150) == 0
