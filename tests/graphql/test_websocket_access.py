"""Open websockets follow the access of their user: a revoked token, a deactivated
account, a logged-out session close the socket (4403); an operation or analysis run the
user may no longer see ends its subscriptions with NOT_FOUND, the socket staying open."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone
from graphql_relay import to_global_id

from agencies import services as agency_services
from agencies.models import ApiToken, User
from audit.models import AuditEvent
from config.asgi import application
from network_analysis import services as analysis_services
from operations import events, services
from operations.models import Participation
from tests.hits.conftest import report

pytestmark = pytest.mark.django_db(transaction=True)

HIT_REPORTED = """subscription($op: ID!) { hitReported(operationId: $op) { sequence } }"""
OPERATION_CHANGED = """subscription($op: ID!) { operationChanged(operationId: $op) { what } }"""
PROGRESS = """subscription($run: ID!) { analysisProgress(runId: $run) { state } }"""
CLOSED_FORBIDDEN = {"type": "websocket.close", "code": 4403}


@pytest.fixture(autouse=True)
def _no_periodic_recheck(settings):
    """Events alone must do it; tests of the periodic re-check shorten the interval."""
    settings.GRAPHQL_WS_REAUTH_INTERVAL = 3600


def new_token(user) -> tuple[ApiToken, str]:
    return agency_services.api_token_create(user=user)


async def connect(token: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        application, "/graphql/", subprotocols=["graphql-transport-ws"]
    )
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to(
        {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
    )
    assert await communicator.receive_json_from() == {"type": "connection_ack"}
    return communicator


async def connect_as(user) -> WebsocketCommunicator:
    _, raw = await database_sync_to_async(new_token)(user)
    return await connect(raw)


async def subscribe(communicator, op_id: str, query: str, **variables) -> None:
    await communicator.send_json_to(
        {"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables}}
    )


async def assert_still_open(communicator) -> None:
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}


async def closed_with(communicator) -> dict:
    return await communicator.receive_output(timeout=2)


def not_found(op_id: str) -> dict:
    return {
        "type": "error",
        "id": op_id,
        "payload": [{"message": "Operation not found.", "extensions": {"code": "NOT_FOUND"}}],
    }


# --- the credentials -----------------------------------------------------------------------


async def test_revoking_the_token_closes_its_websocket_at_once(officer):
    token, raw = await database_sync_to_async(new_token)(officer)
    communicator = await connect(raw)

    await database_sync_to_async(agency_services.api_token_revoke)(token=token)

    assert await closed_with(communicator) == CLOSED_FORBIDDEN


async def test_revoking_another_token_of_the_same_user_leaves_this_one_open(officer):
    _, raw = await database_sync_to_async(new_token)(officer)
    other, _ = await database_sync_to_async(new_token)(officer)
    communicator = await connect(raw)

    await database_sync_to_async(agency_services.api_token_revoke)(token=other)

    assert await communicator.receive_nothing(timeout=0.3)
    await assert_still_open(communicator)
    await communicator.disconnect()


async def test_a_closed_socket_runs_its_subscriptions_no_more(active_operation, officer):
    token, raw = await database_sync_to_async(new_token)(officer)
    communicator = await connect(raw)
    await subscribe(
        communicator, "h", HIT_REPORTED, op=to_global_id("Operation", active_operation.pk)
    )
    assert await communicator.receive_nothing(timeout=0.2)

    await database_sync_to_async(agency_services.api_token_revoke)(token=token)
    assert await closed_with(communicator) == CLOSED_FORBIDDEN
    await database_sync_to_async(report)(officer, active_operation)

    assert await communicator.receive_nothing(timeout=0.3)


async def test_deactivating_a_user_closes_every_socket_of_theirs_and_is_audited(
    officer, observer, coordinator
):
    first, second = await connect_as(officer), await connect_as(officer)
    bystander = await connect_as(observer)

    await database_sync_to_async(agency_services.user_deactivate)(actor=coordinator, user=officer)

    assert await closed_with(first) == CLOSED_FORBIDDEN
    assert await closed_with(second) == CLOSED_FORBIDDEN
    await assert_still_open(bystander)
    await bystander.disconnect()
    event = await database_sync_to_async(
        lambda: AuditEvent.objects.filter(action="user.deactivate").get()
    )()
    assert (event.actor_id, event.object_id) == (coordinator.pk, str(officer.pk))
    assert (event.before, event.after) == ({"is_active": True}, {"is_active": False})


def test_deactivating_an_inactive_user_changes_nothing(officer, coordinator):
    agency_services.user_deactivate(actor=coordinator, user=officer)

    agency_services.user_deactivate(actor=coordinator, user=officer)

    assert AuditEvent.objects.filter(action="user.deactivate").count() == 1
    assert not User.objects.get(pk=officer.pk).is_active


def admin_untick_active(admin, user) -> int:
    client = Client()
    client.force_login(admin)
    user = User.objects.get(pk=user.pk)
    joined = timezone.localtime(user.date_joined)
    response = client.post(
        f"/admin/agencies/user/{user.pk}/change/",
        {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "groups": list(user.groups.values_list("pk", flat=True)),
            "date_joined_0": joined.strftime("%Y-%m-%d"),
            "date_joined_1": joined.strftime("%H:%M:%S"),
            "agency": user.agency_id,
            # is_active left out: the box is unticked
        },
    )
    return response.status_code


async def test_unticking_active_in_the_admin_goes_through_the_service(officer, wco):
    admin = await database_sync_to_async(User.objects.create_superuser)(
        username="platform.admin", password="pw-for-tests-only", is_staff=True
    )
    communicator = await connect_as(officer)

    assert await database_sync_to_async(admin_untick_active)(admin, officer) == 302

    assert await closed_with(communicator) == CLOSED_FORBIDDEN
    user = await database_sync_to_async(User.objects.get)(pk=officer.pk)
    assert not user.is_active and user.agency_id == officer.agency_id
    actions = await database_sync_to_async(
        lambda: list(AuditEvent.objects.values_list("action", "actor_id"))
    )()
    assert ("user.deactivate", admin.pk) in actions


@pytest.mark.parametrize("change", ["token", "user"])
async def test_changes_made_outside_the_services_close_the_socket_within_the_interval(
    officer, settings, change
):
    settings.GRAPHQL_WS_REAUTH_INTERVAL = 0.2
    token, raw = await database_sync_to_async(new_token)(officer)
    communicator = await connect(raw)
    assert await communicator.receive_nothing(timeout=0.5)  # re-checked: still valid

    if change == "token":
        update = ApiToken.objects.filter(pk=token.pk).update
        await database_sync_to_async(update)(revoked_at=timezone.now())
    else:
        update = User.objects.filter(pk=officer.pk).update
        await database_sync_to_async(update)(is_active=False)

    assert await closed_with(communicator) == CLOSED_FORBIDDEN


async def test_logging_out_closes_the_sessions_socket_within_the_interval(officer, settings):
    settings.GRAPHQL_WS_REAUTH_INTERVAL = 0.2
    client = await database_sync_to_async(Client)()
    await database_sync_to_async(client.force_login)(officer)
    communicator = WebsocketCommunicator(
        application,
        "/graphql/",
        subprotocols=["graphql-transport-ws"],
        headers=[
            (b"host", b"testserver"),
            (b"origin", b"http://testserver"),
            (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
        ],
    )
    await communicator.connect()
    await communicator.send_json_to({"type": "connection_init"})
    assert await communicator.receive_json_from() == {"type": "connection_ack"}
    assert await communicator.receive_nothing(timeout=0.5)  # re-checked: still logged in

    await database_sync_to_async(client.logout)()

    assert await closed_with(communicator) == CLOSED_FORBIDDEN


# --- an operation taken away -------------------------------------------------------------


async def test_subscriptions_end_with_not_found_when_the_agency_withdraws(
    active_operation, officer, observer
):
    communicator = await connect_as(officer)
    bystander = await connect_as(observer)
    op = to_global_id("Operation", active_operation.pk)
    await subscribe(communicator, "hits", HIT_REPORTED, op=op)
    await subscribe(communicator, "changes", OPERATION_CHANGED, op=op)
    await subscribe(bystander, "hits", HIT_REPORTED, op=op)
    assert await communicator.receive_nothing(timeout=0.2)

    participation = await database_sync_to_async(Participation.objects.get)(
        operation=active_operation, agency=officer.agency
    )
    await database_sync_to_async(services.participation_respond)(
        actor=officer, participation=participation, response=services.InvitationResponse.WITHDRAW
    )

    answers = {}
    for _ in range(2):
        message = await communicator.receive_json_from(timeout=2)
        answers[message["id"]] = message
    assert answers == {"hits": not_found("hits"), "changes": not_found("changes")}
    assert await communicator.receive_nothing(timeout=0.3)
    await assert_still_open(communicator)
    # the others carry on
    await database_sync_to_async(report)(
        await database_sync_to_async(User.objects.get)(username="ng.officer"), active_operation
    )
    delivered = await bystander.receive_json_from()
    assert delivered["payload"]["data"]["hitReported"]["sequence"] == 1
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()
    await bystander.disconnect()


async def test_a_user_moved_to_another_agency_loses_the_old_agencys_subscriptions(
    active_operation, officer, fr_customs, settings
):
    settings.GRAPHQL_WS_REAUTH_INTERVAL = 0.2
    communicator = await connect_as(officer)
    await subscribe(
        communicator, "hits", HIT_REPORTED, op=to_global_id("Operation", active_operation.pk)
    )
    assert await communicator.receive_nothing(timeout=0.5)

    def move():
        user = User.objects.get(pk=officer.pk)
        user.agency = fr_customs
        user.save()

    await database_sync_to_async(move)()

    assert await communicator.receive_json_from(timeout=2) == not_found("hits")
    await assert_still_open(communicator)
    await communicator.disconnect()


async def test_analysis_progress_ends_with_not_found_when_the_analyst_is_removed(
    operation, coordinator, officer
):
    def name_analyst_and_start():
        services.operation_update(actor=coordinator, operation=operation, analysts=[officer])
        return analysis_services.run_create(actor=officer, operations=[operation], parameters=None)

    run = await database_sync_to_async(name_analyst_and_start)()
    communicator = await connect_as(officer)
    await subscribe(communicator, "p", PROGRESS, run=to_global_id("AnalysisRun", str(run.pk)))
    first = await communicator.receive_json_from()
    assert first["payload"]["data"]["analysisProgress"] == {"state": "QUEUED"}
    # a change that leaves the run theirs wakes the subscription, which sends nothing
    await database_sync_to_async(services.operation_update)(
        actor=coordinator, operation=operation, name="Renamed"
    )
    assert await communicator.receive_nothing(timeout=0.3)

    await database_sync_to_async(services.operation_update)(
        actor=coordinator, operation=operation, analysts=[]
    )

    assert await communicator.receive_json_from(timeout=2) == {
        "type": "error",
        "id": "p",
        "payload": [{"message": "Analysis run not found.", "extensions": {"code": "NOT_FOUND"}}],
    }
    await assert_still_open(communicator)
    await communicator.disconnect()


# --- memberships that expire or are lost --------------------------------------------------


async def forget_group(layer, group: str) -> None:
    """Drop every membership of `group`, as a restarted Redis does."""
    if hasattr(layer, "groups"):  # the in-memory layer
        layer.groups.pop(group, None)
    else:  # channels-redis
        await layer.connection(layer.consistent_hash(group)).delete(layer._group_key(group))


async def test_a_socket_follows_its_access_past_the_group_expiry_and_a_lost_membership(
    active_operation, officer, observer, settings, monkeypatch
):
    # given memberships that expire after 4 s, no periodic re-check of credentials, and
    # the officer's socket dropped from its user's group as a restarted Redis drops it
    settings.GRAPHQL_WS_REAUTH_INTERVAL = 0
    layer = get_channel_layer()
    monkeypatch.setattr(layer, "group_expiry", 4)
    token, raw = await database_sync_to_async(new_token)(officer)
    communicator = await connect(raw)
    bystander = await connect_as(observer)
    await subscribe(
        bystander, "hits", HIT_REPORTED, op=to_global_id("Operation", active_operation.pk)
    )
    await forget_group(layer, events.user_group(officer.pk))

    # when more than the expiry has passed
    await asyncio.sleep(6)

    # then the hub still follows the operation, and revoking the token reaches the socket
    await database_sync_to_async(report)(
        await database_sync_to_async(User.objects.get)(username="ng.officer"), active_operation
    )
    delivered = await bystander.receive_json_from(timeout=2)
    assert delivered["payload"]["data"]["hitReported"]["sequence"] == 1
    await database_sync_to_async(agency_services.api_token_revoke)(actor=officer, token=token)
    assert await closed_with(communicator) == CLOSED_FORBIDDEN
    await bystander.disconnect()
