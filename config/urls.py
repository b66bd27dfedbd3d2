from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from frontend import views as frontend_views
from graphql_api.views import JointOpsGraphQLView

urlpatterns = [
    path("", frontend_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("graphql/", JointOpsGraphQLView.as_view(graphiql=True), name="graphql"),
    path("healthz", frontend_views.healthz, name="healthz"),
]
