"""Planning of phases and control windows. Coordinators (``change_operation``) plan."""

import base64
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import User
from audit.services import audit_record, changes, snapshot
from operations import events, permissions
from operations.models import Operation, Participation
from operations.services import EDITABLE_STATUSES, require_aware
from timeline.error_codes import TimeWindowErrorCode as Code
from timeline.models import CalendarFeedToken, TimeWindow

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


def _lock_for_planning(actor: User, operation: Operation, field: str) -> Operation:
    """`field`: the input naming what is planned (operationId, or the window's id)."""
    operation = Operation.objects.select_for_update().get(pk=operation.pk)
    permissions.require(actor, operation, permissions.CHANGE, field=field)
    if operation.status not in EDITABLE_STATUSES:
        raise _error(
            field,
            "The operation's plan can no longer change.",
            Code.OPERATION_NOT_EDITABLE,
        )
    return operation


def _validate(
    window: TimeWindow, operation: Operation, *, allow_overlap: bool
) -> list[ValidationError]:
    """The planning rules, then the model's own field checks. Returns warnings, coded as
    refusals are (a field, a code, a message): the overlaps `allow_overlap` let through."""
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
    if window.is_phase:
        return []
    live = operation.time_windows.filter(deleted_at__isnull=True).exclude(pk=window.pk)
    if not live.filter(
        kind=TimeWindow.Kind.OPERATIONAL,
        starts_at__lte=window.starts_at,
        ends_at__gte=window.ends_at,
    ).exists():
        raise _error(
            "starts_at", "A control window lies inside an operational phase.", Code.OUTSIDE_PHASE
        )
    overlapping = [
        f"Overlaps the control window {other.starts_at:%Y-%m-%d %H:%M}Z-{other.ends_at:%H:%M}Z "
        f"at the same place."
        for other in live.filter(
            kind=TimeWindow.Kind.CONTROL,
            participation=window.participation,
            location_code=window.location_code,
            latitude=window.latitude,
            longitude=window.longitude,
            starts_at__lt=window.ends_at,
            ends_at__gt=window.starts_at,
        )
    ]
    if overlapping and not allow_overlap:
        raise _error(
            "starts_at", f"{overlapping[0]} Set allowOverlap to keep both.", Code.OVERLAPPING_WINDOW
        )
    return [_error("starts_at", message, Code.OVERLAPPING_WINDOW) for message in overlapping]


def _check_control_windows_inside_phases(operation: Operation) -> None:
    """After a phase moved or went: every control window must still lie in one."""
    live = operation.time_windows.filter(deleted_at__isnull=True)
    phases = list(live.filter(kind=TimeWindow.Kind.OPERATIONAL).values_list("starts_at", "ends_at"))
    orphans = [
        w
        for w in live.filter(kind=TimeWindow.Kind.CONTROL)
        if not any(s <= w.starts_at and w.ends_at <= e for s, e in phases)
    ]
    if orphans:
        listed = ", ".join(f"{w.starts_at:%Y-%m-%d %H:%M}Z" for w in orphans[:5])
        raise _error(
            "id",
            f"{len(orphans)} control window(s) would lie outside every "
            f"operational phase: {listed}.",
            Code.WINDOWS_OUTSIDE_PHASE,
        )


@transaction.atomic
def time_window_create(
    *, actor: User, operation: Operation, allow_overlap: bool = False, **fields
) -> TimeWindow:
    """Plan a phase or control window; `window.planning_warnings` lists allowed overlaps
    (ValidationErrors with a field and a code, that did not stop the change)."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"time_window_create does not take {sorted(unknown)}")
    operation = _lock_for_planning(actor, operation, "operation_id")
    window = TimeWindow(operation=operation, **fields)
    warnings = _validate(window, operation, allow_overlap=allow_overlap)
    window.save()
    window.planning_warnings = warnings
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
def time_window_update(
    *, actor: User, window: TimeWindow, allow_overlap: bool = False, **fields
) -> TimeWindow:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"time_window_update does not take {sorted(unknown)}")
    operation = _lock_for_planning(actor, window.operation, "id")
    window = TimeWindow.objects.select_for_update().get(pk=window.pk, deleted_at__isnull=True)
    before = snapshot(window, WINDOW_FIELDS)
    for name, value in fields.items():
        setattr(window, name, value)
    warnings = _validate(window, operation, allow_overlap=allow_overlap)
    old, new = changes(before, snapshot(window, WINDOW_FIELDS))
    if new:
        window.revision += 1
        window.save()
        if (
            window.kind == TimeWindow.Kind.OPERATIONAL
            or before["kind"] == TimeWindow.Kind.OPERATIONAL
        ):
            _check_control_windows_inside_phases(operation)
        audit_record(
            actor=actor,
            action="time_window.update",
            instance=window,
            operation=operation,
            before=old,
            after={**new, "revision": window.revision},
        )
        events.broadcast_on_commit(operation.pk, events.OPERATION_CHANGED, what="time_window")
    window.planning_warnings = warnings
    return window


@transaction.atomic
def time_window_delete(*, actor: User, window: TimeWindow) -> TimeWindow:
    """Mark the window deleted; it stays so calendars can announce the cancellation."""
    operation = _lock_for_planning(actor, window.operation, "id")
    window = TimeWindow.objects.select_for_update().get(pk=window.pk, deleted_at__isnull=True)
    window.deleted_at = timezone.now()
    window.revision += 1
    window.save(update_fields=["deleted_at", "revision", "updated_at"])
    if window.kind == TimeWindow.Kind.OPERATIONAL:
        _check_control_windows_inside_phases(operation)
    audit_record(
        actor=actor,
        action="time_window.delete",
        instance=window,
        operation=operation,
        after={"deleted_at": window.deleted_at.isoformat(), "revision": window.revision},
    )
    events.broadcast_on_commit(operation.pk, events.OPERATION_CHANGED, what="time_window")
    return window


# --- calendar feed tokens ------------------------------------------------------------


def _derive_feed_token(nonce: str) -> str:
    mac = hmac.new(settings.SECRET_KEY.encode(), f"calendar-feed:{nonce}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


@transaction.atomic
def calendar_token_rotate(*, user: User) -> str:
    """A new feed token for `user` (the old URL stops working); returns the token."""
    nonce = secrets.token_hex(16)
    token = _derive_feed_token(nonce)
    CalendarFeedToken.objects.update_or_create(
        user=user,
        defaults={
            "nonce": nonce,
            "digest": hashlib.sha256(token.encode()).hexdigest(),
            "revoked_at": None,
        },
    )
    feed = CalendarFeedToken.objects.get(user=user)
    audit_record(actor=user, action="calendar_token.rotate", instance=feed)
    return token


@transaction.atomic
def calendar_token_revoke(*, user: User) -> None:
    feed = (
        CalendarFeedToken.objects.select_for_update()
        .filter(user=user, revoked_at__isnull=True)
        .first()
    )
    if feed is not None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        audit_record(actor=user, action="calendar_token.revoke", instance=feed)


def calendar_token_of(user: User) -> str | None:
    """The user's active feed token, derived again from its nonce; None when there is none."""
    feed = CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).first()
    return _derive_feed_token(feed.nonce) if feed else None


def calendar_token_owner(token: str) -> User | None:
    """The active user whose active token this is."""
    feed = (
        CalendarFeedToken.objects.select_related("user", "user__agency")
        .filter(
            digest=hashlib.sha256(token.encode()).hexdigest(),
            revoked_at__isnull=True,
            user__is_active=True,
        )
        .first()
    )
    return feed.user if feed else None
