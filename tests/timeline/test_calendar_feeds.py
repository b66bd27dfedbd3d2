"""iCalendar feeds parsed back and checked against the database: zones, daylight saving,
SEQUENCE, cancellations, privacy, feed tokens, ETag, METHOD, and the GraphQL side of the
feed token.

Every feed is read four ways, and the four must agree on every event's instants:
`icalendar` (which looks a TZID up as an IANA zone), `icalendar` reading the feed's own
VTIMEZONE, `vobject` (whose tzinfo comes from the feed's VTIMEZONE through dateutil) and
ical.js, the parser of Thunderbird (`icaljs_instants.mjs`, run with Node.js)."""

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import vobject
from dateutil import tz as dateutil_tz
from django.contrib.auth.hashers import make_password
from django.test import Client
from graphql_relay import to_global_id
from icalendar import Calendar

from operations import services as operation_services
from operations.models import Operation
from tests.conftest import START, gql, make_operation
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
ICALJS = Path(__file__).with_name("icaljs_instants.mjs")


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


def read_with_vobject(content: bytes, tzids):
    """vobject keeps the first VTIMEZONE it ever read for a TZID, for the life of the
    process: forget these TZIDs first so that it reads this feed's own."""
    for tzid in tzids:
        vobject.icalendar.registerTzid(tzid, None)
    return vobject.readOne(content.decode())


def read_with_icaljs(content: bytes) -> dict[str, tuple[datetime, datetime]]:
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            "Node.js 20+ is required: the calendar tests read every feed with ical.js "
            "(`make install` sets up frontend/node_modules)."
        )
    result = subprocess.run(
        [node, str(ICALJS)], input=content, capture_output=True, timeout=60, check=False
    )
    if result.returncode != 0:
        pytest.fail(f"ical.js could not read the feed:\n{result.stderr.decode()}")
    return {
        uid: (datetime.fromisoformat(times["DTSTART"]), datetime.fromisoformat(times["DTEND"]))
        for uid, times in json.loads(result.stdout).items()
    }


def read(content: bytes):
    """The feed read by `icalendar` and by `vobject`."""
    ical = Calendar.from_ical(content)
    return ical, read_with_vobject(content, [str(tz["TZID"]) for tz in ical.walk("VTIMEZONE")])


def instants(content: bytes, ical=None, vcal=None) -> dict[str, dict]:
    """{reader: {uid: (start, end)}}, in UTC, for the four readers of the module docstring
    (`ical` and `vcal`: the feed already read by `read`)."""
    if ical is None:
        ical, vcal = read(content)
    own_zones = {str(tz["TZID"]): tz.to_tz(lookup_tzid=False) for tz in ical.walk("VTIMEZONE")}

    def icalendar_own(event, name):
        value = event.decoded(name)
        if "TZID" in event[name].params:
            value = value.replace(tzinfo=own_zones[event[name].params["TZID"]])
        return value

    def utc(start, end):
        return start.astimezone(UTC), end.astimezone(UTC)

    ical_events, vobj_events = ical.walk("VEVENT"), getattr(vcal, "vevent_list", [])
    return {
        "icalendar": {
            str(e["UID"]): utc(ical_instant(e, "DTSTART"), ical_instant(e, "DTEND"))
            for e in ical_events
        },
        "icalendar VTIMEZONE": {
            str(e["UID"]): utc(icalendar_own(e, "DTSTART"), icalendar_own(e, "DTEND"))
            for e in ical_events
        },
        "vobject": {
            e.uid.value: utc(vobj_instant(e, "dtstart"), vobj_instant(e, "dtend"))
            for e in vobj_events
        },
        "ical.js": read_with_icaljs(content),
    }


def parse(content: bytes):
    """Returns {uid: (icalendar event, vobject event)} and the two calendars, once the four
    readers agree on every event's instants."""
    ical, vcal = read(content)
    readings = instants(content, ical, vcal)
    for reader, reading in readings.items():
        assert reading == readings["icalendar"], f"{reader} reads other instants than icalendar"
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
    """The instant vobject read, with the tzinfo it made from the feed's VTIMEZONE (through
    dateutil's tzical), not one it fell back to (pytz) because it ignored the VTIMEZONE."""
    prop = getattr(event, name)
    value = prop.value
    assert isinstance(value.tzinfo, dateutil_tz.tzutc) or (
        type(value.tzinfo).__name__ == "_tzicalvtz"
        and value.tzinfo._tzid == prop.x_vobj_original_tzid_param
    ), value.tzinfo
    return value


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


# --- daylight saving time, as every reader reads it -----------------------------------

H = timedelta(hours=1)
# The changes of offset of each (zone, year) used, as UTC instants; checked against zoneinfo.
CHANGES = {
    ("Europe/Brussels", 2027): [
        datetime(2027, 3, 28, 1, tzinfo=UTC),  # +01:00 -> +02:00
        datetime(2027, 10, 31, 1, tzinfo=UTC),  # +02:00 -> +01:00
    ],
    ("America/Santiago", 2027): [
        datetime(2027, 4, 4, 3, tzinfo=UTC),  # -03:00 -> -04:00 (southern autumn)
        datetime(2027, 9, 5, 4, tzinfo=UTC),  # -04:00 -> -03:00
    ],
    ("Australia/Sydney", 2027): [
        datetime(2027, 4, 3, 16, tzinfo=UTC),  # +11:00 -> +10:00
        datetime(2027, 10, 2, 16, tzinfo=UTC),  # +10:00 -> +11:00
    ],
    ("America/Costa_Rica", 2027): [],  # -06:00 all year
    # Winter at offset zero (vobject takes such a zone for UTC unless its VTIMEZONE shows
    # the changes of 2000-2020); Dublin's is a negative DST in tzdata.
    ("Europe/London", 2027): [
        datetime(2027, 3, 28, 1, tzinfo=UTC),
        datetime(2027, 10, 31, 1, tzinfo=UTC),
    ],
    ("Europe/Dublin", 2027): [
        datetime(2027, 3, 28, 1, tzinfo=UTC),
        datetime(2027, 10, 31, 1, tzinfo=UTC),
    ],
    ("Europe/Brussels", 2041): [
        datetime(2041, 3, 31, 1, tzinfo=UTC),
        datetime(2041, 10, 27, 1, tzinfo=UTC),
    ],
    ("Australia/Sydney", 2045): [
        datetime(2045, 4, 1, 16, tzinfo=UTC),
        datetime(2045, 9, 30, 16, tzinfo=UTC),
    ],
    ("America/Santiago", 2052): [
        datetime(2052, 4, 7, 3, tzinfo=UTC),
        datetime(2052, 9, 8, 4, tzinfo=UTC),
    ],
}


def changes_of(tzid: str, year: int) -> list[datetime]:
    """CHANGES[tzid, year], checked: the offset changes at each, and at no other time."""
    zone, changes = ZoneInfo(tzid), CHANGES[tzid, year]

    def offset(instant):
        return instant.astimezone(zone).utcoffset()

    assert all(offset(change - timedelta(seconds=1)) != offset(change) for change in changes)
    steps = [datetime(year, 1, 1, tzinfo=UTC) + 6 * H * i for i in range(4 * 365)]
    assert sum(offset(a) != offset(b) for a, b in pairwise(steps)) == len(changes)
    return changes


def operation_in(coordinator, tzid: str, year: int) -> Operation:
    return make_operation(
        coordinator,
        code=f"OP-{''.join(filter(str.isalpha, tzid.split('/')[-1]))[:8].upper()}-{year}",
        time_zone=tzid,
        planned_start=datetime(year, 1, 1, tzinfo=UTC),
        planned_end=datetime(year + 1, 1, 1, tzinfo=UTC),
    )


def plan(coordinator, operation, *spans: tuple[datetime, datetime]) -> list[TimeWindow]:
    return [
        time_window_create(
            actor=coordinator,
            operation=operation,
            kind=TimeWindow.Kind.PLANNING,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        for starts_at, ends_at in spans
    ]


def assert_every_reader_reads_the_database(content: bytes, operation) -> None:
    expected = {
        uid(w): (w.starts_at, w.ends_at) for w in TimeWindow.objects.filter(operation=operation)
    }
    for reader, reading in instants(content).items():
        wrong = {
            key: (reading.get(key), stored)
            for key, stored in expected.items()
            if reading.get(key) != stored
        }
        assert not wrong, f"{reader} misreads (read, stored): {wrong}"
        assert set(reading) == set(expected)


@pytest.mark.parametrize(("tzid", "year"), list(CHANGES), ids=[f"{z}-{y}" for z, y in CHANGES])
def test_every_reader_reads_the_stored_instants_on_both_sides_of_each_change(
    coordinator, tzid, year
):
    # Given windows before, across and after each change of the year (both ways), in
    # the middle of the year and across the whole summer (or winter)
    changes = changes_of(tzid, year)
    operation = operation_in(coordinator, tzid, year)
    spans = [
        (datetime(year, 1, 10, 7, tzinfo=UTC), datetime(year, 1, 10, 15, tzinfo=UTC)),
        (datetime(year, 7, 1, 7, tzinfo=UTC), datetime(year, 7, 2, 15, tzinfo=UTC)),
    ]
    for change in changes:
        spans += [
            (change - 30 * H, change - 2 * H),
            (change - 5 * H, change + 5 * H),
            (change + 2 * H, change + 30 * H),
        ]
    if changes:
        spans.append((changes[0] - 24 * H, changes[1] + 24 * H))
    plan(coordinator, operation, *spans)

    # When the operation's feed is read
    response = fetch(op_url(operation, calendar_token_rotate(user=coordinator)))
    assert response.status_code == 200

    # Then icalendar, vobject and ical.js read exactly the stored instants
    assert_every_reader_reads_the_database(response.content, operation)
    # with local times in the zone (none of these falls in a repeated hour)
    ical = Calendar.from_ical(response.content)
    for event in ical.walk("VEVENT"):
        assert event["DTSTART"].params["TZID"] == event["DTEND"].params["TZID"] == tzid
    # and one VTIMEZONE, whose yearly changes are open RRULEs, without any RDATE.
    (vtimezone,) = ical.walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == tzid
    assert b"RDATE" not in response.content
    rules = [
        (part.name, part["RRULE"].to_ical().decode())
        for part in vtimezone.subcomponents
        if "RRULE" in part
    ]
    if changes:
        open_rules = sorted(name for name, rule in rules if "COUNT" not in rule)
        assert open_rules == ["DAYLIGHT", "STANDARD"]
    else:
        assert rules == []


REPEATED_HOURS = {  # a change where the clocks go back: the hour before it is repeated after
    "Europe/Brussels": datetime(2027, 10, 31, 1, tzinfo=UTC),  # 02:00-03:00 local, twice
    "Australia/Sydney": datetime(2027, 4, 3, 16, tzinfo=UTC),  # 02:00-03:00 local, twice
    "America/Santiago": datetime(2027, 4, 4, 3, tzinfo=UTC),  # 23:00-24:00 local, twice
}


@pytest.mark.parametrize("tzid", list(REPEATED_HOURS))
def test_instants_in_the_repeated_hour_are_written_in_utc_and_read_alike(coordinator, tzid):
    # Given windows that start or end in either occurrence of the repeated hour
    change, zone = REPEATED_HOURS[tzid], ZoneInfo(tzid)
    operation = operation_in(coordinator, tzid, change.year)
    first, second = change - timedelta(minutes=30), change + timedelta(minutes=30)
    assert first.astimezone(zone).replace(tzinfo=None) == second.astimezone(zone).replace(
        tzinfo=None
    )
    windows = plan(
        coordinator,
        operation,
        (change - 6 * H, first),  # ends in the first occurrence
        (change - 6 * H, second),  # ends in the second occurrence
        (change + timedelta(minutes=15), change + 6 * H),  # starts in the second
        (change - timedelta(minutes=45), change + timedelta(minutes=45)),  # first to second
    )

    # When the operation's feed is read
    response = fetch(op_url(operation, calendar_token_rotate(user=coordinator)))
    assert response.status_code == 200

    # Then every reader reads the stored instants
    assert_every_reader_reads_the_database(response.content, operation)
    # because a time of the repeated hour is written in UTC, any other in the zone
    events = {str(e["UID"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}
    for window in windows:
        event = events[uid(window)]
        for name, instant in (("DTSTART", window.starts_at), ("DTEND", window.ends_at)):
            local = instant.astimezone(zone)
            repeated = local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()
            assert repeated == (abs(instant - change) < H)
            if repeated:
                assert "TZID" not in event[name].params
                assert event[name].to_ical() == instant.strftime("%Y%m%dT%H%M%SZ").encode()
            else:
                assert event[name].params["TZID"] == tzid
    assert f"DTEND:{second:%Y%m%dT%H%M%S}Z\r\n".encode() in response.content


def test_single_window_file_and_feeds_are_published_with_method(
    operation, officer, coordinator_token
):
    # Given a phase the officer sees, in a file of its own and in the feeds
    phase = operation.time_windows.get(kind=TimeWindow.Kind.OPERATIONAL)
    officer_token = calendar_token_rotate(user=officer)
    for url in (
        f"/calendar/windows/{phase.pk}.ics?token={officer_token}",
        op_url(operation, coordinator_token),
        me_url(officer_token),
    ):
        # When it is fetched
        response = fetch(url)

        # Then the calendar says METHOD:PUBLISH, and so does its media type (RFC 5545 8.1)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8; method=PUBLISH"
        events, ical, vcal = parse(response.content)
        assert str(ical["METHOD"]) == "PUBLISH" == vcal.method.value
        assert uid(phase) in events


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


def test_a_password_change_ends_the_feed_token_a_session_could_have_made(operation, officer):
    token = calendar_token_rotate(user=officer)
    officer.refresh_from_db()
    officer.save()  # saved with nothing changed: the token stays
    # nor does a login that re-hashes the same password with a newer hasher revoke it
    officer.password = make_password("the same password, hashed anew")
    officer.save(update_fields=["password"])
    assert fetch(me_url(token)).status_code == 200

    officer.set_password("a new one, after a stolen session")
    officer.save()

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
