import graphene

from graphql_api.core.common import MarkingEnum
from graphql_api.core.ids import decode_id, get_by_global_id
from graphql_api.core.inputs import plain
from graphql_api.core.mutations import BaseMutation
from graphql_api.hits.types import (
    ActorKind,
    ActorRole,
    CommodityEnum,
    DeconflictionMatchType,
    DetectionMethod,
    HitKind,
    HitNode,
    LocationType,
    ModeOfTransportEnum,
    UnitEnum,
    plan_hit_queryset,
)
from operations import hit_services
from operations.permissions import hits_visible_to

__all__ = ["HitMutations", "plan_hit_queryset"]  # plan_hit_queryset: for the live reads


class HitItemInput(graphene.InputObjectType):
    commodity = CommodityEnum(required=True)
    quantity = graphene.Decimal(required=True)
    unit = UnitEnum(required=True)
    hs_code = graphene.String(description="Harmonized System code; required for precursors.")
    description = graphene.String()


class ShipmentInput(graphene.InputObjectType):
    container_number = graphene.String(description="ISO 6346; the check digit is verified.")
    air_waybill = graphene.String(description="IATA air waybill; the check digit is verified.")
    postal_item = graphene.String(description="UPU S10; the check digit is verified.")
    bill_of_lading = graphene.String()
    imo_number = graphene.String(description="IMO ship number; the check digit is verified.")
    flight_number = graphene.String()
    aircraft_registration = graphene.String()
    vehicle_plate = graphene.String()
    departure_country = graphene.String(description="ISO 3166-1 alpha-2.")
    transit_countries = graphene.List(graphene.NonNull(graphene.String))
    destination_country = graphene.String()


class IdentityDocumentInput(graphene.InputObjectType):
    kind = graphene.String(description="passport, identity card, ...")
    number = graphene.String(required=True)
    country = graphene.String(description="Issuing country, ISO 3166-1 alpha-2.")


class ActorInput(graphene.InputObjectType):
    kind = ActorKind(required=True)
    role = ActorRole(required=True)
    name = graphene.String(required=True)
    aliases = graphene.List(graphene.NonNull(graphene.String))
    nationality = graphene.String()
    date_of_birth = graphene.Date()
    registration_number = graphene.String()
    documents = graphene.List(graphene.NonNull(IdentityDocumentInput))
    addresses = graphene.List(graphene.NonNull(graphene.String))
    phones = graphene.List(graphene.NonNull(graphene.String), description="Normalised to E.164.")
    emails = graphene.List(graphene.NonNull(graphene.String))


class HitInput(graphene.InputObjectType):
    kind = HitKind(description="Default: SEIZURE.")
    occurred_at = graphene.DateTime(required=True, description="With its UTC offset.")
    country = graphene.String(required=True, description="ISO 3166-1 alpha-2.")
    place = graphene.String()
    location_code = graphene.String(description="UN/LOCODE, IATA or ICAO code.")
    location_type = LocationType(required=True)
    latitude = graphene.Float()
    longitude = graphene.Float()
    mode_of_transport = ModeOfTransportEnum(required=True)
    detection_method = DetectionMethod(required=True)
    concealment = graphene.String()
    arrests = graphene.Int()
    notes = graphene.String()
    marking = MarkingEnum(description="Default: the operation's default marking.")
    items = graphene.List(graphene.NonNull(HitItemInput))
    shipment = ShipmentInput()
    actors = graphene.List(graphene.NonNull(ActorInput))


class ReportHit(BaseMutation):
    hit = graphene.Field(HitNode)
    created = graphene.Boolean(description="False when this was a retry of an earlier report.")
    deconfliction = graphene.List(
        graphene.NonNull(DeconflictionMatchType),
        description="Other hits you may see with the same container, air waybill, postal "
        "item, phone or document number.",
    )

    class Arguments:
        operation_id = graphene.ID(required=True)
        client_id = graphene.UUID(required=True, description="Made by the client, once per hit.")
        input = HitInput(required=True)

    @classmethod
    def perform(cls, info, operation_id, client_id, input):
        # The service reads the operation with its permission checks (hidden and missing
        # are both NOT_FOUND), in the one statement it needs anyway.
        report = hit_services.hit_report(
            actor=info.context.user,
            operation=decode_id(operation_id, "Operation", field="operation_id"),
            client_id=client_id,
            data=plain(input),
        )
        return {
            "hit": report.hit,
            "created": report.created,
            "deconfliction": [DeconflictionMatchType(**vars(m)) for m in report.matches],
        }


def _visible_hit(info, global_id):
    return get_by_global_id(global_id, "Hit", hits_visible_to(info.context.user), field="id")


class AmendHit(BaseMutation):
    hit = graphene.Field(HitNode)

    class Arguments:
        id = graphene.ID(required=True)
        input = HitInput(required=True, description="The whole hit as it should now read.")
        reason = graphene.String()

    @classmethod
    def perform(cls, info, id, input, reason=None):
        return {
            "hit": hit_services.hit_amend(
                actor=info.context.user,
                hit=_visible_hit(info, id),
                data=plain(input),
                reason=reason or "",
            )
        }


HitReviewDecision = graphene.Enum.from_enum(hit_services.ReviewDecision, name="HitReviewDecision")


class ReviewHit(BaseMutation):
    hit = graphene.Field(HitNode)

    class Arguments:
        id = graphene.ID(required=True)
        decision = HitReviewDecision(required=True)
        reason = graphene.String(description="Required to reject.")

    @classmethod
    def perform(cls, info, id, decision, reason=None):
        return {
            "hit": hit_services.hit_review(
                actor=info.context.user,
                hit=_visible_hit(info, id),
                decision=getattr(decision, "value", decision),
                reason=reason or "",
            )
        }


class HitMutations(graphene.ObjectType):
    report_hit = ReportHit.Field()
    amend_hit = AmendHit.Field()
    review_hit = ReviewHit.Field()
