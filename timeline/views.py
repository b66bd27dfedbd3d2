"""Calendar feeds: `?token=` (the owner's feed token, for calendar applications) or the
browser session. A feed shows what its owner may see at the moment it is fetched."""

import hashlib

from django.http import Http404, HttpResponse, HttpResponseForbidden, HttpResponseNotModified
from django.views.decorators.http import require_GET

from operations.selectors import operation_get_for_user
from timeline import selectors
from timeline.calendar import METHOD, render_calendar
from timeline.services import calendar_token_owner


def _viewer(request):
    token = request.GET.get("token")
    if token is not None:
        return calendar_token_owner(token)
    return request.user if request.user.is_authenticated else None


def _ics(request, content: bytes, filename: str) -> HttpResponse:
    etag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(
            content, content_type=f"text/calendar; charset=utf-8; method={METHOD}"
        )
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=300"
    return response


def _forbidden():
    return HttpResponseForbidden(
        "A valid calendar token or a login is needed.", content_type="text/plain"
    )


@require_GET
def operation_feed(request, pk: int):
    user = _viewer(request)
    if user is None:
        return _forbidden()
    operation = operation_get_for_user(user, pk)
    if operation is None:
        raise Http404("No such operation.")
    windows = selectors.calendar_windows_of_operation(user, operation)
    return _ics(
        request,
        render_calendar(f"{operation.code}: {operation.name}", windows),
        f"{operation.code}.ics",
    )


@require_GET
def my_feed(request):
    user = _viewer(request)
    if user is None:
        return _forbidden()
    return _ics(
        request,
        render_calendar(f"JointOps: {user}", selectors.calendar_windows_of_user(user)),
        "jointops.ics",
    )


@require_GET
def window_file(request, pk: int):
    """One phase or window as a file to attach to an e-mail."""
    user = _viewer(request)
    if user is None:
        return _forbidden()
    windows = selectors.calendar_windows_of_user_operations(user).filter(pk=pk)
    if not windows:
        raise Http404("No such time window.")
    return _ics(request, render_calendar("JointOps", windows, alarms=False), f"window-{pk}.ics")
