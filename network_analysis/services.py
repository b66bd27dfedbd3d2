"""Writes of the analysis app: analysts' entity decisions, and analysis runs.

A run is created by :func:`run_create` (permission and parameter checks, audited), then
carried out by :func:`run_execute`: in the request when its hits are few, otherwise on
a Celery worker when a broker is configured, or in a thread of this process
(:func:`run_dispatch`). Progress is saved on the run and announced on the channel
layer (group ``analysis.<run id>``) for ``analysisProgress``. A run whose input and
parameters have the fingerprint of a stored successful run reuses its results.
"""

import gc
import gzip
import hashlib
import json
import logging
import threading
from contextlib import contextmanager
from datetime import timedelta

import networkx as nx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections, transaction
from django.db.models import Q
from django.utils import timezone

from agencies.models import User
from audit.services import audit_record
from network_analysis import selectors
from network_analysis.analysis import ANALYSIS_VERSION, PARAMETERS, Progress, analyse
from network_analysis.context import report_context
from network_analysis.error_codes import AnalysisErrorCode as Code
from network_analysis.models import AnalysisResult, AnalysisRun, EntityDecision
from operations import events, permissions
from operations.models import Actor, Operation

logger = logging.getLogger(__name__)

MAX_OPERATIONS = 20
ABANDONED = "Abandoned: still unfinished after ANALYSIS_RUN_TIME_LIMIT (its worker stopped)."
# What a run that raised says to its creator: the exception itself, which may name the
# database's host or a table, goes to the log only.
FAILED = "The analysis failed on the server; the error is in the server's log."


class RunAbandoned(RuntimeError):
    def __init__(self):
        super().__init__(ABANDONED)


def _error(field: str, message: str, code: Code) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


# --- entity decisions -----------------------------------------------------------------


@transaction.atomic
def entity_decide(
    *, actor: User, actor_a: Actor, actor_b: Actor, verdict: str, score: float, reason: str = ""
) -> EntityDecision:
    """Record that two actors are (not) the same entity; later decisions supersede.

    ``split`` undoes an automatic merge: the two actors must be one entity now (as
    `actor` resolves the actors of their operations), and the decision keeps the
    evidence it overrules. The caller has checked that `actor` may analyse both
    (selectors.analysable_actors).
    """
    return entity_decide_many(
        actor=actor, pairs=[(actor_a, actor_b, score)], verdict=verdict, reason=reason
    )[0]


def _ordered_pair(actor_a: Actor, actor_b: Actor, field: str) -> tuple[Actor, Actor]:
    if actor_a.pk == actor_b.pk:
        raise _error(field, "An actor is always itself.", Code.SAME_ACTOR)
    first, second = sorted((actor_a, actor_b), key=lambda a: a.pk)
    return first, second


def _split_evidence(actor: User, first: Actor, second: Actor) -> list[dict]:
    """The automatic merges of the entity holding both actors; refused when they are
    not one entity."""
    operations = {first.hit.operation, second.hit.operation}
    found = selectors.identity(actor, operations)
    entity = found.resolved.entities.get(first.pk)
    if entity is None or entity != found.resolved.entities.get(second.pk):
        raise _error(
            "actor_b_id",
            "These actors are not one entity: nothing to split (reject a suggestion instead).",
            Code.NOT_ONE_ENTITY,
        )
    return [m.as_dict() for m in found.resolved.merged_because().get(entity, [])]


@transaction.atomic
def entity_decide_many(
    *,
    actor: User,
    pairs: list[tuple[Actor, Actor, float]],
    verdict: str,
    reason: str = "",
    field: str = "actor_b_id",
) -> list[EntityDecision]:
    """Record one decision per (actor, actor, score) of `pairs`, all or none, each audited
    in the operations of its two actors (see :func:`entity_decide`)."""
    if verdict not in EntityDecision.Verdict.values:
        raise _error("verdict", f"Unknown verdict {verdict}.", Code.INVALID_PARAMETER)
    decisions = []
    for actor_a, actor_b, score in pairs:
        first, second = _ordered_pair(actor_a, actor_b, field)
        evidence = (
            _split_evidence(actor, first, second) if verdict == EntityDecision.Verdict.SPLIT else []
        )
        decision = EntityDecision.objects.create(
            actor_a=first,
            actor_b=second,
            verdict=verdict,
            score=score,
            reason=reason.strip()[:2000],
            evidence=evidence,
            decided_by=actor,
        )
        operations = {first.hit.operation, second.hit.operation}
        for operation in sorted(operations, key=lambda o: o.pk):
            audit_record(
                actor=actor,
                action=f"entity.{verdict}",
                instance=decision,
                operation=operation,
                after={
                    "actor_a": first.pk,
                    "actor_b": second.pk,
                    "verdict": verdict,
                    "score": score,
                    **({"overruled": evidence} if evidence else {}),
                },
            )
        decisions.append(decision)
    return decisions


# --- runs -----------------------------------------------------------------------------


def clean_parameters(given: dict | None) -> dict:
    """The run's parameters with defaults filled in; unknown or out-of-range refused."""
    given = dict(given or {})
    unknown = sorted(set(given) - set(PARAMETERS))
    if unknown:
        raise _error(
            "parameters",
            f"Unknown parameter(s): {', '.join(unknown)}; known: {', '.join(PARAMETERS)}.",
            Code.INVALID_PARAMETER,
        )
    cleaned = {}
    for name, (kind, low, high, default) in PARAMETERS.items():
        value = given.get(name, default)
        if value is None:
            value = default
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _error("parameters", f"{name} must be a number.", Code.INVALID_PARAMETER)
        if kind is int and value != int(value):
            raise _error("parameters", f"{name} must be a whole number.", Code.INVALID_PARAMETER)
        if not low <= value <= high:
            raise _error(
                "parameters", f"{name} must be between {low} and {high}.", Code.INVALID_PARAMETER
            )
        cleaned[name] = kind(value)
    return cleaned


@transaction.atomic
def run_create(*, actor: User, operations: list[Operation], parameters: dict | None) -> AnalysisRun:
    if not operations:
        raise _error("operation_ids", "Name at least one operation.", Code.REQUIRED)
    if len(operations) > MAX_OPERATIONS:
        raise _error(
            "operation_ids",
            f"At most {MAX_OPERATIONS} operations in one run.",
            Code.INVALID_PARAMETER,
        )
    for operation in operations:
        permissions.require(actor, operation, permissions.ANALYSE, field="operation_ids")
    runs_fail_abandoned()
    run = AnalysisRun.objects.create(created_by=actor, parameters=clean_parameters(parameters))
    run.operations.set(operations)
    run.hit_count = selectors.count_hits(actor, operations)
    run.save(update_fields=["hit_count"])
    for operation in operations:
        audit_record(
            actor=actor,
            action="analysis.run",
            instance=run,
            operation=operation,
            after={"parameters": run.parameters, "operations": sorted(o.code for o in operations)},
        )
    return run


def runs_fail_abandoned(now=None) -> int:
    """Mark failed the runs a dead worker left queued or running (older than
    ANALYSIS_RUN_TIME_LIMIT); called whenever a run is created or started."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.ANALYSIS_RUN_TIME_LIMIT)
    State = AnalysisRun.State
    return AnalysisRun.objects.filter(
        Q(state=State.QUEUED, created_at__lt=cutoff) | Q(state=State.RUNNING, started_at__lt=cutoff)
    ).update(state=State.FAILED, error=ABANDONED, finished_at=timezone.now())


def run_dispatch(run: AnalysisRun) -> str:
    """Carry the run out: "inline" (done on return), "celery" or "thread"."""
    if run.hit_count <= settings.ANALYSIS_INLINE_MAX_HITS:
        run_execute(run.pk)
        return "inline"
    if settings.CELERY_BROKER_URL or settings.CELERY_TASK_ALWAYS_EAGER:
        from network_analysis.tasks import execute_run

        transaction.on_commit(lambda: execute_run.delay(str(run.pk)))
        return "celery"
    transaction.on_commit(
        lambda: threading.Thread(target=_execute_in_thread, args=(run.pk,), daemon=True).start()
    )
    return "thread"


def _execute_in_thread(run_pk) -> None:
    try:
        run_execute(run_pk)
    finally:
        connections.close_all()  # this thread's own connections; nobody else reuses them


def _progress_saver(run: AnalysisRun, share: tuple[int, int], also: Progress | None) -> Progress:
    """Save and announce `percent` of one edition as a share (start, end) of the run."""
    low, high = share

    def progress(percent: int, stage: str) -> None:
        run.progress = low + (high - low) * percent // 100
        run.stage = stage[:200]
        try:
            AnalysisRun.objects.filter(pk=run.pk).update(progress=run.progress, stage=run.stage)
        except DatabaseError:  # progress is advisory: a missed step never fails the run
            logger.warning("Could not save the progress of run %s", run.pk, exc_info=True)
        events.broadcast(events.analysis_group(run.pk), events.ANALYSIS_PROGRESS)
        if also:
            also(run.progress, run.stage)

    return progress


def run_execute(run_pk, on_progress: Progress | None = None) -> AnalysisRun:
    """Compute (or reuse) the results of a queued run; never raises for a failed run.

    `on_progress(percent, stage)` is called at each step besides the saved progress."""
    runs_fail_abandoned()
    claimed = AnalysisRun.objects.filter(pk=run_pk, state=AnalysisRun.State.QUEUED).update(
        state=AnalysisRun.State.RUNNING, started_at=timezone.now()
    )
    run = AnalysisRun.objects.select_related("created_by").get(pk=run_pk)
    if not claimed:  # already taken by another worker, or finished (a redelivered task)
        return run
    try:
        _compute(run, on_progress)
    except Exception as exc:  # the run records the failure; the worker lives on
        logger.exception("Analysis run %s failed", run.pk)
        AnalysisRun.objects.filter(pk=run.pk).update(
            state=AnalysisRun.State.FAILED,
            error=ABANDONED if isinstance(exc, RunAbandoned) else FAILED,
            finished_at=timezone.now(),
        )
    events.broadcast(events.analysis_group(run.pk), events.ANALYSIS_PROGRESS)
    run.refresh_from_db()
    if on_progress and run.state == AnalysisRun.State.SUCCEEDED:
        on_progress(100, run.stage)
    return run


def _compute(run: AnalysisRun, on_progress: Progress | None) -> None:
    operations = list(run.operations.order_by("pk"))
    backend = settings.NETWORKX_BACKEND
    parameters = {**run.parameters, "version": ANALYSIS_VERSION, "backend": backend or ""}
    inputs = {
        edition: selectors.load_input(run.created_by, operations, edition)
        for edition in selectors.EDITIONS
    }
    prints = {edition: data.fingerprint(parameters) for edition, data in inputs.items()}
    fingerprint = _combined(prints)
    earlier = (
        AnalysisRun.objects.filter(fingerprint=fingerprint, state=AnalysisRun.State.SUCCEEDED)
        .exclude(pk=run.pk)
        .order_by("-finished_at")
        .first()
    )
    outcomes = {}
    if earlier is None:
        shares = {"full": (0, 60), "redacted": (60, 100)}
        with _collector_spares_input():
            for edition, data in inputs.items():
                outcome = analyse(
                    data,
                    run.parameters,
                    backend,
                    prints[edition],
                    _progress_saver(run, shares[edition], on_progress),
                )
                outcomes[edition] = (outcome.results, _packed(outcome.graph))
    else:
        for result in earlier.results.all():
            outcomes[result.edition] = (result.results, bytes(result.graph))
    for edition, (results, _) in outcomes.items():  # read now, also for reused results
        results["context"] = report_context(
            run.created_by, operations, edition, inputs[edition].hits
        )
    with transaction.atomic():
        AnalysisResult.objects.bulk_create(
            AnalysisResult(run=run, edition=edition, results=results, graph=graph)
            for edition, (results, graph) in outcomes.items()
        )
        finished = AnalysisRun.objects.filter(pk=run.pk, state=AnalysisRun.State.RUNNING).update(
            state=AnalysisRun.State.SUCCEEDED,
            progress=100,
            stage="reused stored results" if earlier else "done",
            fingerprint=fingerprint,
            reused_from=earlier,
            hit_count=len(inputs["full"].hits),
            finished_at=timezone.now(),
        )
        if not finished:  # failed as abandoned meanwhile: store nothing
            raise RunAbandoned


@contextmanager
def _collector_spares_input():
    """Freeze what is alive (the loaded input) out of the garbage collector's sight while
    the measures run: their many small allocations set off full collections, which would
    walk the whole input again each time (docs/performance.md, "garbage collector")."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _combined(prints: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(prints, sort_keys=True).encode()).hexdigest()


def _packed(graph) -> bytes:
    return gzip.compress(json.dumps(nx.node_link_data(graph, edges="edges")).encode())


def unpacked(data: bytes):
    return nx.node_link_graph(json.loads(gzip.decompress(bytes(data))), edges="edges")
