"""Named personas and helpers shared by the whole suite.

- ``coordinator``: WCO officer who plans operations (holds ``add_operation``) and
  coordinates ``operation``.
- ``officer``: Costa Rica customs officer; their agency takes part (accepted).
- ``observer``: UNODC officer; their agency observes (accepted, read-only).
- ``invitee``: Kenya customs officer; their agency is invited, has not answered.
- ``outsider``: French customs officer; their agency takes no part at all.
- ``ng_officer``: Nigerian customs officer, a second participant of ``active_operation``.
- anonymous: ``gql(None, ...)``.
"""

import os
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from agencies.models import Agency, User
from operations import services
from operations.models import Operation, Participation
from timeline.models import TimeWindow
from timeline.services import time_window_create

START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
END = START + timedelta(days=30)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Production settings redirect to HTTPS; the test client speaks plain HTTP.
    settings.SECURE_SSL_REDIRECT = False
    # A real password hash costs half a second; tests make many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def services_required() -> bool:
    """True in CI's second run: PostgreSQL and Redis must be there, never skipped."""
    return os.environ.get("JOINTOPS_REQUIRE_SERVICES") == "1"


def require_postgres() -> None:
    """For a test of PostgreSQL's own behaviour: it fails in CI's second run when the
    database is anything else, and is skipped on a developer's embedded default."""
    from django.db import connection

    if connection.vendor != "postgresql":
        if services_required():
            pytest.fail("PostgreSQL is required in this run")
        pytest.skip("needs PostgreSQL (DATABASE_URL): CI's second run has it")


def make_agency(acronym: str, kind=Agency.Kind.CUSTOMS, country="BE") -> Agency:
    agency = Agency(name=f"Agency {acronym}", acronym=acronym, kind=kind, country=country)
    agency.full_clean()
    agency.save()
    return agency


def make_user(username: str, agency: Agency | None, *, planner=False) -> User:
    user = User.objects.create_user(username=username, password="pw-for-tests-only", agency=agency)
    if planner:
        user.user_permissions.add(
            Permission.objects.get(codename="add_operation", content_type__app_label="operations")
        )
        user = User.objects.get(pk=user.pk)  # drop the permission cache
    return user


@pytest.fixture
def wco(db):
    return make_agency("WCO", Agency.Kind.INTERNATIONAL_ORGANISATION, "")


@pytest.fixture
def cr_customs(db):
    return make_agency("CR-CUSTOMS", country="CR")


@pytest.fixture
def unodc(db):
    return make_agency("UNODC", Agency.Kind.INTERNATIONAL_ORGANISATION, "")


@pytest.fixture
def ke_customs(db):
    return make_agency("KE-KRA", country="KE")


@pytest.fixture
def fr_customs(db):
    return make_agency("FR-DGDDI", country="FR")


@pytest.fixture
def coordinator(wco):
    return make_user("wco.coordinator", wco, planner=True)


@pytest.fixture
def officer(cr_customs):
    return make_user("cr.officer", cr_customs)


@pytest.fixture
def observer(unodc):
    return make_user("unodc.observer", unodc)


@pytest.fixture
def invitee(ke_customs):
    return make_user("ke.officer", ke_customs)


@pytest.fixture
def outsider(fr_customs):
    return make_user("fr.officer", fr_customs, planner=True)


def accept(operation, coordinator, user, role=Participation.Role.PARTICIPANT):
    participation = services.participation_invite(
        actor=coordinator, operation=operation, agency=user.agency, role=role
    )
    return services.participation_respond(
        actor=user, participation=participation, response=services.InvitationResponse.ACCEPT
    )


def make_operation(coordinator, code="OP-TEST", **fields) -> Operation:
    values = {
        "name": "Test operation",
        "focus": Operation.Focus.DRUGS,
        "planned_start": START,
        "planned_end": END,
        "time_zone": "Europe/Brussels",
    }
    values.update(fields)
    return services.operation_create(actor=coordinator, code=code, **values)


@pytest.fixture
def operation(coordinator, officer, observer, invitee, outsider):
    """A draft operation: officer's agency accepted, observer's observes, invitee invited,
    with an operational phase and one control window for the officer's agency."""
    op = make_operation(coordinator)
    participation = accept(op, coordinator, officer)
    accept(op, coordinator, observer, role=Participation.Role.OBSERVER)
    services.participation_invite(actor=coordinator, operation=op, agency=invitee.agency)
    time_window_create(
        actor=coordinator,
        operation=op,
        kind=TimeWindow.Kind.OPERATIONAL,
        starts_at=START + timedelta(days=2),
        ends_at=START + timedelta(days=20),
    )
    time_window_create(
        actor=coordinator,
        operation=op,
        kind=TimeWindow.Kind.CONTROL,
        participation=participation,
        location_code="CRSJO",
        starts_at=START + timedelta(days=3),
        ends_at=START + timedelta(days=3, hours=8),
    )
    return op


@pytest.fixture
def ng_officer(db):
    return make_user("ng.officer", make_agency("NG-CUSTOMS", country="NG"))


@pytest.fixture
def active_operation(coordinator, officer, observer, outsider, ng_officer):
    """Active now: officer's agency (control window now -1h..+8h), a second participant
    (NG customs, no control window: reports within the operational phase), an observer."""
    now = timezone.now()
    op = make_operation(
        coordinator,
        code="LIVE-OP",
        planned_start=now - timedelta(days=2),
        planned_end=now + timedelta(days=10),
        time_zone="America/Costa_Rica",
    )
    participation = accept(op, coordinator, officer)
    accept(op, coordinator, ng_officer)
    accept(op, coordinator, observer, role=Participation.Role.OBSERVER)
    time_window_create(
        actor=coordinator,
        operation=op,
        kind=TimeWindow.Kind.OPERATIONAL,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=5),
    )
    time_window_create(
        actor=coordinator,
        operation=op,
        kind=TimeWindow.Kind.CONTROL,
        participation=participation,
        location_code="SJO",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=8),
    )
    services.operation_transition(
        actor=coordinator, operation=op, to_status=Operation.Status.PLANNED
    )
    services.operation_transition(
        actor=coordinator, operation=op, to_status=Operation.Status.ACTIVE
    )
    op.refresh_from_db()
    return op


def gql(user, query: str, variables: dict | None = None, client: Client | None = None) -> dict:
    """POST a GraphQL document as `user` (None: anonymous); return the decoded answer."""
    client = client or Client()
    if user is not None:
        client.force_login(user)
    response = client.post(
        "/graphql/", {"query": query, "variables": variables or {}}, content_type="application/json"
    )
    answer = response.json()
    # 200 when nothing went wrong; a client's mistake is a 4xx with its code; never a 5xx.
    assert response.status_code < 500, response.content
    assert (response.status_code == 200) == ("errors" not in answer), response.content
    return answer
