"""Export an analysis graph to files other tools read.

``export_graph(graph, fmt)`` turns the ``networkx.Graph`` built for an analysis run (node keys and
attributes as in the network_analysis data contract) into bytes:

- ``gexf`` (Gephi) and ``graphml`` (yEd, Cytoscape, igraph): every node and edge attribute is kept;
  GraphML also keeps the graph-level attributes (edition, fingerprint, operations), GEXF has no
  place for them.
- ``json``: networkx node-link data, which ``nx.node_link_graph`` reads back.
- ``stix``: a STIX 2.1 bundle for threat-intelligence platforms (OpenCTI, MISP), made of standard
  objects only, so that a consumer that knows nothing of JointOps reads all of it
  (``stix2.parse(..., allow_custom=False)``) and ``stix2-validator --strict`` finds nothing:

  - actors are ``threat-actor`` objects; countries (of country nodes and of hits) ``location``
    objects; each (hit, actor) pair a ``sighting`` of the actor where the hit was made, marked
    with the hit's TLP;
  - an e-mail identifier is an ``email-addr`` observable, linked ``related-to`` from its actors;
  - every other identifier and every conveyance (phone, address, document, registration,
    container, air waybill, postal item, bill of lading, flight, vessel, aircraft, vehicle), which
    STIX 2.1 has no observable for, is an ``infrastructure`` object (the spec's "physical or
    virtual resources" used for a purpose), named with its label, linked ``uses`` from its actors
    (a relationship the spec suggests). A property extension, declared by an
    ``extension-definition`` in the bundle whose ``schema`` is the JSON Schema of the carrying
    object, adds the machine-readable ``identifier_type`` and normalised ``value``. A new
    observable type (``new-sco``) would be the other STIX 2.1 way, but stix2 refuses a bundle
    holding an unregistered one unless the consumer allows custom content.
  - TLP:CLEAR, GREEN, AMBER and RED are the TLP 1.0 marking definitions STIX 2.1 predefines
    (CLEAR is TLP 1.0 WHITE; the others keep their meaning). TLP 1.0 has no AMBER+STRICT, so that
    one is the TLP 2.0 marking definition of the OASIS common objects, never the wider AMBER.

  Identifiers are stable: exporting the same graph twice gives the same ids, so a platform
  updates what it imported before instead of doubling it. The spec wants UUIDv4 for domain,
  relationship and meta objects (the strict validator checks the version and variant bits) and
  deterministic UUIDv5 for observables. Observables get the spec's UUIDv5 (stix2 derives it from
  the value). Every other id is a UUIDv5 of the node key in ``STIX_NAMESPACE`` with its version
  bits set to 4 (``_stix_id``): shaped as a UUIDv4, with 122 bits of SHA-1 instead of 122 random
  bits, so it is as unlikely to collide and stays the same across exports.

The functions are pure: they read the graph and never touch the database.
"""

import io
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import networkx as nx
import stix2

from network_analysis.formats import EXPORT_FORMATS

# Name-derived STIX ids live in this namespace (see ``_stix_id``).
STIX_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://jointops.invalid/stix")
# Constant objects get a constant timestamp so that they are byte-identical in every bundle.
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)

# identifier_type -> what the infrastructure object is, for its description.
IDENTIFIER_TYPES = {
    "phone": "Phone number (E.164)",
    "address": "Postal address",
    "document": "Identity document (issuing country:number)",
    "registration": "Company registration (country:number)",
    "container": "Container (ISO 6346)",
    "air_waybill": "Air waybill (IATA)",
    "postal_item": "Postal item (UPU S10)",
    "bill_of_lading": "Bill of lading",
    "flight": "Flight",
    "vessel": "Vessel (IMO number)",
    "aircraft": "Aircraft (registration)",
    "vehicle": "Vehicle (plate)",
}


def _stix_id(stix_type: str, key: str) -> str:
    """A stable id shaped as a UUIDv4: the UUIDv5 of ``key`` with its version bits set to 4.

    >>> _stix_id("threat-actor", "actor:1") == _stix_id("threat-actor", "actor:1")
    True
    >>> uuid.UUID(_stix_id("threat-actor", "actor:1").split("--")[1]).version
    4
    """
    name_derived = uuid.uuid5(STIX_NAMESPACE, key)
    return f"{stix_type}--{uuid.UUID(bytes=name_derived.bytes, version=4)}"


IDENTIFIER_EXTENSION_ID = _stix_id("extension-definition", "extension:identifier-properties")
# The JSON Schema of an object carrying the extension; stix2-validator applies it to each such
# object when the schema is saved as <IDENTIFIER_EXTENSION_ID>.json in its --schemas directory.
IDENTIFIER_EXTENSION_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "jointops-identifier-properties",
    "description": (
        "An identifier or conveyance linked to a seizure in a JointOps operation, carried by a "
        "STIX 2.1 infrastructure object: what kind of identifier it is and its normalised value."
    ),
    "type": "object",
    "required": ["extensions"],
    "properties": {
        "extensions": {
            "type": "object",
            "required": [IDENTIFIER_EXTENSION_ID],
            "properties": {
                IDENTIFIER_EXTENSION_ID: {
                    "type": "object",
                    "required": ["extension_type", "identifier_type", "value"],
                    "properties": {
                        "extension_type": {"const": "property-extension"},
                        "identifier_type": {
                            "enum": list(IDENTIFIER_TYPES),
                            "description": "; ".join(
                                f"{k}: {v}" for k, v in IDENTIFIER_TYPES.items()
                            ),
                        },
                        "value": {
                            "type": "string",
                            "minLength": 1,
                            "description": "The normalised identifier, as JointOps compares it.",
                        },
                    },
                    "additionalProperties": False,
                }
            },
        }
    },
}

# TLP 2.0 in STIX 2.1: the marking definitions of the OASIS common objects
# (cti-stix-common-objects, extension-definition-specifications/tlp-2.0).
TLP_2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP_AMBER_STRICT = stix2.MarkingDefinition(
    id="marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    created="2022-10-01T00:00:00.000Z",
    name="TLP:AMBER+STRICT",
    extensions={
        TLP_2_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": "amber+strict"}
    },
)
TLP_BY_MARKING = {
    "CLEAR": stix2.TLP_WHITE,
    "WHITE": stix2.TLP_WHITE,
    "GREEN": stix2.TLP_GREEN,
    "AMBER": stix2.TLP_AMBER,
    "AMBER_STRICT": TLP_AMBER_STRICT,
    "RED": stix2.TLP_RED,
}


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
    identifiers = {
        key: identifier
        for key, attrs in graph.nodes(data=True)
        if (identifier := _identifier(key, attrs, author, now))
    }
    locations = _locations(graph, author, now)
    relationships = list(_relationships(graph, actors, identifiers, author, now))
    sightings = list(_sightings(graph, actors, locations, author, now))
    markings = {marking.id: marking for s in sightings for marking in _markings_of(s)}
    objects = [author]
    if any(o.type == "infrastructure" for o in identifiers.values()):
        objects.append(_identifier_extension(author))
    objects += [*markings.values(), *actors.values(), *identifiers.values(), *locations.values()]
    return stix2.Bundle(objects=objects + relationships + sightings)


def _nodes(graph: nx.Graph, kind: str) -> Iterator[tuple[str, dict]]:
    return ((key, attrs) for key, attrs in graph.nodes(data=True) if attrs.get("kind") == kind)


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


def _identifier(key: str, attrs: dict, author, now: datetime):
    """An ``email-addr``, or an ``infrastructure`` with the identifier extension, for an
    identifier or conveyance node; ``None`` for any other node."""
    kind = attrs.get("kind")
    if kind not in ("identifier", "conveyance"):
        return None
    identifier_type = attrs.get(f"{kind}_type") or key.split(":", 2)[1]
    value = key.split(":", 2)[2]
    if identifier_type == "email":
        return stix2.EmailAddress(value=value)
    return stix2.Infrastructure(
        id=_stix_id("infrastructure", key),
        name=attrs.get("label") or value,
        description=IDENTIFIER_TYPES.get(identifier_type, identifier_type),
        extensions={
            IDENTIFIER_EXTENSION_ID: {
                "extension_type": "property-extension",
                "identifier_type": identifier_type,
                "value": value,
            }
        },
        created_by_ref=author,
        created=now,
        modified=now,
    )


def _identifier_extension(author) -> stix2.ExtensionDefinition:
    return stix2.ExtensionDefinition(
        id=IDENTIFIER_EXTENSION_ID,
        name="jointops-identifier-properties",
        description=(
            "Adds identifier_type and value (the normalised identifier) to the infrastructure "
            "objects that stand for the phones, addresses, documents, registrations, shipping "
            "identifiers and conveyances linked to seizures in JointOps operations. The schema "
            "is the JSON Schema (2020-12) of a carrying object."
        ),
        schema=json.dumps(IDENTIFIER_EXTENSION_SCHEMA, sort_keys=True),
        version="1.0.0",
        extension_types=["property-extension"],
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


def _relationships(graph: nx.Graph, actors: dict, identifiers: dict, author, now: datetime):
    """From a threat-actor to each identifier it ``uses``: ``uses`` for an infrastructure object
    (a relationship the spec suggests), ``related-to`` for an e-mail address (the spec suggests
    none from a threat-actor to an observable)."""
    for u, v, kind in graph.edges(data="kind"):
        if kind != "uses":
            continue
        actor, identifier = (u, v) if u in actors else (v, u)
        if actor not in actors or identifier not in identifiers:
            continue
        target = identifiers[identifier]
        relationship_type = "uses" if target.type == "infrastructure" else "related-to"
        yield stix2.Relationship(
            id=_stix_id("relationship", f"{actor}|{relationship_type}|{identifier}"),
            relationship_type=relationship_type,
            source_ref=actors[actor],
            target_ref=target,
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
