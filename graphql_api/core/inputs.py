"""Input objects distinguish "not given" from an explicit null."""

from graphene.types.inputobjecttype import set_input_object_type_default_value
from graphql import Undefined

set_input_object_type_default_value(Undefined)


def plain(value):
    """GraphQL input as plain Python: dicts of the fields the client actually sent
    (snake_case, explicit nulls included), lists, and enum values instead of members."""
    if isinstance(value, dict):  # dict.items: an input field may be called `items`
        return {k: plain(v) for k, v in dict.items(value) if v is not Undefined}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return getattr(value, "value", value)
