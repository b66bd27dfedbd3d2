"""GraphQL over websocket with the ``graphql-transport-ws`` subprotocol (the protocol of
the graphql-ws JS client, Apollo and urql), on Channels.

Authentication happens in ``connection_init``: ``{"authorization": "Bearer <token>"}``,
or else the session cookie of a browser whose Origin is ours (the rule of Django's CSRF
check: the connection's own scheme and host, or one of ``CSRF_TRUSTED_ORIGINS``). Every
operation is checked by the same ``graphql_api.core.requests.prepare`` as over HTTP (with
the same error codes), then executed, subscription events included, by graphql-core with
the same schema, middleware and selectors; resolvers run in a worker thread. One socket
runs at most ``GRAPHQL_WS_MAX_OPERATIONS`` operations at once.

The credentials stay checked while the socket is open. The connection remembers what it
authenticated with (the token's digest, or the session key, never the raw token) and
joins its user's channel-layer group (``operations.events.user_group``): services that
revoke a token or deactivate a user broadcast ``ACCESS_CHANGED`` there, whichever process
holds the socket, and the connection re-authenticates at once. As a backstop for changes
made outside the services (a database edit, a logout, a lost event) it re-authenticates
every ``GRAPHQL_WS_REAUTH_INTERVAL`` seconds: one indexed query per connection. When the
credentials no longer hold, the socket closes with 4403; otherwise the fresh user object
replaces the old one, and the live subscriptions re-check what they may see.

Live events of operations do not come to each connection: the process's hub
(``graphql_api/fanout.py``) follows each operation once, runs each distinct subscription
document once per event, and hands the subscriptions ready ``next`` payloads, which the
connection sends as they are.
"""

import asyncio
import json
import logging
from importlib import import_module
from types import SimpleNamespace
from urllib.parse import urlsplit

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user as session_get_user
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain
from graphql import (
    ExecutionResult,
    FragmentDefinitionNode,
    GraphQLError,
    OperationType,
    execute,
)
from graphql.execution import create_source_event_stream
from graphql.execution.collect_fields import collect_fields
from graphql.execution.values import get_variable_values

from agencies.models import ApiToken
from agencies.services import api_token_user
from graphql_api.core.errors import CodedGraphQLError
from graphql_api.core.permissions import RootFieldRuleMiddleware, check_root_field
from graphql_api.core.requests import RequestError, prepare
from graphql_api.core.threads import in_thread_pool
from graphql_api.fanout import Delivery, SubscriptionRequest, format_result
from graphql_api.fanout import hub as fanout_hub
from graphql_api.schema import schema
from graphql_api.views import format_error
from operations import events

logger = logging.getLogger("jointops.graphql.ws")

SUBPROTOCOL = "graphql-transport-ws"
# Close codes of the protocol.
BAD_REQUEST, UNAUTHORISED, FORBIDDEN, INIT_TIMEOUT = 4400, 4401, 4403, 4408
SUBSCRIBER_EXISTS, TOO_MANY_INITS, INTERNAL = 4409, 4429, 4500


class WsContext:
    """The context of resolvers over websocket: the user, live event queues, and for a
    subscription its request and its follow of an operation's live events.

    ``user`` is read from the connection each time, so a long-lived subscription sees
    the user as last re-authenticated, not as they were when it started. Make a fresh
    context for each execution (``fresh``): resolvers memoise the viewer's grants on it.
    """

    def __init__(self, consumer: "GraphQLWSConsumer", request: SubscriptionRequest | None = None):
        self._consumer = consumer
        self.request = request

    @property
    def user(self):
        return self._consumer.user

    def fresh(self) -> "WsContext":
        return WsContext(self._consumer, self.request)

    async def listen(self, group: str, queue: asyncio.Queue | None = None) -> asyncio.Queue:
        return await self._consumer.listen(group, queue)

    async def unlisten(self, group: str, queue: asyncio.Queue) -> None:
        await self._consumer.unlisten(group, queue)

    async def follow(self, operation_pk: int, kind: str):
        """Follow the operation's live events through the process's hub."""
        subscription = await fanout_hub().follow(self, operation_pk, kind)
        self._consumer.live.add(subscription)
        return subscription

    def forget(self, subscription) -> None:
        self._consumer.live.discard(subscription)


# -- the Origin check: Django's CsrfViewMiddleware._origin_verified, for a websocket ----


def _meta(scope) -> dict[str, str]:
    """The request headers as Django's ASGIRequest puts them in ``META``: ``HTTP_*``,
    repeated headers joined by commas, names with underscores dropped (spoofing)."""
    meta: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers") or []:
        name = raw_name.decode("latin-1")
        if "_" in name:
            continue
        key = "HTTP_" + name.upper().replace("-", "_")
        value = raw_value.decode("latin-1")
        meta[key] = f"{meta[key]},{value}" if key in meta else value
    return meta


def _scheme(scope, meta: dict[str, str]) -> str:
    """``http`` or ``https``, as ``HttpRequest.scheme``: the connection's own (``wss`` is
    ``https``) unless SECURE_PROXY_SSL_HEADER is set and present."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = meta.get(header)
        if value is not None:
            return "https" if value.split(",", 1)[0].strip() == secure_value else "http"
    return "https" if scope.get("scheme") == "wss" else "http"


def _host(scope, meta: dict[str, str], scheme: str) -> str | None:
    """The request's host as ``HttpRequest.get_host``, or None when ALLOWED_HOSTS refuses it."""
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in meta:
        host = meta["HTTP_X_FORWARDED_HOST"]
    elif "HTTP_HOST" in meta:
        host = meta["HTTP_HOST"]
    else:
        name, port = scope.get("server") or ("unknown", 0)
        if settings.USE_X_FORWARDED_PORT and "HTTP_X_FORWARDED_PORT" in meta:
            port = meta["HTTP_X_FORWARDED_PORT"]
        host = name if str(port) == ("443" if scheme == "https" else "80") else f"{name}:{port}"
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    domain, _ = split_domain_port(host)
    return host if domain and validate_host(domain, allowed) else None


def origin_allowed(scope) -> bool:
    """True when the Origin is the connection's own scheme and allowed host, or one of
    CSRF_TRUSTED_ORIGINS (``https://*.example.org`` for subdomains): the rule Django
    applies to a POST with the session cookie."""
    meta = _meta(scope)
    origin = meta.get("HTTP_ORIGIN")
    if not origin:
        return False
    scheme = _scheme(scope, meta)
    host = _host(scope, meta, scheme)
    if host is not None and origin == f"{scheme}://{host}":
        return True
    trusted = settings.CSRF_TRUSTED_ORIGINS
    if origin in {o for o in trusted if "*" not in o}:
        return True
    try:
        parsed = urlsplit(origin)
    except ValueError:
        return False
    return any(
        allowed.scheme == parsed.scheme
        and is_same_domain(parsed.netloc, allowed.netloc.lstrip("*"))
        for allowed in (urlsplit(o) for o in trusted if "*" in o)
    )


# -- credentials --------------------------------------------------------------------


def _session_user(session_key: str):
    """The active user logged in with this session, read afresh, or None (logged out,
    session expired or invalidated by a password change, user deactivated)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user = session_get_user(SimpleNamespace(session=store))
    if user.is_authenticated and user.is_active:
        return user
    return None


def _credentials_user(credentials: tuple[str, str], *, first: bool = False):
    """The user the credentials still stand for, or None; `first`: at connection_init."""
    kind, key = credentials
    if kind == "token":
        return api_token_user(digest=key, record_use=first)
    return _session_user(key)


class TooManyOperations(CodedGraphQLError):
    def __init__(self, limit: int):
        super().__init__(
            f"At most {limit} operations may run at once on one connection.",
            "TOO_MANY_OPERATIONS",
        )


def _bad_request(message: str) -> CodedGraphQLError:
    return CodedGraphQLError(message, "BAD_REQUEST")


class GraphQLWSConsumer(AsyncWebsocketConsumer):
    groups = []

    async def connect(self):
        self.user = None
        self.credentials: tuple[str, str] | None = None
        self.acknowledged = False
        self.closing = False
        self.operations: dict[str, asyncio.Task] = {}
        self.listeners: dict[str, set[asyncio.Queue]] = {}
        self.live: set = set()  # this connection's fanout.LiveSubscription
        self.reauth_task: asyncio.Task | None = None
        if SUBPROTOCOL not in self.scope.get("subprotocols", []):
            await self.close()
            return
        await self.accept(SUBPROTOCOL)
        self.init_timer = asyncio.get_running_loop().call_later(
            settings.GRAPHQL_WS_INIT_TIMEOUT, self._init_timed_out
        )

    def _init_timed_out(self):
        if not self.acknowledged and not self.closing:
            asyncio.ensure_future(self._end(INIT_TIMEOUT))

    def _stop(self) -> None:
        """Stop everything this connection runs: timers, re-checks, operations."""
        if hasattr(self, "init_timer"):
            self.init_timer.cancel()
        tasks = [*getattr(self, "operations", {}).values(), getattr(self, "reauth_task", None)]
        for task in tasks:
            if task is not None and task is not asyncio.current_task():
                task.cancel()

    async def _end(self, code: int) -> None:
        """Close the socket; nothing more is run or sent for it."""
        if self.closing:
            return
        self.closing = True
        self._stop()
        await self.close(code=code)

    async def disconnect(self, code):
        self.closing = True
        self._stop()
        if getattr(self, "user", None) is not None:
            await self.channel_layer.group_discard(
                events.user_group(self.user.pk), self.channel_name
            )
        for group, queues in list(getattr(self, "listeners", {}).items()):
            for queue in list(queues):
                await self.unlisten(group, queue)

    # -- the protocol ---------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if self.closing:
            return
        try:  # (RecursionError: JSON nested deeper than Python's stack)
            message = json.loads(text_data or "")
        except (ValueError, TypeError, RecursionError):
            message = None
        kind = message.get("type") if isinstance(message, dict) else None
        handler = (
            {
                "connection_init": self._on_init,
                "ping": self._on_ping,
                "pong": self._on_pong,
                "subscribe": self._on_subscribe,
                "complete": self._on_complete,
            }.get(kind)
            if isinstance(kind, str)
            else None
        )
        if handler is None:
            await self._end(BAD_REQUEST)
            return
        await handler(message)

    async def _send(self, message: dict) -> None:
        if not self.closing:
            await self.send(text_data=json.dumps(message))

    async def _send_text(self, text: str) -> None:
        if not self.closing:
            await self.send(text_data=text)

    async def _on_init(self, message):
        if self.user is not None:
            await self._end(TOO_MANY_INITS)
            return
        payload = message.get("payload") or {}
        credentials = self._credentials(payload if isinstance(payload, dict) else {})
        user = None
        if credentials is not None:
            user = await in_thread_pool(_credentials_user)(credentials, first=True)
        if user is None:
            await self._end(FORBIDDEN)
            return
        if self.closing:
            return
        self.user, self.credentials = user, credentials
        await self.channel_layer.group_add(events.user_group(user.pk), self.channel_name)
        self.acknowledged = True
        self.init_timer.cancel()
        self.reauth_task = asyncio.ensure_future(self._reauthenticate_periodically())
        await self._send({"type": "connection_ack"})

    def _credentials(self, payload: dict) -> tuple[str, str] | None:
        """("token", digest) for a bearer token, ("session", key) for the session cookie
        of an allowed origin, else None."""
        header = payload.get("authorization") or payload.get("Authorization") or ""
        if header:
            scheme, _, raw = str(header).partition(" ")
            if scheme.lower() != "bearer" or not raw.strip():
                return None
            return ("token", ApiToken.digest_of(raw.strip()))
        session = self.scope.get("session")
        session_key = getattr(session, "session_key", None) if session is not None else None
        if session_key and origin_allowed(self.scope):
            return ("session", session_key)
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
            await self._end(UNAUTHORISED)
            return
        op_id, payload = message.get("id"), message.get("payload")
        if (
            not isinstance(op_id, str)
            or not op_id
            or not isinstance(payload, dict)
            or not isinstance(payload.get("query"), str)
        ):
            await self._end(BAD_REQUEST)
            return
        if op_id in self.operations:
            await self._end(SUBSCRIBER_EXISTS)
            return
        if len(self.operations) >= settings.GRAPHQL_WS_MAX_OPERATIONS:
            await self._errors(op_id, [TooManyOperations(settings.GRAPHQL_WS_MAX_OPERATIONS)])
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
            if self.operations.get(op_id) is asyncio.current_task():
                del self.operations[op_id]

    async def _execute_operation(self, op_id: str, payload: dict) -> None:
        try:  # the same checks as over HTTP, with the same codes
            prepared = prepare(
                payload["query"],
                payload.get("variables"),
                payload.get("operationName"),
                user=self.user,
                extensions=payload.get("extensions"),
            )
        except RequestError as refusal:
            await self._send({"type": "error", "id": op_id, "payload": refusal.errors})
            return
        except GraphQLError as error:  # a rule that raises: @skip($var) on a root field
            error.extensions = {"code": "GRAPHQL_VALIDATION_FAILED"}
            await self._errors(op_id, [error])
            return
        document, operation = prepared.document, prepared.operation
        variables, operation_name = prepared.variables, prepared.operation_name

        if operation.operation != OperationType.SUBSCRIPTION:
            result = await self._execute(document, None, variables, operation_name)
            await self._send({"type": "next", "id": op_id, "payload": self._format(result)})
            await self._send({"type": "complete", "id": op_id})
            return

        field, errors = _subscription_root_field(document, operation, variables)
        if not errors:
            try:
                check_root_field("Subscription", field, self.user)
            except GraphQLError as error:
                errors = [error]
        if errors:
            await self._errors(op_id, errors)
            return
        request = SubscriptionRequest(payload["query"], document, variables, operation_name)
        stream = await create_source_event_stream(
            schema.graphql_schema,
            document,
            context_value=WsContext(self, request),
            variable_values=variables,
            operation_name=operation_name,
        )
        if isinstance(stream, ExecutionResult):
            await self._errors(op_id, stream.errors or [])
            return
        try:
            async for event in stream:
                if isinstance(event, Delivery):  # made once by the hub, for all who share it
                    await self._send_text(event.text(op_id))
                    continue
                result = await self._execute(document, event, variables, operation_name)
                if result.errors is None and not any((result.data or {}).values()):
                    continue  # nothing this user may see
                await self._send({"type": "next", "id": op_id, "payload": self._format(result)})
        except GraphQLError as error:  # the stream ended itself: e.g. access lost
            await self._errors(op_id, [error])
            return
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

        return await in_thread_pool(run)()

    async def _errors(self, op_id: str, errors) -> None:
        await self._send(
            {"type": "error", "id": op_id, "payload": [format_error(e) for e in errors]}
        )

    @staticmethod
    def _format(result: ExecutionResult) -> dict:
        return format_result(result)

    # -- staying authenticated ------------------------------------------------------

    async def _reauthenticate_periodically(self) -> None:
        """Re-check the credentials every GRAPHQL_WS_REAUTH_INTERVAL seconds (0: never)
        and renew the connection's groups at least every quarter of their expiry."""
        reauth = settings.GRAPHQL_WS_REAUTH_INTERVAL
        renew = getattr(self.channel_layer, "group_expiry", 86400) / 4
        interval = min(reauth, renew) if reauth > 0 else renew
        while not self.closing:
            await asyncio.sleep(interval)
            try:
                if reauth > 0:
                    await self._reauthenticate(changed=False)
                await self._renew_groups()
            except asyncio.CancelledError:
                raise
            except Exception:  # e.g. the database or Redis briefly away: try again next time
                logger.warning("Could not re-authenticate a websocket", exc_info=True)

    async def _renew_groups(self) -> None:
        """Join this connection's own groups again (the user's, and those it listens to
        that the hub does not follow for it): memberships expire after the channel
        layer's group_expiry and are lost with a restarted Redis."""
        if self.closing or self.user is None:
            return
        groups = [events.user_group(self.user.pk)]
        groups += [g for g in self.listeners if events.operation_of_group(g) is None]
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)

    async def _reauthenticate(self, *, changed: bool) -> None:
        """Close with 4403 unless the credentials still hold; otherwise take the fresh
        user, and let the live subscriptions re-check their access when it `changed`
        (an ACCESS_CHANGED event) or the user's agency did."""
        if self.closing or self.credentials is None:
            return
        user = await in_thread_pool(_credentials_user)(self.credentials)
        if user is None or user.pk != self.user.pk:
            await self._end(FORBIDDEN)
            return
        changed = changed or user.agency_id != self.user.agency_id
        self.user = user
        if changed:
            queues = {queue for group in self.listeners.values() for queue in group}
            for queue in queues:
                queue.put_nowait({"type": "live.event", "kind": events.ACCESS_CHANGED})
            for subscription in list(self.live):
                subscription.access_changed()

    # -- live events ----------------------------------------------------------------

    async def listen(self, group: str, queue: asyncio.Queue | None = None) -> asyncio.Queue:
        """A queue of the events of a channel-layer group (see operations.events); pass
        `queue` to receive several groups' events in one queue. An operation's group is
        followed by the process's hub, which passes its events on; others are joined by
        this connection."""
        queue = queue if queue is not None else asyncio.Queue()
        operation_pk = events.operation_of_group(group)
        if operation_pk is not None:
            await fanout_hub().listen(group, queue)
        elif group not in self.listeners:
            await self.channel_layer.group_add(group, self.channel_name)
        self.listeners.setdefault(group, set()).add(queue)
        return queue

    async def unlisten(self, group: str, queue: asyncio.Queue) -> None:
        queues = self.listeners.get(group)
        if queues is None or queue not in queues:
            return
        queues.discard(queue)
        if not queues:
            del self.listeners[group]
        if events.operation_of_group(group) is not None:
            fanout_hub().unlisten(group, queue)
        elif not queues:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def live_event(self, message):
        if self.user is not None and message["group"] == events.user_group(self.user.pk):
            if message["kind"] == events.ACCESS_CHANGED:
                await self._reauthenticate(changed=True)
            return
        for queue in self.listeners.get(message["group"], ()):
            queue.put_nowait(message)


def _subscription_root_field(document, operation, variables: dict) -> tuple[str, list]:
    """The name of the one root field a subscription selects, found as graphql-core's
    executor finds it (through fragments, with @skip and @include applied), or errors."""
    graphql_schema = schema.graphql_schema
    coerced = get_variable_values(graphql_schema, operation.variable_definitions or (), variables)
    if isinstance(coerced, list):
        return "", coerced
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    fields = collect_fields(
        graphql_schema,
        fragments,
        coerced,
        graphql_schema.subscription_type,
        operation.selection_set,
    )
    if len(fields) != 1:
        return "", [_bad_request("A subscription must select exactly one root field.")]
    (field_nodes,) = fields.values()
    return field_nodes[0].name.value, []
