"""Network measures: pure functions of a graph (no database, no Django).

Every function takes an optional ``backend``, passed to networkx's dispatch, so a
faster implementation (nx-parallel, nx-cugraph, ...) can be plugged in by the
``NETWORKX_BACKEND`` setting without touching this module. Distances (betweenness,
closeness, shortest paths) count hops; ``weight`` (how often two entities were seen
together) is used as a strength by PageRank and Louvain.

Betweenness is exact up to ``exact_limit`` nodes and estimated above it from ``k``
sampled sources with a fixed seed (the sampling is stated in every report).
"""

from dataclasses import dataclass

import networkx as nx

DEFAULT_EXACT_LIMIT = 2000
DEFAULT_SAMPLE_K = 500
DEFAULT_SEED = 42


@dataclass(frozen=True)
class BetweennessMethod:
    exact: bool
    k: int | None
    seed: int | None

    def as_dict(self) -> dict:
        return {"exact": self.exact, "k": self.k, "seed": self.seed}


def components(graph: nx.Graph) -> list[set]:
    """Connected components, largest first."""
    return sorted(nx.connected_components(graph), key=len, reverse=True)


def betweenness_method(
    graph: nx.Graph,
    exact_limit: int = DEFAULT_EXACT_LIMIT,
    k: int = DEFAULT_SAMPLE_K,
    seed: int = DEFAULT_SEED,
) -> BetweennessMethod:
    if graph.number_of_nodes() <= exact_limit or k >= graph.number_of_nodes():
        return BetweennessMethod(exact=True, k=None, seed=None)
    return BetweennessMethod(exact=False, k=k, seed=seed)


def betweenness(graph: nx.Graph, method: BetweennessMethod, backend=None) -> dict:
    return nx.betweenness_centrality(
        graph, k=method.k, seed=method.seed, normalized=True, backend=backend
    )


def centralities(graph: nx.Graph, method: BetweennessMethod, backend=None) -> dict[str, dict]:
    """degree, betweenness, pagerank and closeness of every node."""
    if graph.number_of_nodes() == 0:
        return {"degree": {}, "betweenness": {}, "pagerank": {}, "closeness": {}}
    return {
        "degree": nx.degree_centrality(graph, backend=backend),
        "betweenness": betweenness(graph, method, backend),
        "pagerank": nx.pagerank(graph, weight="weight", backend=backend),
        "closeness": nx.closeness_centrality(graph, backend=backend),
    }


def core_numbers(graph: nx.Graph, backend=None) -> dict:
    """k-core number of every node (self-loops ignored)."""
    simple = graph.copy()
    simple.remove_edges_from(nx.selfloop_edges(simple))
    return nx.core_number(simple, backend=backend)


def brokers(graph: nx.Graph, backend=None) -> tuple[list, list[tuple]]:
    """Articulation points (nodes whose removal splits their component) and bridges."""
    points = sorted(nx.articulation_points(graph, backend=backend))
    bridges = sorted(tuple(sorted(edge)) for edge in nx.bridges(graph, backend=backend))
    return points, bridges


def communities(
    graph: nx.Graph, seed: int = DEFAULT_SEED, resolution: float = 1.0, backend=None
) -> list[set]:
    """Louvain communities (weighted), largest first; isolated nodes left out."""
    if graph.number_of_edges() == 0:
        return []
    found = nx.community.louvain_communities(
        graph, weight="weight", resolution=resolution, seed=seed, backend=backend
    )
    return sorted((c for c in found if len(c) > 1), key=lambda c: (-len(c), min(c)))


def shortest_paths(graph: nx.Graph, source, target, limit: int = 10) -> list[list]:
    """Up to `limit` shortest paths (in hops) from source to target; [] when none."""
    if source not in graph or target not in graph:
        return []
    try:
        paths = nx.all_shortest_paths(graph, source, target)
        return [path for _, path in zip(range(limit), paths, strict=False)]
    except nx.NetworkXNoPath:
        return []


def ego_network(graph: nx.Graph, node, depth: int = 1) -> nx.Graph:
    """The subgraph of everything within `depth` hops of `node`."""
    if node not in graph:
        return nx.Graph()
    return nx.ego_graph(graph, node, radius=depth)


def route_betweenness(routes: nx.DiGraph, backend=None) -> tuple[dict, dict]:
    """(node betweenness, edge betweenness) of the country route network: the
    countries and legs most routes pass through."""
    if routes.number_of_nodes() == 0:
        return {}, {}
    return (
        nx.betweenness_centrality(routes, normalized=True, backend=backend),
        nx.edge_betweenness_centrality(routes, normalized=True, backend=backend),
    )


def cross_operation_links(graph: nx.Graph, kinds=("actor", "identifier", "conveyance")) -> list:
    """Entities seen in more than one operation: (node, [operation codes]), most first."""
    found = [
        (node, attrs["operations"].split(","))
        for node, attrs in graph.nodes(data=True)
        if attrs["kind"] in kinds and "," in attrs.get("operations", "")
    ]
    return sorted(found, key=lambda pair: (-len(pair[1]), pair[0]))
