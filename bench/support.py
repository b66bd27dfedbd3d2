"""What several benchmarks share: a database of their own, percentiles, and one report."""

import statistics
from datetime import timedelta


def fresh_postgres(url: str, name: str):
    """A new, empty PostgreSQL database `name` on the server of `url` (dropped first if a
    run left it): its URL, and a function that drops it."""
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"

    def run(statement: str) -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(statement)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + f"/{name}", lambda: run(
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    )


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile (inclusive method); NaN of nothing."""
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def service_payload() -> dict:
    """One report for ``hit_report``: an item, a shipment with an air waybill and an actor
    with a phone, the same in every report (so deconfliction always has earlier hits)."""
    from django.utils import timezone

    return {
        "occurred_at": timezone.now() - timedelta(minutes=1),
        "country": "CR",
        "location_type": "airport",
        "mode_of_transport": "air",
        "detection_method": "intelligence",
        "items": [{"commodity": "cocaine", "quantity": "1.5", "unit": "kg"}],
        "shipment": {"air_waybill": "020-12345675"},
        "actors": [
            {"kind": "person", "role": "courier", "name": "A Courier", "phones": ["+506 8312 3456"]}
        ],
    }


def hit_input(n: int) -> dict:
    """The `n`-th report's ``HitInput`` for ``reportHit`` over GraphQL."""
    from django.utils import timezone

    return {
        "occurredAt": (timezone.now() - timedelta(minutes=1)).isoformat(),
        "country": "CR",
        "locationType": "AIRPORT",
        "modeOfTransport": "AIR",
        "detectionMethod": "INTELLIGENCE",
        "marking": "AMBER",
        "items": [{"commodity": "COCAINE", "quantity": f"{1 + n % 9}.5", "unit": "KILOGRAM"}],
        "shipment": {"airWaybill": "020-12345675"},
        "actors": [{"kind": "PERSON", "role": "COURIER", "name": f"Courier {n}"}],
    }
