"""The merged timeline of an operation, as a cursor connection."""

from zoneinfo import ZoneInfo

import graphene
from graphql_relay import cursor_to_offset

from graphql_api.agencies.types import AgencyNode
from graphql_api.core.common import local_time
from graphql_api.core.connections import check_page_arguments, refuse_naive_times
from timeline.selectors import EntryKind, timeline_for_user

# How deep the timeline may be paged; narrow it with `from` and `to` beyond.
MAX_TIMELINE_POSITION = 10_000

TimelineEntryKind = graphene.Enum("TimelineEntryKind", [(k.upper(), k) for k in EntryKind.ALL])


class TimelineEntry(graphene.ObjectType):
    at = graphene.DateTime(required=True)
    at_local = graphene.String(required=True, description="In the operation's time zone.")
    at_viewer = graphene.String(required=True, description="In my time zone (me.timeZone).")
    kind = graphene.Field(TimelineEntryKind, required=True)
    summary = graphene.String(required=True, description="What happened.")
    actor = graphene.String(description="Who did it: a person, or the reporting agency of a hit.")
    agency = graphene.Field(AgencyNode)
    node = graphene.Field(
        graphene.relay.Node,
        description="The object: a time window, hit, participation or the operation.",
    )
    status = graphene.Field(
        "graphql_api.operations.types.OperationStatus",
        description="A status change: the status the operation entered (DRAFT: it was created).",
    )
    participation_state = graphene.Field(
        "graphql_api.operations.types.ParticipationState",
        description="A participation change: the state the agency's participation entered.",
    )

    @staticmethod
    def resolve_at_local(root, info):
        return local_time(root.at, root.obj_zone)

    @staticmethod
    def resolve_at_viewer(root, info):
        return root.at.astimezone(ZoneInfo(info.context.user.time_zone)).isoformat()

    @staticmethod
    def resolve_actor(root, info):
        return root.actor or None

    @staticmethod
    def resolve_node(root, info):
        return root.obj

    @staticmethod
    def resolve_status(root, info):
        return root.change if root.kind == EntryKind.STATUS_CHANGE else None

    @staticmethod
    def resolve_participation_state(root, info):
        return root.change if root.kind == EntryKind.PARTICIPATION_CHANGE else None


class TimelineConnection(graphene.relay.Connection):
    class Meta:
        node = TimelineEntry


class _Entry:
    """A selector entry with the operation's zone, for `atLocal`."""

    def __init__(self, entry, zone: str):
        self.at, self.kind, self.summary = entry.at, entry.kind, entry.summary
        self.actor, self.agency, self.obj, self.change = (
            entry.actor,
            entry.agency,
            entry.obj,
            entry.change,
        )
        self.obj_zone = zone


def timeline_field():
    return graphene.relay.ConnectionField(
        TimelineConnection,
        start=graphene.DateTime(name="from", description="Entries at or after this time."),
        end=graphene.DateTime(name="to", description="Entries at or before this time."),
        kinds=graphene.List(graphene.NonNull(TimelineEntryKind)),
        newest_first=graphene.Boolean(
            description="The newest entries first (the exact reverse order); oldest first "
            "when false or absent. Cursors belong to the order they were given in."
        ),
        description="Phases, control windows, status and participation changes and the hits I "
        "may see, in time order.",
    )


def resolve_timeline(operation, info, start=None, end=None, kinds=None, newest_first=None, **args):
    # Each page merges its sources from the start: a page lies at most this deep.
    check_page_arguments(args, max_position=MAX_TIMELINE_POSITION)
    refuse_naive_times({"from": start, "to": end})
    offset = cursor_to_offset(args["after"]) + 1 if args.get("after") else 0
    limit = offset + (args.get("first") or 100) + 1  # one more tells whether a next page exists
    entries = timeline_for_user(
        info.context.user,
        operation,
        start=start,
        end=end,
        kinds=[getattr(k, "value", k) for k in kinds] if kinds else None,
        limit=limit,
        newest_first=bool(newest_first),
    )
    return [_Entry(entry, operation.time_zone) for entry in entries]
