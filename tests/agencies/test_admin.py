"""The platform staff's admin names no operation and keeps agency groups to the agency."""

import pytest
from django.test import Client

from agencies.models import User
from operations import permissions

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    root = User.objects.create_superuser("root", "root@example.org", "pw", agency=None)
    client = Client()
    client.force_login(root)
    return client


def test_moving_a_user_to_another_agency_in_the_admin_moves_their_group(
    staff_client, operation, officer, fr_customs
):
    # given the CR officer's change form, their groups as it would post them if shown
    form = staff_client.get(f"/admin/agencies/user/{officer.pk}/change/")
    assert form.status_code == 200
    assert 'name="groups"' not in form.content.decode()
    data = {
        "username": officer.username,
        "is_active": "on",
        "groups": [str(g.pk) for g in officer.groups.all()],
        "date_joined_0": officer.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": officer.date_joined.strftime("%H:%M:%S"),
        "agency": str(fr_customs.pk),
        "_save": "Save",
    }

    # when the staff member moves them to the French agency
    response = staff_client.post(f"/admin/agencies/user/{officer.pk}/change/", data)

    # then they are in the French agency's group only, and see nothing of CR's operation
    assert response.status_code == 302
    moved = User.objects.get(pk=officer.pk)
    assert list(moved.groups.values_list("name", flat=True)) == [fr_customs.group.name]
    assert not permissions.operations_with_permission(moved).exists()


def test_no_admin_page_deletes_agencies_users_or_groups(staff_client, operation, invitee):
    # Django's delete confirmation names every related row (participations, grants)
    pages = [
        f"/admin/agencies/agency/{invitee.agency_id}/delete/",
        f"/admin/agencies/user/{invitee.pk}/delete/",
        f"/admin/auth/group/{invitee.agency.group.pk}/delete/",
        f"/admin/auth/group/{invitee.agency.group.pk}/change/",
    ]

    answers = [staff_client.get(page) for page in pages]

    assert [a.status_code for a in answers] == [403, 403, 404, 404]
    assert not any(operation.code in a.content.decode() for a in answers)
