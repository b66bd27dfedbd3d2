from django.http import JsonResponse

from agencies import services


class BearerTokenMiddleware:
    """`Authorization: Bearer <token>` authenticates an API client.

    Placed after AuthenticationMiddleware: a valid token replaces the session user and
    exempts the request from CSRF (no cookie is involved). An invalid or revoked token
    is refused outright rather than silently treated as anonymous.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if header:
            scheme, _, raw = header.partition(" ")
            if scheme.lower() != "bearer" or not raw.strip():
                return _unauthorised("Malformed Authorization header: use 'Bearer <token>'.")
            user = services.api_token_authenticate(raw=raw.strip())
            if user is None:
                return _unauthorised("Invalid or revoked API token.")
            request.user = user
            request._dont_enforce_csrf_checks = True
        return self.get_response(request)


def _unauthorised(message: str) -> JsonResponse:
    return JsonResponse(
        {"errors": [{"message": message, "extensions": {"code": "NOT_AUTHENTICATED"}}]},
        status=401,
        headers={"WWW-Authenticate": 'Bearer realm="jointops"'},
    )
