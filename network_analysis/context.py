"""What a report says about the operations it covers, besides the analysis: their period,
phases and participating administrations, and the marking of the report itself.

Read when a run's results are stored (``services``), as the run's creator may see it, through
the operations' and the timeline's selectors: an operation the creator no longer sees is left
out, exactly as the selectors would. Only what both editions may carry is read: codes, names,
dates, the phases (no notes, no control windows: those name places and shifts) and the
accepted participations (agencies and roles, no contact person).

The report's marking (TLP 2.0) is the narrowest marking of the hits in the edition, and never
wider than ``MARKING_FLOOR``: the full edition names persons (AMBER at least); the redacted one
still tells that the operation exists, which only its participants may know (GREEN at least).
"""

from collections.abc import Iterable

from django.db.models import Prefetch

from operations.models import Marking, Operation, Participation
from operations.selectors import operation_list_for_user
from timeline.models import TimeWindow
from timeline.selectors import time_window_list_for_user

# TLP 2.0 from the widest audience to the narrowest: Marking's own order.
MARKING_ORDER = tuple(Marking.values)
MARKING_FLOOR = {"full": Marking.AMBER, "redacted": Marking.GREEN}


def report_marking(edition: str, markings: Iterable[str]) -> str:
    """The narrowest of ``markings`` and of the edition's floor.

    Examples
    --------
    >>> report_marking("redacted", ["CLEAR", "AMBER", "GREEN"])
    'AMBER'
    >>> report_marking("full", ["GREEN"]), report_marking("redacted", [])
    ('AMBER', 'GREEN')
    """
    return str(max((MARKING_FLOOR[edition], *markings), key=MARKING_ORDER.index))


def report_context(user, operations: Iterable[Operation], edition: str, hits: list[dict]) -> dict:
    """The ``context`` of one edition's results (layout in docs/analysis.md): ``hits`` are the
    edition's hit rows (their ``marking``)."""
    pks = [o.pk for o in operations]
    visible = (
        operation_list_for_user(user)
        .filter(pk__in=pks)
        .select_related("lead_agency")
        .prefetch_related(
            Prefetch(
                "participations",
                queryset=Participation.objects.filter(state=Participation.State.ACCEPTED)
                .select_related("agency")
                .order_by("agency__acronym"),
                to_attr="accepted",
            ),
            Prefetch(
                "time_windows",
                queryset=time_window_list_for_user(user)
                .filter(kind__in=TimeWindow.PHASES)
                .order_by("starts_at", "id"),
                to_attr="phases",
            ),
        )
        .order_by("pk")
    )
    return {
        "marking": report_marking(edition, {hit["marking"] for hit in hits}),
        "operations": [_operation(operation) for operation in visible],
    }


def _operation(operation: Operation) -> dict:
    return {
        "code": operation.code,
        "name": operation.name,
        "focus": operation.get_focus_display(),
        "status": operation.get_status_display(),
        "lead_agency": _agency(operation.lead_agency),
        "time_zone": operation.time_zone,
        "planned_start": operation.planned_start.isoformat(),
        "planned_end": operation.planned_end.isoformat(),
        "phases": [
            {
                "kind": phase.kind,
                "label": phase.get_kind_display(),
                "starts_at": phase.starts_at.isoformat(),
                "ends_at": phase.ends_at.isoformat(),
            }
            for phase in operation.phases
        ],
        "participants": [
            {**_agency(p.agency), "role": p.role, "role_label": p.get_role_display()}
            for p in operation.accepted
        ],
    }


def _agency(agency) -> dict:
    return {"acronym": agency.acronym, "name": agency.name, "country": agency.country}
