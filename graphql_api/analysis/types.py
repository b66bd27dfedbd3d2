import uuid

import graphene
from django.urls import reverse
from graphene.types.generic import GenericScalar
from graphene_django import DjangoObjectType
from graphql_relay import to_global_id

from graphql_api.agencies.types import UserNode
from graphql_api.core.connections import CountableConnection
from graphql_api.core.errors import CodedGraphQLError
from graphql_api.hits.types import ActorType
from graphql_api.operations.types import OperationNode
from network_analysis import selectors
from network_analysis.formats import EXPORT_FORMATS, REPORT_FORMATS
from network_analysis.models import AnalysisResult, AnalysisRun, EntityDecision
from network_analysis.resolution import Merge

AnalysisRunState = graphene.Enum.from_enum(AnalysisRun.State, name="AnalysisRunState")
Edition = graphene.Enum("Edition", [(v.upper(), v) for v in AnalysisResult.Edition.values])
ReportFormat = graphene.Enum("ReportFormat", [(f.upper(), f) for f in REPORT_FORMATS])
ExportFormat = graphene.Enum("ExportFormat", [(f.upper(), f) for f in EXPORT_FORMATS])
Verdict = graphene.Enum("EntityVerdict", [(v.upper(), v) for v in EntityDecision.Verdict.values])


def _value(enum_value):
    return getattr(enum_value, "value", enum_value)


class AnalysisRunNode(DjangoObjectType):
    """A network analysis of one or several operations, as the analyst who started it
    may see them; only that analyst ever sees the run."""

    state = graphene.Field(AnalysisRunState, required=True)
    operations = graphene.List(graphene.NonNull(OperationNode), required=True)
    parameters = GenericScalar(required=True)
    reused = graphene.Boolean(
        required=True, description="The results are those of an earlier run on the same input."
    )
    results = GenericScalar(
        edition=Edition(default_value="full"),
        description="The results (docs/analysis.md); null until the run succeeded.",
    )
    report_url = graphene.String(
        format=ReportFormat(default_value="html"),
        edition=Edition(default_value="full"),
        description="The post-operation report; REDACTED for a wider audience.",
    )
    export_url = graphene.String(
        format=ExportFormat(default_value="gexf"),
        edition=Edition(default_value="full"),
        description="The entity graph: GEXF, GraphML, node-link JSON or a STIX 2.1 bundle.",
    )

    class Meta:
        model = AnalysisRun
        name = "AnalysisRun"
        interfaces = (graphene.relay.Node,)
        fields = [
            "id",
            "created_by",
            "fingerprint",
            "progress",
            "stage",
            "error",
            "hit_count",
            "created_at",
            "started_at",
            "finished_at",
        ]

    created_by = graphene.Field(UserNode, required=True)

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.filter(pk__in=selectors.runs_for_user(info.context.user).values("pk"))

    @classmethod
    def get_node(cls, info, id):
        try:
            pk = uuid.UUID(str(id))
        except ValueError:  # not a run id: the same as a run that does not exist
            return None
        return cls.get_queryset(AnalysisRun.objects.all(), info).filter(pk=pk).first()

    @staticmethod
    def resolve_operations(root, info):
        return root.operations.all()

    @staticmethod
    def resolve_reused(root, info):
        return root.reused_from_id is not None

    @staticmethod
    def resolve_results(root, info, edition="full"):
        wanted = _value(edition)
        result = next((r for r in root.results.all() if r.edition == wanted), None)
        return result.results if result else None

    @staticmethod
    def resolve_report_url(root, info, format="html", edition="full"):
        return _url(info, root, "analysis-report", _value(format), _value(edition))

    @staticmethod
    def resolve_export_url(root, info, format="gexf", edition="full"):
        return _url(info, root, "analysis-export", _value(format), _value(edition))


def _url(info, run: AnalysisRun, name: str, fmt: str, edition: str) -> str | None:
    if run.state != AnalysisRun.State.SUCCEEDED:
        return None
    path = reverse(name, kwargs={"pk": run.pk, "fmt": fmt})
    return info.context.build_absolute_uri(f"{path}?edition={edition}")


class MergeEvidence(graphene.ObjectType):
    """Why two actor rows are one entity without a decision (or by one)."""

    actor_a_id = graphene.ID(required=True)
    actor_b_id = graphene.ID(required=True)
    rule = graphene.String(
        required=True,
        description="document, registration, name_and_birth, identifier_and_name or confirmed.",
    )
    evidence = graphene.String(required=True, description='"same passport CO AB123456".')


def merge_evidence(merge) -> MergeEvidence:
    return MergeEvidence(
        actor_a_id=to_global_id("Actor", merge.a),
        actor_b_id=to_global_id("Actor", merge.b),
        rule=merge.rule,
        evidence=merge.evidence,
    )


class SuggestedEntity(graphene.ObjectType):
    """One side of a suggestion: an entity after the automatic merges."""

    id = graphene.String(required=True, description='The node id of the entity, "actor:12".')
    actors = graphene.List(
        graphene.NonNull(ActorType), required=True, description="Its actor rows, first first."
    )
    merged_because = graphene.List(graphene.NonNull(MergeEvidence), required=True)

    @staticmethod
    def resolve_id(root, info):
        return f"actor:{root.actor.pk}"

    @staticmethod
    def resolve_merged_because(root, info):
        return [merge_evidence(m) for m in root.merges]


class EntitySuggestion(graphene.ObjectType):
    """Two entities (after automatic merges) whose names match; an analyst confirms or
    rejects with their first actors (decideEntities, decideEntitySuggestions)."""

    actor_a = graphene.Field(ActorType, required=True, description="Entity A's first actor.")
    actor_b = graphene.Field(ActorType, required=True, description="Entity B's first actor.")
    entity_a = graphene.Field(SuggestedEntity, required=True)
    entity_b = graphene.Field(SuggestedEntity, required=True)
    operation_a = graphene.String(required=True, description="Operation code of actor A's hit.")
    operation_b = graphene.String(required=True)
    score = graphene.Float(required=True, description="0 to 1.")
    reasons = graphene.List(graphene.NonNull(graphene.String), required=True)


class EntitySuggestionConnection(CountableConnection):
    class Meta:
        node = EntitySuggestion


class EntityDecisionType(graphene.ObjectType):
    class Meta:
        name = "EntityDecision"

    actor_a = graphene.Field(ActorType, required=True)
    actor_b = graphene.Field(ActorType, required=True)
    verdict = graphene.Field(Verdict, required=True)
    score = graphene.Float(required=True)
    reason = graphene.String(required=True)
    overruled = graphene.List(
        graphene.NonNull(MergeEvidence),
        required=True,
        description="For a split: the automatic merges of the entity it overruled.",
    )
    decided_by = graphene.Field(UserNode, required=True)
    decided_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_overruled(root, info):
        return [
            merge_evidence(Merge(*m["actors"], m["rule"], m["evidence"])) for m in root.evidence
        ]


class NetworkNode(graphene.ObjectType):
    id = graphene.String(required=True, description='"<kind>:<key>", e.g. "actor:12".')
    kind = graphene.String(required=True)
    label = graphene.String(required=True)
    attributes = GenericScalar(required=True)


class NetworkEdge(graphene.ObjectType):
    source = graphene.String(required=True)
    target = graphene.String(required=True)
    kind = graphene.String(required=True)
    weight = graphene.Float(required=True)


class EntityNetwork(graphene.ObjectType):
    nodes = graphene.List(graphene.NonNull(NetworkNode), required=True)
    edges = graphene.List(graphene.NonNull(NetworkEdge), required=True)


def network_node(graph, node) -> NetworkNode:
    attrs = graph.nodes[node]
    return NetworkNode(id=node, kind=attrs["kind"], label=attrs["label"], attributes=attrs)


def network_of(graph) -> EntityNetwork:
    return EntityNetwork(
        nodes=[network_node(graph, n) for n in sorted(graph.nodes)],
        edges=[
            NetworkEdge(source=u, target=v, kind=a["kind"], weight=a["weight"])
            for u, v, a in sorted(graph.edges(data=True))
        ],
    )


def not_found(message: str):
    return CodedGraphQLError(message, "NOT_FOUND")
