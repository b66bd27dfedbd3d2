import graphene
from django.db.models import Prefetch
from graphene_django import DjangoObjectType
from graphql_relay import to_global_id

from graphql_api.agencies.types import AgencyNode, UserNode
from graphql_api.core.common import MarkingEnum, local_time
from graphql_api.core.connections import CountableConnection
from graphql_api.core.context import viewer_grants, viewer_permissions
from graphql_api.core.selection import requested, requested_under
from operations import permissions
from operations.commodities import Commodity, CommodityGroup, Unit
from operations.models import Actor, Hit, HitIdentifier, HitRevision
from operations.models.hit import ModeOfTransport

HitKind = graphene.Enum.from_enum(Hit.Kind, name="HitKind")
HitStatus = graphene.Enum.from_enum(Hit.Status, name="HitStatus")
LocationType = graphene.Enum.from_enum(Hit.LocationType, name="LocationType")
DetectionMethod = graphene.Enum.from_enum(Hit.DetectionMethod, name="DetectionMethod")
ModeOfTransportEnum = graphene.Enum.from_enum(
    ModeOfTransport,
    name="ModeOfTransport",
    description="UN/ECE Recommendation 19, with express courier and general aviation apart.",
)
CommodityEnum = graphene.Enum.from_enum(Commodity, name="Commodity")
CommodityGroupEnum = graphene.Enum.from_enum(
    CommodityGroup, name="CommodityGroup", description="Groups as UNODC reports them."
)
UnitEnum = graphene.Enum.from_enum(Unit, name="Unit")
ActorKind = graphene.Enum.from_enum(Actor.Kind, name="ActorKind")
ActorRole = graphene.Enum.from_enum(Actor.Role, name="ActorRole")
IdentifierKind = graphene.Enum.from_enum(HitIdentifier.Kind, name="IdentifierKind")


class HitItemType(graphene.ObjectType):
    class Meta:
        name = "HitItem"

    commodity = graphene.Field(CommodityEnum, required=True)
    commodity_group = graphene.Field(CommodityGroupEnum, required=True)
    quantity = graphene.Decimal(required=True)
    unit = graphene.Field(UnitEnum, required=True)
    kilograms = graphene.Decimal(description="Kilogram equivalent; null for counted units.")
    hs_code = graphene.String()
    description = graphene.String()


class ShipmentType(graphene.ObjectType):
    class Meta:
        name = "Shipment"

    container_number = graphene.String(description="ISO 6346")
    air_waybill = graphene.String()
    postal_item = graphene.String(description="UPU S10")
    bill_of_lading = graphene.String()
    imo_number = graphene.String()
    flight_number = graphene.String()
    aircraft_registration = graphene.String()
    vehicle_plate = graphene.String()
    departure_country = graphene.String()
    transit_countries = graphene.List(graphene.NonNull(graphene.String), required=True)
    destination_country = graphene.String()


class IdentityDocument(graphene.ObjectType):
    kind = graphene.String(required=True)
    number = graphene.String(required=True)
    country = graphene.String()


class ActorType(graphene.ObjectType):
    class Meta:
        name = "Actor"

    id = graphene.ID(required=True, description="For entity decisions (decideEntities).")
    kind = graphene.Field(ActorKind, required=True)
    role = graphene.Field(ActorRole, required=True)
    name = graphene.String(required=True)
    aliases = graphene.List(graphene.NonNull(graphene.String), required=True)
    nationality = graphene.String()
    date_of_birth = graphene.Date()
    registration_number = graphene.String()
    documents = graphene.List(graphene.NonNull(IdentityDocument), required=True)
    addresses = graphene.List(graphene.NonNull(graphene.String), required=True)
    phones = graphene.List(graphene.NonNull(graphene.String), required=True, description="E.164")
    emails = graphene.List(graphene.NonNull(graphene.String), required=True)

    @staticmethod
    def resolve_id(root, info):
        return to_global_id("Actor", root.pk)

    @staticmethod
    def resolve_documents(root, info):
        return [IdentityDocument(**document) for document in root.documents]


class HitRevisionType(graphene.ObjectType):
    class Meta:
        name = "HitRevision"

    version = graphene.Int(required=True)
    reason = graphene.String(required=True)
    author = graphene.Field(UserNode)
    created_at = graphene.DateTime(required=True)
    content = graphene.JSONString(required=True, description="The whole hit at this version.")


def hit_selection(fields: dict, info) -> frozenset[str]:
    """What plan_hit_queryset needs to know of a selection under a Hit (`fields`, from
    graphql_api.core.selection.requested, with its `info`): the names of the selected
    fields, and ``reportedBy.agency`` when that is selected too."""
    selected = set(fields)
    if "reportedBy" in fields and "agency" in requested_under(fields["reportedBy"], info):
        selected.add("reportedBy.agency")
    return frozenset(selected)


def plan_hit_queryset(queryset, selected: frozenset[str] | None = None):
    """select_related / prefetch_related for what was selected under a Hit (`selected`:
    :func:`hit_selection`, or the union of several), in a fixed number of queries
    whatever the page size, and nothing for what nobody selected; everything a Hit can
    show when `selected` is None. Only the cost depends on it: a field read without its
    plan is read lazily."""

    def wanted(name: str) -> bool:
        return selected is None or name in selected

    related = []
    if wanted("operation") or wanted("occurredAtLocal"):
        related.append("operation")
    if wanted("reportingAgency"):
        related.append("reporting_agency")
    if wanted("reportedBy"):
        related.append("reported_by")
        if wanted("reportedBy.agency"):
            related.append("reported_by__agency")
    if wanted("shipment"):
        related.append("shipment")
    prefetched = []
    if wanted("items"):
        prefetched.append("items")
    if wanted("actors"):
        prefetched.append(Prefetch("actors", queryset=Actor.objects.order_by("id")))
    if wanted("revisions"):
        # Each revision's author with their agency: joins, no statement of their own.
        revisions = HitRevision.objects.select_related("author__agency")
        prefetched.append(Prefetch("revisions", queryset=revisions))
    if related:  # (select_related() without names would follow every foreign key)
        queryset = queryset.select_related(*related)
    return queryset.prefetch_related(*prefetched)


def _nominal_visible(hit: Hit, info) -> bool:
    user = info.context.user
    return permissions.can_see_nominal_data(
        user, hit, viewer_permissions(info.context, hit.operation_id)
    )


class HitNode(DjangoObjectType):
    kind = graphene.Field(HitKind, required=True)
    status = graphene.Field(HitStatus, required=True)
    marking = graphene.Field(MarkingEnum, required=True)
    location_type = graphene.Field(LocationType, required=True)
    mode_of_transport = graphene.Field(ModeOfTransportEnum, required=True)
    mode_of_transport_rec19 = graphene.Int(required=True, description="UN/ECE Rec. 19 code.")
    detection_method = graphene.Field(DetectionMethod, required=True)
    occurred_at_local = graphene.String(required=True, description="In the operation's time zone.")
    reporting_agency = graphene.Field(AgencyNode, required=True)
    latitude = graphene.Float()
    longitude = graphene.Float()
    items = graphene.List(graphene.NonNull(HitItemType), required=True)
    shipment = graphene.Field(ShipmentType)
    nominal_data_visible = graphene.Boolean(
        required=True, description="False: actors, reporter and history are withheld from you."
    )
    actors = graphene.List(graphene.NonNull(ActorType), required=True)
    reported_by = graphene.Field(UserNode)
    revisions = graphene.List(graphene.NonNull(HitRevisionType), required=True)

    class Meta:
        model = Hit
        name = "Hit"
        interfaces = (graphene.relay.Node,)
        connection_class = CountableConnection
        fields = [
            "id",
            "operation",
            "sequence",
            "client_id",
            "kind",
            "status",
            "occurred_at",
            "country",
            "place",
            "location_code",
            "location_type",
            "mode_of_transport",
            "detection_method",
            "concealment",
            "arrests",
            "notes",
            "marking",
            "version",
            "review_reason",
            "reviewed_at",
            "reported_at",
            "updated_at",
        ]
        filter_fields: list[str] = []

    @classmethod
    def get_queryset(cls, queryset, info):
        """Hits the viewer may see, as a connection (`hits`) or one node (`node`), with
        the related rows the query selected and no others: whatever the caller planned
        is replaced by the plan of the selection."""
        fields = requested(info)
        if "edges" in fields:  # a connection: what is selected under edges.node
            fields = requested(info, "edges", "node")
        context = info.context
        visible = queryset.filter(
            permissions.hits_visible_rule(context.user, viewer_grants(context))
        )
        return plan_hit_queryset(
            visible.select_related(None).prefetch_related(None), hit_selection(fields, info)
        )

    @staticmethod
    def resolve_mode_of_transport_rec19(root, info):
        return ModeOfTransport(root.mode_of_transport).rec19_code

    @staticmethod
    def resolve_occurred_at_local(root, info):
        return local_time(root.occurred_at, root.operation.time_zone)

    @staticmethod
    def resolve_items(root, info):
        return root.items.all()

    @staticmethod
    def resolve_shipment(root, info):
        return getattr(root, "shipment", None)

    @staticmethod
    def resolve_nominal_data_visible(root, info):
        return _nominal_visible(root, info)

    @staticmethod
    def resolve_actors(root, info):
        return root.actors.all() if _nominal_visible(root, info) else []

    @staticmethod
    def resolve_reported_by(root, info):
        return root.reported_by if _nominal_visible(root, info) else None

    @staticmethod
    def resolve_revisions(root, info):
        return root.revisions.all() if _nominal_visible(root, info) else []


class DeconflictionMatchType(graphene.ObjectType):
    """Another hit you may see shares an identifier with the one you reported."""

    class Meta:
        name = "DeconflictionMatch"

    kind = graphene.Field(IdentifierKind, required=True)
    value = graphene.String(required=True)
    operation_code = graphene.String(required=True)
    sequence = graphene.Int(required=True)
    same_operation = graphene.Boolean(required=True)
