"""GraphQL over websocket with the ``graphql-transport-ws`` subprotocol (the protocol of
the graphql-ws JS client, Apollo and urql), on Channels.

Authentication happens in ``connection_init``: ``{"authorization": "Bearer <token>"}``,
or else the session cookie of a browser whose Origin is one of ours. Every operation,
subscription events included, is executed by graphql-core with the same schema,
middleware and selectors as HTTP; resolvers run in a worker thread.
"""

import asyncio
import json
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from graphql import (
    ExecutionResult,
    GraphQLError,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    validate,
)
from graphql.execution import create_source_event_stream

from agencies.services import api_token_authenticate
from graphql_api.core.permissions import RootFieldRuleMiddleware, check_root_field
from graphql_api.schema import schema
from graphql_api.views import format_error, validation_rules

logger = logging.getLogger("jointops.graphql.ws")

SUBPROTOCOL = "graphql-transport-ws"
# Close codes of the protocol.
BAD_REQUEST, UNAUTHORISED, FORBIDDEN, INIT_TIMEOUT = 4400, 4401, 4403, 4408
SUBSCRIBER_EXISTS, TOO_MANY_INITS, INTERNAL = 4409, 4429, 4500


class WsContext:
    """The context of resolvers over websocket: the user, and live event queues."""

    def __init__(self, consumer: "GraphQLWSConsumer"):
        self.user = consumer.user
        self._consumer = consumer

    async def listen(self, group: str) -> asyncio.Queue:
        return await self._consumer.listen(group)

    async def unlisten(self, group: str, queue: asyncio.Queue) -> None:
        await self._consumer.unlisten(group, queue)


def _origin_allowed(scope) -> bool:
    headers = dict(scope.get("headers") or [])
    origin = headers.get(b"origin")
    if origin is None:
        return False
    host = origin.decode("latin-1").split("://", 1)[-1]
    domain, _ = split_domain_port(host)
    return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)


def _session_user(user):
    """The logged-in user of the session (resolving the lazy scope user), or None."""
    if user is not None and user.is_authenticated and user.is_active:
        return user
    return None


class GraphQLWSConsumer(AsyncWebsocketConsumer):
    groups = []

    async def connect(self):
        self.user = None
        self.acknowledged = False
        self.operations: dict[str, asyncio.Task] = {}
        self.listeners: dict[str, set[asyncio.Queue]] = {}
        if SUBPROTOCOL not in self.scope.get("subprotocols", []):
            await self.close()
            return
        await self.accept(SUBPROTOCOL)
        self.init_timer = asyncio.get_running_loop().call_later(
            settings.GRAPHQL_WS_INIT_TIMEOUT, self._init_timed_out
        )

    def _init_timed_out(self):
        if not self.acknowledged:
            asyncio.ensure_future(self.close(code=INIT_TIMEOUT))

    async def disconnect(self, code):
        if hasattr(self, "init_timer"):
            self.init_timer.cancel()
        for task in list(getattr(self, "operations", {}).values()):
            task.cancel()
        for group in list(getattr(self, "listeners", {})):
            await self.channel_layer.group_discard(group, self.channel_name)

    # -- the protocol ---------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        try:
            message = json.loads(text_data or "")
            kind = message["type"]
        except (ValueError, TypeError, KeyError):
            await self.close(code=BAD_REQUEST)
            return
        handler = {
            "connection_init": self._on_init,
            "ping": self._on_ping,
            "pong": self._on_pong,
            "subscribe": self._on_subscribe,
            "complete": self._on_complete,
        }.get(kind)
        if handler is None or not isinstance(message, dict):
            await self.close(code=BAD_REQUEST)
            return
        await handler(message)

    async def _send(self, message: dict) -> None:
        await self.send(text_data=json.dumps(message))

    async def _on_init(self, message):
        if self.user is not None:
            await self.close(code=TOO_MANY_INITS)
            return
        payload = message.get("payload") or {}
        user = await self._authenticate(payload if isinstance(payload, dict) else {})
        if user is None:
            await self.close(code=FORBIDDEN)
            return
        self.user = user
        self.acknowledged = True
        self.init_timer.cancel()
        await self._send({"type": "connection_ack"})

    async def _authenticate(self, payload: dict):
        header = payload.get("authorization") or payload.get("Authorization") or ""
        if header:
            scheme, _, raw = str(header).partition(" ")
            if scheme.lower() != "bearer" or not raw.strip():
                return None
            return await database_sync_to_async(api_token_authenticate)(raw=raw.strip())
        if _origin_allowed(self.scope):
            return await database_sync_to_async(_session_user)(self.scope.get("user"))
        return None

    async def _on_ping(self, message):
        reply = {"type": "pong"}
        if "payload" in message:
            reply["payload"] = message["payload"]
        await self._send(reply)

    async def _on_pong(self, message):
        pass

    async def _on_complete(self, message):
        task = self.operations.pop(str(message.get("id")), None)
        if task is not None:
            task.cancel()

    async def _on_subscribe(self, message):
        if not self.acknowledged:
            await self.close(code=UNAUTHORISED)
            return
        op_id, payload = message.get("id"), message.get("payload")
        if (
            not isinstance(op_id, str)
            or not op_id
            or not isinstance(payload, dict)
            or not isinstance(payload.get("query"), str)
        ):
            await self.close(code=BAD_REQUEST)
            return
        if op_id in self.operations:
            await self.close(code=SUBSCRIBER_EXISTS)
            return
        self.operations[op_id] = asyncio.ensure_future(self._run(op_id, payload))

    # -- execution ------------------------------------------------------------------

    async def _run(self, op_id: str, payload: dict) -> None:
        try:
            await self._execute_operation(op_id, payload)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("Websocket operation %s failed", op_id)
            await self._send(
                {
                    "type": "error",
                    "id": op_id,
                    "payload": [
                        {
                            "message": "Internal server error.",
                            "extensions": {"code": "INTERNAL_ERROR"},
                        }
                    ],
                }
            )
        finally:
            self.operations.pop(op_id, None)

    async def _execute_operation(self, op_id: str, payload: dict) -> None:
        variables = payload.get("variables") or {}
        operation_name = payload.get("operationName")
        try:
            document = parse(payload["query"])
        except GraphQLError as error:
            await self._errors(op_id, [error])
            return
        errors = validate(schema.graphql_schema, document, validation_rules())
        operation = get_operation_ast(document, operation_name)
        if not errors and operation is None:
            errors = [GraphQLError("Give the operationName to run.")]
        if errors:
            await self._errors(op_id, errors)
            return

        if operation.operation != OperationType.SUBSCRIPTION:
            result = await self._execute(document, None, variables, operation_name)
            await self._send({"type": "next", "id": op_id, "payload": self._format(result)})
            await self._send({"type": "complete", "id": op_id})
            return

        field = operation.selection_set.selections[0].name.value
        try:
            check_root_field("Subscription", field, self.user)
        except GraphQLError as error:
            await self._errors(op_id, [error])
            return
        stream = await create_source_event_stream(
            schema.graphql_schema,
            document,
            context_value=WsContext(self),
            variable_values=variables,
            operation_name=operation_name,
        )
        if isinstance(stream, ExecutionResult):
            await self._errors(op_id, stream.errors or [])
            return
        try:
            async for event in stream:
                result = await self._execute(document, event, variables, operation_name)
                if result.errors is None and not any((result.data or {}).values()):
                    continue  # nothing this user may see
                await self._send({"type": "next", "id": op_id, "payload": self._format(result)})
        finally:
            await stream.aclose()
        await self._send({"type": "complete", "id": op_id})

    async def _execute(self, document, root_value, variables, operation_name) -> ExecutionResult:
        context = WsContext(self)

        def run():
            return execute(
                schema.graphql_schema,
                document,
                root_value=root_value,
                context_value=context,
                variable_values=variables,
                operation_name=operation_name,
                middleware=[RootFieldRuleMiddleware()],
            )

        return await database_sync_to_async(run)()

    async def _errors(self, op_id: str, errors) -> None:
        await self._send(
            {"type": "error", "id": op_id, "payload": [format_error(e) for e in errors]}
        )

    @staticmethod
    def _format(result: ExecutionResult) -> dict:
        formatted = {"data": result.data}
        if result.errors:
            formatted["errors"] = [format_error(e) for e in result.errors]
        return formatted

    # -- live events ----------------------------------------------------------------

    async def listen(self, group: str) -> asyncio.Queue:
        """A queue of the events of a channel-layer group (see operations.events)."""
        queue: asyncio.Queue = asyncio.Queue()
        if group not in self.listeners:
            self.listeners[group] = set()
            await self.channel_layer.group_add(group, self.channel_name)
        self.listeners[group].add(queue)
        return queue

    async def unlisten(self, group: str, queue: asyncio.Queue) -> None:
        queues = self.listeners.get(group)
        if queues is None:
            return
        queues.discard(queue)
        if not queues:
            del self.listeners[group]
            await self.channel_layer.group_discard(group, self.channel_name)

    async def live_event(self, message):
        for queue in self.listeners.get(message["group"], ()):
            queue.put_nowait(message)
