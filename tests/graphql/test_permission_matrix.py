"""Role x action matrix over every query and mutation of the planning API (issue 2).

Personas (tests/conftest.py): ``coordinator`` (WCO, coordinates ``operation``), ``officer``
(CR customs, accepted participant), ``observer`` (UNODC, accepted observer), ``invitee``
(KE customs, invited, has not answered), ``outsider`` (FR customs, takes no part; may plan
operations of its own) and ``anonymous``.

The privacy rule: an agency with no participation cannot learn that an operation exists.
Its answers about a real, hidden operation are compared byte for byte with its answers
about an id that exists nowhere.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from graphql_relay import to_global_id

from agencies.models import Agency, User
from agencies.selectors import user_list_for_user
from audit.models import AuditEvent
from operations.models import (
    Operation,
    OperationGroupObjectPermission,
    OperationUserObjectPermission,
    Participation,
)
from tests.conftest import END, START, gql, make_agency, make_user
from timeline.models import TimeWindow

pytestmark = pytest.mark.django_db

PERSONAS = ["coordinator", "officer", "observer", "invitee", "outsider", "anonymous"]
MISSING_PK = 999_999


# --- GraphQL documents -------------------------------------------------------------------

ME = """
query Me {
  me {
    user { username }
    agency { acronym }
    canCreateOperations
    invitations { state role operation { code } operationSummary { code name status } }
  }
}
"""

AGENCIES = """
query Agencies {
  agencies(first: 100) { totalCount edges { node { acronym } } }
}
"""

OPERATIONS = """
query Operations($status: [String], $myRole: String) {
  operations(first: 100, status: $status, myRole: $myRole) {
    totalCount
    edges { node { code } }
  }
}
"""

OPERATION = """
query Operation($id: ID!) {
  operation(id: $id) {
    code
    coordinators { username }
    participations { agency { acronym } role state }
    timeWindows { kind locationCode }
    viewerPermissions
    allowedTransitions
  }
}
"""

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    ... on Operation { code }
    ... on Participation {
      state agency { acronym } operation { code } operationSummary { code }
    }
    ... on TimeWindow { kind windowOf: operation { code } }
    ... on Agency { acronym }
    ... on User { username }
  }
}
"""

CREATE_OPERATION = """
mutation CreateOperation($input: OperationCreateInput!) {
  createOperation(input: $input) {
    errors { field code message }
    operation { code status leadAgency { acronym } coordinators { username } }
  }
}
"""

UPDATE_OPERATION = """
mutation UpdateOperation($id: ID!, $input: OperationUpdateInput!) {
  updateOperation(id: $id, input: $input) {
    errors { field code message }
    operation { name }
  }
}
"""

TRANSITION_OPERATION = """
mutation TransitionOperation($id: ID!, $status: OperationStatus!) {
  transitionOperation(id: $id, status: $status) {
    errors { field code message }
    operation { status }
  }
}
"""

INVITE_AGENCY = """
mutation InviteAgency($operationId: ID!, $agencyId: ID!, $role: ParticipationRole) {
  inviteAgency(operationId: $operationId, agencyId: $agencyId, role: $role) {
    errors { field code message }
    participation { state role agency { acronym } }
  }
}
"""

RESPOND_TO_INVITATION = """
mutation RespondToInvitation($participationId: ID!, $response: InvitationResponse!,
                             $contactIds: [ID!]) {
  respondToInvitation(participationId: $participationId, response: $response,
                      contactIds: $contactIds) {
    errors { field code message }
    participation { state operation { code } }
  }
}
"""

CREATE_TIME_WINDOW = """
mutation CreateTimeWindow($operationId: ID!, $input: TimeWindowInput!) {
  createTimeWindow(operationId: $operationId, input: $input) {
    errors { field code message }
    timeWindow { kind startsAt endsAt }
  }
}
"""

UPDATE_TIME_WINDOW = """
mutation UpdateTimeWindow($id: ID!, $input: TimeWindowInput!) {
  updateTimeWindow(id: $id, input: $input) {
    errors { field code message }
    timeWindow { notes revision }
  }
}
"""

DELETE_TIME_WINDOW = """
mutation DeleteTimeWindow($id: ID!) {
  deleteTimeWindow(id: $id) {
    errors { field code message }
    timeWindow { kind }
  }
}
"""


# --- the world the matrix runs in ---------------------------------------------------------


@dataclass(frozen=True)
class World:
    operation: Operation
    users: dict[str, User | None]
    participations: dict[str, Participation]  # by persona name
    phase: TimeWindow
    control: TimeWindow
    newcomer: Agency  # an agency nobody has invited yet

    def gid(self, type_name: str, obj) -> str:
        return to_global_id(type_name, obj.pk)


@pytest.fixture
def world(operation, coordinator, officer, observer, invitee, outsider):
    by_agency = {p.agency_id: p for p in operation.participations.all()}
    return World(
        operation=operation,
        users={
            "coordinator": coordinator,
            "officer": officer,
            "observer": observer,
            "invitee": invitee,
            "outsider": outsider,
            "anonymous": None,
        },
        participations={
            name: by_agency[user.agency_id]
            for name, user in [
                ("coordinator", coordinator),
                ("officer", officer),
                ("observer", observer),
                ("invitee", invitee),
            ]
        },
        phase=operation.time_windows.get(kind=TimeWindow.Kind.OPERATIONAL),
        control=operation.time_windows.get(kind=TimeWindow.Kind.CONTROL),
        newcomer=make_agency("DE-ZOLL", country="DE"),
    )


def gql_raw(user, query: str, variables: dict) -> bytes:
    """The exact bytes the endpoint answers."""
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.post(
        "/graphql/", {"query": query, "variables": variables}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.content


def db_state() -> dict[str, list[dict]]:
    """Every row the planning mutations could touch, grants and audit trail included."""
    models = [
        Operation,
        Operation.coordinators.through,
        Participation,
        Participation.contacts.through,
        TimeWindow,
        OperationUserObjectPermission,
        OperationGroupObjectPermission,
        Agency,
        AuditEvent,
    ]
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}


def last_audit_pk() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# --- the mutation matrix ----------------------------------------------------------------

OK = "ok"
DENIED = "PERMISSION_DENIED"
NOT_FOUND = "NOT_FOUND"
UNAUTHENTICATED = "NOT_AUTHENTICATED"


@dataclass(frozen=True)
class MutationCase:
    document: str
    variables: Callable[[World], dict]
    # The id argument naming the object acted upon, and its global id type (None: no target).
    target: tuple[str, str] | None
    # The argument a refusal should point at (None: the whole input).
    refusal_field: str | None
    audit_action: str
    # Asserts the change was made (given world, actor, payload); returns the audited object.
    applied: Callable[[World, User, dict], object]


def _created(world, actor, payload):
    created = Operation.objects.get(code="NEW-OP")
    assert payload["operation"] == {
        "code": "NEW-OP",
        "status": "DRAFT",
        "leadAgency": {"acronym": actor.agency.acronym},
        "coordinators": [{"username": actor.username}],
    }
    assert created.lead_agency_id == actor.agency_id
    assert list(created.coordinators.all()) == [actor]
    return created


def _renamed(world, actor, payload):
    assert payload["operation"] == {"name": "Renamed by the OCU"}
    world.operation.refresh_from_db()
    assert world.operation.name == "Renamed by the OCU"
    return world.operation


def _planned(world, actor, payload):
    assert payload["operation"] == {"status": "PLANNED"}
    world.operation.refresh_from_db()
    assert world.operation.status == Operation.Status.PLANNED
    return world.operation


def _invited(world, actor, payload):
    assert payload["participation"] == {
        "state": "INVITED",
        "role": "OBSERVER",
        "agency": {"acronym": "DE-ZOLL"},
    }
    participation = Participation.objects.get(operation=world.operation, agency=world.newcomer)
    assert (participation.state, participation.role) == ("invited", "observer")
    return participation


def _accepted(world, actor, payload):
    # The payload is resolved after the grants changed: the new participant sees the operation.
    assert payload["participation"] == {"state": "ACCEPTED", "operation": {"code": "OP-TEST"}}
    participation = world.participations["invitee"]
    participation.refresh_from_db()
    assert participation.state == Participation.State.ACCEPTED
    return participation


def _window_created(world, actor, payload):
    assert payload["timeWindow"] == {
        "kind": "BRIEFING",
        "startsAt": "2027-03-02T08:00:00+00:00",
        "endsAt": "2027-03-02T10:00:00+00:00",
    }
    return world.operation.time_windows.get(kind=TimeWindow.Kind.BRIEFING)


def _window_updated(world, actor, payload):
    assert payload["timeWindow"] == {"notes": "Second shift added", "revision": 1}
    world.control.refresh_from_db()
    assert (world.control.notes, world.control.revision) == ("Second shift added", 1)
    return world.control


def _window_deleted(world, actor, payload):
    assert payload["timeWindow"] == {"kind": "CONTROL"}
    world.control.refresh_from_db()
    assert world.control.deleted_at is not None
    return world.control


MUTATIONS: dict[str, MutationCase] = {
    "createOperation": MutationCase(
        CREATE_OPERATION,
        lambda w: {
            "input": {
                "code": "NEW-OP",
                "name": "New operation",
                "focus": "CONTAINERS",
                "plannedStart": START.isoformat(),
                "plannedEnd": END.isoformat(),
                "timeZone": "Africa/Nairobi",
            }
        },
        None,
        None,
        "operation.create",
        _created,
    ),
    "updateOperation": MutationCase(
        UPDATE_OPERATION,
        lambda w: {"id": w.gid("Operation", w.operation), "input": {"name": "Renamed by the OCU"}},
        ("id", "Operation"),
        "id",
        "operation.update",
        _renamed,
    ),
    "transitionOperation": MutationCase(
        TRANSITION_OPERATION,
        lambda w: {"id": w.gid("Operation", w.operation), "status": "PLANNED"},
        ("id", "Operation"),
        "id",
        "operation.transition",
        _planned,
    ),
    "inviteAgency": MutationCase(
        INVITE_AGENCY,
        lambda w: {
            "operationId": w.gid("Operation", w.operation),
            "agencyId": w.gid("Agency", w.newcomer),
            "role": "OBSERVER",
        },
        ("operationId", "Operation"),
        "operationId",
        "participation.invite",
        _invited,
    ),
    "respondToInvitation": MutationCase(
        RESPOND_TO_INVITATION,
        lambda w: {
            "participationId": w.gid("Participation", w.participations["invitee"]),
            "response": "ACCEPT",
        },
        ("participationId", "Participation"),
        "participationId",
        "participation.accept",
        _accepted,
    ),
    "createTimeWindow": MutationCase(
        CREATE_TIME_WINDOW,
        lambda w: {
            "operationId": w.gid("Operation", w.operation),
            "input": {
                "kind": "BRIEFING",
                "startsAt": (START + timedelta(days=1)).isoformat(),
                "endsAt": (START + timedelta(days=1, hours=2)).isoformat(),
            },
        },
        ("operationId", "Operation"),
        "operationId",
        "time_window.create",
        _window_created,
    ),
    "updateTimeWindow": MutationCase(
        UPDATE_TIME_WINDOW,
        lambda w: {"id": w.gid("TimeWindow", w.control), "input": {"notes": "Second shift added"}},
        ("id", "TimeWindow"),
        "id",
        "time_window.update",
        _window_updated,
    ),
    "deleteTimeWindow": MutationCase(
        DELETE_TIME_WINDOW,
        lambda w: {"id": w.gid("TimeWindow", w.control)},
        ("id", "TimeWindow"),
        "id",
        "time_window.delete",
        _window_deleted,
    ),
}

_CHANGE_PLAN = {
    "coordinator": OK,
    "officer": DENIED,
    "observer": DENIED,
    "invitee": NOT_FOUND,
    "outsider": NOT_FOUND,
    "anonymous": UNAUTHENTICATED,
}
MATRIX: dict[str, dict[str, str]] = {
    # Planning needs operations.add_operation: the coordinator and the outsider hold it.
    "createOperation": {
        "coordinator": OK,
        "officer": DENIED,
        "observer": DENIED,
        "invitee": DENIED,
        "outsider": OK,
        "anonymous": UNAUTHENTICATED,
    },
    "updateOperation": _CHANGE_PLAN,
    "transitionOperation": _CHANGE_PLAN,
    "inviteAgency": _CHANGE_PLAN,
    # Only a user of the invited agency answers; to anybody else the invitation does not exist.
    "respondToInvitation": {
        "coordinator": NOT_FOUND,
        "officer": NOT_FOUND,
        "observer": NOT_FOUND,
        "invitee": OK,
        "outsider": NOT_FOUND,
        "anonymous": UNAUTHENTICATED,
    },
    "createTimeWindow": _CHANGE_PLAN,
    "updateTimeWindow": _CHANGE_PLAN,
    "deleteTimeWindow": _CHANGE_PLAN,
}
assert set(MATRIX) == set(MUTATIONS)
assert all(set(row) == set(PERSONAS) for row in MATRIX.values())


def _cells(*outcomes: str) -> list:
    return [
        pytest.param(mutation, persona, id=f"{mutation}-{persona}")
        for mutation, row in MATRIX.items()
        for persona, outcome in row.items()
        if outcome in outcomes
    ]


def _run(world: World, mutation: str, persona: str, **overrides) -> dict:
    case = MUTATIONS[mutation]
    return gql(world.users[persona], case.document, {**case.variables(world), **overrides})


@pytest.mark.parametrize(("mutation", "persona"), _cells(OK))
def test_permitted_mutation_applies_the_change_and_audits_it(world, mutation, persona):
    # given
    case, actor = MUTATIONS[mutation], world.users[persona]
    audited_before = last_audit_pk()

    # when
    answer = _run(world, mutation, persona)

    # then
    assert "errors" not in answer
    payload = answer["data"][mutation]
    assert payload["errors"] == []
    changed = case.applied(world, actor, payload)
    events = list(
        AuditEvent.objects.filter(pk__gt=audited_before).values_list(
            "action", "object_id", "actor_id", "actor_agency_id"
        )
    )
    assert events == [(case.audit_action, str(changed.pk), actor.pk, actor.agency_id)]


@pytest.mark.parametrize(("mutation", "persona"), _cells(DENIED, NOT_FOUND))
def test_refused_mutation_answers_exactly_one_error_and_changes_nothing(world, mutation, persona):
    # given
    expected_code = MATRIX[mutation][persona]
    before = db_state()

    # when
    answer = _run(world, mutation, persona)

    # then
    assert "errors" not in answer
    payload = answer["data"][mutation]
    assert [error["code"] for error in payload["errors"]] == [expected_code]
    assert all(value is None for key, value in payload.items() if key != "errors")
    assert db_state() == before


def _refusal_cells() -> list:
    cells = []
    for mutation, row in MATRIX.items():
        for persona, outcome in row.items():
            if outcome not in (DENIED, NOT_FOUND):
                continue
            cells.append(pytest.param(mutation, persona, id=f"{mutation}-{persona}"))
    return cells


@pytest.mark.parametrize(("mutation", "persona"), _refusal_cells())
def test_refusal_error_points_at_the_argument_at_fault(world, mutation, persona):
    # given: Error.field is "the input field at fault (camelCase); null for the whole input"
    expected_field = MUTATIONS[mutation].refusal_field

    # when
    answer = _run(world, mutation, persona)

    # then
    errors = answer["data"][mutation]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        (expected_field, MATRIX[mutation][persona])
    ]


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_anonymous_mutation_is_refused_at_top_level_and_changes_nothing(world, mutation):
    # given
    before = db_state()

    # when
    answer = _run(world, mutation, "anonymous")

    # then: refused as a whole request (HTTP 401), before anything ran
    assert "data" not in answer
    assert [e["extensions"] for e in answer["errors"]] == [{"code": "NOT_AUTHENTICATED"}]
    assert db_state() == before


HIDDEN_TARGET_CELLS = [
    pytest.param(mutation, persona, id=f"{mutation}-{persona}")
    for mutation, case in MUTATIONS.items()
    if case.target is not None
    for persona in ("invitee", "outsider")
    if MATRIX[mutation][persona] == NOT_FOUND
]


@pytest.mark.parametrize(("mutation", "persona"), HIDDEN_TARGET_CELLS)
def test_mutation_on_hidden_object_answers_byte_for_byte_as_on_missing_id(world, mutation, persona):
    # given: a real object of the hidden operation, and an id of the same type that exists nowhere
    case, user = MUTATIONS[mutation], world.users[persona]
    variable, type_name = case.target
    variables = case.variables(world)
    missing = {**variables, variable: to_global_id(type_name, MISSING_PK)}
    before = db_state()

    # when
    about_real = gql_raw(user, case.document, variables)
    about_missing = gql_raw(user, case.document, missing)

    # then
    assert about_real == about_missing
    assert json.loads(about_real)["data"][mutation]["errors"] == [
        {"field": variable, "code": "NOT_FOUND", "message": f"{type_name} not found."}
    ]
    assert db_state() == before


def test_observer_can_view_the_plan_but_every_change_is_denied(world, observer):
    # given
    seen = gql(observer, OPERATION, {"id": world.gid("Operation", world.operation)})

    # then: read-only view
    assert seen["data"]["operation"]["viewerPermissions"] == ["view_operation"]
    assert seen["data"]["operation"]["allowedTransitions"] == []
    # and: each change of plan is refused, nothing moves
    before = db_state()
    plan_changes = [
        "updateOperation",
        "transitionOperation",
        "inviteAgency",
        "createTimeWindow",
        "updateTimeWindow",
        "deleteTimeWindow",
    ]
    for mutation in plan_changes:
        payload = _run(world, mutation, "observer")["data"][mutation]
        assert [e["code"] for e in payload["errors"]] == [DENIED], mutation
    assert db_state() == before


def test_participant_answers_only_for_its_own_agency(world, officer):
    # given: the officer's agency takes part; the observer's agency too
    own = world.gid("Participation", world.participations["officer"])
    other = world.gid("Participation", world.participations["observer"])

    # when: the officer tries to withdraw the observer's agency
    refused = gql(
        officer, RESPOND_TO_INVITATION, {"participationId": other, "response": "WITHDRAW"}
    )

    # then
    assert refused["data"]["respondToInvitation"]["errors"] == [
        {"field": "participationId", "code": "NOT_FOUND", "message": "Participation not found."}
    ]
    assert world.participations["observer"].state == Participation.State.ACCEPTED

    # when: it withdraws its own agency
    withdrawn = gql(
        officer, RESPOND_TO_INVITATION, {"participationId": own, "response": "WITHDRAW"}
    )

    # then: done, audited, and the operation is hidden from it from now on
    assert withdrawn["data"]["respondToInvitation"] == {
        "errors": [],
        "participation": {"state": "WITHDRAWN", "operation": None},
    }
    assert AuditEvent.objects.filter(action="participation.withdraw", actor=officer).count() == 1
    again = gql(officer, OPERATION, {"id": world.gid("Operation", world.operation)})
    assert again == {"data": {"operation": None}}


def test_outsider_cannot_learn_a_hidden_operation_code_by_creating_one(world, outsider):
    # given: OP-TEST exists, hidden from the outsider; NOBODY-HAS-THIS does not exist
    def create(code):
        variables = MUTATIONS["createOperation"].variables(world)
        variables["input"]["code"] = code
        return gql(outsider, CREATE_OPERATION, variables)["data"]["createOperation"]

    # when
    about_hidden = create("OP-TEST")
    about_missing = create("NOBODY-HAS-THIS")

    # then: both answers look alike (both succeed, or neither reveals which codes are taken)
    assert about_missing["errors"] == []
    assert [e["code"] for e in about_hidden["errors"]] == []
    assert Operation.objects.filter(code="OP-TEST").count() == 2


# --- queries ------------------------------------------------------------------------------

ME_EXPECTED = {
    "coordinator": ("wco.coordinator", "WCO", True, []),
    "officer": ("cr.officer", "CR-CUSTOMS", False, []),
    "observer": ("unodc.observer", "UNODC", False, []),
    "invitee": (
        "ke.officer",
        "KE-KRA",
        False,
        [
            {
                "state": "INVITED",
                "role": "PARTICIPANT",
                "operation": None,
                "operationSummary": {
                    "code": "OP-TEST",
                    "name": "Test operation",
                    "status": "DRAFT",
                },
            },
        ],
    ),
    "outsider": ("fr.officer", "FR-DGDDI", True, []),
}


@pytest.mark.parametrize("persona", list(ME_EXPECTED))
def test_me_describes_the_caller_and_its_open_invitations(world, persona):
    username, acronym, can_create, invitations = ME_EXPECTED[persona]

    answer = gql(world.users[persona], ME)

    assert answer == {
        "data": {
            "me": {
                "user": {"username": username},
                "agency": {"acronym": acronym},
                "canCreateOperations": can_create,
                "invitations": invitations,
            }
        }
    }


def test_me_is_null_for_anonymous_without_error(world):
    assert gql(None, ME) == {"data": {"me": None}}


@pytest.mark.parametrize("persona", ["coordinator", "officer", "observer", "invitee", "outsider"])
def test_agency_directory_is_the_same_for_every_logged_in_user(world, persona):
    answer = gql(world.users[persona], AGENCIES)

    agencies = answer["data"]["agencies"]
    assert [e["node"]["acronym"] for e in agencies["edges"]] == [
        "CR-CUSTOMS",
        "DE-ZOLL",
        "FR-DGDDI",
        "KE-KRA",
        "UNODC",
        "WCO",
    ]
    assert agencies["totalCount"] == 6


OPERATIONS_EXPECTED = {
    "coordinator": ["OP-TEST"],
    "officer": ["OP-TEST"],
    "observer": ["OP-TEST"],
    "invitee": [],
    "outsider": [],
}


@pytest.mark.parametrize("persona", list(OPERATIONS_EXPECTED))
def test_operation_list_holds_only_operations_the_caller_takes_part_in(world, persona):
    answer = gql(world.users[persona], OPERATIONS)

    listed = answer["data"]["operations"]
    assert [e["node"]["code"] for e in listed["edges"]] == OPERATIONS_EXPECTED[persona]
    assert listed["totalCount"] == len(OPERATIONS_EXPECTED[persona])


@pytest.mark.parametrize(
    "variables",
    [
        {},
        {"status": ["DRAFT"]},
        {"myRole": "PARTICIPANT"},
        {"myRole": "COORDINATOR"},
    ],
    ids=["all", "draft", "my-role-participant", "my-role-coordinator"],
)
@pytest.mark.parametrize("persona", ["invitee", "outsider"])
def test_operation_list_of_a_non_participant_is_empty_whatever_the_filter(
    world, persona, variables
):
    answer = gql(world.users[persona], OPERATIONS, variables)

    assert answer == {"data": {"operations": {"totalCount": 0, "edges": []}}}


PLAN = {
    "code": "OP-TEST",
    "coordinators": [{"username": "wco.coordinator"}],
    "participations": [
        {"agency": {"acronym": "CR-CUSTOMS"}, "role": "PARTICIPANT", "state": "ACCEPTED"},
        {"agency": {"acronym": "KE-KRA"}, "role": "PARTICIPANT", "state": "INVITED"},
        {"agency": {"acronym": "UNODC"}, "role": "OBSERVER", "state": "ACCEPTED"},
        {"agency": {"acronym": "WCO"}, "role": "LEAD", "state": "ACCEPTED"},
    ],
    "timeWindows": [
        {"kind": "OPERATIONAL", "locationCode": None},
        {"kind": "CONTROL", "locationCode": "CRSJO"},
    ],
}
OPERATION_EXPECTED = {
    "coordinator": {
        **PLAN,
        "viewerPermissions": [
            "analyse_operation",
            "change_operation",
            "coordinate_operation",
            "report_hit",
            "view_operation",
        ],
        "allowedTransitions": ["CANCELLED", "PLANNED"],
    },
    "officer": {
        **PLAN,
        "viewerPermissions": ["report_hit", "view_operation"],
        "allowedTransitions": [],
    },
    "observer": {**PLAN, "viewerPermissions": ["view_operation"], "allowedTransitions": []},
    "invitee": None,
    "outsider": None,
}


@pytest.mark.parametrize("persona", list(OPERATION_EXPECTED))
def test_operation_by_id_shows_the_plan_only_to_viewers(world, persona):
    answer = gql(world.users[persona], OPERATION, {"id": world.gid("Operation", world.operation)})

    assert answer == {"data": {"operation": OPERATION_EXPECTED[persona]}}


# node(id): which persona sees which object, and what it sees of it.
NODE_TARGETS: dict[str, Callable[[World], tuple[str, object]]] = {
    "operation": lambda w: ("Operation", w.operation),
    "officer_participation": lambda w: ("Participation", w.participations["officer"]),
    "invitee_participation": lambda w: ("Participation", w.participations["invitee"]),
    "operational_phase": lambda w: ("TimeWindow", w.phase),
    "control_window": lambda w: ("TimeWindow", w.control),
    "lead_agency": lambda w: ("Agency", w.operation.lead_agency),
    "coordinator_user": lambda w: ("User", w.users["coordinator"]),
}
_OP = {"code": "OP-TEST"}
SEEN = {
    "operation": {"__typename": "Operation", "code": "OP-TEST"},
    "officer_participation": {
        "__typename": "Participation",
        "state": "ACCEPTED",
        "agency": {"acronym": "CR-CUSTOMS"},
        "operation": _OP,
        "operationSummary": _OP,
    },
    "invitee_participation": {
        "__typename": "Participation",
        "state": "INVITED",
        "agency": {"acronym": "KE-KRA"},
        "operation": _OP,
        "operationSummary": _OP,
    },
    "operational_phase": {"__typename": "TimeWindow", "kind": "OPERATIONAL", "windowOf": _OP},
    "control_window": {"__typename": "TimeWindow", "kind": "CONTROL", "windowOf": _OP},
    "lead_agency": {"__typename": "Agency", "acronym": "WCO"},
    "coordinator_user": {"__typename": "User", "username": "wco.coordinator"},
}
VIEWERS = ("coordinator", "officer", "observer")
NODE_EXPECTED = {
    (target, persona): (SEEN[target] if persona in VIEWERS else None)
    for target in NODE_TARGETS
    for persona in PERSONAS
    if persona != "anonymous"
}
# The directory of agencies is open to every logged-in user.
NODE_EXPECTED[("lead_agency", "invitee")] = SEEN["lead_agency"]
NODE_EXPECTED[("lead_agency", "outsider")] = SEEN["lead_agency"]
# The invitee sees its own invitation, but not the operation behind it.
NODE_EXPECTED[("invitee_participation", "invitee")] = {
    **SEEN["invitee_participation"],
    "operation": None,
}


@pytest.mark.parametrize(
    ("target", "persona"),
    [
        pytest.param(
            target,
            persona,
            id=f"{target}-{persona}",
        )
        for target, persona in NODE_EXPECTED
    ],
)
def test_node_by_id_shows_each_object_only_to_who_may_see_it(world, target, persona):
    type_name, obj = NODE_TARGETS[target](world)

    answer = gql(world.users[persona], NODE, {"id": to_global_id(type_name, obj.pk)})

    assert answer == {"data": {"node": NODE_EXPECTED[(target, persona)]}}


ANONYMOUS_QUERIES = {
    "agencies": (AGENCIES, lambda w: {}),
    "operations": (OPERATIONS, lambda w: {}),
    "operation": (OPERATION, lambda w: {"id": w.gid("Operation", w.operation)}),
    "node": (NODE, lambda w: {"id": w.gid("Agency", w.operation.lead_agency)}),
}


@pytest.mark.parametrize("field", list(ANONYMOUS_QUERIES))
def test_anonymous_query_is_refused_at_top_level(world, field):
    document, variables = ANONYMOUS_QUERIES[field]

    answer = gql(None, document, variables(world))

    assert "data" not in answer  # refused as a whole request (HTTP 401)
    assert [e["extensions"] for e in answer["errors"]] == [{"code": "NOT_AUTHENTICATED"}]


HIDDEN_QUERY_CASES = {
    "operation": (OPERATION, "Operation", lambda w: w.operation),
    "node-operation": (NODE, "Operation", lambda w: w.operation),
    "node-participation": (NODE, "Participation", lambda w: w.participations["officer"]),
    "node-invitation": (NODE, "Participation", lambda w: w.participations["invitee"]),
    "node-phase": (NODE, "TimeWindow", lambda w: w.phase),
    "node-control-window": (NODE, "TimeWindow", lambda w: w.control),
    "node-coordinator": (NODE, "User", lambda w: w.users["coordinator"]),
}


@pytest.mark.parametrize(
    "case",
    [pytest.param(case) for case in HIDDEN_QUERY_CASES],
)
def test_outsider_query_on_hidden_object_answers_byte_for_byte_as_on_missing_id(
    world, outsider, case
):
    document, type_name, target = HIDDEN_QUERY_CASES[case]

    about_real = gql_raw(outsider, document, {"id": to_global_id(type_name, target(world).pk)})
    about_missing = gql_raw(outsider, document, {"id": to_global_id(type_name, MISSING_PK)})

    assert about_real == about_missing
    assert json.loads(about_real) == {
        "data": {"operation" if case == "operation" else "node": None}
    }


def test_outsider_list_and_invitations_carry_no_trace_of_the_hidden_operation(world, outsider):
    # given: a fresh agency that has never heard of any operation
    stranger = make_user("us.officer", make_agency("US-CBP", country="US"), planner=True)

    # then: the outsider's answers are the stranger's, byte for byte, but for its own name
    for document in (OPERATIONS, AGENCIES):
        assert gql_raw(outsider, document, {}) == gql_raw(stranger, document, {})
    mine = json.loads(gql_raw(outsider, ME, {}))["data"]["me"]
    theirs = json.loads(gql_raw(stranger, ME, {}))["data"]["me"]
    assert mine["invitations"] == theirs["invitations"] == []


def test_invitee_sees_its_invitation_but_not_the_operation(world, invitee):
    invitation = world.participations["invitee"]

    me = gql(invitee, ME)["data"]["me"]
    by_id = gql(invitee, OPERATION, {"id": world.gid("Operation", world.operation)})
    as_node = gql(invitee, NODE, {"id": world.gid("Participation", invitation)})

    assert [i["operationSummary"]["code"] for i in me["invitations"]] == ["OP-TEST"]
    assert [i["operation"] for i in me["invitations"]] == [None]
    assert by_id == {"data": {"operation": None}}
    assert as_node["data"]["node"]["operation"] is None
    assert as_node["data"]["node"]["operationSummary"] == {"code": "OP-TEST"}


def test_invitee_sees_the_operation_once_it_accepts(world, invitee):
    invitation = world.gid("Participation", world.participations["invitee"])

    gql(invitee, RESPOND_TO_INVITATION, {"participationId": invitation, "response": "ACCEPT"})

    by_id = gql(invitee, OPERATION, {"id": world.gid("Operation", world.operation)})
    assert by_id["data"]["operation"]["viewerPermissions"] == ["report_hit", "view_operation"]
    assert gql(invitee, ME)["data"]["me"]["invitations"] == []


# --- User nodes: self, same agency, coordinators and contacts of visible operations ----------


@pytest.fixture
def colleague(officer):
    """A second officer of the participating Costa Rica customs."""
    return make_user("cr.colleague", officer.agency)


USER_VISIBILITY = [
    # (viewer, target, visible)
    ("coordinator", "coordinator", True),  # self
    ("outsider", "outsider", True),  # self, with no operation at all
    ("invitee", "invitee", True),
    ("officer", "colleague", True),  # same agency
    ("officer", "coordinator", True),  # coordinator of an operation it sees
    ("observer", "coordinator", True),
    ("invitee", "coordinator", False),  # invited, not accepted: no operation visible
    ("outsider", "coordinator", False),
    ("coordinator", "officer", False),  # a participant who is not a named contact
    ("coordinator", "outsider", False),
    ("observer", "colleague", False),
    ("outsider", "officer", False),
    ("officer", "invitee", False),
]


USER_VISIBILITY_IDS = [f"{v}-sees-{t}" if s else f"{v}-not-{t}" for v, t, s in USER_VISIBILITY]


@pytest.mark.parametrize(("viewer", "target", "visible"), USER_VISIBILITY, ids=USER_VISIBILITY_IDS)
def test_user_selector_applies_the_visibility_rules(world, colleague, viewer, target, visible):
    users = {**world.users, "colleague": colleague}

    seen = user_list_for_user(users[viewer]).filter(pk=users[target].pk).exists()

    assert seen is visible


@pytest.mark.parametrize(("viewer", "target", "visible"), USER_VISIBILITY, ids=USER_VISIBILITY_IDS)
def test_user_node_visibility(world, colleague, viewer, target, visible):
    users = {**world.users, "colleague": colleague}

    answer = gql(users[viewer], NODE, {"id": to_global_id("User", users[target].pk)})

    expected = {"__typename": "User", "username": users[target].username} if visible else None
    assert answer == {"data": {"node": expected}}


def test_named_contact_joins_the_people_the_operation_may_see(world, invitee):
    # given
    coordinator, observer, outsider = (
        world.users[n] for n in ("coordinator", "observer", "outsider")
    )
    assert not user_list_for_user(coordinator).filter(pk=invitee.pk).exists()

    # when: Kenya accepts and names its officer as contact
    answer = gql(
        invitee,
        RESPOND_TO_INVITATION,
        {
            "participationId": world.gid("Participation", world.participations["invitee"]),
            "response": "ACCEPT",
            "contactIds": [to_global_id("User", invitee.pk)],
        },
    )
    assert answer["data"]["respondToInvitation"]["errors"] == []

    # then
    assert user_list_for_user(coordinator).filter(pk=invitee.pk).exists()
    assert user_list_for_user(observer).filter(pk=invitee.pk).exists()
    assert not user_list_for_user(outsider).filter(pk=invitee.pk).exists()


def test_named_contact_node_becomes_visible_to_the_operation_and_only_to_it(world, invitee):
    # given: the coordinator cannot see the Kenyan officer yet
    coordinator, outsider = world.users["coordinator"], world.users["outsider"]
    invitee_id = to_global_id("User", invitee.pk)
    assert gql(coordinator, NODE, {"id": invitee_id}) == {"data": {"node": None}}

    # when: Kenya accepts and names the officer as its contact
    answer = gql(
        invitee,
        RESPOND_TO_INVITATION,
        {
            "participationId": world.gid("Participation", world.participations["invitee"]),
            "response": "ACCEPT",
            "contactIds": [invitee_id],
        },
    )
    assert answer["data"]["respondToInvitation"]["errors"] == []

    # then: people of the operation see the contact; the outsider still does not
    seen = {"data": {"node": {"__typename": "User", "username": "ke.officer"}}}
    assert gql(coordinator, NODE, {"id": invitee_id}) == seen
    assert gql(world.users["observer"], NODE, {"id": invitee_id}) == seen
    assert gql(outsider, NODE, {"id": invitee_id}) == {"data": {"node": None}}
