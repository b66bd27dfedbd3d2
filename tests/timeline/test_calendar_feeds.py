"""iCalendar feeds parsed back (with `icalendar` and, independently, with `vobject`) and
checked against the database: zones, daylight saving, SEQUENCE, cancellations, privacy,
feed tokens, ETag, and the GraphQL side of the feed token."""

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import vobject
from dateutil import tz as dateutil_tz
from django.test import Client
from graphql_relay import to_global_id
from icalendar import Calendar

from operations import services as operation_services
from operations.models import Operation
from tests.conftest import START, gql
from timeline.models import TimeWindow
from timeline.services import (
    calendar_token_revoke,
    calendar_token_rotate,
    time_window_create,
    time_window_delete,
    time_window_update,
)

BRUSSELS = ZoneInfo("Europe/Brussels")
# Europe/Brussels goes from +01:00 to +02:00 at 2027-03-28 01:00 UTC.
DST_CHANGE = datetime(2027, 3, 28, 1, 0, tzinfo=UTC)


# --- helpers -------------------------------------------------------------------------


def op_url(operation, token=None):
    url = f"/calendar/operations/{operation.pk}.ics"
    return f"{url}?token={token}" if token is not None else url


def me_url(token=None):
    return "/calendar/me.ics" + (f"?token={token}" if token is not None else "")


def fetch(url, *, user=None, **headers):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(url, headers=headers)


def parse(content: bytes):
    """Both parsers; returns {uid: (icalendar event, vobject event)} and the two calendars.

    vobject re-serialises a VTIMEZONE before handing it to dateutil and loses the RDATE
    lists `icalendar` writes, so its own tzinfo has no daylight saving time. The vobject
    side therefore resolves each event's TZID against the feed's VTIMEZONEs read by
    dateutil's tzical directly: still independent of the library that wrote the feed.
    """
    ical = Calendar.from_ical(content)
    vcal = vobject.readOne(content.decode())
    vcal.feed_zones = dateutil_tz.tzical(io.StringIO(content.decode()))
    for event in getattr(vcal, "vevent_list", []):
        event.feed_zones = vcal.feed_zones
    ical_events = {str(e["UID"]): e for e in ical.walk("VEVENT")}
    vobj_events = {e.uid.value: e for e in getattr(vcal, "vevent_list", [])}
    assert set(ical_events) == set(vobj_events), "the two parsers disagree on the events"
    return {uid: (ical_events[uid], vobj_events[uid]) for uid in ical_events}, ical, vcal


def feed(url, **kwargs):
    response = fetch(url, **kwargs)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/calendar")
    return parse(response.content)


def uid(window) -> str:
    return f"timewindow-{window.pk}@jointops"


def ical_instant(event, name):
    value = event.decoded(name)
    assert value.tzinfo is not None
    return value


def vobj_instant(event, name):
    """The instant vobject read: its wall-clock time in the VTIMEZONE named by TZID."""
    value = getattr(event, name).value
    assert value.tzinfo is not None
    zone = event.feed_zones.get(value.tzinfo._tzid)
    resolved = value.replace(tzinfo=zone)
    # The feed's VTIMEZONE agrees with the IANA zone of the same name.
    assert resolved.utcoffset() == value.replace(tzinfo=ZoneInfo(value.tzinfo._tzid)).utcoffset()
    return resolved


@pytest.fixture
def coordinator_token(operation, coordinator):
    return calendar_token_rotate(user=coordinator)


@pytest.fixture
def with_email(coordinator):
    coordinator.email = "coordinator@wco.example"
    coordinator.save(update_fields=["email"])
    return coordinator


# --- the operation feed against the database -----------------------------------------


def test_operation_feed_has_one_event_per_window_matching_the_database(
    operation, coordinator, with_email, coordinator_token
):
    phase = operation.time_windows.get(kind=TimeWindow.Kind.OPERATIONAL)
    control = operation.time_windows.get(kind=TimeWindow.Kind.CONTROL)
    geo_window = time_window_create(
        actor=coordinator,
        operation=operation,
        kind=TimeWindow.Kind.CONTROL,
        participation=control.participation,
        location_name="Caldera port",
        latitude=Decimal("9.912345"),
        longitude=Decimal("-84.712345"),
        starts_at=START + timedelta(days=5),
        ends_at=START + timedelta(days=5, hours=6),
    )
    events, ical, vcal = feed(op_url(operation, coordinator_token))

    windows = list(TimeWindow.objects.filter(operation=operation))
    assert set(events) == {uid(w) for w in windows}
    assert len(ical.walk("VEVENT")) == len(windows) == 3

    for window in windows:
        ev, vev = events[uid(window)]
        for name in ("DTSTART", "DTEND"):
            assert ev[name].params["TZID"] == "Europe/Brussels"
        assert ical_instant(ev, "DTSTART") == window.starts_at
        assert ical_instant(ev, "DTEND") == window.ends_at
        assert vobj_instant(vev, "dtstart") == window.starts_at
        assert vobj_instant(vev, "dtend") == window.ends_at
        assert (
            vobj_instant(vev, "dtstart").utcoffset()
            == window.starts_at.astimezone(BRUSSELS).utcoffset()
        )
        assert int(ev["SEQUENCE"]) == window.revision == int(vev.sequence.value)
        assert str(ev["STATUS"]) == "CONFIRMED" == vev.status.value
        assert "DTSTAMP" in ev and "LAST-MODIFIED" in ev
        assert str(ev["ORGANIZER"]) == "mailto:coordinator@wco.example"
        assert vev.organizer.value.lower() == "mailto:coordinator@wco.example"
        assert operation.code in str(ev["SUMMARY"])

    # A VTIMEZONE for the zone used, read by both parsers.
    assert [str(tz["TZID"]) for tz in ical.walk("VTIMEZONE")] == ["Europe/Brussels"]
    assert [tz.tzid.value for tz in vcal.vtimezone_list] == ["Europe/Brussels"]

    # LOCATION by code, LOCATION and GEO with coordinates.
    ev, vev = events[uid(control)]
    assert "CRSJO" in str(ev["LOCATION"]) and "CRSJO" in vev.location.value
    assert "GEO" not in ev
    ev, vev = events[uid(geo_window)]
    assert "Caldera port" in str(ev["LOCATION"])
    assert ev["GEO"].latitude == pytest.approx(9.912345)
    assert ev["GEO"].longitude == pytest.approx(-84.712345)
    lat, lon = (float(x) for x in vev.geo.value.split(";"))
    assert (lat, lon) == (pytest.approx(9.912345), pytest.approx(-84.712345))

    # Phases carry a reminder, control windows do not.
    ev, vev = events[uid(phase)]
    alarms = ev.walk("VALARM")
    assert len(alarms) == 1 and alarms[0].decoded("TRIGGER") == timedelta(days=-1)
    assert len(vev.valarm_list) == 1
    assert events[uid(control)][0].walk("VALARM") == []


def test_session_login_opens_the_feed_without_a_token(operation, officer):
    events, _, _ = feed(op_url(operation), user=officer)
    assert set(events) == {uid(w) for w in operation.time_windows.all()}


def test_window_across_daylight_saving_change_keeps_its_utc_instants(
    operation, coordinator, coordinator_token
):
    participation = operation.time_windows.get(kind=TimeWindow.Kind.CONTROL).participation
    phase = time_window_create(
        actor=coordinator,
        operation=operation,
        kind=TimeWindow.Kind.OPERATIONAL,
        starts_at=datetime(2027, 3, 25, 8, tzinfo=UTC),
        ends_at=datetime(2027, 3, 30, 8, tzinfo=UTC),
    )
    starts, ends = DST_CHANGE - timedelta(hours=5), DST_CHANGE + timedelta(hours=5)
    window = time_window_create(
        actor=coordinator,
        operation=operation,
        kind=TimeWindow.Kind.CONTROL,
        participation=participation,
        location_code="CRSJO",
        starts_at=starts,
        ends_at=ends,
    )
    events, _, _ = feed(op_url(operation, coordinator_token))
    ev, vev = events[uid(window)]
    for start, end in (
        (ical_instant(ev, "DTSTART"), ical_instant(ev, "DTEND")),
        (vobj_instant(vev, "dtstart"), vobj_instant(vev, "dtend")),
    ):
        assert start == starts == datetime(2027, 3, 27, 20, tzinfo=UTC)
        assert end == ends == datetime(2027, 3, 28, 6, tzinfo=UTC)
        assert start.utcoffset() == timedelta(hours=1)
        assert end.utcoffset() == timedelta(hours=2)
        assert (start.replace(tzinfo=None), end.replace(tzinfo=None)) == (
            datetime(2027, 3, 27, 21),
            datetime(2027, 3, 28, 8),
        )
        # Same-tzinfo subtraction in Python ignores offsets: compare in UTC.
        assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=10)
    # The raw text holds local wall-clock times with the zone, not UTC.
    assert ev["DTSTART"].to_ical() == b"20270327T210000"
    assert ev["DTEND"].to_ical() == b"20270328T080000"
    assert vobj_instant(events[uid(phase)][1], "dtend") == phase.ends_at


# --- SEQUENCE and cancellations ------------------------------------------------------


def test_sequence_grows_on_update_and_a_deleted_window_is_cancelled(
    operation, coordinator, coordinator_token
):
    control = operation.time_windows.get(kind=TimeWindow.Kind.CONTROL)
    url = op_url(operation, coordinator_token)
    events, _, _ = feed(url)
    first = int(events[uid(control)][0]["SEQUENCE"])

    control = time_window_update(
        actor=coordinator, window=control, ends_at=control.ends_at + timedelta(hours=2)
    )
    events, _, _ = feed(url)
    ev, vev = events[uid(control)]
    second = int(ev["SEQUENCE"])
    assert second > first and int(vev.sequence.value) == second == control.revision
    assert ical_instant(ev, "DTEND") == control.ends_at

    time_window_delete(actor=coordinator, window=control)
    events, _, _ = feed(url)
    ev, vev = events[uid(control)]
    assert str(ev["STATUS"]) == "CANCELLED" == vev.status.value
    assert int(ev["SEQUENCE"]) > second
    assert int(vev.sequence.value) == int(ev["SEQUENCE"])
    # The phase is untouched.
    phase = operation.time_windows.get(kind=TimeWindow.Kind.OPERATIONAL)
    assert str(events[uid(phase)][0]["STATUS"]) == "CONFIRMED"


def test_cancelled_operation_cancels_every_event(operation, coordinator, coordinator_token):
    url = op_url(operation, coordinator_token)
    before, _, _ = feed(url)
    operation_services.operation_transition(
        actor=coordinator, operation=operation, to_status=Operation.Status.CANCELLED
    )
    after, _, _ = feed(url)
    assert set(after) == set(before) and len(after) == 2
    for key, (ev, vev) in after.items():
        assert str(ev["STATUS"]) == "CANCELLED" == vev.status.value
        assert int(ev["SEQUENCE"]) > int(before[key][0]["SEQUENCE"])
        assert ev.walk("VALARM") == []


# --- privacy and tokens --------------------------------------------------------------


def test_outsider_token_sees_nothing_of_the_operation(operation, outsider):
    token = calendar_token_rotate(user=outsider)
    assert fetch(op_url(operation, token)).status_code == 404
    events, _, _ = feed(me_url(token))
    window_uids = {uid(w) for w in operation.time_windows.all()}
    assert not window_uids & set(events)
    response = fetch(me_url(token))
    assert operation.code.encode() not in response.content


def test_invitee_token_sees_nothing_of_the_operation(operation, invitee):
    token = calendar_token_rotate(user=invitee)
    assert fetch(op_url(operation, token)).status_code == 404
    events, _, _ = feed(me_url(token))
    assert not {uid(w) for w in operation.time_windows.all()} & set(events)


def test_hidden_single_window_file_is_404_and_visible_one_has_no_alarm(
    operation, officer, outsider
):
    phase = operation.time_windows.get(kind=TimeWindow.Kind.OPERATIONAL)
    url = f"/calendar/windows/{phase.pk}.ics"
    assert fetch(url, user=outsider).status_code == 404
    events, _, _ = feed(url, user=officer)
    assert list(events) == [uid(phase)]
    assert events[uid(phase)][0].walk("VALARM") == []


def test_revoked_token_gets_403(operation, officer):
    token = calendar_token_rotate(user=officer)
    assert fetch(op_url(operation, token)).status_code == 200
    calendar_token_revoke(user=officer)
    assert fetch(op_url(operation, token)).status_code == 403
    assert fetch(me_url(token)).status_code == 403


def test_unknown_token_and_anonymous_get_403(operation):
    assert fetch(op_url(operation, "not-a-token")).status_code == 403
    assert fetch(me_url("not-a-token")).status_code == 403
    assert fetch(op_url(operation)).status_code == 403
    assert fetch(me_url()).status_code == 403
    assert fetch(f"/calendar/windows/{operation.time_windows.first().pk}.ics").status_code == 403


def test_rotation_invalidates_the_old_url(operation, officer):
    old = calendar_token_rotate(user=officer)
    new = calendar_token_rotate(user=officer)
    assert old != new
    assert fetch(op_url(operation, old)).status_code == 403
    assert fetch(me_url(old)).status_code == 403
    events, _, _ = feed(op_url(operation, new))
    assert set(events) == {uid(w) for w in operation.time_windows.all()}


def test_token_of_an_inactive_user_gets_403(operation, officer):
    token = calendar_token_rotate(user=officer)
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    assert fetch(me_url(token)).status_code == 403


# --- ETag ----------------------------------------------------------------------------


def test_etag_answers_304_until_something_changes(operation, coordinator, coordinator_token):
    url = op_url(operation, coordinator_token)
    first = fetch(url)
    etag = first["ETag"]
    assert etag and first.status_code == 200
    again = fetch(url)
    assert again["ETag"] == etag and again.content == first.content

    not_modified = fetch(url, if_none_match=etag)
    assert not_modified.status_code == 304
    assert not_modified.content == b""

    control = operation.time_windows.get(kind=TimeWindow.Kind.CONTROL)
    time_window_update(actor=coordinator, window=control, notes="Bring the dogs.")
    changed = fetch(url, if_none_match=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    events, _, _ = parse(changed.content)
    assert "Bring the dogs." in str(events[uid(control)][0]["DESCRIPTION"])


# --- me.ics --------------------------------------------------------------------------


def test_my_feed_holds_phases_of_visible_operations_and_own_agency_control_windows(
    operation, active_operation, coordinator, officer, observer, ng_officer
):
    # A control window of another agency (NG) in `active_operation`.
    ng_participation = active_operation.participations.get(agency=ng_officer.agency)
    ng_window = time_window_create(
        actor=coordinator,
        operation=active_operation,
        kind=TimeWindow.Kind.CONTROL,
        participation=ng_participation,
        location_code="LOS",
        starts_at=active_operation.planned_start + timedelta(days=2),
        ends_at=active_operation.planned_start + timedelta(days=2, hours=4),
    )
    phases = TimeWindow.objects.filter(kind__in=TimeWindow.PHASES)
    all_windows = TimeWindow.objects.filter(operation__in=[operation, active_operation])

    token = calendar_token_rotate(user=officer)
    events, ical, vcal = feed(me_url(token))
    own_control = all_windows.filter(
        kind=TimeWindow.Kind.CONTROL, participation__agency=officer.agency
    )
    assert own_control.count() == 2
    assert set(events) == {uid(w) for w in phases} | {uid(w) for w in own_control}
    assert uid(ng_window) not in events
    # Each event in its operation's zone; a VTIMEZONE for each zone used.
    for window in all_windows:
        if uid(window) not in events:
            continue
        ev, vev = events[uid(window)]
        assert ev["DTSTART"].params["TZID"] == window.operation.time_zone
        # iCalendar has whole seconds; these windows were made from now().
        assert ical_instant(ev, "DTSTART") == window.starts_at.replace(microsecond=0)
        assert vobj_instant(vev, "dtend") == window.ends_at.replace(microsecond=0)
    zones = {"Europe/Brussels", "America/Costa_Rica"}
    assert {str(tz["TZID"]) for tz in ical.walk("VTIMEZONE")} == zones
    assert {tz.tzid.value for tz in vcal.vtimezone_list} == zones

    # The observer: phases only (its agency has no control windows).
    events, _, _ = feed(me_url(calendar_token_rotate(user=observer)))
    assert set(events) == {uid(w) for w in phases}
    # NG: phases of active_operation and its own window, nothing of `operation`.
    events, _, _ = feed(me_url(calendar_token_rotate(user=ng_officer)))
    assert set(events) == {uid(w) for w in phases.filter(operation=active_operation)} | {
        uid(ng_window)
    }


# --- GraphQL -------------------------------------------------------------------------

ME_FEED = "query { me { calendarFeedUrl } }"
ROTATE = "mutation { rotateCalendarToken { calendarFeedUrl errors { code message } } }"
REVOKE = "mutation { revokeCalendarToken { errors { code message } } }"


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_graphql_feed_url_rotate_and_revoke(operation, officer):
    assert gql(officer, ME_FEED)["data"]["me"]["calendarFeedUrl"] is None

    answer = gql(officer, ROTATE)["data"]["rotateCalendarToken"]
    assert answer["errors"] == []
    url = answer["calendarFeedUrl"]
    assert urlsplit(url).path == "/calendar/me.ics" and "token=" in url
    assert gql(officer, ME_FEED)["data"]["me"]["calendarFeedUrl"] == url

    events, _, _ = feed(_local(url))
    assert uid(operation.time_windows.get(kind=TimeWindow.Kind.OPERATIONAL)) in events

    second = gql(officer, ROTATE)["data"]["rotateCalendarToken"]["calendarFeedUrl"]
    assert second != url
    assert fetch(_local(url)).status_code == 403
    assert fetch(_local(second)).status_code == 200

    assert gql(officer, REVOKE)["data"]["revokeCalendarToken"]["errors"] == []
    assert fetch(_local(second)).status_code == 403
    assert gql(officer, ME_FEED)["data"]["me"]["calendarFeedUrl"] is None


def test_graphql_operation_calendar_url_fetches_the_operation_feed(operation, officer):
    query = "query($id: ID!) { operation(id: $id) { calendarUrl } }"
    variables = {"id": to_global_id("Operation", operation.pk)}
    assert gql(officer, query, variables)["data"]["operation"]["calendarUrl"] is None
    gql(officer, ROTATE)
    url = gql(officer, query, variables)["data"]["operation"]["calendarUrl"]
    assert urlsplit(url).path == f"/calendar/operations/{operation.pk}.ics"
    events, _, _ = feed(_local(url))
    assert set(events) == {uid(w) for w in operation.time_windows.all()}


def test_rotate_needs_a_login():
    answer = gql(None, ROTATE)
    assert answer.get("errors") or answer["data"]["rotateCalendarToken"]["errors"]
