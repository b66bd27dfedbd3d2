"""Domain events to live clients: the one place that talks to the channel layer.

Services call :func:`broadcast_on_commit` inside their transaction; the event leaves
only if the transaction commits. An event carries no content: each subscribed
connection re-reads what changed through the permission-aware selectors, so an event
can never show anybody more than they may see.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

HIT_REPORTED = "hit_reported"
OPERATION_CHANGED = "operation_changed"


def operation_group(operation_id: int) -> str:
    return f"operation.{operation_id}"


def broadcast_on_commit(operation_id: int, kind: str, **details) -> None:
    message = {"type": "operation.event", "operation_id": operation_id, "kind": kind, **details}

    def send():
        try:
            async_to_sync(get_channel_layer().group_send)(operation_group(operation_id), message)
        except Exception:  # the change is committed; a lost wake-up is caught up on resume
            logger.exception("Could not broadcast %s for operation %s", kind, operation_id)

    transaction.on_commit(send)
