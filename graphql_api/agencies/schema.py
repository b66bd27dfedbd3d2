import graphene

from agencies.services import user_update_preferences
from graphql_api.agencies.types import AgencyNode, UserNode
from graphql_api.core.connections import LimitedConnectionField
from graphql_api.core.inputs import plain
from graphql_api.core.mutations import BaseMutation
from graphql_api.operations.types import ParticipationNode
from graphql_api.timeline.feeds import feed_url
from operations import permissions, selectors


class Me(graphene.ObjectType):
    user = graphene.Field(UserNode, required=True)
    agency = graphene.Field(AgencyNode)
    time_zone = graphene.String(required=True, description="IANA zone I read times in.")
    calendar_feed_url = graphene.String(
        description="My calendar feed (/calendar/me.ics with my token); null until "
        "rotateCalendarToken makes one, or after revokeCalendarToken."
    )
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
    def resolve_calendar_feed_url(root, info):
        return feed_url(info.context, "calendar-me")

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


class MeInput(graphene.InputObjectType):
    time_zone = graphene.String(description="IANA time zone, e.g. Africa/Lagos.")


class UpdateMe(BaseMutation):
    """My own preferences."""

    me = graphene.Field(Me)

    class Arguments:
        input = MeInput(required=True)

    @classmethod
    def perform(cls, info, input):
        user = user_update_preferences(user=info.context.user, **plain(input))
        return {"me": user}


class AgencyMutations(graphene.ObjectType):
    update_me = UpdateMe.Field()
