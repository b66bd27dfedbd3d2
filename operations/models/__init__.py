from operations.models.hit import Actor, Hit, HitIdentifier, HitItem, HitRevision, Shipment
from operations.models.operation import (
    Marking,
    Operation,
    OperationGroupObjectPermission,
    OperationUserObjectPermission,
    Participation,
    validate_time_zone,
)

__all__ = [
    "Actor",
    "Hit",
    "HitIdentifier",
    "HitItem",
    "HitRevision",
    "Marking",
    "Operation",
    "OperationGroupObjectPermission",
    "OperationUserObjectPermission",
    "Participation",
    "Shipment",
    "validate_time_zone",
]
