from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from graphql_relay import from_global_id

from operations.error_codes import OperationErrorCode as Code

# The largest primary key a database holds (a signed 64-bit integer).
MAX_PK = 2**63 - 1


def decode_id(global_id: str, type_name: str, *, field: str, parse=int):
    """The primary key inside a global id of `type_name` (read by `parse`: int, or
    uuid.UUID), or an INVALID_ID error."""
    try:
        kind, pk = from_global_id(global_id)
        if kind != type_name:
            raise ValueError(kind)
        value = parse(pk)
        if isinstance(value, int) and not 0 < value <= MAX_PK:
            raise ValueError(value)
        return value
    except (TypeError, ValueError, UnicodeDecodeError, ValidationError) as exc:
        raise ValidationError(
            {field: ValidationError(f"Not a {type_name} id.", code=Code.INVALID_ID)}
        ) from exc


def get_by_global_id(global_id: str, type_name: str, queryset: QuerySet, *, field: str):
    """Fetch through a permission-aware `queryset`: hidden and missing look the same."""
    obj = queryset.filter(pk=decode_id(global_id, type_name, field=field)).first()
    if obj is None:
        raise ValidationError(
            {field: ValidationError(f"{type_name} not found.", code=Code.NOT_FOUND)}
        )
    return obj


def get_many_by_global_id(global_ids: list[str], type_name: str, queryset: QuerySet, *, field: str):
    pks = [decode_id(gid, type_name, field=field) for gid in global_ids]
    found = {obj.pk: obj for obj in queryset.filter(pk__in=pks)}
    missing = [pk for pk in pks if pk not in found]
    if missing:
        raise ValidationError(
            {
                field: ValidationError(
                    f"{len(missing)} {type_name}(s) not found.", code=Code.NOT_FOUND
                )
            }
        )
    return [found[pk] for pk in dict.fromkeys(pks)]
