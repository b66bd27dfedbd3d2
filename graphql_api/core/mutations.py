import graphene
from django.core.exceptions import ValidationError

from graphql_api.core.context import forget_permissions
from graphql_api.core.errors import Error, errors_from_validation_error


class BaseMutation(graphene.Mutation):
    """Parse, call one service, shape the payload; refusals become ``errors``.

    Subclasses implement ``perform(info, **arguments) -> dict`` of payload fields. Who may call
    the mutation is declared in `graphql_api.core.permissions.ROOT_FIELD_RULES`.
    """

    errors = graphene.List(graphene.NonNull(Error), required=True)

    class Meta:
        abstract = True

    @classmethod
    def perform(cls, info, **arguments) -> dict:
        raise NotImplementedError

    @classmethod
    def mutate(cls, root, info, **arguments):
        try:
            payload = cls.perform(info, **arguments)
        except ValidationError as exc:
            return cls(errors=errors_from_validation_error(exc))
        finally:
            forget_permissions(info.context)
        return cls(errors=[], **payload)
