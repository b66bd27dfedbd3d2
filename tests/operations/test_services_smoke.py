from operations import permissions
from operations.models import Operation
from operations.selectors import operation_list_for_user


def test_operation_fixture_grants_follow_participation(
    operation, coordinator, officer, observer, invitee, outsider
):
    assert permissions.operation_permissions(coordinator)[operation.pk] == set(
        permissions.COORDINATOR_PERMISSIONS
    )
    assert permissions.operation_permissions(officer)[operation.pk] == {
        "view_operation",
        "report_hit",
    }
    assert permissions.operation_permissions(observer)[operation.pk] == {"view_operation"}
    assert operation.pk not in permissions.operation_permissions(invitee)
    assert list(operation_list_for_user(outsider)) == []
    assert operation.status == Operation.Status.DRAFT
