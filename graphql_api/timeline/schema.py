from decimal import Decimal

import graphene

from graphql_api.core.errors import Error, errors_from_validation_error
from graphql_api.core.ids import get_by_global_id
from graphql_api.core.inputs import plain
from graphql_api.core.mutations import BaseMutation
from graphql_api.operations.schema import _visible_operation
from graphql_api.timeline.types import TimeWindowKind, TimeWindowNode
from operations.models import Participation
from timeline import selectors, services


class TimeWindowInput(graphene.InputObjectType):
    kind = TimeWindowKind(description="A phase, or CONTROL for a participant's control window.")
    participation_id = graphene.ID(description="Required for a control window, absent for a phase.")
    starts_at = graphene.DateTime(description="With its UTC offset.")
    ends_at = graphene.DateTime(description="With its UTC offset; after the start.")
    location_code = graphene.String(description="UN/LOCODE, IATA or ICAO code.")
    location_name = graphene.String()
    latitude = graphene.Float()
    longitude = graphene.Float()
    notes = graphene.String()


def _window_fields(data: dict, operation) -> dict:
    """Input fields as model fields; the participation must belong to `operation`."""
    fields = plain(data)
    if "participation_id" in fields:
        participation_id = fields.pop("participation_id")
        fields["participation"] = (
            None
            if participation_id is None
            else get_by_global_id(
                participation_id,
                "Participation",
                Participation.objects.filter(operation=operation),
                field="participation_id",
            )
        )
    for name in ("latitude", "longitude"):
        if fields.get(name) is not None:
            fields[name] = Decimal(str(round(fields[name], 6)))
    for name in ("location_code", "location_name", "notes"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    return fields


ALLOW_OVERLAP = graphene.Boolean(
    description="Keep a control window that overlaps another of the same participant at the "
    "same place; the overlap is listed in warnings."
)


def _warnings_field():
    return graphene.List(
        graphene.NonNull(Error),
        required=True,
        description="What the planning rules let through but the planner should know, coded as "
        "errors are (field, code, message): OVERLAPPING_WINDOW for each overlap allowOverlap "
        "kept. Empty when the change was refused.",
    )


def _warnings(window) -> list[Error]:
    return [
        error
        for warning in window.planning_warnings
        for error in errors_from_validation_error(warning)
    ]


class _WithWarnings:
    @staticmethod
    def resolve_warnings(root, info):
        return root.warnings or []


class CreateTimeWindow(_WithWarnings, BaseMutation):
    time_window = graphene.Field(TimeWindowNode)
    warnings = _warnings_field()

    class Arguments:
        operation_id = graphene.ID(required=True)
        input = TimeWindowInput(required=True)
        allow_overlap = ALLOW_OVERLAP

    @classmethod
    def perform(cls, info, operation_id, input, allow_overlap=False):
        operation = _visible_operation(info, operation_id, field="operation_id")
        window = services.time_window_create(
            actor=info.context.user,
            operation=operation,
            allow_overlap=bool(allow_overlap),
            **_window_fields(input, operation),
        )
        return {"time_window": window, "warnings": _warnings(window)}


class UpdateTimeWindow(_WithWarnings, BaseMutation):
    time_window = graphene.Field(TimeWindowNode)
    warnings = _warnings_field()

    class Arguments:
        id = graphene.ID(required=True)
        input = TimeWindowInput(required=True)
        allow_overlap = ALLOW_OVERLAP

    @classmethod
    def perform(cls, info, id, input, allow_overlap=False):
        window = get_by_global_id(
            id, "TimeWindow", selectors.time_window_list_for_user(info.context.user), field="id"
        )
        window = services.time_window_update(
            actor=info.context.user,
            window=window,
            allow_overlap=bool(allow_overlap),
            **_window_fields(input, window.operation),
        )
        return {"time_window": window, "warnings": _warnings(window)}


class DeleteTimeWindow(BaseMutation):
    time_window = graphene.Field(TimeWindowNode, description="The window as it was deleted.")

    class Arguments:
        id = graphene.ID(required=True)

    @classmethod
    def perform(cls, info, id):
        window = get_by_global_id(
            id, "TimeWindow", selectors.time_window_list_for_user(info.context.user), field="id"
        )
        return {"time_window": services.time_window_delete(actor=info.context.user, window=window)}


class TimeWindowMutations(graphene.ObjectType):
    create_time_window = CreateTimeWindow.Field()
    update_time_window = UpdateTimeWindow.Field()
    delete_time_window = DeleteTimeWindow.Field()
