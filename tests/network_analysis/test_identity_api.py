"""Identity over GraphQL: entitySuggestions paged past 500, decided in bulk
(decideEntitySuggestions), automatic merges split (decideEntities SPLIT), and who may."""

import pytest
from graphql_relay import to_global_id

from audit.models import AuditEvent
from network_analysis import selectors, synthetic
from network_analysis.models import EntityDecision
from tests.conftest import gql

PAGE = """
query S($ids: [ID!]!, $min: Float, $first: Int, $after: String, $offset: Int) {
  entitySuggestions(operationIds: $ids, minScore: $min, first: $first, after: $after,
                    offset: $offset) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { actorA { id } actorB { id } score
                   entityA { id actors { id } mergedBecause { rule evidence } } } }
  }
}
"""
BULK = """
mutation B($ids: [ID!]!, $from: Float, $reject: [EntityPairInput!]) {
  decideEntitySuggestions(operationIds: $ids, confirmFrom: $from, reject: $reject) {
    confirmed rejected errors { field code message }
  }
}
"""
DECIDE = """
mutation D($a: ID!, $b: ID!, $verdict: EntityVerdict!) {
  decideEntities(actorAId: $a, actorBId: $b, verdict: $verdict, reason: "two brothers") {
    errors { field code message }
    decision { verdict overruled { actorAId actorBId rule evidence } }
  }
}
"""


def actor_id(pk: int) -> str:
    return to_global_id("Actor", pk)


def pairs_of(answer: dict) -> list[tuple[str, str]]:
    edges = answer["data"]["entitySuggestions"]["edges"]
    return [(e["node"]["actorA"]["id"], e["node"]["actorB"]["id"]) for e in edges]


@pytest.fixture
def planted(planted_operation):
    truth = synthetic.plant(
        planted_operation, hits=150, cells=5, per_cell=6, duplicates=60, couriers=300, seed=4
    )
    return truth, to_global_id("Operation", planted_operation.pk)


@pytest.mark.django_db
def test_suggestions_page_past_500_with_cursors_and_offsets(planted, planted_operation, analyst):
    _, op = planted
    ranked = selectors.entity_suggestions(analyst, [planted_operation], 0.0)
    expected = [(actor_id(p.actor_a.pk), actor_id(p.actor_b.pk)) for p in ranked]
    assert len(expected) > 600  # precondition: more than the old cap of 500

    first = gql(analyst, PAGE, {"ids": [op], "min": 0.0, "first": 100})
    after = first["data"]["entitySuggestions"]["pageInfo"]["endCursor"]
    second = gql(analyst, PAGE, {"ids": [op], "min": 0.0, "first": 100, "after": after})
    deep = gql(analyst, PAGE, {"ids": [op], "min": 0.0, "first": 50, "offset": 550})
    default = gql(analyst, PAGE, {"ids": [op], "min": 0.0})

    assert first["data"]["entitySuggestions"]["totalCount"] == len(expected)
    assert pairs_of(first) + pairs_of(second) == expected[:200]
    assert pairs_of(deep) == expected[550:600]
    assert len(pairs_of(default)) == 100  # the largest page when no size is given
    scores = [e["node"]["score"] for e in first["data"]["entitySuggestions"]["edges"]]
    assert scores == sorted(scores, reverse=True)
    too_big = gql(analyst, PAGE, {"ids": [op], "first": 101})
    assert [e["extensions"]["code"] for e in too_big["errors"]] == ["PAGE_SIZE_INVALID"]


@pytest.mark.django_db
def test_accept_all_above_a_score_and_reject_a_block_in_one_mutation(
    planted, planted_operation, analyst
):
    _, op = planted
    before = selectors.entity_suggestions(analyst, [planted_operation], 0.5)
    above = [p for p in before if p.suggestion.score >= 0.9]
    block = [p for p in before if p.suggestion.score < 0.9][:5]
    assert above and len(block) == 5  # precondition
    reject = [
        {"actorAId": actor_id(p.actor_a.pk), "actorBId": actor_id(p.actor_b.pk)} for p in block
    ]

    answer = gql(analyst, BULK, {"ids": [op], "from": 0.9, "reject": reject})

    assert answer["data"]["decideEntitySuggestions"] == {
        "confirmed": len(above),
        "rejected": 5,
        "errors": [],
    }
    after = selectors.entity_suggestions(analyst, [planted_operation], 0.5)
    assert all(p.suggestion.score < 0.9 for p in after)
    left = {(p.actor_a.pk, p.actor_b.pk) for p in after}
    assert not left & {(p.actor_a.pk, p.actor_b.pk) for p in block}
    verdicts = EntityDecision.objects.values_list("verdict", flat=True)
    assert sorted(set(verdicts)) == ["confirmed", "rejected"]
    assert len(verdicts) == len(above) + 5
    assert AuditEvent.objects.filter(action="entity.confirmed").count() == len(above)
    assert AuditEvent.objects.filter(action="entity.rejected").count() == 5


@pytest.mark.django_db
def test_bulk_decisions_are_refused_whole_with_a_code(planted, planted_operation, analyst):
    _, op = planted
    pair = selectors.entity_suggestions(analyst, [planted_operation])[0]
    same = {"actorAId": actor_id(pair.actor_a.pk), "actorBId": actor_id(pair.actor_a.pk)}
    unknown = {"actorAId": actor_id(pair.actor_a.pk), "actorBId": actor_id(987654)}

    nothing = gql(analyst, BULK, {"ids": [op]})
    itself = gql(analyst, BULK, {"ids": [op], "from": 0.9, "reject": [same]})
    missing = gql(analyst, BULK, {"ids": [op], "reject": [unknown]})
    score = gql(analyst, BULK, {"ids": [op], "from": 1.5})
    too_many = gql(analyst, BULK, {"ids": [op], "reject": [unknown] * 101})

    codes = [
        [e["code"] for e in a["data"]["decideEntitySuggestions"]["errors"]]
        for a in (nothing, itself, missing, score)
    ]
    assert codes == [["REQUIRED"], ["SAME_ACTOR"], ["NOT_FOUND"], ["INVALID_PARAMETER"]]
    assert [e["extensions"]["code"] for e in too_many["errors"]] == ["INPUT_TOO_LARGE"]
    assert EntityDecision.objects.count() == 0  # all or none: nothing of `itself` kept


@pytest.mark.django_db
def test_an_automatic_merge_is_split_by_a_decision_that_keeps_its_evidence(
    planted, planted_operation, analyst
):
    data = selectors.load_input(analyst, [planted_operation], "full")
    merge = next(m for m in data.merges if m["rule"] == "identifier_and_name")
    a, b = merge["actors"]
    assert data.entities[a] == data.entities[b]

    answer = gql(analyst, DECIDE, {"a": actor_id(a), "b": actor_id(b), "verdict": "SPLIT"})
    again = gql(analyst, DECIDE, {"a": actor_id(a), "b": actor_id(b), "verdict": "SPLIT"})

    decision = answer["data"]["decideEntities"]
    assert decision["errors"] == []
    assert decision["decision"]["verdict"] == "SPLIT"
    assert {
        "actorAId": actor_id(a),
        "actorBId": actor_id(b),
        "rule": "identifier_and_name",
        "evidence": merge["evidence"],
    } in decision["decision"]["overruled"]
    after = selectors.load_input(analyst, [planted_operation], "full")
    assert after.entities[a] != after.entities[b]
    event = AuditEvent.objects.get(action="entity.split")
    assert merge in event.after["overruled"]
    # Split already: nothing to split any more.
    assert [e["code"] for e in again["data"]["decideEntities"]["errors"]] == ["NOT_ONE_ENTITY"]


@pytest.mark.django_db
def test_only_who_may_analyse_sees_or_decides_suggestions(
    planted, planted_operation, analyst, observer, officer
):
    _, op = planted
    assert gql(analyst, PAGE, {"ids": [op]})["data"]["entitySuggestions"]["totalCount"] > 0

    for user in (observer, officer):  # they take part, but do not analyse
        seen = gql(user, PAGE, {"ids": [op]})
        bulk = gql(user, BULK, {"ids": [op], "from": 0.0})
        missing = gql(user, BULK, {"ids": [to_global_id("Operation", 987654)], "from": 0.0})

        assert seen["data"] is None
        assert [e["extensions"]["code"] for e in seen["errors"]] == ["NOT_FOUND"]
        assert bulk["data"]["decideEntitySuggestions"] == missing["data"]["decideEntitySuggestions"]
        assert [e["code"] for e in bulk["data"]["decideEntitySuggestions"]["errors"]] == [
            "NOT_FOUND"
        ]
    assert EntityDecision.objects.count() == 0


DECISIONS = """
query Q($ids: [ID!]!) {
  entityDecisions(operationIds: $ids) { verdict overruled { actorAId actorBId evidence } }
}
"""


@pytest.mark.django_db
def test_a_split_shows_another_analyst_only_the_merges_of_actors_they_may_see(
    active_operation, coordinator, officer, ng_officer, cr_customs
):
    from operations import services as operation_services
    from operations.models import Marking
    from tests.conftest import make_user
    from tests.hits.conftest import report

    passport = [{"kind": "passport", "number": "SHARED123", "country": "CR"}]
    person = {"kind": "person", "role": "courier", "nationality": "NG", "documents": passport}
    analyst = make_user("cr.analyst", cr_customs)
    operation_services.operation_update(
        actor=coordinator, operation=active_operation, analysts=[analyst]
    )
    # given a RED hit only NG and the coordinators see, whose actor shares a passport
    # with an actor of each of two AMBER hits, all three one entity
    hidden = report(
        ng_officer, active_operation, marking=Marking.RED, actors=[{**person, "name": "Zeb Q"}]
    ).hit.actors.get()
    a = report(officer, active_operation, actors=[{**person, "name": "Carlos V"}]).hit
    b = report(ng_officer, active_operation, actors=[{**person, "name": "Carla O"}]).hit
    a, b = a.actors.get(), b.actors.get()
    # and the coordinator splits the two visible ones, overruling the entity's merges
    decided = gql(
        coordinator, DECIDE, {"a": actor_id(a.pk), "b": actor_id(b.pk), "verdict": "SPLIT"}
    )
    overruled = decided["data"]["decideEntities"]["decision"]["overruled"]
    assert actor_id(hidden.pk) in {m[k] for m in overruled for k in ("actorAId", "actorBId")}

    # when the CR analyst reads the decisions
    seen = gql(analyst, DECISIONS, {"ids": [to_global_id("Operation", active_operation.pk)]})

    # then they see the split, and no merge naming the actor of the hit they may not see
    (decision,) = seen["data"]["entityDecisions"]
    assert decision["verdict"] == "SPLIT"
    named = {m[k] for m in decision["overruled"] for k in ("actorAId", "actorBId")}
    assert named <= {actor_id(a.pk), actor_id(b.pk)}
