"""The root schema, composed from the per-domain query, mutation and subscription classes."""

import graphene
from django.core.exceptions import ValidationError
from graphql import GraphQLObjectType
from graphql_relay import from_global_id

from graphql_api.agencies.schema import AgencyMutations, AgencyQueries
from graphql_api.analysis.schema import AnalysisMutations, AnalysisQueries
from graphql_api.analysis.subscriptions import AnalysisSubscriptions
from graphql_api.core.errors import CodedGraphQLError
from graphql_api.core.ids import decode_id
from graphql_api.core.scalars import harden
from graphql_api.hits.schema import HitMutations
from graphql_api.hits.subscriptions import HitSubscriptions
from graphql_api.operations.schema import OperationMutations, OperationQueries
from graphql_api.timeline.feeds import CalendarMutations
from graphql_api.timeline.schema import TimeWindowMutations
from graphql_api.timeline.types import TimeWindowNode


class Query(AgencyQueries, OperationQueries, AnalysisQueries, graphene.ObjectType):
    node = graphene.Field(
        graphene.relay.Node,
        id=graphene.ID(required=True, description="The ID of the object"),
        description="Any object by its global id; null when it does not exist or is hidden from me.",
    )

    @staticmethod
    def resolve_node(root, info, id):
        try:
            type_name, _ = from_global_id(id)
        except (TypeError, ValueError, UnicodeDecodeError):
            type_name = ""
        graphql_type = info.schema.get_type(type_name) if type_name else None
        node_type = getattr(graphql_type, "graphene_type", None)
        if not isinstance(graphql_type, GraphQLObjectType) or graphene.relay.Node not in getattr(
            node_type._meta, "interfaces", ()
        ):
            raise CodedGraphQLError("Not a global id of this API.", "INVALID_ID")
        try:
            pk = decode_id(
                id, type_name, field="id", parse=node_type._meta.model._meta.pk.to_python
            )
        except ValidationError as exc:
            raise CodedGraphQLError(f"Not a {type_name} id.", "INVALID_ID") from exc
        return node_type.get_node(info, pk)


class Mutation(
    AgencyMutations,
    OperationMutations,
    TimeWindowMutations,
    HitMutations,
    CalendarMutations,
    AnalysisMutations,
    graphene.ObjectType,
):
    pass


class Subscription(HitSubscriptions, AnalysisSubscriptions, graphene.ObjectType):
    pass


schema = graphene.Schema(
    query=Query, mutation=Mutation, subscription=Subscription, types=[TimeWindowNode]
)
harden(schema.graphql_schema)
