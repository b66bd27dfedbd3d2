from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from frontend import views as frontend_views
from graphql_api.views import GraphQLHTTPView
from network_analysis import views as analysis_views
from timeline import views as calendar_views

handler500 = "config.errors.server_error"

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("graphql/", GraphQLHTTPView.as_view(), name="graphql"),
    path("healthz", frontend_views.healthz, name="healthz"),
    path(
        "calendar/operations/<int:pk>.ics", calendar_views.operation_feed, name="calendar-operation"
    ),
    path("calendar/me.ics", calendar_views.my_feed, name="calendar-me"),
    path("calendar/windows/<int:pk>.ics", calendar_views.window_file, name="calendar-window"),
    path("analysis/runs/<uuid:pk>/report.<str:fmt>", analysis_views.report, name="analysis-report"),
    path("analysis/runs/<uuid:pk>/export.<str:fmt>", analysis_views.export, name="analysis-export"),
    # Every other path is a page of the web application (frontend/src/core/routes.tsx).
    re_path(
        r"^(?!static/|admin/|accounts/|graphql/|calendar/|analysis/|healthz)(?P<route>.*)$",
        frontend_views.app_shell,
        name="app",
    ),
]
