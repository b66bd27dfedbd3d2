"""What an analyst may analyse, read from the database: the only module of the app that
decides which rows an analysis sees.

- :func:`analysable_operations`: operations the user holds ``analyse_operation`` on;
- :func:`load_input`: the hits of those operations the user may see (rejected hits
  left out), with their items, shipments and identifiers, and the actors and nominal
  identifiers only of hits whose nominal data the user may see. The redacted edition
  drops RED / AMBER+STRICT hits and all nominal data;
- :func:`entity_suggestions` and :func:`runs_for_user`.

Everything downstream (graphs, measures, reports, exports) is computed from an
:class:`AnalysisInput`, so nothing can show more than this module let through.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from network_analysis import resolution
from network_analysis.models import AnalysisResult, AnalysisRun, EntityDecision
from operations import permissions
from operations.models import Actor, Hit, HitIdentifier, HitItem, Operation, Shipment

EDITIONS = tuple(AnalysisResult.Edition.values)

HIT_FIELDS = (
    "pk",
    "operation_id",
    "operation__code",
    "sequence",
    "occurred_at",
    "country",
    "place",
    "location_code",
    "location_type",
    "mode_of_transport",
    "detection_method",
    "concealment",
    "arrests",
    "marking",
    "status",
    "reporting_agency__acronym",
    "reporting_agency__name",
)
ITEM_FIELDS = ("hit_id", "commodity", "commodity_group", "quantity", "unit", "kilograms")
SHIPMENT_FIELDS = (
    "pk",
    "hit_id",
    "departure_country",
    "transit_countries",
    "destination_country",
)
ACTOR_FIELDS = (
    "pk",
    "hit_id",
    "kind",
    "role",
    "name",
    "aliases",
    "nationality",
    "date_of_birth",
    "registration_number",
    "documents",
    "addresses",
    "phones",
    "emails",
)


@dataclass
class AnalysisInput:
    """Plain rows, as dicts keyed by the *_FIELDS names, plus resolved actors."""

    edition: str
    operations: list[dict]
    hits: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)
    shipments: list[dict] = field(default_factory=list)
    identifiers: list[tuple[int, str, str]] = field(default_factory=list)  # hit, kind, value
    actors: list[dict] = field(default_factory=list)
    entities: dict[int, int] = field(default_factory=dict)  # actor pk -> entity pk
    # The joins that made the entities: [{actors [a, b], rule, evidence}] (resolution.Merge)
    merges: list[dict] = field(default_factory=list)
    confirmed_merges: int = 0  # confirmed pairs among these actors
    kept_apart: int = 0  # rejected or split pairs among these actors

    def fingerprint(self, parameters: dict) -> str:
        """SHA-256 of everything an analysis reads, and of its parameters."""
        digest = hashlib.sha256()
        for part in (
            self.edition,
            self.operations,
            self.hits,
            self.items,
            self.shipments,
            self.identifiers,
            self.actors,
            sorted(self.entities.items()),
            self.merges,
            [self.confirmed_merges, self.kept_apart],
            parameters,
        ):
            digest.update(json.dumps(part, sort_keys=True, default=str).encode())
            digest.update(b"\x00")
        return digest.hexdigest()


def analysable_operations(user) -> QuerySet[Operation]:
    return permissions.operations_with_permission(user, permissions.ANALYSE)


def _hits(user, operations: Iterable[Operation], edition: str) -> QuerySet[Hit]:
    hits = (
        permissions.hits_visible_to(user)
        .filter(operation__in=[o.pk for o in operations])
        .exclude(status=Hit.Status.REJECTED)
    )
    if edition == AnalysisResult.Edition.REDACTED:
        hits = hits.exclude(marking__in=permissions.RESTRICTED_MARKINGS)
    return hits


def count_hits(user, operations: Iterable[Operation]) -> int:
    return _hits(user, operations, AnalysisResult.Edition.FULL).count()


def actor_record(row: dict) -> resolution.ActorRecord:
    return resolution.ActorRecord(
        pk=row["pk"],
        kind=row["kind"],
        name=row["name"],
        aliases=tuple(row["aliases"] or ()),
        nationality=row["nationality"],
        date_of_birth=row["date_of_birth"],
        registration_number=row["registration_number"],
        documents=tuple(
            (d.get("country", ""), d.get("number", ""), d.get("kind", "")) for d in row["documents"]
        ),
        phones=tuple(row["phones"] or ()),
        emails=tuple(row["emails"] or ()),
        addresses=tuple(row["addresses"] or ()),
    )


def _decisions(actors: QuerySet[Actor]) -> tuple[set, set]:
    """The latest verdict on each pair of these actors: (confirmed, kept apart) pairs,
    kept apart being rejected or split.

    `actors` stays a subquery: a list of 100,000 hits' actor ids would pass SQLite's
    limit on query parameters."""
    latest: dict[tuple[int, int], str] = {}
    pks = actors.values("pk")
    rows = EntityDecision.objects.filter(actor_a__in=pks, actor_b__in=pks)
    for a, b, verdict in rows.order_by("decided_at", "id").values_list(
        "actor_a_id", "actor_b_id", "verdict"
    ):
        latest[(a, b)] = verdict
    confirmed = {p for p, v in latest.items() if v == EntityDecision.Verdict.CONFIRMED}
    return confirmed, set(latest) - confirmed


def _nominal_actors(user, hits: QuerySet[Hit]) -> QuerySet[Actor]:
    nominal = permissions.hits_with_nominal_data_visible_to(user).filter(pk__in=hits.values("pk"))
    return Actor.objects.filter(hit__in=nominal)


def load_input(user, operations: Iterable[Operation], edition: str) -> AnalysisInput:
    """The rows `user` may analyse in `operations`, for one edition."""
    operations = sorted(operations, key=lambda o: o.pk)
    hits = _hits(user, operations, edition)
    data = AnalysisInput(
        edition=edition,
        operations=[{"id": o.pk, "code": o.code, "name": o.name} for o in operations],
        hits=list(hits.order_by("pk").values(*HIT_FIELDS)),
        items=list(
            HitItem.objects.filter(hit__in=hits.values("pk")).order_by("pk").values(*ITEM_FIELDS)
        ),
        shipments=list(
            Shipment.objects.filter(hit__in=hits.values("pk"))
            .order_by("pk")
            .values(*SHIPMENT_FIELDS)
        ),
        identifiers=list(
            HitIdentifier.objects.filter(hit__in=hits.values("pk"))
            .exclude(kind__in=HitIdentifier.NOMINAL)
            .order_by("pk")
            .values_list("hit_id", "kind", "value")
        ),
    )
    if edition == AnalysisResult.Edition.FULL:
        actors = _nominal_actors(user, hits)
        data.actors = list(actors.order_by("pk").values(*ACTOR_FIELDS))
        records = [actor_record(row) for row in data.actors]
        confirmed, rejected = _decisions(actors)
        resolved = resolution.resolve_entities(records, confirmed, rejected)
        data.entities = resolved.entities
        data.merges = [merge.as_dict() for merge in resolved.merges]
        data.confirmed_merges = len(confirmed)
        data.kept_apart = len(rejected)
    return data


@dataclass(frozen=True)
class SuggestedEntity:
    """An entity of a suggestion: its first actor row (decisions name it) and all rows."""

    actor: Actor
    actors: list[Actor]
    merges: list[resolution.Merge]


@dataclass(frozen=True)
class SuggestedPair:
    suggestion: resolution.Suggestion
    a: SuggestedEntity
    b: SuggestedEntity

    @property
    def actor_a(self) -> Actor:
        return self.a.actor

    @property
    def actor_b(self) -> Actor:
        return self.b.actor


@dataclass(frozen=True)
class Identity:
    """The actors `user` may analyse in some operations, resolved into entities."""

    actors: dict[int, Actor]
    records: list[resolution.ActorRecord]
    resolved: resolution.Resolution
    decided: set[tuple[int, int]]


def identity(user, operations: Iterable[Operation]) -> Identity:
    hits = _hits(user, operations, AnalysisResult.Edition.FULL)
    visible = _nominal_actors(user, hits)
    actors = {a.pk: a for a in visible.select_related("hit__operation").order_by("pk")}
    records = [actor_record_of(actor) for actor in actors.values()]
    confirmed, apart = _decisions(visible)
    resolved = resolution.resolve_entities(records, confirmed, apart)
    return Identity(actors, records, resolved, confirmed | apart)


def entity_suggestions(
    user, operations: Iterable[Operation], min_score: float = resolution.DEFAULT_MIN_SCORE
) -> list[SuggestedPair]:
    """Entities (after automatic merges) among the actors `user` may analyse in
    `operations` whose names match, not yet decided, best first."""
    found = identity(user, operations)
    ranked = resolution.suggestions(
        found.records, entities=found.resolved.entities, decided=found.decided, min_score=min_score
    )
    rows: dict[int, list[Actor]] = {}
    for pk, actor in found.actors.items():
        rows.setdefault(found.resolved.entities[pk], []).append(actor)
    merges = found.resolved.merged_because()

    def entity(pk: int) -> SuggestedEntity:
        return SuggestedEntity(found.actors[pk], rows[pk], merges.get(pk, []))

    return [SuggestedPair(s, entity(s.a), entity(s.b)) for s in ranked]


def analysable_actors(user) -> QuerySet[Actor]:
    """Actors `user` may analyse: their nominal data visible, analyse_operation held."""
    analysed = analysable_operations(user).values("pk")
    nominal = permissions.hits_with_nominal_data_visible_to(user).filter(operation__in=analysed)
    return Actor.objects.filter(hit__in=nominal).select_related("hit__operation")


def actor_record_of(actor: Actor) -> resolution.ActorRecord:
    return actor_record({name: getattr(actor, name) for name in ACTOR_FIELDS})


def entity_decisions(user, operations: Iterable[Operation]) -> list[EntityDecision]:
    """Decisions between actors `user` may analyse in `operations`, newest first.

    A split keeps the merges of the whole entity as its decider saw it, which may join
    actors of hits `user` may not see: each decision's `evidence` is narrowed here (in
    memory, never saved) to the merges of two actors `user` may analyse."""
    actors = analysable_actors(user).filter(hit__operation__in=[o.pk for o in operations])
    decisions = list(
        EntityDecision.objects.filter(actor_a__in=actors, actor_b__in=actors)
        .select_related("actor_a", "actor_b", "decided_by__agency")
        .order_by("-decided_at", "-id")[:500]
    )
    named = {pk for decision in decisions for merge in decision.evidence for pk in merge["actors"]}
    if named:
        visible = set(analysable_actors(user).filter(pk__in=named).values_list("pk", flat=True))
        for decision in decisions:
            decision.evidence = [m for m in decision.evidence if set(m["actors"]) <= visible]
    return decisions


def runs_for_user(user) -> QuerySet[AnalysisRun]:
    """Runs the user started, while they may still analyse every operation of each:
    a run shows what its creator could see, so it is never shown to anybody else."""
    if not getattr(user, "is_authenticated", False):
        return AnalysisRun.objects.none()
    analysable = analysable_operations(user).values("pk")
    return AnalysisRun.objects.filter(created_by=user).exclude(
        operations__in=Operation.objects.exclude(pk__in=analysable)
    )
