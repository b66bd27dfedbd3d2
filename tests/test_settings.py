"""Settings come from the environment only; production values pass `check --deploy`."""

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
        assert backend == "channels_redis.core.RedisChannelLayer"
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
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_redis")


def test_an_idle_redis_channel_layer_read_outlasts_its_blocking_wait():
    # channels-redis blocks `brpop_timeout` seconds waiting for a message; a socket that
    # times out first (redis-py 8's default is the same 5 s) kills idle websockets.
    if not os.environ.get("REDIS_URL"):
        if services_required():
            pytest.fail("Redis is required in this run")
        pytest.skip("the embedded run has the in-memory channel layer")
    layer = get_channel_layer()

    async def socket_timeout():
        return layer.connection(0).connection_pool.connection_kwargs["socket_timeout"]

    assert async_to_sync(socket_timeout)() > layer.brpop_timeout
