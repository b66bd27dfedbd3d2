"""The graphs of an analysis, built from an :class:`~network_analysis.selectors.AnalysisInput`
(pure: no database).

- :func:`entity_graph`: hits, shipments, actors (resolved entities), identifiers,
  conveyances, locations and countries, with typed, weighted edges;
- :func:`actor_projection`: actors linked by the shipments and identifiers they share;
- :func:`route_network`: countries linked departure -> transit -> destination, weighted
  by hits and kilogram equivalents; :func:`route_demand`: hits and kilograms from each
  departure to each destination;
- :func:`linking_graph`: the entity graph without places and hubs (components).

Node keys are ``"<kind>:<ident>"`` and every attribute is a str, int, float or bool, so
the graphs can be written as GEXF or GraphML as they are (docs/analysis.md).
"""

from collections import defaultdict
from itertools import combinations

import networkx as nx
import pycountry

from operations.models import HitIdentifier

NODE_KINDS = frozenset(
    {"hit", "shipment", "actor", "identifier", "conveyance", "location", "country"}
)
Kind = HitIdentifier.Kind
SHIPMENT_IDENTIFIERS = {
    Kind.CONTAINER: "container",
    Kind.AIR_WAYBILL: "air_waybill",
    Kind.POSTAL_ITEM: "postal_item",
    Kind.BILL_OF_LADING: "bill_of_lading",
}
CONVEYANCES = {
    Kind.FLIGHT: "flight",
    Kind.IMO: "vessel",
    Kind.AIRCRAFT: "aircraft",
    Kind.VEHICLE: "vehicle",
}
# Identifiers shared by more actors than this are places, not links (a mail centre's
# address, a forwarder's switchboard): they stay in the entity graph, not the projection.
PROJECTION_MAX_SHARED = 50
# Where a hit was made says nothing of who is linked to whom: every hit of a country, or
# of a port, would be one component through them.
PLACE_KINDS = ("country", "location")
# Identifiers and conveyances seen with more than max_shared others (a scheduled flight
# number, a port's switchboard) are places too when counting components.
HUB_KINDS = ("identifier", "conveyance")


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    return country.name if country else code


def hit_kilograms(data) -> dict[int, float]:
    total: dict[int, float] = defaultdict(float)
    for item in data.items:
        if item["kilograms"] is not None:
            total[item["hit_id"]] += float(item["kilograms"])
    return total


class _Builder:
    def __init__(self, data):
        self.graph = nx.Graph(
            edition=data.edition,
            operations=",".join(o["code"] for o in data.operations),
        )
        self.operations_of: dict[str, set[str]] = defaultdict(set)

    def node(self, key: str, kind: str, label: str, seen_in: str, **attrs) -> str:
        """Add the node once; `seen_in`: the code of an operation it appears in."""
        if key not in self.graph:
            self.graph.add_node(key, kind=kind, label=label, **attrs)
        self.operations_of[key].add(seen_in)
        return key

    def edge(self, a: str, b: str, kind: str, weight: float = 1.0, **attrs) -> None:
        if self.graph.has_edge(a, b):
            self.graph[a][b]["weight"] += weight
        else:
            self.graph.add_edge(a, b, kind=kind, weight=weight, **attrs)

    def finish(self) -> nx.Graph:
        for key, codes in self.operations_of.items():
            self.graph.nodes[key]["operations"] = ",".join(sorted(codes))
        return self.graph


def identifier_key(kind: str, value: str) -> str:
    return f"identifier:{kind}:{value}"


def entity_graph(data) -> nx.Graph:
    """The entity graph of what `data` holds (one node per resolved actor)."""
    b = _Builder(data)
    hit_key: dict[int, str] = {}
    operation_of: dict[int, str] = {}
    for hit in data.hits:
        code = hit["operation__code"]
        key = b.node(
            f"hit:{hit['pk']}",
            "hit",
            f"{code}#{hit['sequence']}",
            code,
            operation=code,
            sequence=hit["sequence"],
            marking=hit["marking"],
            occurred_at=hit["occurred_at"].isoformat(),
            country=hit["country"],
        )
        hit_key[hit["pk"]], operation_of[hit["pk"]] = key, code
        country = b.node(f"country:{hit['country']}", "country", country_name(hit["country"]), code)
        place = hit["location_code"] or f"{hit['country']}:{hit['place'] or 'unstated'}"
        location = b.node(
            f"location:{place}", "location", hit["place"] or place, code, country=hit["country"]
        )
        b.edge(key, location, "seized_at")
        b.edge(location, country, "located_in")
    shipment_of: dict[int, str] = {}
    for shipment in data.shipments:
        hit = shipment["hit_id"]
        key = b.node(
            f"shipment:{shipment['pk']}",
            "shipment",
            f"shipment of {b.graph.nodes[hit_key[hit]]['label']}",
            operation_of[hit],
        )
        shipment_of[hit] = key
        b.edge(hit_key[hit], key, "shipment")
    for hit, kind, value in data.identifiers:
        anchor = shipment_of.get(hit, hit_key[hit])
        if kind in SHIPMENT_IDENTIFIERS:
            node = b.node(
                identifier_key(SHIPMENT_IDENTIFIERS[kind], value),
                "identifier",
                value,
                operation_of[hit],
                identifier_type=SHIPMENT_IDENTIFIERS[kind],
                nominal=False,
            )
            b.edge(anchor, node, "identified_by")
        elif kind in CONVEYANCES:
            node = b.node(
                f"conveyance:{CONVEYANCES[kind]}:{value}",
                "conveyance",
                value,
                operation_of[hit],
                conveyance_type=CONVEYANCES[kind],
            )
            b.edge(anchor, node, "conveyed_by")
    actor_rows = defaultdict(list)
    for actor in data.actors:
        actor_rows[data.entities.get(actor["pk"], actor["pk"])].append(actor)
    for entity, rows in actor_rows.items():
        first = min(rows, key=lambda r: r["pk"])
        key = f"actor:{entity}"
        for row in rows:
            code = operation_of[row["hit_id"]]
            b.node(
                key,
                "actor",
                first["name"],
                code,
                actor_kind=first["kind"],
                nationality=first["nationality"],
                actors=len(rows),
            )
            b.edge(hit_key[row["hit_id"]], key, "involves", role=row["role"])
            for kind, value in _nominal_identifiers(row):
                node = b.node(
                    identifier_key(kind, value),
                    "identifier",
                    value,
                    code,
                    identifier_type=kind,
                    nominal=True,
                )
                b.edge(key, node, "uses")
    return b.finish()


def _nominal_identifiers(actor: dict):
    for phone in actor["phones"]:
        yield "phone", phone
    for email in actor["emails"]:
        yield "email", email.lower()
    for address in actor["addresses"]:
        yield "address", " ".join(address.lower().split())
    for document in actor["documents"]:
        yield "document", f"{document.get('country', '')}:{document.get('number', '')}"
    if actor["registration_number"]:
        yield "registration", f"{actor['nationality']}:{actor['registration_number']}"


def actor_projection(graph: nx.Graph, max_shared: int = PROJECTION_MAX_SHARED) -> nx.Graph:
    """Actors linked by shared shipments (the same hit, or shipments with the same
    container, air waybill, postal item or bill of lading) and shared identifiers;
    ``weight`` = shared_shipments + shared_identifiers."""
    projection = nx.Graph(**graph.graph)
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    for actor, attrs in graph.nodes(data=True):
        if attrs["kind"] != "actor":
            continue
        projection.add_node(actor, **attrs)
        for neighbour in graph[actor]:
            kind = graph.nodes[neighbour]["kind"]
            if kind == "identifier":
                holders[("identifiers", neighbour)].add(actor)
            elif kind == "hit":
                holders[("shipments", neighbour)].add(actor)
                for handle in _shipment_handles(graph, neighbour):
                    holders[("shipments", handle)].add(actor)
    for (what, _), actors in holders.items():
        if len(actors) > max_shared:
            continue
        for a, b in combinations(sorted(actors), 2):
            if not projection.has_edge(a, b):
                projection.add_edge(a, b, weight=0.0, shared_shipments=0, shared_identifiers=0)
            edge = projection[a][b]
            edge[f"shared_{what}"] += 1
            edge["weight"] += 1.0
    return projection


def linking_graph(graph: nx.Graph, max_shared: int = PROJECTION_MAX_SHARED) -> nx.Graph:
    """The entity graph without what joins everything: countries and locations, and
    identifiers or conveyances with more than `max_shared` neighbours (the projection's
    rule: a place, not a link). Components are counted on it."""
    keep = [
        node
        for node, kind in graph.nodes(data="kind")
        if kind not in PLACE_KINDS and not (kind in HUB_KINDS and len(graph[node]) > max_shared)
    ]
    return graph.subgraph(keep)


def _shipment_handles(graph: nx.Graph, hit: str):
    """Identifiers of the hit's shipment that name the shipment itself."""
    for shipment in graph[hit]:
        if graph.nodes[shipment]["kind"] != "shipment":
            continue
        for neighbour in graph[shipment]:
            if graph.nodes[neighbour].get("identifier_type") in SHIPMENT_IDENTIFIERS.values():
                yield neighbour


def route_network(data) -> nx.DiGraph:
    """Countries linked along each shipment's route (departure, transits, destination)."""
    routes = nx.DiGraph(edition=data.edition)
    kilograms = hit_kilograms(data)
    for route, hit in shipment_routes(data):
        kg = kilograms.get(hit, 0.0)
        for country in route:
            if country not in routes:
                routes.add_node(country, label=country_name(country), hits=0, kilograms=0.0)
            routes.nodes[country]["hits"] += 1
            routes.nodes[country]["kilograms"] += kg
        for a, b in zip(route, route[1:], strict=False):
            if not routes.has_edge(a, b):
                routes.add_edge(a, b, hits=0, kilograms=0.0)
            routes[a][b]["hits"] += 1
            routes[a][b]["kilograms"] += kg
    return routes


def route_demand(data) -> dict[str, dict[tuple[str, str], float]]:
    """Hits and kilograms from each departure to each destination:
    {"hits": {(a, b): n}, "kilograms": {(a, b): kg}}."""
    kilograms = hit_kilograms(data)
    demand = {"hits": defaultdict(float), "kilograms": defaultdict(float)}
    for route, hit in shipment_routes(data):
        demand["hits"][(route[0], route[-1])] += 1
        demand["kilograms"][(route[0], route[-1])] += kilograms.get(hit, 0.0)
    return {what: dict(amounts) for what, amounts in demand.items()}


def shipment_routes(data) -> list[tuple[tuple[str, ...], int]]:
    """(route, hit pk) for each shipment with at least two countries on its route."""
    found = []
    for shipment in data.shipments:
        stops = [
            shipment["departure_country"],
            *(shipment["transit_countries"] or []),
            shipment["destination_country"],
        ]
        route: list[str] = []
        for country in stops:
            if country and (not route or route[-1] != country):
                route.append(country)
        if len(route) >= 2:
            found.append((tuple(route), shipment["hit_id"]))
    return found
