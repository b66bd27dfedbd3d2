"""GraphQL over HTTP as outside clients meet it: every mistake of theirs gets a 4xx with
a code (never a 500 or INTERNAL_ERROR), anonymous callers a JSON 401, introspection and
GraphiQL only as the settings allow, and documents beyond the limits are refused before
they run."""

import json
import uuid

import pytest
from django.test import Client
from graphql_relay import to_global_id

from operations.models import Hit
from tests.conftest import gql
from tests.hits.test_report_hit import REPORT_HIT, hit_input

OPERATION_HITS = """
query($id: ID!, $first: Int, $after: String, $before: String, $offset: Int) {
  operation(id: $id) {
    hits(first: $first, after: $after, before: $before, offset: $offset) {
      totalCount
      edges { node { sequence } }
    }
  }
}
"""
TIMELINE = """
query($id: ID!, $after: String) {
  operation(id: $id) { timeline(first: 5, after: $after) { edges { node { kind } } } }
}
"""
NODE = "query($id: ID!) { node(id: $id) { id } }"
INTROSPECTION = "{ __schema { queryType { name } } }"


def client_for(user=None, **kwargs) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


def post(client, body, content_type="application/json", **headers):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post("/graphql/", data, content_type=content_type, headers=headers)


def codes(response) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in response.json()["errors"]]


def cursor(position: int) -> str:
    import base64

    return base64.b64encode(f"arrayconnection:{position}".encode()).decode()


# --- malformed requests ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ("{not json", "application/json", 400, "INVALID_JSON"),
        (b"\xff\xfe{}", "application/json", 400, "INVALID_JSON"),
        (
            '{"query": "{ me { user { username } } }", "variables": {"x": NaN}}',
            "application/json",
            400,
            "INVALID_JSON",
        ),
        ("[" * 5000 + "]" * 5000, "application/json", 400, "INVALID_JSON"),
        (
            '{"query": "{ me { user { username } } }", "variables": {"x": '
            + "[" * 40
            + "]" * 40
            + "}}",
            "application/json",
            400,
            "INPUT_TOO_LARGE",
        ),
        (
            '[{"query": "{ me { user { username } } }"}]',
            "application/json",
            400,
            "BATCH_NOT_SUPPORTED",
        ),
        ('"{ me { user { username } } }"', "application/json", 400, "BAD_REQUEST"),
        ("42", "application/json", 400, "BAD_REQUEST"),
        ('{"query": ""}', "application/json", 400, "QUERY_MISSING"),
        ("{}", "application/json", 400, "QUERY_MISSING"),
        ('{"query": 7}', "application/json", 400, "BAD_REQUEST"),
        (
            '{"query": "{ me { user { username } } }", "variables": "x"}',
            "application/json",
            400,
            "VARIABLES_INVALID",
        ),
        (
            '{"query": "{ me { user { username } } }", "variables": [1]}',
            "application/json",
            400,
            "VARIABLES_INVALID",
        ),
        (
            '{"query": "{ me { user { username } } }", "operationName": 5}',
            "application/json",
            400,
            "BAD_REQUEST",
        ),
        (
            "query=%7B+me+%7B+id+%7D+%7D",
            "application/x-www-form-urlencoded",
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        ('{"query": "{ me { user "}', "application/json", 400, "GRAPHQL_PARSE_FAILED"),
        (
            '{"query": "query A { me { user { username } } } query B { me { user { username } } }"}',
            "application/json",
            400,
            "OPERATION_NOT_FOUND",
        ),
        (
            '{"query": "{ me { user { username } } }", "operationName": "Nope"}',
            "application/json",
            400,
            "OPERATION_NOT_FOUND",
        ),
    ],
)
def test_a_malformed_request_gets_a_4xx_with_its_code(officer, body, content_type, status, code):
    response = post(client_for(officer), body, content_type)

    assert response.status_code == status
    assert codes(response) == [code]
    assert "data" not in response.json()


def test_a_persisted_query_without_its_query_asks_apollo_to_send_the_query(officer):
    body = {
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "ab" * 32}},
        "variables": {},
    }

    response = post(client_for(officer), body)

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "message": "PersistedQueryNotSupported",
            "extensions": {"code": "PERSISTED_QUERY_NOT_SUPPORTED"},
        }
    ]


def test_a_persisted_query_over_get_is_answered_the_same(officer):
    extensions = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": "ab" * 32}})

    response = client_for(officer).get("/graphql/", {"extensions": extensions})

    assert response.status_code == 400
    assert codes(response) == ["PERSISTED_QUERY_NOT_SUPPORTED"]


def test_a_body_over_the_size_limit_is_refused_as_too_large(officer, settings):
    settings.GRAPHQL_MAX_BODY_BYTES = 1000
    body = {"query": "{ me { user { username } } }", "variables": {"padding": "x" * 2000}}

    response = post(client_for(officer), body)

    assert response.status_code == 413
    assert codes(response) == ["PAYLOAD_TOO_LARGE"]


def test_a_mutation_over_get_is_refused_and_changes_nothing(active_operation, officer):
    query = 'mutation { updateMe(input: {timeZone: "Asia/Tokyo"}) { errors { code } } }'

    response = client_for(officer).get("/graphql/", {"query": query})

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert codes(response) == ["METHOD_NOT_ALLOWED"]
    officer.refresh_from_db()
    assert officer.time_zone != "Asia/Tokyo"


def test_other_methods_are_refused_with_json(officer):
    response = client_for(officer).put("/graphql/", "{}", content_type="application/json")

    assert response.status_code == 405
    assert codes(response) == ["METHOD_NOT_ALLOWED"]


def test_a_subscription_over_http_is_refused(active_operation, officer):
    query = "subscription($id: ID!) { hitReported(operationId: $id) { id } }"

    response = post(
        client_for(officer),
        {"query": query, "variables": {"id": to_global_id("Operation", active_operation.pk)}},
    )

    assert response.status_code == 400
    assert codes(response) == ["SUBSCRIPTION_OVER_HTTP"]


@pytest.mark.parametrize(
    "query",
    [
        "query { me { ...A } } fragment A on Me { ...A }",
        "query { me { ...Nowhere } }",
        "query { me { ...A } } fragment A on Me { user { ...B } } fragment B on User { agency { id } ...A }",
    ],
)
def test_self_referencing_or_unknown_fragments_are_refused_anonymously_over_get(db, query):
    response = Client().get("/graphql/", {"query": query})

    assert response.status_code == 400
    assert set(codes(response)) == {"GRAPHQL_VALIDATION_FAILED"}


def test_a_subscription_whose_root_field_hangs_on_a_variable_is_refused(officer):
    query = 'subscription($s: Boolean!) { hitReported(operationId: "x") @skip(if: $s) { id } }'

    response = post(client_for(officer), {"query": query, "variables": {"s": True}})

    assert response.status_code == 400
    assert codes(response) == ["GRAPHQL_VALIDATION_FAILED"]


def test_a_variable_of_the_wrong_type_is_refused_before_running(officer):
    response = post(
        client_for(officer),
        {
            "query": "query($n: Int) { operations(first: $n) { totalCount } }",
            "variables": {"n": "x"},
        },
    )

    assert response.status_code == 400
    assert codes(response) == ["VARIABLES_INVALID"]


# --- NUL characters and numbers no database stores -----------------------------------------


def test_a_nul_character_in_a_variable_is_refused(active_operation, officer):
    before = Hit.objects.count()
    response = post(
        client_for(officer),
        {
            "query": REPORT_HIT,
            "variables": {
                "op": to_global_id("Operation", active_operation.pk),
                "clientId": str(uuid.uuid4()),
                "input": hit_input(notes="bad\x00note"),
            },
        },
    )

    assert response.status_code == 400
    assert codes(response) == ["NUL_CHARACTER"]
    assert Hit.objects.count() == before


def test_a_nul_character_escaped_in_the_document_is_refused(officer):
    query = 'mutation { updateMe(input: {timeZone: "Europe/Brussels\\u0000"}) { errors { code } } }'

    response = post(client_for(officer), {"query": query})

    assert response.status_code == 400
    assert codes(response) == ["NUL_CHARACTER"]


def test_a_lone_surrogate_in_a_variable_or_the_document_is_refused(active_operation, officer):
    before = Hit.objects.count()
    variables = {
        "op": to_global_id("Operation", active_operation.pk),
        "clientId": str(uuid.uuid4()),
        "input": hit_input(notes="half a pair: \ud800"),
    }
    # in the text itself (graphql-core refuses the escape \\ud800: GRAPHQL_PARSE_FAILED)
    literal = 'mutation { updateMe(input: {timeZone: "Brussels\ud800"}) { errors { code } } }'

    in_variable = post(client_for(officer), {"query": REPORT_HIT, "variables": variables})
    in_document = post(client_for(officer), {"query": literal})

    assert (in_variable.status_code, in_document.status_code) == (400, 400)
    assert codes(in_variable) == codes(in_document) == ["INVALID_CHARACTER"]
    assert Hit.objects.count() == before


@pytest.mark.parametrize("quantity", ["1e26", "Infinity", "-Infinity", "NaN", "1e-30"])
def test_a_quantity_no_one_could_weigh_is_refused_with_a_code(active_operation, officer, quantity):
    item = {"commodity": "COCAINE", "quantity": quantity, "unit": "KILOGRAM"}
    answer = gql(
        officer,
        REPORT_HIT,
        {
            "op": to_global_id("Operation", active_operation.pk),
            "clientId": str(uuid.uuid4()),
            "input": hit_input(items=[item]),
        },
    )

    if "errors" in answer:  # refused by the Decimal scalar
        assert {e["extensions"]["code"] for e in answer["errors"]} == {"VARIABLES_INVALID"}
    else:
        payload = answer["data"]["reportHit"]
        assert payload["hit"] is None
        assert {e["field"] for e in payload["errors"]} == {"items.0.quantity"}
        assert {e["code"] for e in payload["errors"]} <= {"INVALID_QUANTITY", "ABSURD_QUANTITY"}


@pytest.mark.parametrize(
    "moment",
    ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+01:00"],
)
def test_a_time_at_the_calendars_limits_is_refused_with_a_code(operation, coordinator, moment):
    query = """
    mutation($id: ID!, $input: OperationUpdateInput!) {
      updateOperation(id: $id, input: $input) { errors { field code } }
    }"""

    answer = gql(
        coordinator,
        query,
        {"id": to_global_id("Operation", operation.pk), "input": {"plannedEnd": moment}},
    )

    if "errors" in answer:
        assert {e["extensions"]["code"] for e in answer["errors"]} == {"VARIABLES_INVALID"}
    else:
        errors = answer["data"]["updateOperation"]["errors"]
        assert errors and {e["field"] for e in errors} == {"plannedEnd"}


@pytest.mark.parametrize(
    ("moment", "taken"),
    [
        ("0001-01-01T06:00:00+00:00", False),  # stored, it overflowed west of UTC
        ("9999-12-01T00:00:00+00:00", False),  # and east of it
        ("1899-12-31T23:59:59+00:00", False),
        ("2200-01-01T00:00:00+00:00", False),
        ("1900-01-01T00:00:00+00:00", True),
        ("2199-12-31T23:59:59+00:00", True),
    ],
)
def test_times_are_taken_between_1900_and_2199(operation, coordinator, moment, taken):
    query = """
    mutation($id: ID!, $input: OperationUpdateInput!) {
      updateOperation(id: $id, input: $input) { errors { field code } }
    }"""
    moves = {"plannedStart" if moment < "2000" else "plannedEnd": moment}

    answer = gql(
        coordinator, query, {"id": to_global_id("Operation", operation.pk), "input": moves}
    )

    if taken:
        assert answer["data"]["updateOperation"]["errors"] == []
    else:
        assert [e["extensions"]["code"] for e in answer["errors"]] == ["VARIABLES_INVALID"]
        assert "between the years 1900 and 2199" in answer["errors"][0]["message"]


def test_a_filter_time_at_the_calendars_limit_is_refused_with_a_code(operation, coordinator):
    query = "query($t: DateTime) { operations(dateFrom: $t) { totalCount } }"

    answer = gql(coordinator, query, {"t": "9999-12-31T23:00:00-05:00"})

    assert "errors" in answer
    assert {e["extensions"]["code"] for e in answer["errors"]} <= {
        "VARIABLES_INVALID",
        "INVALID_FILTER",
    }


# --- ids, cursors and offsets ----------------------------------------------------------------


@pytest.mark.parametrize(
    "global_id",
    [
        to_global_id("Operation", "abc"),
        to_global_id("Hit", ""),
        to_global_id("Operation", "-4"),
        to_global_id("Operation", str(2**70)),
        to_global_id("AnalysisRun", "not-a-uuid"),
        "%%%",
        to_global_id("Nope", "1"),
    ],
)
def test_node_of_an_id_that_names_nothing_is_an_invalid_id(operation, coordinator, global_id):
    answer = gql(coordinator, NODE, {"id": global_id})

    assert answer["data"] == {"node": None}
    assert [e["extensions"]["code"] for e in answer["errors"]] == ["INVALID_ID"]


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"offset": 1, "before": cursor(3)}, "INVALID_PAGINATION"),
        ({"offset": -1}, "INVALID_CURSOR"),
        ({"after": cursor(-2)}, "INVALID_CURSOR"),
        ({"before": cursor(-2)}, "INVALID_CURSOR"),
        ({"after": cursor(2**64)}, "INVALID_CURSOR"),
        ({"offset": 2**31}, "VARIABLES_INVALID"),
        ({"after": "not a cursor"}, "INVALID_CURSOR"),
        ({"first": -1}, "PAGE_SIZE_INVALID"),
    ],
)
def test_a_page_that_names_no_position_is_refused(active_operation, coordinator, variables, code):
    answer = gql(
        coordinator,
        OPERATION_HITS,
        {"id": to_global_id("Operation", active_operation.pk), **variables},
    )

    assert [e["extensions"]["code"] for e in answer["errors"]] == [code]


def test_a_timeline_cursor_far_past_its_end_is_refused_not_read(active_operation, coordinator):
    answer = gql(
        coordinator,
        TIMELINE,
        {"id": to_global_id("Operation", active_operation.pk), "after": cursor(10**9)},
    )

    assert [e["extensions"]["code"] for e in answer["errors"]] == ["INVALID_CURSOR"]


def test_a_timeline_page_inside_its_depth_is_answered(active_operation, coordinator):
    answer = gql(
        coordinator,
        TIMELINE,
        {"id": to_global_id("Operation", active_operation.pk), "after": cursor(1)},
    )

    assert "errors" not in answer
    assert answer["data"]["operation"]["timeline"]["edges"]


# --- credentials, media types ------------------------------------------------------------------


def test_a_request_with_no_credentials_gets_a_json_401_not_a_csrf_page(operation):
    client = Client(enforce_csrf_checks=True)

    response = post(client, {"query": "{ operations { totalCount } }"})

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert codes(response) == ["NOT_AUTHENTICATED"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_session_post_without_its_csrf_token_gets_a_json_403(officer):
    client = client_for(officer, enforce_csrf_checks=True)

    response = post(client, {"query": "{ me { user { username } } }"})

    assert response.status_code == 403
    assert codes(response) == ["CSRF_FAILED"]


def test_a_session_post_with_its_csrf_token_is_answered(officer):
    client = client_for(officer, enforce_csrf_checks=True)
    token = (
        client.get("/graphql/", {"query": "{ me { user { username } } }"})
        .cookies["csrftoken"]
        .value
    )

    response = post(client, {"query": "{ me { user { username } } }"}, X_CSRFTOKEN=token)

    assert response.status_code == 200
    assert response.json()["data"]["me"]["user"]["username"] == officer.username


def test_anonymous_me_is_answered_without_credentials(db):
    response = post(Client(), {"query": "{ me { user { username } } }"})

    assert response.status_code == 200
    assert response.json() == {"data": {"me": None}}


def test_the_graphql_response_media_type_is_answered_when_accepted(officer):
    client = client_for(officer)

    good = post(
        client,
        {"query": "{ me { user { username } } }"},
        Accept="application/graphql-response+json",
    )
    bad = post(client, "{", Accept="application/graphql-response+json, application/json;q=0.9")
    plain = post(client, {"query": "{ me { user { username } } }"})

    assert good.status_code == 200
    assert good["Content-Type"] == "application/graphql-response+json"
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/graphql-response+json"
    assert plain["Content-Type"] == "application/json"


def test_a_field_error_with_data_is_a_200_in_the_graphql_response_media_type(coordinator):
    response = post(
        client_for(coordinator),
        {"query": NODE, "variables": {"id": to_global_id("Operation", "abc")}},
        Accept="application/graphql-response+json",
    )

    assert response.status_code == 200
    assert response.json()["data"] == {"node": None}
    assert codes(response) == ["INVALID_ID"]


# --- introspection and GraphiQL ------------------------------------------------------------


def test_anonymous_introspection_is_refused_in_production(db, settings):
    settings.GRAPHQL_INTROSPECTION = "authenticated"

    anonymous = Client().get("/graphql/", {"query": INTROSPECTION})
    typename = Client().get("/graphql/", {"query": "{ __typename }"})

    assert anonymous.status_code == 401
    assert codes(anonymous) == ["NOT_AUTHENTICATED"]
    assert typename.status_code == 200


def test_introspection_is_answered_to_users_and_to_anyone_when_set(officer, settings):
    settings.GRAPHQL_INTROSPECTION = "authenticated"
    as_user = client_for(officer).get("/graphql/", {"query": INTROSPECTION})
    settings.GRAPHQL_INTROSPECTION = "anyone"
    as_anyone = Client().get("/graphql/", {"query": INTROSPECTION})

    assert (
        as_user.json()
        == as_anyone.json()
        == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    )


def test_introspection_can_be_turned_off_for_everyone(officer, settings):
    settings.GRAPHQL_INTROSPECTION = "nobody"

    response = client_for(officer).get("/graphql/", {"query": '{ __type(name: "Query") { name } }'})

    assert response.status_code == 403
    assert codes(response) == ["INTROSPECTION_DISABLED"]


def test_graphiql_sends_anonymous_browsers_to_the_login_page_in_production(db, settings):
    settings.GRAPHIQL = "authenticated"

    response = Client().get("/graphql/", headers={"Accept": "text/html"})

    assert response.status_code == 302
    assert response["Location"].startswith("/signin?next=/graphql/")


def test_graphiql_can_be_turned_off(officer, settings):
    settings.GRAPHIQL = "nobody"

    response = client_for(officer).get("/graphql/", headers={"Accept": "text/html"})

    assert response.status_code == 403
    assert codes(response) == ["GRAPHIQL_DISABLED"]


def test_the_production_defaults_keep_introspection_and_graphiql_from_anonymous_callers():
    import subprocess
    import sys

    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
        "django.setup(); from django.conf import settings as s; "
        "print(s.GRAPHQL_INTROSPECTION, s.GRAPHIQL)"
    )
    env = {"DEBUG": "0", "SECRET_KEY": "k" * 50, "PATH": "/usr/bin:/bin"}

    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)

    assert out.stdout.split() == ["authenticated", "authenticated"], out.stderr


# --- limits ------------------------------------------------------------------------------------


def test_a_deeply_nested_query_is_refused_before_it_runs(active_operation, coordinator):
    deep = "query($id: ID!) { operation(id: $id) { hits(first: 100) { edges { node { operation { hits(first: 100) { edges { node { operation { hits(first: 100) { edges { node { sequence } } } } } } } } } } } } }"

    response = post(
        client_for(coordinator),
        {"query": deep, "variables": {"id": to_global_id("Operation", active_operation.pk)}},
    )

    assert response.status_code == 400
    assert codes(response) == ["QUERY_TOO_COMPLEX"]


def test_many_aliases_are_refused(active_operation, coordinator, settings):
    fields = " ".join(
        f"a{i}: hits(first: 1) {{ totalCount }}" for i in range(settings.GRAPHQL_MAX_ALIASES + 1)
    )
    query = "query($id: ID!) { operation(id: $id) { " + fields + " } }"

    response = post(
        client_for(coordinator),
        {"query": query, "variables": {"id": to_global_id("Operation", active_operation.pk)}},
    )

    assert response.status_code == 400
    assert codes(response) == ["TOO_MANY_ALIASES"]


def test_many_network_computations_in_one_request_are_refused(active_operation, coordinator):
    fields = " ".join(
        f'n{i}: entityNetwork(id: "actor:{i}", depth: 4) {{ nodes {{ key }} }}' for i in range(10)
    )

    response = post(client_for(coordinator), {"query": "{ " + fields + " }"})

    assert response.status_code == 400
    assert "QUERY_TOO_COMPLEX" in codes(response)


def test_two_mutations_in_one_request_are_refused_and_neither_runs(active_operation, officer):
    op = to_global_id("Operation", active_operation.pk)
    query = """
    mutation($op: ID!, $a: UUID!, $b: UUID!, $input: HitInput!) {
      first: reportHit(operationId: $op, clientId: $a, input: $input) { errors { code } }
      second: reportHit(operationId: $op, clientId: $b, input: $input) { errors { code } }
    }"""
    before = Hit.objects.count()

    response = post(
        client_for(officer),
        {
            "query": query,
            "variables": {
                "op": op,
                "a": str(uuid.uuid4()),
                "b": str(uuid.uuid4()),
                "input": hit_input(),
            },
        },
    )

    assert response.status_code == 400
    assert codes(response) == ["TOO_MANY_MUTATIONS"]
    assert Hit.objects.count() == before


def test_a_first_given_by_variable_counts_at_its_value(active_operation, coordinator, settings):
    settings.GRAPHQL_MAX_QUERY_COST = 50
    client = client_for(coordinator)
    variables = {"id": to_global_id("Operation", active_operation.pk)}

    small = post(client, {"query": OPERATION_HITS, "variables": {**variables, "first": 3}})
    unbounded = post(client, {"query": OPERATION_HITS, "variables": variables})

    assert small.status_code == 200, small.content
    assert unbounded.status_code == 400
    assert codes(unbounded) == ["QUERY_TOO_COMPLEX"]


def test_the_front_ends_usual_pages_fit_in_the_default_budget(active_operation, coordinator):
    page = """
    query($id: ID!) {
      operation(id: $id) {
        code name status
        participations { role state agency { acronym name } contacts { username } }
        timeWindows { kind startsAt endsAt participation { agency { acronym } } }
        hits(first: 100) { edges { node {
          id sequence status marking occurredAt country place
          reportingAgency { acronym }
          items { commodity quantity unit kilograms }
          shipment { containerNumber airWaybill transitCountries }
          actors { name kind role phones }
        } } }
      }
    }"""

    answer = gql(coordinator, page, {"id": to_global_id("Operation", active_operation.pk)})

    assert "errors" not in answer


# --- sizes of what is stored ------------------------------------------------------------------


def report(officer, operation, **changes):
    return post(
        client_for(officer),
        {
            "query": REPORT_HIT,
            "variables": {
                "op": to_global_id("Operation", operation.pk),
                "clientId": str(uuid.uuid4()),
                "input": hit_input(**changes),
            },
        },
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"notes": "x" * 2_000_000},
        {"notes": "x" * 10_001},
        {"shipment": {"transitCountries": ["PA"] * 10_000}},
        {"items": [{"commodity": "COCAINE", "quantity": "1", "unit": "KILOGRAM"}] * 1_000},
    ],
    ids=["2MB-notes", "10001-characters", "10000-transit-countries", "1000-items"],
)
def test_inputs_beyond_any_domain_are_refused_before_running(active_operation, officer, changes):
    before = Hit.objects.count()

    response = report(officer, active_operation, **changes)

    assert response.status_code in (400, 413)
    assert codes(response) == [
        "INPUT_TOO_LARGE" if response.status_code == 400 else "PAYLOAD_TOO_LARGE"
    ]
    assert Hit.objects.count() == before


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"shipment": {"transitCountries": ["PA"] * 11}}, "shipment.transitCountries", "TOO_MANY"),
        (
            {"items": [{"commodity": "COCAINE", "quantity": "1", "unit": "KILOGRAM"}] * 51},
            "items",
            "TOO_MANY",
        ),
        ({"place": "x" * 201}, "place", "TOO_LONG"),
        (
            {
                "actors": [
                    {
                        "kind": "PERSON",
                        "role": "COURIER",
                        "name": "A",
                        "phones": ["+50688888888"] * 21,
                    }
                ]
            },
            "actors.0.phones",
            "TOO_MANY",
        ),
        (
            {"actors": [{"kind": "PERSON", "role": "COURIER", "name": "N" * 301}]},
            "actors.0.name",
            "TOO_LONG",
        ),
    ],
)
def test_a_report_over_the_domains_limits_is_refused_on_its_field(
    active_operation, officer, changes, field, code
):
    response = report(officer, active_operation, **changes)

    payload = response.json()["data"]["reportHit"]
    assert payload["hit"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]


def test_a_report_at_the_domains_limits_is_stored_whole(active_operation, officer):
    items = [{"commodity": "COCAINE", "quantity": str(n + 1), "unit": "GRAM"} for n in range(50)]

    response = report(officer, active_operation, items=items, notes="n" * 10_000)

    payload = response.json()["data"]["reportHit"]
    assert payload["errors"] == []
    hit = Hit.objects.get(
        pk=int(__import__("graphql_relay").from_global_id(payload["hit"]["id"])[1])
    )
    assert hit.items.count() == 50 and len(hit.notes) == 10_000


def test_a_participation_covers_at_most_fifty_locations(operation, coordinator, invitee):
    query = """
    mutation($op: ID!, $agency: ID!, $locations: [String!]) {
      inviteAgency(operationId: $op, agencyId: $agency, locations: $locations) {
        errors { field code }
      }
    }"""
    codes_ = [f"XX{n:03d}" for n in range(51)]
    from operations.models import Participation

    operation.participations.filter(agency=invitee.agency).update(
        state=Participation.State.DECLINED
    )

    answer = gql(
        coordinator,
        query,
        {
            "op": to_global_id("Operation", operation.pk),
            "agency": to_global_id("Agency", invitee.agency.pk),
            "locations": codes_,
        },
    )

    assert [e["code"] for e in answer["data"]["inviteAgency"]["errors"]] == ["TOO_MANY"]


# --- a busy server ----------------------------------------------------------------------------


def pool_timeout():
    from django.db import OperationalError
    from psycopg_pool import PoolTimeout

    try:
        raise PoolTimeout("couldn't get a connection after 10.00 sec")
    except PoolTimeout as exc:
        error = OperationalError(str(exc))
        error.__cause__ = exc
        return error


def test_an_exhausted_pool_during_a_query_is_a_503_to_retry(officer, monkeypatch):
    def busy(*args, **kwargs):
        raise pool_timeout()

    monkeypatch.setattr("operations.selectors.operation_list_for_user", busy)

    response = post(client_for(officer), {"query": "{ operations { totalCount } }"})

    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert codes(response) == ["SERVICE_BUSY"]


def test_an_exhausted_pool_before_the_view_is_a_json_503_not_an_html_500(officer, monkeypatch):
    from agencies.services import api_token_create

    token = api_token_create(user=officer)[1]

    def busy(**kwargs):
        raise pool_timeout()

    monkeypatch.setattr("agencies.services.api_token_authenticate", busy)
    client = Client(raise_request_exception=False)

    response = post(
        client, {"query": "{ me { user { username } } }"}, Authorization=f"Bearer {token}"
    )

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert codes(response) == ["SERVICE_BUSY"]


def test_any_other_failure_at_the_endpoint_is_a_json_500(officer, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("agencies.services.api_token_authenticate", broken)
    client = Client(raise_request_exception=False)

    response = post(client, {"query": "{ me { user { username } } }"}, Authorization="Bearer jo_x")

    assert response.status_code == 500
    assert codes(response) == ["INTERNAL_ERROR"]
    assert "a bug" not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "{ entitySuggestions(operationIds: [], minScore: null) { edges { node { score } } } }",
        '{ entityNetwork(id: "actor:1", depth: null) { nodes { label } } }',
        "{ analysisRuns(first: null) { hitCount } }",
    ],
)
def test_an_explicit_null_for_an_argument_with_a_default_means_the_default(coordinator, query):
    response = post(client_for(coordinator), {"query": query})

    assert response.status_code < 500
    assert "INTERNAL_ERROR" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ analysisRuns(first: 0) { id } }", "PAGE_SIZE_INVALID"),
        ("{ analysisRuns(first: -5) { id } }", "PAGE_SIZE_INVALID"),
        ("{ analysisRuns(first: 101) { id } }", "PAGE_SIZE_INVALID"),
        (
            'query($id: ID!) { operation(id: $id) { timeline(from: "2027-03-01T08:00:00") '
            "{ edges { node { kind } } } } }",
            "INVALID_FILTER",
        ),
    ],
)
def test_a_page_size_or_a_time_no_list_takes_is_refused_with_its_code(
    operation, coordinator, query, code
):
    answer = gql(coordinator, query, {"id": to_global_id("Operation", operation.pk)})

    assert [e["extensions"]["code"] for e in answer["errors"]] == [code]


@pytest.fixture
def parses(monkeypatch):
    """The texts parsed from now on, with an empty document cache."""
    from graphql_api.core import requests

    seen = []

    def counting_parse(text, *args, **kwargs):
        seen.append(text)
        return parse(text, *args, **kwargs)

    parse = requests.parse
    monkeypatch.setattr(requests, "parse", counting_parse)
    requests._cached_document.cache_clear()
    yield seen
    requests._cached_document.cache_clear()


def test_a_document_sent_again_is_not_parsed_again(active_operation, coordinator, parses):
    client = client_for(coordinator)
    variables = {"id": to_global_id("Operation", active_operation.pk), "first": 2}

    answers = [post(client, {"query": OPERATION_HITS, "variables": variables}) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert parses == [OPERATION_HITS]


def test_a_document_kept_is_refused_again_with_the_same_errors(officer, parses):
    client = client_for(officer)
    query = "{ me { user { username noSuchField } } }"

    answers = [post(client, {"query": query}) for _ in range(2)]

    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].json() == answers[1].json()
    assert "noSuchField" in answers[1].json()["errors"][0]["message"]
    assert parses == [query]


def test_a_long_document_is_checked_each_time_not_kept(officer, parses):
    from graphql_api.core.requests import CACHED_DOCUMENT_CHARS

    query = "{ me { user { username } } }" + " " * CACHED_DOCUMENT_CHARS
    client = client_for(officer)

    answers = [post(client, {"query": query}) for _ in range(2)]

    assert [a.status_code for a in answers] == [200, 200]
    assert parses == [query, query]


def doubling_fragments(length: int, root: str = "query", on: str = "Query", leaf="me { timeZone }"):
    """A document under a few kilobytes whose fragments each spread the next twice: its
    selection, written out, has 2**length copies of `leaf`."""
    fragments = [f"fragment F{i} on {on} {{ ...F{i + 1} ...F{i + 1} }}" for i in range(length)]
    return "\n".join(
        [f"{root} {{ ...F0 }}", *fragments, f"fragment F{length} on {on} {{ {leaf} }}"]
    )


def test_fragments_that_double_are_refused_by_their_cost_without_being_written_out(db):
    # 2**40 copies: followed copy by copy, the measure would not end
    query = doubling_fragments(40)

    response = post(client_for(), {"query": query})

    assert response.status_code == 400
    assert codes(response) == ["QUERY_TOO_COMPLEX"]


def test_the_root_fields_of_fragments_that_double_are_counted_not_listed():
    from graphql import get_operation_ast, parse

    from graphql_api.core.limits import root_field_names

    document = parse(doubling_fragments(64))

    assert root_field_names(document, get_operation_ast(document)) == {"me": 2**64}


def test_a_fragment_spread_twice_in_one_selection_is_read_once_for_planning():
    from graphql import parse

    from graphql_api.core.selection import _children

    document = parse(
        "{ me { ...A ...A user { id } } } fragment A on Me { timeZone ...B ...B }"
        " fragment B on Me { agency { id } }"
    )
    fragments = {d.name.value: d for d in document.definitions[1:]}
    me = document.definitions[0].selection_set.selections[0]

    assert [f.name.value for f in _children(me.selection_set, fragments)] == [
        "timeZone",
        "agency",
        "user",
    ]
