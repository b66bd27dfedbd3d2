"""Reports arriving at the same time: `hit_report` under concurrency.

The sequence of an operation is gap-free and follows commit order, and a client id makes
one hit however many copies of the report race. The tests with threads run on
PostgreSQL (each thread has its own connection; `transaction=True`, so what one commits
the others see); SQLite takes one writer at a time and is covered by the tests below them
that stage the same races one step at a time.
"""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from operations import hit_services, selectors
from operations.models import Hit, HitRevision, Operation
from tests.conftest import make_user, require_postgres
from tests.hits.conftest import report, seizure

REPORTERS = 4
REPORTS_EACH = 10


@pytest.fixture
def postgres(transactional_db):
    require_postgres()


@pytest.fixture
def reporters(officer, ng_officer, coordinator):
    """Four users of three agencies who may report into `active_operation`."""
    return [officer, ng_officer, coordinator, make_user("cr.officer.2", officer.agency)]


def in_threads(work, arguments: list) -> list:
    """`work(argument)` for each argument, all in threads released at once, each thread
    with its own database connection (closed at its end)."""
    start = threading.Barrier(len(arguments))

    def run(argument):
        try:
            start.wait()
            return work(argument)
        finally:
            connection.close()

    with ThreadPoolExecutor(len(arguments)) as pool:
        return list(pool.map(run, arguments))


def stored(operation) -> tuple[list[int], int, int, int]:
    """Sequences of the stored hits, revisions and audit events of reports, the counter."""
    operation.refresh_from_db()
    return (
        list(Hit.objects.filter(operation=operation).values_list("sequence", flat=True)),
        HitRevision.objects.filter(hit__operation=operation).count(),
        AuditEvent.objects.filter(operation=operation, action="hit.report").count(),
        operation.last_hit_sequence,
    )


# --- threads, PostgreSQL -------------------------------------------------------------------


def test_concurrent_reporters_get_every_sequence_number_once(postgres, active_operation, reporters):
    def report_all(user):
        return [report(user, active_operation).hit.sequence for _ in range(REPORTS_EACH)]

    given = in_threads(report_all, reporters)

    total = REPORTERS * REPORTS_EACH
    assert sorted(n for numbers in given for n in numbers) == list(range(1, total + 1))
    assert all(numbers == sorted(numbers) for numbers in given)
    assert stored(active_operation) == (list(range(1, total + 1)), total, total, total)


def test_a_reader_never_sees_a_number_appear_below_one_it_has_seen(
    postgres, active_operation, reporters
):
    # given a reader that follows the operation as a subscriber resumes: sequence > last
    seen: list[list[int]] = []
    done = threading.Event()

    def follow():
        last = 0
        try:
            while True:
                finished = done.is_set()
                batch = list(
                    Hit.objects.filter(operation=active_operation, sequence__gt=last)
                    .order_by("sequence")
                    .values_list("sequence", flat=True)
                )
                if batch:
                    seen.append(batch)
                    last = batch[-1]
                if finished:
                    return
        finally:
            connection.close()

    reader = threading.Thread(target=follow)
    reader.start()

    # when four reporters report at once
    try:
        in_threads(
            lambda user: [report(user, active_operation) for _ in range(REPORTS_EACH)], reporters
        )
    finally:
        done.set()
        reader.join()

    # then every read found the numbers right after the last one, none missing
    total = REPORTERS * REPORTS_EACH
    assert len(seen) > 1  # it did read while reports were committing
    for batch in seen:
        assert batch == list(range(batch[0], batch[0] + len(batch)))
    assert [n for batch in seen for n in batch] == list(range(1, total + 1))


def test_concurrent_copies_of_one_report_make_one_hit(postgres, active_operation, officer):
    for round in range(5):
        client_id, data = uuid.uuid4(), seizure(notes=f"round {round}")

        reports = in_threads(
            lambda _, client_id=client_id, data=data: hit_services.hit_report(
                actor=officer, operation=active_operation, client_id=client_id, data=data
            ),
            range(4),
        )

        assert sorted(r.created for r in reports) == [False, False, False, True]
        assert {r.hit.pk for r in reports} == {Hit.objects.get(client_id=client_id).pk}
    assert stored(active_operation) == ([1, 2, 3, 4, 5], 5, 5, 5)


def test_copies_with_different_content_make_one_hit_and_conflicts(
    postgres, active_operation, officer
):
    client_id = uuid.uuid4()

    def send(n):
        try:
            data = seizure(notes=f"version {n}")
            return hit_services.hit_report(
                actor=officer, operation=active_operation, client_id=client_id, data=data
            )
        except ValidationError as exc:
            return exc.error_dict["client_id"][0].code

    outcomes = in_threads(send, range(4))

    assert sorted(o if isinstance(o, str) else "created" for o in outcomes) == [
        "CLIENT_ID_CONFLICT",
        "CLIENT_ID_CONFLICT",
        "CLIENT_ID_CONFLICT",
        "created",
    ]
    assert stored(active_operation) == ([1], 1, 1, 1)


def test_the_operation_is_not_locked_while_a_report_is_checked(
    postgres, active_operation, officer, monkeypatch
):
    # given another connection that tries to lock the operation while the report is cleaned
    locked_by_other = []
    clean_hit = hit_services.clean_hit

    def try_to_lock():
        try:
            with transaction.atomic():
                Operation.objects.select_for_update(nowait=True).get(pk=active_operation.pk)
            locked_by_other.append(True)
        except DatabaseError:
            locked_by_other.append(False)
        finally:
            connection.close()

    def cleaning_while_another_locks(data, operation):
        other = threading.Thread(target=try_to_lock)
        other.start()
        other.join()
        return clean_hit(data, operation)

    monkeypatch.setattr(hit_services, "clean_hit", cleaning_while_another_locks)

    # when a report is checked
    result = report(officer, active_operation)

    # then the other connection could lock the operation meanwhile
    assert result.created and result.hit.sequence == 1
    assert locked_by_other == [True]


# --- the same races, staged: any database ------------------------------------------------


@pytest.fixture
def unseen_earlier_report(monkeypatch):
    """Reports that do not find an earlier report under their client id, as when two
    copies check at the same time before either has committed."""
    context = selectors.hit_report_context

    def without_earlier(user, operation_id, client_id, occurred_at):
        return context(user, operation_id, uuid.uuid4(), occurred_at)

    monkeypatch.setattr(selectors, "hit_report_context", without_earlier)


def test_a_copy_that_missed_the_first_is_answered_with_it(
    active_operation, officer, unseen_earlier_report
):
    client_id, data = uuid.uuid4(), seizure()
    first = hit_services.hit_report(
        actor=officer, operation=active_operation, client_id=client_id, data=data
    )

    copy = hit_services.hit_report(
        actor=officer, operation=active_operation, client_id=client_id, data=data
    )

    assert (first.created, copy.created) == (True, False)
    assert copy.hit.pk == first.hit.pk
    assert stored(active_operation) == ([1], 1, 1, 1)
    assert report(officer, active_operation).hit.sequence == 2  # its number was given back


def test_a_different_report_that_missed_the_first_is_a_conflict(
    active_operation, officer, unseen_earlier_report
):
    client_id = uuid.uuid4()
    hit_services.hit_report(
        actor=officer, operation=active_operation, client_id=client_id, data=seizure()
    )

    with pytest.raises(ValidationError) as refused:
        hit_services.hit_report(
            actor=officer,
            operation=active_operation,
            client_id=client_id,
            data=seizure(notes="other"),
        )

    assert [e.code for e in refused.value.error_dict["client_id"]] == ["CLIENT_ID_CONFLICT"]
    assert stored(active_operation) == ([1], 1, 1, 1)


def test_an_operation_closed_while_a_report_was_checked_takes_no_hit(
    active_operation, officer, monkeypatch, django_capture_on_commit_callbacks
):
    context = selectors.hit_report_context

    def closed_right_after(*args):
        found = context(*args)
        Operation.objects.filter(pk=active_operation.pk).update(status=Operation.Status.CLOSED)
        return found

    monkeypatch.setattr(selectors, "hit_report_context", closed_right_after)

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(ValidationError) as refused,
    ):
        report(officer, active_operation)

    assert [e.code for e in refused.value.error_dict["operation_id"]] == ["OPERATION_NOT_ACTIVE"]
    assert stored(active_operation) == ([], 0, 0, 0)
    assert callbacks == []
