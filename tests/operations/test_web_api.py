"""What the web application's operations screens read from the API: the list searched by
code or name, the role I play in each operation, who may be named coordinator or
analyst, and how my agency may answer for its participation."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from graphql_relay import to_global_id

from operations import permissions
from operations.models import Operation, Participation
from operations.services import (
    InvitationResponse,
    operation_transition,
    operation_update,
    participation_invite,
    participation_respond,
)
from tests.conftest import gql, make_operation, make_user

SEARCH = """
query Search($search: String, $status: [String]) {
  operations(search: $search, status: $status) {
    totalCount
    edges { node { code } }
  }
}
"""

MY_ROLE = """
query Roles { operations { edges { node { code myRole } } } }
"""

ONE = """
query One($id: ID!) {
  operation(id: $id) {
    code
    myRole
    coordinatorCandidates { username agency { acronym } }
    analystCandidates { username }
    participations { agency { acronym } viewerResponses }
  }
}
"""

UPDATE_STAFF = """
mutation Staff($id: ID!, $coordinatorIds: [ID!], $analystIds: [ID!]) {
  updateOperation(id: $id, input: {coordinatorIds: $coordinatorIds, analystIds: $analystIds}) {
    operation { code myRole }
    errors { field code }
  }
}
"""

INVITATIONS = "query { me { invitations { role viewerResponses operationSummary { code } } } }"


def gid(type_name, pk) -> str:
    return to_global_id(type_name, pk)


def searched(user, search, **variables) -> list[str]:
    answer = gql(user, SEARCH, {"search": search, **variables})
    assert "errors" not in answer, answer
    connection = answer["data"]["operations"]
    codes = [edge["node"]["code"] for edge in connection["edges"]]
    assert connection["totalCount"] == len(codes)
    return sorted(codes)


def one(user, operation) -> dict | None:
    answer = gql(user, ONE, {"id": gid("Operation", operation.pk)})
    assert "errors" not in answer, answer
    return answer["data"]["operation"]


# --- search ------------------------------------------------------------------------------


@pytest.fixture
def three_operations(coordinator):
    make_operation(coordinator, code="COLIBRI-SKY", name="Colibri Sky")
    make_operation(coordinator, code="POSTAL-SHIELD", name="Postal Shield")
    make_operation(coordinator, code="OP-2027", name="Skyline containers")


def test_search_finds_operations_by_part_of_the_code_or_the_name_in_any_case(
    three_operations, coordinator
):
    assert searched(coordinator, "colibri") == ["COLIBRI-SKY"]
    assert searched(coordinator, "shield") == ["POSTAL-SHIELD"]
    # "sky" is in a code and in another operation's name
    assert searched(coordinator, "SKY") == ["COLIBRI-SKY", "OP-2027"]
    assert searched(coordinator, "-2027") == ["OP-2027"]
    assert searched(coordinator, "nothing like it") == []


def test_an_empty_search_lists_everything_and_search_combines_with_the_other_filters(
    three_operations, coordinator
):
    # given one of the three planned
    operation = Operation.objects.get(code="POSTAL-SHIELD")
    Operation.objects.filter(pk=operation.pk).update(status=Operation.Status.PLANNED)

    assert len(searched(coordinator, "  ")) == 3
    assert searched(coordinator, "s", status=["DRAFT"]) == ["COLIBRI-SKY", "OP-2027"]
    assert searched(coordinator, "s", status=["PLANNED"]) == ["POSTAL-SHIELD"]


def test_search_never_finds_an_operation_one_may_not_see(operation, outsider, invitee):
    # the French customs take no part, the Kenyan customs are only invited
    assert searched(outsider, "OP-TEST") == []
    assert searched(invitee, "test") == []


# --- my role -----------------------------------------------------------------------------


def test_my_role_is_the_most_specific_role_i_play(
    operation, coordinator, officer, observer, invitee, outsider
):
    # given a colleague of the coordinator (the lead agency) and a named analyst from the
    # participating Costa Rica customs
    colleague = make_user("wco.colleague", coordinator.agency)
    analyst = make_user("cr.analyst", officer.agency)
    operation_update(actor=coordinator, operation=operation, analysts=[analyst])

    def role(user):
        answer = gql(user, MY_ROLE)
        assert "errors" not in answer, answer
        roles = {
            e["node"]["code"]: e["node"]["myRole"] for e in answer["data"]["operations"]["edges"]
        }
        return roles.get("OP-TEST")

    assert role(coordinator) == "COORDINATOR"
    assert role(colleague) == "LEAD"
    assert role(analyst) == "ANALYST"
    assert role(officer) == "PARTICIPANT"
    assert role(observer) == "OBSERVER"
    # those who may not see the operation get no role: it is not in their list at all
    assert role(invitee) is None
    assert role(outsider) is None


def test_a_coordinator_from_a_participating_agency_is_a_coordinator(
    operation, coordinator, officer
):
    # when the coordinator names the Costa Rica officer a coordinator too
    operation_update(actor=coordinator, operation=operation, coordinators=[coordinator, officer])

    assert one(officer, operation)["myRole"] == "COORDINATOR"


def test_viewer_role_follows_the_grants():
    class Someone:
        agency_id = 7

    lead = Operation(lead_agency_id=7)
    other = Operation(lead_agency_id=8)
    view, report = permissions.VIEW, permissions.REPORT_HIT

    assert permissions.viewer_role(Someone(), other, set()) is None
    assert permissions.viewer_role(Someone(), other, permissions.COORDINATOR_PERMISSIONS) == (
        "coordinator"
    )
    assert permissions.viewer_role(Someone(), lead, permissions.ANALYST_PERMISSIONS | {report}) == (
        "analyst"
    )
    assert permissions.viewer_role(Someone(), lead, {view, report}) == "lead"
    assert permissions.viewer_role(Someone(), other, {view, report}) == "participant"
    assert permissions.viewer_role(Someone(), other, {view}) == "observer"


# --- who may be named coordinator or analyst ---------------------------------------------


def test_a_coordinator_reads_who_may_be_named_coordinator_or_analyst(
    operation, coordinator, officer, observer, invitee
):
    # given a deactivated colleague of the officer
    gone = make_user("cr.gone", officer.agency)
    gone.is_active = False
    gone.save()

    data = one(coordinator, operation)

    # then coordinators come from the lead and participating agencies, analysts also from
    # the observer; nobody from the agency only invited, nobody inactive
    assert data["coordinatorCandidates"] == [
        {"username": "cr.officer", "agency": {"acronym": "CR-CUSTOMS"}},
        {"username": "wco.coordinator", "agency": {"acronym": "WCO"}},
    ]
    assert [u["username"] for u in data["analystCandidates"]] == [
        "cr.officer",
        "unodc.observer",
        "wco.coordinator",
    ]


@pytest.mark.parametrize("viewer", ["officer", "observer"])
def test_only_those_who_may_change_the_operation_read_the_candidates(
    operation, officer, observer, viewer
):
    data = one({"officer": officer, "observer": observer}[viewer], operation)

    assert data["coordinatorCandidates"] == []
    assert data["analystCandidates"] == []


def test_every_candidate_is_accepted_and_others_refused(
    operation, coordinator, officer, observer, invitee
):
    data = one(coordinator, operation)
    users = {u.username: u for u in (coordinator, officer, observer, invitee)}
    coordinators = [gid("User", users[u["username"]].pk) for u in data["coordinatorCandidates"]]
    analysts = [gid("User", users[u["username"]].pk) for u in data["analystCandidates"]]

    # when the coordinator names every candidate
    answer = gql(
        coordinator,
        UPDATE_STAFF,
        {
            "id": gid("Operation", operation.pk),
            "coordinatorIds": coordinators,
            "analystIds": analysts,
        },
    )

    # then the service takes them all
    assert answer["data"]["updateOperation"]["errors"] == []
    assert set(operation.analysts.values_list("username", flat=True)) == {
        "cr.officer",
        "unodc.observer",
        "wco.coordinator",
    }

    # and refuses an observer as coordinator, someone only invited as analyst
    answer = gql(
        coordinator,
        UPDATE_STAFF,
        {
            "id": gid("Operation", operation.pk),
            "coordinatorIds": [gid("User", coordinator.pk), gid("User", observer.pk)],
        },
    )
    assert answer["data"]["updateOperation"]["errors"] == [
        {"field": "coordinatorIds", "code": "COORDINATOR_NOT_ELIGIBLE"}
    ]
    answer = gql(
        coordinator,
        UPDATE_STAFF,
        {"id": gid("Operation", operation.pk), "analystIds": [gid("User", invitee.pk)]},
    )
    assert answer["data"]["updateOperation"]["errors"] == [
        {"field": "analystIds", "code": "ANALYST_NOT_ELIGIBLE"}
    ]


# --- how my agency may answer ------------------------------------------------------------


def test_each_reader_learns_how_they_may_answer_for_each_participation(
    operation, coordinator, officer, invitee
):
    def responses(user):
        return {
            p["agency"]["acronym"]: p["viewerResponses"]
            for p in one(user, operation)["participations"]
        }

    # the coordinator answers for the lead agency, which cannot leave: nothing
    assert responses(coordinator) == {
        "WCO": [],
        "CR-CUSTOMS": [],
        "UNODC": [],
        "KE-KRA": [],
    }
    # the Costa Rica officer may withdraw their own agency, and only theirs
    assert responses(officer)["CR-CUSTOMS"] == ["WITHDRAW"]
    assert [r for acronym, r in responses(officer).items() if acronym != "CR-CUSTOMS"] == [
        [],
        [],
        [],
    ]
    # the Kenyan officer, invited, reads the invitation with its answers
    assert gql(invitee, INVITATIONS)["data"]["me"]["invitations"] == [
        {
            "role": "PARTICIPANT",
            "viewerResponses": ["ACCEPT", "DECLINE", "WITHDRAW"],
            "operationSummary": {"code": "OP-TEST"},
        }
    ]


def test_nobody_may_answer_once_the_operation_is_closed(operation, coordinator, officer):
    # given the operation run and closed
    operation_transition(actor=coordinator, operation=operation, to_status="planned")
    operation_transition(actor=coordinator, operation=operation, to_status="active")
    operation_transition(actor=coordinator, operation=operation, to_status="closed")

    participations = one(officer, operation)["participations"]

    assert all(p["viewerResponses"] == [] for p in participations)


@pytest.mark.parametrize("status", ["draft", "planned", "closed"])
@pytest.mark.parametrize("state", ["invited", "accepted", "declined", "withdrawn"])
def test_the_answers_offered_are_exactly_those_the_service_takes(
    coordinator, officer, invitee, state, status
):
    # given the Kenyan customs' participation in the given state, the operation in the
    # given status (moved there directly: only the answers matter here)
    operation = make_operation(coordinator, code="OP-ANSWERS")
    participation = participation_invite(
        actor=coordinator, operation=operation, agency=invitee.agency
    )
    Participation.objects.filter(pk=participation.pk).update(state=state)
    Operation.objects.filter(pk=operation.pk).update(status=status)
    participation.refresh_from_db()
    operation.refresh_from_db()

    offered = permissions.invitation_responses(invitee, participation, operation)

    # then each answer offered succeeds, each other one is refused
    for response in InvitationResponse:
        try:
            with transaction.atomic():
                participation_respond(actor=invitee, participation=participation, response=response)
                taken = True
                transaction.set_rollback(True)
        except ValidationError:
            taken = False
        assert taken == (response.value in offered), (response, offered)
    # and no one else may answer for the Kenyan customs
    assert permissions.invitation_responses(officer, participation, operation) == []
    assert permissions.invitation_responses(coordinator, participation, operation) == []
