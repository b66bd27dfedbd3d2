"""Operation.timeline for the web application: the newest entries first (paged as the
oldest-first order is), and what a status or participation change changed to, coded, so
that a client can say it in its reader's language."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from graphql_relay import to_global_id

from operations import services
from tests.conftest import gql
from tests.hits.conftest import report

TIMELINE = """
query Timeline($id: ID!, $kinds: [TimelineEntryKind!], $newestFirst: Boolean, $first: Int,
               $after: String) {
  operation(id: $id) {
    timeline(kinds: $kinds, newestFirst: $newestFirst, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { at kind summary status participationState agency { acronym } } }
    }
  }
}
"""


def timeline(user, operation, **variables):
    variables = {"id": to_global_id("Operation", operation.pk), **variables}
    answer = gql(user, TIMELINE, variables)
    assert "errors" not in answer, answer
    return answer["data"]["operation"]["timeline"]


def nodes(page):
    return [edge["node"] for edge in page["edges"]]


@pytest.fixture
def hits(active_operation, officer, ng_officer):
    now = timezone.now()
    return [
        report(ng_officer, active_operation, occurred_at=now - timedelta(hours=2)).hit,
        report(officer, active_operation, occurred_at=now - timedelta(minutes=10)).hit,
    ]


def test_newest_first_is_the_exact_reverse_of_oldest_first(hits, active_operation, coordinator):
    oldest_first = nodes(timeline(coordinator, active_operation))
    for absent in ({}, {"newestFirst": None}, {"newestFirst": False}):
        assert nodes(timeline(coordinator, active_operation, **absent)) == oldest_first

    newest_first = nodes(timeline(coordinator, active_operation, newestFirst=True))

    assert len(newest_first) == 13
    assert newest_first == oldest_first[::-1]


def test_newest_first_pages_cover_every_entry_once(hits, active_operation, coordinator):
    everything = nodes(timeline(coordinator, active_operation, newestFirst=True))
    seen, after, pages = [], None, 0
    while True:
        page = timeline(coordinator, active_operation, newestFirst=True, first=4, after=after)
        seen += nodes(page)
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert pages < 10

    assert seen == everything
    assert pages == 4


def test_newest_first_with_kinds_keeps_only_those_kinds(hits, active_operation, coordinator):
    entries = nodes(timeline(coordinator, active_operation, kinds=["HIT"], newestFirst=True))

    assert [e["kind"] for e in entries] == ["HIT", "HIT"]
    assert entries[0]["at"] > entries[1]["at"]
    assert [e["agency"]["acronym"] for e in entries] == ["CR-CUSTOMS", "NG-CUSTOMS"]


def test_status_changes_say_the_status_entered(active_operation, coordinator):
    services.operation_transition(actor=coordinator, operation=active_operation, to_status="closed")

    entries = nodes(timeline(coordinator, active_operation, kinds=["STATUS_CHANGE"]))

    assert [e["status"] for e in entries] == ["DRAFT", "PLANNED", "ACTIVE", "CLOSED"]
    assert [e["participationState"] for e in entries] == [None] * 4


def test_participation_changes_say_the_state_entered(active_operation, coordinator, observer):
    participation = active_operation.participations.get(agency=observer.agency)
    services.participation_respond(
        actor=observer, participation=participation, response=services.InvitationResponse.WITHDRAW
    )

    entries = nodes(timeline(coordinator, active_operation, kinds=["PARTICIPATION_CHANGE"]))

    assert [(e["agency"]["acronym"], e["participationState"]) for e in entries][-1] == (
        "UNODC",
        "WITHDRAWN",
    )
    states = [e["participationState"] for e in entries]
    assert states[:6] == ["INVITED", "ACCEPTED"] * 3
    assert all(e["status"] is None for e in entries)


def test_other_entries_carry_neither(hits, active_operation, coordinator):
    entries = nodes(
        timeline(coordinator, active_operation, kinds=["PHASE", "CONTROL_WINDOW", "HIT"])
    )

    assert len(entries) == 4
    assert all(e["status"] is None and e["participationState"] is None for e in entries)


# The web application's timeline document (frontend/src/timeline/history/): each entry's
# object with what the page says of it. Its query count must not grow with the entries.
WEB_TIMELINE = """
query OperationTimeline($id: ID!, $newestFirst: Boolean, $to: DateTime, $first: Int) {
  operation(id: $id) {
    id timeZone
    timeline(newestFirst: $newestFirst, to: $to, first: $first) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node {
        at kind summary actor status participationState agency { id acronym name }
        node {
          __typename id
          ... on TimeWindow { kind endsAt locationCode locationName latitude longitude
                              participation { id agency { id acronym name } } }
          ... on Participation { role agency { id acronym name } }
          ... on Hit { sequence hitKind: kind hitStatus: status country place
                       hitLocationCode: locationCode items { commodity quantity unit } }
        }
      } }
    }
  }
}
"""


def _web_page_queries(user, operation, first):
    client = Client()
    client.force_login(user)
    variables = {"id": to_global_id("Operation", operation.pk), "newestFirst": True, "first": first}
    with CaptureQueriesContext(connection) as captured:
        answer = gql(user, WEB_TIMELINE, variables, client=client)
    assert "errors" not in answer, answer
    return len(captured), answer["data"]["operation"]["timeline"]["edges"]


def test_the_web_apps_timeline_costs_the_same_for_2_and_50_entries(
    active_operation, coordinator, officer, ng_officer
):
    now = timezone.now()
    for minutes in range(2, 60):
        report(officer, active_operation, occurred_at=now - timedelta(minutes=minutes))

    small, small_edges = _web_page_queries(coordinator, active_operation, 2)
    big, big_edges = _web_page_queries(coordinator, active_operation, 50)

    assert (len(small_edges), len(big_edges)) == (2, 50)
    assert {e["node"]["kind"] for e in big_edges} >= {"HIT"}
    assert big == small
