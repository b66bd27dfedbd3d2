"""Who may do what with an operation: every rule in one place.

Grants are django-guardian object permissions stored in the operation's direct
foreign-key tables and derived, never edited by hand:

- each coordinator (a user) holds ``COORDINATOR_PERMISSIONS``;
- each analyst (a user the coordinators name) holds ``ANALYST_PERMISSIONS``;
- each agency whose participation is *accepted* holds, through its group, the
  permissions of its role in ``ROLE_PERMISSIONS``;
- nobody else holds anything, platform superusers included: an agency that does
  not take part in an operation cannot learn that it exists.

Services call :func:`operation_grants_sync` after every change of participations or
coordinators, and :func:`require` before acting. Selectors read through
:func:`operations_with_permission`.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from operations.error_codes import OperationErrorCode
from operations.models import (
    Hit,
    Marking,
    Operation,
    OperationGroupObjectPermission,
    OperationUserObjectPermission,
    Participation,
)

VIEW = "view_operation"
CHANGE = "change_operation"
COORDINATE = "coordinate_operation"
REPORT_HIT = "report_hit"
ANALYSE = "analyse_operation"

COORDINATOR_PERMISSIONS = frozenset({VIEW, CHANGE, COORDINATE, REPORT_HIT, ANALYSE})
ANALYST_PERMISSIONS = frozenset({VIEW, ANALYSE})
ROLE_PERMISSIONS = {
    Participation.Role.LEAD: frozenset({VIEW, REPORT_HIT}),
    Participation.Role.PARTICIPANT: frozenset({VIEW, REPORT_HIT}),
    Participation.Role.OBSERVER: frozenset({VIEW}),
}
MANAGED_PERMISSIONS = COORDINATOR_PERMISSIONS | frozenset().union(*ROLE_PERMISSIONS.values())

# Global (model-level) permission that lets a user create operations.
CREATE_OPERATION = "operations.add_operation"


def _permission_ids() -> dict[str, int]:
    return dict(
        Permission.objects.filter(
            content_type__app_label="operations",
            content_type__model="operation",
            codename__in=MANAGED_PERMISSIONS,
        ).values_list("codename", "id")
    )


def operation_grants_sync(operation: Operation) -> None:
    """Make the stored grants of `operation` exactly those its state calls for."""
    ids = _permission_ids()
    wanted_users = {
        (user_id, ids[codename])
        for user_id in operation.coordinators.values_list("id", flat=True)
        for codename in COORDINATOR_PERMISSIONS
    } | {
        (user_id, ids[codename])
        for user_id in operation.analysts.values_list("id", flat=True)
        for codename in ANALYST_PERMISSIONS
    }
    wanted_groups = {
        (group_id, ids[codename])
        for role, group_id in operation.participations.filter(
            state=Participation.State.ACCEPTED
        ).values_list("role", "agency__group_id")
        for codename in ROLE_PERMISSIONS[role]
    }
    _sync_table(OperationUserObjectPermission, "user_id", operation, wanted_users)
    _sync_table(OperationGroupObjectPermission, "group_id", operation, wanted_groups)


def _sync_table(model, holder: str, operation: Operation, wanted: set[tuple[int, int]]) -> None:
    rows = model.objects.filter(content_object=operation)
    existing = {
        (holder_id, perm_id): pk
        for pk, holder_id, perm_id in rows.values_list("pk", holder, "permission_id")
    }
    stale = [pk for key, pk in existing.items() if key not in wanted]
    if stale:
        model.objects.filter(pk__in=stale).delete()
    model.objects.bulk_create(
        model(content_object=operation, permission_id=perm_id, **{holder: holder_id})
        for holder_id, perm_id in wanted - existing.keys()
    )


def operations_with_permission(user, codename: str = VIEW) -> QuerySet[Operation]:
    """Operations on which `user` holds `codename`, directly or through their agency."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Operation.objects.none()
    direct = OperationUserObjectPermission.objects.filter(
        user=user, permission__codename=codename
    ).values("content_object_id")
    via_agency = OperationGroupObjectPermission.objects.filter(
        group__user=user, permission__codename=codename
    ).values("content_object_id")
    return Operation.objects.filter(Q(pk__in=direct) | Q(pk__in=via_agency))


def operation_permissions(user, operation_ids: Iterable[int] | None = None) -> dict[int, set[str]]:
    """Codenames `user` holds per operation id, in two queries (all operations when ids is None)."""
    result: dict[int, set[str]] = defaultdict(set)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return result
    tables = [
        OperationUserObjectPermission.objects.filter(user=user),
        OperationGroupObjectPermission.objects.filter(group__user=user),
    ]
    for rows in tables:
        if operation_ids is not None:
            rows = rows.filter(content_object_id__in=list(operation_ids))
        for operation_id, codename in rows.values_list("content_object_id", "permission__codename"):
            result[operation_id].add(codename)
    return result


def has_permission(user, operation: Operation, codename: str) -> bool:
    return codename in operation_permissions(user, [operation.pk]).get(operation.pk, set())


def require(user, operation: Operation, codename: str, *, field: str = "id") -> None:
    """Raise unless `user` holds `codename` on `operation`.

    Someone who cannot even see the operation is told it was not found, exactly as for
    an operation that does not exist, so the answer reveals nothing.
    """
    held = operation_permissions(user, [operation.pk]).get(operation.pk, set())
    if VIEW not in held:
        raise ValidationError(
            {field: ValidationError("Operation not found.", code=OperationErrorCode.NOT_FOUND)}
        )
    if codename not in held:
        raise ValidationError(
            {
                field: ValidationError(
                    "You are not allowed to do this in this operation.",
                    code=OperationErrorCode.PERMISSION_DENIED,
                )
            }
        )


# Hits: markings that narrow a hit to the reporting agency and the coordinators. The
# nominal data (actors, phones, documents) of every hit is narrowed to the reporting
# agency, the coordinators, and the operation's analysts for the hits they may see.
RESTRICTED_MARKINGS = frozenset({Marking.RED, Marking.AMBER_STRICT})


def hits_visible_to(user) -> QuerySet[Hit]:
    """Hits `user` may see: all hits of operations they coordinate; elsewhere (with
    view_operation) the unrestricted ones and those their own agency reported."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Hit.objects.none()
    coordinated = operations_with_permission(user, COORDINATE).values("pk")
    viewed = operations_with_permission(user, VIEW).values("pk")
    return Hit.objects.filter(
        Q(operation__in=coordinated) | (Q(operation__in=viewed) & _own_or_open(user.agency_id))
    )


def _own_or_open(agency_id: int | None) -> Q:
    """Where a viewer who does not coordinate sees a hit: unrestricted, or their agency's."""
    rule = ~Q(marking__in=RESTRICTED_MARKINGS)
    if agency_id:
        rule |= Q(reporting_agency_id=agency_id)
    return rule


def hits_visible_rule(user, grants: dict[int, set[str]]) -> Q:
    """:func:`hits_visible_to` as a filter on hits, from the user's grants by operation
    id (:func:`operation_permissions` of all their operations) for a caller that has read
    them anyway: the operations as literals instead of permission subqueries."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    coordinated = sorted(pk for pk, held in grants.items() if COORDINATE in held)
    viewed = sorted(pk for pk, held in grants.items() if VIEW in held)
    return Q(operation_id__in=coordinated) | (
        Q(operation_id__in=viewed) & _own_or_open(user.agency_id)
    )


def can_see_nominal_data(user, hit: Hit, held: set[str]) -> bool:
    """`held`: the user's permissions on the hit's operation (see operation_permissions).

    Call only for a hit the user may see (see :func:`hits_visible_to`)."""
    return (
        COORDINATE in held
        or ANALYSE in held
        or (user.agency_id is not None and hit.reporting_agency_id == user.agency_id)
    )


def hits_with_nominal_data_visible_to(user) -> QuerySet[Hit]:
    """The hits whose actors and nominal identifiers `user` may see: the queryset form
    of :func:`can_see_nominal_data`, for analysis."""
    visible = hits_visible_to(user)
    analysed = operations_with_permission(user, ANALYSE).values("pk")
    mine = Q(reporting_agency_id=user.agency_id) if user.agency_id else Q(pk__in=[])
    return visible.filter(Q(operation__in=analysed) | mine)


# -- What one viewer is shown of a hit, for the live fan-out --------------------------
#
# The live fan-out (graphql_api/fanout.py) reads each new hit once per server process and
# runs each subscription document once for everybody who is shown the same. What a viewer
# is shown of a hit is decided by the two rules above, hits_visible_to and
# can_see_nominal_data; VisibilityProfile is those rules for one viewer of one operation,
# as a value: equal profiles are shown exactly the same of every hit, and
# VisibilityProfile.hit_view narrows it to one hit. A test checks both against the
# querysets above for every persona and marking.


class HitView(StrEnum):
    """What one viewer is shown of one hit they may see."""

    WITH_NOMINAL_DATA = "with_nominal_data"
    WITHOUT_NOMINAL_DATA = "without_nominal_data"


@dataclass(frozen=True, slots=True)
class VisibilityProfile:
    """Everything that decides what one viewer is shown of the hits of one operation,
    and nothing else (hashable: the fan-out groups viewers by it).

    - ``sees_operation``: view_operation; without it nothing at all.
    - ``sees_every_hit``: coordinate_operation; every hit, whatever its marking.
    - ``nominal_data_of_every_hit``: coordinate_operation or analyse_operation; actors,
      reporter and history of every hit they see.
    - ``own_agency_id``: hits this agency reported are seen whatever their marking, with
      their nominal data; None for coordinators (they see everything anyway) and for
      users without an agency.
    """

    operation_id: int
    sees_operation: bool = False
    sees_every_hit: bool = False
    nominal_data_of_every_hit: bool = False
    own_agency_id: int | None = None

    def hit_view(self, hit: Hit) -> HitView | None:
        """What this viewer is shown of `hit`: None when they may not see it."""
        if not self.sees_operation or hit.operation_id != self.operation_id:
            return None
        own = self.own_agency_id is not None and hit.reporting_agency_id == self.own_agency_id
        if not (self.sees_every_hit or own or hit.marking not in RESTRICTED_MARKINGS):
            return None
        if self.nominal_data_of_every_hit or own:
            return HitView.WITH_NOMINAL_DATA
        return HitView.WITHOUT_NOMINAL_DATA

    def hits(self) -> QuerySet[Hit]:
        """The operation's hits this viewer may see: :meth:`hit_view` as a queryset, for
        a caller that has read the viewer's grants anyway (no permission subqueries)."""
        if not self.sees_operation:
            return Hit.objects.none()
        hits = Hit.objects.filter(operation_id=self.operation_id)
        if self.sees_every_hit:
            return hits
        return hits.filter(_own_or_open(self.own_agency_id))


def visibility_profile(user, operation_id: int, held: set[str]) -> VisibilityProfile:
    """The profile of `user` in operation `operation_id`, given the codenames they hold
    on it (:func:`operation_permissions`, or :func:`operation_permissions_of_users`)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or VIEW not in held:
        return VisibilityProfile(operation_id)
    coordinator = COORDINATE in held
    return VisibilityProfile(
        operation_id,
        sees_operation=True,
        sees_every_hit=coordinator,
        nominal_data_of_every_hit=coordinator or ANALYSE in held,
        own_agency_id=None if coordinator else user.agency_id,
    )


def operation_permissions_of_users(users: Iterable, operation_id: int) -> dict[int, set[str]]:
    """Codenames each of `users` holds on one operation, by user id, in two queries
    whatever their number: :func:`operation_permissions` for every subscriber of a live
    operation at once. Inactive and anonymous users hold nothing."""
    ids = {
        user.pk
        for user in users
        if getattr(user, "is_authenticated", False) and user.is_active and user.pk is not None
    }
    result: dict[int, set[str]] = {pk: set() for pk in ids}
    if not ids:
        return result
    direct = OperationUserObjectPermission.objects.filter(
        content_object_id=operation_id, user_id__in=ids
    ).values_list("user_id", "permission__codename")
    via_agency = OperationGroupObjectPermission.objects.filter(
        content_object_id=operation_id, group__user__in=ids
    ).values_list("group__user", "permission__codename")
    for rows in (direct, via_agency):
        for user_id, codename in rows:
            if user_id in result:
                result[user_id].add(codename)
    return result


def can_create_operation(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.agency_id
        and user.has_perm(CREATE_OPERATION)
    )


def can_coordinate_agency(user, operation: Operation) -> bool:
    """Coordinators come from an agency that takes part as lead or participant."""
    return operation.participations.filter(
        agency_id=user.agency_id,
        state=Participation.State.ACCEPTED,
        role__in=[Participation.Role.LEAD, Participation.Role.PARTICIPANT],
    ).exists()


# The role a user plays in an operation, as the web application shows it: the most
# specific first. Derived from the grants above, so it needs no query of its own.
class ViewerRole(StrEnum):
    COORDINATOR = "coordinator"
    ANALYST = "analyst"
    LEAD = "lead"
    PARTICIPANT = "participant"
    OBSERVER = "observer"


def viewer_role(user, operation: Operation, held: set[str]) -> ViewerRole | None:
    """The role `user` plays in `operation`, given the codenames they hold on it (see
    :func:`operation_permissions`); None when they may not see it.

    A coordinator is a coordinator whatever their agency; a named analyst is an analyst
    (even if their agency also takes part); otherwise the role of their agency's accepted
    participation: the lead agency, a participant (who reports hits) or an observer.
    """
    if VIEW not in held:
        return None
    if COORDINATE in held:
        return ViewerRole.COORDINATOR
    if ANALYSE in held:
        return ViewerRole.ANALYST
    if user.agency_id is not None and user.agency_id == operation.lead_agency_id:
        return ViewerRole.LEAD
    if REPORT_HIT in held:
        return ViewerRole.PARTICIPANT
    return ViewerRole.OBSERVER


# Roles whose agencies' users may be named coordinators (see can_coordinate_agency).
COORDINATING_ROLES = frozenset({Participation.Role.LEAD, Participation.Role.PARTICIPANT})


def may_name_staff(held: set[str]) -> bool:
    """Who may learn which users could be named coordinators or analysts: those who may
    change the operation (they name them)."""
    return CHANGE in held


# How an agency may answer for its participation, by the participation's state (the
# rule of services.participation_respond).
RESPONSES_BY_STATE = {
    Participation.State.INVITED: ("accept", "decline", "withdraw"),
    Participation.State.ACCEPTED: ("withdraw",),
}


def invitation_responses(user, participation: Participation, operation: Operation) -> list[str]:
    """The answers `user` may give for `participation` now (InvitationResponse values):
    only users of its agency, never for the lead agency, and only while the operation's
    plan may change."""
    from operations.services import EDITABLE_STATUSES

    if (
        not getattr(user, "is_authenticated", False)
        or user.agency_id is None
        or user.agency_id != participation.agency_id
        or participation.role == Participation.Role.LEAD
        or operation.status not in EDITABLE_STATUSES
    ):
        return []
    return list(RESPONSES_BY_STATE.get(participation.state, ()))
