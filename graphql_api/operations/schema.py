import graphene
from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from agencies.models import Agency, User
from agencies.selectors import agency_list
from graphql_api.agencies.types import AgencyNode
from graphql_api.core.common import MarkingEnum
from graphql_api.core.connections import LimitedConnectionField
from graphql_api.core.errors import CodedGraphQLError
from graphql_api.core.ids import decode_id, get_by_global_id, get_many_by_global_id
from graphql_api.core.inputs import plain
from graphql_api.core.mutations import BaseMutation
from graphql_api.core.selection import requested, requested_under
from graphql_api.operations.types import (
    InvitationResponseEnum,
    OperationFocus,
    OperationNode,
    OperationStatus,
    ParticipationNode,
    ParticipationRole,
)
from operations import selectors, services
from operations.models import Participation
from timeline.models import TimeWindow


def plan_operation_queryset(queryset, fields: dict, info):
    """select_related / prefetch_related for what the query selected under an operation."""
    if "leadAgency" in fields:
        queryset = queryset.select_related("lead_agency")
    for people in ("coordinators", "analysts"):
        if people in fields:
            queryset = queryset.prefetch_related(
                Prefetch(people, queryset=User.objects.select_related("agency"))
            )
    if "participations" in fields:
        under = requested_under(fields["participations"], info)
        participations = Participation.objects.select_related("agency")
        if "contacts" in under:
            participations = participations.prefetch_related(
                Prefetch("contacts", queryset=User.objects.select_related("agency"))
            )
        queryset = queryset.prefetch_related(Prefetch("participations", queryset=participations))
    if "coordinatorCandidates" in fields or "analystCandidates" in fields:
        queryset = queryset.prefetch_related(selectors.staff_candidates_prefetch())
    if "timeWindows" in fields:
        queryset = queryset.prefetch_related(
            Prefetch(
                "time_windows",
                queryset=TimeWindow.objects.filter(deleted_at__isnull=True).select_related(
                    "participation__agency"
                ),
                to_attr="live_time_windows",
            )
        )
    return queryset


class OperationQueries(graphene.ObjectType):
    operations = LimitedConnectionField(
        OperationNode, description="Operations I coordinate or my agency takes part in."
    )
    operation = graphene.Field(
        OperationNode,
        id=graphene.ID(required=True),
        description="Null when it does not exist or is hidden from me.",
    )

    @staticmethod
    def resolve_operations(root, info, **kwargs):
        queryset = selectors.operation_list_for_user(info.context.user)
        return plan_operation_queryset(queryset, requested(info, "edges", "node"), info)

    @staticmethod
    def resolve_operation(root, info, id):
        try:
            pk = decode_id(id, "Operation", field="id")
        except ValidationError as exc:
            raise CodedGraphQLError("Not an Operation id.", "INVALID_ID") from exc
        queryset = plan_operation_queryset(
            selectors.operation_list_for_user(info.context.user), requested(info), info
        )
        return queryset.filter(pk=pk).first()


def _visible_operation(info, global_id, field="id"):
    return get_by_global_id(
        global_id, "Operation", selectors.operation_list_for_user(info.context.user), field=field
    )


class OperationCreateInput(graphene.InputObjectType):
    code = graphene.String(required=True, description="Unique, e.g. COLIBRI-2026.")
    name = graphene.String(required=True)
    description = graphene.String()
    focus = OperationFocus(required=True)
    planned_start = graphene.DateTime(required=True)
    planned_end = graphene.DateTime(required=True)
    time_zone = graphene.String(description="IANA time zone; default UTC.")
    default_marking = MarkingEnum()
    lead_agency_id = graphene.ID(description="Default: my agency.")


class OperationUpdateInput(graphene.InputObjectType):
    code = graphene.String(description="Only while in draft.")
    name = graphene.String()
    description = graphene.String()
    focus = OperationFocus()
    planned_start = graphene.DateTime()
    planned_end = graphene.DateTime()
    time_zone = graphene.String()
    default_marking = MarkingEnum()
    accept_late_reports = graphene.Boolean(description="Accept hits reported after their window.")
    coordinator_ids = graphene.List(
        graphene.NonNull(graphene.ID), description="Replaces the coordinators."
    )
    analyst_ids = graphene.List(
        graphene.NonNull(graphene.ID),
        description="Replaces the analysts (users of taking-part agencies who may analyse).",
    )


class CreateOperation(BaseMutation):
    operation = graphene.Field(OperationNode)

    class Arguments:
        input = OperationCreateInput(required=True)

    @classmethod
    def perform(cls, info, input):
        data = plain(input)
        lead_agency_id = data.pop("lead_agency_id", None)
        if lead_agency_id is not None:
            data["lead_agency"] = get_by_global_id(
                lead_agency_id, "Agency", agency_list(), field="lead_agency_id"
            )
        data = {k: v for k, v in data.items() if v is not None}
        return {"operation": services.operation_create(actor=info.context.user, **data)}


class UpdateOperation(BaseMutation):
    operation = graphene.Field(OperationNode)

    class Arguments:
        id = graphene.ID(required=True)
        input = OperationUpdateInput(required=True)

    @classmethod
    def perform(cls, info, id, input):
        operation = _visible_operation(info, id)
        data = plain(input)
        if "coordinator_ids" in data:
            data["coordinators"] = get_many_by_global_id(
                data.pop("coordinator_ids") or [],
                "User",
                User.objects.filter(agency__participations__operation=operation).distinct(),
                field="coordinator_ids",
            )
        if "analyst_ids" in data:
            data["analysts"] = get_many_by_global_id(
                data.pop("analyst_ids") or [],
                "User",
                User.objects.filter(agency__participations__operation=operation).distinct(),
                field="analyst_ids",
            )
        nulls = [k for k, v in data.items() if v is None]
        if nulls:
            raise ValidationError(
                {k: ValidationError("Cannot be null.", code="REQUIRED") for k in nulls}
            )
        return {
            "operation": services.operation_update(
                actor=info.context.user, operation=operation, **data
            )
        }


class TransitionOperation(BaseMutation):
    operation = graphene.Field(OperationNode)

    class Arguments:
        id = graphene.ID(required=True)
        status = OperationStatus(required=True)
        reason = graphene.String()

    @classmethod
    def perform(cls, info, id, status, reason=None):
        operation = _visible_operation(info, id)
        return {
            "operation": services.operation_transition(
                actor=info.context.user,
                operation=operation,
                to_status=getattr(status, "value", status),
                reason=reason or "",
            )
        }


class InviteAgency(BaseMutation):
    participation = graphene.Field(ParticipationNode)

    class Arguments:
        operation_id = graphene.ID(required=True)
        agency_id = graphene.ID(required=True)
        role = ParticipationRole(description="Default: participant.")
        locations = graphene.List(
            graphene.NonNull(graphene.String), description="UN/LOCODE, IATA or ICAO codes to cover."
        )

    @classmethod
    def perform(cls, info, operation_id, agency_id, role=None, locations=None):
        operation = _visible_operation(info, operation_id, field="operation_id")
        agency = get_by_global_id(agency_id, "Agency", Agency.objects.all(), field="agency_id")
        return {
            "participation": services.participation_invite(
                actor=info.context.user,
                operation=operation,
                agency=agency,
                role=getattr(role, "value", role) or Participation.Role.PARTICIPANT,
                locations=locations,
            )
        }


class RespondToInvitation(BaseMutation):
    participation = graphene.Field(ParticipationNode)

    class Arguments:
        participation_id = graphene.ID(required=True)
        response = InvitationResponseEnum(required=True)
        contact_ids = graphene.List(
            graphene.NonNull(graphene.ID), description="My agency's contact users (on accept)."
        )
        locations = graphene.List(graphene.NonNull(graphene.String))

    @classmethod
    def perform(cls, info, participation_id, response, contact_ids=None, locations=None):
        user = info.context.user
        participation = get_by_global_id(
            participation_id,
            "Participation",
            Participation.objects.filter(agency_id=user.agency_id)
            if user.agency_id
            else Participation.objects.none(),
            field="participation_id",
        )
        contacts = None
        if contact_ids is not None:
            contacts = get_many_by_global_id(
                contact_ids,
                "User",
                User.objects.filter(agency_id=user.agency_id),
                field="contact_ids",
            )
        return {
            "participation": services.participation_respond(
                actor=user,
                participation=participation,
                response=getattr(response, "value", response),
                contacts=contacts,
                locations=locations,
            )
        }


class OperationMutations(graphene.ObjectType):
    create_operation = CreateOperation.Field()
    update_operation = UpdateOperation.Field()
    transition_operation = TransitionOperation.Field()
    invite_agency = InviteAgency.Field()
    respond_to_invitation = RespondToInvitation.Field()


__all__ = ["AgencyNode", "OperationMutations", "OperationQueries"]
