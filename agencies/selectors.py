from django.db.models import Q, QuerySet

from agencies.models import Agency, User


def agency_list() -> QuerySet[Agency]:
    """The directory of agencies: every user may see it, to know whom to invite."""
    return Agency.objects.all()


def user_list_for_user(viewer) -> QuerySet[User]:
    """People `viewer` may see: themself, colleagues of their agency, and the coordinators
    and contacts of operations they can see."""
    from operations.models import Participation
    from operations.selectors import operation_list_for_user

    if not getattr(viewer, "is_authenticated", False):
        return User.objects.none()
    visible_operations = operation_list_for_user(viewer)
    contacts = Participation.contacts.through.objects.filter(
        participation__operation__in=visible_operations
    ).values("user_id")
    coordinators = User.coordinated_operations.through.objects.filter(
        operation__in=visible_operations
    ).values("user_id")
    rule = Q(pk=viewer.pk) | Q(pk__in=contacts) | Q(pk__in=coordinators)
    if viewer.agency_id:
        rule |= Q(agency_id=viewer.agency_id)
    return User.objects.filter(rule, is_active=True)
