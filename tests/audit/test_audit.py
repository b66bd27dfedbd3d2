import pytest

from audit.models import AppendOnlyError, AuditEvent


def test_every_planning_write_is_audited_in_order(operation, coordinator):
    actions = list(AuditEvent.objects.filter(operation=operation).values_list("action", flat=True))

    assert actions == [
        "operation.create",
        "participation.invite",
        "participation.accept",
        "participation.invite",
        "participation.accept",
        "participation.invite",
        "time_window.create",
        "time_window.create",
    ]
    created = AuditEvent.objects.get(operation=operation, action="operation.create")
    assert created.actor == coordinator and created.actor_agency == coordinator.agency
    assert created.after["code"] == "OP-TEST" and created.before is None


def test_audit_events_cannot_be_changed_or_deleted(operation):
    event = AuditEvent.objects.filter(operation=operation).first()

    event.action = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action != "tampered"


@pytest.mark.django_db(transaction=True)
def test_audit_record_refuses_to_run_outside_a_transaction(operation, coordinator):
    from audit.services import audit_record

    with pytest.raises(RuntimeError):
        audit_record(actor=coordinator, action="x", instance=operation)
