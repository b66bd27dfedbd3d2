"""Phases and control windows through GraphQL: stored in UTC, shown in the operation's
time zone, revised on every change, soft-deleted, placed by code or coordinates."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from graphql_relay import from_global_id, to_global_id

from audit.models import AuditEvent
from operations.services import InvitationResponse, participation_respond
from tests.conftest import START, gql, make_operation
from timeline.models import TimeWindow

WINDOW_FIELDS = """
  id kind isPhase startsAt endsAt startsAtLocal endsAtLocal timeZone
  locationCode locationCodeKind locationName latitude longitude notes revision
  participation { agency { acronym } }
"""

CREATE_TIME_WINDOW = f"""
mutation CreateTimeWindow($operationId: ID!, $input: TimeWindowInput!) {{
  createTimeWindow(operationId: $operationId, input: $input) {{
    timeWindow {{ {WINDOW_FIELDS} }}
    errors {{ field code message }}
  }}
}}
"""

UPDATE_TIME_WINDOW = f"""
mutation UpdateTimeWindow($id: ID!, $input: TimeWindowInput!) {{
  updateTimeWindow(id: $id, input: $input) {{
    timeWindow {{ {WINDOW_FIELDS} }}
    errors {{ field code message }}
  }}
}}
"""

DELETE_TIME_WINDOW = """
mutation DeleteTimeWindow($id: ID!) {
  deleteTimeWindow(id: $id) { timeWindow { id revision } errors { field code message } }
}
"""

UPDATE_OPERATION = """
mutation UpdateOperation($id: ID!, $input: OperationUpdateInput!) {
  updateOperation(id: $id, input: $input) { errors { field code message } }
}
"""

OPERATION_WINDOWS = """
query Windows($id: ID!) {
  operation(id: $id) {
    plannedStartLocal plannedEndLocal
    timeWindows { id kind startsAtLocal }
  }
}
"""

WINDOW_NODE = """
query Node($id: ID!) {
  node(id: $id) { id ... on TimeWindow { kind revision startsAtLocal } }
}
"""


def gid(type_name, pk) -> str:
    return to_global_id(type_name, pk)


def payload(answer: dict, mutation: str) -> dict:
    assert "errors" not in answer, answer
    return answer["data"][mutation]


def field_codes(data: dict) -> list[tuple[str | None, str]]:
    return [(error["field"], error["code"]) for error in data["errors"]]


def create(user, operation, **fields) -> dict:
    return payload(
        gql(
            user,
            CREATE_TIME_WINDOW,
            {
                "operationId": gid("Operation", operation.pk),
                "input": fields,
            },
        ),
        "createTimeWindow",
    )


def update(user, window_id, **fields) -> dict:
    return payload(
        gql(user, UPDATE_TIME_WINDOW, {"id": window_id, "input": fields}), "updateTimeWindow"
    )


def delete(user, window_id) -> dict:
    return payload(gql(user, DELETE_TIME_WINDOW, {"id": window_id}), "deleteTimeWindow")


def stored_utc(window_pk: int, column: str) -> datetime:
    """The value as the database holds it, read with raw SQL (no ORM conversion)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM timeline_timewindow WHERE id = %s", [window_pk])
        value = cursor.fetchone()[0]
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:  # SQLite: UTC wall time, without an offset
        return value.replace(tzinfo=UTC)
    assert value.utcoffset() == timedelta(0)  # PostgreSQL: timestamptz, session in UTC
    return value


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def pk_of(global_id: str) -> int:
    return int(from_global_id(global_id).id)


@pytest.fixture
def officer_participation(operation, officer):
    return operation.participations.get(agency=officer.agency)


@pytest.fixture
def control_window(operation):
    return operation.time_windows.get(kind=TimeWindow.Kind.CONTROL)


# --- create -----------------------------------------------------------------------------


def test_a_phase_is_created_and_audited(operation, coordinator):
    # when the coordinator plans a briefing phase on day 1, given in Brussels time
    data = create(
        coordinator,
        operation,
        kind="BRIEFING",
        startsAt="2027-03-02T09:00:00+01:00",
        endsAt="2027-03-02T12:30:00+01:00",
        notes="Kick-off call",
    )

    # then it belongs to the whole operation, stored in UTC, shown in Brussels time
    assert data["errors"] == []
    window = data["timeWindow"]
    assert window["kind"] == "BRIEFING"
    assert window["isPhase"] is True
    assert window["participation"] is None
    assert instant(window["startsAt"]) == datetime(2027, 3, 2, 8, tzinfo=UTC)
    assert window["startsAtLocal"] == "2027-03-02T09:00:00+01:00"
    assert window["endsAtLocal"] == "2027-03-02T12:30:00+01:00"
    assert window["timeZone"] == "Europe/Brussels"
    assert window["revision"] == 0
    assert window["notes"] == "Kick-off call"
    assert stored_utc(pk_of(window["id"]), "starts_at") == datetime(2027, 3, 2, 8, tzinfo=UTC)
    event = AuditEvent.objects.filter(operation=operation).latest("id")
    assert event.action == "time_window.create"
    assert event.actor == coordinator
    assert event.object_id == str(pk_of(window["id"]))
    assert event.before is None
    assert event.after["kind"] == "briefing"
    assert instant(event.after["starts_at"]) == datetime(2027, 3, 2, 8, tzinfo=UTC)


def test_the_audit_records_window_times_in_utc_whatever_offset_was_given(operation, coordinator):
    data = create(
        coordinator,
        operation,
        kind="BRIEFING",
        startsAt="2027-03-02T09:00:00+01:00",
        endsAt="2027-03-02T12:30:00+01:00",
    )

    event = AuditEvent.objects.get(
        action="time_window.create", object_id=str(pk_of(data["timeWindow"]["id"]))
    )
    assert (event.after["starts_at"], event.after["ends_at"]) == (
        "2027-03-02T08:00:00+00:00",
        "2027-03-02T11:30:00+00:00",
    )


def test_a_control_window_belongs_to_a_participant_at_a_place(
    operation, coordinator, officer_participation
):
    data = create(
        coordinator,
        operation,
        kind="CONTROL",
        participationId=gid("Participation", officer_participation.pk),
        locationCode="CRSJO",
        locationName="Juan Santamaría airport",
        startsAt="2027-03-10T06:00:00-06:00",
        endsAt="2027-03-10T14:00:00-06:00",
    )

    assert data["errors"] == []
    window = data["timeWindow"]
    assert window["isPhase"] is False
    assert window["participation"] == {"agency": {"acronym": "CR-CUSTOMS"}}
    assert (window["locationCode"], window["locationCodeKind"]) == ("CRSJO", "unlocode")
    assert window["locationName"] == "Juan Santamaría airport"
    # 06:00 in Costa Rica is 12:00 UTC and 13:00 in Brussels
    assert instant(window["startsAt"]) == datetime(2027, 3, 10, 12, tzinfo=UTC)
    assert window["startsAtLocal"] == "2027-03-10T13:00:00+01:00"
    assert stored_utc(pk_of(window["id"]), "ends_at") == datetime(2027, 3, 10, 20, tzinfo=UTC)


def test_a_control_window_may_be_planned_for_an_invited_agency(operation, coordinator, invitee):
    invitation = operation.participations.get(agency=invitee.agency)

    data = create(
        coordinator,
        operation,
        kind="CONTROL",
        locationCode="NBO",
        participationId=gid("Participation", invitation.pk),
        startsAt="2027-03-05T05:00:00Z",
        endsAt="2027-03-05T13:00:00Z",
    )

    assert data["errors"] == []
    assert data["timeWindow"]["participation"] == {"agency": {"acronym": "KE-KRA"}}


@pytest.mark.parametrize("response", [InvitationResponse.DECLINE, InvitationResponse.WITHDRAW])
def test_no_control_window_for_an_agency_that_declined_or_withdrew(
    operation, coordinator, invitee, response
):
    invitation = operation.participations.get(agency=invitee.agency)
    participation_respond(actor=invitee, participation=invitation, response=response)
    windows = operation.time_windows.count()

    data = create(
        coordinator,
        operation,
        kind="CONTROL",
        locationCode="NBO",
        participationId=gid("Participation", invitation.pk),
        startsAt="2027-03-05T05:00:00Z",
        endsAt="2027-03-05T13:00:00Z",
    )

    assert field_codes(data) == [("participationId", "INVALID_PARTICIPATION")]
    assert operation.time_windows.count() == windows


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("CRSJO", "unlocode"),
        ("NLRTM", "unlocode"),
        ("BEAN2", "unlocode"),
        ("SJO", "iata"),
        ("CDG", "iata"),
        ("MROC", "icao"),
        ("EBBR", "icao"),
    ],
)
def test_location_codes_of_each_kind_are_accepted_and_told_apart(
    operation, coordinator, officer_participation, code, kind
):
    data = create(
        coordinator,
        operation,
        kind="CONTROL",
        locationCode=code,
        participationId=gid("Participation", officer_participation.pk),
        startsAt="2027-03-05T05:00:00Z",
        endsAt="2027-03-05T13:00:00Z",
    )

    assert data["errors"] == []
    assert (data["timeWindow"]["locationCode"], data["timeWindow"]["locationCodeKind"]) == (
        code,
        kind,
    )
    assert TimeWindow.objects.get(pk=pk_of(data["timeWindow"]["id"])).location_code == code


def test_an_airstrip_is_placed_by_coordinates_alone(operation, coordinator, officer_participation):
    # given an unnamed airstrip in Guanacaste with no code
    data = create(
        coordinator,
        operation,
        kind="CONTROL",
        participationId=gid("Participation", officer_participation.pk),
        latitude=10.5432109,
        longitude=-85.1234567,
        locationName="Airstrip near Liberia",
        startsAt="2027-03-05T05:00:00Z",
        endsAt="2027-03-05T13:00:00Z",
    )

    # then it is kept to the micro-degree, with no code
    assert data["errors"] == []
    window = data["timeWindow"]
    assert (window["latitude"], window["longitude"]) == (10.543211, -85.123457)
    assert window["locationCode"] is None
    assert window["locationCodeKind"] is None
    stored = TimeWindow.objects.get(pk=pk_of(window["id"]))
    assert (stored.latitude, stored.longitude) == (Decimal("10.543211"), Decimal("-85.123457"))
    assert stored.location_code == ""


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(90.0, 180.0), (-90.0, -180.0), (0.0, 0.0)],
    ids=["north-east-limits", "south-west-limits", "null-island"],
)
def test_coordinates_at_the_limits_are_accepted(
    operation, coordinator, officer_participation, latitude, longitude
):
    data = create(
        coordinator,
        operation,
        kind="CONTROL",
        participationId=gid("Participation", officer_participation.pk),
        latitude=latitude,
        longitude=longitude,
        startsAt="2027-03-05T05:00:00Z",
        endsAt="2027-03-05T13:00:00Z",
    )

    assert data["errors"] == []
    assert (data["timeWindow"]["latitude"], data["timeWindow"]["longitude"]) == (
        latitude,
        longitude,
    )


def test_a_window_may_fill_the_whole_operation(operation, coordinator):
    # The span is inclusive at both ends.
    data = create(
        coordinator,
        operation,
        kind="PLANNING",
        startsAt=operation.planned_start.isoformat(),
        endsAt=operation.planned_end.isoformat(),
    )

    assert data["errors"] == []


@pytest.mark.parametrize("who", ["officer", "observer"])
def test_only_coordinators_plan_windows(operation, officer, observer, who):
    user = {"officer": officer, "observer": observer}[who]
    windows = operation.time_windows.count()

    data = create(
        user,
        operation,
        kind="FOLLOW_UP",
        startsAt="2027-03-25T00:00:00Z",
        endsAt="2027-03-26T00:00:00Z",
    )

    assert field_codes(data) == [("operationId", "PERMISSION_DENIED")]
    assert operation.time_windows.count() == windows


def test_an_outsider_cannot_find_the_operation_to_plan_in(operation, outsider):
    data = create(
        outsider,
        operation,
        kind="FOLLOW_UP",
        startsAt="2027-03-25T00:00:00Z",
        endsAt="2027-03-26T00:00:00Z",
    )

    assert field_codes(data) == [("operationId", "NOT_FOUND")]


# --- time zones -------------------------------------------------------------------------


def test_local_times_follow_the_daylight_saving_change_in_brussels(operation, coordinator):
    # given a window across the night of 27-28 March 2027, when Brussels moves from
    # CET (+01:00) to CEST (+02:00) at 01:00 UTC
    data = create(
        coordinator,
        operation,
        kind="OPERATIONAL",
        startsAt="2027-03-27T12:00:00Z",
        endsAt="2027-03-28T12:00:00Z",
    )

    # then the same UTC hour shows one hour later on the far side of the change
    assert data["errors"] == []
    window = data["timeWindow"]
    assert window["startsAtLocal"] == "2027-03-27T13:00:00+01:00"
    assert window["endsAtLocal"] == "2027-03-28T14:00:00+02:00"
    assert instant(window["endsAt"]) == datetime(2027, 3, 28, 12, tzinfo=UTC)


def test_a_local_time_given_with_its_summer_offset_is_stored_in_utc(operation, coordinator):
    # 03:30 CEST on the night of the change is 01:30 UTC; 01:30 CET (before it) is 00:30 UTC
    data = create(
        coordinator,
        operation,
        kind="OPERATIONAL",
        startsAt="2027-03-28T01:30:00+01:00",
        endsAt="2027-03-28T03:30:00+02:00",
    )

    assert data["errors"] == []
    pk = pk_of(data["timeWindow"]["id"])
    assert stored_utc(pk, "starts_at") == datetime(2027, 3, 28, 0, 30, tzinfo=UTC)
    assert stored_utc(pk, "ends_at") == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    # one real hour, although the wall clock moved two
    assert data["timeWindow"]["startsAtLocal"] == "2027-03-28T01:30:00+01:00"
    assert data["timeWindow"]["endsAtLocal"] == "2027-03-28T03:30:00+02:00"


def test_the_operation_shows_its_span_and_windows_in_its_own_zone(operation, coordinator):
    answer = gql(coordinator, OPERATION_WINDOWS, {"id": gid("Operation", operation.pk)})

    data = answer["data"]["operation"]
    # START is 2027-03-01 08:00 UTC (CET); the end, 30 days later, is after the change
    assert data["plannedStartLocal"] == "2027-03-01T09:00:00+01:00"
    assert data["plannedEndLocal"] == "2027-03-31T10:00:00+02:00"
    assert [(w["kind"], w["startsAtLocal"]) for w in data["timeWindows"]] == [
        ("OPERATIONAL", "2027-03-03T09:00:00+01:00"),
        ("CONTROL", "2027-03-04T09:00:00+01:00"),
    ]


def test_changing_the_operations_zone_changes_only_how_times_are_shown(
    operation, coordinator, control_window
):
    # when the coordinator moves the operation to Costa Rica time
    data = payload(
        gql(
            coordinator,
            UPDATE_OPERATION,
            {
                "id": gid("Operation", operation.pk),
                "input": {"timeZone": "America/Costa_Rica"},
            },
        ),
        "updateOperation",
    )

    # then the control window shows 02:00 (-06:00) for the same 08:00 UTC
    assert data["errors"] == []
    node = gql(coordinator, WINDOW_NODE, {"id": gid("TimeWindow", control_window.pk)})
    assert node["data"]["node"]["startsAtLocal"] == "2027-03-04T02:00:00-06:00"
    assert stored_utc(control_window.pk, "starts_at") == START + timedelta(days=3)


def test_an_operation_in_a_zone_without_daylight_saving_keeps_its_offset(coordinator):
    operation = make_operation(coordinator, code="CR-OP", time_zone="America/Costa_Rica")

    data = create(
        coordinator,
        operation,
        kind="OPERATIONAL",
        startsAt="2027-03-27T12:00:00Z",
        endsAt="2027-03-28T12:00:00Z",
    )

    assert data["timeWindow"]["startsAtLocal"] == "2027-03-27T06:00:00-06:00"
    assert data["timeWindow"]["endsAtLocal"] == "2027-03-28T06:00:00-06:00"


# --- update -----------------------------------------------------------------------------


def test_every_update_raises_the_revision_and_is_audited(operation, coordinator, control_window):
    window_id = gid("TimeWindow", control_window.pk)

    # when the coordinator moves the window one hour later
    first = update(
        coordinator, window_id, startsAt="2027-03-04T09:00:00Z", endsAt="2027-03-04T17:00:00Z"
    )
    # and then changes its place
    second = update(coordinator, window_id, locationCode="MROC")

    # then each change raises the revision by one
    assert first["errors"] == second["errors"] == []
    assert first["timeWindow"]["revision"] == 1
    assert first["timeWindow"]["startsAtLocal"] == "2027-03-04T10:00:00+01:00"
    assert second["timeWindow"]["revision"] == 2
    assert (second["timeWindow"]["locationCode"], second["timeWindow"]["locationCodeKind"]) == (
        "MROC",
        "icao",
    )
    # the place survives the earlier time change and the time the later place change
    assert instant(second["timeWindow"]["startsAt"]) == datetime(2027, 3, 4, 9, tzinfo=UTC)
    # and each change is audited with what it changed only
    events = list(AuditEvent.objects.filter(operation=operation, action="time_window.update"))
    assert [(e.before, e.after) for e in events] == [
        (
            {"starts_at": "2027-03-04T08:00:00+00:00", "ends_at": "2027-03-04T16:00:00+00:00"},
            {
                "starts_at": "2027-03-04T09:00:00+00:00",
                "ends_at": "2027-03-04T17:00:00+00:00",
                "revision": 1,
            },
        ),
        ({"location_code": "CRSJO"}, {"location_code": "MROC", "revision": 2}),
    ]


def test_an_update_that_changes_nothing_keeps_the_revision(operation, coordinator, control_window):
    events = AuditEvent.objects.count()

    data = update(
        coordinator,
        gid("TimeWindow", control_window.pk),
        locationCode="CRSJO",
        startsAt=control_window.starts_at.isoformat(),
    )

    assert data["errors"] == []
    assert data["timeWindow"]["revision"] == 0
    assert AuditEvent.objects.count() == events


def test_the_same_instant_given_in_local_time_is_not_a_change(
    operation, coordinator, control_window
):
    # given the control window starts 2027-03-04 08:00 UTC, that is 09:00 in Brussels
    events = AuditEvent.objects.count()

    # when the coordinator sends the same times as Brussels wall-clock times
    data = update(
        coordinator,
        gid("TimeWindow", control_window.pk),
        startsAt="2027-03-04T09:00:00+01:00",
        endsAt="2027-03-04T17:00:00+01:00",
    )

    # then nothing changed: no new revision, no audit event
    assert data["errors"] == []
    assert data["timeWindow"]["revision"] == 0
    assert AuditEvent.objects.count() == events


def test_a_control_window_can_move_from_a_code_to_coordinates(
    operation, coordinator, control_window
):
    data = update(
        coordinator,
        gid("TimeWindow", control_window.pk),
        locationCode=None,
        latitude=9.9939,
        longitude=-84.2088,
    )

    assert data["errors"] == []
    window = data["timeWindow"]
    assert (window["locationCode"], window["latitude"], window["longitude"]) == (
        None,
        9.9939,
        -84.2088,
    )
    assert window["revision"] == 1


def test_a_control_window_cannot_lose_both_code_and_coordinates(
    operation, coordinator, control_window
):
    data = update(coordinator, gid("TimeWindow", control_window.pk), locationCode=None)

    assert field_codes(data) == [("locationCode", "LOCATION_REQUIRED")]
    control_window.refresh_from_db()
    assert (control_window.location_code, control_window.revision) == ("CRSJO", 0)


def test_a_control_window_may_be_handed_to_another_participant(
    operation, coordinator, invitee, control_window
):
    invitation = operation.participations.get(agency=invitee.agency)

    data = update(
        coordinator,
        gid("TimeWindow", control_window.pk),
        participationId=gid("Participation", invitation.pk),
        locationCode="NBO",
    )

    assert data["errors"] == []
    assert data["timeWindow"]["participation"] == {"agency": {"acronym": "KE-KRA"}}
    control_window.refresh_from_db()
    assert control_window.participation == invitation


def test_a_control_window_can_become_a_phase_when_its_participation_is_dropped(
    operation, coordinator, control_window
):
    data = update(
        coordinator, gid("TimeWindow", control_window.pk), kind="FOLLOW_UP", participationId=None
    )

    assert data["errors"] == []
    assert (data["timeWindow"]["kind"], data["timeWindow"]["isPhase"]) == ("FOLLOW_UP", True)
    assert data["timeWindow"]["participation"] is None


def test_participants_cannot_update_their_own_control_window(operation, officer, control_window):
    data = update(officer, gid("TimeWindow", control_window.pk), notes="moved")

    assert field_codes(data) == [("id", "PERMISSION_DENIED")]
    control_window.refresh_from_db()
    assert (control_window.notes, control_window.revision) == ("", 0)


# --- delete -----------------------------------------------------------------------------


def test_a_deleted_window_disappears_but_is_kept_for_calendars(
    operation, coordinator, officer, control_window
):
    window_id = gid("TimeWindow", control_window.pk)
    update(coordinator, window_id, notes="Bring the dog")

    # when the coordinator deletes the control window
    data = delete(coordinator, window_id)

    # then the revision grows and it is marked deleted, not removed
    assert data["errors"] == []
    assert data["timeWindow"] == {"id": window_id, "revision": 2}
    stored = TimeWindow.objects.get(pk=control_window.pk)
    assert stored.deleted_at is not None
    assert stored.revision == 2
    event = AuditEvent.objects.filter(operation=operation).latest("id")
    assert event.action == "time_window.delete"
    assert event.after == {"deleted_at": stored.deleted_at.isoformat(), "revision": 2}
    # and nobody finds it any more: not in the operation's windows, not through node(id)
    for user in (coordinator, officer):
        windows = gql(user, OPERATION_WINDOWS, {"id": gid("Operation", operation.pk)})
        assert [w["kind"] for w in windows["data"]["operation"]["timeWindows"]] == ["OPERATIONAL"]
        assert gql(user, WINDOW_NODE, {"id": window_id}) == {"data": {"node": None}}


def test_a_live_window_is_found_through_node_by_those_who_see_the_operation(
    operation, coordinator, officer, observer, invitee, outsider, control_window
):
    window_id = gid("TimeWindow", control_window.pk)
    expected = {
        "data": {
            "node": {
                "id": window_id,
                "kind": "CONTROL",
                "revision": 0,
                "startsAtLocal": "2027-03-04T09:00:00+01:00",
            }
        }
    }

    assert gql(coordinator, WINDOW_NODE, {"id": window_id}) == expected
    assert gql(officer, WINDOW_NODE, {"id": window_id}) == expected
    assert gql(observer, WINDOW_NODE, {"id": window_id}) == expected
    assert gql(invitee, WINDOW_NODE, {"id": window_id}) == {"data": {"node": None}}
    assert gql(outsider, WINDOW_NODE, {"id": window_id}) == {"data": {"node": None}}


def test_participants_cannot_delete_windows(operation, officer, control_window):
    data = delete(officer, gid("TimeWindow", control_window.pk))

    assert field_codes(data) == [("id", "PERMISSION_DENIED")]
    control_window.refresh_from_db()
    assert control_window.deleted_at is None


# --- planning rules: control windows inside operational phases, overlaps ----------------

CREATE_WITH_OVERLAP = """
mutation CreateTimeWindow($operationId: ID!, $input: TimeWindowInput!, $allowOverlap: Boolean) {
  createTimeWindow(operationId: $operationId, input: $input, allowOverlap: $allowOverlap) {
    timeWindow { id }
    warnings { field code message }
    errors { field code message }
  }
}
"""


def control_input(participation, **changes) -> dict:
    # The fixture's operational phase runs 2027-03-03 08:00Z to 2027-03-21 08:00Z and its
    # control window at CRSJO 2027-03-04 08:00Z-16:00Z.
    values = {
        "kind": "CONTROL",
        "participationId": gid("Participation", participation.pk),
        "locationCode": "CRSJO",
        "startsAt": "2027-03-04T12:00:00Z",
        "endsAt": "2027-03-04T20:00:00Z",
    }
    values.update(changes)
    return values


def live_rows(operation) -> list[dict]:
    return list(operation.time_windows.order_by("pk").values())


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        ("2027-03-25T08:00:00Z", "2027-03-25T16:00:00Z"),
        ("2027-03-21T04:00:00Z", "2027-03-21T12:00:00Z"),
        ("2027-03-03T04:00:00Z", "2027-03-03T12:00:00Z"),
    ],
    ids=["after-the-phase", "across-the-phase-end", "across-the-phase-start"],
)
def test_a_control_window_must_lie_inside_an_operational_phase(
    operation, coordinator, officer_participation, starts_at, ends_at
):
    before = live_rows(operation)
    events = AuditEvent.objects.count()

    data = create(
        coordinator,
        operation,
        **control_input(officer_participation, startsAt=starts_at, endsAt=ends_at),
    )

    assert field_codes(data) == [("startsAt", "OUTSIDE_PHASE")]
    assert live_rows(operation) == before
    assert AuditEvent.objects.count() == events


def test_an_operational_phase_holding_control_windows_cannot_be_deleted(
    operation, coordinator, control_window
):
    phase = operation.time_windows.get(kind=TimeWindow.Kind.OPERATIONAL)
    before = live_rows(operation)
    events = AuditEvent.objects.count()

    data = delete(coordinator, gid("TimeWindow", phase.pk))

    assert field_codes(data) == [("id", "WINDOWS_OUTSIDE_PHASE")]
    assert live_rows(operation) == before
    assert AuditEvent.objects.count() == events


def test_an_operational_phase_cannot_shrink_away_from_its_control_windows(
    operation, coordinator, control_window
):
    phase = operation.time_windows.get(kind=TimeWindow.Kind.OPERATIONAL)
    before = live_rows(operation)

    data = update(coordinator, gid("TimeWindow", phase.pk), startsAt="2027-03-10T00:00:00Z")

    assert field_codes(data) == [("id", "WINDOWS_OUTSIDE_PHASE")]
    assert live_rows(operation) == before


def test_overlapping_control_windows_at_the_same_place_need_consent(
    operation, coordinator, officer_participation
):
    variables = {
        "operationId": gid("Operation", operation.pk),
        "input": control_input(officer_participation),
    }
    windows = operation.time_windows.count()

    # when a second shift at CRSJO overlaps the fixture's one
    refused = payload(gql(coordinator, CREATE_WITH_OVERLAP, variables), "createTimeWindow")

    # then it is refused, unless the coordinator allows the overlap, which is then reported
    # with the same field and code as the refusal, so that a client can translate it
    assert field_codes(refused) == [("startsAt", "OVERLAPPING_WINDOW")]
    assert refused["warnings"] == []
    assert operation.time_windows.count() == windows
    allowed = payload(
        gql(coordinator, CREATE_WITH_OVERLAP, {**variables, "allowOverlap": True}),
        "createTimeWindow",
    )
    assert allowed["errors"] == []
    assert allowed["warnings"] == [
        {
            "field": "startsAt",
            "code": "OVERLAPPING_WINDOW",
            "message": "Overlaps the control window 2027-03-04 08:00Z-16:00Z at the same place.",
        }
    ]
    assert operation.time_windows.count() == windows + 1


def test_overlapping_control_windows_at_different_places_are_fine(
    operation, coordinator, officer_participation
):
    data = payload(
        gql(
            coordinator,
            CREATE_WITH_OVERLAP,
            {
                "operationId": gid("Operation", operation.pk),
                "input": control_input(officer_participation, locationCode="CRLIO"),
            },
        ),
        "createTimeWindow",
    )

    assert data["errors"] == []
    assert data["warnings"] == []


UPDATE_WITH_OVERLAP = """
mutation UpdateTimeWindow($id: ID!, $input: TimeWindowInput!, $allowOverlap: Boolean) {
  updateTimeWindow(id: $id, input: $input, allowOverlap: $allowOverlap) {
    timeWindow { id startsAt }
    warnings { field code message }
    errors { field code message }
  }
}
"""


def test_moving_a_control_window_onto_another_warns_with_a_code(
    operation, coordinator, officer_participation, control_window
):
    # given a second shift at CRSJO the day after the fixture's one
    created = create(
        coordinator,
        operation,
        **control_input(
            officer_participation, startsAt="2027-03-05T08:00:00Z", endsAt="2027-03-05T16:00:00Z"
        ),
    )
    assert created["errors"] == []
    moved = {"startsAt": "2027-03-04T12:00:00Z", "endsAt": "2027-03-04T20:00:00Z"}
    variables = {"id": created["timeWindow"]["id"], "input": moved}

    # when the coordinator moves it onto the first, then again allowing the overlap
    refused = payload(gql(coordinator, UPDATE_WITH_OVERLAP, variables), "updateTimeWindow")
    allowed = payload(
        gql(coordinator, UPDATE_WITH_OVERLAP, {**variables, "allowOverlap": True}),
        "updateTimeWindow",
    )

    # then the refusal and the warning carry the same field and code
    assert field_codes(refused) == [("startsAt", "OVERLAPPING_WINDOW")]
    assert refused["warnings"] == []
    assert allowed["errors"] == []
    assert allowed["timeWindow"]["startsAt"] == "2027-03-04T12:00:00+00:00"
    assert [(w["field"], w["code"]) for w in allowed["warnings"]] == [
        ("startsAt", "OVERLAPPING_WINDOW")
    ]
