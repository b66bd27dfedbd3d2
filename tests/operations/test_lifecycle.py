"""The lifecycle of an operation: draft -> planned -> active -> closed -> archived, plus
cancelled from draft, planned and active; preconditions; what may still change."""

from datetime import timedelta

import pytest
from graphql_relay import to_global_id

from audit.models import AuditEvent
from operations.models import Operation, Participation
from operations.services import operation_transition, participation_invite
from tests.conftest import END, START, accept, gql, make_operation
from timeline.models import TimeWindow
from timeline.services import time_window_create, time_window_delete

TRANSITION_OPERATION = """
mutation TransitionOperation($id: ID!, $status: OperationStatus!, $reason: String) {
  transitionOperation(id: $id, status: $status, reason: $reason) {
    operation { id status allowedTransitions }
    errors { field code message }
  }
}
"""

UPDATE_OPERATION = """
mutation UpdateOperation($id: ID!, $input: OperationUpdateInput!) {
  updateOperation(id: $id, input: $input) {
    operation { id code name plannedStart plannedEnd timeZone }
    errors { field code message }
  }
}
"""

INVITE_AGENCY = """
mutation InviteAgency($operationId: ID!, $agencyId: ID!) {
  inviteAgency(operationId: $operationId, agencyId: $agencyId) {
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

OPERATION = "query One($id: ID!) { operation(id: $id) { status allowedTransitions } }"

S = Operation.Status
# Written out by hand, not read from the service, so that a change there is noticed.
LEGAL = {
    (S.DRAFT, S.PLANNED),
    (S.DRAFT, S.CANCELLED),
    (S.PLANNED, S.ACTIVE),
    (S.PLANNED, S.CANCELLED),
    (S.ACTIVE, S.CLOSED),
    (S.ACTIVE, S.CANCELLED),
    (S.CLOSED, S.ARCHIVED),
}
ALLOWED_NEXT = {
    S.DRAFT: ["CANCELLED", "PLANNED"],
    S.PLANNED: ["ACTIVE", "CANCELLED"],
    S.ACTIVE: ["CANCELLED", "CLOSED"],
    S.CLOSED: ["ARCHIVED"],
    S.ARCHIVED: [],
    S.CANCELLED: [],
}
# How to reach each status from draft.
PATH = {
    S.DRAFT: [],
    S.PLANNED: [S.PLANNED],
    S.ACTIVE: [S.PLANNED, S.ACTIVE],
    S.CLOSED: [S.PLANNED, S.ACTIVE, S.CLOSED],
    S.ARCHIVED: [S.PLANNED, S.ACTIVE, S.CLOSED, S.ARCHIVED],
    S.CANCELLED: [S.CANCELLED],
}
GRID = [(a, b) for a in S for b in S]
NOT_EDITABLE = [S.CLOSED, S.ARCHIVED, S.CANCELLED]
EDITABLE = [S.DRAFT, S.PLANNED, S.ACTIVE]


def gid(operation) -> str:
    return to_global_id("Operation", operation.pk)


def bring_to(operation, coordinator, status) -> Operation:
    for step in PATH[status]:
        operation_transition(actor=coordinator, operation=operation, to_status=step)
    operation.refresh_from_db()
    assert operation.status == status
    return operation


def payload(answer: dict, mutation: str) -> dict:
    assert "errors" not in answer, answer
    return answer["data"][mutation]


def codes(data: dict) -> list[str]:
    return [error["code"] for error in data["errors"]]


def audit_count(operation) -> int:
    return AuditEvent.objects.filter(operation=operation).count()


def transition(user, operation, status, reason=None) -> dict:
    variables = {"id": gid(operation), "status": status.name}
    if reason is not None:
        variables["reason"] = reason
    return payload(gql(user, TRANSITION_OPERATION, variables), "transitionOperation")


@pytest.mark.parametrize(("from_status", "to_status"), sorted(LEGAL))
def test_every_legal_transition_is_made_and_audited(operation, coordinator, from_status, to_status):
    # given an operation in `from_status`
    bring_to(operation, coordinator, from_status)
    events_before = audit_count(operation)

    # when the coordinator moves it on
    data = transition(coordinator, operation, to_status, reason="as planned")

    # then it has the new status, offers the next steps, and the change is audited
    assert data["errors"] == []
    assert data["operation"]["status"] == to_status.name
    assert data["operation"]["allowedTransitions"] == ALLOWED_NEXT[to_status]
    operation.refresh_from_db()
    assert operation.status == to_status
    assert audit_count(operation) == events_before + 1
    event = AuditEvent.objects.filter(operation=operation).latest("id")
    assert event.action == "operation.transition"
    assert event.actor == coordinator
    assert event.before == {"status": from_status.value}
    assert event.after == {"status": to_status.value, "reason": "as planned"}


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [pair for pair in GRID if pair not in LEGAL],
    ids=[f"{a.value}-{b.value}" for a, b in GRID if (a, b) not in LEGAL],
)
def test_every_illegal_transition_is_refused(operation, coordinator, from_status, to_status):
    # given an operation in `from_status`
    bring_to(operation, coordinator, from_status)
    events_before = audit_count(operation)
    updated_at = Operation.objects.get(pk=operation.pk).updated_at

    # when the coordinator tries a move the lifecycle does not allow
    data = transition(coordinator, operation, to_status)

    # then it is refused with one error, and nothing changes
    assert [(e["field"], e["code"]) for e in data["errors"]] == [("status", "INVALID_TRANSITION")]
    assert data["operation"] is None
    operation.refresh_from_db()
    assert operation.status == from_status
    assert operation.updated_at == updated_at
    assert audit_count(operation) == events_before


@pytest.mark.parametrize("status", list(S))
def test_allowed_transitions_are_shown_to_coordinators_only(
    operation, coordinator, officer, status
):
    bring_to(operation, coordinator, status)

    as_coordinator = gql(coordinator, OPERATION, {"id": gid(operation)})["data"]["operation"]
    as_officer = gql(officer, OPERATION, {"id": gid(operation)})["data"]["operation"]

    assert as_coordinator == {"status": status.name, "allowedTransitions": ALLOWED_NEXT[status]}
    assert as_officer == {"status": status.name, "allowedTransitions": []}


def test_a_participant_cannot_move_the_operation(operation, officer):
    data = transition(officer, operation, S.PLANNED)

    assert [(e["field"], e["code"]) for e in data["errors"]] == [("id", "PERMISSION_DENIED")]
    operation.refresh_from_db()
    assert operation.status == S.DRAFT


def test_an_outsider_cannot_even_find_the_operation_to_move(operation, outsider):
    data = transition(outsider, operation, S.PLANNED)

    assert [(e["field"], e["code"]) for e in data["errors"]] == [("id", "NOT_FOUND")]
    operation.refresh_from_db()
    assert operation.status == S.DRAFT


# --- preconditions of activation ----------------------------------------------------


def operational_phase(coordinator, operation) -> TimeWindow:
    return time_window_create(
        actor=coordinator,
        operation=operation,
        kind=TimeWindow.Kind.OPERATIONAL,
        starts_at=START + timedelta(days=1),
        ends_at=START + timedelta(days=10),
    )


def test_activation_needs_an_accepted_participant(coordinator, observer, invitee):
    # given a planned operation with an operational phase, an accepted observer and an
    # invited (not yet accepted) agency, but no accepted participant
    operation = make_operation(coordinator, code="NO-PARTICIPANT")
    operational_phase(coordinator, operation)
    accept(operation, coordinator, observer, role=Participation.Role.OBSERVER)
    participation_invite(actor=coordinator, operation=operation, agency=invitee.agency)
    bring_to(operation, coordinator, S.PLANNED)
    events_before = audit_count(operation)

    data = transition(coordinator, operation, S.ACTIVE)

    assert [(e["field"], e["code"]) for e in data["errors"]] == [
        ("status", "NO_ACCEPTED_PARTICIPANT")
    ]
    operation.refresh_from_db()
    assert operation.status == S.PLANNED
    assert audit_count(operation) == events_before


def test_activation_needs_an_operational_phase(coordinator, officer):
    # given a planned operation with an accepted participant and every phase but the
    # operational one
    operation = make_operation(coordinator, code="NO-PHASE")
    accept(operation, coordinator, officer)
    for day, kind in enumerate(
        [TimeWindow.Kind.PLANNING, TimeWindow.Kind.BRIEFING, TimeWindow.Kind.FOLLOW_UP]
    ):
        time_window_create(
            actor=coordinator,
            operation=operation,
            kind=kind,
            starts_at=START + timedelta(days=day),
            ends_at=START + timedelta(days=day + 1),
        )
    bring_to(operation, coordinator, S.PLANNED)

    data = transition(coordinator, operation, S.ACTIVE)

    assert [(e["field"], e["code"]) for e in data["errors"]] == [("status", "NO_OPERATIONAL_PHASE")]
    operation.refresh_from_db()
    assert operation.status == S.PLANNED


def test_a_deleted_operational_phase_does_not_count(operation, coordinator):
    # given the fixture's operation (it could be activated) whose windows are deleted,
    # the control window first (it must lie inside an operational phase), then the phase
    bring_to(operation, coordinator, S.PLANNED)
    time_window_delete(actor=coordinator, window=operation.time_windows.get(kind="control"))
    time_window_delete(actor=coordinator, window=operation.time_windows.get(kind="operational"))

    data = transition(coordinator, operation, S.ACTIVE)

    assert codes(data) == ["NO_OPERATIONAL_PHASE"]
    operation.refresh_from_db()
    assert operation.status == S.PLANNED

    # and once a new operational phase is planned, activation succeeds
    operational_phase(coordinator, operation)
    assert transition(coordinator, operation, S.ACTIVE)["errors"] == []


def test_with_neither_participant_nor_phase_the_first_missing_thing_is_reported(coordinator):
    operation = make_operation(coordinator, code="EMPTY-OP")
    bring_to(operation, coordinator, S.PLANNED)

    data = transition(coordinator, operation, S.ACTIVE)

    assert codes(data) == ["NO_ACCEPTED_PARTICIPANT"]


def test_preconditions_do_not_apply_to_cancelling(coordinator):
    # An empty operation can still be planned and cancelled.
    operation = make_operation(coordinator, code="EMPTY-OP")

    assert transition(coordinator, operation, S.PLANNED)["errors"] == []
    assert transition(coordinator, operation, S.CANCELLED)["errors"] == []


# --- what may still change ------------------------------------------------------------


@pytest.mark.parametrize("status", NOT_EDITABLE)
def test_finished_operations_cannot_be_updated(operation, coordinator, status):
    # given a closed, archived or cancelled operation
    bring_to(operation, coordinator, status)
    row = Operation.objects.filter(pk=operation.pk).values().get()
    events_before = audit_count(operation)

    # when the coordinator changes its plan
    data = payload(
        gql(coordinator, UPDATE_OPERATION, {"id": gid(operation), "input": {"name": "Renamed"}}),
        "updateOperation",
    )

    # then it is refused and nothing changes
    assert [(e["field"], e["code"]) for e in data["errors"]] == [("id", "OPERATION_NOT_EDITABLE")]
    assert Operation.objects.filter(pk=operation.pk).values().get() == row
    assert audit_count(operation) == events_before


@pytest.mark.parametrize("status", NOT_EDITABLE)
def test_finished_operations_take_no_new_windows_or_invitations(
    operation, coordinator, outsider, status
):
    bring_to(operation, coordinator, status)
    windows = operation.time_windows.count()
    participations = operation.participations.count()

    window = payload(
        gql(
            coordinator,
            CREATE_TIME_WINDOW,
            {
                "operationId": gid(operation),
                "input": {
                    "kind": "FOLLOW_UP",
                    "startsAt": (START + timedelta(days=21)).isoformat(),
                    "endsAt": (START + timedelta(days=22)).isoformat(),
                },
            },
        ),
        "createTimeWindow",
    )
    invitation = payload(
        gql(
            coordinator,
            INVITE_AGENCY,
            {
                "operationId": gid(operation),
                "agencyId": to_global_id("Agency", outsider.agency_id),
            },
        ),
        "inviteAgency",
    )

    assert [(e["field"], e["code"]) for e in window["errors"]] == [
        ("operationId", "OPERATION_NOT_EDITABLE")
    ]
    assert codes(invitation) == ["OPERATION_NOT_EDITABLE"]
    assert operation.time_windows.count() == windows
    assert operation.participations.count() == participations


@pytest.mark.parametrize("status", EDITABLE)
def test_draft_planned_and_active_operations_can_be_updated(operation, coordinator, status):
    bring_to(operation, coordinator, status)

    data = payload(
        gql(coordinator, UPDATE_OPERATION, {"id": gid(operation), "input": {"name": "Renamed"}}),
        "updateOperation",
    )

    assert data["errors"] == []
    assert data["operation"]["name"] == "Renamed"
    operation.refresh_from_db()
    assert operation.name == "Renamed"


def test_the_code_changes_in_draft(operation, coordinator):
    data = payload(
        gql(coordinator, UPDATE_OPERATION, {"id": gid(operation), "input": {"code": "OP-RENAMED"}}),
        "updateOperation",
    )

    assert data["errors"] == []
    assert data["operation"]["code"] == "OP-RENAMED"
    operation.refresh_from_db()
    assert operation.code == "OP-RENAMED"


@pytest.mark.parametrize("status", [S.PLANNED, S.ACTIVE])
def test_the_code_is_fixed_once_the_operation_leaves_draft(operation, coordinator, status):
    bring_to(operation, coordinator, status)
    events_before = audit_count(operation)

    data = payload(
        gql(
            coordinator,
            UPDATE_OPERATION,
            {
                "id": gid(operation),
                "input": {"code": "OP-RENAMED", "name": "Renamed"},
            },
        ),
        "updateOperation",
    )

    assert [(e["field"], e["code"]) for e in data["errors"]] == [("code", "OPERATION_NOT_EDITABLE")]
    operation.refresh_from_db()
    assert (operation.code, operation.name) == ("OP-TEST", "Test operation")
    assert audit_count(operation) == events_before


def test_sending_the_same_code_after_draft_is_not_a_change(operation, coordinator):
    bring_to(operation, coordinator, S.PLANNED)

    data = payload(
        gql(
            coordinator,
            UPDATE_OPERATION,
            {
                "id": gid(operation),
                "input": {"code": "OP-TEST", "name": "Renamed"},
            },
        ),
        "updateOperation",
    )

    assert data["errors"] == []
    assert data["operation"]["name"] == "Renamed"


@pytest.mark.parametrize(
    "dates",
    [
        # The operational phase runs from day 2 to day 20, a control window on day 3.
        {"plannedEnd": (START + timedelta(days=10)).isoformat()},
        {"plannedStart": (START + timedelta(days=5)).isoformat()},
        {
            "plannedStart": (END + timedelta(days=1)).isoformat(),
            "plannedEnd": (END + timedelta(days=40)).isoformat(),
        },
    ],
    ids=["end-cuts-phase", "start-cuts-windows", "moved-entirely-later"],
)
def test_moving_dates_so_a_window_falls_outside_is_refused(operation, coordinator, dates):
    # given the fixture's operation and its two windows
    row = Operation.objects.filter(pk=operation.pk).values().get()
    windows = list(TimeWindow.objects.filter(operation=operation).values())
    events_before = audit_count(operation)

    # when the coordinator moves its dates so a window would fall outside
    data = payload(
        gql(coordinator, UPDATE_OPERATION, {"id": gid(operation), "input": dates}),
        "updateOperation",
    )

    # then it is refused with one error, and neither the operation nor its windows change
    assert codes(data) == ["WINDOWS_OUTSIDE_SPAN"]
    assert data["operation"] is None
    assert Operation.objects.filter(pk=operation.pk).values().get() == row
    assert list(TimeWindow.objects.filter(operation=operation).values()) == windows
    assert audit_count(operation) == events_before


def test_deleted_windows_do_not_hold_the_dates(operation, coordinator):
    # given a follow-up phase on days 25-26, deleted; the live windows lie in days 2-20
    follow_up = time_window_create(
        actor=coordinator,
        operation=operation,
        kind=TimeWindow.Kind.FOLLOW_UP,
        starts_at=START + timedelta(days=25),
        ends_at=START + timedelta(days=26),
    )
    time_window_delete(actor=coordinator, window=follow_up)

    # when the span is narrowed to days 2-20, outside of which only the deleted phase lies
    data = payload(
        gql(
            coordinator,
            UPDATE_OPERATION,
            {
                "id": gid(operation),
                "input": {
                    "plannedStart": (START + timedelta(days=2)).isoformat(),
                    "plannedEnd": (START + timedelta(days=20)).isoformat(),
                },
            },
        ),
        "updateOperation",
    )

    # then the change is made
    assert data["errors"] == []
    operation.refresh_from_db()
    assert operation.planned_start == START + timedelta(days=2)
    assert operation.planned_end == START + timedelta(days=20)


def test_an_update_is_audited_with_before_and_after_of_the_changed_fields_only(
    operation, coordinator
):
    # when the coordinator renames the operation and moves its end
    new_end = END + timedelta(days=5)
    data = payload(
        gql(
            coordinator,
            UPDATE_OPERATION,
            {
                "id": gid(operation),
                "input": {
                    "name": "Renamed",
                    "plannedEnd": new_end.isoformat(),
                    "timeZone": "Europe/Brussels",
                },
            },
        ),
        "updateOperation",
    )

    # then one event records exactly the two changes (the unchanged zone is left out)
    assert data["errors"] == []
    event = AuditEvent.objects.filter(operation=operation).latest("id")
    assert event.action == "operation.update"
    assert event.actor == coordinator
    assert event.object_id == str(operation.pk)
    assert event.before == {"name": "Test operation", "planned_end": END.isoformat()}
    assert event.after == {"name": "Renamed", "planned_end": new_end.isoformat()}


def test_an_update_that_changes_nothing_writes_no_audit_event(operation, coordinator):
    events_before = audit_count(operation)

    data = payload(
        gql(
            coordinator,
            UPDATE_OPERATION,
            {
                "id": gid(operation),
                "input": {
                    "name": "Test operation",
                    "timeZone": "Europe/Brussels",
                },
            },
        ),
        "updateOperation",
    )

    assert data["errors"] == []
    assert audit_count(operation) == events_before


def test_the_same_dates_given_in_local_time_are_not_a_change(operation, coordinator):
    # given START is 2027-03-01 08:00 UTC, 09:00 in Brussels
    events_before = audit_count(operation)

    data = payload(
        gql(
            coordinator,
            UPDATE_OPERATION,
            {
                "id": gid(operation),
                "input": {
                    "plannedStart": "2027-03-01T09:00:00+01:00",
                },
            },
        ),
        "updateOperation",
    )

    assert data["errors"] == []
    assert audit_count(operation) == events_before


def test_a_change_of_coordinators_is_audited(operation, coordinator, officer):
    data = payload(
        gql(
            coordinator,
            UPDATE_OPERATION,
            {
                "id": gid(operation),
                "input": {
                    "coordinatorIds": [
                        to_global_id("User", coordinator.pk),
                        to_global_id("User", officer.pk),
                    ],
                },
            },
        ),
        "updateOperation",
    )

    assert data["errors"] == []
    event = AuditEvent.objects.filter(operation=operation).latest("id")
    assert event.before == {"coordinators": [coordinator.pk]}
    assert event.after == {"coordinators": sorted([coordinator.pk, officer.pk])}


def test_every_status_change_of_a_full_lifecycle_is_audited_in_order(operation, coordinator):
    for status in (S.PLANNED, S.ACTIVE, S.CLOSED, S.ARCHIVED):
        assert transition(coordinator, operation, status)["errors"] == []

    events = AuditEvent.objects.filter(operation=operation, action="operation.transition")
    assert [(e.before["status"], e.after["status"]) for e in events] == [
        ("draft", "planned"),
        ("planned", "active"),
        ("active", "closed"),
        ("closed", "archived"),
    ]
