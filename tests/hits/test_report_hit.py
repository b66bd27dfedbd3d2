"""Reporting a hit: the `reportHit` mutation and `operations.hit_services.hit_report`.

Who may report, when (operation state, participant's windows, late reports), what is
validated (items, units, quantities, HS codes), idempotency by `clientId`, that a refusal
writes nothing, deconfliction hints and the number of queries a list of hits costs.
"""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from graphql_relay import from_global_id, to_global_id

from audit.models import AuditEvent
from operations import events, hit_services, services
from operations.hit_services import LATEST_CANDIDATES, MAX_MATCHES, deconfliction_matches
from operations.models import Hit, HitIdentifier, HitItem, HitRevision, Operation
from tests.conftest import accept, gql, make_operation, require_postgres
from tests.hits.conftest import report
from timeline.models import TimeWindow
from timeline.services import time_window_create

REPORT_HIT = """
mutation($op: ID!, $clientId: UUID!, $input: HitInput!) {
  reportHit(operationId: $op, clientId: $clientId, input: $input) {
    errors { field code message }
    created
    hit {
      id sequence status version marking kind
      reportingAgency { acronym }
      items { commodity commodityGroup quantity unit kilograms hsCode }
      shipment { containerNumber airWaybill postalItem aircraftRegistration transitCountries }
      actors { name phones }
    }
    deconfliction { kind value operationCode sequence sameOperation }
  }
}
"""

UPDATE_OPERATION = """
mutation($id: ID!, $input: OperationUpdateInput!) {
  updateOperation(id: $id, input: $input) {
    errors { field code }
    operation { acceptLateReports }
  }
}
"""

OPERATION_HITS = """
query($id: ID!) {
  operation(id: $id) {
    hits(first: 100) {
      edges { node {
        sequence
        items { commodity }
        shipment { containerNumber }
        actors { name }
        reportingAgency { acronym }
      } }
    }
  }
}
"""

OPERATION_HITS_WITH_HISTORY = """
query($id: ID!) {
  operation(id: $id) {
    hits(first: 100) {
      edges { node { sequence reportedBy { username } revisions { version author { username } } } }
    }
  }
}
"""

CONTAINER = "CSQU3054383"
AWB = "020-12345675"
POSTAL_ITEM = "RR123456785CH"
PHONE = "+57 301 234 5678"


def hit_input(**changes) -> dict:
    """A valid `HitInput` (GraphQL variables) for the officer of `active_operation`."""
    values = {
        "kind": "SEIZURE",
        "occurredAt": (timezone.now() - timedelta(minutes=30)).isoformat(),
        "country": "CR",
        "place": "Juan Santamaría International Airport",
        "locationCode": "SJO",
        "locationType": "AIRPORT",
        "modeOfTransport": "GENERAL_AVIATION",
        "detectionMethod": "DETECTOR_DOG",
        "items": [{"commodity": "COCAINE", "quantity": "120.5", "unit": "KILOGRAM"}],
        "shipment": {
            "aircraftRegistration": "N123AB",
            "departureCountry": "CO",
            "destinationCountry": "US",
            "transitCountries": ["CR"],
        },
        "actors": [
            {
                "kind": "PERSON",
                "role": "PILOT",
                "name": "Juan Pérez",
                "nationality": "CO",
                "phones": [PHONE],
            }
        ],
    }
    values.update(changes)
    return values


def report_hit(user, operation, input: dict, client_id=None) -> dict:
    variables = {
        "op": to_global_id("Operation", operation.pk),
        "clientId": str(client_id or uuid.uuid4()),
        "input": input,
    }
    answer = gql(user, REPORT_HIT, variables)
    assert "errors" not in answer, answer
    return answer["data"]["reportHit"]


def codes(payload: dict) -> list[tuple[str | None, str]]:
    return [(error["field"], error["code"]) for error in payload["errors"]]


def ago(**delta) -> str:
    return (timezone.now() - timedelta(**delta)).isoformat()


def written(operation) -> tuple[int, int, int, int]:
    """What a report writes: hits, revisions and audit events of hits, the sequence."""
    operation.refresh_from_db()
    return (
        Hit.objects.filter(operation=operation).count(),
        HitRevision.objects.filter(hit__operation=operation).count(),
        AuditEvent.objects.filter(operation=operation, action__startswith="hit.").count(),
        operation.last_hit_sequence,
    )


def make_active_operation(coordinator, code, *users) -> Operation:
    """Another active operation in which the agencies of `users` take part, with an
    operational phase around now and no control windows."""
    now = timezone.now()
    op = make_operation(
        coordinator,
        code=code,
        planned_start=now - timedelta(days=2),
        planned_end=now + timedelta(days=10),
    )
    for user in users:
        accept(op, coordinator, user)
    time_window_create(
        actor=coordinator,
        operation=op,
        kind=TimeWindow.Kind.OPERATIONAL,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=5),
    )
    for status in (Operation.Status.PLANNED, Operation.Status.ACTIVE):
        services.operation_transition(actor=coordinator, operation=op, to_status=status)
    op.refresh_from_db()
    return op


# --- success and sequence ------------------------------------------------------------------


def test_report_hit_stores_the_hit_with_its_revision_and_audit_event(active_operation, officer):
    client_id = uuid.uuid4()

    payload = report_hit(officer, active_operation, hit_input(), client_id)

    assert payload["errors"] == []
    assert payload["created"] is True
    assert payload["deconfliction"] == []
    assert payload["hit"] == {
        "id": payload["hit"]["id"],
        "sequence": 1,
        "status": "REPORTED",
        "version": 1,
        "marking": "AMBER",
        "kind": "SEIZURE",
        "reportingAgency": {"acronym": "CR-CUSTOMS"},
        "items": [
            {
                "commodity": "COCAINE",
                "commodityGroup": "COCAINE_TYPE",
                "quantity": "120.500",
                "unit": "KILOGRAM",
                "kilograms": "120.500000",
                "hsCode": "",
            }
        ],
        "shipment": {
            "containerNumber": "",
            "airWaybill": "",
            "postalItem": "",
            "aircraftRegistration": "N123AB",
            "transitCountries": ["CR"],
        },
        "actors": [{"name": "Juan Pérez", "phones": ["+573012345678"]}],
    }
    hit = Hit.objects.get()
    assert (hit.client_id, hit.reported_by, hit.participation.agency) == (
        client_id,
        officer,
        officer.agency,
    )
    assert hit.revisions.get().version == 1
    event = AuditEvent.objects.get(action="hit.report")
    assert (event.actor, event.object_id, event.operation) == (
        officer,
        str(hit.pk),
        active_operation,
    )
    assert event.after["sequence"] == 1 and event.after["client_id"] == str(client_id)
    assert event.after["items"][0] == {
        "commodity": "cocaine",
        "quantity": "120.500",
        "unit": "kg",
        "kilograms": "120.500000",
        "hs_code": "",
        "description": "",
    }


def test_sequence_numbers_increase_without_gaps_across_reporters_and_refusals(
    active_operation, officer, ng_officer, coordinator
):
    first = report_hit(officer, active_operation, hit_input())
    refused = report_hit(ng_officer, active_operation, hit_input(items=[]))
    second = report_hit(ng_officer, active_operation, hit_input(actors=[]))
    third = report_hit(coordinator, active_operation, hit_input(actors=[]))

    assert codes(refused) == [("items", "ITEMS_REQUIRED")]
    assert [p["hit"]["sequence"] for p in (first, second, third)] == [1, 2, 3]
    assert list(
        Hit.objects.order_by("sequence").values_list("sequence", "reporting_agency__acronym")
    ) == [(1, "CR-CUSTOMS"), (2, "NG-CUSTOMS"), (3, "WCO")]
    active_operation.refresh_from_db()
    assert active_operation.last_hit_sequence == 3


def test_sequences_are_counted_per_operation(active_operation, officer, coordinator):
    other = make_active_operation(coordinator, "OTHER-OP", officer)
    report(officer, active_operation)
    report(officer, active_operation)

    hit = report(officer, other).hit

    assert hit.sequence == 1


# --- units and quantities -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "unit", "kilograms"),
    [
        ("2500", "GRAM", "2.500000"),
        ("1.5", "TONNE", "1500.000000"),
        ("10", "POUND", "4.535924"),  # 10 x 0.45359237 kg
        ("3", "OUNCE", "0.085049"),
        ("750", "MILLIGRAM", "0.000750"),
        ("0.001", "KILOGRAM", "0.001000"),
        ("40", "TABLET", None),
        ("12", "PIECE", None),
        ("2", "LITRE", None),
        ("200", "STICK", None),
    ],
)
def test_kilogram_equivalent_is_computed_for_units_of_mass_only(
    active_operation, officer, quantity, unit, kilograms
):
    items = [{"commodity": "MDMA", "quantity": quantity, "unit": unit}]

    payload = report_hit(officer, active_operation, hit_input(items=items))

    assert payload["errors"] == []
    assert payload["hit"]["items"][0]["kilograms"] == kilograms
    stored = HitItem.objects.get()
    assert stored.kilograms == (Decimal(kilograms) if kilograms else None)
    assert stored.commodity_group == "ats"


@pytest.mark.parametrize(
    ("quantity", "unit", "code"),
    [
        ("0", "KILOGRAM", "INVALID_QUANTITY"),
        ("0.000", "GRAM", "INVALID_QUANTITY"),
        ("-1", "KILOGRAM", "INVALID_QUANTITY"),
        ("-40", "TABLET", "INVALID_QUANTITY"),
        ("1.2345", "KILOGRAM", "INVALID_QUANTITY"),  # more than three decimals
        ("0.0005", "TONNE", "INVALID_QUANTITY"),
        ("10000", "TONNE", "ABSURD_QUANTITY"),
        ("500001", "KILOGRAM", "ABSURD_QUANTITY"),
        ("1200000", "POUND", "ABSURD_QUANTITY"),  # 544 t
        ("2000000000", "TABLET", "ABSURD_QUANTITY"),
        ("1000000001", "PIECE", "ABSURD_QUANTITY"),
    ],
)
def test_bad_quantity_is_refused_with_its_code(active_operation, officer, quantity, unit, code):
    items = [
        {"commodity": "COCAINE", "quantity": "1", "unit": "KILOGRAM"},
        {"commodity": "MDMA", "quantity": quantity, "unit": unit},
    ]

    payload = report_hit(officer, active_operation, hit_input(items=items))

    assert codes(payload) == [("items.1.quantity", code)]
    assert payload["hit"] is None
    assert Hit.objects.count() == 0


@pytest.mark.parametrize(
    ("quantity", "unit"),
    [("500", "TONNE"), ("500000", "KILOGRAM"), ("1000000000", "TABLET"), ("0.001", "GRAM")],
)
def test_quantity_at_the_limit_is_accepted(active_operation, officer, quantity, unit):
    items = [{"commodity": "CAPTAGON", "quantity": quantity, "unit": unit}]

    payload = report_hit(officer, active_operation, hit_input(items=items))

    assert payload["errors"] == []
    assert HitItem.objects.get().quantity == Decimal(quantity)


def test_trailing_zeros_do_not_count_as_decimals(active_operation, officer):
    items = [{"commodity": "COCAINE", "quantity": "2.5000", "unit": "KILOGRAM"}]

    payload = report_hit(officer, active_operation, hit_input(items=items))

    assert payload["errors"] == []


# --- HS codes and items ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "commodity",
    ["EPHEDRINE", "ACETIC_ANHYDRIDE", "POTASSIUM_PERMANGANATE", "P2P", "PMK", "OTHER_PRECURSOR"],
)
def test_precursor_without_hs_code_is_refused(active_operation, officer, commodity):
    items = [{"commodity": commodity, "quantity": "25", "unit": "LITRE"}]

    payload = report_hit(officer, active_operation, hit_input(items=items))

    assert codes(payload) == [("items.0.hsCode", "HS_CODE_REQUIRED")]


@pytest.mark.parametrize(
    ("given", "stored"),
    [("2915.24", "291524"), ("2915 24 00", "29152400"), ("2915240000", "2915240000")],
)
def test_precursor_with_hs_code_is_accepted_and_compacted(active_operation, officer, given, stored):
    items = [{"commodity": "ACETIC_ANHYDRIDE", "quantity": "25", "unit": "LITRE", "hsCode": given}]

    payload = report_hit(officer, active_operation, hit_input(items=items))

    assert payload["errors"] == []
    assert payload["hit"]["items"][0]["hsCode"] == stored
    assert payload["hit"]["items"][0]["commodityGroup"] == "PRECURSORS"


@pytest.mark.parametrize(
    ("commodity", "hs_code"),
    [
        ("ACETIC_ANHYDRIDE", "29152"),  # 5 digits
        ("ACETIC_ANHYDRIDE", "2915241"),  # 7 digits
        ("ACETIC_ANHYDRIDE", "29152400001"),  # 11 digits
        ("EPHEDRINE", "ABC123"),
        ("CIGARETTES", "24022x"),  # any commodity's HS code is checked
    ],
)
def test_malformed_hs_code_is_refused(active_operation, officer, commodity, hs_code):
    items = [{"commodity": commodity, "quantity": "25", "unit": "KILOGRAM", "hsCode": hs_code}]

    payload = report_hit(officer, active_operation, hit_input(items=items))

    assert codes(payload) == [("items.0.hsCode", "INVALID_HS_CODE")]


@pytest.mark.parametrize("items", [[], None])
def test_seizure_without_items_is_refused(active_operation, officer, items):
    given = hit_input(items=items)

    payload = report_hit(officer, active_operation, given)

    assert codes(payload) == [("items", "ITEMS_REQUIRED")]


def test_seizure_is_the_default_kind_and_needs_items(active_operation, officer):
    given = hit_input()
    del given["kind"], given["items"]

    payload = report_hit(officer, active_operation, given)

    assert codes(payload) == [("items", "ITEMS_REQUIRED")]


@pytest.mark.parametrize("kind", ["DATABASE_MATCH", "SUSPICIOUS_SHIPMENT"])
def test_database_match_and_suspicious_shipment_need_no_items(active_operation, officer, kind):
    payload = report_hit(officer, active_operation, hit_input(kind=kind, items=[]))

    assert payload["errors"] == []
    assert payload["hit"]["kind"] == kind and payload["hit"]["items"] == []


def test_explicit_null_kind_is_a_seizure_and_needs_items(active_operation, officer):
    payload = report_hit(officer, active_operation, hit_input(kind=None, items=[]))

    assert codes(payload) == [("items", "ITEMS_REQUIRED")]
    assert Hit.objects.count() == 0


# --- time windows ---------------------------------------------------------------------------


@pytest.mark.parametrize("minutes_ago", [59, 1, -3])  # -3: a device clock 3 minutes ahead
def test_report_inside_the_control_window_is_accepted(active_operation, officer, minutes_ago):
    payload = report_hit(officer, active_operation, hit_input(occurredAt=ago(minutes=minutes_ago)))

    assert payload["errors"] == []


def test_report_before_the_participants_control_window_is_refused(active_operation, officer):
    # The officer's control window opened an hour ago; the operational phase a day ago.
    payload = report_hit(officer, active_operation, hit_input(occurredAt=ago(minutes=90)))

    assert codes(payload) == [("occurredAt", "OUTSIDE_WINDOW")]


def test_participant_without_control_window_reports_within_the_operational_phase(
    active_operation, ng_officer
):
    inside = report_hit(ng_officer, active_operation, hit_input(occurredAt=ago(hours=20)))
    before = report_hit(ng_officer, active_operation, hit_input(occurredAt=ago(hours=25)))

    assert inside["errors"] == []
    assert codes(before) == [("occurredAt", "OUTSIDE_WINDOW")]


@pytest.mark.parametrize("minutes_ahead", [6, 60 * 24])
def test_report_of_a_future_time_is_refused(active_operation, officer, minutes_ahead):
    payload = report_hit(
        officer, active_operation, hit_input(occurredAt=ago(minutes=-minutes_ahead))
    )

    assert codes(payload) == [("occurredAt", "OCCURRED_IN_FUTURE")]


@pytest.fixture
def closed_window(active_operation, coordinator):
    """A control window of the officer's agency that ended two hours ago."""
    participation = active_operation.participations.get(agency__acronym="CR-CUSTOMS")
    now = timezone.now()
    return time_window_create(
        actor=coordinator,
        operation=active_operation,
        kind=TimeWindow.Kind.CONTROL,
        participation=participation,
        location_code="SJO",
        starts_at=now - timedelta(hours=20),
        ends_at=now - timedelta(hours=2),
    )


def test_report_after_its_window_closed_is_refused_as_late(
    active_operation, officer, closed_window
):
    payload = report_hit(officer, active_operation, hit_input(occurredAt=ago(hours=3)))

    assert codes(payload) == [("occurredAt", "LATE_REPORT")]
    assert Hit.objects.count() == 0


def test_late_report_is_accepted_once_coordinators_accept_late_reports(
    active_operation, officer, coordinator, closed_window
):
    op_id = to_global_id("Operation", active_operation.pk)
    updated = gql(
        coordinator, UPDATE_OPERATION, {"id": op_id, "input": {"acceptLateReports": True}}
    )

    payload = report_hit(officer, active_operation, hit_input(occurredAt=ago(hours=3)))

    assert updated["data"]["updateOperation"] == {
        "errors": [],
        "operation": {"acceptLateReports": True},
    }
    assert payload["errors"] == []
    assert payload["hit"]["sequence"] == 1


def test_accepting_late_reports_does_not_accept_times_outside_every_window(
    active_operation, officer, coordinator, closed_window
):
    services.operation_update(
        actor=coordinator, operation=active_operation, accept_late_reports=True
    )

    payload = report_hit(officer, active_operation, hit_input(occurredAt=ago(hours=21)))

    assert codes(payload) == [("occurredAt", "OUTSIDE_WINDOW")]


def test_participant_cannot_accept_late_reports(active_operation, officer, closed_window):
    op_id = to_global_id("Operation", active_operation.pk)

    updated = gql(officer, UPDATE_OPERATION, {"id": op_id, "input": {"acceptLateReports": True}})

    assert updated["data"]["updateOperation"] == {
        "errors": [{"field": "id", "code": "PERMISSION_DENIED"}],
        "operation": None,
    }
    active_operation.refresh_from_db()
    assert active_operation.accept_late_reports is False


# --- operation state and permissions ---------------------------------------------------------


def test_report_in_a_closed_operation_is_refused(active_operation, officer, coordinator):
    services.operation_transition(
        actor=coordinator, operation=active_operation, to_status=Operation.Status.CLOSED
    )

    payload = report_hit(officer, active_operation, hit_input())

    assert codes(payload) == [("operationId", "OPERATION_NOT_ACTIVE")]
    assert Hit.objects.count() == 0


def test_report_in_a_draft_operation_is_refused(operation, officer):
    payload = report_hit(officer, operation, hit_input())

    assert codes(payload) == [("operationId", "OPERATION_NOT_ACTIVE")]


def test_observer_cannot_report(active_operation, observer):
    payload = report_hit(observer, active_operation, hit_input())

    assert codes(payload) == [("operationId", "PERMISSION_DENIED")]
    assert payload["hit"] is None
    assert written(active_operation) == (0, 0, 0, 0)


def test_outsider_is_told_not_found_exactly_as_for_a_missing_operation(active_operation, outsider):
    client_id = uuid.uuid4()
    hidden = report_hit(outsider, active_operation, hit_input(), client_id)
    missing = gql(
        outsider,
        REPORT_HIT,
        {
            "op": to_global_id("Operation", 999_999),
            "clientId": str(client_id),
            "input": hit_input(),
        },
    )

    assert codes(hidden) == [("operationId", "NOT_FOUND")]
    assert hidden == missing["data"]["reportHit"]
    assert written(active_operation) == (0, 0, 0, 0)


def test_permission_is_checked_before_the_payload_so_nothing_about_it_leaks(
    active_operation, observer, outsider
):
    bad = hit_input(country="XX", items=[], shipment={"containerNumber": "CSQU3054384"})

    as_observer = report_hit(observer, active_operation, bad)
    as_outsider = report_hit(outsider, active_operation, bad)

    assert codes(as_observer) == [("operationId", "PERMISSION_DENIED")]
    assert codes(as_outsider) == [("operationId", "NOT_FOUND")]


def test_invited_agency_that_has_not_accepted_cannot_report(active_operation, coordinator, invitee):
    services.participation_invite(
        actor=coordinator, operation=active_operation, agency=invitee.agency
    )

    payload = report_hit(invitee, active_operation, hit_input())

    assert codes(payload) == [("operationId", "NOT_FOUND")]


def test_anonymous_report_is_refused_as_not_authenticated(active_operation):
    answer = gql(
        None,
        REPORT_HIT,
        {
            "op": to_global_id("Operation", active_operation.pk),
            "clientId": str(uuid.uuid4()),
            "input": hit_input(),
        },
    )

    assert "data" not in answer  # refused as a whole request (HTTP 401)
    assert len(answer["errors"]) == 1
    assert answer["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    assert Hit.objects.count() == 0


# --- idempotency ----------------------------------------------------------------------------


def test_retry_with_same_client_id_and_payload_returns_the_same_hit(active_operation, officer):
    client_id, given = uuid.uuid4(), hit_input()
    first = report_hit(officer, active_operation, given, client_id)
    after_first = written(active_operation)

    retry = report_hit(officer, active_operation, given, client_id)

    assert (first["created"], retry["created"]) == (True, False)
    assert retry["errors"] == []
    assert retry["hit"] == first["hit"]
    assert written(active_operation) == after_first == (1, 1, 1, 1)


def test_retry_with_equivalent_spelling_of_identifiers_is_still_a_retry(active_operation, officer):
    client_id = uuid.uuid4()
    occurred_at = ago(minutes=10)
    report_hit(
        officer,
        active_operation,
        hit_input(occurredAt=occurred_at, shipment={"containerNumber": "CSQU3054383"}),
        client_id,
    )

    retry = report_hit(
        officer,
        active_operation,
        hit_input(occurredAt=occurred_at, shipment={"containerNumber": "csqu 305438 3"}),
        client_id,
    )

    assert retry["errors"] == [] and retry["created"] is False
    assert written(active_operation)[0] == 1


def test_same_client_id_with_a_different_payload_is_a_conflict(active_operation, officer):
    client_id, given = uuid.uuid4(), hit_input()
    first = report_hit(officer, active_operation, given, client_id)

    conflict = report_hit(
        officer,
        active_operation,
        {**given, "items": [{"commodity": "HEROIN", "quantity": "3", "unit": "KILOGRAM"}]},
        client_id,
    )

    assert codes(conflict) == [("clientId", "CLIENT_ID_CONFLICT")]
    assert conflict["hit"] is None and conflict["created"] is None
    assert written(active_operation) == (1, 1, 1, 1)
    assert HitItem.objects.get().commodity == "cocaine"
    assert first["hit"]["items"][0]["commodity"] == "COCAINE"


@pytest.mark.parametrize("marking", ["RED", "GREEN"])
def test_another_reporters_client_id_makes_a_new_hit_and_tells_nothing(
    active_operation, officer, ng_officer, marking
):
    # given a hit of the Costa Rican officer (RED: hidden from the Nigerian one)
    client_id = uuid.uuid4()
    report_hit(officer, active_operation, hit_input(marking=marking), client_id)

    # when the Nigerian officer reuses its client id, with the same or other content
    same = report_hit(ng_officer, active_operation, hit_input(marking=marking), client_id)
    other = report_hit(
        ng_officer, active_operation, hit_input(marking=marking, notes="other"), client_id
    )

    # then the first is a new hit of theirs, the second a conflict with their own only
    assert same["errors"] == [] and same["created"] is True
    assert same["hit"]["reportingAgency"] == {"acronym": "NG-CUSTOMS"}
    assert codes(other) == [("clientId", "CLIENT_ID_CONFLICT")]
    assert written(active_operation)[0] == 2


def test_same_client_id_in_another_operation_is_another_hit(active_operation, officer, coordinator):
    other = make_active_operation(coordinator, "OTHER-OP", officer)
    client_id, given = uuid.uuid4(), hit_input()

    first = report_hit(officer, active_operation, given, client_id)
    second = report_hit(officer, other, given, client_id)

    assert (first["created"], second["created"]) == (True, True)
    assert first["hit"]["id"] != second["hit"]["id"]


def test_retry_after_the_operation_closed_returns_the_original_hit(
    active_operation, officer, coordinator
):
    client_id, given = uuid.uuid4(), hit_input()
    first = report_hit(officer, active_operation, given, client_id)
    services.operation_transition(
        actor=coordinator, operation=active_operation, to_status=Operation.Status.CLOSED
    )
    before = written(active_operation)

    retry = report_hit(officer, active_operation, given, client_id)

    assert retry["errors"] == [] and retry["created"] is False
    assert retry["hit"]["id"] == first["hit"]["id"]
    assert written(active_operation) == before


def test_retry_of_a_refused_report_is_refused_again_and_writes_nothing(active_operation, observer):
    client_id, given = uuid.uuid4(), hit_input()
    report_hit(observer, active_operation, given, client_id)

    retry = report_hit(observer, active_operation, given, client_id)

    assert codes(retry) == [("operationId", "PERMISSION_DENIED")]
    assert written(active_operation) == (0, 0, 0, 0)


def test_report_announces_the_new_hit_after_commit_and_a_retry_announces_nothing(
    active_operation, officer, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []

    class Layer:
        async def group_send(self, group, message):
            sent.append((group, message))

    monkeypatch.setattr(events, "get_channel_layer", Layer)
    client_id, given = uuid.uuid4(), hit_input()
    with django_capture_on_commit_callbacks(execute=True) as first_callbacks:
        first = report_hit(officer, active_operation, given, client_id)
    with django_capture_on_commit_callbacks(execute=True) as retry_callbacks:
        report_hit(officer, active_operation, given, client_id)

    hit_pk = int(from_global_id(first["hit"]["id"])[1])
    assert (len(first_callbacks), len(retry_callbacks)) == (1, 0)
    assert sent == [
        (
            f"operation.{active_operation.pk}",
            {
                "type": "live.event",
                "group": f"operation.{active_operation.pk}",
                "operation_id": active_operation.pk,
                "kind": "hit_reported",
                "sequence": 1,
                "hit_id": hit_pk,
            },
        )
    ]


# --- a refusal writes nothing ---------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"shipment": {"containerNumber": "CSQU3054384"}},
        {"items": [{"commodity": "COCAINE", "quantity": "-2", "unit": "KILOGRAM"}]},
        {"occurredAt": (timezone.now() + timedelta(days=2)).isoformat()},
        {"country": "XX"},
        {"actors": [{"kind": "PERSON", "role": "COURIER", "name": "X", "emails": ["nope"]}]},
    ],
)
def test_refused_report_writes_no_hit_audit_event_or_sequence_number(
    active_operation, officer, changes, django_capture_on_commit_callbacks
):
    report(officer, active_operation)
    before = written(active_operation)
    identifiers_before = HitIdentifier.objects.count()

    with django_capture_on_commit_callbacks() as callbacks:
        payload = report_hit(officer, active_operation, hit_input(**changes))

    assert len(payload["errors"]) == 1
    assert payload["hit"] is None
    assert written(active_operation) == before == (1, 1, 1, 1)
    assert HitIdentifier.objects.count() == identifiers_before
    assert callbacks == []
    assert report(officer, active_operation).hit.sequence == 2


def test_every_fault_of_a_report_is_listed_at_once(active_operation, officer):
    given = hit_input(
        country="XX",
        items=[{"commodity": "EPHEDRINE", "quantity": "0", "unit": "KILOGRAM"}],
        shipment={"containerNumber": "CSQU3054384", "postalItem": "RR123456784CH"},
    )

    payload = report_hit(officer, active_operation, given)

    assert sorted(codes(payload)) == [
        ("country", "INVALID_COUNTRY"),
        ("items.0.hsCode", "HS_CODE_REQUIRED"),
        ("items.0.quantity", "INVALID_QUANTITY"),
        ("shipment.containerNumber", "INVALID_CHECK_DIGIT"),
        ("shipment.postalItem", "INVALID_CHECK_DIGIT"),
    ]


# --- deconfliction --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "kind", "value"),
    [
        ({"shipment": {"containerNumber": CONTAINER}}, "CONTAINER", CONTAINER),
        ({"shipment": {"airWaybill": AWB}}, "AIR_WAYBILL", "02012345675"),
        ({"shipment": {"postalItem": POSTAL_ITEM}}, "POSTAL_ITEM", POSTAL_ITEM),
        (
            {"actors": [{"kind": "PERSON", "role": "COURIER", "name": "Ana", "phones": [PHONE]}]},
            "PHONE",
            "+573012345678",
        ),
        (
            {
                "actors": [
                    {
                        "kind": "PERSON",
                        "role": "COURIER",
                        "name": "Ana",
                        "documents": [{"number": "AB 123456", "country": "CO"}],
                    }
                ]
            },
            "DOCUMENT",
            "CO:AB123456",
        ),
    ],
)
def test_second_hit_with_a_known_identifier_tells_the_reporter(
    active_operation, officer, changes, kind, value
):
    first = report_hit(officer, active_operation, hit_input(**{"actors": [], **changes}))
    report_hit(
        officer, active_operation, hit_input(actors=[], shipment={"containerNumber": "MSKU1234565"})
    )

    third = report_hit(officer, active_operation, hit_input(**{"actors": [], **changes}))

    assert first["deconfliction"] == []
    assert third["errors"] == []
    assert third["deconfliction"] == [
        {
            "kind": kind,
            "value": value,
            "operationCode": "LIVE-OP",
            "sequence": 1,
            "sameOperation": True,
        }
    ]


@pytest.mark.parametrize(
    "shipment",
    [
        {"billOfLading": "MEDU12345678"},
        {"flightNumber": "KL713"},
        {"imoNumber": "9074729"},
        {"aircraftRegistration": "N123AB"},
        {"vehiclePlate": "CRC123"},
    ],
)
def test_identifiers_that_are_not_deconflicted_give_no_hint(active_operation, officer, shipment):
    report_hit(officer, active_operation, hit_input(actors=[], shipment=shipment))

    second = report_hit(officer, active_operation, hit_input(actors=[], shipment=shipment))

    assert second["errors"] == [] and second["deconfliction"] == []


def test_other_participants_visible_hit_is_mentioned_for_shipment_identifiers(
    active_operation, officer, ng_officer
):
    report_hit(
        officer,
        active_operation,
        hit_input(marking="GREEN", shipment={"containerNumber": CONTAINER}),
    )

    payload = report_hit(
        ng_officer, active_operation, hit_input(shipment={"containerNumber": CONTAINER})
    )

    assert payload["deconfliction"] == [
        {
            "kind": "CONTAINER",
            "value": CONTAINER,
            "operationCode": "LIVE-OP",
            "sequence": 1,
            "sameOperation": True,
        }
    ]


def test_phone_in_another_agencys_hit_is_not_mentioned(active_operation, officer, ng_officer):
    # Nominal data of another agency's hit is not the reporter's to see, not even as a hint.
    report_hit(officer, active_operation, hit_input(marking="GREEN"))

    payload = report_hit(ng_officer, active_operation, hit_input())

    assert payload["errors"] == [] and payload["deconfliction"] == []


@pytest.mark.parametrize("marking", ["RED", "AMBER_STRICT"])
def test_restricted_hit_of_another_agency_is_not_mentioned(
    active_operation, officer, ng_officer, marking
):
    report_hit(
        officer,
        active_operation,
        hit_input(marking=marking, shipment={"containerNumber": CONTAINER}),
    )

    payload = report_hit(
        ng_officer, active_operation, hit_input(shipment={"containerNumber": CONTAINER})
    )

    assert payload["errors"] == [] and payload["deconfliction"] == []


def test_coordinator_is_told_of_restricted_hits_and_their_nominal_data(
    active_operation, officer, coordinator
):
    report_hit(
        officer, active_operation, hit_input(marking="RED", shipment={"containerNumber": CONTAINER})
    )

    payload = report_hit(
        coordinator, active_operation, hit_input(shipment={"containerNumber": CONTAINER})
    )

    assert payload["deconfliction"] == [
        {
            "kind": "CONTAINER",
            "value": CONTAINER,
            "operationCode": "LIVE-OP",
            "sequence": 1,
            "sameOperation": True,
        },
        {
            "kind": "PHONE",
            "value": "+573012345678",
            "operationCode": "LIVE-OP",
            "sequence": 1,
            "sameOperation": True,
        },
    ]


def test_match_in_another_operation_gives_only_its_code_and_sequence(
    active_operation, officer, ng_officer, coordinator
):
    other = make_active_operation(coordinator, "OTHER-OP", officer, ng_officer)
    report_hit(officer, other, hit_input(shipment={"containerNumber": "MSKU1234565"}))
    report_hit(
        ng_officer, other, hit_input(marking="GREEN", shipment={"containerNumber": CONTAINER})
    )

    payload = report_hit(
        officer, active_operation, hit_input(actors=[], shipment={"containerNumber": CONTAINER})
    )

    assert payload["deconfliction"] == [
        {
            "kind": "CONTAINER",
            "value": CONTAINER,
            "operationCode": "OTHER-OP",
            "sequence": 2,
            "sameOperation": False,
        }
    ]


def test_hit_in_an_operation_the_reporters_agency_is_not_part_of_is_not_mentioned(
    active_operation, officer, ng_officer, coordinator
):
    elsewhere = make_active_operation(coordinator, "ELSEWHERE", ng_officer)
    report_hit(
        ng_officer, elsewhere, hit_input(marking="CLEAR", shipment={"containerNumber": CONTAINER})
    )

    payload = report_hit(
        officer, active_operation, hit_input(shipment={"containerNumber": CONTAINER})
    )

    assert payload["errors"] == [] and payload["deconfliction"] == []


def test_hits_of_operations_one_does_not_see_take_no_place_among_the_candidates(
    active_operation, officer, ng_officer, coordinator, monkeypatch
):
    monkeypatch.setattr(hit_services, "LATEST_CANDIDATES", 2)
    container = {"containerNumber": CONTAINER}
    report_hit(officer, active_operation, hit_input(actors=[], shipment=container))
    # then, in an operation CR does not take part in, more hits than there are candidates
    elsewhere = make_active_operation(coordinator, "ELSEWHERE", ng_officer)
    for _ in range(3):
        report_hit(ng_officer, elsewhere, hit_input(marking="CLEAR", shipment=container))

    payload = report_hit(officer, active_operation, hit_input(actors=[], shipment=container))

    # the CR hit is still found: nothing tells that hidden hits came after it
    assert [(m["operationCode"], m["sequence"]) for m in payload["deconfliction"]] == [
        (active_operation.code, 1)
    ]


def test_retry_reports_the_matches_again(active_operation, officer):
    report_hit(
        officer, active_operation, hit_input(actors=[], shipment={"containerNumber": CONTAINER})
    )
    client_id, given = uuid.uuid4(), hit_input(actors=[], shipment={"containerNumber": CONTAINER})
    first = report_hit(officer, active_operation, given, client_id)

    retry = report_hit(officer, active_operation, given, client_id)

    assert retry["created"] is False
    assert (
        retry["deconfliction"]
        == first["deconfliction"]
        == [
            {
                "kind": "CONTAINER",
                "value": CONTAINER,
                "operationCode": "LIVE-OP",
                "sequence": 1,
                "sameOperation": True,
            }
        ]
    )


# --- query count ----------------------------------------------------------------------------


def queries_for(user, document: str, operation) -> int:
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        answer = gql(user, document, {"id": to_global_id("Operation", operation.pk)}, client=client)
    assert "errors" not in answer, answer
    return len(captured), len(answer["data"]["operation"]["hits"]["edges"])


def add_hits(operation, officer, ng_officer, count: int) -> None:
    for i in range(count):
        reporter = officer if i % 2 else ng_officer
        report(
            reporter,
            operation,
            shipment={"container_number": CONTAINER},
            actors=[
                {"kind": "person", "role": "courier", "name": f"Courier {i}"},
                {"kind": "organisation", "role": "consignee", "name": f"Company {i}"},
            ],
            items=[
                {"commodity": "cocaine", "quantity": "1", "unit": "kg"},
                {"commodity": "heroin", "quantity": "2", "unit": "kg"},
            ],
        )


def test_listing_hits_costs_the_same_number_of_queries_for_2_and_30_hits(
    active_operation, officer, ng_officer, coordinator
):
    add_hits(active_operation, officer, ng_officer, 2)
    few, listed_few = queries_for(coordinator, OPERATION_HITS, active_operation)
    add_hits(active_operation, officer, ng_officer, 28)

    many, listed_many = queries_for(coordinator, OPERATION_HITS, active_operation)

    assert (listed_few, listed_many) == (2, 30)
    assert many == few


def test_listing_hits_with_their_history_costs_the_same_number_of_queries_for_2_and_30_hits(
    active_operation, officer, ng_officer, coordinator
):
    add_hits(active_operation, officer, ng_officer, 2)
    few, _ = queries_for(coordinator, OPERATION_HITS_WITH_HISTORY, active_operation)
    add_hits(active_operation, officer, ng_officer, 28)

    many, listed = queries_for(coordinator, OPERATION_HITS_WITH_HISTORY, active_operation)

    assert listed == 30
    assert many == few


def statements(captured) -> list[str]:
    """The SQL sent, without the savepoints of the test's own transaction."""
    return [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
    ]


def test_a_report_costs_twelve_statements_and_the_lock_is_held_only_for_inserts(
    active_operation, officer
):
    # given an earlier hit (content types and the like are cached), sharing no identifier
    report(officer, active_operation, actors=[])

    # when a hit with a shipment, an actor, a phone and a document is reported
    with CaptureQueriesContext(connection) as captured:
        report(officer, active_operation)

    # then: the checks (3: the operation with its facts, the reporter's grants),
    # deconfliction (1), the sequence number, which locks the operation (1), and then
    # only inserts: hit, items, shipment, actors, identifiers, revision, audit event (7)
    sql = statements(captured)
    assert len(sql) == 12, "\n".join(sql)
    lock = next(i for i, s in enumerate(sql) if s.startswith("UPDATE"))
    assert lock == 4
    assert all(s.startswith("INSERT") for s in sql[lock + 1 :])


def test_a_report_with_a_deconfliction_match_costs_no_statement_more(active_operation, officer):
    report(officer, active_operation)

    with CaptureQueriesContext(connection) as captured:
        matched = report(officer, active_operation)

    assert len(matched.matches) == 2  # the phone and the document
    assert len(statements(captured)) == 12


def test_a_match_in_another_operation_costs_the_grants_of_that_operation(
    active_operation, officer, coordinator
):
    other = make_active_operation(coordinator, "OTHER-OP", officer)
    report(officer, other)

    with CaptureQueriesContext(connection) as captured:
        matched = report(officer, active_operation)

    assert [(m.operation_code, m.same_operation) for m in matched.matches] == [
        ("OTHER-OP", False),
        ("OTHER-OP", False),
    ]
    assert len(statements(captured)) == 14


def test_deconfliction_reads_one_statement_however_many_hits_share_the_identifiers(
    active_operation, officer, ng_officer
):
    # given 25 earlier hits, of two agencies, sharing the container and the phone
    for i in range(25):
        report(
            (officer, ng_officer)[i % 2],
            active_operation,
            marking="GREEN",
            shipment={"container_number": CONTAINER},
        )

    with CaptureQueriesContext(connection) as captured:
        matched = report(officer, active_operation, shipment={"container_number": CONTAINER})

    # then at most MAX_MATCHES, the latest first: the container of every hit, the phone
    # and document only of the officer's own agency's hits (odd numbers): another
    # agency's nominal data is not theirs to see
    assert len(statements(captured)) == 12
    expected = []
    for sequence in range(25, 0, -1):
        expected.append(("container", sequence))
        if sequence % 2:
            expected += [("document", sequence), ("phone", sequence)]
    assert [(m.kind, m.sequence) for m in matched.matches] == expected[:MAX_MATCHES]


def test_deconfliction_reads_a_bounded_number_of_rows_however_many_hits_share_them(
    active_operation, officer
):
    require_postgres()
    # given more earlier hits sharing the container, the phone and the passport than are
    # ever looked at
    for _ in range(LATEST_CANDIDATES + 10):
        latest = report(officer, active_operation, shipment={"container_number": CONTAINER}).hit
    shared = set(latest.identifiers.values_list("kind", "value"))

    with CaptureQueriesContext(connection) as captured:
        matches = deconfliction_matches(officer, shared, operation_id=active_operation.pk)
    table = HitIdentifier._meta.db_table
    (statement,) = [sql for sql in statements(captured) if table in sql]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}")
        (plan,) = cursor.fetchone()[0]

    def nodes(node):
        yield node
        for child in node.get("Plans", []):
            yield from nodes(child)

    # then each identifier's index is read for its latest LATEST_CANDIDATES rows only,
    # and the answer is still the latest MAX_MATCHES
    read = [
        node["Actual Rows"] * node["Actual Loops"]
        for node in nodes(plan["Plan"])
        if node.get("Relation Name") == table
    ]
    assert read and max(read) <= LATEST_CANDIDATES
    newest_first = [n for n in range(latest.sequence, 0, -1) for _kind in range(3)]
    assert [m.sequence for m in matches] == newest_first[:MAX_MATCHES]
