import os

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import services_required
from tests.support.live import database_url


@pytest.fixture
def shared_services():
    """(DATABASE_URL, REDIS_URL) of the test database, for other processes to share."""
    on_postgres = connection.vendor == "postgresql"
    redis_url = os.environ.get("REDIS_URL", "")
    if not (on_postgres and redis_url):
        if services_required():
            pytest.fail("PostgreSQL and Redis are required in this run")
        pytest.skip("needs DATABASE_URL (PostgreSQL) and REDIS_URL: CI's second run has them")
    return database_url(settings.DATABASES["default"]), redis_url
