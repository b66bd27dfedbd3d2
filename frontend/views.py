"""The pages Django serves itself: the web application's shell (one view for every route
of the app, so that a reload anywhere works), GraphiQL, the sign-in pause, and the
health check. Everything else the browser does goes through the GraphQL API."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from frontend.assets import entry_assets


@never_cache
@ensure_csrf_cookie  # the app reads the CSRF token from this cookie
def app_shell(request, route: str = ""):
    return render(
        request, "frontend/app.html", {"title": "JointOps", "assets": entry_assets("app")}
    )


@never_cache
@ensure_csrf_cookie
def graphiql(request):
    return render(
        request,
        "frontend/app.html",
        {"title": "GraphiQL · JointOps", "assets": entry_assets("graphiql")},
    )


def healthz(request):
    """Liveness with a database round trip, for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def sign_in_paused(request, original_response=None, credentials=None):
    """django-axes' answer once sign-in is throttled: 429 and a page that says why."""
    return render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=429,
    )
