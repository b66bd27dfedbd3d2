"""Input scalars that refuse what no database or calendar holds.

graphene's DateTime reads any ISO 8601 text, so "9999-12-31T23:00-05:00" parses into a
time that overflows once turned to UTC, and "0001-01-01T06:00+00:00" into one that is
stored and then overflows in every zone west of UTC, in every reader: local times, the
calendar feeds, the analysis reports. :func:`harden` wraps the built schema's DateTime
so that a time outside the years :data:`FIRST_YEAR` to :data:`LAST_YEAR` (in UTC) is
refused like any malformed one (a variable: 400 VARIABLES_INVALID; a literal:
GRAPHQL_VALIDATION_FAILED), in the one schema that HTTP and websocket share. Planning,
reporting and filtering all happen well inside them.
"""

from datetime import UTC, datetime

from graphql import GraphQLError, GraphQLSchema

FIRST_YEAR, LAST_YEAR = 1900, 2199


def _in_range(parse):
    def parse_within_range(*args):
        value = parse(*args)
        if isinstance(value, datetime):
            try:
                year = (value.astimezone(UTC) if value.tzinfo is not None else value).year
            except OverflowError:
                year = None
            if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
                raise GraphQLError(
                    f"DateTime out of range: {value.isoformat()} is not between the years "
                    f"{FIRST_YEAR} and {LAST_YEAR} in UTC."
                )
        return value

    return parse_within_range


def harden(schema: GraphQLSchema) -> None:
    date_time = schema.type_map["DateTime"]
    date_time.parse_value = _in_range(date_time.parse_value)
    date_time.parse_literal = _in_range(date_time.parse_literal)
