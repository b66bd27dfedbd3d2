"""The root schema, composed from the per-domain query, mutation and subscription classes."""

import graphene
from graphql import GraphQLObjectType
from graphql_relay import from_global_id

from graphql_api.agencies.schema import AgencyMutations, AgencyQueries
from graphql_api.analysis.schema import AnalysisMutations, AnalysisQueries
from graphql_api.analysis.subscriptions import AnalysisSubscriptions
from graphql_api.core.errors import CodedGraphQLError
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
            known = isinstance(info.schema.get_type(type_name), GraphQLObjectType)
        except (TypeError, ValueError, UnicodeDecodeError):
            known = False
        if not known or graphene.relay.Node not in getattr(
            info.schema.get_type(type_name).graphene_type._meta, "interfaces", ()
        ):
            raise CodedGraphQLError("Not a global id of this API.", "INVALID_ID")
        return graphene.relay.Node.get_node_from_global_id(info, id)


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
