"""Permission-aware reads. Every read path (GraphQL, feeds, exports) starts here."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet

from agencies.models import Agency, User
from operations import permissions
from operations.models import Operation, Participation


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
