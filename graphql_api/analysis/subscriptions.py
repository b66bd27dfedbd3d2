"""``analysisProgress(runId)``: the run now, then again at each progress event, until it
has finished. Events carry only the run id; each answer re-reads the run through
``selectors.runs_for_user``, so only the analyst who started it can follow it.

The subscription also wakes up at each change of the run's operations (an analyst
removed, an agency withdrawn) and of the subscriber's access; once the run is no longer
theirs to see it ends with ``NOT_FOUND``, as for a run that does not exist."""

import uuid

import graphene
from django.core.exceptions import ValidationError

from graphql_api.analysis.types import AnalysisRunNode, not_found
from graphql_api.core.ids import decode_id
from graphql_api.core.threads import in_thread_pool
from network_analysis import selectors
from network_analysis.models import AnalysisRun
from operations import events


@in_thread_pool
def _run(user, run_id: str) -> AnalysisRun | None:
    try:
        pk = decode_id(run_id, "AnalysisRun", field="run_id", parse=uuid.UUID)
    except ValidationError:  # not a run id: as good as a missing run
        return None
    return selectors.runs_for_user(user).filter(pk=pk).first()


@in_thread_pool
def _operation_pks(run: AnalysisRun) -> list[int]:
    return list(run.operations.values_list("pk", flat=True))


async def _wake_up(queue) -> set[str]:
    """Wait for progress or a change that may take the run away; return the kinds seen
    (all waiting events at once: only the latest state matters). Hits reported, amended
    or reviewed in the run's operations wake nobody."""
    while True:
        batch = [await queue.get()]
        while not queue.empty():
            batch.append(queue.get_nowait())
        kinds = {
            event["kind"]
            for event in batch
            if event["kind"] in (events.ANALYSIS_PROGRESS, events.ACCESS_CHANGED)
            or (event["kind"] == events.OPERATION_CHANGED and not event.get("hit_id"))
        }
        if kinds:
            return kinds


class AnalysisSubscriptions(graphene.ObjectType):
    analysis_progress = graphene.Field(
        AnalysisRunNode,
        run_id=graphene.ID(required=True),
        description="The run's state and progress, at once and after each step, until "
        "it succeeded or failed.",
    )

    @staticmethod
    async def subscribe_analysis_progress(root, info, run_id):
        context = info.context  # its user is read afresh: the connection re-authenticates
        run = await _run(context.user, run_id)
        if run is None:
            raise not_found("Analysis run not found.")
        # One queue for the run's progress and its operations' changes.
        groups = [events.analysis_group(run.pk)]
        groups += [events.operation_group(pk) for pk in await _operation_pks(run)]
        queue = None
        for group in groups:
            queue = await context.listen(group, queue)

        async def stream():
            try:
                progressed = True
                while True:
                    current = await _run(context.user, run_id)
                    if current is None:
                        raise not_found("Analysis run not found.")
                    if progressed:
                        yield current
                        if current.finished:
                            return
                    progressed = events.ANALYSIS_PROGRESS in await _wake_up(queue)
            finally:
                for group in groups:
                    await context.unlisten(group, queue)

        return stream()

    @staticmethod
    def resolve_analysis_progress(root, info, **kwargs):
        return root
