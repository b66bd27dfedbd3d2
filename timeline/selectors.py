from dataclasses import dataclass
from datetime import datetime
from heapq import merge

from django.db.models import Prefetch, Q, QuerySet

from agencies.models import Agency, User
from operations import permissions
from operations.models import Operation, Participation
from operations.selectors import operation_list_for_user
from timeline.models import TimeWindow


def time_window_list_for_user(user) -> QuerySet[TimeWindow]:
    """Live (not deleted) windows of the operations `user` may see."""
    return TimeWindow.objects.filter(
        deleted_at__isnull=True, operation__in=operation_list_for_user(user)
    )


def time_windows_outside_span(operation: Operation) -> QuerySet[TimeWindow]:
    return operation.time_windows.filter(deleted_at__isnull=True).filter(
        Q(starts_at__lt=operation.planned_start) | Q(ends_at__gt=operation.planned_end)
    )


# --- calendar feeds ------------------------------------------------------------------


def _for_calendar(windows: QuerySet[TimeWindow]) -> QuerySet[TimeWindow]:
    """Deleted windows included (feeds announce them as cancelled)."""
    return (
        windows.select_related("operation", "participation__agency")
        .prefetch_related(Prefetch("operation__coordinators", queryset=User.objects.order_by("id")))
        .order_by("starts_at", "id")
    )


def calendar_windows_of_user_operations(user) -> QuerySet[TimeWindow]:
    """Every window of every operation the user may see: each closed user group's plan."""
    return _for_calendar(TimeWindow.objects.filter(operation__in=operation_list_for_user(user)))


def calendar_windows_of_operation(user, operation: Operation) -> QuerySet[TimeWindow]:
    return calendar_windows_of_user_operations(user).filter(operation=operation)


def calendar_windows_of_user(user) -> QuerySet[TimeWindow]:
    """For a person's own calendar: the phases of every operation they may see, and the
    control windows of their own agency."""
    own_control = Q(kind=TimeWindow.Kind.CONTROL, participation__agency_id=user.agency_id)
    return _for_calendar(
        TimeWindow.objects.filter(operation__in=operation_list_for_user(user))
        .exclude(operation__status=Operation.Status.ARCHIVED)
        .filter(Q(kind__in=TimeWindow.PHASES) | own_control)
    )


# --- the timeline of an operation ----------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    summary: str
    actor: str
    agency: Agency | None
    obj: object
    # What the entry changed to: the operation's status (a status change; "draft" when
    # created), or the participation's state (a participation change); else "".
    change: str = ""


class EntryKind:
    PHASE = "phase"
    CONTROL_WINDOW = "control_window"
    STATUS_CHANGE = "status_change"
    PARTICIPATION_CHANGE = "participation_change"
    HIT = "hit"
    ALL = (PHASE, CONTROL_WINDOW, STATUS_CHANGE, PARTICIPATION_CHANGE, HIT)


def _between(queryset, field: str, start, end):
    if start is not None:
        queryset = queryset.filter(**{f"{field}__gte": start})
    if end is not None:
        queryset = queryset.filter(**{f"{field}__lte": end})
    return queryset


def _window_entries(operation, kinds, start, end, limit, order):
    wanted = [
        k
        for k, on in [
            (TimeWindow.PHASES, EntryKind.PHASE in kinds),
            ((TimeWindow.Kind.CONTROL,), EntryKind.CONTROL_WINDOW in kinds),
        ]
        if on
    ]
    if not wanted:
        return
    windows = _between(
        operation.time_windows.filter(deleted_at__isnull=True), "starts_at", start, end
    )
    windows = windows.filter(kind__in=[k for group in wanted for k in group])
    for window in windows.select_related("participation__agency").order_by(
        *_ordered(order, "starts_at", "id")
    )[:limit]:
        window.operation = operation
        if window.is_phase:
            yield TimelineEntry(
                window.starts_at,
                EntryKind.PHASE,
                f"{window.get_kind_display()} begins",
                "",
                None,
                window,
            )
        else:
            where = window.location_code or window.location_name or "coordinates"
            yield TimelineEntry(
                window.starts_at,
                EntryKind.CONTROL_WINDOW,
                f"Control window of {window.participation.agency.acronym} at {where}",
                "",
                window.participation.agency,
                window,
            )


PARTICIPATION_VERBS = {
    "participation.invite": "invited",
    "participation.accept": "accepted",
    "participation.decline": "declined",
    "participation.withdraw": "withdrew",
}
PARTICIPATION_STATES = {
    "participation.invite": Participation.State.INVITED,
    "participation.accept": Participation.State.ACCEPTED,
    "participation.decline": Participation.State.DECLINED,
    "participation.withdraw": Participation.State.WITHDRAWN,
}


def _audit_entries(operation, kinds, start, end, limit, order):
    actions = []
    if EntryKind.STATUS_CHANGE in kinds:
        actions += ["operation.create", "operation.transition"]
    if EntryKind.PARTICIPATION_CHANGE in kinds:
        actions += list(PARTICIPATION_VERBS)
    if not actions:
        return
    events = list(
        _between(operation.audit_events.filter(action__in=actions), "occurred_at", start, end)
        .select_related("actor", "actor_agency")
        .order_by(*_ordered(order, "occurred_at", "id"))[:limit]
    )
    participations = Participation.objects.select_related("agency").in_bulk(
        [int(e.object_id) for e in events if e.action.startswith("participation.")]
    )
    for event in events:
        actor = str(event.actor) if event.actor else ""
        if event.action.startswith("participation."):
            participation = participations.get(int(event.object_id))
            if participation is None:
                continue
            participation.operation = operation
            summary = f"{participation.agency.acronym} {PARTICIPATION_VERBS[event.action]}"
            yield TimelineEntry(
                event.occurred_at,
                EntryKind.PARTICIPATION_CHANGE,
                summary,
                actor,
                event.actor_agency,
                participation,
                PARTICIPATION_STATES[event.action],
            )
        else:
            status = (event.after or {}).get("status", Operation.Status.DRAFT)
            summary = (
                "Operation created" if event.action == "operation.create" else f"Status: {status}"
            )
            yield TimelineEntry(
                event.occurred_at,
                EntryKind.STATUS_CHANGE,
                summary,
                actor,
                event.actor_agency,
                operation,
                status,
            )


def _hit_entries(user, operation, kinds, start, end, limit, order):
    if EntryKind.HIT not in kinds:
        return
    hits = _between(
        permissions.hits_visible_to(user).filter(operation=operation), "occurred_at", start, end
    )
    for hit in (
        hits.select_related("reporting_agency")
        .prefetch_related("items")
        .order_by(*_ordered(order, "occurred_at", "id"))[:limit]
    ):
        hit.operation = operation
        items = ", ".join(
            f"{item.quantity.normalize():f} {item.unit} {item.get_commodity_display()}"
            for item in hit.items.all()
        )
        where = hit.location_code or hit.place or hit.country
        summary = (
            f"{hit.get_kind_display()} #{hit.sequence}"
            + (f": {items}" if items else "")
            + f" at {where}"
        )
        yield TimelineEntry(
            hit.occurred_at,
            EntryKind.HIT,
            summary,
            hit.reporting_agency.acronym,
            hit.reporting_agency,
            hit,
        )


def _ordered(newest_first: bool, *fields: str) -> list[str]:
    return [f"-{f}" for f in fields] if newest_first else list(fields)


def timeline_for_user(
    user,
    operation: Operation,
    *,
    start=None,
    end=None,
    kinds=None,
    limit: int = 100,
    newest_first: bool = False,
) -> list[TimelineEntry]:
    """The first `limit` entries of the operation's timeline, in time order (the newest
    first when `newest_first`, exactly the reverse): phases, control windows, status and
    participation changes, and the hits `user` may see.

    Each source is read with one bounded, ordered query and the sources are merged, so
    the cost does not grow with the length of the operation.
    """
    kinds = set(kinds or EntryKind.ALL)
    sources = [
        _window_entries(operation, kinds, start, end, limit, newest_first),
        _audit_entries(operation, kinds, start, end, limit, newest_first),
        _hit_entries(user, operation, kinds, start, end, limit, newest_first),
    ]
    if newest_first:
        sources.reverse()  # ties between sources come out in the reverse order too
    ordered = merge(*(list(s) for s in sources), key=lambda e: e.at, reverse=newest_first)
    return [entry for _, entry in zip(range(limit), ordered, strict=False)]
