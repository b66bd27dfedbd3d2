"""Sign-in is throttled per account and per address (django-axes): after the limit, even
the right password is refused for a while, with a page that says why."""

import pytest
from django.test import Client

PASSWORD = "pw-for-tests-only"


def sign_in(username, password, address="203.0.113.7"):
    return Client(REMOTE_ADDR=address).post(
        "/accounts/login/", {"username": username, "password": password}
    )


@pytest.fixture
def limit(settings):
    return settings.AXES_FAILURE_LIMIT


def test_the_right_password_signs_in(officer):
    response = sign_in(officer.username, PASSWORD)

    assert response.status_code == 302


def test_after_the_limit_of_wrong_passwords_the_right_one_is_refused_with_a_reason(officer, limit):
    for _ in range(limit - 1):
        assert sign_in(officer.username, "wrong").status_code == 200  # the form again
    assert sign_in(officer.username, "wrong").status_code == 429

    response = sign_in(officer.username, PASSWORD)

    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content
    assert b"paused for 15 minutes" in response.content
    assert "_auth_user_id" not in response.client.session


def test_the_account_is_throttled_from_any_address(officer, limit):
    for number in range(limit):
        sign_in(officer.username, "wrong", address=f"198.51.100.{number}")

    assert sign_in(officer.username, PASSWORD, address="192.0.2.200").status_code == 429


def test_the_address_is_throttled_for_any_account(officer, observer, limit):
    for number in range(limit):
        sign_in(f"guess-{number}", "wrong", address="203.0.113.9")

    assert sign_in(observer.username, PASSWORD, address="203.0.113.9").status_code == 429
    assert sign_in(observer.username, PASSWORD, address="203.0.113.10").status_code == 302


def test_failures_below_the_limit_are_forgotten_after_a_success(officer, limit):
    for _ in range(limit - 1):
        sign_in(officer.username, "wrong")
    assert sign_in(officer.username, PASSWORD).status_code == 302

    for _ in range(limit - 1):
        sign_in(officer.username, "wrong")

    assert sign_in(officer.username, PASSWORD).status_code == 302


def test_a_throttle_ends_after_its_cool_off(officer, limit, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt

    for _ in range(limit):
        sign_in(officer.username, "wrong")
    assert sign_in(officer.username, PASSWORD).status_code == 429

    # when the cool-off has passed
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time
        - settings.AXES_COOLOFF_TIME
        - timedelta(seconds=1)
    )

    assert sign_in(officer.username, PASSWORD).status_code == 302


def test_api_tokens_and_sessions_of_a_throttled_account_keep_working(officer, limit):
    client = Client()
    client.force_login(officer)
    for _ in range(limit):
        sign_in(officer.username, "wrong")

    response = client.post(
        "/graphql/", {"query": "{ me { user { username } } }"}, content_type="application/json"
    )

    assert response.json()["data"]["me"]["user"]["username"] == officer.username
