"""What the server answers when it fails: never a bare HTML 500 to an API client.

- An exhausted database pool (every connection busy for DATABASE_POOL_TIMEOUT seconds)
  is a 503 with `Retry-After`, code SERVICE_BUSY: the request may simply be sent again.
- Any other failure at /graphql/ is a JSON 500, code INTERNAL_ERROR (details are logged).
- Elsewhere, Django's own error page.
"""

import sys

from django.db import OperationalError
from django.http import JsonResponse
from django.views import defaults

RETRY_AFTER_SECONDS = 2


def is_service_busy(exc: BaseException | None) -> bool:
    """Whether `exc` is a wait for a pooled database connection that timed out."""
    from psycopg_pool import PoolTimeout

    while exc is not None:
        if isinstance(exc, PoolTimeout):
            return True
        if not isinstance(exc, OperationalError) and exc.__cause__ is None:
            return False
        exc = exc.__cause__
    return False


def busy_response() -> JsonResponse:
    return JsonResponse(
        {
            "errors": [
                {
                    "message": "The service is busy: send the request again in a moment.",
                    "extensions": {"code": "SERVICE_BUSY"},
                }
            ]
        },
        status=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def server_error(request):
    """handler500."""
    if is_service_busy(sys.exc_info()[1]):
        return busy_response()
    if request.path.startswith("/graphql/"):
        return JsonResponse(
            {
                "errors": [
                    {"message": "Internal server error.", "extensions": {"code": "INTERNAL_ERROR"}}
                ]
            },
            status=500,
        )
    return defaults.server_error(request)
