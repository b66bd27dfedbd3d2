"""A real server process on PostgreSQL holds at most its pool's connections, however many
requests come, one after another or all at once, and hands none over to the garbage
collector (before the pool, one client's sequential requests left 25 idle connections)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from agencies.services import api_token_create
from tests.support.live import Server, post_graphql

pytestmark = pytest.mark.django_db(transaction=True)

POOL = 3
QUERY = "query { operations(first: 20) { totalCount edges { node { code participations { state } } } } }"


def server_connections() -> int:
    """Connections to the test database other than this test's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_a_server_holds_at_most_its_pool_of_connections(shared_services, active_operation, officer):
    db_url, redis_url = shared_services
    token = api_token_create(user=officer)[1]
    others = server_connections()  # the test process's own, before the server starts
    counts = []

    with Server(
        database_url=db_url,
        redis_url=redis_url,
        channel_prefix="pool-test",
        settings={"DATABASE_POOL_MAX_SIZE": str(POOL), "DATABASE_POOL_MIN_SIZE": "1"},
    ) as server:
        for _ in range(40):  # one client, one request after another
            answer = post_graphql(server.url, token, QUERY, {})
            assert answer["data"]["operations"]["totalCount"] == 1
        counts.append(server_connections())
        with ThreadPoolExecutor(max_workers=30) as pool:  # many at once
            answers = list(
                pool.map(lambda _: post_graphql(server.url, token, QUERY, {}), range(120))
            )
            counts.append(server_connections())
        counts.append(server_connections())

    assert all("errors" not in a for a in answers)
    assert max(counts) - others <= POOL, (others, counts)
