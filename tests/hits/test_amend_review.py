"""Amending a hit keeps its history; coordinators review it. `amendHit`, `reviewHit` and
`operations.hit_services.hit_amend` / `hit_review`."""

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from graphql_relay import from_global_id, to_global_id

from audit.models import AuditEvent
from operations import hit_services, services
from operations.models import Hit, HitIdentifier, HitRevision, Marking, Operation
from tests.conftest import gql, make_user

REPORT_HIT = """
mutation($op: ID!, $clientId: UUID!, $input: HitInput!) {
  reportHit(operationId: $op, clientId: $clientId, input: $input) {
    errors { field code }
    hit { id }
  }
}
"""

AMEND_HIT = """
mutation($id: ID!, $input: HitInput!, $reason: String) {
  amendHit(id: $id, input: $input, reason: $reason) {
    errors { field code message }
    hit {
      id sequence status version notes marking
      items { commodity quantity unit kilograms }
      shipment { containerNumber }
      actors { name }
      revisions { version reason content author { username } }
    }
  }
}
"""

REVIEW_HIT = """
mutation($id: ID!, $decision: HitReviewDecision!, $reason: String) {
  reviewHit(id: $id, decision: $decision, reason: $reason) {
    errors { field code message }
    hit { id status reviewReason reviewedAt version }
  }
}
"""


def hit_input(**changes) -> dict:
    values = {
        "kind": "SEIZURE",
        "occurredAt": (timezone.now() - timedelta(minutes=30)).replace(microsecond=0).isoformat(),
        "country": "CR",
        "place": "Puerto Limón",
        "locationCode": "CRLIO",
        "locationType": "SEAPORT",
        "modeOfTransport": "MARITIME",
        "detectionMethod": "XRAY_SCANNER",
        "concealment": "Banana boxes",
        "items": [{"commodity": "COCAINE", "quantity": "120.5", "unit": "KILOGRAM"}],
        "shipment": {
            "containerNumber": "CSQU3054383",
            "departureCountry": "CR",
            "destinationCountry": "BE",
        },
        "actors": [
            {
                "kind": "ORGANISATION",
                "role": "CONSIGNOR",
                "name": "Exportadora del Caribe",
                "phones": ["2222 1234"],
            }
        ],
    }
    values.update(changes)
    return values


def reported(user, operation, **changes) -> tuple[Hit, dict]:
    """Report through the API; return the stored hit and the input used."""
    given = hit_input(**changes)
    answer = gql(
        user,
        REPORT_HIT,
        {
            "op": to_global_id("Operation", operation.pk),
            "clientId": str(uuid.uuid4()),
            "input": given,
        },
    )
    assert answer["data"]["reportHit"]["errors"] == [], answer
    return Hit.objects.get(pk=from_global_id(answer["data"]["reportHit"]["hit"]["id"])[1]), given


def amend(user, hit, given: dict, reason: str | None = None) -> dict:
    answer = gql(
        user, AMEND_HIT, {"id": to_global_id("Hit", hit.pk), "input": given, "reason": reason}
    )
    assert "errors" not in answer, answer
    return answer["data"]["amendHit"]


def review(user, hit, decision: str, reason: str | None = None) -> dict:
    answer = gql(
        user,
        REVIEW_HIT,
        {"id": to_global_id("Hit", hit.pk), "decision": decision, "reason": reason},
    )
    assert "errors" not in answer, answer
    return answer["data"]["reviewHit"]


def codes(payload: dict) -> list[tuple[str | None, str]]:
    return [(error["field"], error["code"]) for error in payload["errors"]]


def hit_events(hit, prefix="hit.") -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(hit.pk), action__startswith=prefix)
        .order_by("id")
        .values_list("action", flat=True)
    )


def unchanged(hit) -> tuple:
    """What an amendment or review would change."""
    hit.refresh_from_db()
    return (
        hit.version,
        hit.status,
        hit.notes,
        hit.review_reason,
        hit.revisions.count(),
        list(hit.items.values_list("commodity", "quantity")),
        sorted(hit.identifiers.values_list("kind", "value")),
        len(hit_events(hit)),
    )


@pytest.fixture
def green_hit(active_operation, officer):
    return reported(officer, active_operation, marking="GREEN")


@pytest.fixture
def red_hit(active_operation, officer):
    return reported(officer, active_operation, marking="RED")


# --- amendHit ---------------------------------------------------------------------------------


def test_amend_keeps_every_version_and_marks_the_hit_amended(active_operation, officer, green_hit):
    hit, given = green_hit
    changed = {
        **given,
        "notes": "Second container found.",
        "items": [{"commodity": "COCAINE", "quantity": "240", "unit": "KILOGRAM"}],
        "shipment": {**given["shipment"], "containerNumber": "MSKU1234565"},
    }

    payload = amend(officer, hit, changed, reason="Second container")

    assert payload["errors"] == []
    amended = payload["hit"]
    assert (amended["sequence"], amended["status"], amended["version"]) == (1, "AMENDED", 2)
    assert amended["notes"] == "Second container found."
    assert amended["items"] == [
        {
            "commodity": "COCAINE",
            "quantity": "240.000",
            "unit": "KILOGRAM",
            "kilograms": "240.000000",
        }
    ]
    assert amended["shipment"] == {"containerNumber": "MSKU1234565"}
    versions = [(r["version"], r["reason"], r["author"]["username"]) for r in amended["revisions"]]
    assert versions == [(1, "", "cr.officer"), (2, "Second container", "cr.officer")]
    first, second = (json.loads(r["content"]) for r in amended["revisions"])
    assert (first["notes"], first["items"][0]["quantity"]) == ("", "120.500")
    assert first["shipment"]["container_number"] == "CSQU3054383"
    assert (second["notes"], second["items"][0]["quantity"]) == (
        "Second container found.",
        "240.000",
    )
    assert second["shipment"]["container_number"] == "MSKU1234565"
    assert ("container", "MSKU1234565") in set(
        HitIdentifier.objects.filter(hit=hit).values_list("kind", "value")
    )
    assert not HitIdentifier.objects.filter(value="CSQU3054383").exists()


def test_amend_is_audited_with_what_changed_before_and_after(active_operation, officer, green_hit):
    hit, given = green_hit

    amend(officer, hit, {**given, "notes": "Courier arrested.", "arrests": 1}, reason="arrest")

    event = AuditEvent.objects.get(action="hit.amend")
    assert (event.actor, event.object_id, event.operation) == (
        officer,
        str(hit.pk),
        active_operation,
    )
    assert event.before == {"arrests": 0, "notes": ""}
    assert event.after == {
        "arrests": 1,
        "notes": "Courier arrested.",
        "version": 2,
        "reason": "arrest",
    }


def test_amend_does_not_take_a_sequence_number(active_operation, officer, green_hit):
    hit, given = green_hit

    amend(officer, hit, {**given, "notes": "x"})
    active_operation.refresh_from_db()

    assert active_operation.last_hit_sequence == 1
    assert Hit.objects.get(pk=hit.pk).sequence == 1


def test_amend_with_identical_content_changes_nothing(active_operation, officer, green_hit):
    hit, given = green_hit
    before = unchanged(hit)
    same_spelled_otherwise = {
        **given,
        "shipment": {**given["shipment"], "containerNumber": "csqu 305438 3"},
    }

    payload = amend(officer, hit, same_spelled_otherwise, reason="nothing new")

    assert payload["errors"] == []
    assert (payload["hit"]["version"], payload["hit"]["status"]) == (1, "REPORTED")
    assert [r["version"] for r in payload["hit"]["revisions"]] == [1]
    assert unchanged(hit) == before
    assert hit_events(hit) == ["hit.report"]


def test_second_amendment_makes_version_three(active_operation, officer, green_hit):
    hit, given = green_hit

    amend(officer, hit, {**given, "notes": "one"})
    payload = amend(officer, hit, {**given, "notes": "two"})

    assert payload["hit"]["version"] == 3
    assert [json.loads(r["content"])["notes"] for r in payload["hit"]["revisions"]] == [
        "",
        "one",
        "two",
    ]
    assert hit_events(hit) == ["hit.report", "hit.amend", "hit.amend"]


def test_colleague_of_the_reporting_agency_may_amend(
    active_operation, officer, cr_customs, green_hit
):
    colleague = make_user("cr.colleague", cr_customs)
    hit, given = green_hit

    payload = amend(colleague, hit, {**given, "notes": "checked by a colleague"})

    assert payload["errors"] == []
    assert payload["hit"]["revisions"][-1]["author"] == {"username": "cr.colleague"}


@pytest.mark.parametrize("marking", ["GREEN", "RED"])
def test_coordinator_may_amend_any_hit(active_operation, officer, coordinator, marking):
    hit, given = reported(officer, active_operation, marking=marking)

    payload = amend(
        coordinator, hit, {**given, "notes": "Quantity confirmed by the lab."}, reason="lab"
    )

    assert payload["errors"] == []
    assert payload["hit"]["version"] == 2
    assert AuditEvent.objects.get(action="hit.amend").actor == coordinator


@pytest.mark.parametrize("who", ["ng_officer", "observer"])
def test_other_participants_may_not_amend(active_operation, green_hit, request, who):
    hit, given = green_hit
    before = unchanged(hit)

    payload = amend(request.getfixturevalue(who), hit, {**given, "notes": "not mine"})

    assert codes(payload) == [("id", "PERMISSION_DENIED")]
    assert payload["hit"] is None
    assert unchanged(hit) == before


def test_lead_agency_officer_who_is_not_coordinator_may_not_amend(active_operation, wco, green_hit):
    hit, given = green_hit

    payload = amend(make_user("wco.analyst", wco), hit, {**given, "notes": "x"})

    assert codes(payload) == [("id", "PERMISSION_DENIED")]


@pytest.mark.parametrize("who", ["ng_officer", "observer", "outsider"])
def test_amending_a_hit_one_cannot_see_is_not_found_like_a_missing_hit(
    active_operation, red_hit, request, who
):
    hit, given = red_hit
    user = request.getfixturevalue(who)
    before = unchanged(hit)

    hidden = amend(user, hit, {**given, "notes": "x"})
    missing = gql(user, AMEND_HIT, {"id": to_global_id("Hit", 999_999), "input": given})

    assert codes(hidden) == [("id", "NOT_FOUND")]
    assert hidden == missing["data"]["amendHit"]
    assert unchanged(hit) == before


def test_outsider_may_not_amend_even_an_unrestricted_hit(active_operation, green_hit, outsider):
    hit, given = green_hit

    payload = amend(outsider, hit, {**given, "notes": "x"})

    assert codes(payload) == [("id", "NOT_FOUND")]


def test_anonymous_amend_is_refused_as_not_authenticated(active_operation, green_hit):
    hit, given = green_hit

    answer = gql(None, AMEND_HIT, {"id": to_global_id("Hit", hit.pk), "input": given})

    assert "data" not in answer  # refused as a whole request (HTTP 401)
    assert [e["extensions"]["code"] for e in answer["errors"]] == ["NOT_AUTHENTICATED"]


def test_rejected_hit_cannot_be_amended(active_operation, officer, coordinator, green_hit):
    hit, given = green_hit
    hit_services.hit_review(actor=coordinator, hit=hit, decision="reject", reason="Duplicate of #7")
    before = unchanged(hit)

    by_reporter = amend(officer, hit, {**given, "notes": "but it is real"})
    by_coordinator = amend(coordinator, hit, {**given, "notes": "but it is real"})

    assert codes(by_reporter) == codes(by_coordinator) == [("id", "INVALID_HIT_STATUS")]
    assert unchanged(hit) == before


def test_confirmed_hit_that_is_amended_becomes_amended(
    active_operation, officer, coordinator, green_hit
):
    hit, given = green_hit
    hit_services.hit_review(actor=coordinator, hit=hit, decision="confirm")

    payload = amend(officer, hit, {**given, "notes": "Weight corrected."})

    assert (payload["hit"]["status"], payload["hit"]["version"]) == ("AMENDED", 2)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        (
            {"shipment": {"containerNumber": "CSQU3054384"}},
            ("shipment.containerNumber", "INVALID_CHECK_DIGIT"),
        ),
        (
            {"items": [{"commodity": "COCAINE", "quantity": "0", "unit": "KILOGRAM"}]},
            ("items.0.quantity", "INVALID_QUANTITY"),
        ),
        ({"items": []}, ("items", "ITEMS_REQUIRED")),
        (
            {"occurredAt": (timezone.now() + timedelta(hours=1)).isoformat()},
            ("occurredAt", "OCCURRED_IN_FUTURE"),
        ),
        (
            {"actors": [{"kind": "PERSON", "role": "COURIER", "name": "X", "phones": ["12"]}]},
            ("actors.0.phones.0", "INVALID_PHONE"),
        ),
    ],
)
def test_invalid_amendment_is_refused_and_changes_nothing(
    active_operation, officer, green_hit, changes, error
):
    hit, given = green_hit
    before = unchanged(hit)

    payload = amend(officer, hit, {**given, **changes})

    assert codes(payload) == [error]
    assert unchanged(hit) == before


def test_hits_may_still_be_amended_after_the_operation_closed(
    active_operation, officer, coordinator, green_hit
):
    hit, given = green_hit
    services.operation_transition(
        actor=coordinator, operation=active_operation, to_status=Operation.Status.CLOSED
    )

    payload = amend(officer, hit, {**given, "notes": "Follow-up: lab result."})

    assert payload["errors"] == [] and payload["hit"]["version"] == 2


def test_hits_of_an_archived_operation_cannot_be_amended(
    active_operation, officer, coordinator, green_hit
):
    hit, given = green_hit
    for status in (Operation.Status.CLOSED, Operation.Status.ARCHIVED):
        services.operation_transition(
            actor=coordinator, operation=active_operation, to_status=status
        )

    payload = amend(officer, hit, {**given, "notes": "too late"})

    assert codes(payload) == [("id", "OPERATION_NOT_ACTIVE")]


def test_amending_the_marking_to_red_hides_the_hit_from_other_participants(
    active_operation, officer, ng_officer, green_hit
):
    hit, given = green_hit

    amend(officer, hit, {**given, "marking": "RED"}, reason="sensitive")

    assert Hit.objects.get(pk=hit.pk).marking == Marking.RED
    after = gql(
        ng_officer, "query($id: ID!) { node(id: $id) { id } }", {"id": to_global_id("Hit", hit.pk)}
    )
    assert after == {"data": {"node": None}}


# --- reviewHit --------------------------------------------------------------------------------


def test_coordinator_confirms_a_hit(active_operation, coordinator, green_hit):
    hit, _ = green_hit

    payload = review(coordinator, hit, "CONFIRM")

    assert payload["errors"] == []
    assert (payload["hit"]["status"], payload["hit"]["reviewReason"]) == ("CONFIRMED", "")
    assert payload["hit"]["reviewedAt"] is not None
    hit.refresh_from_db()
    assert (hit.status, hit.reviewed_by, hit.version) == (Hit.Status.CONFIRMED, coordinator, 1)
    event = AuditEvent.objects.get(action="hit.confirm")
    assert (event.actor, event.object_id, event.operation) == (
        coordinator,
        str(hit.pk),
        active_operation,
    )
    assert event.before == {"status": "reported", "review_reason": ""}
    assert event.after == {"status": "confirmed", "review_reason": ""}


def test_coordinator_rejects_a_hit_with_a_reason(active_operation, coordinator, green_hit):
    hit, _ = green_hit

    payload = review(coordinator, hit, "REJECT", reason="  Legal shipment of coca tea.  ")

    assert payload["errors"] == []
    assert (payload["hit"]["status"], payload["hit"]["reviewReason"]) == (
        "REJECTED",
        "Legal shipment of coca tea.",
    )
    event = AuditEvent.objects.get(action="hit.reject")
    assert event.before == {"status": "reported", "review_reason": ""}
    assert event.after == {"status": "rejected", "review_reason": "Legal shipment of coca tea."}
    assert not HitRevision.objects.filter(hit=hit, version=2).exists()


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_rejecting_without_a_reason_is_refused(active_operation, coordinator, green_hit, reason):
    hit, _ = green_hit
    before = unchanged(hit)

    payload = review(coordinator, hit, "REJECT", reason=reason)

    assert codes(payload) == [("reason", "REASON_REQUIRED")]
    assert payload["hit"] is None
    assert unchanged(hit) == before


def test_coordinator_reviews_restricted_hits_too(active_operation, coordinator, red_hit):
    hit, _ = red_hit

    payload = review(coordinator, hit, "CONFIRM")

    assert payload["errors"] == [] and payload["hit"]["status"] == "CONFIRMED"


def test_reviewing_an_amended_hit_keeps_its_version(
    active_operation, officer, coordinator, green_hit
):
    hit, given = green_hit
    amend(officer, hit, {**given, "notes": "x"})

    payload = review(coordinator, hit, "CONFIRM")

    assert (payload["hit"]["status"], payload["hit"]["version"]) == ("CONFIRMED", 2)
    assert hit_events(hit) == ["hit.report", "hit.amend", "hit.confirm"]


@pytest.mark.parametrize("who", ["officer", "ng_officer", "observer"])
@pytest.mark.parametrize("decision", ["CONFIRM", "REJECT"])
def test_participants_may_not_review(active_operation, green_hit, request, who, decision):
    hit, _ = green_hit
    before = unchanged(hit)

    payload = review(request.getfixturevalue(who), hit, decision, reason="looks fine")

    assert codes(payload) == [("id", "PERMISSION_DENIED")]
    assert payload["hit"] is None
    assert unchanged(hit) == before


def test_lead_agency_officer_who_is_not_coordinator_may_not_review(
    active_operation, wco, green_hit
):
    hit, _ = green_hit

    payload = review(make_user("wco.analyst", wco), hit, "CONFIRM")

    assert codes(payload) == [("id", "PERMISSION_DENIED")]


@pytest.mark.parametrize("who", ["ng_officer", "observer", "outsider"])
def test_reviewing_a_hit_one_cannot_see_is_not_found(active_operation, red_hit, request, who):
    hit, _ = red_hit
    before = unchanged(hit)

    payload = review(request.getfixturevalue(who), hit, "REJECT", reason="x")

    assert codes(payload) == [("id", "NOT_FOUND")]
    assert unchanged(hit) == before


def test_anonymous_review_is_refused_as_not_authenticated(active_operation, green_hit):
    hit, _ = green_hit

    answer = gql(None, REVIEW_HIT, {"id": to_global_id("Hit", hit.pk), "decision": "CONFIRM"})

    assert "data" not in answer  # refused as a whole request (HTTP 401)
    assert [e["extensions"]["code"] for e in answer["errors"]] == ["NOT_AUTHENTICATED"]
    assert Hit.objects.get(pk=hit.pk).status == Hit.Status.REPORTED


def test_review_with_an_id_of_another_type_is_an_invalid_id(active_operation, coordinator):
    payload = gql(
        coordinator,
        REVIEW_HIT,
        {"id": to_global_id("Operation", active_operation.pk), "decision": "CONFIRM"},
    )["data"]["reviewHit"]

    assert codes(payload) == [("id", "INVALID_ID")]


def test_every_change_of_a_hit_is_audited_in_order(
    active_operation, officer, coordinator, green_hit
):
    hit, given = green_hit

    amend(officer, hit, {**given, "notes": "one"})
    review(coordinator, hit, "CONFIRM")
    amend(coordinator, hit, {**given, "notes": "two"})
    review(coordinator, hit, "REJECT", reason="Controlled delivery, not a seizure.")

    events = AuditEvent.objects.filter(object_id=str(hit.pk), action__startswith="hit.").order_by(
        "id"
    )
    assert [(e.action, e.actor.username) for e in events] == [
        ("hit.report", "cr.officer"),
        ("hit.amend", "cr.officer"),
        ("hit.confirm", "wco.coordinator"),
        ("hit.amend", "wco.coordinator"),
        ("hit.reject", "wco.coordinator"),
    ]
    assert [e.after.get("version") for e in events if e.action == "hit.amend"] == [2, 3]
