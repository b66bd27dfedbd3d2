"""Input scalars that refuse what no database or calendar holds.

graphene's DateTime reads any ISO 8601 text, so "9999-12-31T23:00-05:00" parses into a
time that overflows once turned to UTC. :func:`harden` wraps the built schema's DateTime
so that such a value is refused like any malformed one (a variable: 400
VARIABLES_INVALID; a literal: GRAPHQL_VALIDATION_FAILED), in the one schema that HTTP
and websocket share.
"""

from datetime import UTC, datetime

from graphql import GraphQLError, GraphQLSchema


def _in_utc_range(parse):
    def parse_within_range(*args):
        value = parse(*args)
        if isinstance(value, datetime) and value.tzinfo is not None:
            try:
                value.astimezone(UTC)
            except OverflowError:
                raise GraphQLError(
                    f"DateTime out of range: {value.isoformat()} has no UTC equivalent."
                ) from None
        return value

    return parse_within_range


def harden(schema: GraphQLSchema) -> None:
    date_time = schema.type_map["DateTime"]
    date_time.parse_value = _in_utc_range(date_time.parse_value)
    date_time.parse_literal = _in_utc_range(date_time.parse_literal)
