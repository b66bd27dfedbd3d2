import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from agencies.models import ApiToken
from agencies.services import api_token_create, api_token_revoke
from audit.models import AuditEvent

ME = "{ me { user { username } } }"


def post(query, **headers):
    return Client().post(
        "/graphql/", {"query": query}, content_type="application/json", headers=headers
    )


def test_token_is_stored_hashed_and_authenticates(officer):
    token, raw = api_token_create(user=officer, name="field tablet")

    assert raw not in token.digest and token.digest == ApiToken.digest_of(raw)
    assert not ApiToken.objects.filter(digest=raw).exists()
    response = post(ME, Authorization=f"Bearer {raw}")
    assert response.json() == {"data": {"me": {"user": {"username": "cr.officer"}}}}


def test_revoked_token_is_refused_with_401(officer):
    token, raw = api_token_create(user=officer)
    api_token_revoke(token=token)

    response = post(ME, Authorization=f"Bearer {raw}")

    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"


@pytest.mark.parametrize(
    "header", ["Bearer", "Token abc", "Bearer jo_not-a-real-token", "Basic eDp5"]
)
def test_malformed_or_unknown_authorization_is_refused(db, header):
    response = post(ME, Authorization=header)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_token_of_deactivated_user_is_refused(officer):
    _, raw = api_token_create(user=officer)
    officer.is_active = False
    officer.save()

    assert post(ME, Authorization=f"Bearer {raw}").status_code == 401


def test_bearer_requests_need_no_csrf_token_but_session_posts_do(officer):
    _, raw = api_token_create(user=officer)
    strict = Client(enforce_csrf_checks=True)

    with_token = strict.post(
        "/graphql/",
        {"query": ME},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    strict.force_login(officer)
    with_session = strict.post("/graphql/", {"query": ME}, content_type="application/json")

    assert with_token.status_code == 200
    assert with_session.status_code == 403


def test_create_and_revoke_commands(officer, capsys):
    call_command("create_api_token", "cr.officer", "--name", "cli")
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("jo_") and post(ME, Authorization=f"Bearer {raw}").status_code == 200

    call_command("revoke_api_token", raw)

    assert post(ME, Authorization=f"Bearer {raw}").status_code == 401
    assert list(AuditEvent.objects.filter(actor=officer).values_list("action", flat=True)) == [
        "api_token.create",
        "api_token.revoke",
    ]


def test_create_command_refuses_unknown_user(db):
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody")
