"""Every change to an operation or its participations goes through here.

Each service checks permission (see `operations.permissions`), validates, writes in
one transaction together with its audit event, and re-derives the object permissions
when who takes part has changed.
"""

from datetime import datetime
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import Agency, User
from audit.services import audit_record, changes, snapshot
from operations import events, permissions
from operations.error_codes import OperationErrorCode as Code
from operations.models import Marking, Operation, Participation
from operations.selectors import OperationSummary

Status = Operation.Status
State = Participation.State

# The lifecycle: from each status, the statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.PLANNED, Status.CANCELLED}),
    Status.PLANNED: frozenset({Status.ACTIVE, Status.CANCELLED}),
    Status.ACTIVE: frozenset({Status.CLOSED, Status.CANCELLED}),
    Status.CLOSED: frozenset({Status.ARCHIVED}),
    Status.ARCHIVED: frozenset(),
    Status.CANCELLED: frozenset(),
}
# Statuses in which the plan (fields, participations, time windows) may change.
EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.PLANNED, Status.ACTIVE})

OPERATION_FIELDS = [
    "code",
    "name",
    "description",
    "focus",
    "status",
    "lead_agency",
    "planned_start",
    "planned_end",
    "time_zone",
    "default_marking",
    "accept_late_reports",
    "coordinators",
    "analysts",
]
PARTICIPATION_FIELDS = ["operation", "agency", "role", "state", "contacts", "locations"]


class InvitationResponse(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    WITHDRAW = "withdraw"


def _error(field: str, message: str, code: Code) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _require_code_free(actor: User, operation: Operation) -> None:
    """A code is unique among the operations the actor can see, not platform-wide:
    refusing a code held by an operation they cannot see would tell them it exists.

    In a transaction, checked under a lock on the rows of the actor's agency and of the
    lead agency, held to the commit: two people who see each other's operations giving
    one code at the same time (a submit clicked twice) are checked one after the other.
    """
    agencies = {actor.agency_id, operation.lead_agency_id} - {None}
    list(Agency.objects.select_for_update().filter(pk__in=agencies).order_by("pk").values("pk"))
    taken = permissions.operations_with_permission(actor, permissions.VIEW).filter(
        code=operation.code
    )
    if taken.exclude(pk=operation.pk).exists():
        raise _error("code", "One of your operations already has this code.", Code.UNIQUE)


def require_aware(**values: datetime | None) -> None:
    for field, value in values.items():
        if value is not None and timezone.is_naive(value):
            raise _error(field, "Give the time with its UTC offset.", Code.INVALID)


def _ensure_editable(operation: Operation, field: str = "id") -> None:
    if operation.status not in EDITABLE_STATUSES:
        raise _error(
            field,
            f"A {operation.get_status_display().lower()} operation can no longer be changed.",
            Code.OPERATION_NOT_EDITABLE,
        )


def _save(instance, **kwargs) -> None:
    """full_clean then save; a race on a unique value surfaces as a UNIQUE error."""
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save(**kwargs)
    except IntegrityError as exc:
        raise ValidationError("This conflicts with an existing record.", code=Code.UNIQUE) from exc


@transaction.atomic
def operation_create(
    *,
    actor: User,
    code: str,
    name: str,
    focus: str,
    planned_start: datetime,
    planned_end: datetime,
    time_zone: str = "UTC",
    description: str = "",
    default_marking: str = Marking.AMBER,
    lead_agency: Agency | None = None,
) -> Operation:
    """Create a draft operation led by `lead_agency` (default: the actor's agency).

    The actor becomes its first coordinator; the lead agency (and the actor's agency, if
    different) take part from the start.
    """
    if not permissions.can_create_operation(actor):
        raise ValidationError(
            "You are not allowed to create operations.", code=Code.PERMISSION_DENIED
        )
    require_aware(planned_start=planned_start, planned_end=planned_end)
    lead_agency = lead_agency or actor.agency
    operation = Operation(
        code=code,
        name=name,
        description=description,
        focus=focus,
        planned_start=planned_start,
        planned_end=planned_end,
        time_zone=time_zone,
        default_marking=default_marking,
        lead_agency=lead_agency,
        created_by=actor,
    )
    _require_code_free(actor, operation)
    _save(operation)
    Participation.objects.create(
        operation=operation,
        agency=lead_agency,
        role=Participation.Role.LEAD,
        state=State.ACCEPTED,
        responded_at=timezone.now(),
    )
    if actor.agency_id != lead_agency.pk:
        Participation.objects.create(
            operation=operation,
            agency=actor.agency,
            role=Participation.Role.PARTICIPANT,
            state=State.ACCEPTED,
            responded_at=timezone.now(),
        )
    operation.coordinators.add(actor)
    permissions.operation_grants_sync(operation)
    audit_record(
        actor=actor,
        action="operation.create",
        instance=operation,
        operation=operation,
        after=snapshot(operation, OPERATION_FIELDS),
    )
    return operation


@transaction.atomic
def operation_update(*, actor: User, operation: Operation, **fields) -> Operation:
    """Change the plan. `fields` are model fields, plus `coordinators` and `analysts`
    (lists of users).

    Moving the dates is refused when a time window would fall outside the new span.
    """
    operation = Operation.objects.select_for_update().get(pk=operation.pk)
    permissions.require(actor, operation, permissions.CHANGE)
    _ensure_editable(operation)
    require_aware(planned_start=fields.get("planned_start"), planned_end=fields.get("planned_end"))
    before = snapshot(operation, OPERATION_FIELDS)
    coordinators = fields.pop("coordinators", None)
    analysts = fields.pop("analysts", None)
    unknown = set(fields) - {
        "code",
        "name",
        "description",
        "focus",
        "planned_start",
        "planned_end",
        "time_zone",
        "default_marking",
        "accept_late_reports",
    }
    if unknown:
        raise ValueError(f"operation_update cannot change {sorted(unknown)}")
    if "code" in fields and fields["code"] != operation.code and operation.status != Status.DRAFT:
        raise _error(
            "code",
            "The code is fixed once the operation leaves draft.",
            Code.OPERATION_NOT_EDITABLE,
        )
    code_changed = "code" in fields and fields["code"] != operation.code
    for name, value in fields.items():
        setattr(operation, name, value)
    if code_changed:
        _require_code_free(actor, operation)
    _save(operation)
    _ensure_windows_inside_span(operation)
    if coordinators is not None:
        _set_coordinators(operation, coordinators)
    if analysts is not None:
        _set_analysts(operation, analysts)
    after = snapshot(operation, OPERATION_FIELDS)
    old, new = changes(before, after)
    if new:
        audit_record(
            actor=actor,
            action="operation.update",
            instance=operation,
            operation=operation,
            before=old,
            after=new,
        )
        events.broadcast_on_commit(operation.pk, events.OPERATION_CHANGED, what="plan")
    return operation


def _ensure_windows_inside_span(operation: Operation) -> None:
    from timeline.selectors import time_windows_outside_span

    outside = list(time_windows_outside_span(operation))
    if outside:
        listed = ", ".join(f"{w.get_kind_display()} {w.starts_at:%Y-%m-%d %H:%M}Z" for w in outside)
        late = any(w.ends_at > operation.planned_end for w in outside)
        raise _error(
            "planned_end" if late else "planned_start",
            f"{len(outside)} time window(s) would fall outside the new dates: {listed}.",
            Code.WINDOWS_OUTSIDE_SPAN,
        )


def _set_coordinators(operation: Operation, users: list[User]) -> None:
    if not users:
        raise _error(
            "coordinator_ids", "An operation needs at least one coordinator.", Code.NO_COORDINATOR
        )
    for user in users:
        if not user.is_active or not permissions.can_coordinate_agency(user, operation):
            raise _error(
                "coordinator_ids",
                f"{user.username} does not belong to a lead or participating agency.",
                Code.COORDINATOR_NOT_ELIGIBLE,
            )
    operation.coordinators.set(users)
    permissions.operation_grants_sync(operation)


def _set_analysts(operation: Operation, users: list[User]) -> None:
    taking_part = set(
        operation.participations.filter(state=State.ACCEPTED).values_list("agency_id", flat=True)
    )
    for user in users:
        if not user.is_active or user.agency_id not in taking_part:
            raise _error(
                "analyst_ids",
                f"{user.username} does not belong to an agency taking part.",
                Code.ANALYST_NOT_ELIGIBLE,
            )
    operation.analysts.set(users)
    permissions.operation_grants_sync(operation)


def allowed_transitions(operation: Operation) -> list[str]:
    return sorted(TRANSITIONS[operation.status])


def _transition_preconditions(operation: Operation, to_status: str) -> None:
    if to_status == Status.ACTIVE:
        if not operation.participations.filter(
            state=State.ACCEPTED, role=Participation.Role.PARTICIPANT
        ).exists():
            raise _error(
                "status", "No participating agency has accepted yet.", Code.NO_ACCEPTED_PARTICIPANT
            )
        from timeline.models import TimeWindow

        if not operation.time_windows.filter(
            kind=TimeWindow.Kind.OPERATIONAL, deleted_at__isnull=True
        ).exists():
            raise _error(
                "status", "The operation has no operational phase.", Code.NO_OPERATIONAL_PHASE
            )


@transaction.atomic
def operation_transition(
    *, actor: User, operation: Operation, to_status: str, reason: str = ""
) -> Operation:
    operation = Operation.objects.select_for_update().get(pk=operation.pk)
    permissions.require(actor, operation, permissions.COORDINATE)
    if to_status not in TRANSITIONS[operation.status]:
        raise _error(
            "status",
            f"A {operation.status} operation cannot become {to_status}; "
            f"allowed: {', '.join(allowed_transitions(operation)) or 'none'}.",
            Code.INVALID_TRANSITION,
        )
    _transition_preconditions(operation, to_status)
    before = operation.status
    operation.status = to_status
    operation.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="operation.transition",
        instance=operation,
        operation=operation,
        before={"status": before},
        after={"status": to_status, "reason": reason},
    )
    events.broadcast_on_commit(operation.pk, events.OPERATION_CHANGED, what="status")
    return operation


@transaction.atomic
def participation_invite(
    *,
    actor: User,
    operation: Operation,
    agency: Agency,
    role: str = Participation.Role.PARTICIPANT,
    locations: list[str] | None = None,
) -> Participation:
    """Invite `agency`; an agency that declined or withdrew may be invited again."""
    operation = Operation.objects.select_for_update().get(pk=operation.pk)
    permissions.require(actor, operation, permissions.COORDINATE, field="operation_id")
    _ensure_editable(operation, field="operation_id")
    if role == Participation.Role.LEAD:
        raise _error(
            "role",
            "The lead agency takes part from the creation of the operation.",
            Code.LEAD_AGENCY_PARTICIPATION,
        )
    participation = Participation.objects.filter(operation=operation, agency=agency).first()
    before = snapshot(participation, PARTICIPATION_FIELDS) if participation else None
    if participation is None:
        participation = Participation(operation=operation, agency=agency)
    elif participation.state in (State.INVITED, State.ACCEPTED):
        raise _error(
            "agency_id",
            f"{agency.acronym} already takes part or is invited.",
            Code.ALREADY_PARTICIPATING,
        )
    participation.role = role
    participation.state = State.INVITED
    participation.locations = list(locations or [])
    participation.responded_at = None
    participation.summary_when_left = None
    _save(participation)
    participation.contacts.clear()
    permissions.operation_grants_sync(operation)
    audit_record(
        actor=actor,
        action="participation.invite",
        instance=participation,
        operation=operation,
        before=before,
        after=snapshot(participation, PARTICIPATION_FIELDS),
    )
    events.broadcast_on_commit(operation.pk, events.OPERATION_CHANGED, what="participation")
    return participation


@transaction.atomic
def participation_respond(
    *,
    actor: User,
    participation: Participation,
    response: str,
    contacts: list[User] | None = None,
    locations: list[str] | None = None,
) -> Participation:
    """The invited agency accepts or declines; a taking-part agency withdraws.

    Only users of the participation's agency may answer for it. On acceptance they may
    name their contact users and the locations they cover.
    """
    participation = (
        Participation.objects.select_for_update()
        .select_related("operation")
        .get(pk=participation.pk)
    )
    if actor.agency_id != participation.agency_id:
        raise _error("participation_id", "Invitation not found.", Code.NOT_FOUND)
    operation = participation.operation
    allowed_from = {
        InvitationResponse.ACCEPT: {State.INVITED},
        InvitationResponse.DECLINE: {State.INVITED},
        InvitationResponse.WITHDRAW: {State.INVITED, State.ACCEPTED},
    }[response]
    # The state first: an agency that declined or withdrew may not learn what became of
    # the operation since (whether it can still be changed).
    if participation.state not in allowed_from:
        raise _error(
            "response",
            f"A {participation.state} participation cannot {response}.",
            Code.INVALID_PARTICIPATION_STATE,
        )
    _ensure_editable(operation, field="participation_id")
    if participation.role == Participation.Role.LEAD:
        raise _error(
            "response",
            "The lead agency cannot leave its own operation.",
            Code.LEAD_AGENCY_PARTICIPATION,
        )
    before = snapshot(participation, PARTICIPATION_FIELDS)
    participation.state = {
        InvitationResponse.ACCEPT: State.ACCEPTED,
        InvitationResponse.DECLINE: State.DECLINED,
        InvitationResponse.WITHDRAW: State.WITHDRAWN,
    }[response]
    participation.responded_at = timezone.now()
    if participation.state != State.ACCEPTED:  # what it knew when it left, no more
        participation.summary_when_left = OperationSummary.of(operation).frozen()
    if locations is not None:
        participation.locations = list(locations)
    _save(participation)
    if contacts is not None:
        strangers = [u.username for u in contacts if u.agency_id != participation.agency_id]
        if strangers:
            raise _error(
                "contact_ids",
                f"Not users of {participation.agency}: {', '.join(strangers)}.",
                Code.CONTACT_NOT_IN_AGENCY,
            )
        participation.contacts.set(contacts)
    if participation.state != State.ACCEPTED:
        # Leaving the operation also ends any coordinator role held through this agency.
        leaving = operation.coordinators.filter(agency=participation.agency)
        if (
            leaving.exists()
            and not operation.coordinators.exclude(agency=participation.agency).exists()
        ):
            raise _error(
                "response",
                "Name another coordinator before this agency leaves.",
                Code.NO_COORDINATOR,
            )
        operation.coordinators.remove(*leaving)
        operation.analysts.remove(*operation.analysts.filter(agency=participation.agency))
    permissions.operation_grants_sync(operation)
    audit_record(
        actor=actor,
        action=f"participation.{response}",
        instance=participation,
        operation=operation,
        before=before,
        after=snapshot(participation, PARTICIPATION_FIELDS),
    )
    events.broadcast_on_commit(operation.pk, events.OPERATION_CHANGED, what="participation")
    return participation
