"""Input objects distinguish "not given" from an explicit null."""

from graphene.types.inputobjecttype import set_input_object_type_default_value
from graphql import Undefined

set_input_object_type_default_value(Undefined)


def provided(data) -> dict:
    """The fields a client actually sent (snake_case), explicit nulls included."""
    return {key: value for key, value in dict(data).items() if value is not Undefined}
