"""Reading hits over GraphQL: the statements a query costs follow what it selected.

The related rows of a hit (operation, agency, reporter, shipment, items, actors,
revisions) are joined or prefetched only when the query selects them, in a number of
statements that does not grow with the page (graphql_api.hits.types.plan_hit_queryset).
"""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from graphql_relay import to_global_id

from graphql_api.hits.types import plan_hit_queryset
from operations.models import Hit
from tests.conftest import gql
from tests.hits.conftest import report

LATEST_HITS = """
query($id: ID!, $last: Int!) {
  operation(id: $id) {
    hits(last: $last) {
      edges { node {
        id sequence occurredAt marking status
        items { commodity quantity unit kilograms }
        shipment { containerNumber airWaybill departureCountry destinationCountry }
        actors { name role phones }
        reportingAgency { acronym name }
      } }
    }
  }
}
"""

LATEST_HITS_WITH_HISTORY = """
query($id: ID!, $last: Int!) {
  operation(id: $id) {
    hits(last: $last) {
      edges { node {
        sequence occurredAtLocal
        reportedBy { username agency { acronym } }
        revisions { version author { username agency { acronym } } }
      } }
    }
  }
}
"""

SEQUENCES_ONLY = """
query($id: ID!, $last: Int!) {
  operation(id: $id) { hits(last: $last) { edges { node { sequence marking } } } }
}
"""

HIT_NODE = """
query($id: ID!) {
  node(id: $id) {
    ... on Hit { sequence items { commodity } shipment { containerNumber } actors { name } }
  }
}
"""

# Statements of any request of a logged-in user: the session and the user.
REQUEST = 2
# operation(id) (1), the connection's count (1) and page (1).
PAGE = 3
# The viewer's permissions, once per request: which hits they see (the page's filter, with
# the operations as literals) and their nominal data (actors, reporter).
PERMISSIONS = 2


def add_hits(operation, reporters, count: int) -> None:
    for i in range(count):
        report(
            reporters[i % len(reporters)],
            operation,
            shipment={"container_number": "CSQU3054383"},
            items=[
                {"commodity": "cocaine", "quantity": "1", "unit": "kg"},
                {"commodity": "heroin", "quantity": "2", "unit": "kg"},
            ],
        )


def read(user, document: str, variables: dict) -> tuple[dict, list[str]]:
    """The answer to `document` and the SQL it cost (the login is not counted)."""
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        answer = gql(None, document, variables, client=client)
    assert "errors" not in answer, answer
    return answer["data"], [query["sql"] for query in captured.captured_queries]


def latest(user, document: str, operation, last: int = 50) -> tuple[list[dict], list[str]]:
    data, sql = read(user, document, {"id": to_global_id("Operation", operation.pk), "last": last})
    return [edge["node"] for edge in data["operation"]["hits"]["edges"]], sql


def test_latest_hits_with_items_shipment_actors_and_agency_cost_nine_statements_for_2_or_50(
    active_operation, officer, ng_officer, coordinator
):
    add_hits(active_operation, [officer, ng_officer], 2)
    few, few_sql = latest(coordinator, LATEST_HITS, active_operation)
    add_hits(active_operation, [officer, ng_officer], 48)

    many, many_sql = latest(coordinator, LATEST_HITS, active_operation)

    # the page with agency and shipment joined, items (1), actors (1): no revisions
    assert (len(few), len(many)) == (2, 50)
    assert len(few_sql) == len(many_sql) == REQUEST + PAGE + 2 + PERMISSIONS
    assert not any("operations_hitrevision" in sql for sql in many_sql)
    assert many[-1]["items"][1] == {
        "commodity": "HEROIN",
        "quantity": "2.000",
        "unit": "KILOGRAM",
        "kilograms": "2.000000",
    }
    assert many[-1]["shipment"]["containerNumber"] == "CSQU3054383"
    assert many[-1]["actors"][0]["name"] == "Juan Pérez"
    assert {hit["reportingAgency"]["acronym"] for hit in many} == {"CR-CUSTOMS", "NG-CUSTOMS"}


def test_history_is_read_only_when_selected_in_the_same_statements_for_2_or_50(
    active_operation, officer, ng_officer, coordinator
):
    add_hits(active_operation, [officer, ng_officer], 2)
    _, few_sql = latest(coordinator, LATEST_HITS_WITH_HISTORY, active_operation)
    add_hits(active_operation, [officer, ng_officer], 48)

    many, many_sql = latest(coordinator, LATEST_HITS_WITH_HISTORY, active_operation)

    # the page with its operation, reporters and their agencies joined; revisions (1)
    assert len(few_sql) == len(many_sql) == REQUEST + PAGE + 1 + PERMISSIONS
    assert many[-1]["revisions"] == [
        {"version": 1, "author": {"username": "ng.officer", "agency": {"acronym": "NG-CUSTOMS"}}}
    ]
    assert many[-1]["reportedBy"] == {"username": "ng.officer", "agency": {"acronym": "NG-CUSTOMS"}}
    assert not any("operations_hititem" in sql or "operations_actor" in sql for sql in many_sql)


def test_a_page_of_scalars_reads_nothing_else(active_operation, officer, coordinator):
    add_hits(active_operation, [officer], 3)

    hits, sql = latest(coordinator, SEQUENCES_ONLY, active_operation)

    assert [hit["sequence"] for hit in hits] == [1, 2, 3]
    assert len(sql) == REQUEST + PAGE + PERMISSIONS
    selected = sql[-1].split(" FROM ")[0]
    assert '"operations_hit"."sequence"' in selected
    assert "operations_operation" not in selected and "agencies_agency" not in selected


def test_one_hit_by_node_reads_what_it_selects(active_operation, officer):
    add_hits(active_operation, [officer], 1)
    hit = Hit.objects.get()

    data, sql = read(officer, HIT_NODE, {"id": to_global_id("Hit", hit.pk)})

    assert data["node"] == {
        "sequence": 1,
        "items": [{"commodity": "COCAINE"}, {"commodity": "HEROIN"}],
        "shipment": {"containerNumber": "CSQU3054383"},
        "actors": [{"name": "Juan Pérez"}],
    }
    # the hit with its shipment (1), items (1), actors (1)
    assert len(sql) == REQUEST + 3 + PERMISSIONS
    assert not any("operations_hitrevision" in s for s in sql)


def test_a_read_for_many_documents_plans_everything_a_hit_shows(
    active_operation, officer, django_assert_num_queries
):
    add_hits(active_operation, [officer], 2)

    with django_assert_num_queries(4):  # the hits, items, actors, revisions
        hits = list(plan_hit_queryset(Hit.objects.all()))
    with django_assert_num_queries(0):
        shown = [
            (
                hit.operation.time_zone,
                hit.reporting_agency.acronym,
                hit.shipment.container_number,
                hit.reported_by.agency.acronym,
                [item.commodity for item in hit.items.all()],
                [actor.name for actor in hit.actors.all()],
                [revision.author.agency.acronym for revision in hit.revisions.all()],
            )
            for hit in hits
        ]
    assert shown[0][3:5] == ("CR-CUSTOMS", ["cocaine", "heroin"])
