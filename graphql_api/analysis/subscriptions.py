"""``analysisProgress(runId)``: the run now, then again at each progress event, until it
has finished. Events carry only the run id; each answer re-reads the run through
``selectors.runs_for_user``, so only the analyst who started it can follow it."""

import uuid

import graphene
from channels.db import database_sync_to_async
from django.core.exceptions import ValidationError

from graphql_api.analysis.types import AnalysisRunNode, not_found
from graphql_api.core.ids import decode_id
from network_analysis import selectors
from network_analysis.models import AnalysisRun
from operations import events


@database_sync_to_async
def _run(user, run_id: str) -> AnalysisRun | None:
    try:
        pk = decode_id(run_id, "AnalysisRun", field="run_id", parse=uuid.UUID)
    except ValidationError:  # not a run id: as good as a missing run
        return None
    return selectors.runs_for_user(user).filter(pk=pk).first()


class AnalysisSubscriptions(graphene.ObjectType):
    analysis_progress = graphene.Field(
        AnalysisRunNode,
        run_id=graphene.ID(required=True),
        description="The run's state and progress, at once and after each step, until "
        "it succeeded or failed.",
    )

    @staticmethod
    async def subscribe_analysis_progress(root, info, run_id):
        user = info.context.user
        run = await _run(user, run_id)
        if run is None:
            raise not_found("Analysis run not found.")
        group = events.analysis_group(run.pk)
        queue = await info.context.listen(group)

        async def stream():
            try:
                while True:
                    current = await _run(user, run_id)
                    if current is None:
                        return
                    yield current
                    if current.finished:
                        return
                    await queue.get()
                    while not queue.empty():  # only the latest state matters
                        queue.get_nowait()
            finally:
                await info.context.unlisten(group, queue)

        return stream()

    @staticmethod
    def resolve_analysis_progress(root, info, **kwargs):
        return root
