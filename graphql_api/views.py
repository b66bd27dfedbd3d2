import logging

from django.conf import settings
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from graphene.validation import depth_limit_validator
from graphene_django.views import GraphQLView
from graphql import GraphQLError, specified_rules

logger = logging.getLogger("jointops.graphql")


def validation_rules() -> tuple:
    """The GraphQL spec's rules plus ours, for HTTP and websocket alike."""
    return (*specified_rules, depth_limit_validator(max_depth=settings.GRAPHQL_MAX_QUERY_DEPTH))


def format_error(error) -> dict:
    """GraphQL errors as written for clients; anything else is logged and masked."""
    original = getattr(error, "original_error", None)
    if isinstance(error, GraphQLError) and (original is None or isinstance(original, GraphQLError)):
        formatted = error.formatted
        if isinstance(original, GraphQLError) and original.extensions:
            formatted["extensions"] = original.extensions
        return formatted
    logger.error("Internal error in GraphQL request", exc_info=original or error)
    formatted = {"message": "Internal server error.", "extensions": {"code": "INTERNAL_ERROR"}}
    if isinstance(error, GraphQLError) and error.path:
        formatted["path"] = error.path
    return formatted


@method_decorator(ensure_csrf_cookie, name="dispatch")
class JointOpsGraphQLView(GraphQLView):
    """GraphQL over HTTP: session (with CSRF) or bearer token (see agencies.middleware)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validation_rules", validation_rules())
        super().__init__(*args, **kwargs)

    @staticmethod
    def format_error(error):
        return format_error(error)
