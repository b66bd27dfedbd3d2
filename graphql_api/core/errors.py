"""Expected failures travel in mutation payloads as ``errors { field code message }``.

Services raise Django ``ValidationError`` with codes from their app's ``error_codes``;
:func:`errors_from_validation_error` turns them into payload errors. Top-level GraphQL
errors (:class:`CodedGraphQLError`) are kept for "not authenticated" and malformed
requests (bad ids in queries, oversized pages).
"""

import graphene
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from graphene.utils.str_converters import to_camel_case
from graphql import GraphQLError

from agencies.error_codes import AgencyErrorCode
from network_analysis.error_codes import AnalysisErrorCode
from operations.error_codes import OperationErrorCode
from timeline.error_codes import TimeWindowErrorCode

DOMAIN_CODES = (AgencyErrorCode, OperationErrorCode, TimeWindowErrorCode, AnalysisErrorCode)
# Django's own validation codes, folded into ours.
DJANGO_CODES = {
    "required": "REQUIRED",
    "blank": "REQUIRED",
    "null": "REQUIRED",
    "unique": "UNIQUE",
    "unique_together": "UNIQUE",
    "max_length": "TOO_LONG",
}

ErrorCode = graphene.Enum(
    "ErrorCode",
    [
        (code, code)
        for code in sorted({c.value for enum in DOMAIN_CODES for c in enum} | {"INVALID"})
    ],
    description="Why an input was refused.",
)
_KNOWN = {member.value for member in ErrorCode._meta.enum}


class Error(graphene.ObjectType):
    field = graphene.String(
        description="The input field at fault (camelCase); null for the whole input."
    )
    code = graphene.Field(ErrorCode, required=True)
    message = graphene.String(required=True)


def _code(error: ValidationError) -> str:
    code = str(error.code) if error.code else "INVALID"
    if code in _KNOWN:
        return code
    return DJANGO_CODES.get(code, "INVALID")


def errors_from_validation_error(exc: ValidationError) -> list[Error]:
    if hasattr(exc, "error_dict"):
        items = exc.error_dict.items()
    else:
        items = [(NON_FIELD_ERRORS, exc.error_list)]
    errors = []
    for field, field_errors in items:
        name = None if field == NON_FIELD_ERRORS else to_camel_case(field)
        for error in field_errors:
            message = error.message % error.params if error.params else error.message
            errors.append(Error(field=name, code=_code(error), message=str(message)))
    return errors


class CodedGraphQLError(GraphQLError):
    """A top-level error a client can act on, with ``extensions.code``."""

    def __init__(self, message: str, code: str):
        super().__init__(message, extensions={"code": code})


class NotAuthenticated(CodedGraphQLError):
    def __init__(self):
        super().__init__("Log in, or send 'Authorization: Bearer <token>'.", "NOT_AUTHENTICATED")
