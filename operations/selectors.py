"""Permission-aware reads. Every read path (GraphQL, feeds, exports) starts here."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from agencies.models import Agency, User
from operations import permissions
from operations.models import Hit, Operation, Participation
from timeline.models import TimeWindow


def operation_list_for_user(user) -> QuerySet[Operation]:
    """Operations `user` may see: those they coordinate or their agency takes part in."""
    return permissions.operations_with_permission(user, permissions.VIEW)


def operation_get_for_user(user, pk) -> Operation | None:
    return operation_list_for_user(user).filter(pk=pk).first()


def operation_search(queryset: QuerySet[Operation], text: str) -> QuerySet[Operation]:
    """Operations whose code or name contains `text`, in any case."""
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(Q(code__icontains=text) | Q(name__icontains=text))


def participation_list_for_user(user) -> QuerySet[Participation]:
    """Participations of visible operations, and the user's own agency's invitations."""
    visible = Participation.objects.filter(operation__in=operation_list_for_user(user))
    if not getattr(user, "is_authenticated", False) or not user.agency_id:
        return visible
    return visible | Participation.objects.filter(agency_id=user.agency_id)


def invitation_list_for_user(user) -> QuerySet[Participation]:
    """Open invitations addressed to the user's agency."""
    if not getattr(user, "is_authenticated", False) or not user.agency_id:
        return Participation.objects.none()
    return Participation.objects.filter(
        agency_id=user.agency_id,
        state=Participation.State.INVITED,
        operation__status__in=[
            Operation.Status.DRAFT,
            Operation.Status.PLANNED,
            Operation.Status.ACTIVE,
        ],
    ).select_related("operation", "operation__lead_agency")


@dataclass(frozen=True)
class OperationSummary:
    """What an agency that is invited, or has left, may read of an operation."""

    code: str
    name: str
    focus: str
    status: str
    lead_agency: Agency
    planned_start: datetime
    planned_end: datetime
    time_zone: str

    @classmethod
    def of(cls, operation: Operation) -> "OperationSummary":
        return cls(
            code=operation.code,
            name=operation.name,
            focus=operation.focus,
            status=operation.status,
            lead_agency=operation.lead_agency,
            planned_start=operation.planned_start,
            planned_end=operation.planned_end,
            time_zone=operation.time_zone,
        )

    def frozen(self) -> dict:
        """The JSON form kept on a participation when its agency leaves."""
        return {
            "code": self.code,
            "name": self.name,
            "focus": self.focus,
            "status": self.status,
            "lead_agency_id": self.lead_agency.pk,
            "planned_start": self.planned_start.isoformat(),
            "planned_end": self.planned_end.isoformat(),
            "time_zone": self.time_zone,
        }

    @classmethod
    def thawed(cls, frozen: dict) -> "OperationSummary":
        values = dict(frozen)
        lead_agency = Agency.objects.get(pk=values.pop("lead_agency_id"))
        for moment in ("planned_start", "planned_end"):
            values[moment] = datetime.fromisoformat(values[moment])
        return cls(lead_agency=lead_agency, **values)


def operation_summary(participation: Participation, held: set[str]) -> OperationSummary:
    """What a viewer holding `held` on the operation reads of it through `participation`.

    Those who may see the operation, and an agency invited or taking part, read it as it
    is now; an agency that declined or withdrew reads what it knew when it left, no more.
    """
    if permissions.VIEW in held or participation.summary_when_left is None:
        return OperationSummary.of(participation.operation)
    return OperationSummary.thawed(participation.summary_when_left)


# Who may be named coordinators and analysts of an operation (the rules that
# services.operation_update applies): active users of the agencies taking part (accepted);
# coordinators only from the lead agency or a participant, not from an observer.
STAFF_ATTR = "staff_participations"


def _staff_participations() -> QuerySet[Participation]:
    return (
        Participation.objects.filter(state=Participation.State.ACCEPTED)
        .select_related("agency")
        .prefetch_related(
            Prefetch(
                "agency__users",
                queryset=User.objects.filter(is_active=True).order_by("username"),
                to_attr="active_users",
            )
        )
        .order_by("agency__acronym")
    )


def staff_candidates_prefetch() -> Prefetch:
    """Add to an operation queryset so that :func:`staff_candidates` answers for a whole
    page of operations in two queries."""
    return Prefetch("participations", queryset=_staff_participations(), to_attr=STAFF_ATTR)


@dataclass(frozen=True)
class StaffCandidates:
    coordinators: list[User]
    analysts: list[User]


def staff_candidates(operation: Operation, held: set[str]) -> StaffCandidates:
    """Users who may be named coordinators and analysts of `operation`, for a viewer
    holding `held` on it: nobody unless they may change it (permissions.may_name_staff)."""
    if not permissions.may_name_staff(held):
        return StaffCandidates(coordinators=[], analysts=[])
    participations = getattr(operation, STAFF_ATTR, None)
    if participations is None:
        participations = list(_staff_participations().filter(operation=operation))
    coordinators, analysts = [], []
    for participation in participations:
        users = participation.agency.active_users
        analysts.extend(users)
        if participation.role in permissions.COORDINATING_ROLES:
            coordinators.extend(users)
    return StaffCandidates(coordinators=coordinators, analysts=analysts)


# --- reporting a hit ---------------------------------------------------------------------


@dataclass(frozen=True)
class HitReportContext:
    """What `hit_services.hit_report` must know before it takes the operation's lock
    (see :func:`hit_report_context`)."""

    operation: Operation
    # The codenames the user holds on the operation (permissions.operation_permissions).
    held: frozenset[str]
    # The reporter's agency's accepted participation as lead or participant, if any.
    participation_id: int | None
    # The hit this user already reported under this client id, if any.
    existing_hit_id: int | None
    existing_fingerprint: str | None
    # The window that admits `occurred_at` under the rule of hit_services._check_reporting:
    # whether the participation has control windows of its own, and the latest end of
    # those (else of the operational phases) that cover the time; None: none covers it.
    has_control_windows: bool
    covering_window_end: datetime | None


def hit_report_context(
    user: User, operation_id: int, client_id, occurred_at: datetime | None
) -> HitReportContext | None:
    """The operation (None when it does not exist) with the facts a report is checked
    against: the user's permissions on it (:func:`permissions.operation_permissions`),
    their reporting participation, an earlier report under `client_id`, and the windows
    around `occurred_at` (not looked at when None).

    Three statements: the grants' two, which are simple and which deconfliction reuses,
    and one for the rest, where every fact is a subquery on an index.
    """
    # The reporting participation: one per operation and agency (one_participation_per_agency).
    reporting = {
        "agency_id": getattr(user, "agency_id", None),
        "state": Participation.State.ACCEPTED,
        "role__in": [Participation.Role.LEAD, Participation.Role.PARTICIPANT],
    }
    earlier = Hit.objects.filter(
        operation=OuterRef("pk"), reported_by_id=user.pk, client_id=client_id
    ).order_by()  # one row at most (hit_client_id_once_per_user)
    facts = {
        "participation_id": Subquery(
            Participation.objects.filter(operation=OuterRef("pk"), **reporting)
            .order_by()  # one row at most: no joins for the default ordering
            .values("pk")[:1]
        ),
        "existing_hit_id": Subquery(earlier.values("pk")[:1]),
        "existing_fingerprint": Subquery(earlier.values("fingerprint")[:1]),
    }
    if occurred_at is not None:
        windows = TimeWindow.objects.filter(operation=OuterRef("pk"), deleted_at__isnull=True)
        controls = windows.filter(
            kind=TimeWindow.Kind.CONTROL,
            **{f"participation__{name}": value for name, value in reporting.items()},
        )
        phases = windows.filter(kind=TimeWindow.Kind.OPERATIONAL)

        def latest_end_covering(candidates) -> Subquery:
            covering = candidates.filter(starts_at__lte=occurred_at, ends_at__gte=occurred_at)
            return Subquery(covering.order_by("-ends_at").values("ends_at")[:1])

        facts |= {
            "has_control_windows": Exists(controls),
            "control_window_end": latest_end_covering(controls),
            "phase_end": latest_end_covering(phases),
        }
    operation = next(
        iter(Operation.objects.filter(pk=operation_id).annotate(**facts).order_by()[:1]), None
    )
    if operation is None:
        return None
    has_controls = bool(getattr(operation, "has_control_windows", False))
    held = permissions.operation_permissions(user, [operation_id]).get(operation_id, set())
    return HitReportContext(
        operation=operation,
        held=frozenset(held),
        participation_id=operation.participation_id,
        existing_hit_id=operation.existing_hit_id,
        existing_fingerprint=operation.existing_fingerprint,
        has_control_windows=has_controls,
        covering_window_end=getattr(
            operation, "control_window_end" if has_controls else "phase_end", None
        ),
    )
