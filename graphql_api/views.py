"""GraphQL over HTTP at /graphql/, and the GraphiQL page.

Follows the GraphQL-over-HTTP spec: GET (queries only) and POST with a JSON object;
answers `application/graphql-response+json` when the client accepts it, else
`application/json`. Statuses:

- 200: executed without errors (and, for `application/graphql-response+json`, any
  answer with data, as that media type requires);
- 400: the request or an argument is malformed (each with its code, see
  `graphql_api.core.requests` and the coded errors of the resolvers);
- 401: no credentials for what was asked (JSON, never Django's HTML CSRF page);
- 403: refused: a session request without its CSRF token, an undeclared root field,
  introspection turned off;
- 405 a mutation over GET or another method; 413 a body over GRAPHQL_MAX_BODY_BYTES;
  415 a body that is not JSON;
- 500: a bug of ours, logged, never with its details; 503 SERVICE_BUSY (with
  Retry-After) when no database connection came free in time (config/errors.py).
"""

import json
import logging

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import ensure_csrf_cookie
from graphql import GraphQLError, OperationType, execute

from config.errors import RETRY_AFTER_SECONDS, is_service_busy
from frontend import views as frontend_views
from graphql_api.core.permissions import RootFieldRuleMiddleware
from graphql_api.core.requests import (
    RequestError,
    audience_allows,
    not_authenticated,
    prepare,
)

logger = logging.getLogger("jointops.graphql")

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
# HTTP status of a top-level error code met during execution (others: 400).
STATUS_OF_CODE = {
    "NOT_AUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "INTERNAL_ERROR": 500,
    "SERVICE_BUSY": 503,
}

__all__ = ["GraphQLHTTPView", "csrf_failure", "format_error"]


def format_error(error) -> dict:
    """GraphQL errors as written for clients; anything else is logged and masked."""
    original = getattr(error, "original_error", None)
    if isinstance(error, GraphQLError) and (original is None or isinstance(original, GraphQLError)):
        formatted = error.formatted
        if isinstance(original, GraphQLError) and original.extensions:
            formatted["extensions"] = original.extensions
        return formatted
    if is_service_busy(original):
        logger.warning("GraphQL request found the database pool exhausted")
        return {
            "message": "The service is busy: send the request again in a moment.",
            "extensions": {"code": "SERVICE_BUSY"},
        }
    logger.error("Internal error in GraphQL request", exc_info=original or error)
    formatted = {"message": "Internal server error.", "extensions": {"code": "INTERNAL_ERROR"}}
    if isinstance(error, GraphQLError) and error.path:
        formatted["path"] = error.path
    return formatted


def _code(formatted: dict) -> str | None:
    return (formatted.get("extensions") or {}).get("code")


@method_decorator(ensure_csrf_cookie, name="dispatch")  # browsers read the token from it
class GraphQLHTTPView(View):
    http_method_names = ["get", "post"]

    def http_method_not_allowed(self, request, *args, **kwargs):
        return self._refusal(
            request,
            RequestError(
                405,
                "METHOD_NOT_ALLOWED",
                "Use GET for queries or POST.",
                headers={"Allow": "GET, POST"},
            ),
        )

    def get(self, request):
        if not request.GET and _wants_html(request):
            return self._graphiql(request)
        params = request.GET
        try:
            variables = _json_param(params.get("variables"), "variables")
            extensions = _json_param(params.get("extensions"), "extensions")
        except RequestError as error:
            return self._refusal(request, error)
        return self._answer(
            request, params.get("query"), variables, params.get("operationName"), extensions
        )

    def post(self, request):
        try:
            body = self._body(request)
        except RequestError as error:
            return self._refusal(request, error)
        return self._answer(
            request,
            body.get("query"),
            body.get("variables"),
            body.get("operationName"),
            body.get("extensions"),
        )

    # -- steps ------------------------------------------------------------------------

    def _body(self, request) -> dict:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > settings.GRAPHQL_MAX_BODY_BYTES:
            raise _too_large()
        media = (request.content_type or "").lower()
        if media not in (JSON, "application/graphql"):
            raise RequestError(
                415, "UNSUPPORTED_MEDIA_TYPE", "Send the request as application/json."
            )
        try:
            raw = request.body
        except RequestDataTooBig:
            raise _too_large() from None
        if len(raw) > settings.GRAPHQL_MAX_BODY_BYTES:
            raise _too_large()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise RequestError(400, "INVALID_JSON", "The body is not UTF-8.") from None
        if media == "application/graphql":
            return {"query": text}
        body = _loads(text, "The body")
        if isinstance(body, list):
            raise RequestError(
                400, "BATCH_NOT_SUPPORTED", "Send one operation per request, not a list."
            )
        if not isinstance(body, dict):
            raise RequestError(400, "BAD_REQUEST", "The body is a JSON object with `query`.")
        return body

    def _answer(self, request, query, variables, operation_name, extensions):
        try:
            prepared = prepare(
                query, variables, operation_name, user=request.user, extensions=extensions
            )
        except RequestError as error:
            return self._refusal(request, error)
        kind = prepared.operation.operation
        if kind == OperationType.SUBSCRIPTION:
            return self._refusal(
                request,
                RequestError(
                    400,
                    "SUBSCRIPTION_OVER_HTTP",
                    "Subscribe over websocket (graphql-transport-ws) at /graphql/.",
                ),
            )
        if kind == OperationType.MUTATION and request.method == "GET":
            return self._refusal(
                request,
                RequestError(
                    405,
                    "METHOD_NOT_ALLOWED",
                    "Send mutations with POST.",
                    headers={"Allow": "POST"},
                ),
            )
        result = execute(
            _schema().graphql_schema,
            prepared.document,
            context_value=request,
            variable_values=prepared.variables,
            operation_name=prepared.operation_name,
            middleware=[RootFieldRuleMiddleware()],
        )
        errors = [format_error(e) for e in result.errors or ()]
        if result.data is None and errors and not any("path" in e for e in errors):
            # Variables that do not fit their types: refused before any resolver ran.
            for error in errors:
                error.setdefault("extensions", {}).setdefault("code", "VARIABLES_INVALID")
            return self._json(request, {"errors": errors}, 400)
        body = {"data": result.data}
        if errors:
            body["errors"] = errors
        status = self._status(request, result.data, errors)
        response = self._json(request, body, status)
        if status == 503:
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @staticmethod
    def _status(request, data, errors: list[dict]) -> int:
        if not errors:
            return 200
        statuses = [STATUS_OF_CODE.get(_code(e), 400) for e in errors]
        if any(status >= 500 for status in statuses):
            return max(statuses)
        if data is not None and _media(request) == GRAPHQL_RESPONSE:
            return 200  # that media type answers 2xx whenever there is data
        return max(statuses)

    def _graphiql(self, request):
        if audience_allows(settings.GRAPHIQL, request.user):
            return frontend_views.graphiql(request)
        if not request.user.is_authenticated and settings.GRAPHIQL == "authenticated":
            return redirect_to_login(request.get_full_path())
        return self._refusal(
            request, RequestError(403, "GRAPHIQL_DISABLED", "GraphiQL is turned off here.")
        )

    def _refusal(self, request, error: RequestError):
        response = self._json(request, {"errors": error.errors}, error.status)
        for name, value in error.headers.items():
            response[name] = value
        return response

    @staticmethod
    def _json(request, body: dict, status: int) -> HttpResponse:
        return JsonResponse(body, status=status, content_type=_media(request))


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: JSON at the GraphQL endpoint, Django's page elsewhere."""
    if request.path != reverse("graphql"):
        return django_csrf_failure(request, reason=reason)
    if not request.user.is_authenticated:
        error = not_authenticated()
    else:
        error = RequestError(
            403,
            "CSRF_FAILED",
            "Send the X-CSRFToken header with the csrftoken cookie's value "
            "(or use a bearer token).",
        )
    return GraphQLHTTPView()._refusal(request, error)


def _schema():
    from graphql_api.schema import schema

    return schema


def _too_large() -> RequestError:
    limit = settings.GRAPHQL_MAX_BODY_BYTES
    return RequestError(413, "PAYLOAD_TOO_LARGE", f"The request is larger than {limit} bytes.")


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _loads(text: str, what: str):
    try:  # JSON has no NaN or Infinity, though Python's json module reads them
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):  # (nested deeper than Python's stack)
        raise RequestError(400, "INVALID_JSON", f"{what} is not valid JSON.") from None


def _json_param(value, name: str):
    if value is None or value == "":
        return None
    return _loads(value, f"`{name}`")


def _media(request) -> str:
    """The response's media type: JSON unless the client prefers the spec's own."""
    return request.get_preferred_type([JSON, GRAPHQL_RESPONSE]) or JSON


def _wants_html(request) -> bool:
    return request.get_preferred_type([JSON, "text/html"]) == "text/html"
