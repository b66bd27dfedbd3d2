"""operations.events: an event leaves after commit and only after commit, without the
committing request waiting for the channel layer, in the order one thread committed,
and a failure to send is logged, never silent."""

import asyncio
import logging

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from operations import events

pytestmark = pytest.mark.django_db(transaction=True)


class RecordingLayer:
    """A channel layer that records each group_send; `gate` holds the sends back, `fail`
    names the `what` of events it refuses."""

    def __init__(self, *, fail=()):
        self.sent: list[str] = []
        self.started: list[str] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail = set(fail)

    async def group_send(self, group, message):
        self.started.append(message["what"])
        await self.gate.wait()
        if message["what"] in self.fail:
            raise ConnectionError("Redis went away")
        self.sent.append(message["what"])


@pytest.fixture
def layer(monkeypatch):
    recording = RecordingLayer()
    monkeypatch.setattr(events, "get_channel_layer", lambda: recording)
    return recording


async def until(condition) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never happened")


class Rollback(Exception):
    pass


async def test_an_event_leaves_after_commit_and_never_for_a_rolled_back_transaction(layer):
    def commit_one_roll_back_one() -> list[str]:
        try:
            with transaction.atomic():
                events.broadcast_on_commit(1, events.OPERATION_CHANGED, what="rolled back")
                raise Rollback
        except Rollback:
            pass
        with transaction.atomic():
            events.broadcast_on_commit(1, events.OPERATION_CHANGED, what="committed")
            inside = list(layer.started)  # before the commit
        return inside

    inside = await database_sync_to_async(commit_one_roll_back_one)()
    await until(lambda: layer.sent)

    assert inside == []
    assert layer.sent == ["committed"]


async def test_the_committing_thread_does_not_wait_for_the_channel_layer(layer):
    layer.gate.clear()  # the channel layer answers only when the test says so

    def commit() -> None:
        with transaction.atomic():
            events.broadcast_on_commit(1, events.OPERATION_CHANGED, what="plan")

    # Returns although the send cannot finish (it would deadlock otherwise).
    await asyncio.wait_for(database_sync_to_async(commit)(), timeout=30)
    await until(lambda: layer.started)
    assert layer.sent == []

    layer.gate.set()
    await until(lambda: layer.sent)
    assert layer.sent == ["plan"]


async def test_events_leave_in_commit_order_and_a_failed_send_is_logged(layer, caplog):
    layer.fail = {"second"}
    layer.gate.clear()

    def commit_three() -> None:
        for what in ("first", "second", "third"):
            with transaction.atomic():
                events.broadcast_on_commit(7, events.OPERATION_CHANGED, what=what)

    with caplog.at_level(logging.ERROR, logger="operations.events"):
        await database_sync_to_async(commit_three)()
        await until(lambda: layer.started)
        assert layer.started == ["first"]  # one at a time: the others wait their turn
        layer.gate.set()
        await until(lambda: len(layer.started) == 3)
        await until(lambda: len(layer.sent) == 2)

    assert layer.started == ["first", "second", "third"]
    assert layer.sent == ["first", "third"]
    assert [r.getMessage() for r in caplog.records] == [
        "Could not broadcast operation_changed to operation.7"
    ]


def test_without_a_server_loop_the_event_is_sent_before_the_commit_returns(layer):
    with transaction.atomic():
        events.broadcast_on_commit(1, events.OPERATION_CHANGED, what="from a command")
        assert layer.sent == []

    assert layer.sent == ["from a command"]


def test_operation_groups_are_recognised():
    assert events.operation_of_group(events.operation_group(42)) == 42
    assert events.operation_of_group(events.analysis_group("42")) is None
    assert events.operation_of_group("operation.x") is None
