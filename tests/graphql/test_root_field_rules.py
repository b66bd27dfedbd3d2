"""Every root field and mutation declares who may call it (MISP's queryACL self-check).

`graphql_api.core.permissions.ROOT_FIELD_RULES` is the one place; the middleware refuses
anything it does not name (fail closed).
"""

from types import SimpleNamespace

import graphene
import pytest
from django.contrib.auth.models import AnonymousUser
from graphql_relay import to_global_id

from audit.models import AuditEvent
from graphql_api.core import permissions as root_rules
from graphql_api.core.errors import CodedGraphQLError, NotAuthenticated
from graphql_api.core.permissions import (
    ROOT_FIELD_RULES,
    RootFieldRuleMiddleware,
    Rule,
    check_root_field,
)
from graphql_api.schema import schema
from operations.models import Operation
from tests.conftest import gql

AGENCIES = "query { agencies(first: 5) { totalCount } }"
ME = "query { me { user { username } } }"
RENAME = """
mutation Rename($id: ID!) {
  updateOperation(id: $id, input: {name: "Renamed"}) {
    errors { field code }
    operation { name }
  }
}
"""


def schema_root_fields() -> set[tuple[str, str]]:
    """(root type, field) for every query, mutation and subscription field of the schema."""
    graphql_schema = schema.graphql_schema
    roots = [
        graphql_schema.query_type,
        graphql_schema.mutation_type,
        graphql_schema.subscription_type,
    ]
    return {(root.name, field) for root in roots if root is not None for field in root.fields}


def test_schema_walk_finds_the_root_fields_clients_rely_on():
    # Guards the walk itself: an empty or partial walk would make the next tests vacuous.
    fields = schema_root_fields()

    expected = {
        ("Query", name) for name in ("me", "agencies", "operations", "operation", "node")
    } | {
        ("Mutation", name)
        for name in (
            "createOperation",
            "updateOperation",
            "transitionOperation",
            "inviteAgency",
            "respondToInvitation",
            "createTimeWindow",
            "updateTimeWindow",
            "deleteTimeWindow",
        )
    }
    assert expected <= fields


def test_every_root_field_and_mutation_has_a_declared_rule():
    undeclared = sorted(schema_root_fields() - set(ROOT_FIELD_RULES))

    assert undeclared == [], f"declare these in ROOT_FIELD_RULES: {undeclared}"


def test_every_declared_rule_names_a_field_of_the_schema():
    stale = sorted(set(ROOT_FIELD_RULES) - schema_root_fields())

    assert stale == [], f"no such root field, remove from ROOT_FIELD_RULES: {stale}"


def test_every_rule_is_a_rule():
    assert all(isinstance(rule, Rule) for rule in ROOT_FIELD_RULES.values())


def test_only_me_is_open_to_anonymous_callers():
    # given: every root field of the schema, asked by nobody
    anonymous = AnonymousUser()
    open_fields = []

    # when
    for parent, field in sorted(schema_root_fields()):
        try:
            check_root_field(parent, field, anonymous)
        except NotAuthenticated:
            continue
        open_fields.append((parent, field))

    # then: no mutation, no list, no lookup is public
    assert open_fields == [("Query", "me")]


def test_check_refuses_an_undeclared_field_even_for_a_logged_in_user():
    user = SimpleNamespace(is_authenticated=True)

    with pytest.raises(CodedGraphQLError) as raised:
        check_root_field("Query", "nothingDeclaresThis", user)

    assert raised.value.extensions == {"code": "FORBIDDEN"}


# --- the middleware fails closed ----------------------------------------------------------


class _TinyQuery(graphene.ObjectType):
    class Meta:
        name = "Query"

    secret = graphene.String()
    me = graphene.String()

    @staticmethod
    def resolve_secret(root, info):
        return "the plan of a hidden operation"

    @staticmethod
    def resolve_me(root, info):
        return "me"


TINY_SCHEMA = graphene.Schema(query=_TinyQuery)


def _execute_tiny(document: str, user):
    return TINY_SCHEMA.execute(
        document, middleware=[RootFieldRuleMiddleware()], context_value=SimpleNamespace(user=user)
    )


def test_middleware_refuses_a_root_field_nobody_declared():
    # given: `secret` has no rule; `me` (Query.me) has one
    user = SimpleNamespace(is_authenticated=True)

    # when
    result = _execute_tiny("{ secret me }", user)

    # then: only the undeclared field is refused, with FORBIDDEN, and nothing of it leaks
    assert result.data == {"secret": None, "me": "me"}
    assert [(e.path, e.extensions) for e in result.errors] == [(["secret"], {"code": "FORBIDDEN"})]


def test_middleware_serves_the_field_once_a_rule_declares_it(monkeypatch):
    monkeypatch.setitem(ROOT_FIELD_RULES, ("Query", "secret"), Rule.AUTHENTICATED)

    served = _execute_tiny("{ secret }", SimpleNamespace(is_authenticated=True))
    refused = _execute_tiny("{ secret }", AnonymousUser())

    assert served.errors is None
    assert served.data == {"secret": "the plan of a hidden operation"}
    assert refused.data == {"secret": None}
    assert [e.extensions for e in refused.errors] == [{"code": "NOT_AUTHENTICATED"}]


def test_middleware_checks_root_fields_only_and_lets_introspection_through():
    result = _execute_tiny("{ __typename __schema { queryType { name } } }", None)

    assert result.errors is None
    assert result.data == {"__typename": "Query", "__schema": {"queryType": {"name": "Query"}}}


@pytest.mark.django_db
def test_endpoint_refuses_a_query_field_whose_rule_was_dropped(monkeypatch, coordinator):
    # given: the directory's rule is gone
    monkeypatch.delitem(ROOT_FIELD_RULES, ("Query", "agencies"))

    # when
    answer = gql(coordinator, AGENCIES)

    # then
    assert answer["data"] == {"agencies": None}
    assert [(e["path"], e["extensions"]) for e in answer["errors"]] == [
        (["agencies"], {"code": "FORBIDDEN"})
    ]


@pytest.mark.django_db
def test_endpoint_still_serves_me_when_another_rule_is_dropped(monkeypatch, coordinator):
    monkeypatch.delitem(ROOT_FIELD_RULES, ("Query", "agencies"))

    assert gql(coordinator, ME) == {"data": {"me": {"user": {"username": "wco.coordinator"}}}}


@pytest.mark.django_db
def test_endpoint_refuses_a_mutation_whose_rule_was_dropped_and_changes_nothing(
    monkeypatch, operation, coordinator
):
    # given: the coordinator could rename the operation, were the rule declared
    monkeypatch.delitem(root_rules.ROOT_FIELD_RULES, ("Mutation", "updateOperation"))
    events_before = AuditEvent.objects.count()

    # when
    answer = gql(coordinator, RENAME, {"id": to_global_id("Operation", operation.pk)})

    # then
    assert answer["data"] == {"updateOperation": None}
    assert [(e["path"], e["extensions"]) for e in answer["errors"]] == [
        (["updateOperation"], {"code": "FORBIDDEN"})
    ]
    assert Operation.objects.get(pk=operation.pk).name == "Test operation"
    assert AuditEvent.objects.count() == events_before


@pytest.mark.django_db
def test_endpoint_applies_the_mutation_when_its_rule_is_declared(operation, coordinator):
    # The control for the test above: same request, rule in place.
    answer = gql(coordinator, RENAME, {"id": to_global_id("Operation", operation.pk)})

    assert answer == {"data": {"updateOperation": {"errors": [], "operation": {"name": "Renamed"}}}}
