"""The root schema, composed from the per-domain query, mutation and subscription classes."""

import graphene

from graphql_api.agencies.schema import AgencyMutations, AgencyQueries
from graphql_api.hits.schema import HitMutations
from graphql_api.hits.subscriptions import HitSubscriptions
from graphql_api.operations.schema import OperationMutations, OperationQueries
from graphql_api.timeline.feeds import CalendarMutations
from graphql_api.timeline.schema import TimeWindowMutations
from graphql_api.timeline.types import TimeWindowNode


class Query(AgencyQueries, OperationQueries, graphene.ObjectType):
    node = graphene.relay.Node.Field()


class Mutation(
    AgencyMutations,
    OperationMutations,
    TimeWindowMutations,
    HitMutations,
    CalendarMutations,
    graphene.ObjectType,
):
    pass


class Subscription(HitSubscriptions, graphene.ObjectType):
    pass


schema = graphene.Schema(
    query=Query, mutation=Mutation, subscription=Subscription, types=[TimeWindowNode]
)
