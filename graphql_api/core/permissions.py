"""Every root field and mutation declares who may call it, here and only here.

A root field missing from :data:`ROOT_FIELD_RULES` is refused at run time (fail closed)
and by a test that walks the schema. Object-level rules (which operation, which role)
are enforced by the domain's selectors and services (`operations.permissions`).
"""

from enum import Enum

from graphql_api.core.errors import CodedGraphQLError, NotAuthenticated


class Rule(Enum):
    PUBLIC = "anyone, answers only about the caller"
    AUTHENTICATED = "a logged-in user; results filtered by the domain's selectors"
    OBJECT_PERMISSION = "a logged-in user holding the object permission the service checks"


ROOT_FIELD_RULES: dict[tuple[str, str], Rule] = {
    ("Query", "me"): Rule.PUBLIC,
    ("Query", "node"): Rule.AUTHENTICATED,
    ("Query", "agencies"): Rule.AUTHENTICATED,
    ("Query", "operations"): Rule.AUTHENTICATED,
    ("Query", "operation"): Rule.AUTHENTICATED,
    ("Mutation", "createOperation"): Rule.OBJECT_PERMISSION,  # operations.add_operation
    ("Mutation", "updateOperation"): Rule.OBJECT_PERMISSION,  # change_operation
    ("Mutation", "transitionOperation"): Rule.OBJECT_PERMISSION,  # coordinate_operation
    ("Mutation", "inviteAgency"): Rule.OBJECT_PERMISSION,  # coordinate_operation
    ("Mutation", "respondToInvitation"): Rule.OBJECT_PERMISSION,  # user of the invited agency
    ("Mutation", "createTimeWindow"): Rule.OBJECT_PERMISSION,  # change_operation
    ("Mutation", "updateTimeWindow"): Rule.OBJECT_PERMISSION,  # change_operation
    ("Mutation", "deleteTimeWindow"): Rule.OBJECT_PERMISSION,  # change_operation
    ("Mutation", "reportHit"): Rule.OBJECT_PERMISSION,  # report_hit, accepted participant
    ("Mutation", "amendHit"): Rule.OBJECT_PERMISSION,  # reporting agency or coordinate_operation
    ("Mutation", "reviewHit"): Rule.OBJECT_PERMISSION,  # coordinate_operation
    ("Query", "analysisRuns"): Rule.AUTHENTICATED,  # my own runs only
    ("Query", "analysisRun"): Rule.AUTHENTICATED,  # my own runs only
    ("Query", "entitySuggestions"): Rule.OBJECT_PERMISSION,  # analyse_operation
    ("Query", "entityDecisions"): Rule.OBJECT_PERMISSION,  # analyse_operation
    ("Query", "entityNetwork"): Rule.OBJECT_PERMISSION,  # analyse_operation
    ("Query", "shortestPath"): Rule.OBJECT_PERMISSION,  # analyse_operation
    ("Mutation", "runNetworkAnalysis"): Rule.OBJECT_PERMISSION,  # analyse_operation
    ("Mutation", "decideEntities"): Rule.OBJECT_PERMISSION,  # analyse_operation, nominal data
    ("Mutation", "decideEntitySuggestions"): Rule.OBJECT_PERMISSION,  # analyse_operation
    ("Mutation", "updateMe"): Rule.AUTHENTICATED,  # only the caller's own preferences
    ("Mutation", "rotateCalendarToken"): Rule.AUTHENTICATED,  # only the caller's own token
    ("Mutation", "revokeCalendarToken"): Rule.AUTHENTICATED,  # only the caller's own token
    ("Subscription", "hitReported"): Rule.AUTHENTICATED,  # view_operation; hits as selectors allow
    ("Subscription", "operationChanged"): Rule.AUTHENTICATED,  # view_operation
    ("Subscription", "analysisProgress"): Rule.AUTHENTICATED,  # my own runs only
}


def check_root_field(parent: str, field: str, user) -> None:
    """Raise unless `user` may call root field `parent.field` (undeclared: never)."""
    rule = ROOT_FIELD_RULES.get((parent, field))
    if rule is None:
        raise CodedGraphQLError(f"{parent}.{field} has no declared permission rule.", "FORBIDDEN")
    if rule is not Rule.PUBLIC and not getattr(user, "is_authenticated", False):
        raise NotAuthenticated()


class RootFieldRuleMiddleware:
    """Graphene middleware applying :data:`ROOT_FIELD_RULES` to root fields."""

    def resolve(self, next_, root, info, **kwargs):
        if info.path.prev is None and not info.field_name.startswith("__"):  # a root field
            check_root_field(info.parent_type.name, info.field_name, info.context.user)
        return next_(root, info, **kwargs)
