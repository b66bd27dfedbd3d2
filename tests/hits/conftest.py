"""Hit payloads for the tests; the `active_operation` fixture is in tests/conftest.py."""

import uuid
from datetime import timedelta

from django.utils import timezone

from operations import hit_services

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
    "shipment": {
        "aircraft_registration": "N123AB",
        "departure_country": "CO",
        "destination_country": "US",
        "transit_countries": ["CR"],
    },
    "actors": [
        {
            "kind": "person",
            "role": "pilot",
            "name": "Juan Pérez",
            "nationality": "CO",
            "phones": ["+57 301 234 5678"],
            "documents": [{"kind": "passport", "number": "AB123456", "country": "CO"}],
        }
    ],
}


def seizure(**changes) -> dict:
    return {**SEIZURE, "occurred_at": timezone.now() - timedelta(minutes=30), **changes}


def report(actor, operation, client_id=None, **changes):
    return hit_services.hit_report(
        actor=actor,
        operation=operation,
        client_id=client_id or uuid.uuid4(),
        data=seizure(**changes),
    )
