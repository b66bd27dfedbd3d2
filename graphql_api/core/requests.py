"""From a client's request to a document ready to execute, for HTTP and websocket alike.

:func:`prepare` checks, in this order, and refuses with a :class:`RequestError` (a 4xx
status and a code) before anything executes:

1. the shape of the parameters: `query` a non-empty string, `variables` an object,
   `operationName` a string; a persisted-query request without its query is answered
   `PersistedQueryNotSupported`, so Apollo's link retries with the query;
2. no NUL character (NUL_CHARACTER) and no lone surrogate (INVALID_CHARACTER) anywhere:
   no database stores them in text; no text over
   :data:`MAX_INPUT_TEXT` characters and no list over :data:`MAX_INPUT_LIST` items, in
   the variables or in the document's literals, and no variables nested over
   :data:`MAX_INPUT_DEPTH` deep (INPUT_TOO_LARGE): a net under the
   domain's own, smaller limits (e.g. `operations.hit_services.MAX_PER_REPORT`);
3. the syntax (GRAPHQL_PARSE_FAILED), the spec's validation rules
   (GRAPHQL_VALIDATION_FAILED), then our limits, which depend on the variables (the
   limit's own code: see `graphql_api.core.limits`);
4. the operation to run (OPERATION_NOT_FOUND when ambiguous or unknown);
5. who may ask: anonymous callers reach only the public root fields (else 401
   NOT_AUTHENTICATED), and introspection only as `GRAPHQL_INTROSPECTION` allows.

Clients send the same few documents again and again, and steps 2 and 3 on the
document's text cost milliseconds (the web application's documents: 2-6 ms, mostly
the spec's rules), so a document and what the spec's rules found are kept by its text
(:func:`_checked_document`, at most :data:`DOCUMENT_CACHE_SIZE` documents of up to
:data:`CACHED_DOCUMENT_CHARS` characters); the limits and the access are checked on
every request.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from graphql import (
    DocumentNode,
    GraphQLError,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    StringValueNode,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
    visit,
)
from graphql.language import Visitor

from graphql_api.core.limits import limits_rule, root_field_names
from graphql_api.core.permissions import ROOT_FIELD_RULES, Rule

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
# The longest text and the longest list any input may hold, and the deepest nesting of
# lists and objects in the variables (the schema's own inputs nest a few levels).
MAX_INPUT_TEXT = 10_000
MAX_INPUT_LIST = 100
MAX_INPUT_DEPTH = 32
# Half of a UTF-16 pair on its own: JSON may spell one (\ud800), no database stores it.
_SURROGATE = re.compile("[\ud800-\udfff]")
# Checked documents kept per process, and the longest text kept (a document's syntax
# tree takes about 60 bytes per character: at most about 50 MB in all).
DOCUMENT_CACHE_SIZE = 200
CACHED_DOCUMENT_CHARS = 4_000
# Validation errors reported at most.
MAX_ERRORS = 20


class RequestError(Exception):
    """A request refused before execution: HTTP `status`, and GraphQL-shaped errors."""

    def __init__(self, status: int, code: str, message: str, *, errors=None, headers=None):
        super().__init__(message)
        self.status = status
        self.errors = errors or [{"message": message, "extensions": {"code": code}}]
        self.headers = headers or {}


def not_authenticated(message="Log in, or send 'Authorization: Bearer <token>'.") -> RequestError:
    return RequestError(
        401,
        "NOT_AUTHENTICATED",
        message,
        headers={"WWW-Authenticate": 'Bearer realm="jointops"'},
    )


@dataclass
class Prepared:
    document: DocumentNode
    operation: OperationDefinitionNode
    variables: dict
    operation_name: str | None


def prepare(query, variables, operation_name, *, user, extensions=None) -> Prepared:
    """Check a request's parameters and document; see the module's docstring."""
    if query is None or query == "":
        if isinstance(extensions, dict) and "persistedQuery" in extensions:
            raise RequestError(400, "PERSISTED_QUERY_NOT_SUPPORTED", "PersistedQueryNotSupported")
        raise RequestError(400, "QUERY_MISSING", "Give the GraphQL document in `query`.")
    if not isinstance(query, str):
        raise RequestError(400, "BAD_REQUEST", "`query` is a string.")
    if variables is None:
        variables = {}
    if not isinstance(variables, dict):
        raise RequestError(400, "VARIABLES_INVALID", "`variables` is a JSON object.")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestError(400, "BAD_REQUEST", "`operationName` is a string.")
    _check_characters(query, "The document")
    _check_input(variables, "$")
    check = _cached_document if len(query) <= CACHED_DOCUMENT_CHARS else _checked_document
    document, errors = check(query)
    if errors := [*errors, *_validate(document, (limits_rule(variables),))]:
        raise RequestError(
            400,
            "GRAPHQL_VALIDATION_FAILED",
            errors[0].message,
            errors=[_coded(e, "GRAPHQL_VALIDATION_FAILED") for e in errors[:MAX_ERRORS]],
        )
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        message = (
            f"No operation named {operation_name!r} in the document."
            if operation_name
            else "The document has several operations: give `operationName`."
        )
        raise RequestError(400, "OPERATION_NOT_FOUND", message)
    _check_access(document, operation, user)
    return Prepared(document, operation, variables, operation_name)


def _checked_document(query: str) -> tuple[DocumentNode, tuple[GraphQLError, ...]]:
    """The document of `query` and what the spec's validation rules find wrong with it,
    after the checks that refuse it outright: syntax and literals."""
    try:
        document = parse(query)
    except GraphQLError as error:
        raise RequestError(
            400,
            "GRAPHQL_PARSE_FAILED",
            error.message,
            errors=[_coded(error, "GRAPHQL_PARSE_FAILED")],
        ) from None
    visit(document, _LiteralChecker())
    return document, tuple(_validate(document, specified_rules))


# A refusal raises, and lru_cache keeps no exception; graphql-core never changes a
# document it executes, so one is shared by every request that sends its text.
_cached_document = lru_cache(maxsize=DOCUMENT_CACHE_SIZE)(_checked_document)


def _validate(document: DocumentNode, rules) -> list[GraphQLError]:
    try:
        return validate(_graphql_schema(), document, rules, max_errors=MAX_ERRORS)
    except GraphQLError as error:  # a rule that raises (subscriptions: @skip on the root field)
        return [error]


def _graphql_schema():
    from graphql_api.schema import schema  # the schema imports the domain packages

    return schema.graphql_schema


def _check_access(document, operation, user) -> None:
    names = set(root_field_names(document, operation))
    anonymous = not getattr(user, "is_authenticated", False)
    if INTROSPECTION_FIELDS & names and not audience_allows(settings.GRAPHQL_INTROSPECTION, user):
        if anonymous and settings.GRAPHQL_INTROSPECTION == "authenticated":
            raise not_authenticated("Log in to introspect the schema.")
        raise RequestError(403, "INTROSPECTION_DISABLED", "Introspection is turned off here.")
    if anonymous:
        parent = operation.operation.value.capitalize()
        public = {
            field
            for (kind, field), rule in ROOT_FIELD_RULES.items()
            if kind == parent and rule is Rule.PUBLIC
        }
        if names - public - INTROSPECTION_FIELDS - {"__typename"}:
            raise not_authenticated()


def audience_allows(audience: str, user) -> bool:
    """Whether `user` belongs to an audience setting (anyone, authenticated, nobody)."""
    if audience == "anyone":
        return True
    return audience == "authenticated" and getattr(user, "is_authenticated", False)


def is_subscription(prepared: Prepared) -> bool:
    return prepared.operation.operation == OperationType.SUBSCRIPTION


def _coded(error: GraphQLError, code: str) -> dict:
    formatted = error.formatted
    formatted["extensions"] = {"code": (error.extensions or {}).get("code", code)}
    return formatted


def _check_characters(text: str, path: str) -> None:
    if "\x00" in text:
        raise RequestError(400, "NUL_CHARACTER", f"{path}: the NUL character is not text.")
    if not text.isascii() and _SURROGATE.search(text):
        raise RequestError(
            400, "INVALID_CHARACTER", f"{path}: a lone surrogate (U+D800 to U+DFFF) is not text."
        )


def _check_input(value, path: str, depth: int = 0) -> None:
    """Refuse NUL characters, and texts, lists and nesting beyond the input limits."""
    if depth > MAX_INPUT_DEPTH:
        raise RequestError(
            400, "INPUT_TOO_LARGE", f"{path}: nested more than {MAX_INPUT_DEPTH} deep."
        )
    if isinstance(value, str):
        _check_characters(value, path)
        if len(value) > MAX_INPUT_TEXT:
            raise RequestError(
                400, "INPUT_TOO_LARGE", f"{path}: at most {MAX_INPUT_TEXT} characters."
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_input(key, path, depth)
            _check_input(item, f"{path}.{key}" if path != "$" else f"${key}", depth + 1)
    elif isinstance(value, list):
        if len(value) > MAX_INPUT_LIST:
            raise RequestError(400, "INPUT_TOO_LARGE", f"{path}: at most {MAX_INPUT_LIST} items.")
        for index, item in enumerate(value):
            _check_input(item, f"{path}.{index}", depth + 1)


class _LiteralChecker(Visitor):
    """The same limits on the document's literals (a string may spell NUL as \\u0000)."""

    def enter_string_value(self, node: StringValueNode, *_):
        _check_input(node.value, "A string literal")

    def enter_list_value(self, node: ListValueNode, *_):
        if len(node.values) > MAX_INPUT_LIST:
            raise RequestError(
                400, "INPUT_TOO_LARGE", f"A list literal: at most {MAX_INPUT_LIST} items."
            )
