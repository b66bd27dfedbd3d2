"""Agencies take part: invite, accept, decline, withdraw; the grants follow; coordinators
come from taking-part agencies; the filters of `operations`."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from graphql_relay import to_global_id

from agencies.models import Agency
from audit.models import AuditEvent
from operations import permissions
from operations.models import (
    Operation,
    OperationGroupObjectPermission,
    OperationUserObjectPermission,
    Participation,
)
from operations.services import (
    InvitationResponse,
    operation_transition,
    operation_update,
    participation_invite,
    participation_respond,
)
from tests.conftest import accept, gql, make_agency, make_operation, make_user

INVITE_AGENCY = """
mutation InviteAgency($operationId: ID!, $agencyId: ID!, $role: ParticipationRole,
                      $locations: [String!]) {
  inviteAgency(operationId: $operationId, agencyId: $agencyId, role: $role,
               locations: $locations) {
    participation { id role state locations agency { acronym } contacts { username } }
    errors { field code message }
  }
}
"""

RESPOND_TO_INVITATION = """
mutation RespondToInvitation($participationId: ID!, $response: InvitationResponse!,
                             $contactIds: [ID!], $locations: [String!]) {
  respondToInvitation(participationId: $participationId, response: $response,
                      contactIds: $contactIds, locations: $locations) {
    participation { id role state locations contacts { username } operation { code } }
    errors { field code message }
  }
}
"""

UPDATE_COORDINATORS = """
mutation UpdateOperation($id: ID!, $coordinatorIds: [ID!]) {
  updateOperation(id: $id, input: {coordinatorIds: $coordinatorIds}) {
    operation { coordinators { username } }
    errors { field code message }
  }
}
"""

MY_INVITATIONS = """
query { me { invitations { id state role operationSummary { code status } } } }
"""

OPERATIONS = """
query Operations($status: [String], $focus: [String], $dateFrom: DateTime, $dateTo: DateTime,
                 $myRole: String) {
  operations(status: $status, focus: $focus, dateFrom: $dateFrom, dateTo: $dateTo,
             myRole: $myRole) {
    totalCount
    edges { node { code viewerPermissions } }
  }
}
"""

OPERATION = "query One($id: ID!) { operation(id: $id) { code } }"
NODE = "query Node($id: ID!) { node(id: $id) { id ... on Operation { code } } }"


def gid(type_name, pk) -> str:
    return to_global_id(type_name, pk)


def payload(answer: dict, mutation: str) -> dict:
    assert "errors" not in answer, answer
    return answer["data"][mutation]


def field_codes(data: dict) -> list[tuple[str | None, str]]:
    return [(error["field"], error["code"]) for error in data["errors"]]


def visible_codes(user, **filters) -> list[str]:
    answer = gql(user, OPERATIONS, filters)
    assert "errors" not in answer, answer
    connection = answer["data"]["operations"]
    codes = [edge["node"]["code"] for edge in connection["edges"]]
    assert connection["totalCount"] == len(codes)
    return codes


def invite(coordinator, operation, agency, **variables) -> dict:
    return payload(
        gql(
            coordinator,
            INVITE_AGENCY,
            {
                "operationId": gid("Operation", operation.pk),
                "agencyId": gid("Agency", agency.pk),
                **variables,
            },
        ),
        "inviteAgency",
    )


def respond(user, participation, response, **variables) -> dict:
    return payload(
        gql(
            user,
            RESPOND_TO_INVITATION,
            {
                "participationId": gid("Participation", participation.pk),
                "response": response,
                **variables,
            },
        ),
        "respondToInvitation",
    )


def group_grants(operation, agency) -> set[str]:
    return set(
        OperationGroupObjectPermission.objects.filter(
            content_object=operation,
            group=agency.group,
        ).values_list("permission__codename", flat=True)
    )


def sees(user, operation) -> bool:
    """Whether `user` learns of `operation` through the list, operation(id) or node(id)."""
    listed = operation.code in visible_codes(user)
    one = gql(user, OPERATION, {"id": gid("Operation", operation.pk)})["data"]["operation"]
    node = gql(user, NODE, {"id": gid("Operation", operation.pk)})["data"]["node"]
    assert listed == (one is not None) == (node is not None), (listed, one, node)
    return listed


# --- invite, accept, decline, withdraw ---------------------------------------------------


def test_an_invited_agency_learns_only_the_summary_until_it_accepts(
    operation, coordinator, outsider
):
    # when the coordinator invites the French customs to cover two places
    data = invite(coordinator, operation, outsider.agency, locations=["FRCDG", "LFPG"])

    # then the invitation exists, waits for an answer, and grants nothing yet
    assert data["errors"] == []
    assert data["participation"] == {
        "id": data["participation"]["id"],
        "role": "PARTICIPANT",
        "state": "INVITED",
        "locations": ["FRCDG", "LFPG"],
        "agency": {"acronym": "FR-DGDDI"},
        "contacts": [],
    }
    assert group_grants(operation, outsider.agency) == set()
    assert not sees(outsider, operation)
    # the French officer finds the invitation, with what it needs to decide
    invitations = gql(outsider, MY_INVITATIONS)["data"]["me"]["invitations"]
    assert invitations == [
        {
            "id": data["participation"]["id"],
            "state": "INVITED",
            "role": "PARTICIPANT",
            "operationSummary": {"code": "OP-TEST", "status": "DRAFT"},
        }
    ]
    event = AuditEvent.objects.filter(operation=operation).latest("id")
    assert event.action == "participation.invite"
    assert event.before is None
    assert event.after["state"] == "invited"


def test_accepting_names_contacts_and_locations_and_grants_view_and_report(
    operation, coordinator, outsider
):
    # given an invitation of the French customs, whose officer has a colleague
    colleague = make_user("fr.colleague", outsider.agency)
    participation_invite(actor=coordinator, operation=operation, agency=outsider.agency)
    invitation = operation.participations.get(agency=outsider.agency)

    # when the French officer accepts, naming both as contacts, covering CDG and Le Havre
    data = respond(
        outsider,
        invitation,
        "ACCEPT",
        contactIds=[gid("User", outsider.pk), gid("User", colleague.pk)],
        locations=["CDG", "FRLEH"],
    )

    # then the participation is accepted with its contacts and places
    assert data["errors"] == []
    assert data["participation"]["state"] == "ACCEPTED"
    assert data["participation"]["locations"] == ["CDG", "FRLEH"]
    assert sorted(c["username"] for c in data["participation"]["contacts"]) == [
        "fr.colleague",
        "fr.officer",
    ]
    assert data["participation"]["operation"] == {"code": "OP-TEST"}
    # and the agency's group may now view and report, nothing more
    assert group_grants(operation, outsider.agency) == {"view_operation", "report_hit"}
    assert sees(outsider, operation)
    assert sees(colleague, operation)
    node = gql(outsider, OPERATIONS)["data"]["operations"]["edges"][0]["node"]
    assert node["viewerPermissions"] == ["report_hit", "view_operation"]
    event = AuditEvent.objects.filter(operation=operation).latest("id")
    assert event.action == "participation.accept"
    assert event.actor == outsider
    assert (event.before["state"], event.after["state"]) == ("invited", "accepted")
    assert event.after["contacts"] == sorted([outsider.pk, colleague.pk])


def test_an_observer_that_accepts_may_view_but_not_report(operation, coordinator, outsider):
    participation_invite(
        actor=coordinator,
        operation=operation,
        agency=outsider.agency,
        role=Participation.Role.OBSERVER,
    )
    invitation = operation.participations.get(agency=outsider.agency)

    assert respond(outsider, invitation, "ACCEPT")["errors"] == []

    assert group_grants(operation, outsider.agency) == {"view_operation"}


def test_declining_grants_nothing_and_the_agency_may_be_invited_again(
    operation, coordinator, invitee
):
    # given the Kenyan invitation
    invitation = operation.participations.get(agency=invitee.agency)

    # when the Kenyan officer declines
    declined = respond(invitee, invitation, "DECLINE")

    # then nothing is granted and the invitation is gone from their list
    assert declined["errors"] == []
    assert declined["participation"]["state"] == "DECLINED"
    assert declined["participation"]["operation"] is None
    assert group_grants(operation, invitee.agency) == set()
    assert not sees(invitee, operation)
    assert gql(invitee, MY_INVITATIONS)["data"]["me"]["invitations"] == []

    # when the coordinator invites them again, as observer this time
    again = invite(coordinator, operation, invitee.agency, role="OBSERVER")

    # then the same participation is open again and can be accepted
    assert again["errors"] == []
    assert again["participation"]["id"] == gid("Participation", invitation.pk)
    assert (again["participation"]["state"], again["participation"]["role"]) == (
        "INVITED",
        "OBSERVER",
    )
    assert respond(invitee, invitation, "ACCEPT")["errors"] == []
    assert group_grants(operation, invitee.agency) == {"view_operation"}
    assert sees(invitee, operation)


def test_withdrawing_revokes_the_grants_and_hides_the_operation(operation, coordinator, officer):
    # given the Costa Rican customs takes part and its officer sees the operation
    participation = operation.participations.get(agency=officer.agency)
    assert group_grants(operation, officer.agency) == {"view_operation", "report_hit"}
    assert sees(officer, operation)

    # when its officer withdraws
    data = respond(officer, participation, "WITHDRAW")

    # then the grants are gone and the operation can no longer be found in any way
    assert data["errors"] == []
    assert data["participation"]["state"] == "WITHDRAWN"
    assert data["participation"]["operation"] is None
    assert group_grants(operation, officer.agency) == set()
    assert visible_codes(officer) == []
    assert gql(officer, OPERATION, {"id": gid("Operation", operation.pk)}) == {
        "data": {"operation": None}
    }
    assert gql(officer, NODE, {"id": gid("Operation", operation.pk)}) == {"data": {"node": None}}
    # the others keep theirs
    assert permissions.operation_permissions(coordinator)[operation.pk] == set(
        permissions.COORDINATOR_PERMISSIONS
    )


PARTICIPATION_SUMMARY = """
query Node($id: ID!) {
  node(id: $id) {
    ... on Participation {
      state
      operation { code }
      operationSummary { code name status plannedStart plannedEnd leadAgency { acronym } }
    }
  }
}
"""


@pytest.mark.parametrize(("user_of", "response"), [("invitee", "DECLINE"), ("officer", "WITHDRAW")])
def test_an_agency_that_left_keeps_what_it_knew_then_and_learns_nothing_after(
    operation, coordinator, wco, request, user_of, response
):
    # given an agency that declines (or withdraws from) the operation
    user = request.getfixturevalue(user_of)
    participation = operation.participations.get(agency=user.agency)
    assert respond(user, participation, response)["errors"] == []
    gid_ = gid("Participation", participation.pk)
    then = gql(user, PARTICIPATION_SUMMARY, {"id": gid_})["data"]["node"]

    # when the operation is renamed, moved, handed to another lead agency and goes on
    other_lead = make_agency("INTERPOL", Agency.Kind.INTERNATIONAL_ORGANISATION, "")
    operation_update(
        actor=coordinator,
        operation=operation,
        name="Renamed after they left",
        planned_end=datetime(2027, 6, 1, tzinfo=UTC),
    )
    Operation.objects.filter(pk=operation.pk).update(lead_agency=other_lead)
    operation_transition(actor=coordinator, operation=operation, to_status="planned")

    # then the agency reads the summary as it stood when it left, no more
    now = gql(user, PARTICIPATION_SUMMARY, {"id": gid_})["data"]["node"]
    assert now == then
    assert now["operation"] is None
    assert now["operationSummary"]["name"] == "Test operation"
    assert now["operationSummary"]["status"] == "DRAFT"
    assert now["operationSummary"]["leadAgency"] == {"acronym": "WCO"}
    # while the coordinator, who sees the operation, reads it as it is
    current = gql(coordinator, PARTICIPATION_SUMMARY, {"id": gid_})["data"]["node"]
    assert current["operationSummary"]["name"] == "Renamed after they left"
    assert current["operationSummary"]["status"] == "PLANNED"


def test_an_agency_invited_again_reads_the_operation_as_it_is(operation, coordinator, invitee):
    participation = operation.participations.get(agency=invitee.agency)
    respond(invitee, participation, "DECLINE")
    operation_update(actor=coordinator, operation=operation, name="Second try")

    invite(coordinator, operation, invitee.agency)

    node = gql(invitee, PARTICIPATION_SUMMARY, {"id": gid("Participation", participation.pk)})
    assert node["data"]["node"]["operationSummary"]["name"] == "Second try"


def test_an_agency_that_declined_learns_nothing_of_what_became_of_the_operation(
    operation, coordinator, invitee
):
    invitation = operation.participations.get(agency=invitee.agency)
    respond(invitee, invitation, "DECLINE")
    before = respond(invitee, invitation, "ACCEPT")

    operation_transition(actor=coordinator, operation=operation, to_status="cancelled")
    after = respond(invitee, invitation, "ACCEPT")

    assert [e["code"] for e in after["errors"]] == ["INVALID_PARTICIPATION_STATE"]
    assert after == before


def test_an_invitation_may_be_withdrawn_before_answering(operation, invitee):
    invitation = operation.participations.get(agency=invitee.agency)

    data = respond(invitee, invitation, "WITHDRAW")

    assert data["errors"] == []
    assert data["participation"]["state"] == "WITHDRAWN"


@pytest.mark.parametrize(
    ("state_of", "response"),
    [
        ("officer", "ACCEPT"),
        ("officer", "DECLINE"),
        ("declined", "ACCEPT"),
        ("declined", "WITHDRAW"),
        ("declined", "DECLINE"),
    ],
    ids=[
        "accept-accepted",
        "decline-accepted",
        "accept-declined",
        "withdraw-declined",
        "decline-declined",
    ],
)
def test_answers_that_do_not_fit_the_state_are_refused(
    operation, officer, invitee, state_of, response
):
    if state_of == "declined":
        user = invitee
        participation = operation.participations.get(agency=invitee.agency)
        participation_respond(
            actor=invitee, participation=participation, response=InvitationResponse.DECLINE
        )
    else:
        user = officer
        participation = operation.participations.get(agency=officer.agency)
    state = Participation.objects.get(pk=participation.pk).state

    data = respond(user, participation, response)

    assert field_codes(data) == [("response", "INVALID_PARTICIPATION_STATE")]
    assert Participation.objects.get(pk=participation.pk).state == state


@pytest.mark.parametrize(
    "who", ["officer", "invitee", "coordinator"], ids=["accepted", "invited", "lead"]
)
def test_an_agency_already_taking_part_or_invited_cannot_be_invited_again(
    operation, coordinator, officer, invitee, who
):
    agency = {"officer": officer, "invitee": invitee, "coordinator": coordinator}[who].agency
    before = list(Participation.objects.filter(operation=operation).values())

    data = invite(coordinator, operation, agency)

    assert field_codes(data) == [("agencyId", "ALREADY_PARTICIPATING")]
    assert list(Participation.objects.filter(operation=operation).values()) == before


def test_the_lead_agency_cannot_withdraw(operation, coordinator):
    lead = operation.participations.get(role=Participation.Role.LEAD)

    data = respond(coordinator, lead, "WITHDRAW")

    assert field_codes(data) == [("response", "LEAD_AGENCY_PARTICIPATION")]
    lead.refresh_from_db()
    assert lead.state == Participation.State.ACCEPTED
    assert group_grants(operation, coordinator.agency) == {"view_operation", "report_hit"}


def test_the_lead_agency_cannot_decline(operation, coordinator):
    # The lead's participation is accepted from the start: like any accepted participation
    # it has nothing left to decline (the state is checked before the role).
    lead = operation.participations.get(role=Participation.Role.LEAD)

    data = respond(coordinator, lead, "DECLINE")

    assert field_codes(data) == [("response", "INVALID_PARTICIPATION_STATE")]
    lead.refresh_from_db()
    assert lead.state == Participation.State.ACCEPTED


def test_an_agency_cannot_be_invited_as_lead(operation, coordinator, outsider):
    data = invite(coordinator, operation, outsider.agency, role="LEAD")

    assert field_codes(data) == [("role", "LEAD_AGENCY_PARTICIPATION")]
    assert not operation.participations.filter(agency=outsider.agency).exists()


def test_contacts_from_another_agency_are_refused_through_the_api(operation, invitee, officer):
    # given the Kenyan invitation, and a Costa Rican officer named as a contact
    invitation = operation.participations.get(agency=invitee.agency)

    data = respond(invitee, invitation, "ACCEPT", contactIds=[gid("User", officer.pk)])

    # then the stranger is not found among the agency's users and nothing changes
    assert field_codes(data) == [("contactIds", "NOT_FOUND")]
    invitation.refresh_from_db()
    assert invitation.state == Participation.State.INVITED
    assert list(invitation.contacts.all()) == []
    assert group_grants(operation, invitee.agency) == set()


def test_contacts_from_another_agency_are_refused_by_the_service(operation, invitee, officer):
    invitation = operation.participations.get(agency=invitee.agency)

    with pytest.raises(ValidationError) as raised:
        participation_respond(
            actor=invitee,
            participation=invitation,
            response=InvitationResponse.ACCEPT,
            contacts=[invitee, officer],
        )

    assert [e.code for e in raised.value.error_dict["contact_ids"]] == ["CONTACT_NOT_IN_AGENCY"]
    assert list(raised.value.error_dict) == ["contact_ids"]
    invitation.refresh_from_db()
    assert invitation.state == Participation.State.INVITED
    assert list(invitation.contacts.all()) == []
    assert group_grants(operation, invitee.agency) == set()


def test_a_participation_is_answered_only_by_its_own_agency_in_the_service(
    operation, officer, invitee
):
    invitation = operation.participations.get(agency=invitee.agency)

    with pytest.raises(ValidationError) as raised:
        participation_respond(
            actor=officer, participation=invitation, response=InvitationResponse.ACCEPT
        )

    assert [e.code for e in raised.value.error_dict["participation_id"]] == ["NOT_FOUND"]
    invitation.refresh_from_db()
    assert invitation.state == Participation.State.INVITED


def test_a_re_invitation_clears_the_old_contacts(operation, coordinator, officer):
    # given the Costa Rican officer named themself contact, then withdrew
    participation = operation.participations.get(agency=officer.agency)
    participation.contacts.set([officer])
    participation_respond(
        actor=officer, participation=participation, response=InvitationResponse.WITHDRAW
    )

    data = invite(coordinator, operation, officer.agency, locations=["SJO"])

    assert data["errors"] == []
    assert data["participation"]["contacts"] == []
    assert data["participation"]["locations"] == ["SJO"]
    assert group_grants(operation, officer.agency) == set()


# --- coordinators --------------------------------------------------------------------


def coordinators_of(operation) -> list[str]:
    return sorted(operation.coordinators.values_list("username", flat=True))


def test_a_participants_officer_can_be_named_coordinator_and_gains_the_grants(
    operation, coordinator, officer
):
    # when the coordinator hands over to the Costa Rican officer
    data = payload(
        gql(
            coordinator,
            UPDATE_COORDINATORS,
            {
                "id": gid("Operation", operation.pk),
                "coordinatorIds": [gid("User", officer.pk)],
            },
        ),
        "updateOperation",
    )

    # then the officer coordinates, and the former coordinator keeps only the lead's grants
    assert data["errors"] == []
    assert data["operation"]["coordinators"] == [{"username": "cr.officer"}]
    assert permissions.operation_permissions(officer)[operation.pk] == set(
        permissions.COORDINATOR_PERMISSIONS
    )
    assert permissions.operation_permissions(coordinator)[operation.pk] == {
        "view_operation",
        "report_hit",
    }
    assert not OperationUserObjectPermission.objects.filter(
        content_object=operation, user=coordinator
    ).exists()


@pytest.mark.parametrize("who", ["observer", "invitee"])
def test_coordinators_must_come_from_a_lead_or_participating_agency(
    operation, coordinator, observer, invitee, who
):
    # An observer's officer, or one whose agency is only invited, cannot coordinate.
    user = {"observer": observer, "invitee": invitee}[who]

    data = payload(
        gql(
            coordinator,
            UPDATE_COORDINATORS,
            {
                "id": gid("Operation", operation.pk),
                "coordinatorIds": [gid("User", coordinator.pk), gid("User", user.pk)],
            },
        ),
        "updateOperation",
    )

    assert field_codes(data) == [("coordinatorIds", "COORDINATOR_NOT_ELIGIBLE")]
    assert coordinators_of(operation) == ["wco.coordinator"]
    assert not OperationUserObjectPermission.objects.filter(user=user).exists()


def test_an_inactive_user_cannot_coordinate(operation, coordinator, officer):
    officer.is_active = False
    officer.save()

    data = payload(
        gql(
            coordinator,
            UPDATE_COORDINATORS,
            {
                "id": gid("Operation", operation.pk),
                "coordinatorIds": [gid("User", officer.pk)],
            },
        ),
        "updateOperation",
    )

    assert field_codes(data) == [("coordinatorIds", "COORDINATOR_NOT_ELIGIBLE")]
    assert coordinators_of(operation) == ["wco.coordinator"]


def test_a_user_of_an_agency_without_participation_is_not_found_as_coordinator(
    operation, coordinator, outsider
):
    data = payload(
        gql(
            coordinator,
            UPDATE_COORDINATORS,
            {
                "id": gid("Operation", operation.pk),
                "coordinatorIds": [gid("User", outsider.pk)],
            },
        ),
        "updateOperation",
    )

    assert field_codes(data) == [("coordinatorIds", "NOT_FOUND")]
    assert coordinators_of(operation) == ["wco.coordinator"]


def test_an_operation_keeps_at_least_one_coordinator(operation, coordinator):
    data = payload(
        gql(
            coordinator,
            UPDATE_COORDINATORS,
            {
                "id": gid("Operation", operation.pk),
                "coordinatorIds": [],
            },
        ),
        "updateOperation",
    )

    assert field_codes(data) == [("coordinatorIds", "NO_COORDINATOR")]
    assert coordinators_of(operation) == ["wco.coordinator"]


def test_the_service_refuses_an_ineligible_coordinator(operation, coordinator, outsider):
    with pytest.raises(ValidationError) as raised:
        operation_update(actor=coordinator, operation=operation, coordinators=[outsider])

    assert [e.code for e in raised.value.error_dict["coordinator_ids"]] == [
        "COORDINATOR_NOT_ELIGIBLE"
    ]
    assert coordinators_of(operation) == ["wco.coordinator"]


def test_an_agency_whose_officer_is_the_only_coordinator_cannot_withdraw(
    operation, coordinator, officer
):
    # given the Costa Rican officer is the only coordinator
    operation_update(actor=coordinator, operation=operation, coordinators=[officer])
    participation = operation.participations.get(agency=officer.agency)

    data = respond(officer, participation, "WITHDRAW")

    assert field_codes(data) == [("response", "NO_COORDINATOR")]
    participation.refresh_from_db()
    assert participation.state == Participation.State.ACCEPTED
    assert coordinators_of(operation) == ["cr.officer"]


def test_withdrawing_ends_the_coordinator_role_held_through_the_agency(
    operation, coordinator, officer
):
    # given the Costa Rican officer coordinates alongside the WCO coordinator
    operation_update(actor=coordinator, operation=operation, coordinators=[coordinator, officer])
    participation = operation.participations.get(agency=officer.agency)

    data = respond(officer, participation, "WITHDRAW")

    assert data["errors"] == []
    assert coordinators_of(operation) == ["wco.coordinator"]
    assert permissions.operation_permissions(officer) == {}
    assert not sees(officer, operation)


# --- filters of `operations` ---------------------------------------------------------


@pytest.fixture
def three_operations(operation, coordinator, officer, observer, outsider):
    """OP-TEST (drugs, draft, March 2027; CR participates, UNODC observes),
    OP-SUMMER (containers, planned, June 2027; CR participates and co-coordinates),
    OP-WINTER (precursors, cancelled, Dec 2026-Jan 2027; CR only invited),
    FR-ONLY (drugs, March 2027) that only the French see."""
    summer = make_operation(
        coordinator,
        code="OP-SUMMER",
        focus=Operation.Focus.CONTAINERS,
        planned_start=datetime(2027, 6, 1, tzinfo=UTC),
        planned_end=datetime(2027, 6, 30, tzinfo=UTC),
    )
    accept(summer, coordinator, officer)
    operation_update(actor=coordinator, operation=summer, coordinators=[coordinator, officer])
    operation_transition(actor=coordinator, operation=summer, to_status=Operation.Status.PLANNED)
    winter = make_operation(
        coordinator,
        code="OP-WINTER",
        focus=Operation.Focus.PRECURSORS,
        planned_start=datetime(2026, 12, 1, tzinfo=UTC),
        planned_end=datetime(2027, 1, 15, tzinfo=UTC),
    )
    participation_invite(actor=coordinator, operation=winter, agency=officer.agency)
    operation_transition(actor=coordinator, operation=winter, to_status=Operation.Status.CANCELLED)
    make_operation(outsider, code="FR-ONLY")
    return operation, summer, winter


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (["DRAFT"], ["OP-TEST"]),
        (["PLANNED"], ["OP-SUMMER"]),
        (["DRAFT", "PLANNED"], ["OP-SUMMER", "OP-TEST"]),
        (["CANCELLED"], ["OP-WINTER"]),
        (["ACTIVE"], []),
        ([], ["OP-SUMMER", "OP-TEST", "OP-WINTER"]),
    ],
)
def test_operations_filter_by_status(three_operations, coordinator, status, expected):
    assert visible_codes(coordinator, status=status) == expected


@pytest.mark.parametrize(
    ("focus", "expected"),
    [
        (["DRUGS"], ["OP-TEST"]),
        (["CONTAINERS", "PRECURSORS"], ["OP-SUMMER", "OP-WINTER"]),
        (["GENERAL_AVIATION"], []),
    ],
)
def test_operations_filter_by_focus_never_reveals_hidden_ones(
    three_operations, coordinator, focus, expected
):
    # FR-ONLY is about drugs too, but the coordinator does not take part in it.
    assert visible_codes(coordinator, focus=focus) == expected


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        # OP-WINTER 2026-12-01..2027-01-15, OP-TEST 2027-03-01 08:00..03-31 08:00,
        # OP-SUMMER 2027-06-01..06-30.
        ("2027-03-10T00:00:00Z", "2027-03-12T00:00:00Z", ["OP-TEST"]),
        ("2027-01-10T00:00:00Z", "2027-03-02T00:00:00Z", ["OP-TEST", "OP-WINTER"]),
        ("2027-01-16T00:00:00Z", "2027-02-28T00:00:00Z", []),
        ("2027-03-31T08:00:00Z", None, ["OP-SUMMER", "OP-TEST"]),
        ("2027-03-31T08:00:01Z", None, ["OP-SUMMER"]),
        (None, "2027-03-01T08:00:00Z", ["OP-TEST", "OP-WINTER"]),
        (None, "2027-03-01T07:59:59Z", ["OP-WINTER"]),
        ("2027-03-01T09:00:00+01:00", "2027-03-01T09:00:00+01:00", ["OP-TEST"]),
        ("2027-07-01T00:00:00Z", None, []),
    ],
    ids=[
        "inside-one",
        "overlaps-two",
        "gap-between",
        "from-at-end",
        "from-after-end",
        "to-at-start",
        "to-before-start",
        "offset-instant",
        "after-all",
    ],
)
def test_operations_filter_by_overlap_with_a_date_range(
    three_operations, coordinator, date_from, date_to, expected
):
    filters = {}
    if date_from:
        filters["dateFrom"] = date_from
    if date_to:
        filters["dateTo"] = date_to

    assert visible_codes(coordinator, **filters) == expected


@pytest.mark.parametrize(
    ("who", "role", "expected"),
    [
        ("coordinator", "COORDINATOR", ["OP-SUMMER", "OP-TEST", "OP-WINTER"]),
        ("coordinator", "LEAD", ["OP-SUMMER", "OP-TEST", "OP-WINTER"]),
        ("coordinator", "PARTICIPANT", []),
        ("officer", "COORDINATOR", ["OP-SUMMER"]),
        ("officer", "PARTICIPANT", ["OP-SUMMER", "OP-TEST"]),
        ("officer", "OBSERVER", []),
        ("observer", "OBSERVER", ["OP-TEST"]),
        ("observer", "PARTICIPANT", []),
        ("observer", "COORDINATOR", []),
        ("outsider", "COORDINATOR", ["FR-ONLY"]),
        ("outsider", "LEAD", ["FR-ONLY"]),
        ("outsider", "PARTICIPANT", []),
    ],
)
def test_operations_filter_by_my_role(
    three_operations, coordinator, officer, observer, outsider, who, role, expected
):
    user = {
        "coordinator": coordinator,
        "officer": officer,
        "observer": observer,
        "outsider": outsider,
    }[who]

    assert visible_codes(user, myRole=role) == expected


def test_my_role_participant_ignores_declined_and_withdrawn_participations(
    three_operations, coordinator, officer
):
    # given the Costa Rican customs withdraws from OP-TEST
    operation, _, _ = three_operations
    participation_respond(
        actor=officer,
        participation=operation.participations.get(agency=officer.agency),
        response=InvitationResponse.WITHDRAW,
    )

    assert visible_codes(officer, myRole="PARTICIPANT") == ["OP-SUMMER"]


def test_filters_combine(three_operations, officer):
    assert visible_codes(
        officer, status=["DRAFT", "PLANNED"], focus=["CONTAINERS"], myRole="COORDINATOR"
    ) == ["OP-SUMMER"]
    assert visible_codes(officer, status=["DRAFT"], myRole="COORDINATOR") == []


def test_the_outsider_sees_only_its_own_operation_whatever_the_filter(three_operations, outsider):
    assert visible_codes(outsider) == ["FR-ONLY"]
    assert visible_codes(outsider, focus=["DRUGS"]) == ["FR-ONLY"]
    assert visible_codes(outsider, status=["CANCELLED", "PLANNED"]) == []


def test_a_new_agency_sees_nothing(three_operations):
    stranger = make_user("be.officer", make_agency("BE-CUSTOMS", country="BE"))

    assert visible_codes(stranger) == []


def test_operations_filter_by_my_role_analyst(operation, coordinator, officer):
    # given the officer named analyst of OP-TEST
    operation_update(actor=coordinator, operation=operation, analysts=[officer])

    # then the filter and the role the list shows agree
    assert visible_codes(officer, myRole="ANALYST") == ["OP-TEST"]
    assert visible_codes(coordinator, myRole="ANALYST") == []
