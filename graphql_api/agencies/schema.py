import graphene

from graphql_api.agencies.types import AgencyNode, UserNode
from graphql_api.core.connections import LimitedConnectionField
from graphql_api.operations.types import ParticipationNode
from operations import permissions, selectors


class Me(graphene.ObjectType):
    user = graphene.Field(UserNode, required=True)
    agency = graphene.Field(AgencyNode)
    can_create_operations = graphene.Boolean(required=True)
    invitations = graphene.List(
        graphene.NonNull(ParticipationNode),
        required=True,
        description="Open invitations addressed to my agency.",
    )

    @staticmethod
    def resolve_user(root, info):
        return root

    @staticmethod
    def resolve_agency(root, info):
        return root.agency

    @staticmethod
    def resolve_can_create_operations(root, info):
        return permissions.can_create_operation(root)

    @staticmethod
    def resolve_invitations(root, info):
        return selectors.invitation_list_for_user(root)


class AgencyQueries(graphene.ObjectType):
    me = graphene.Field(Me, description="The caller; null when not logged in.")
    agencies = LimitedConnectionField(AgencyNode, description="The directory of agencies.")

    @staticmethod
    def resolve_me(root, info):
        user = info.context.user
        return user if user.is_authenticated else None
