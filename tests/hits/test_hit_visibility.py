"""Who sees which hit, and whose nominal data, on every read path of the API.

RED and AMBER+STRICT hits: the reporting agency and the coordinators only. Nominal data
(actors, who reported, the history): the same people, whatever the marking. Everyone else
with view_operation sees the rest; an agency that takes no part sees nothing.

In `active_operation` the hits below are reported, in this order (sequence, reporter,
marking): 1 officer RED, 2 officer AMBER+STRICT, 3 officer GREEN, 4 officer AMBER,
5 ng_officer RED, 6 ng_officer CLEAR.
"""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from graphql_relay import to_global_id

from operations import hit_services, services
from operations.models import Marking, Operation
from operations.permissions import hits_visible_to
from tests.conftest import accept, gql, make_operation, make_user
from tests.hits.conftest import report
from timeline.models import TimeWindow
from timeline.services import time_window_create

OPERATION_HITS = """
query($id: ID!, $after: Decimal, $status: [String]) {
  operation(id: $id) {
    hits(first: 100, afterSequence: $after, status: $status) {
      totalCount
      edges { node { sequence marking reportingAgency { acronym } } }
    }
  }
}
"""

OPERATIONS_HITS = """
{ operations(first: 10) { edges { node { code hits { totalCount edges { node { sequence } } } } } } }
"""

NODE_HIT = """
query($id: ID!) {
  node(id: $id) {
    ... on Hit { sequence marking operation { code } }
  }
}
"""

NOMINAL = """
query($id: ID!) {
  node(id: $id) {
    ... on Hit {
      sequence
      nominalDataVisible
      actors { name phones documents { number country } }
      reportedBy { username }
      revisions { version content author { username } }
      items { commodity }
      shipment { aircraftRegistration }
      reportingAgency { acronym }
    }
  }
}
"""

NOMINAL_IN_LIST = """
query($id: ID!) {
  operation(id: $id) {
    hits(first: 100) {
      edges { node { sequence nominalDataVisible actors { name } reportedBy { username }
                     revisions { version } } }
    }
  }
}
"""

REPORTER_AGENCY = """
query($id: ID!) { node(id: $id) { ... on Hit { reportedBy { username agency { acronym } } } } }
"""

ALL = [1, 2, 3, 4, 5, 6]
SEEN_BY = {
    "coordinator": ALL,
    "officer": [1, 2, 3, 4, 6],
    "ng_officer": [3, 4, 5, 6],
    "observer": [3, 4, 6],
    "wco_colleague": [3, 4, 6],  # lead agency, but not a coordinator
    "outsider": [],
}
NOMINAL_SEEN_BY = {
    "coordinator": ALL,
    "officer": [1, 2, 3, 4],
    "ng_officer": [5, 6],
    "observer": [],
    "wco_colleague": [],
}


@pytest.fixture
def wco_colleague(wco):
    return make_user("wco.analyst", wco)


@pytest.fixture
def people(coordinator, officer, ng_officer, observer, wco_colleague, outsider):
    return {
        "coordinator": coordinator,
        "officer": officer,
        "ng_officer": ng_officer,
        "observer": observer,
        "wco_colleague": wco_colleague,
        "outsider": outsider,
    }


@pytest.fixture
def hits(active_operation, officer, ng_officer):
    """The six hits of the module docstring, by sequence."""
    reported = [
        report(officer, active_operation, marking=Marking.RED),
        report(officer, active_operation, marking=Marking.AMBER_STRICT),
        report(officer, active_operation, marking=Marking.GREEN),
        report(officer, active_operation, marking=Marking.AMBER),
        report(
            ng_officer,
            active_operation,
            marking=Marking.RED,
            country="NG",
            actors=[
                {
                    "kind": "person",
                    "role": "courier",
                    "name": "Ade Okafor",
                    "phones": ["0803 123 4567"],
                }
            ],
        ),
        report(
            ng_officer,
            active_operation,
            marking=Marking.CLEAR,
            country="NG",
            actors=[{"kind": "organisation", "role": "consignor", "name": "Lagos Freight Ltd"}],
        ),
    ]
    return {r.hit.sequence: r.hit for r in reported}


def hit_id(hit) -> str:
    return to_global_id("Hit", hit.pk)


def listed(user, operation, **variables) -> tuple[list[int], int]:
    answer = gql(user, OPERATION_HITS, {"id": to_global_id("Operation", operation.pk), **variables})
    assert "errors" not in answer, answer
    connection = answer["data"]["operation"]["hits"]
    return [edge["node"]["sequence"] for edge in connection["edges"]], connection["totalCount"]


# --- which hits ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["coordinator", "officer", "ng_officer", "observer", "wco_colleague"]
)
def test_operation_hits_list_and_total_count_show_only_visible_hits(
    active_operation, hits, people, who
):
    sequences, total = listed(people[who], active_operation)

    assert sequences == SEEN_BY[who]
    assert total == len(SEEN_BY[who])


@pytest.mark.parametrize("who", list(SEEN_BY))
def test_selector_agrees_with_the_api(active_operation, hits, people, who):
    visible = hits_visible_to(people[who]).filter(operation=active_operation)

    assert sorted(visible.values_list("sequence", flat=True)) == SEEN_BY[who]


@pytest.mark.parametrize(
    ("who", "after", "expected"),
    [
        ("coordinator", 2, [3, 4, 5, 6]),
        ("officer", 0, [1, 2, 3, 4, 6]),
        ("officer", 4, [6]),
        ("ng_officer", 1, [3, 4, 5, 6]),
        ("ng_officer", 4, [5, 6]),
        ("observer", 1, [3, 4, 6]),
        ("observer", 4, [6]),
        ("observer", 6, []),
    ],
)
def test_after_sequence_resumes_only_with_visible_hits(
    active_operation, hits, people, who, after, expected
):
    sequences, total = listed(people[who], active_operation, after=after)

    assert sequences == expected
    assert total == len(expected)


def test_status_filter_does_not_reveal_restricted_hits(
    active_operation, hits, coordinator, observer
):
    hit_services.hit_review(actor=coordinator, hit=hits[1], decision="confirm")
    hit_services.hit_review(actor=coordinator, hit=hits[3], decision="confirm")

    assert listed(observer, active_operation, status=["CONFIRMED"]) == ([3], 1)
    assert listed(coordinator, active_operation, status=["CONFIRMED"]) == ([1, 3], 2)


@pytest.mark.parametrize("who", list(SEEN_BY))
def test_node_returns_a_hit_only_to_those_who_may_see_it(active_operation, hits, people, who):
    answers = {
        sequence: gql(people[who], NODE_HIT, {"id": hit_id(hit)}) for sequence, hit in hits.items()
    }

    for sequence, answer in answers.items():
        assert "errors" not in answer, answer
        if sequence in SEEN_BY[who]:
            assert answer["data"]["node"] == {
                "sequence": sequence,
                "marking": hits[sequence].marking.upper(),
                "operation": {"code": "LIVE-OP"},
            }
        else:
            assert answer["data"]["node"] is None


def test_hidden_hit_looks_exactly_like_a_missing_one(active_operation, hits, observer):
    hidden = gql(observer, NODE_HIT, {"id": hit_id(hits[1])})
    missing = gql(observer, NODE_HIT, {"id": to_global_id("Hit", 999_999)})

    assert hidden == missing == {"data": {"node": None}}


def test_outsider_sees_neither_the_operation_nor_any_hit(active_operation, hits, outsider):
    operation = gql(
        outsider, OPERATION_HITS, {"id": to_global_id("Operation", active_operation.pk)}
    )
    operations = gql(outsider, OPERATIONS_HITS)
    nodes = [gql(outsider, NOMINAL, {"id": hit_id(hit)}) for hit in hits.values()]

    assert operation == {"data": {"operation": None}}
    assert operations == {"data": {"operations": {"edges": []}}}
    assert nodes == [{"data": {"node": None}}] * len(hits)


def test_anonymous_sees_no_hit(active_operation, hits):
    answer = gql(None, NODE_HIT, {"id": hit_id(hits[3])})

    assert "data" not in answer  # refused as a whole request (HTTP 401)
    assert [e["extensions"]["code"] for e in answer["errors"]] == ["NOT_AUTHENTICATED"]


def test_operations_list_counts_only_visible_hits(active_operation, hits, observer):
    answer = gql(observer, OPERATIONS_HITS)

    assert answer == {
        "data": {
            "operations": {
                "edges": [
                    {
                        "node": {
                            "code": "LIVE-OP",
                            "hits": {
                                "totalCount": 3,
                                "edges": [{"node": {"sequence": s}} for s in (3, 4, 6)],
                            },
                        }
                    }
                ]
            }
        }
    }


def test_coordinating_one_operation_reveals_nothing_restricted_in_another(
    hits, coordinator, outsider, ng_officer
):
    # FR customs runs FR-OP; WCO (the coordinator's agency) merely takes part in it.
    now = timezone.now()
    fr_op = make_operation(
        outsider,
        code="FR-OP",
        planned_start=now - timedelta(days=2),
        planned_end=now + timedelta(days=10),
    )
    accept(fr_op, outsider, coordinator)
    accept(fr_op, outsider, ng_officer)
    time_window_create(
        actor=outsider,
        operation=fr_op,
        kind=TimeWindow.Kind.OPERATIONAL,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=5),
    )
    for status in (Operation.Status.PLANNED, Operation.Status.ACTIVE):
        services.operation_transition(actor=outsider, operation=fr_op, to_status=status)
    report(ng_officer, fr_op, marking=Marking.RED)
    report(ng_officer, fr_op, marking=Marking.GREEN)

    there, total = listed(coordinator, fr_op)
    node = gql(coordinator, NOMINAL, {"id": hit_id(fr_op.hits.get(sequence=2))})["data"]["node"]

    assert (there, total) == ([2], 1)
    assert listed(coordinator, hits[1].operation)[0] == ALL
    assert (node["nominalDataVisible"], node["actors"]) == (False, [])


# --- nominal data ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["coordinator", "officer", "ng_officer", "observer", "wco_colleague"]
)
def test_nominal_data_only_for_reporting_agency_and_coordinators(
    active_operation, hits, people, who
):
    user = people[who]

    for sequence in SEEN_BY[who]:
        node = gql(user, NOMINAL, {"id": hit_id(hits[sequence])})["data"]["node"]
        hit = hits[sequence]
        assert node["sequence"] == sequence
        assert node["reportingAgency"] == {"acronym": hit.reporting_agency.acronym}
        assert node["items"] == [{"commodity": "COCAINE"}]
        assert node["shipment"] == {"aircraftRegistration": "N123AB"}
        if sequence in NOMINAL_SEEN_BY[who]:
            assert node["nominalDataVisible"] is True
            assert [a["name"] for a in node["actors"]] == [a.name for a in hit.actors.all()]
            assert node["reportedBy"] == {"username": hit.reported_by.username}
            assert [r["version"] for r in node["revisions"]] == [1]
            assert node["revisions"][0]["author"] == {"username": hit.reported_by.username}
        else:
            assert node["nominalDataVisible"] is False
            assert (node["actors"], node["reportedBy"], node["revisions"]) == ([], None, [])


def test_reporting_agency_sees_its_actors_normalised(active_operation, hits, ng_officer):
    node = gql(ng_officer, NOMINAL, {"id": hit_id(hits[5])})["data"]["node"]

    assert node["actors"] == [{"name": "Ade Okafor", "phones": ["+2348031234567"], "documents": []}]


def test_coordinator_sees_the_full_content_of_each_revision(active_operation, hits, coordinator):
    node = gql(coordinator, NOMINAL, {"id": hit_id(hits[1])})["data"]["node"]

    content = json.loads(node["revisions"][0]["content"])
    assert content["actors"][0]["name"] == "Juan Pérez"
    assert content["actors"][0]["documents"] == [
        {"kind": "passport", "number": "AB123456", "country": "CO"}
    ]
    assert content["marking"] == "RED"


@pytest.mark.parametrize("who", ["ng_officer", "observer"])
def test_nominal_data_is_withheld_in_lists_too(active_operation, hits, people, who):
    answer = gql(
        people[who], NOMINAL_IN_LIST, {"id": to_global_id("Operation", active_operation.pk)}
    )

    nodes = {e["node"]["sequence"]: e["node"] for e in answer["data"]["operation"]["hits"]["edges"]}
    for sequence in (3, 4):  # officer's GREEN and AMBER hits
        assert nodes[sequence] == {
            "sequence": sequence,
            "nominalDataVisible": False,
            "actors": [],
            "reportedBy": None,
            "revisions": [],
        }


def test_nominal_data_of_an_amended_hit_stays_withheld(active_operation, hits, officer, observer):
    hit_services.hit_amend(
        actor=officer,
        hit=hits[3],
        data={
            **hits[3].revisions.get().content,
            "notes": "Second courier identified.",
            "occurred_at": hits[3].occurred_at,
            "actors": [{"kind": "person", "role": "courier", "name": "María Solís"}],
        },
        reason="second courier",
    )

    node = gql(observer, NOMINAL, {"id": hit_id(hits[3])})["data"]["node"]

    assert (node["actors"], node["reportedBy"], node["revisions"]) == ([], None, [])


def test_reporting_agency_sees_who_reported_and_their_agency(active_operation, hits, officer):
    answer = gql(officer, REPORTER_AGENCY, {"id": hit_id(hits[1])})

    assert answer == {
        "data": {
            "node": {"reportedBy": {"username": "cr.officer", "agency": {"acronym": "CR-CUSTOMS"}}}
        }
    }
