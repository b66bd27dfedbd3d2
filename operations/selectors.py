"""Permission-aware reads. Every read path (GraphQL, feeds, exports) starts here."""

from django.db.models import QuerySet

from operations import permissions
from operations.models import Operation, Participation


def operation_list_for_user(user) -> QuerySet[Operation]:
    """Operations `user` may see: those they coordinate or their agency takes part in."""
    return permissions.operations_with_permission(user, permissions.VIEW)


def operation_get_for_user(user, pk) -> Operation | None:
    return operation_list_for_user(user).filter(pk=pk).first()


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
