"""Planning of phases and control windows. Coordinators (``change_operation``) plan."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import User
from audit.services import audit_record, changes, snapshot
from operations import events, permissions
from operations.models import Operation, Participation
from operations.services import EDITABLE_STATUSES, require_aware
from timeline.error_codes import TimeWindowErrorCode as Code
from timeline.models import TimeWindow

WINDOW_FIELDS = [
    "kind",
    "participation",
    "starts_at",
    "ends_at",
    "location_code",
    "location_name",
    "latitude",
    "longitude",
    "notes",
    "revision",
    "deleted_at",
]
EDITABLE_FIELDS = frozenset(WINDOW_FIELDS) - {"revision", "deleted_at"}


def _error(field: str, message: str, code: Code) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _lock_for_planning(actor: User, operation: Operation) -> Operation:
    operation = Operation.objects.select_for_update().get(pk=operation.pk)
    permissions.require(actor, operation, permissions.CHANGE, field="operation_id")
    if operation.status not in EDITABLE_STATUSES:
        raise _error(
            "operation_id",
            "The operation's plan can no longer change.",
            Code.OPERATION_NOT_EDITABLE,
        )
    return operation


def _validate(window: TimeWindow, operation: Operation) -> None:
    """The planning rules; then the model's own field checks."""
    require_aware(starts_at=window.starts_at, ends_at=window.ends_at)
    for field in ("kind", "starts_at", "ends_at"):
        if not getattr(window, field):
            raise _error(field, "This field is required.", Code.REQUIRED)
    if window.is_phase and window.participation_id:
        raise _error(
            "participation_id",
            "A phase belongs to the whole operation.",
            Code.PARTICIPATION_NOT_ALLOWED,
        )
    if not window.is_phase:
        participation = window.participation
        if participation is None:
            raise _error(
                "participation_id",
                "A control window belongs to a participant.",
                Code.PARTICIPATION_REQUIRED,
            )
        if participation.operation_id != operation.pk or participation.state not in (
            Participation.State.INVITED,
            Participation.State.ACCEPTED,
        ):
            raise _error(
                "participation_id",
                "Not a participant of this operation.",
                Code.INVALID_PARTICIPATION,
            )
        if not window.location_code and window.latitude is None:
            raise _error(
                "location_code", "Give a location code or coordinates.", Code.LOCATION_REQUIRED
            )
    window.full_clean(exclude=["operation", "participation"])
    if window.starts_at < operation.planned_start or window.ends_at > operation.planned_end:
        zone = operation.zone
        raise _error(
            "starts_at" if window.starts_at < operation.planned_start else "ends_at",
            "The window must lie inside the operation, "
            f"{operation.planned_start.astimezone(zone):%Y-%m-%d %H:%M} to "
            f"{operation.planned_end.astimezone(zone):%Y-%m-%d %H:%M} ({operation.time_zone}).",
            Code.OUTSIDE_OPERATION_SPAN,
        )


@transaction.atomic
def time_window_create(*, actor: User, operation: Operation, **fields) -> TimeWindow:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"time_window_create does not take {sorted(unknown)}")
    operation = _lock_for_planning(actor, operation)
    window = TimeWindow(operation=operation, **fields)
    _validate(window, operation)
    window.save()
    audit_record(
        actor=actor,
        action="time_window.create",
        instance=window,
        operation=operation,
        after=snapshot(window, WINDOW_FIELDS),
    )
    events.broadcast_on_commit(operation.pk, events.OPERATION_CHANGED, what="time_window")
    return window


@transaction.atomic
def time_window_update(*, actor: User, window: TimeWindow, **fields) -> TimeWindow:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"time_window_update does not take {sorted(unknown)}")
    operation = _lock_for_planning(actor, window.operation)
    window = TimeWindow.objects.select_for_update().get(pk=window.pk, deleted_at__isnull=True)
    before = snapshot(window, WINDOW_FIELDS)
    for name, value in fields.items():
        setattr(window, name, value)
    _validate(window, operation)
    old, new = changes(before, snapshot(window, WINDOW_FIELDS))
    if new:
        window.revision += 1
        window.save()
        audit_record(
            actor=actor,
            action="time_window.update",
            instance=window,
            operation=operation,
            before=old,
            after={**new, "revision": window.revision},
        )
        events.broadcast_on_commit(operation.pk, events.OPERATION_CHANGED, what="time_window")
    return window


@transaction.atomic
def time_window_delete(*, actor: User, window: TimeWindow) -> TimeWindow:
    """Mark the window deleted; it stays so calendars can announce the cancellation."""
    operation = _lock_for_planning(actor, window.operation)
    window = TimeWindow.objects.select_for_update().get(pk=window.pk, deleted_at__isnull=True)
    window.deleted_at = timezone.now()
    window.revision += 1
    window.save(update_fields=["deleted_at", "revision", "updated_at"])
    audit_record(
        actor=actor,
        action="time_window.delete",
        instance=window,
        operation=operation,
        after={"deleted_at": window.deleted_at.isoformat(), "revision": window.revision},
    )
    events.broadcast_on_commit(operation.pk, events.OPERATION_CHANGED, what="time_window")
    return window
