"""An operation running now, for reporting hits."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from operations import hit_services, services
from operations.models import Operation, Participation
from tests.conftest import accept, make_operation, make_user
from timeline.models import TimeWindow
from timeline.services import time_window_create

SEIZURE = {
    "kind": "seizure",
    "country": "CR",
    "place": "Juan Santamaría International Airport",
    "location_code": "SJO",
    "location_type": "airport",
    "mode_of_transport": "general_aviation",
    "detection_method": "detector_dog",
    "concealment": "Wing compartment",
    "items": [{"commodity": "cocaine", "quantity": "120.5", "unit": "kg"}],
    "shipment": {"aircraft_registration": "N123AB", "departure_country": "CO",
                 "destination_country": "US", "transit_countries": ["CR"]},
    "actors": [{"kind": "person", "role": "pilot", "name": "Juan Pérez", "nationality": "CO",
                "phones": ["+57 301 234 5678"],
                "documents": [{"kind": "passport", "number": "AB123456", "country": "CO"}]}],
}


def seizure(**changes) -> dict:
    return {**SEIZURE, "occurred_at": timezone.now() - timedelta(minutes=30), **changes}


@pytest.fixture
def ng_officer(db):
    from tests.conftest import make_agency

    return make_user("ng.officer", make_agency("NG-CUSTOMS", country="NG"))


@pytest.fixture
def active_operation(coordinator, officer, observer, outsider, ng_officer):
    """Active now: officer's agency (control window now -1h..+8h), a second participant
    (NG customs, no control window: reports within the operational phase), an observer."""
    now = timezone.now()
    op = make_operation(coordinator, code="LIVE-OP", planned_start=now - timedelta(days=2),
                        planned_end=now + timedelta(days=10), time_zone="America/Costa_Rica")
    participation = accept(op, coordinator, officer)
    accept(op, coordinator, ng_officer)
    accept(op, coordinator, observer, role=Participation.Role.OBSERVER)
    time_window_create(actor=coordinator, operation=op, kind=TimeWindow.Kind.OPERATIONAL,
                       starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5))
    time_window_create(actor=coordinator, operation=op, kind=TimeWindow.Kind.CONTROL,
                       participation=participation, location_code="SJO",
                       starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=8))
    services.operation_transition(actor=coordinator, operation=op, to_status=Operation.Status.PLANNED)
    services.operation_transition(actor=coordinator, operation=op, to_status=Operation.Status.ACTIVE)
    op.refresh_from_db()
    return op


def report(actor, operation, client_id=None, **changes):
    return hit_services.hit_report(actor=actor, operation=operation,
                                   client_id=client_id or uuid.uuid4(), data=seizure(**changes))
