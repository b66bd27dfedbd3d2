"""iCalendar (RFC 5545) feeds of phases and control windows, written with `icalendar`.

Every event has a stable UID, a SEQUENCE that grows with every change (the window's
revision, plus one when its operation is cancelled), STATUS:CANCELLED for a deleted
window or a cancelled operation, DTSTAMP and LAST-MODIFIED (the last change, so an
unchanged feed renders byte for byte the same and its ETag holds), times in the
operation's time zone with a VTIMEZONE for each zone used, the place (LOCATION, GEO)
and the first coordinator as ORGANIZER. Phases carry a reminder (VALARM) a day ahead.
"""

from collections.abc import Iterable
from datetime import timedelta

from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from operations.models import Operation
from timeline.models import TimeWindow

PRODID = "-//JointOps//Operation calendar//EN"
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
    event.add("dtstart", window.starts_at.astimezone(zone))
    event.add("dtend", window.ends_at.astimezone(zone))
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


def render_calendar(name: str, windows: Iterable[TimeWindow], *, alarms: bool = True) -> bytes:
    """The feed as bytes. `windows` need their operation (with coordinators) and
    participation's agency loaded, as `timeline.selectors.calendar_windows` does."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for window in windows:
        calendar.add_component(_event(window, alarms=alarms))
    calendar.add_missing_timezones()
    return calendar.to_ical()
