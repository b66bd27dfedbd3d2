import graphene
from graphene_django import DjangoObjectType

from graphql_api.agencies.types import AgencyNode, UserNode
from graphql_api.core.common import MarkingEnum, local_time
from graphql_api.core.connections import CountableConnection, LimitedConnectionField
from graphql_api.core.context import viewer_permissions
from graphql_api.hits.filters import HitFilter
from graphql_api.hits.types import HitNode
from graphql_api.operations.filters import OperationFilter
from graphql_api.timeline.feeds import feed_url
from graphql_api.timeline.timeline import resolve_timeline, timeline_field
from operations import permissions, selectors
from operations.models import Operation, Participation
from operations.services import InvitationResponse, allowed_transitions

OperationStatus = graphene.Enum.from_enum(Operation.Status, name="OperationStatus")
OperationFocus = graphene.Enum.from_enum(Operation.Focus, name="OperationFocus")
ParticipationRole = graphene.Enum.from_enum(Participation.Role, name="ParticipationRole")
ParticipationState = graphene.Enum.from_enum(Participation.State, name="ParticipationState")
InvitationResponseEnum = graphene.Enum.from_enum(
    InvitationResponse, name="InvitationResponse", description="An agency's answer."
)
OperationRole = graphene.Enum.from_enum(
    permissions.ViewerRole,
    name="OperationRole",
    description="The role someone plays in an operation.",
)


class OperationNode(DjangoObjectType):
    status = graphene.Field(OperationStatus, required=True)
    focus = graphene.Field(OperationFocus, required=True)
    default_marking = graphene.Field(MarkingEnum, required=True)
    lead_agency = graphene.Field(AgencyNode, required=True)
    coordinators = graphene.List(graphene.NonNull(UserNode), required=True)
    analysts = graphene.List(
        graphene.NonNull(UserNode),
        required=True,
        description="Users who may analyse this operation (named by the coordinators).",
    )
    participations = graphene.List(graphene.NonNull(lambda: ParticipationNode), required=True)
    time_windows = graphene.List(
        graphene.NonNull("graphql_api.timeline.types.TimeWindowNode"),
        required=True,
        description="Phases and control windows, in time order (deleted ones left out).",
    )
    planned_start_local = graphene.String(
        required=True, description="In the operation's time zone."
    )
    planned_end_local = graphene.String(required=True, description="In the operation's time zone.")
    viewer_permissions = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="What the viewer may do here: view_operation, change_operation, "
        "coordinate_operation, report_hit, analyse_operation.",
    )
    allowed_transitions = graphene.List(graphene.NonNull(OperationStatus), required=True)
    my_role = graphene.Field(
        OperationRole,
        description="The role I play here: COORDINATOR, ANALYST (named by the coordinators), "
        "else my agency's: LEAD, PARTICIPANT or OBSERVER; null once I no longer see it.",
    )
    coordinator_candidates = graphene.List(
        graphene.NonNull(UserNode),
        required=True,
        description="Users who may be named coordinators (active users of the lead and "
        "participating agencies); empty unless I may change the operation.",
    )
    analyst_candidates = graphene.List(
        graphene.NonNull(UserNode),
        required=True,
        description="Users who may be named analysts (active users of the agencies taking "
        "part); empty unless I may change the operation.",
    )
    timeline = timeline_field()
    calendar_url = graphene.String(
        description="iCalendar feed of this operation for calendar applications (with my "
        "feed token; null until I have one: rotateCalendarToken)."
    )
    hits = LimitedConnectionField(
        HitNode,
        filterset_class=HitFilter,
        description="Hits I may see, in sequence order; afterSequence resumes a feed.",
    )

    class Meta:
        model = Operation
        name = "Operation"
        interfaces = (graphene.relay.Node,)
        connection_class = CountableConnection
        filterset_class = OperationFilter
        fields = [
            "id",
            "code",
            "name",
            "description",
            "focus",
            "status",
            "lead_agency",
            "coordinators",
            "analysts",
            "planned_start",
            "planned_end",
            "time_zone",
            "default_marking",
            "accept_late_reports",
            "created_at",
            "updated_at",
        ]

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.filter(pk__in=selectors.operation_list_for_user(info.context.user))

    @staticmethod
    def resolve_timeline(root, info, **kwargs):
        return resolve_timeline(root, info, **kwargs)

    @staticmethod
    def resolve_calendar_url(root, info):
        return feed_url(info.context, "calendar-operation", pk=root.pk)

    @staticmethod
    def resolve_hits(root, info, **kwargs):
        from graphql_api.hits.schema import plan_hit_queryset

        user = info.context.user
        held = viewer_permissions(info.context, root.pk)
        return plan_hit_queryset(permissions.visibility_profile(user, root.pk, held).hits())

    @staticmethod
    def resolve_coordinators(root, info):
        return root.coordinators.all()

    @staticmethod
    def resolve_analysts(root, info):
        return root.analysts.all()

    @staticmethod
    def resolve_participations(root, info):
        return root.participations.all()

    @staticmethod
    def resolve_time_windows(root, info):
        prefetched = getattr(root, "live_time_windows", None)
        if prefetched is not None:
            return prefetched
        return root.time_windows.filter(deleted_at__isnull=True).select_related("participation")

    @staticmethod
    def resolve_planned_start_local(root, info):
        return local_time(root.planned_start, root.time_zone)

    @staticmethod
    def resolve_planned_end_local(root, info):
        return local_time(root.planned_end, root.time_zone)

    @staticmethod
    def resolve_viewer_permissions(root, info):
        return sorted(viewer_permissions(info.context, root.pk))

    @staticmethod
    def resolve_my_role(root, info):
        held = viewer_permissions(info.context, root.pk)
        return permissions.viewer_role(info.context.user, root, held)

    @staticmethod
    def resolve_coordinator_candidates(root, info):
        held = viewer_permissions(info.context, root.pk)
        return selectors.staff_candidates(root, held).coordinators

    @staticmethod
    def resolve_analyst_candidates(root, info):
        held = viewer_permissions(info.context, root.pk)
        return selectors.staff_candidates(root, held).analysts

    @staticmethod
    def resolve_allowed_transitions(root, info):
        if permissions.COORDINATE not in viewer_permissions(info.context, root.pk):
            return []
        return allowed_transitions(root)


class OperationSummary(graphene.ObjectType):
    """What an invited agency learns of an operation before it accepts; once it declined
    or withdrew, the operation as it stood then."""

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    focus = graphene.Field(OperationFocus, required=True)
    status = graphene.Field(OperationStatus, required=True)
    lead_agency = graphene.Field(AgencyNode, required=True)
    planned_start = graphene.DateTime(required=True)
    planned_end = graphene.DateTime(required=True)
    time_zone = graphene.String(required=True)


class ParticipationNode(DjangoObjectType):
    role = graphene.Field(ParticipationRole, required=True)
    state = graphene.Field(ParticipationState, required=True)
    agency = graphene.Field(AgencyNode, required=True)
    operation = graphene.Field(OperationNode, description="Null until the viewer may see it.")
    operation_summary = graphene.Field(OperationSummary, required=True)
    contacts = graphene.List(graphene.NonNull(UserNode), required=True)
    locations = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="UN/LOCODE, IATA or ICAO codes covered.",
    )
    viewer_responses = graphene.List(
        graphene.NonNull(InvitationResponseEnum),
        required=True,
        description="How I may answer for this participation now (users of its agency, "
        "never for the lead agency, while the operation may change).",
    )

    class Meta:
        model = Participation
        name = "Participation"
        interfaces = (graphene.relay.Node,)
        fields = [
            "id",
            "role",
            "state",
            "agency",
            "operation",
            "contacts",
            "locations",
            "invited_at",
            "responded_at",
        ]

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.filter(pk__in=selectors.participation_list_for_user(info.context.user))

    @staticmethod
    def resolve_operation(root, info):
        if permissions.VIEW in viewer_permissions(info.context, root.operation_id):
            return root.operation
        return None

    @staticmethod
    def resolve_operation_summary(root, info):
        return selectors.operation_summary(
            root, viewer_permissions(info.context, root.operation_id)
        )

    @staticmethod
    def resolve_contacts(root, info):
        return root.contacts.all()

    @staticmethod
    def resolve_viewer_responses(root, info):
        return permissions.invitation_responses(info.context.user, root, root.operation)
