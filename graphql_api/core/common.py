"""Small pieces shared by the domain packages of the API."""

from zoneinfo import ZoneInfo

import graphene

from operations.models import Marking

MarkingEnum = graphene.Enum(
    "Marking",
    [(m.name, m.value) for m in Marking],
    description="Traffic Light Protocol 2.0 marking.",
)


def local_time(value, zone_name: str) -> str:
    """ISO 8601 in the given IANA zone, with its offset."""
    return value.astimezone(ZoneInfo(zone_name)).isoformat()
