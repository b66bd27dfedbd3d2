"""Export an analysis graph to files other tools read.

``export_graph(graph, fmt)`` turns the ``networkx.Graph`` built for an analysis run (node keys and
attributes as in the network_analysis data contract) into bytes:

- ``gexf`` (Gephi) and ``graphml`` (yEd, Cytoscape, igraph): every node and edge attribute is kept;
  GraphML also keeps the graph-level attributes (edition, fingerprint, operations), GEXF has no
  place for them.
- ``json``: networkx node-link data, which ``nx.node_link_graph`` reads back.
- ``stix``: a STIX 2.1 bundle for threat-intelligence platforms (OpenCTI, MISP). Actors become
  ``threat-actor`` objects, e-mail identifiers ``email-addr`` observables and every other identifier
  or conveyance a ``jointops-identifier`` observable, a new observable type declared by an
  extension definition (the STIX 2.1 way; the bundle parses with ``allow_custom=False``). Countries become ``location`` objects and each
  (hit, actor) pair a ``sighting`` carrying the hit's TLP marking. Identifiers are derived from the
  node keys, so exporting the same graph twice gives the same ids.

The functions are pure: they read the graph and never touch the database.
"""

import io
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import networkx as nx
import stix2
from stix2.properties import StringProperty

from network_analysis.formats import EXPORT_FORMATS

# Every STIX id this module makes is a uuid5 in this namespace, so re-exports are stable.
STIX_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://jointops.invalid/stix")
# Declared by an extension definition, the STIX 2.1 way; no "x-" prefix, which marks the
# deprecated custom objects that stix2 refuses to reference without allow_custom.
IDENTIFIER_TYPE = "jointops-identifier"
IDENTIFIER_EXTENSION_ID = f"extension-definition--{uuid.uuid5(STIX_NAMESPACE, IDENTIFIER_TYPE)}"
# Constant objects get a constant timestamp so that they are byte-identical in every bundle.
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)

TLP_BY_MARKING = {
    "CLEAR": stix2.TLP_WHITE,
    "WHITE": stix2.TLP_WHITE,
    "GREEN": stix2.TLP_GREEN,
    "AMBER": stix2.TLP_AMBER,
    "AMBER_STRICT": stix2.TLP_AMBER,
    "RED": stix2.TLP_RED,
}


@stix2.v21.CustomObservable(
    IDENTIFIER_TYPE,
    [
        ("identifier_type", StringProperty(required=True)),
        ("value", StringProperty(required=True)),
    ],
    id_contrib_props=["identifier_type", "value"],
    extension_name=IDENTIFIER_EXTENSION_ID,
)
class JointOpsIdentifier:
    """A phone number, document, container, flight... as a STIX cyber-observable."""


def export_graph(graph: nx.Graph, fmt: str) -> tuple[bytes, str, str]:
    """Serialise ``graph`` as ``fmt``; return ``(content, content_type, file_extension)``.

    Examples
    --------
    >>> g = nx.Graph(edition="full", fingerprint="f", operations="OP")
    >>> g.add_edge("hit:1", "country:CO", kind="seized_at", weight=1.0)
    >>> content, content_type, extension = export_graph(g, "json")
    >>> content_type, extension, len(json.loads(content)["edges"])
    ('application/json', 'json', 1)
    """
    if fmt not in _EXPORTERS:
        raise ValueError(f"Unknown export format {fmt!r}; expected one of {EXPORT_FORMATS}.")
    exporter, content_type, extension = _EXPORTERS[fmt]
    return exporter(graph), content_type, extension


def _gexf(graph: nx.Graph) -> bytes:
    buffer = io.BytesIO()
    nx.write_gexf(graph, buffer, encoding="utf-8")
    return buffer.getvalue()


def _graphml(graph: nx.Graph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer, encoding="utf-8")
    return buffer.getvalue()


def _node_link(graph: nx.Graph) -> bytes:
    data = nx.node_link_data(graph, edges="edges")
    return json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")


def _stix(graph: nx.Graph) -> bytes:
    # stix2's own pretty printer orders properties in quadratic time; indent the plain
    # serialisation instead.
    content = json.loads(stix_bundle(graph).serialize())
    return json.dumps(content, indent=2, ensure_ascii=False).encode("utf-8")


def stix_bundle(graph: nx.Graph) -> stix2.Bundle:
    """The STIX 2.1 bundle for ``graph`` (see the module docstring for the mapping)."""
    now = datetime.now(UTC)
    author = stix2.Identity(
        id=_stix_id("identity", "jointops"),
        name="JointOps",
        identity_class="organization",
        created=EPOCH,
        modified=EPOCH,
    )
    actors = {key: _threat_actor(key, attrs, author, now) for key, attrs in _nodes(graph, "actor")}
    observables = {
        key: observable
        for key, attrs in graph.nodes(data=True)
        if (observable := _observable(key, attrs))
    }
    locations = _locations(graph, author, now)
    relationships = list(_relationships(graph, actors, observables, author, now))
    sightings = list(_sightings(graph, actors, locations, author, now))
    markings = {marking.id: marking for s in sightings for marking in _markings_of(s)}
    objects = [author]
    if any(o.type == IDENTIFIER_TYPE for o in observables.values()):
        objects.append(_identifier_extension(author))
    objects += [*markings.values(), *actors.values(), *observables.values(), *locations.values()]
    return stix2.Bundle(objects=objects + relationships + sightings)


def _nodes(graph: nx.Graph, kind: str) -> Iterator[tuple[str, dict]]:
    return ((key, attrs) for key, attrs in graph.nodes(data=True) if attrs.get("kind") == kind)


def _stix_id(stix_type: str, key: str) -> str:
    return f"{stix_type}--{uuid.uuid5(STIX_NAMESPACE, key)}"


def _threat_actor(key: str, attrs: dict, author, now: datetime) -> stix2.ThreatActor:
    return stix2.ThreatActor(
        id=_stix_id("threat-actor", key),
        name=attrs.get("label") or key,
        threat_actor_types=["criminal"],
        external_references=[{"source_name": "jointops", "external_id": key}],
        created_by_ref=author,
        created=now,
        modified=now,
    )


def _observable(key: str, attrs: dict):
    """An ``email-addr`` or ``jointops-identifier`` for an identifier or conveyance node."""
    kind = attrs.get("kind")
    if kind not in ("identifier", "conveyance"):
        return None
    observable_type = attrs.get(f"{kind}_type") or key.split(":", 2)[1]
    value = key.split(":", 2)[2]
    if observable_type == "email":
        return stix2.EmailAddress(value=value)
    return JointOpsIdentifier(identifier_type=observable_type, value=value)


def _identifier_extension(author) -> stix2.ExtensionDefinition:
    return stix2.ExtensionDefinition(
        id=IDENTIFIER_EXTENSION_ID,
        name=IDENTIFIER_TYPE,
        description="An identifier or conveyance linked to a seizure in a JointOps operation.",
        schema=(
            "Properties: identifier_type (phone, address, document, registration, container, "
            "air_waybill, postal_item, bill_of_lading, flight, vessel, aircraft, vehicle) and "
            "value (the normalised identifier); both contribute to the deterministic id."
        ),
        version="1.0.0",
        extension_types=["new-sco"],
        created_by_ref=author,
        created=EPOCH,
        modified=EPOCH,
    )


def _locations(graph: nx.Graph, author, now: datetime) -> dict[str, stix2.Location]:
    """One ``location`` per country code, from country nodes and from the hits' countries."""
    names = {
        attrs.get("country") or key.split(":", 1)[1]: attrs.get("label")
        for key, attrs in _nodes(graph, "country")
    }
    for _key, attrs in _nodes(graph, "hit"):
        names.setdefault(attrs.get("country") or "", None)
    names.pop("", None)
    return {
        code: stix2.Location(
            id=_stix_id("location", f"country:{code}"),
            name=name or code,
            country=code,
            created_by_ref=author,
            created=now,
            modified=now,
        )
        for code, name in sorted(names.items())
    }


def _relationships(graph: nx.Graph, actors: dict, observables: dict, author, now: datetime):
    """``related-to`` from a threat-actor to each identifier or conveyance it ``uses``."""
    for u, v, kind in graph.edges(data="kind"):
        if kind != "uses":
            continue
        actor, observable = (u, v) if u in actors else (v, u)
        if actor not in actors or observable not in observables:
            continue
        yield stix2.Relationship(
            id=_stix_id("relationship", f"{actor}|related-to|{observable}"),
            relationship_type="related-to",
            source_ref=actors[actor],
            target_ref=observables[observable],
            created_by_ref=author,
            created=now,
            modified=now,
        )


def _sightings(graph: nx.Graph, actors: dict, locations: dict, author, now: datetime):
    """One ``sighting`` of each actor involved in each hit, marked with the hit's TLP."""
    for hit, attrs in _nodes(graph, "hit"):
        where = locations.get(attrs.get("country") or "", author)
        marking = TLP_BY_MARKING.get(_normalise_marking(attrs.get("marking", "")))
        seen = _timestamp(attrs.get("occurred_at"))
        for actor in sorted(_actors_of_hit(graph, hit, actors)):
            yield stix2.Sighting(
                id=_stix_id("sighting", f"{hit}|{actor}"),
                sighting_of_ref=actors[actor],
                where_sighted_refs=[where],
                first_seen=seen,
                last_seen=seen,
                count=1,
                description=attrs.get("label") or hit,
                object_marking_refs=[marking] if marking else None,
                created_by_ref=author,
                created=now,
                modified=now,
            )


def _actors_of_hit(graph: nx.Graph, hit: str, actors: dict) -> set[str]:
    """Actors linked to the hit directly or through the hit's shipment."""
    found = set()
    for neighbour in graph[hit]:
        if neighbour in actors:
            found.add(neighbour)
        elif graph.nodes[neighbour].get("kind") == "shipment":
            found.update(n for n in graph[neighbour] if n in actors)
    return found


def _timestamp(value: str | None) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 string (naive means UTC); ``None`` if empty."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _normalise_marking(marking: str) -> str:
    """``"amber+strict"``, ``"AMBER_STRICT"``, ``"TLP:AMBER+STRICT"`` -> ``"AMBER_STRICT"``."""
    return marking.upper().removeprefix("TLP:").replace("+", "_").strip()


def _markings_of(sighting: stix2.Sighting) -> list:
    by_id = {m.id: m for m in TLP_BY_MARKING.values()}
    return [by_id[ref] for ref in sighting.get("object_marking_refs", [])]


_EXPORTERS = {
    "gexf": (_gexf, "application/gexf+xml", "gexf"),
    "graphml": (_graphml, "application/graphml+xml", "graphml"),
    "json": (_node_link, "application/json", "json"),
    "stix": (_stix, "application/stix+json;version=2.1", "stix.json"),
}
