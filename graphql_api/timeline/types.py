import graphene
from django.urls import reverse
from graphene_django import DjangoObjectType

from graphql_api.core.common import local_time
from graphql_api.operations.types import OperationNode, ParticipationNode
from operations.locations import location_code_kind
from timeline import selectors
from timeline.models import TimeWindow

TimeWindowKind = graphene.Enum.from_enum(TimeWindow.Kind, name="TimeWindowKind")


class TimeWindowNode(DjangoObjectType):
    kind = graphene.Field(TimeWindowKind, required=True)
    operation = graphene.Field(OperationNode, required=True)
    participation = graphene.Field(ParticipationNode, description="Null for a phase.")
    location_code = graphene.String()
    location_code_kind = graphene.String(description="unlocode, iata or icao.")
    location_name = graphene.String()
    latitude = graphene.Float()
    longitude = graphene.Float()
    is_phase = graphene.Boolean(required=True)
    time_zone = graphene.String(required=True, description="The operation's time zone.")
    starts_at_local = graphene.String(required=True, description="In the operation's time zone.")
    ends_at_local = graphene.String(required=True, description="In the operation's time zone.")
    ics_url = graphene.String(
        required=True, description="This window as an .ics file (for e-mail)."
    )

    class Meta:
        model = TimeWindow
        name = "TimeWindow"
        interfaces = (graphene.relay.Node,)
        fields = [
            "id",
            "kind",
            "operation",
            "participation",
            "starts_at",
            "ends_at",
            "location_code",
            "location_name",
            "latitude",
            "longitude",
            "notes",
            "revision",
            "updated_at",
        ]

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.filter(pk__in=selectors.time_window_list_for_user(info.context.user))

    @staticmethod
    def resolve_location_code(root, info):
        return root.location_code or None

    @staticmethod
    def resolve_location_code_kind(root, info):
        return location_code_kind(root.location_code) if root.location_code else None

    @staticmethod
    def resolve_location_name(root, info):
        return root.location_name or None

    @staticmethod
    def resolve_is_phase(root, info):
        return root.is_phase

    @staticmethod
    def resolve_time_zone(root, info):
        return root.operation.time_zone

    @staticmethod
    def resolve_starts_at_local(root, info):
        return local_time(root.starts_at, root.operation.time_zone)

    @staticmethod
    def resolve_ends_at_local(root, info):
        return local_time(root.ends_at, root.operation.time_zone)

    @staticmethod
    def resolve_ics_url(root, info):
        return info.context.build_absolute_uri(reverse("calendar-window", kwargs={"pk": root.pk}))
