"""The project's artefacts and commands: schema, demo data, health."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import Client

from agencies.models import Agency, User
from audit.models import AuditEvent
from graphql_api.schema import schema
from operations.models import Operation, Participation
from operations.selectors import operation_list_for_user
from timeline.models import TimeWindow

ROOT = Path(__file__).resolve().parent.parent


def test_committed_schema_matches_the_code():
    committed = (ROOT / "schema.graphql").read_text()

    assert committed.strip() == str(schema).strip(), "schema.graphql drifted: run `make schema`"


def test_seed_demo_builds_the_demo_world_and_is_idempotent(db):
    call_command("seed_demo", stdout=StringIO())
    counts = [
        Agency.objects.count(),
        User.objects.count(),
        Operation.objects.count(),
        Participation.objects.count(),
        TimeWindow.objects.count(),
        AuditEvent.objects.count(),
    ]

    call_command("seed_demo", stdout=StringIO())

    assert [
        Agency.objects.count(),
        User.objects.count(),
        Operation.objects.count(),
        Participation.objects.count(),
        TimeWindow.objects.count(),
        AuditEvent.objects.count(),
    ] == counts
    assert set(
        Agency.objects.filter(kind=Agency.Kind.INTERNATIONAL_ORGANISATION).values_list(
            "acronym", flat=True
        )
    ) == {"WCO", "UNODC", "INTERPOL"}
    national = Agency.objects.exclude(kind=Agency.Kind.INTERNATIONAL_ORGANISATION)
    assert national.count() >= 6
    assert {"BE", "CR", "NG", "MY"} <= set(national.values_list("country", flat=True))
    assert set(Operation.objects.values_list("status", flat=True)) == {"planned", "active"}
    active = Operation.objects.get(status="active")
    assert active.time_windows.filter(kind=TimeWindow.Kind.CONTROL).exists()
    assert active.time_windows.filter(kind=TimeWindow.Kind.OPERATIONAL).exists()
    # The French agency takes part in nothing and sees nothing.
    assert not operation_list_for_user(User.objects.get(username="fr.coordinator")).exists()


def test_healthz_answers(db):
    response = Client().get("/healthz")

    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_graphiql_is_served_to_logged_in_browsers(officer):
    client = Client()
    client.force_login(officer)

    response = client.get("/graphql/", headers={"Accept": "text/html"})

    assert response.status_code == 200 and b"graphiql" in response.content.lower()
    assert "csrftoken" in response.cookies


def test_http_requests_are_validated_by_the_spec_rules_and_the_depth_limit(officer, settings):
    settings.GRAPHQL_MAX_QUERY_DEPTH = 2
    client = Client()
    client.force_login(officer)

    def post(query):
        return client.post("/graphql/", {"query": query}, content_type="application/json")

    unknown, deep = post("{ me { nope } }"), post("{ me { user { agency { name } } } }")

    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["message"] == "Cannot query field 'nope' on type 'Me'."
    assert deep.status_code == 400
    assert "exceeds maximum operation depth" in deep.json()["errors"][0]["message"]
