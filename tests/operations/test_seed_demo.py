"""seed_demo: an active operation whose control windows are open whatever the hour, so
that a demo officer's report right after `make run` is accepted, and a table of who
plays which role in which demo operation."""

import uuid
from datetime import UTC, datetime, time, timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from graphql_relay import to_global_id

from agencies.models import User
from operations.models import Operation
from tests.conftest import gql
from timeline.models import TimeWindow

REPORT = """
mutation Report($op: ID!, $cid: UUID!, $input: HitInput!) {
  reportHit(operationId: $op, clientId: $cid, input: $input) {
    created hit { sequence } errors { field code message }
  }
}
"""

# Where each demo officer reports from (the control windows of their agency).
OFFICERS = {
    "cr.officer": {"country": "CR", "locationCode": "MROC", "locationType": "AIRPORT"},
    "cr.police": {"country": "CR", "place": "Airstrip near Los Chiles", "locationType": "AIRSTRIP"},
    "ng.officer": {"country": "NG", "locationCode": "DNMM", "locationType": "AIRPORT"},
}

# Moments of the day (UTC) the demo is seeded at: Costa Rica's night, dawn, the issue's
# 11:05 UTC (05:05 in Costa Rica, refused OUTSIDE_WINDOW before), the shift change at
# 18:00 Costa Rica time, and just before midnight.
SEEDED_AT = ["00:30", "11:05", "12:00", "23:59"]


def seed(at: datetime) -> str:
    out = StringIO()
    with mock.patch("django.utils.timezone.now", return_value=at):
        call_command("seed_demo", stdout=out)
    return out.getvalue()


def report(username: str, at: datetime) -> dict:
    user = User.objects.get(username=username)
    operation = Operation.objects.get(code="COLIBRI-SKY")
    hit = {
        "occurredAt": at.isoformat(),
        "modeOfTransport": "GENERAL_AVIATION",
        "detectionMethod": "DETECTOR_DOG",
        "items": [{"commodity": "COCAINE", "quantity": "12", "unit": "KILOGRAM"}],
        **OFFICERS[username],
    }
    variables = {"op": to_global_id("Operation", operation.pk), "cid": str(uuid.uuid4())}
    with mock.patch("django.utils.timezone.now", return_value=at):
        answer = gql(user, REPORT, {**variables, "input": hit})
    return answer["data"]["reportHit"]


def today_at(hh_mm: str) -> datetime:
    return datetime.combine(datetime.now(UTC).date(), time.fromisoformat(hh_mm), tzinfo=UTC)


@pytest.mark.parametrize("hh_mm", SEEDED_AT)
def test_demo_officers_may_report_right_after_seeding_whatever_the_hour(db, hh_mm):
    # Given the demo data seeded at this hour of the day (UTC)
    seeded = today_at(hh_mm)
    output = seed(seeded)

    # When each demo officer reports a hit a minute later
    answers = {name: report(name, seeded + timedelta(minutes=1)) for name in OFFICERS}

    # Then every report is accepted, and the command said they could report
    assert {name: answer["errors"] for name, answer in answers.items()} == {
        name: [] for name in OFFICERS
    }
    assert all(answer["created"] for answer in answers.values())
    assert "COLIBRI-SKY is active; may report a hit now:" in output
    assert "no window open now" not in output


def test_the_demo_windows_stay_open_every_hour_of_the_following_days(db):
    # Given the demo seeded at 11:05 UTC
    seeded = today_at("11:05")
    seed(seeded)

    # When a Costa Rica officer reports every hour (and a quarter) for two days
    refused = []
    for hours in range(48):
        at = seeded + timedelta(hours=hours, minutes=15)
        answer = report("cr.officer", at)
        if answer["errors"]:
            refused.append((at.isoformat(), answer["errors"]))

    # Then no report is refused
    assert refused == []


def test_the_demo_control_windows_lie_in_the_operational_phase_and_never_overlap(db):
    seed(today_at("11:05"))
    operation = Operation.objects.get(code="COLIBRI-SKY")
    windows = operation.time_windows.filter(kind=TimeWindow.Kind.CONTROL, deleted_at=None)
    (phase,) = operation.time_windows.filter(kind=TimeWindow.Kind.OPERATIONAL)

    assert all(phase.starts_at <= w.starts_at < w.ends_at <= phase.ends_at for w in windows)
    by_place = {}
    for window in windows.order_by("starts_at"):
        key = (window.participation_id, window.location_code, window.latitude, window.longitude)
        by_place.setdefault(key, []).append(window)
    assert len(by_place) == 4
    for shifts in by_place.values():
        assert all(a.ends_at <= b.starts_at for a, b in zip(shifts, shifts[1:], strict=False))
        # Around the clock: each shift starts when the one before ends.
        assert all(a.ends_at == b.starts_at for a, b in zip(shifts, shifts[1:], strict=False))


def test_seed_demo_prints_who_plays_which_role_in_which_operation(db):
    output = seed(today_at("11:05"))

    lines = output.splitlines()
    header_line = next(line for line in lines if line.split()[:2] == ["user", "agency"])
    header = header_line.split()
    starts = [header_line.index(f" {name}") + 1 for name in header]
    rows = {}
    for line in lines:
        cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)]
        if User.objects.filter(username=cells[0]).exists():
            rows[cells[0]] = dict(zip(header, cells, strict=True))

    assert header == ["user", "agency", "COLIBRI-SKY", "POSTAL-SHIELD-2027"]
    expected = {
        "wco.coordinator": ("WCO", "coordinator", "coordinator"),
        "wco.analyst": ("WCO", "analyst", "lead"),
        "unodc.observer": ("UNODC", "observer", "none"),
        "be.officer": ("BE-CUSTOMS", "none", "participant"),
        "cr.officer": ("CR-CUSTOMS", "participant", "none"),
        "cr.police": ("CR-PCD", "participant", "none"),
        "ng.officer": ("NG-CUSTOMS", "participant", "none"),
        "ke.officer": ("KE-KRA", "none", "invited"),
        "my.officer": ("MY-CUSTOMS", "none", "participant"),
        "fr.coordinator": ("FR-DGDDI", "none", "none"),
    }
    assert {
        name: (row["agency"], row["COLIBRI-SKY"], row["POSTAL-SHIELD-2027"])
        for name, row in rows.items()
    } == expected


def test_a_later_run_changes_nothing_and_says_when_the_demo_operation_is_over(db):
    # Given demo data seeded a month ago
    seed(today_at("11:05") - timedelta(days=30))
    windows = TimeWindow.objects.count()

    # When seed_demo runs again today
    output = seed(today_at("11:05"))

    # Then nothing changed, and it says why nobody may report and what to do
    assert TimeWindow.objects.count() == windows
    assert "COLIBRI-SKY: no window open now for" in output
    assert "delete db.sqlite3" in output
