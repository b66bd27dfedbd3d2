"""An analysis from input to results: the statistics and network findings of one edition
(pure: no database). The layout of the results is documented in docs/analysis.md.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx
from django.utils import timezone

from network_analysis import algorithms, resolution
from network_analysis import graph as graphs
from operations.commodities import Commodity
from operations.models.hit import Hit, ModeOfTransport

# Parameters a run accepts: name -> (type, lowest, highest, default).
PARAMETERS = {
    "exact_budget": (int, 1_000, 2_000_000_000, algorithms.DEFAULT_EXACT_BUDGET),
    "min_pivots": (int, 10, 100_000, algorithms.DEFAULT_MIN_PIVOTS),
    "seed": (int, 0, 2**31 - 1, algorithms.DEFAULT_SEED),
    "resolution": (float, 0.05, 20.0, 1.0),
    "top": (int, 1, 500, 25),
    "max_shared": (int, 2, 10_000, graphs.PROJECTION_MAX_SHARED),
}
# Bump when the results change for the same input, so stored runs are not reused.
ANALYSIS_VERSION = 2

Progress = Callable[[int, str], None]


def _no_progress(percent: int, stage: str) -> None:
    pass


@dataclass
class Outcome:
    results: dict
    graph: nx.Graph


def _round(value: float) -> float:
    return round(float(value), 6)


def _measure(value: float) -> float:
    """A measure to 6 significant digits: normalised betweenness and PageRank of large
    graphs are far below 1e-6, and must not round to 0."""
    return float(f"{float(value):.6g}")


def _table(rows, key, kilograms, name: str, label=None, label_name="label") -> list[dict]:
    """Hits and kilograms per value of `key`, heaviest first: [{name: value, label_name:
    label(value), "hits": n, "kilograms": kg}] (no label column when `label` is None)."""
    hits, kg = Counter(), defaultdict(float)
    for row in rows:
        hits[row[key]] += 1
        kg[row[key]] += kilograms.get(row["pk"], 0.0)
    ordered = sorted(hits.items(), key=lambda pair: (-kg[pair[0]], -pair[1], pair[0]))
    return [
        {
            name: value,
            **({label_name: label(value)} if label else {}),
            "hits": n,
            "kilograms": _round(kg[value]),
        }
        for value, n in ordered
    ]


def _commodities(data) -> list[dict]:
    found: dict[str, dict] = {}
    for item in data.items:
        entry = found.setdefault(
            item["commodity"],
            {
                "commodity": item["commodity"],
                "label": Commodity(item["commodity"]).label,
                "group": item["commodity_group"],
                "hits": set(),
                "kilograms": 0.0,
                "quantities": Counter(),
            },
        )
        entry["hits"].add(item["hit_id"])
        entry["kilograms"] += float(item["kilograms"] or 0)
        entry["quantities"][item["unit"]] += float(item["quantity"])
    rows = [
        {
            **entry,
            "hits": len(entry["hits"]),
            "kilograms": _round(entry["kilograms"]),
            "quantities": [
                {"unit": unit, "quantity": _round(q)}
                for unit, q in sorted(entry["quantities"].items())
            ],
        }
        for entry in found.values()
    ]
    return sorted(rows, key=lambda c: (-c["kilograms"], -c["hits"], c["commodity"]))


def statistics(data, top: int) -> dict:
    kilograms = graphs.hit_kilograms(data)
    hits = data.hits
    agency_names = {h["reporting_agency__acronym"]: h["reporting_agency__name"] for h in hits}
    days = [{"pk": h["pk"], "date": h["occurred_at"].date().isoformat()} for h in hits]
    routes, route_kg = Counter(), defaultdict(float)
    for route, hit in graphs.shipment_routes(data):
        routes[route] += 1
        route_kg[route] += kilograms.get(hit, 0.0)
    concealment = _table(hits, "concealment", kilograms, "concealment")
    for row in concealment:
        row["concealment"] = row["concealment"] or "not stated"
    return {
        "totals": {
            "hits": len(hits),
            "kilograms": _round(sum(kilograms.values())),
            "arrests": sum(h["arrests"] for h in hits),
        },
        "by_commodity": _commodities(data),
        "by_country": _table(hits, "country", kilograms, "country", graphs.country_name, "name"),
        "by_mode": _table(
            hits, "mode_of_transport", kilograms, "mode", lambda v: ModeOfTransport(v).label
        ),
        "by_detection": _table(
            hits, "detection_method", kilograms, "method", lambda v: Hit.DetectionMethod(v).label
        ),
        "by_concealment": concealment,
        "by_agency": _table(
            hits, "reporting_agency__acronym", kilograms, "agency", agency_names.get, "name"
        ),
        "over_time": sorted(_table(days, "date", kilograms, "date"), key=lambda r: r["date"]),
        "top_routes": [
            {"route": list(route), "hits": n, "kilograms": _round(route_kg[route])}
            for route, n in sorted(routes.items(), key=lambda p: (-p[1], -route_kg[p[0]], p[0]))[
                :top
            ]
        ],
    }


def _label(graph: nx.Graph, node) -> str:
    return graph.nodes[node].get("label", str(node))


def _hits_of(graph: nx.Graph, node) -> list[str]:
    return sorted(graph.nodes[n]["label"] for n in graph[node] if graph.nodes[n]["kind"] == "hit")


def measured_graph(entities: nx.Graph, edition: str, max_shared: int) -> nx.Graph:
    """What key entities, communities and brokers are measured on: the actor projection
    (full edition), or shipments, conveyances and non-nominal identifiers (redacted)."""
    if edition == "full":
        return graphs.actor_projection(entities, max_shared)
    keep = [n for n, k in entities.nodes(data="kind") if k not in ("hit", "country", "location")]
    return entities.subgraph(keep).copy()


def network_findings(
    entities: nx.Graph, data, parameters: dict, backend, progress: Progress
) -> tuple[dict, dict]:
    """The "network" section and how its measures were computed (the methodology)."""
    measured = measured_graph(entities, data.edition, parameters["max_shared"])
    plan = algorithms.BetweennessPlan(
        parameters["exact_budget"], parameters["min_pivots"], parameters["seed"]
    )
    progress(40, f"centralities of {measured.number_of_nodes()} entities")
    measures, between = algorithms.centralities(measured, plan, backend)
    cores = algorithms.core_numbers(measured, backend)
    progress(60, "communities")
    found = algorithms.communities(measured, parameters["seed"], parameters["resolution"], backend)
    progress(70, "brokers")
    points, bridges = algorithms.brokers(measured)
    progress(80, "routes")
    routes = graphs.route_network(data)
    demand = graphs.route_demand(data)
    route_nodes, route_edges = algorithms.route_betweenness(routes, demand["hits"], "hits")
    kg_nodes, kg_edges = algorithms.route_betweenness(routes, demand["kilograms"], "kilograms")
    linking = graphs.linking_graph(entities, parameters["max_shared"])
    parts = algorithms.components(linking)
    ranked = algorithms.key_entities(measured, between, measures["degree"], parameters["top"])
    network = {
        "graph": {
            "nodes": entities.number_of_nodes(),
            "edges": entities.number_of_edges(),
            "components": len(parts),
            "largest_component": len(parts[0]) if parts else 0,
            "left_out_of_components": entities.number_of_nodes() - linking.number_of_nodes(),
            "nodes_by_kind": dict(
                sorted(Counter(k for _, k in entities.nodes(data="kind")).items())
            ),
        },
        "key_entities": [
            {
                "id": node,
                "rank": rank,
                "kind": measured.nodes[node]["kind"],
                "label": _label(measured, node),
                **{name: _measure(values[node]) for name, values in measures.items()},
                "betweenness_pairs": _measure(between.pairs[node]),
                "betweenness_error": _measure(between.error[node]),
                "core": cores[node],
                "hits": len(_hits_of(entities, node)),
            }
            for rank, node in enumerate(ranked, start=1)
        ],
        "communities": [
            {
                "id": i + 1,
                "size": len(members),
                "members": [{"id": m, "label": _label(measured, m)} for m in sorted(members)],
                "hits": sorted({h for m in members for h in _hits_of(entities, m)}),
            }
            for i, members in enumerate(found)
        ],
        "brokers": {
            "articulation_points": [{"id": p, "label": _label(measured, p)} for p in points],
            "bridges": [
                {
                    "source": a,
                    "target": b,
                    "source_label": _label(measured, a),
                    "target_label": _label(measured, b),
                }
                for a, b in bridges
            ],
        },
        "routes": {
            "countries": sorted(
                (
                    {
                        "country": c,
                        "name": attrs["label"],
                        "betweenness": _measure(route_nodes[c]),
                        "betweenness_kilograms": _measure(kg_nodes[c]),
                        "hits": attrs["hits"],
                        "kilograms": _round(attrs["kilograms"]),
                    }
                    for c, attrs in routes.nodes(data=True)
                ),
                key=lambda r: (
                    -r["betweenness"],
                    -r["betweenness_kilograms"],
                    -r["hits"],
                    r["country"],
                ),
            ),
            "edges": sorted(
                (
                    {
                        "source": a,
                        "target": b,
                        "hits": attrs["hits"],
                        "kilograms": _round(attrs["kilograms"]),
                        "edge_betweenness": _measure(route_edges[(a, b)]),
                        "edge_betweenness_kilograms": _measure(kg_edges[(a, b)]),
                    }
                    for a, b, attrs in routes.edges(data=True)
                ),
                key=lambda r: (-r["edge_betweenness"], -r["hits"], r["source"], r["target"]),
            ),
        },
        "cross_operation_links": [
            {
                "id": node,
                "label": _label(entities, node),
                "kind": entities.nodes[node]["kind"],
                "operations": codes,
            }
            for node, codes in algorithms.cross_operation_links(entities)
        ],
    }
    methodology = {
        "betweenness": {**between.method, "error": algorithms.sampling_error(between)},
        "pagerank": {
            "damping": 0.85,
            "tolerance_l1": algorithms.PAGERANK_TOLERANCE,
            "max_iterations": algorithms.PAGERANK_MAX_ITERATIONS,
        },
        "key_entities": KEY_ENTITY_RULE,
        "brokers": BROKER_RULE.format(min_part=algorithms.MIN_PART),
        "routes": ROUTE_RULE,
        "components": COMPONENT_RULE.format(max_shared=parameters["max_shared"]),
    }
    key = {e["id"] for e in network["key_entities"]}  # for the report's drawing
    network["key_links"] = sorted(
        [a, b, w] for a, b, w in measured.subgraph(key).edges(data="weight", default=1.0)
    )
    return network, methodology


KEY_ENTITY_RULE = (
    "Ranked by betweenness, then degree. Listed only if it lies on shortest paths between "
    "entities other than its own leaves (the hub of a star, such as a flight and the "
    "shipments it carried, brokers nothing), and the list does not end inside a tie."
)
BROKER_RULE = (
    "Articulation points and bridges listed only when each side holds at least {min_part} "
    "entities linked to more than one other: a bridge to a leaf is no finding."
)
ROUTE_RULE = (
    "Betweenness weighted by traffic: a leg that carried w hits (or kilograms) is 1/w "
    "long, and each departure-destination pair counts as often as the hits (kilograms) "
    "between them; a country's value is the share of the traffic routed through it."
)
COMPONENT_RULE = (
    "Components of the entity graph without countries and locations, and without "
    "identifiers or conveyances linked to more than {max_shared} others: they join "
    "everything and link nobody."
)


EDITION_NOTES = {
    "full": "Everything the analyst who ran it may see, nominal data included: "
    "distribute only to those cleared for every hit's marking.",
    "redacted": "For a wider audience: no persons, companies or nominal identifiers, "
    "and no TLP:RED or TLP:AMBER+STRICT hits.",
}


def analyse(
    data, parameters: dict, backend: str | None, fingerprint: str, progress: Progress = _no_progress
) -> Outcome:
    """The results of one edition (see docs/analysis.md)."""
    progress(10, f"{data.edition} edition: graph of {len(data.hits)} hits")
    entities = graphs.entity_graph(data)
    entities.graph["fingerprint"] = fingerprint
    progress(30, "statistics")
    stats = statistics(data, parameters["top"])
    network, method = network_findings(entities, data, parameters, backend, progress)
    merged = resolution.merged_entities(data.actors, data.entities, data.merges)
    because = {entity["id"]: entity["merged_because"] for entity in merged}
    for entity in network["key_entities"]:
        if entity["kind"] == "actor":
            entity["merged_because"] = because.get(entity["id"], [])
    results = {
        "edition": data.edition,
        "scope": {"operations": data.operations, "hits": len(data.hits)},
        "statistics": stats,
        "network": network,
        "identity": {"merged_entities": merged},
        "methodology": {
            "parameters": parameters,
            **method,
            "backend": backend or "networkx",
            "networkx": nx.__version__,
            "resolution": resolution.methodology(
                data.merges, data.confirmed_merges, data.kept_apart
            ),
            "fingerprint": fingerprint,
            "generated_at": timezone.now().isoformat(),
            "excluded": "Rejected hits are excluded; quantities without a mass unit have "
            "no kilogram equivalent.",
            "edition_note": EDITION_NOTES[data.edition],
            "version": ANALYSIS_VERSION,
        },
    }
    return Outcome(results=results, graph=entities)
