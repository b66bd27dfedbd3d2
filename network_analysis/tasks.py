"""Celery tasks: analysis runs too large for a request (see services.run_dispatch)."""

from celery import shared_task

from network_analysis import services


@shared_task(name="network_analysis.execute_run")
def execute_run(run_pk: str) -> str:
    return services.run_execute(run_pk).state
