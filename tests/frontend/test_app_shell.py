"""Django serves the web application: one shell for every route of the app (so a reload
anywhere works), its bundle as static files, GraphiQL from the bundle."""

import re

import pytest
from django.test import Client

from frontend.assets import entry_assets


@pytest.mark.parametrize(
    "path", ["/", "/operations", "/operations/T3BlcmF0aW9uOjE=/plan", "/signin", "/no/such/page"]
)
def test_every_route_of_the_app_is_answered_with_the_shell(db, path):
    response = Client().get(path)

    assert response.status_code == 200
    assert b'<div id="root"></div>' in response.content
    assert "csrftoken" in response.cookies
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/graphql/", "/calendar/me.ics", "/healthz", "/admin/"])
def test_the_servers_own_paths_are_not_the_shell(db, path):
    response = Client().get(path)

    assert b'<div id="root"></div>' not in response.content


def test_the_shell_names_bundled_assets_that_are_served_with_a_long_cache(db):
    shell = Client().get("/operations").content.decode()
    assets = re.findall(r'(?:src|href)="(/static/frontend/app/assets/[^"]+)"', shell)

    assert assets
    for url in assets:
        response = Client().get(url)
        assert response.status_code == 200, url
        assert "immutable" in response["Cache-Control"]


def test_no_asset_comes_from_another_host(db):
    shell = Client().get("/operations").content.decode()

    assert not re.search(r'(?:src|href)="(?:https?:)?//', shell)


def test_graphiql_is_the_bundled_one(officer):
    client = Client()
    client.force_login(officer)

    page = client.get("/graphql/", headers={"Accept": "text/html"}).content.decode()

    assert entry_assets("graphiql").script in page
    assert "cdn" not in page.lower() and "unpkg" not in page.lower()


def test_the_bundle_is_sent_compressed_to_browsers_that_accept_it(db):
    script = entry_assets("app").script
    plain = b"".join(Client().get(script).streaming_content)

    gzipped = Client().get(script, headers={"Accept-Encoding": "gzip"})
    brotli = Client().get(script, headers={"Accept-Encoding": "br"})

    assert gzipped["Content-Encoding"] == "gzip" and brotli["Content-Encoding"] == "br"
    assert len(b"".join(brotli.streaming_content)) < len(plain) / 2


def test_no_source_maps_are_published(db):
    from frontend.assets import BUILD

    assert not list(BUILD.rglob("*.map"))
