"""A large run goes to a real Celery worker (Redis broker, PostgreSQL), and its progress
reaches a websocket subscriber of a real server through the Redis channel layer."""

import asyncio
import time
import uuid

import pytest
import redis
from channels.db import database_sync_to_async
from graphql_relay import to_global_id

from agencies.services import api_token_create
from config.celery import app as celery_app
from network_analysis import services, synthetic
from network_analysis.models import AnalysisRun
from operations import services as operation_services
from tests.conftest import accept, make_operation, make_user
from tests.support.live import CeleryWorker, Server, Subscriber

pytestmark = pytest.mark.django_db(transaction=True)

PROGRESS = """subscription($run: ID!) { analysisProgress(runId: $run) { state progress stage } }"""


BROKER_DB = 9  # a Redis database of its own: the worker takes only this test's tasks


@pytest.fixture
def celery_broker(shared_services, settings):
    _, redis_url = shared_services
    broker_url = f"{redis_url.rsplit('/', 1)[0]}/{BROKER_DB}"
    redis.Redis.from_url(broker_url).flushdb()
    settings.CELERY_BROKER_URL = broker_url
    settings.ANALYSIS_INLINE_MAX_HITS = 10
    names = ("broker_url", "task_always_eager")
    before = {name: celery_app.conf[name] for name in names}
    celery_app.conf.update(broker_url=broker_url, task_always_eager=False)
    _forget_producers()
    yield broker_url
    celery_app.conf.update(before)
    _forget_producers()


def _forget_producers():
    """Celery keeps the producer pool of the broker it first sent to (an earlier test's
    default broker); the next send must connect to the configured one."""
    celery_app.close()
    celery_app.amqp._producer_pool = None


async def test_large_run_is_done_by_the_worker_and_streams_progress(
    shared_services, celery_broker, coordinator, officer, cr_customs
):
    db_url, redis_url = shared_services
    prefix = f"e2e-{uuid.uuid4().hex[:8]}"

    @database_sync_to_async
    def prepare():
        analyst = make_user("cr.analyst", cr_customs)
        operation = make_operation(coordinator, code="CELERY-OP")
        accept(operation, coordinator, officer)
        operation_services.operation_update(
            actor=coordinator, operation=operation, analysts=[analyst]
        )
        synthetic.plant(operation, hits=60, cells=3, seed=3)
        run = services.run_create(actor=analyst, operations=[operation], parameters={})
        return analyst, run, api_token_create(user=analyst)[1]

    analyst, run, token = await prepare()
    variables = {"run": to_global_id("AnalysisRun", run.pk)}
    with (
        Server(database_url=db_url, redis_url=redis_url, channel_prefix=prefix) as server,
        CeleryWorker(
            database_url=db_url,
            redis_url=redis_url,
            channel_prefix=prefix,
            broker_url=celery_broker,
        ) as worker,
    ):
        subscriber = await Subscriber(server.ws_url, token, PROGRESS, variables).start()
        await asyncio.sleep(0.5)  # the subscription has read the queued run
        assert await database_sync_to_async(services.run_dispatch)(run) == "celery"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            states = [p["data"]["analysisProgress"]["state"] for p, _ in subscriber.received]
            if states and states[-1] in ("SUCCEEDED", "FAILED"):
                break
            await asyncio.sleep(0.1)
        await subscriber.stop()
        log = worker.log_tail() + server.log_tail()

    payloads = [p["data"]["analysisProgress"] for p, _ in subscriber.received]
    assert payloads, f"no progress received; worker log: {log}"
    assert payloads[0]["state"] == "QUEUED"
    assert payloads[-1] == {"state": "SUCCEEDED", "progress": 100, "stage": "done"}, log
    steps = [p["progress"] for p in payloads if p["state"] == "RUNNING"]
    assert len(steps) >= 3 and steps == sorted(steps)
    stored = await database_sync_to_async(AnalysisRun.objects.get)(pk=run.pk)
    assert stored.state == AnalysisRun.State.SUCCEEDED and stored.hit_count == 60
