import graphene
from graphene_django import DjangoObjectType

from agencies import selectors
from agencies.models import Agency, User
from graphql_api.agencies.filters import AgencyFilter
from graphql_api.core.connections import CountableConnection

AgencyKind = graphene.Enum.from_enum(
    Agency.Kind, name="AgencyKind", description="What sort of agency."
)


class AgencyNode(DjangoObjectType):
    kind = graphene.Field(AgencyKind, required=True)
    country = graphene.String(
        description="ISO 3166-1 alpha-2; null for international organisations."
    )
    country_name = graphene.String()

    class Meta:
        model = Agency
        name = "Agency"
        interfaces = (graphene.relay.Node,)
        connection_class = CountableConnection
        fields = ["id", "name", "acronym", "kind", "country"]
        filterset_class = AgencyFilter

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.filter(pk__in=selectors.agency_list().values("pk"))

    @staticmethod
    def resolve_country(root, info):
        return root.country or None

    @staticmethod
    def resolve_country_name(root, info):
        return root.country_name or None


class UserNode(DjangoObjectType):
    display_name = graphene.String(required=True)
    agency = graphene.Field(AgencyNode)

    class Meta:
        model = User
        name = "User"
        interfaces = (graphene.relay.Node,)
        fields = ["id", "username", "first_name", "last_name", "agency"]

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.filter(pk__in=selectors.user_list_for_user(info.context.user).values("pk"))

    @staticmethod
    def resolve_display_name(root, info):
        return str(root)

    @staticmethod
    def resolve_agency(root, info):
        # The directory of agencies is open to every user (agency_list), so the row
        # loaded with the user (select_related) is answered as it is, without a query.
        return root.agency
