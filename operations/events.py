"""Domain events to live clients: the one place that talks to the channel layer.

Services call :func:`broadcast_on_commit` inside their transaction; the event leaves
only if the transaction commits. An event carries no content: each server process reads
what changed once and shows each subscriber only what the permission rules let them see
(``graphql_api/fanout.py``), so an event can never show anybody more than they may see.

Every event names its group: ``operation.<id>`` for an operation's hits and changes,
``analysis.<run id>`` for an analysis run's progress, ``user.<id>`` for a change to what
one user may do at all (a token revoked, the account deactivated): each websocket of
that user re-authenticates and closes if its credentials no longer hold.

**Off the request's critical path.** A request that commits does not wait for the
channel layer (a Redis round trip per event): when it runs in a server process (a sync
view in a worker thread of the ASGI event loop, as Django runs it under daphne), the
commit hook hands the event to that loop, where one sender per loop sends events one
after the other in the order they were handed over, and logs any that could not be sent
(subscribers then catch up at the operation's next event: the fan-out reads everything
after the last sequence it read). Elsewhere (a management command, a Celery worker, a
synchronous test) there is no loop to hand it to, and the event is sent before the hook
returns, as before.

Order: one thread's commits leave in commit order. Two requests committing into one
operation at once run their hooks in two threads, which may hand their events over in
either order; receivers do not depend on it (a ``hit_reported`` event only says "read
after your cursor", and a late one finds nothing new).
"""

import asyncio
import logging
import os
import weakref
from collections import deque

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

HIT_REPORTED = "hit_reported"
OPERATION_CHANGED = "operation_changed"
ANALYSIS_PROGRESS = "analysis_progress"
ACCESS_CHANGED = "access_changed"

_OPERATION_PREFIX = "operation."


def operation_group(operation_id: int) -> str:
    return f"{_OPERATION_PREFIX}{operation_id}"


def operation_of_group(group: str) -> int | None:
    """The operation id of an ``operation.<id>`` group, else None."""
    if group.startswith(_OPERATION_PREFIX) and group[len(_OPERATION_PREFIX) :].isdigit():
        return int(group[len(_OPERATION_PREFIX) :])
    return None


def analysis_group(run_id) -> str:
    return f"analysis.{run_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def _message(group: str, kind: str, details: dict) -> dict:
    return {"type": "live.event", "group": group, "kind": kind, **details}


def _send_now(group: str, message: dict) -> None:
    try:
        async_to_sync(get_channel_layer().group_send)(group, message)
    except Exception:
        logger.exception("Could not broadcast %s to %s", message["kind"], group)


def broadcast(group: str, kind: str, **details) -> None:
    """Send now, waiting for the channel layer; a lost wake-up is never fatal (clients
    catch up by re-reading)."""
    _send_now(group, _message(group, kind, details))


class _Sender:
    """The events handed to one event loop, sent one at a time in the order received,
    by a task that runs while there is something to send."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.pending: deque[tuple[str, dict]] = deque()
        self.task: asyncio.Task | None = None

    def put(self, group: str, message: dict) -> None:  # in the loop
        self.pending.append((group, message))
        if self.task is None or self.task.done():
            self.task = self.loop.create_task(self._drain())

    async def _drain(self) -> None:
        while self.pending:
            group, message = self.pending.popleft()
            try:
                await get_channel_layer().group_send(group, message)
            except Exception:
                logger.exception("Could not broadcast %s to %s", message["kind"], group)


_senders: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Sender]" = (
    weakref.WeakKeyDictionary()
)


def _hand_over(loop: asyncio.AbstractEventLoop, group: str, message: dict) -> None:
    sender = _senders.get(loop)
    if sender is None:
        sender = _senders[loop] = _Sender(loop)
    sender.put(group, message)


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop this thread works for: its own, or the one whose worker thread it
    is (asgiref records it for each sync_to_async call, as async_to_sync reads it)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    threadlocal = SyncToAsync.threadlocal
    if getattr(threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    loop = getattr(threadlocal, "main_event_loop", None)
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    return loop


def send_soon(group: str, kind: str, **details) -> None:
    """Send without waiting for the channel layer when a server loop can take the event
    (see the module's docstring), else now."""
    message = _message(group, kind, details)
    loop = _server_loop()
    if loop is None:
        _send_now(group, message)
        return
    try:
        loop.call_soon_threadsafe(_hand_over, loop, group, message)
    except RuntimeError:  # the loop closed meanwhile
        _send_now(group, message)


def broadcast_on_commit(operation_id: int, kind: str, **details) -> None:
    group = operation_group(operation_id)
    transaction.on_commit(lambda: send_soon(group, kind, operation_id=operation_id, **details))


def broadcast_to_user_on_commit(user_id: int, kind: str = ACCESS_CHANGED, **details) -> None:
    """Tell every live connection of one user, after commit, that their access changed.
    A lost event is caught by the connections' periodic re-check
    (GRAPHQL_WS_REAUTH_INTERVAL)."""
    group = user_group(user_id)
    transaction.on_commit(lambda: send_soon(group, kind, user_id=user_id, **details))
