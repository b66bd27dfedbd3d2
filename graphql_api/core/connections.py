from datetime import datetime

import graphene
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from graphene_django.filter import DjangoFilterConnectionField
from graphql_relay import cursor_to_offset, offset_to_cursor

from graphql_api.core.errors import CodedGraphQLError


class CountableConnection(graphene.relay.Connection):
    class Meta:
        abstract = True

    total_count = graphene.Int(required=True, description="All matching items, across pages.")

    def resolve_total_count(root, info):
        return root.length


# Positions a cursor or an offset may name: a database's signed 32-bit range.
MAX_POSITION = 2**31 - 1


def check_page_arguments(args, *, max_position: int = MAX_POSITION) -> None:
    """Refuse, with a code, page sizes over the limit and cursors or offsets that name no
    position (garbage, negative, or past `max_position`)."""
    limit = settings.GRAPHENE["RELAY_CONNECTION_MAX_LIMIT"]
    for name in ("first", "last"):
        value = args.get(name)
        if value is not None and not 0 <= value <= limit:
            raise CodedGraphQLError(
                f"`{name}` must be between 0 and {limit}; page through larger results.",
                "PAGE_SIZE_INVALID",
            )
    offset = args.get("offset")
    if offset is not None:
        if args.get("before") is not None:
            raise CodedGraphQLError("Give `offset` or `before`, not both.", "INVALID_PAGINATION")
        if not 0 <= offset <= max_position:
            raise CodedGraphQLError(
                f"`offset` must be between 0 and {max_position}.", "INVALID_CURSOR"
            )
    for name in ("after", "before"):
        cursor = args.get(name)
        if cursor is None:
            continue
        position = cursor_to_offset(cursor) if isinstance(cursor, str) else None
        if position is None or not 0 <= position <= max_position:
            raise CodedGraphQLError(
                f"`{name}` is not a cursor of this list; use one it gave.", "INVALID_CURSOR"
            )


def refuse_naive_times(args: dict) -> None:
    """As in mutations: a filter's time without its UTC offset is ambiguous."""
    naive = [k for k, v in args.items() if isinstance(v, datetime) and timezone.is_naive(v)]
    if naive:
        raise CodedGraphQLError(f"Give {', '.join(naive)} with its UTC offset.", "INVALID_FILTER")


class LimitedConnectionField(DjangoFilterConnectionField):
    """A filterable connection whose page size is checked up front with a coded error."""

    @classmethod
    def connection_resolver(
        cls,
        resolver,
        connection,
        default_manager,
        queryset_resolver,
        max_limit,
        enforce_first_or_last,
        root,
        info,
        **args,
    ):
        check_page_arguments(args)
        refuse_naive_times(args)
        return super().connection_resolver(
            resolver,
            connection,
            default_manager,
            queryset_resolver,
            max_limit,
            enforce_first_or_last,
            root,
            info,
            **args,
        )

    @classmethod
    def resolve_queryset(cls, connection, iterable, info, args, filtering_args, filterset_class):
        try:
            return super().resolve_queryset(
                connection, iterable, info, args, filtering_args, filterset_class
            )
        except ValidationError as exc:
            raise CodedGraphQLError(
                f"Invalid filter: {'; '.join(exc.messages)}", "INVALID_FILTER"
            ) from exc


class ListConnectionField(graphene.relay.ConnectionField):
    """A connection over a list computed in full by its resolver (ranked results), paged
    like the model lists: `first`/`after`/`last`/`before` and `offset`, the largest page
    when no size is given, checked up front with coded errors. Use a
    :class:`CountableConnection` for `totalCount`."""

    def __init__(self, type_, *args, **kwargs):
        kwargs.setdefault("offset", graphene.Int(description="Items to skip (after `after`)."))
        super().__init__(type_, *args, **kwargs)

    @classmethod
    def resolve_connection(cls, connection_type, args, resolved):
        args = dict(args)
        offset = args.pop("offset", None)
        if offset:
            if args.get("after"):
                offset += cursor_to_offset(args["after"]) + 1
            args["after"] = offset_to_cursor(offset - 1)
        if args.get("first") is None and args.get("last") is None:
            args["first"] = settings.GRAPHENE["RELAY_CONNECTION_MAX_LIMIT"]
        connection = super().resolve_connection(connection_type, args, resolved)
        connection.length = len(resolved)
        return connection

    @classmethod
    def connection_resolver(cls, resolver, connection_type, root, info, **args):
        check_page_arguments(args)
        return super().connection_resolver(resolver, connection_type, root, info, **args)
