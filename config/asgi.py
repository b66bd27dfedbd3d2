"""ASGI entry point: HTTP through Django, GraphQL websockets at /graphql/."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from graphql_api.consumer import GraphQLWSConsumer  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,  # static files too (WhiteNoise)
        # The consumer honours the session cookie only for an Origin in ALLOWED_HOSTS.
        "websocket": AuthMiddlewareStack(
            URLRouter([path("graphql/", GraphQLWSConsumer.as_asgi())])
        ),
    }
)
