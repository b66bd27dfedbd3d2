"""Two creations of one operation code at the same time (PostgreSQL: one connection per
thread; SQLite takes one writer at a time)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from operations import services
from operations.models import Operation
from tests.conftest import END, START, require_postgres


@pytest.mark.django_db(transaction=True)
def test_one_code_created_twice_at_once_makes_one_operation(coordinator, monkeypatch):
    require_postgres()
    checked, saved = threading.Event(), services._save

    def save_after_a_pause(instance, **kwargs):
        # the first creation waits here, its code checked and not yet saved
        if isinstance(instance, Operation) and not checked.is_set():
            checked.set()
            threading.Event().wait(2)
        return saved(instance, **kwargs)

    monkeypatch.setattr(services, "_save", save_after_a_pause)

    def create(_) -> str:
        try:
            services.operation_create(
                actor=coordinator,
                code="DUP-OP",
                name="Twice",
                focus="drugs",
                planned_start=START,
                planned_end=END,
            )
            return "created"
        except ValidationError as error:
            return error.error_dict["code"][0].code
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(create, 1)
        assert checked.wait(10)
        second = pool.submit(create, 2)
        answers = sorted([first.result(), second.result()])

    assert answers == ["UNIQUE", "created"]
    assert Operation.objects.filter(code="DUP-OP").count() == 1
