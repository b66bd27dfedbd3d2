"""Domain events to live clients: the one place that talks to the channel layer.

Services call :func:`broadcast_on_commit` inside their transaction; the event leaves
only if the transaction commits. An event carries no content: each subscribed
connection re-reads what changed through the permission-aware selectors, so an event
can never show anybody more than they may see.

Every event names its group: ``operation.<id>`` for an operation's hits and changes,
``analysis.<run id>`` for an analysis run's progress, ``user.<id>`` for a change to what
one user may do at all (a token revoked, the account deactivated): each websocket of
that user re-authenticates and closes if its credentials no longer hold.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

HIT_REPORTED = "hit_reported"
OPERATION_CHANGED = "operation_changed"
ANALYSIS_PROGRESS = "analysis_progress"
ACCESS_CHANGED = "access_changed"


def operation_group(operation_id: int) -> str:
    return f"operation.{operation_id}"


def analysis_group(run_id) -> str:
    return f"analysis.{run_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def broadcast(group: str, kind: str, **details) -> None:
    """Send now; a lost wake-up is never fatal (clients catch up by re-reading)."""
    message = {"type": "live.event", "group": group, "kind": kind, **details}
    try:
        async_to_sync(get_channel_layer().group_send)(group, message)
    except Exception:
        logger.exception("Could not broadcast %s to %s", kind, group)


def broadcast_on_commit(operation_id: int, kind: str, **details) -> None:
    group = operation_group(operation_id)
    transaction.on_commit(lambda: broadcast(group, kind, operation_id=operation_id, **details))


def broadcast_to_user_on_commit(user_id: int, kind: str = ACCESS_CHANGED, **details) -> None:
    """Tell every live connection of one user, after commit, that their access changed.
    A lost event is caught by the connections' periodic re-check
    (GRAPHQL_WS_REAUTH_INTERVAL)."""
    group = user_group(user_id)
    transaction.on_commit(lambda: broadcast(group, kind, user_id=user_id, **details))
