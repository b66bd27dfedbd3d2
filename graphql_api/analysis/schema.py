"""Network analysis over GraphQL: runs and their results, entity suggestions and
decisions, an entity's network and shortest paths. Every answer is computed from what
the caller may analyse (network_analysis.selectors); an operation the caller may not
analyse is "not found", whether it exists or not."""

import graphene
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch

from graphql_api.analysis.types import (
    AnalysisRunNode,
    EntityDecisionType,
    EntityNetwork,
    EntitySuggestion,
    EntitySuggestionConnection,
    NetworkNode,
    Verdict,
    network_node,
    network_of,
    not_found,
)
from graphql_api.core.connections import ListConnectionField
from graphql_api.core.errors import CodedGraphQLError, errors_from_validation_error
from graphql_api.core.ids import decode_id, get_by_global_id, get_many_by_global_id
from graphql_api.core.inputs import plain
from graphql_api.core.mutations import BaseMutation
from graphql_api.core.selection import requested
from network_analysis import algorithms, resolution, selectors, services
from network_analysis import graph as graphs
from network_analysis.models import AnalysisResult
from operations.selectors import operation_list_for_user

MAX_DEPTH = 4
MAX_PATHS = 10


def _raise_coded(exc: ValidationError):
    error = errors_from_validation_error(exc)[0]
    raise CodedGraphQLError(error.message, error.code) from exc


def _operations(info, operation_ids, *, field="operation_ids"):
    """The operations named, each one the caller may analyse; all of them when None."""
    analysable = selectors.analysable_operations(info.context.user)
    if operation_ids is None:
        return list(analysable)
    try:
        return get_many_by_global_id(operation_ids, "Operation", analysable, field=field)
    except ValidationError as exc:
        _raise_coded(exc)


def _min_score(value) -> float:
    if value is None:  # an explicit null means the default
        value = resolution.DEFAULT_MIN_SCORE
    if not 0 <= value <= 1:
        raise CodedGraphQLError("minScore is between 0 and 1.", "INVALID_PARAMETER")
    return value


def _entity_graph(info, operations):
    data = selectors.load_input(info.context.user, operations, AnalysisResult.Edition.FULL)
    return data, graphs.entity_graph(data)


def _node_key(info, entity_id: str, data, graph) -> str:
    """A graph node key from a node key ("actor:12") or an Actor id."""
    if entity_id.split(":", 1)[0] in graphs.NODE_KINDS:
        key = entity_id
    else:
        try:
            pk = decode_id(entity_id, "Actor", field="id")
        except ValidationError as exc:
            _raise_coded(exc)
        key = f"actor:{data.entities.get(pk, pk)}"
    if key not in graph:
        raise not_found(f"No entity {entity_id} in what you may analyse.")
    return key


class AnalysisParametersInput(graphene.InputObjectType):
    exact_budget = graphene.Int(
        description="Exact betweenness while nodes x edges, summed over connected components, "
        "stays within this (200000000); above it the largest components are sampled."
    )
    min_pivots = graphene.Int(
        description="Fewest pivots (sampled sources) of a sampled component (500)."
    )
    seed = graphene.Int(description="Seed of the sampling and of Louvain (42).")
    resolution = graphene.Float(description="Louvain resolution (1.0; higher: smaller ones).")
    top = graphene.Int(description="Key entities and routes listed (25).")
    max_shared = graphene.Int(
        description="An identifier shared by more actors is a place, not a link (50)."
    )


class AnalysisQueries(graphene.ObjectType):
    analysis_runs = graphene.List(
        graphene.NonNull(AnalysisRunNode),
        required=True,
        operation_id=graphene.ID(),
        first=graphene.Int(default_value=20),
        description="My runs, newest first (those of one operation when operationId is given).",
    )
    analysis_run = graphene.Field(AnalysisRunNode, id=graphene.ID(required=True))
    entity_suggestions = ListConnectionField(
        graphene.NonNull(EntitySuggestionConnection),
        operation_ids=graphene.List(graphene.NonNull(graphene.ID), required=True),
        min_score=graphene.Float(default_value=resolution.DEFAULT_MIN_SCORE),
        description="Entities (after automatic merges) whose names match (typos, word "
        "order, initials, script), not yet one entity nor decided, best first; paged.",
    )
    entity_decisions = graphene.List(
        graphene.NonNull(EntityDecisionType),
        required=True,
        operation_ids=graphene.List(graphene.NonNull(graphene.ID), required=True),
        description="Decisions on actors I may analyse in these operations, newest first "
        "(the newest on a pair is the one that counts).",
    )
    entity_network = graphene.Field(
        graphene.NonNull(EntityNetwork),
        id=graphene.ID(required=True, description='An Actor id or a node id ("actor:12").'),
        depth=graphene.Int(default_value=1, description=f"1 to {MAX_DEPTH} hops."),
        operation_ids=graphene.List(
            graphene.NonNull(graphene.ID), description="All I may analyse when omitted."
        ),
    )
    shortest_path = graphene.List(
        graphene.NonNull(graphene.List(graphene.NonNull(NetworkNode))),
        required=True,
        from_=graphene.ID(required=True, name="from"),
        to=graphene.ID(required=True),
        operation_ids=graphene.List(graphene.NonNull(graphene.ID)),
        description=f"Up to {MAX_PATHS} shortest paths between two entities; [] when unlinked.",
    )

    @staticmethod
    def resolve_analysis_runs(root, info, operation_id=None, first=20):
        first = 20 if first is None else first  # an explicit null means the default
        if not 1 <= first <= 100:
            raise CodedGraphQLError("`first` must be between 1 and 100.", "PAGE_SIZE_INVALID")
        runs = selectors.runs_for_user(info.context.user)
        if operation_id is not None:
            runs = runs.filter(
                operations__in=_operations(info, [operation_id], field="operation_id")
            )
        runs = runs.select_related("created_by__agency").prefetch_related("operations")
        if "results" in requested(info):  # the results without the stored graphs
            runs = runs.prefetch_related(
                Prefetch("results", queryset=AnalysisResult.objects.defer("graph"))
            )
        return runs[:first]

    @staticmethod
    def resolve_analysis_run(root, info, id):
        try:  # a run id that is not a UUID is answered like a missing run (get_node)
            pk = decode_id(id, "AnalysisRun", field="id", parse=str)
        except ValidationError as exc:
            _raise_coded(exc)
        return AnalysisRunNode.get_node(info, pk)

    @staticmethod
    def resolve_entity_suggestions(root, info, operation_ids, min_score, **page):
        pairs = selectors.entity_suggestions(
            info.context.user, _operations(info, operation_ids), _min_score(min_score)
        )
        return [
            EntitySuggestion(
                actor_a=p.actor_a,
                actor_b=p.actor_b,
                entity_a=p.a,
                entity_b=p.b,
                operation_a=p.actor_a.hit.operation.code,
                operation_b=p.actor_b.hit.operation.code,
                score=p.suggestion.score,
                reasons=p.suggestion.reasons,
            )
            for p in pairs
        ]

    @staticmethod
    def resolve_entity_decisions(root, info, operation_ids):
        return selectors.entity_decisions(info.context.user, _operations(info, operation_ids))

    @staticmethod
    def resolve_entity_network(root, info, id, depth, operation_ids=None):
        depth = 1 if depth is None else depth  # an explicit null means the default
        if not 1 <= depth <= MAX_DEPTH:
            raise CodedGraphQLError(f"depth is 1 to {MAX_DEPTH}.", "INVALID_PARAMETER")
        data, graph = _entity_graph(info, _operations(info, operation_ids))
        return network_of(algorithms.ego_network(graph, _node_key(info, id, data, graph), depth))

    @staticmethod
    def resolve_shortest_path(root, info, from_, to, operation_ids=None):
        data, graph = _entity_graph(info, _operations(info, operation_ids))
        source, target = _node_key(info, from_, data, graph), _node_key(info, to, data, graph)
        paths = algorithms.shortest_paths(graph, source, target, MAX_PATHS)
        return [[network_node(graph, n) for n in path] for path in paths]


class RunNetworkAnalysis(BaseMutation):
    """Start an analysis of operations I may analyse. Runs over a few thousand hits go to
    a worker: follow them with the analysisProgress subscription."""

    run = graphene.Field(AnalysisRunNode)
    executed = graphene.String(description="inline (finished), celery or thread (under way).")

    class Arguments:
        operation_ids = graphene.List(graphene.NonNull(graphene.ID), required=True)
        parameters = AnalysisParametersInput()

    @classmethod
    def perform(cls, info, operation_ids, parameters=None):
        operations = get_many_by_global_id(
            operation_ids,
            "Operation",
            operation_list_for_user(info.context.user),
            field="operation_ids",
        )
        run = services.run_create(
            actor=info.context.user, operations=operations, parameters=plain(parameters or {})
        )
        executed = services.run_dispatch(run)
        run.refresh_from_db()
        return {"run": run, "executed": executed}


class DecideEntities(BaseMutation):
    """Confirm that two actors are the same person or company (every later analysis
    treats them as one), reject a suggestion, or split an automatic merge (SPLIT: the
    two must be one entity now; the evidence overruled is kept). Nothing is merged in
    the hits; a later decision on the same pair supersedes this one."""

    decision = graphene.Field(EntityDecisionType)

    class Arguments:
        actor_a_id = graphene.ID(required=True)
        actor_b_id = graphene.ID(required=True)
        verdict = Verdict(required=True)
        reason = graphene.String()

    @classmethod
    def perform(cls, info, actor_a_id, actor_b_id, verdict, reason=""):
        user = info.context.user
        actors = [
            get_by_global_id(gid, "Actor", selectors.analysable_actors(user), field=field)
            for gid, field in ((actor_a_id, "actor_a_id"), (actor_b_id, "actor_b_id"))
        ]
        a, b = (selectors.actor_record_of(actor) for actor in actors)
        score, _ = resolution.pair_score(a, b)
        decision = services.entity_decide(
            actor=user,
            actor_a=actors[0],
            actor_b=actors[1],
            verdict=getattr(verdict, "value", verdict),
            score=round(score, 4),
            reason=reason or "",
        )
        return {"decision": decision}


class EntityPairInput(graphene.InputObjectType):
    actor_a_id = graphene.ID(required=True)
    actor_b_id = graphene.ID(required=True)


class DecideEntitySuggestions(BaseMutation):
    """Decide many suggestions at once, all or none: confirm every current suggestion
    (entitySuggestions of these operations) scoring at least `confirmFrom`, and reject
    each pair of `reject` (at most 100, e.g. a page of suggestions)."""

    confirmed = graphene.Int(description="Pairs confirmed (null when refused).")
    rejected = graphene.Int(description="Pairs rejected (null when refused).")

    class Arguments:
        operation_ids = graphene.List(graphene.NonNull(graphene.ID), required=True)
        confirm_from = graphene.Float(description="Confirm every suggestion from this score.")
        reject = graphene.List(graphene.NonNull(EntityPairInput), description="Pairs to reject.")
        reason = graphene.String()

    @classmethod
    def perform(cls, info, operation_ids, confirm_from=None, reject=None, reason=""):
        user = info.context.user
        if confirm_from is None and not reject:
            raise ValidationError(
                {"confirm_from": ValidationError("Give confirmFrom, reject or both.", "REQUIRED")}
            )
        operations = get_many_by_global_id(
            operation_ids,
            "Operation",
            selectors.analysable_operations(user),
            field="operation_ids",
        )
        confirm = []
        if confirm_from is not None:
            if not 0 <= confirm_from <= 1:
                raise ValidationError(
                    {"confirm_from": ValidationError("Between 0 and 1.", "INVALID_PARAMETER")}
                )
            confirm = [
                (p.actor_a, p.actor_b, p.suggestion.score)
                for p in selectors.entity_suggestions(user, operations, confirm_from)
            ]
        refused = []
        analysable = selectors.analysable_actors(user).filter(hit__operation__in=operations)
        for i, pair in enumerate(reject or []):
            actors = [
                get_by_global_id(gid, "Actor", analysable, field=f"reject.{i}.{field}")
                for gid, field in ((pair.actor_a_id, "actor_a_id"), (pair.actor_b_id, "actor_b_id"))
            ]
            score, _ = resolution.pair_score(*(selectors.actor_record_of(a) for a in actors))
            refused.append((*actors, round(score, 4)))
        with transaction.atomic():
            services.entity_decide_many(
                actor=user, pairs=confirm, verdict="confirmed", reason=reason or ""
            )
            services.entity_decide_many(
                actor=user, pairs=refused, verdict="rejected", reason=reason or "", field="reject"
            )
        return {"confirmed": len(confirm), "rejected": len(refused)}


class AnalysisMutations(graphene.ObjectType):
    run_network_analysis = RunNetworkAnalysis.Field()
    decide_entities = DecideEntities.Field()
    decide_entity_suggestions = DecideEntitySuggestions.Field()
