"""Bad input answers with a clear error code and changes nothing.

Expected refusals come back in the mutation payload as ``errors { field code message }``;
malformed queries (bad ids, oversized pages, bad filters) as top-level errors with
``extensions.code``. Either way no row changes and no audit event is written.
"""

from datetime import timedelta

import pytest
from django.test import Client
from graphql_relay import to_global_id

from audit.models import AuditEvent
from operations.models import (
    Operation,
    OperationGroupObjectPermission,
    OperationUserObjectPermission,
    Participation,
)
from operations.services import operation_transition
from tests.conftest import END, START, gql, make_operation
from timeline.models import TimeWindow
from timeline.services import time_window_delete

CREATE_OPERATION = """
mutation CreateOperation($input: OperationCreateInput!) {
  createOperation(input: $input) { operation { id } errors { field code message } }
}
"""

UPDATE_OPERATION = """
mutation UpdateOperation($id: ID!, $input: OperationUpdateInput!) {
  updateOperation(id: $id, input: $input) { operation { id } errors { field code message } }
}
"""

TRANSITION_OPERATION = """
mutation TransitionOperation($id: ID!, $status: OperationStatus!) {
  transitionOperation(id: $id, status: $status) {
    operation { id } errors { field code message }
  }
}
"""

INVITE_AGENCY = """
mutation InviteAgency($operationId: ID!, $agencyId: ID!, $role: ParticipationRole,
                      $locations: [String!]) {
  inviteAgency(operationId: $operationId, agencyId: $agencyId, role: $role,
               locations: $locations) {
    participation { id } errors { field code message }
  }
}
"""

RESPOND_TO_INVITATION = """
mutation RespondToInvitation($participationId: ID!, $response: InvitationResponse!,
                             $contactIds: [ID!], $locations: [String!]) {
  respondToInvitation(participationId: $participationId, response: $response,
                      contactIds: $contactIds, locations: $locations) {
    participation { id } errors { field code message }
  }
}
"""

CREATE_TIME_WINDOW = """
mutation CreateTimeWindow($operationId: ID!, $input: TimeWindowInput!) {
  createTimeWindow(operationId: $operationId, input: $input) {
    timeWindow { id } errors { field code message }
  }
}
"""

UPDATE_TIME_WINDOW = """
mutation UpdateTimeWindow($id: ID!, $input: TimeWindowInput!) {
  updateTimeWindow(id: $id, input: $input) { timeWindow { id } errors { field code message } }
}
"""

DELETE_TIME_WINDOW = """
mutation DeleteTimeWindow($id: ID!) {
  deleteTimeWindow(id: $id) { timeWindow { id } errors { field code message } }
}
"""

OPERATIONS_PAGE = """
query Page($first: Int, $last: Int) { operations(first: $first, last: $last) { totalCount } }
"""
AGENCIES_PAGE = "query Page($first: Int) { agencies(first: $first) { totalCount } }"
OPERATIONS_FILTERED = """
query Filtered($status: [String], $focus: [String], $myRole: String) {
  operations(status: $status, focus: $focus, myRole: $myRole) { totalCount }
}
"""
OPERATIONS_FROM = """
query From($dateFrom: DateTime) { operations(dateFrom: $dateFrom) { totalCount } }
"""
OPERATION = "query One($id: ID!) { operation(id: $id) { id code } }"
NODE = "query Node($id: ID!) { node(id: $id) { id } }"
NODE_AGENCY = "query Node($id: ID!) { node(id: $id) { id ... on Agency { acronym } } }"

MISSING_PK = 987654


def iso(value):
    return value.isoformat()


def gid(type_name, pk):
    return to_global_id(type_name, pk)


def world() -> dict:
    """Everything a refused request must leave exactly as it was."""

    def rows(queryset):
        return list(queryset.order_by("pk").values())

    return {
        "operations": rows(Operation.objects.all()),
        "coordinators": rows(Operation.coordinators.through.objects.all()),
        "participations": rows(Participation.objects.all()),
        "contacts": rows(Participation.contacts.through.objects.all()),
        "windows": rows(TimeWindow.objects.all()),
        "user_grants": rows(OperationUserObjectPermission.objects.all()),
        "group_grants": rows(OperationGroupObjectPermission.objects.all()),
        "audit_events": AuditEvent.objects.count(),
    }


def payload_errors(answer: dict, mutation: str) -> list[tuple[str | None, str]]:
    """(field, code) of each payload error; the mutation itself must have answered."""
    assert "errors" not in answer, answer
    payload = answer["data"][mutation]
    for error in payload["errors"]:
        assert error["message"], error
    return [(error["field"], error["code"]) for error in payload["errors"]]


def top_level_codes(answer: dict) -> list[str]:
    return [error.get("extensions", {}).get("code") for error in answer.get("errors", [])]


@pytest.fixture
def control_window(operation):
    return operation.time_windows.get(kind=TimeWindow.Kind.CONTROL)


@pytest.fixture
def officer_participation(operation, officer):
    return operation.participations.get(agency=officer.agency)


@pytest.fixture
def other_operation(outsider):
    """An operation of a French planner that nobody else takes part in."""
    return make_operation(outsider, code="FR-ONLY")


@pytest.fixture
def sibling_operation(coordinator):
    """Another operation of the coordinator's, so its code is one they can see."""
    return make_operation(coordinator, code="SIBLING-OP")


def valid_operation_input(**changes) -> dict:
    values = {
        "code": "NEW-OP",
        "name": "New operation",
        "focus": "DRUGS",
        "plannedStart": "2027-05-01T00:00:00+00:00",
        "plannedEnd": "2027-05-10T00:00:00+00:00",
        "timeZone": "Europe/Brussels",
    }
    values.update(changes)
    return values


# --- createOperation ---------------------------------------------------------------


def test_valid_operation_input_is_accepted(coordinator):
    # The baseline the refusals below deviate from by one field.
    answer = gql(coordinator, CREATE_OPERATION, {"input": valid_operation_input()})

    assert payload_errors(answer, "createOperation") == []
    assert Operation.objects.filter(code="NEW-OP").exists()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"timeZone": "Mars/Olympus_Mons"}, [("timeZone", "INVALID_TIME_ZONE")]),
        ({"timeZone": "CEST"}, [("timeZone", "INVALID_TIME_ZONE")]),
        ({"plannedEnd": "2027-04-30T00:00:00+00:00"}, [("plannedEnd", "END_BEFORE_START")]),
        ({"plannedEnd": "2027-05-01T00:00:00+00:00"}, [("plannedEnd", "END_BEFORE_START")]),
        ({"plannedStart": "2027-05-01T00:00:00"}, [("plannedStart", "INVALID")]),
        ({"plannedEnd": "2027-05-10T00:00:00"}, [("plannedEnd", "INVALID")]),
        ({"code": "op test"}, [("code", "INVALID_CODE")]),
        ({"code": "AB"}, [("code", "INVALID_CODE")]),
        ({"code": "-LEADING-HYPHEN"}, [("code", "INVALID_CODE")]),
        ({"code": "OP-TEST"}, [("code", "UNIQUE")]),
        ({"leadAgencyId": gid("Agency", MISSING_PK)}, [("leadAgencyId", "NOT_FOUND")]),
        ({"leadAgencyId": gid("Operation", 1)}, [("leadAgencyId", "INVALID_ID")]),
        ({"leadAgencyId": "garbage"}, [("leadAgencyId", "INVALID_ID")]),
    ],
    ids=[
        "unknown-zone",
        "abbreviation-zone",
        "end-before-start",
        "end-equals-start",
        "naive-start",
        "naive-end",
        "code-with-space",
        "code-too-short",
        "code-leading-hyphen",
        "duplicate-code",
        "unknown-lead-agency",
        "operation-id-as-agency",
        "garbage-agency-id",
    ],
)
def test_create_operation_refuses_bad_input_and_changes_nothing(
    operation, coordinator, changes, expected
):
    # given an existing operation OP-TEST and the state of the world
    before = world()

    # when a coordinator creates an operation with one bad field
    answer = gql(coordinator, CREATE_OPERATION, {"input": valid_operation_input(**changes)})

    # then exactly that error comes back and nothing was written
    assert payload_errors(answer, "createOperation") == expected
    assert answer["data"]["createOperation"]["operation"] is None
    assert world() == before


# --- updateOperation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"timeZone": "Europe/Atlantis"}, [("timeZone", "INVALID_TIME_ZONE")]),
        ({"plannedEnd": iso(START - timedelta(hours=1))}, [("plannedEnd", "END_BEFORE_START")]),
        ({"plannedStart": iso(END)}, [("plannedEnd", "END_BEFORE_START")]),
        ({"plannedEnd": "2027-04-01T08:00:00"}, [("plannedEnd", "INVALID")]),
        ({"code": "op_test"}, [("code", "INVALID_CODE")]),
        ({"code": "SIBLING-OP"}, [("code", "UNIQUE")]),
        ({"name": None}, [("name", "REQUIRED")]),
        ({"coordinatorIds": [gid("Agency", 1)]}, [("coordinatorIds", "INVALID_ID")]),
        ({"coordinatorIds": [gid("User", MISSING_PK)]}, [("coordinatorIds", "NOT_FOUND")]),
        ({"coordinatorIds": []}, [("coordinatorIds", "NO_COORDINATOR")]),
    ],
    ids=[
        "unknown-zone",
        "end-before-start",
        "start-after-end",
        "naive-end",
        "bad-code",
        "duplicate-code",
        "null-name",
        "agency-id-as-user",
        "unknown-user",
        "no-coordinator",
    ],
)
def test_update_operation_refuses_bad_input_and_changes_nothing(
    operation, other_operation, sibling_operation, coordinator, changes, expected
):
    before = world()

    answer = gql(
        coordinator, UPDATE_OPERATION, {"id": gid("Operation", operation.pk), "input": changes}
    )

    assert payload_errors(answer, "updateOperation") == expected
    assert world() == before


def test_a_code_held_only_by_a_hidden_operation_is_free(operation, other_operation, coordinator):
    # Refusing it would tell the coordinator that FR-ONLY exists.
    answer = gql(
        coordinator,
        UPDATE_OPERATION,
        {"id": gid("Operation", operation.pk), "input": {"code": "FR-ONLY"}},
    )

    assert payload_errors(answer, "updateOperation") == []
    assert sorted(Operation.objects.filter(code="FR-ONLY").values_list("pk", flat=True)) == sorted(
        [operation.pk, other_operation.pk]
    )


@pytest.mark.parametrize(
    ("make_id", "expected"),
    [
        (lambda op, other: gid("Operation", MISSING_PK), [("id", "NOT_FOUND")]),
        (lambda op, other: gid("Operation", other.pk), [("id", "NOT_FOUND")]),
        (lambda op, other: gid("Agency", op.lead_agency_id), [("id", "INVALID_ID")]),
        (lambda op, other: gid("Operation", "abc"), [("id", "INVALID_ID")]),
        (lambda op, other: "garbage", [("id", "INVALID_ID")]),
        (lambda op, other: "", [("id", "INVALID_ID")]),
    ],
    ids=["unknown", "hidden", "agency-id", "non-numeric-pk", "garbage", "empty"],
)
def test_update_operation_with_a_bad_id_changes_nothing(
    operation, other_operation, coordinator, make_id, expected
):
    before = world()

    answer = gql(
        coordinator,
        UPDATE_OPERATION,
        {"id": make_id(operation, other_operation), "input": {"name": "Renamed"}},
    )

    assert payload_errors(answer, "updateOperation") == expected
    assert world() == before


def test_a_hidden_operation_answers_exactly_like_a_missing_one(other_operation, coordinator):
    # given an operation the coordinator cannot see, and an id that does not exist
    hidden = gql(
        coordinator,
        UPDATE_OPERATION,
        {"id": gid("Operation", other_operation.pk), "input": {"name": "X"}},
    )
    missing = gql(
        coordinator, UPDATE_OPERATION, {"id": gid("Operation", MISSING_PK), "input": {"name": "X"}}
    )

    # then the two answers cannot be told apart
    assert hidden == missing
    assert hidden["data"]["updateOperation"]["errors"][0]["code"] == "NOT_FOUND"


def test_transition_of_an_unknown_operation_is_not_found(operation, coordinator):
    before = world()

    answer = gql(
        coordinator, TRANSITION_OPERATION, {"id": gid("Operation", MISSING_PK), "status": "PLANNED"}
    )

    assert payload_errors(answer, "transitionOperation") == [("id", "NOT_FOUND")]
    assert world() == before


# --- participations ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"agencyId": gid("Agency", MISSING_PK)}, [("agencyId", "NOT_FOUND")]),
        ({"agencyId": gid("Operation", 1)}, [("agencyId", "INVALID_ID")]),
        ({"agencyId": "garbage"}, [("agencyId", "INVALID_ID")]),
        ({"operationId": gid("Operation", MISSING_PK)}, [("operationId", "NOT_FOUND")]),
        ({"operationId": gid("Agency", 1)}, [("operationId", "INVALID_ID")]),
        ({"locations": ["XX1"]}, [("locations", "INVALID_LOCATION_CODE")]),
        ({"locations": ["XXRTM"]}, [("locations", "INVALID_LOCATION_CODE")]),
        ({"role": "LEAD"}, [("role", "LEAD_AGENCY_PARTICIPATION")]),
    ],
    ids=[
        "unknown-agency",
        "operation-id-as-agency",
        "garbage-agency",
        "unknown-operation",
        "agency-id-as-operation",
        "malformed-location",
        "locode-of-no-country",
        "lead-role",
    ],
)
def test_invite_agency_refuses_bad_input_and_changes_nothing(
    operation, coordinator, outsider, variables, expected
):
    before = world()

    answer = gql(
        coordinator,
        INVITE_AGENCY,
        {
            "operationId": gid("Operation", operation.pk),
            "agencyId": gid("Agency", outsider.agency_id),
            **variables,
        },
    )

    assert payload_errors(answer, "inviteAgency") == expected
    assert world() == before


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"participationId": gid("Participation", MISSING_PK)}, [("participationId", "NOT_FOUND")]),
        ({"participationId": "garbage"}, [("participationId", "INVALID_ID")]),
        ({"contactIds": [gid("Agency", 1)]}, [("contactIds", "INVALID_ID")]),
        ({"contactIds": [gid("User", MISSING_PK)]}, [("contactIds", "NOT_FOUND")]),
        ({"locations": ["NOT-A-CODE"]}, [("locations", "INVALID_LOCATION_CODE")]),
    ],
    ids=[
        "unknown-participation",
        "garbage-participation",
        "agency-id-as-contact",
        "unknown-contact",
        "bad-location",
    ],
)
def test_respond_to_invitation_refuses_bad_input_and_changes_nothing(
    operation, invitee, variables, expected
):
    # given the invitee's open invitation
    invitation = operation.participations.get(agency=invitee.agency)
    before = world()

    answer = gql(
        invitee,
        RESPOND_TO_INVITATION,
        {
            "participationId": gid("Participation", invitation.pk),
            "response": "ACCEPT",
            "contactIds": [gid("User", invitee.pk)],
            **variables,
        },
    )

    assert payload_errors(answer, "respondToInvitation") == expected
    assert world() == before
    invitation.refresh_from_db()
    assert invitation.state == Participation.State.INVITED


def test_an_agency_cannot_answer_another_agencys_invitation(operation, invitee, officer):
    # given the Kenyan invitation, answered by a Costa Rican officer
    invitation = operation.participations.get(agency=invitee.agency)
    before = world()

    answer = gql(
        officer,
        RESPOND_TO_INVITATION,
        {
            "participationId": gid("Participation", invitation.pk),
            "response": "DECLINE",
        },
    )

    assert payload_errors(answer, "respondToInvitation") == [("participationId", "NOT_FOUND")]
    assert world() == before


# --- time windows ------------------------------------------------------------------


def window_input(participation=None, **changes) -> dict:
    values = {
        "kind": "CONTROL",
        "locationCode": "CRSJO",
        "startsAt": iso(START + timedelta(days=5)),
        "endsAt": iso(START + timedelta(days=5, hours=8)),
    }
    if participation is not None:
        values["participationId"] = gid("Participation", participation.pk)
    values.update(changes)
    return values


def test_valid_time_window_input_is_accepted(operation, coordinator, officer_participation):
    answer = gql(
        coordinator,
        CREATE_TIME_WINDOW,
        {
            "operationId": gid("Operation", operation.pk),
            "input": window_input(officer_participation),
        },
    )

    assert payload_errors(answer, "createTimeWindow") == []
    assert operation.time_windows.count() == 3


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"endsAt": iso(START + timedelta(days=4))}, [("endsAt", "END_BEFORE_START")]),
        ({"endsAt": iso(START + timedelta(days=5))}, [("endsAt", "END_BEFORE_START")]),
        ({"startsAt": iso(START - timedelta(minutes=1))}, [("startsAt", "OUTSIDE_OPERATION_SPAN")]),
        ({"endsAt": iso(END + timedelta(minutes=1))}, [("endsAt", "OUTSIDE_OPERATION_SPAN")]),
        (
            {
                "startsAt": iso(START - timedelta(days=60)),
                "endsAt": iso(START - timedelta(days=59)),
            },
            [("startsAt", "OUTSIDE_OPERATION_SPAN")],
        ),
        ({"startsAt": "2027-03-06T08:00:00"}, [("startsAt", "INVALID")]),
        ({"locationCode": "XX1"}, [("locationCode", "INVALID_LOCATION_CODE")]),
        ({"locationCode": "ZZRTM"}, [("locationCode", "INVALID_LOCATION_CODE")]),
        ({"locationCode": "sjo"}, [("locationCode", "INVALID_LOCATION_CODE")]),
        ({"locationCode": None}, [("locationCode", "LOCATION_REQUIRED")]),
        ({"latitude": 95.0, "longitude": 10.0}, [("latitude", "INVALID_COORDINATES")]),
        ({"latitude": -90.5, "longitude": 10.0}, [("latitude", "INVALID_COORDINATES")]),
        ({"latitude": 10.0, "longitude": 180.5}, [("longitude", "INVALID_COORDINATES")]),
        ({"locationCode": None, "latitude": 10.0}, [("latitude", "INVALID_COORDINATES")]),
        ({"participationId": None}, [("participationId", "PARTICIPATION_REQUIRED")]),
        ({"kind": "OPERATIONAL"}, [("participationId", "PARTICIPATION_NOT_ALLOWED")]),
        ({"participationId": gid("Participation", MISSING_PK)}, [("participationId", "NOT_FOUND")]),
        ({"participationId": gid("Operation", 1)}, [("participationId", "INVALID_ID")]),
    ],
    ids=[
        "reversed",
        "zero-length",
        "starts-before-operation",
        "ends-after-operation",
        "entirely-before-operation",
        "naive-start",
        "malformed-location",
        "locode-of-no-country",
        "lower-case-iata",
        "no-location",
        "latitude-above-90",
        "latitude-below-minus-90",
        "longitude-above-180",
        "latitude-without-longitude",
        "control-without-participation",
        "phase-with-participation",
        "unknown-participation",
        "operation-id-as-participation",
    ],
)
def test_create_time_window_refuses_bad_input_and_changes_nothing(
    operation, coordinator, officer_participation, changes, expected
):
    before = world()

    answer = gql(
        coordinator,
        CREATE_TIME_WINDOW,
        {
            "operationId": gid("Operation", operation.pk),
            "input": window_input(officer_participation, **changes),
        },
    )

    assert payload_errors(answer, "createTimeWindow") == expected
    assert answer["data"]["createTimeWindow"]["timeWindow"] is None
    assert world() == before


def test_control_window_for_a_participation_of_another_operation_is_not_found(
    operation, other_operation, coordinator
):
    # given a participation (the French lead) of an operation the coordinator cannot see
    foreign = other_operation.participations.get()
    before = world()

    answer = gql(
        coordinator,
        CREATE_TIME_WINDOW,
        {
            "operationId": gid("Operation", operation.pk),
            "input": window_input(foreign),
        },
    )

    assert payload_errors(answer, "createTimeWindow") == [("participationId", "NOT_FOUND")]
    assert world() == before


@pytest.mark.parametrize(
    ("operation_id", "expected"),
    [
        (gid("Operation", MISSING_PK), [("operationId", "NOT_FOUND")]),
        (gid("Agency", 1), [("operationId", "INVALID_ID")]),
        ("garbage", [("operationId", "INVALID_ID")]),
    ],
    ids=["unknown", "agency-id", "garbage"],
)
def test_create_time_window_in_a_bad_operation_changes_nothing(
    operation, coordinator, operation_id, expected
):
    before = world()

    answer = gql(
        coordinator,
        CREATE_TIME_WINDOW,
        {
            "operationId": operation_id,
            "input": window_input(kind="OPERATIONAL", locationCode=None),
        },
    )

    assert payload_errors(answer, "createTimeWindow") == expected
    assert world() == before


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"endsAt": iso(START + timedelta(days=2))}, [("endsAt", "END_BEFORE_START")]),
        ({"endsAt": iso(END + timedelta(days=1))}, [("endsAt", "OUTSIDE_OPERATION_SPAN")]),
        ({"locationCode": "12345"}, [("locationCode", "INVALID_LOCATION_CODE")]),
        ({"latitude": 91.0, "longitude": 0.0}, [("latitude", "INVALID_COORDINATES")]),
        ({"participationId": None}, [("participationId", "PARTICIPATION_REQUIRED")]),
        ({"kind": "BRIEFING"}, [("participationId", "PARTICIPATION_NOT_ALLOWED")]),
        ({"startsAt": None}, [("startsAt", "REQUIRED")]),
        ({"kind": None}, [("kind", "REQUIRED")]),
        ({"endsAt": "2027-03-04T18:00:00"}, [("endsAt", "INVALID")]),
    ],
    ids=[
        "reversed",
        "outside-span",
        "bad-location",
        "bad-latitude",
        "control-loses-participation",
        "becomes-phase-with-participation",
        "null-start",
        "null-kind",
        "naive-end",
    ],
)
def test_update_time_window_refuses_bad_input_and_changes_nothing(
    operation, coordinator, control_window, changes, expected
):
    before = world()

    answer = gql(
        coordinator,
        UPDATE_TIME_WINDOW,
        {"id": gid("TimeWindow", control_window.pk), "input": changes},
    )

    assert payload_errors(answer, "updateTimeWindow") == expected
    assert world() == before
    control_window.refresh_from_db()
    assert control_window.revision == 0


@pytest.mark.parametrize(
    "document", [UPDATE_TIME_WINDOW, DELETE_TIME_WINDOW], ids=["update", "delete"]
)
@pytest.mark.parametrize(
    ("make_id", "expected"),
    [
        (lambda window: gid("TimeWindow", MISSING_PK), [("id", "NOT_FOUND")]),
        (lambda window: gid("Operation", window.operation_id), [("id", "INVALID_ID")]),
        (lambda window: "garbage", [("id", "INVALID_ID")]),
    ],
    ids=["unknown", "operation-id", "garbage"],
)
def test_time_window_mutations_with_a_bad_id_change_nothing(
    operation, coordinator, control_window, document, make_id, expected
):
    before = world()
    variables = {"id": make_id(control_window)}
    if document is UPDATE_TIME_WINDOW:
        variables["input"] = {"notes": "changed"}

    answer = gql(coordinator, document, variables)

    name = "updateTimeWindow" if document is UPDATE_TIME_WINDOW else "deleteTimeWindow"
    assert payload_errors(answer, name) == expected
    assert world() == before


def test_a_deleted_window_can_be_neither_updated_nor_deleted_again(
    operation, coordinator, control_window
):
    # given a deleted control window
    time_window_delete(actor=coordinator, window=control_window)
    before = world()
    window_id = gid("TimeWindow", control_window.pk)

    # when it is updated or deleted again
    updated = gql(coordinator, UPDATE_TIME_WINDOW, {"id": window_id, "input": {"notes": "x"}})
    deleted = gql(coordinator, DELETE_TIME_WINDOW, {"id": window_id})

    # then it is not found and keeps its revision and deletion time
    assert payload_errors(updated, "updateTimeWindow") == [("id", "NOT_FOUND")]
    assert payload_errors(deleted, "deleteTimeWindow") == [("id", "NOT_FOUND")]
    assert world() == before


# --- queries: page sizes, filters, ids ----------------------------------------------


@pytest.mark.parametrize(
    "variables",
    [{"first": 1000}, {"first": 101}, {"first": -1}, {"last": 1000}, {"last": -5}],
    ids=["first-1000", "first-101", "first-negative", "last-1000", "last-negative"],
)
def test_oversized_or_negative_pages_are_refused(operation, coordinator, variables):
    answer = gql(coordinator, OPERATIONS_PAGE, variables)

    assert top_level_codes(answer) == ["PAGE_SIZE_INVALID"]
    assert answer["data"] == {"operations": None}


def test_the_largest_page_is_allowed(operation, coordinator):
    answer = gql(coordinator, OPERATIONS_PAGE, {"first": 100})

    assert "errors" not in answer
    assert answer["data"]["operations"]["totalCount"] == 1


def test_oversized_agency_pages_are_refused(coordinator):
    answer = gql(coordinator, AGENCIES_PAGE, {"first": 1000})

    assert top_level_codes(answer) == ["PAGE_SIZE_INVALID"]
    assert answer["data"] == {"agencies": None}


@pytest.mark.parametrize(
    "variables",
    [
        {"status": ["BOGUS"]},
        {"status": ["ACTIVE", "active"]},
        {"focus": ["drugs"]},
        {"myRole": "BOGUS"},
        {"myRole": "coordinator"},
    ],
    ids=[
        "unknown-status",
        "value-not-name",
        "focus-value-not-name",
        "unknown-role",
        "lower-case-role",
    ],
)
def test_bad_filter_values_are_refused_with_invalid_filter(operation, coordinator, variables):
    answer = gql(coordinator, OPERATIONS_FILTERED, variables)

    assert top_level_codes(answer) == ["INVALID_FILTER"]
    assert answer["data"] == {"operations": None}


def test_a_date_filter_that_is_no_date_is_refused_before_running(operation, coordinator):
    client = Client()
    client.force_login(coordinator)

    response = client.post(
        "/graphql/",
        {"query": OPERATIONS_FROM, "variables": {"dateFrom": "next tuesday"}},
        content_type="application/json",
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert len(errors) == 1
    assert "DateTime" in errors[0]["message"]


def test_a_date_filter_without_an_offset_is_refused_like_in_mutations(operation, coordinator):
    answer = gql(coordinator, OPERATIONS_FROM, {"dateFrom": "2027-03-01T00:00:00"})

    assert top_level_codes(answer) == ["INVALID_FILTER"]
    assert answer["data"] == {"operations": None}


@pytest.mark.parametrize(
    "make_id",
    [
        lambda op: "garbage",
        lambda op: gid("Agency", op.lead_agency_id),
        lambda op: gid("Operation", "x"),
    ],
    ids=["garbage", "agency-id", "non-numeric-pk"],
)
def test_operation_with_a_malformed_id_is_a_top_level_invalid_id(operation, coordinator, make_id):
    answer = gql(coordinator, OPERATION, {"id": make_id(operation)})

    assert top_level_codes(answer) == ["INVALID_ID"]
    assert answer["data"] == {"operation": None}


def test_operation_with_an_unknown_or_hidden_id_is_null_without_error(
    operation, other_operation, coordinator
):
    missing = gql(coordinator, OPERATION, {"id": gid("Operation", MISSING_PK)})
    hidden = gql(coordinator, OPERATION, {"id": gid("Operation", other_operation.pk)})

    assert missing == hidden == {"data": {"operation": None}}


def test_node_with_an_unknown_or_hidden_operation_id_is_null_without_error(
    operation, other_operation, coordinator
):
    missing = gql(coordinator, NODE, {"id": gid("Operation", MISSING_PK)})
    hidden = gql(coordinator, NODE, {"id": gid("Operation", other_operation.pk)})

    assert missing == hidden == {"data": {"node": None}}


@pytest.mark.parametrize("node_id", ["garbage", gid("Nope", 1)], ids=["garbage", "unknown-type"])
def test_node_with_a_malformed_id_is_a_top_level_invalid_id(coordinator, node_id):
    answer = gql(coordinator, NODE, {"id": node_id})

    assert top_level_codes(answer) == ["INVALID_ID"]
    assert answer["data"] == {"node": None}


def test_node_answers_an_agency_id(coordinator):
    answer = gql(coordinator, NODE_AGENCY, {"id": gid("Agency", coordinator.agency_id)})

    assert answer == {
        "data": {"node": {"id": gid("Agency", coordinator.agency_id), "acronym": "WCO"}}
    }


def test_node_answers_the_viewers_own_user_id(coordinator):
    answer = gql(coordinator, NODE, {"id": gid("User", coordinator.pk)})

    assert answer == {"data": {"node": {"id": gid("User", coordinator.pk)}}}


def test_participation_response_on_a_closed_operation_changes_nothing(
    operation, coordinator, invitee
):
    # given the invitee's invitation to an operation that was cancelled
    operation_transition(actor=coordinator, operation=operation, to_status="cancelled")
    invitation = operation.participations.get(agency=invitee.agency)
    before = world()

    answer = gql(
        invitee,
        RESPOND_TO_INVITATION,
        {
            "participationId": gid("Participation", invitation.pk),
            "response": "ACCEPT",
        },
    )

    assert [code for _, code in payload_errors(answer, "respondToInvitation")] == [
        "OPERATION_NOT_EDITABLE"
    ]
    assert world() == before
