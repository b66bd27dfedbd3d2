"""iCalendar (RFC 5545) feeds of phases and control windows, written with `icalendar`.

Every event has a stable UID, a SEQUENCE that grows with every change (the window's
revision, plus one when its operation is cancelled), STATUS:CANCELLED for a deleted
window or a cancelled operation, DTSTAMP and LAST-MODIFIED (the last change, so an
unchanged feed renders byte for byte the same and its ETag holds), times in the
operation's time zone with a VTIMEZONE for each zone used, the place (LOCATION, GEO)
and the first coordinator as ORGANIZER. Phases carry a reminder (VALARM) a day ahead.
Every calendar, subscribed feed or single-window file, says METHOD:PUBLISH (the views
repeat it in the media type, as RFC 5545 section 8.1 asks).

Times. DTSTART and DTEND are wall-clock times in the operation's zone (TZID), with one
exception: an instant whose wall-clock time occurs twice, in the hour repeated when the
clocks go back, is written in UTC (`DTEND:20271031T013000Z`), whichever of the two it is.
RFC 5545 gives such a local time its first meaning, but ical.js reads the second, and
the second cannot be written as a local time at all. An aware instant never falls in the
hour skipped when the clocks go forward, so no local time written here is missing.

Time zones. Each TZID used gets a VTIMEZONE built here from the zone's rules (zoneinfo).
icalendar's own `add_missing_timezones()` cannot be used: it lists every change up to
2038 in one comma-separated RDATE, of which ical.js (Thunderbird) and vobject read only
the first. Here:

- the zone's changes are found from 1999 (or the year before the first instant written
  in it, if earlier) to the eighth year after the last one. Eight years tell a "last
  Sunday" from a "fourth Sunday". 1999, because vobject takes a VTIMEZONE that shows
  offset zero and no change over 2000-2020 for UTC and ignores it (Europe/London would);
- the changes of one kind (offset from, offset to, name) that follow one yearly rule (the
  nth or last weekday of a month, a weekday on or after a day of the month, or a fixed
  date) become one STANDARD or DAYLIGHT with an RRULE from their first occurrence; the
  rule still in force at the end stays open, so the VTIMEZONE holds for 2038 and after
  as the zone's rule does; a rule the zone gave up ends with COUNT. Each rule is
  checked against the zone's changes with dateutil before it is written;
- a change that follows no rule gets a sub-component of its own (DTSTART only); a zone
  without changes gets one STANDARD. No RDATE is written.
"""

from calendar import monthrange
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from icalendar import (
    Alarm,
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vRecur,
    vText,
)

from operations.models import Operation
from timeline.models import TimeWindow

PRODID = "-//JointOps//Operation calendar//EN"
METHOD = "PUBLISH"
PHASE_REMINDER = timedelta(days=1)


def _summary(window: TimeWindow) -> str:
    code = window.operation.code
    if window.is_phase:
        return f"[{code}] {window.get_kind_display()}"
    where = window.location_code or window.location_name or "coordinates"
    return f"[{code}] Control window: {window.participation.agency.acronym} at {where}"


def _location(window: TimeWindow) -> str:
    parts = [window.location_name, window.location_code and f"({window.location_code})"]
    return " ".join(p for p in parts if p)


def _written(instant: datetime, zone: ZoneInfo) -> datetime:
    """`instant` as DTSTART or DTEND gets it: in `zone`, or in UTC if that wall-clock time
    occurs twice there."""
    local = instant.astimezone(zone)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return instant.astimezone(UTC)
    return local


def _event(window: TimeWindow, *, alarms: bool) -> Event:
    operation = window.operation
    cancelled = window.deleted_at is not None or operation.status == Operation.Status.CANCELLED
    zone = operation.zone
    last_change = window.updated_at
    if operation.status == Operation.Status.CANCELLED:
        last_change = max(last_change, operation.updated_at)
    event = Event()
    event.add("uid", f"timewindow-{window.pk}@jointops")
    event.add(
        "sequence", window.revision + (1 if operation.status == Operation.Status.CANCELLED else 0)
    )
    event.add("dtstamp", last_change)
    event.add("last-modified", last_change)
    event.add("dtstart", _written(window.starts_at, zone))
    event.add("dtend", _written(window.ends_at, zone))
    event.add("summary", _summary(window))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    description = [f"{operation.name} ({operation.code})."]
    if window.notes:
        description.append(window.notes)
    event.add("description", "\n".join(description))
    if _location(window):
        event.add("location", _location(window))
    if window.latitude is not None:
        event.add("geo", (float(window.latitude), float(window.longitude)))
    organiser = next(iter(operation.coordinators.all()), None)
    if organiser is not None and organiser.email:
        address = vCalAddress(f"mailto:{organiser.email}")
        address.params["cn"] = vText(str(organiser))
        event.add("organizer", address)
    if alarms and window.is_phase and not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Tomorrow: {_summary(window)}")
        alarm.add("trigger", -PHASE_REMINDER)
        event.add_component(alarm)
    return event


# --- time zones ---------------------------------------------------------------------

_SCAN_STEP = 24 * 3600  # seconds; since 1970 no zone has changed twice within six days
_YEARS_AFTER = 8
_HISTORY_FROM = 1999
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class _Kind(NamedTuple):
    """A kind of change. `daylight`: the time after it is summer time, that is, has a
    positive DST, or ends a negative one (Europe/Dublin's winter GMT, Morocco's Ramadan
    +00 in tzdata), so that the larger offset is DAYLIGHT, as most calendars expect."""

    offset_from: timedelta
    offset_to: timedelta
    name: str
    daylight: bool


class _Part(NamedTuple):
    """One STANDARD or DAYLIGHT sub-component."""

    kind: _Kind
    dtstart: datetime  # naive: the wall-clock time of the onset, before the change
    rrule: str | None


def _state(zone: ZoneInfo, timestamp: int) -> tuple[timedelta, timedelta, str]:
    local = datetime.fromtimestamp(timestamp, zone)
    return local.utcoffset(), local.dst(), local.tzname()


def _changes(zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[_Kind, datetime]]:
    """Each change of `zone`'s offset or name in [start, end): its kind and onset."""
    changes = []
    now, stop = int(start.timestamp()), int(end.timestamp())
    state = _state(zone, now)
    while now < stop:
        ahead = min(now + _SCAN_STEP, stop)
        if _state(zone, ahead) == state:
            now = ahead
            continue
        before, after = now, ahead  # bisect to the first second of the new state
        while after - before > 1:
            middle = (before + after) // 2
            if _state(zone, middle) == state:
                before = middle
            else:
                after = middle
        new = _state(zone, after)
        onset = datetime.fromtimestamp(after, UTC).replace(tzinfo=None) + state[0]
        daylight = new[1] > timedelta(0) or (new[1] == timedelta(0) and state[1] < timedelta(0))
        changes.append((_Kind(state[0], new[0], new[2], daylight), onset))
        state, now = new, after
    return changes


def _rules(last: datetime) -> list[tuple[str, Callable[[datetime], bool]]]:
    """The yearly rules `last` is an occurrence of, simplest first: each RRULE, and a test
    of whether a date of the same month is its occurrence in that date's year."""
    weekday, day = last.weekday(), last.day
    code = _WEEKDAYS[weekday]
    base = f"FREQ=YEARLY;BYMONTH={last.month}"
    rules = []
    if day > monthrange(last.year, last.month)[1] - 7:
        rules.append(
            (
                f"{base};BYDAY=-1{code}",
                lambda d: d.weekday() == weekday and d.day > monthrange(d.year, d.month)[1] - 7,
            )
        )
    if day <= 28:
        nth = (day + 6) // 7
        rules.append(
            (
                f"{base};BYDAY={nth}{code}",
                lambda d: d.weekday() == weekday and (d.day + 6) // 7 == nth,
            )
        )
    rules.append((f"{base};BYMONTHDAY={day}", lambda d: d.day == day))
    for first in range(max(1, day - 6), min(day, 25) + 1):  # zic's "Sun>=8" and the like
        days = ",".join(str(d) for d in range(first, first + 7))
        rules.append(
            (
                f"{base};BYDAY={code};BYMONTHDAY={days}",
                lambda d, first=first: d.weekday() == weekday and first <= d.day < first + 7,
            )
        )
    return rules


def _run_length(onsets: list[datetime], holds: Callable[[datetime], bool]) -> int:
    """How many of the last onsets, one a year up to the last one, a rule `holds` for."""
    last, length = onsets[-1], 1
    for onset in reversed(onsets[:-1]):
        same_slot = (onset.year + length, onset.month, onset.time()) == (
            last.year,
            last.month,
            last.time(),
        )
        if not (same_slot and holds(onset)):
            break
        length += 1
    return length


def _runs(onsets: list[datetime], end: datetime) -> list[tuple[datetime, str | None]]:
    """Split the onsets of one kind of change (in order) into (DTSTART, RRULE or None),
    latest first. A rule covers the longest run of yearly occurrences, at least two, that
    ends with the last onset; it is open unless it would have had another occurrence
    before `end` (where the scan stopped, on the same clock)."""
    runs = []
    while onsets:
        last = onsets[-1]
        start, best = len(onsets) - 1, None
        for rule, holds in _rules(last):
            length = _run_length(onsets, holds)
            if length >= 2 and len(onsets) - length < start:
                start, best = len(onsets) - length, rule
        run = onsets[start:]
        if best is not None:
            recurrence = rrulestr(best, dtstart=run[0])
            if recurrence.between(run[0], last, inc=True) != run:  # never, but be sure
                start, best, run = len(onsets) - 1, None, [last]
            elif (following := recurrence.after(last)) is not None and following < end:
                best = f"{best};COUNT={len(run)}"  # the zone gave this rule up
        runs.append((run[0], best))
        onsets = onsets[:start]
    return runs


@lru_cache(maxsize=512)
def _parts(tzid: str, first_year: int, last_year: int) -> tuple[_Part, ...]:
    """The sub-components that describe `tzid` from the start of `first_year` to the end
    of `last_year`, in order of onset. Cached: the scan takes some 30 ms."""
    zone = ZoneInfo(tzid)
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    changes = _changes(zone, start, end)
    parts = []
    if not changes or changes[0][1] - changes[0][0].offset_from >= datetime(first_year + 1, 1, 1):
        # No change in the first year: the offset of its start holds until the first one.
        offset, dst, name = _state(zone, int(start.timestamp()))
        onset = start.replace(tzinfo=None) + offset
        parts.append(_Part(_Kind(offset, offset, name, dst > timedelta(0)), onset, None))
    onsets = defaultdict(list)
    for kind, onset in changes:
        onsets[kind].append(onset)
    for kind, kind_onsets in onsets.items():
        stop = end.replace(tzinfo=None) + kind.offset_from
        parts.extend(_Part(kind, dtstart, rule) for dtstart, rule in _runs(kind_onsets, stop))
    return tuple(sorted(parts, key=lambda part: part.dtstart - part.kind.offset_from))


def vtimezone(tzid: str, first: datetime, last: datetime) -> Timezone:
    """A VTIMEZONE for the IANA zone `tzid`, true for the instants from `first` to `last`
    and, through its open RRULEs, for as long as the zone keeps its present rule."""
    component = Timezone()
    component.add("tzid", tzid)
    first_year = min(first.astimezone(UTC).year - 1, _HISTORY_FROM)
    for part in _parts(tzid, first_year, last.astimezone(UTC).year + _YEARS_AFTER):
        sub = TimezoneDaylight() if part.kind.daylight else TimezoneStandard()
        sub.add("dtstart", part.dtstart)
        if part.rrule is not None:
            sub.add("rrule", vRecur.from_ical(part.rrule))
        sub.add("tzoffsetfrom", part.kind.offset_from)
        sub.add("tzoffsetto", part.kind.offset_to)
        sub.add("tzname", part.kind.name)
        component.add_component(sub)
    return component


def render_calendar(name: str, windows: Iterable[TimeWindow], *, alarms: bool = True) -> bytes:
    """The calendar as bytes. `windows` need their operation (with coordinators) and
    participation's agency loaded, as `timeline.selectors.calendar_windows` does."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", METHOD)
    calendar.add("x-wr-calname", name)
    events = [_event(window, alarms=alarms) for window in windows]
    local_times = defaultdict(list)  # TZID: the instants written in it
    for event in events:
        for field in ("DTSTART", "DTEND"):
            if "TZID" in event[field].params:
                local_times[event[field].params["TZID"]].append(event.decoded(field))
    for tzid, instants in sorted(local_times.items()):
        calendar.add_component(vtimezone(tzid, min(instants), max(instants)))
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()
