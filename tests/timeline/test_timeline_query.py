"""Operation.timeline: phases, control windows, status and participation changes and the
viewer's visible hits merged in time order, filtered, paginated, in two time zones, with
a query count that does not grow with the length of the operation."""

import uuid
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from graphql_relay import to_global_id

from operations.models import Hit
from tests.conftest import gql
from tests.hits.conftest import report
from timeline.models import TimeWindow

TIMELINE = """
query Timeline($id: ID!, $from: DateTime, $to: DateTime, $kinds: [TimelineEntryKind!],
               $first: Int, $after: String) {
  operation(id: $id) {
    timeline(from: $from, to: $to, kinds: $kinds, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node { at atLocal atViewer kind summary actor agency { acronym } } }
    }
  }
}
"""

UPDATE_ME = """
mutation UpdateMe($input: MeInput!) {
  updateMe(input: $input) { me { timeZone } errors { field code message } }
}
"""


def timeline(user, operation, client=None, **variables):
    variables = {"id": to_global_id("Operation", operation.pk), **variables}
    answer = gql(user, TIMELINE, variables, client=client)
    assert "errors" not in answer, answer
    return answer["data"]["operation"]["timeline"]


def nodes(page):
    return [edge["node"] for edge in page["edges"]]


@pytest.fixture
def scenario(active_operation, officer, ng_officer):
    """Two hits placed between the phase (now-1d) and the control window (now-1h) and
    after the audit trail; returns them in time order."""
    now = timezone.now()
    # NG has no control window (reports within the phase); CR reports within its window.
    early = report(ng_officer, active_operation, occurred_at=now - timedelta(hours=2)).hit
    late = report(officer, active_operation, occurred_at=now - timedelta(minutes=10)).hit
    return early, late


def test_timeline_merges_every_source_in_time_order(scenario, active_operation, coordinator):
    entries = nodes(timeline(coordinator, active_operation))
    ats = [datetime.fromisoformat(e["at"]) for e in entries]
    assert ats == sorted(ats)
    summaries = [e["summary"] for e in entries]
    assert summaries[0] == "Operational phase begins"
    assert "Operation created" in summaries
    assert "CR-CUSTOMS invited" in summaries and "CR-CUSTOMS accepted" in summaries
    assert "Status: planned" in summaries and "Status: active" in summaries
    assert any(s.startswith("Control window of CR-CUSTOMS at SJO") for s in summaries)
    assert summaries.index("Status: planned") < summaries.index("Status: active")
    assert summaries.index("CR-CUSTOMS invited") < summaries.index("CR-CUSTOMS accepted")
    hits = [e for e in entries if e["kind"] == "HIT"]
    assert [h["actor"] for h in hits] == ["NG-CUSTOMS", "CR-CUSTOMS"]
    assert all(h["summary"].startswith("Seizure #") for h in hits)
    created = next(e for e in entries if e["summary"] == "Operation created")
    assert created["actor"] == str(coordinator) and created["agency"]["acronym"] == "WCO"


def test_known_scenario_exact_order(scenario, active_operation, coordinator):
    """Phase at now-1d, a hit at now-2h, the control window at now-1h, a hit at now-10min,
    then the audit trail the fixture wrote a moment ago."""
    kinds = [e["kind"] for e in nodes(timeline(coordinator, active_operation))]
    assert kinds == [
        "PHASE",
        "HIT",
        "CONTROL_WINDOW",
        "HIT",
        "STATUS_CHANGE",
        *["PARTICIPATION_CHANGE"] * 6,
        "STATUS_CHANGE",
        "STATUS_CHANGE",
    ]


def test_kinds_filter(scenario, active_operation, coordinator):
    only_hits = nodes(timeline(coordinator, active_operation, kinds=["HIT"]))
    assert [e["kind"] for e in only_hits] == ["HIT", "HIT"]
    windows = nodes(timeline(coordinator, active_operation, kinds=["PHASE", "CONTROL_WINDOW"]))
    assert [e["kind"] for e in windows] == ["PHASE", "CONTROL_WINDOW"]
    status = nodes(timeline(coordinator, active_operation, kinds=["STATUS_CHANGE"]))
    assert [e["summary"] for e in status] == [
        "Operation created",
        "Status: planned",
        "Status: active",
    ]


def test_from_to_filter(scenario, active_operation, coordinator):
    early, late = scenario
    everything = nodes(timeline(coordinator, active_operation))
    start = early.occurred_at
    end = late.occurred_at
    window = nodes(
        timeline(
            coordinator, active_operation, **{"from": start.isoformat(), "to": end.isoformat()}
        )
    )
    expected = [e for e in everything if start <= datetime.fromisoformat(e["at"]) <= end]
    assert window == expected
    assert [e["kind"] for e in window] == ["HIT", "CONTROL_WINDOW", "HIT"]
    after_all = nodes(
        timeline(
            coordinator,
            active_operation,
            **{"from": (timezone.now() + timedelta(days=1)).isoformat()},
        )
    )
    assert after_all == []


def test_pagination_covers_every_entry_once(scenario, active_operation, coordinator):
    everything = nodes(timeline(coordinator, active_operation))
    assert len(everything) == 13
    seen, after, pages = [], None, 0
    while True:
        page = timeline(coordinator, active_operation, first=3, after=after)
        seen += nodes(page)
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert pages < 20
    assert seen == everything
    assert pages == 5


def test_at_local_and_at_viewer(scenario, active_operation, coordinator):
    answer = gql(coordinator, UPDATE_ME, {"input": {"timeZone": "Asia/Tokyo"}})
    assert answer["data"]["updateMe"]["errors"] == []
    assert answer["data"]["updateMe"]["me"]["timeZone"] == "Asia/Tokyo"
    for entry in nodes(timeline(coordinator, active_operation)):
        at = datetime.fromisoformat(entry["at"])
        local = datetime.fromisoformat(entry["atLocal"])
        viewer = datetime.fromisoformat(entry["atViewer"])
        assert local == at == viewer
        assert local.utcoffset() == timedelta(hours=-6)  # America/Costa_Rica, no DST
        assert viewer.utcoffset() == timedelta(hours=9)  # Asia/Tokyo


def test_invalid_time_zone_is_refused(coordinator):
    answer = gql(coordinator, UPDATE_ME, {"input": {"timeZone": "Mars/Olympus_Mons"}})
    errors = answer["data"]["updateMe"]["errors"]
    assert [e["code"] for e in errors] == ["INVALID_TIME_ZONE"]
    coordinator.refresh_from_db()
    assert coordinator.time_zone != "Mars/Olympus_Mons"


def test_hidden_hits_are_left_out_for_the_observer(
    active_operation, coordinator, observer, officer, ng_officer
):
    red = report(ng_officer, active_operation, marking="RED").hit
    green = report(ng_officer, active_operation, marking="GREEN").hit
    assert red.marking == "RED"

    def hit_summaries(user):
        return [e["summary"] for e in nodes(timeline(user, active_operation, kinds=["HIT"]))]

    assert len(hit_summaries(coordinator)) == 2
    assert hit_summaries(observer) == [
        s for s in hit_summaries(coordinator) if f"#{green.sequence}" in s
    ]
    assert len(hit_summaries(officer)) == 1
    assert len(hit_summaries(ng_officer)) == 2


def test_outsider_sees_no_timeline(active_operation, outsider):
    answer = gql(outsider, TIMELINE, {"id": to_global_id("Operation", active_operation.pk)})
    assert answer["data"]["operation"] is None


# --- query count ---------------------------------------------------------------------


def _grow(operation, coordinator, officer, hits: int, windows: int):
    """Many entries cheaply: control windows in bulk, hits cloned from one report."""
    phase = operation.time_windows.get(kind=TimeWindow.Kind.OPERATIONAL)
    participation = operation.participations.get(agency=officer.agency)
    TimeWindow.objects.bulk_create(
        TimeWindow(
            operation=operation,
            kind=TimeWindow.Kind.CONTROL,
            participation=participation,
            location_code="SJO",
            starts_at=phase.starts_at + timedelta(minutes=5 * i),
            ends_at=phase.starts_at + timedelta(minutes=5 * i + 4),
        )
        for i in range(windows)
    )
    if not hits:
        return
    template = report(officer, operation).hit
    items = list(template.items.all())
    last = template.sequence
    for i in range(hits - 1):
        clone = Hit.objects.get(pk=template.pk)
        clone.pk = None
        clone.client_id = uuid.uuid4()
        clone.sequence = last = last + 1
        clone.occurred_at = template.occurred_at - timedelta(minutes=i)
        clone.save()
        for item in items:
            item.pk = None
            item.hit = clone
            item.save()


def _count_queries(user, operation):
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        page = timeline(user, operation, client=client, first=100)
    return len(captured), len(nodes(page))


@pytest.mark.parametrize("viewer", ["coordinator", "officer"])
def test_query_count_does_not_grow_with_entries(
    active_operation, coordinator, officer, ng_officer, viewer, request
):
    user = request.getfixturevalue(viewer)
    # Small: 12 entries (phase, control window, nine audit events, one hit), so that
    # every source, the hits' prefetched items included, is read in both runs.
    _grow(active_operation, coordinator, officer, hits=1, windows=0)
    small_queries, small_entries = _count_queries(user, active_operation)

    _grow(active_operation, coordinator, officer, hits=150, windows=350)
    total = (
        TimeWindow.objects.filter(operation=active_operation).count()
        + Hit.objects.filter(operation=active_operation).count()
    )
    assert total >= 500
    big_queries, big_entries = _count_queries(user, active_operation)

    assert small_entries == 12 and big_entries == 100
    assert big_queries == small_queries
