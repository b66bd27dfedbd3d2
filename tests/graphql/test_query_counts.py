"""No N+1: list queries make the same number of SQL queries for 2 and for 50 rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency
from operations.models import Participation
from operations.services import InvitationResponse, participation_invite, participation_respond
from tests.conftest import START, gql, make_agency, make_operation, make_user
from timeline.models import TimeWindow
from timeline.services import time_window_create

OPERATIONS = """
query {
  operations(first: 100) {
    totalCount
    edges { node {
      id code
      leadAgency { acronym }
      coordinators { username }
      participations { agency { acronym } contacts { username } }
      timeWindows { kind startsAtLocal participation { agency { acronym } } }
      viewerPermissions
    } }
  }
}
"""

AGENCIES = """
query {
  agencies(first: 100) {
    totalCount
    edges { node { id name acronym kind country countryName } }
  }
}
"""

# Pinned so that a regression (or an improvement) is visible. For `operations`: session,
# user, the count, the page (lead agency joined), coordinators, participations (agency
# joined), contacts, live time windows (participation and its agency joined), and the
# viewer's permissions (user grants, group grants).
OPERATIONS_QUERIES = 10
# Session + user, the count, the page.
AGENCIES_QUERIES = 4


def queries_of(user, document):
    """SQL queries of one request by an already logged-in `user` (login not counted)."""
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        answer = gql(None, document, client=client)
    assert "errors" not in answer, answer
    return len(captured), answer


def build_operations(coordinator, officer, count, first=0):
    """`count` operations, each with a participant (with a contact), a phase and a
    control window of that participant."""
    for number in range(first, first + count):
        operation = make_operation(coordinator, code=f"OP-{number:03d}")
        invited = participation_invite(
            actor=coordinator, operation=operation, agency=officer.agency
        )
        participation = participation_respond(
            actor=officer,
            participation=invited,
            response=InvitationResponse.ACCEPT,
            contacts=[officer],
            locations=["CRSJO"],
        )
        time_window_create(
            actor=coordinator,
            operation=operation,
            kind=TimeWindow.Kind.OPERATIONAL,
            starts_at=START + timedelta(days=1),
            ends_at=START + timedelta(days=9),
        )
        time_window_create(
            actor=coordinator,
            operation=operation,
            kind=TimeWindow.Kind.CONTROL,
            participation=participation,
            location_code="SJO",
            starts_at=START + timedelta(days=2),
            ends_at=START + timedelta(days=2, hours=8),
        )


@pytest.mark.parametrize("viewer", ["coordinator", "officer"])
def test_operations_list_makes_the_same_number_of_queries_for_2_and_50_rows(
    coordinator, officer, viewer
):
    # given two operations the viewer sees, each with participations, contacts and windows
    user = {"coordinator": coordinator, "officer": officer}[viewer]
    build_operations(coordinator, officer, 2)

    # when the list is read with every nested relation
    few, answer = queries_of(user, OPERATIONS)
    assert answer["data"]["operations"]["totalCount"] == 2
    node = answer["data"]["operations"]["edges"][0]["node"]
    assert {p["agency"]["acronym"] for p in node["participations"]} == {"WCO", "CR-CUSTOMS"}
    assert [w["participation"] for w in node["timeWindows"]][0] is None
    assert node["timeWindows"][1]["participation"]["agency"]["acronym"] == "CR-CUSTOMS"

    # and again with fifty
    build_operations(coordinator, officer, 48, first=2)
    many, answer = queries_of(user, OPERATIONS)

    # then the count does not grow with the rows
    assert answer["data"]["operations"]["totalCount"] == 50
    assert len(answer["data"]["operations"]["edges"]) == 50
    assert all(len(e["node"]["timeWindows"]) == 2 for e in answer["data"]["operations"]["edges"])
    assert few == many
    assert many == OPERATIONS_QUERIES


def test_agencies_list_makes_the_same_number_of_queries_for_2_and_50_rows(db):
    # given two agencies
    wco = make_agency("WCO", Agency.Kind.INTERNATIONAL_ORGANISATION, "")
    make_agency("BE-CUSTOMS", country="BE")
    user = make_user("reader", wco)

    few, answer = queries_of(user, AGENCIES)
    assert answer["data"]["agencies"]["totalCount"] == 2
    assert answer["data"]["agencies"]["edges"][0]["node"]["countryName"] == "Belgium"

    # when there are fifty
    for number in range(48):
        make_agency(f"AG-{number:02d}", Agency.Kind.POLICE, "KE")
    many, answer = queries_of(user, AGENCIES)

    # then the same number of queries answers
    assert answer["data"]["agencies"]["totalCount"] == 50
    assert len(answer["data"]["agencies"]["edges"]) == 50
    assert few == many
    assert many == AGENCIES_QUERIES


def test_operations_query_count_holds_with_participations_in_every_state(
    coordinator, officer, invitee, observer
):
    # given operations whose participations are invited, or accepted as observer
    build_operations(coordinator, officer, 2)
    few, _ = queries_of(coordinator, OPERATIONS)
    for number in range(2, 20):
        operation = make_operation(coordinator, code=f"OP-X{number:02d}")
        participation_invite(actor=coordinator, operation=operation, agency=invitee.agency)
        observing = participation_invite(
            actor=coordinator,
            operation=operation,
            agency=observer.agency,
            role=Participation.Role.OBSERVER,
        )
        participation_respond(
            actor=observer,
            participation=observing,
            response=InvitationResponse.ACCEPT,
            contacts=[observer],
        )

    many, answer = queries_of(coordinator, OPERATIONS)

    assert answer["data"]["operations"]["totalCount"] == 20
    assert few == many == OPERATIONS_QUERIES


# What the web application's screens read besides: my role in each operation, who may be
# named coordinator or analyst, and how I may answer for each participation.
OPERATIONS_FOR_SCREENS = """
query {
  operations(first: 100, search: "op") {
    totalCount
    edges { node {
      id code myRole allowedTransitions
      coordinatorCandidates { username agency { acronym } }
      analystCandidates { username }
      participations { agency { acronym } viewerResponses }
    } }
  }
}
"""
# Session, user, the count, the page, participations, the viewer's permissions (two), the
# candidates' accepted participations (agency joined) and their agencies' active users.
OPERATIONS_FOR_SCREENS_QUERIES = 9


@pytest.mark.parametrize("viewer", ["coordinator", "officer"])
def test_screens_fields_make_the_same_number_of_queries_for_2_and_50_rows(
    coordinator, officer, viewer
):
    # given two operations, each with an accepted participant
    user = {"coordinator": coordinator, "officer": officer}[viewer]
    build_operations(coordinator, officer, 2)

    few, answer = queries_of(user, OPERATIONS_FOR_SCREENS)
    node = answer["data"]["operations"]["edges"][0]["node"]
    assert node["myRole"] == {"coordinator": "COORDINATOR", "officer": "PARTICIPANT"}[viewer]
    if viewer == "coordinator":
        assert [u["username"] for u in node["coordinatorCandidates"]] == [
            "cr.officer",
            "wco.coordinator",
        ]
    else:
        assert node["coordinatorCandidates"] == node["analystCandidates"] == []
        assert {p["agency"]["acronym"]: p["viewerResponses"] for p in node["participations"]} == {
            "CR-CUSTOMS": ["WITHDRAW"],
            "WCO": [],
        }

    # and with fifty
    build_operations(coordinator, officer, 48, first=2)
    many, answer = queries_of(user, OPERATIONS_FOR_SCREENS)

    assert answer["data"]["operations"]["totalCount"] == 50
    assert few == many
    assert many == OPERATIONS_FOR_SCREENS_QUERIES
