"""Per-request memo of the viewer's operation permissions (two queries per request)."""

from operations.permissions import operation_permissions

_ATTR = "_jointops_operation_permissions"


def viewer_grants(request) -> dict[int, set[str]]:
    """The viewer's codenames by operation id, read once per request."""
    cache = getattr(request, _ATTR, None)
    if cache is None:
        cache = operation_permissions(request.user)
        setattr(request, _ATTR, cache)
    return cache


def viewer_permissions(request, operation_id: int) -> set[str]:
    return viewer_grants(request).get(operation_id, set())


def forget_permissions(request) -> None:
    """Called after each mutation: grants may have changed."""
    if hasattr(request, _ATTR):
        delattr(request, _ATTR)
