"""Network measures: pure functions of a graph (no database, no Django).

Distances (betweenness, closeness, shortest paths) count hops in the entity graphs;
``weight`` (how often two entities were seen together) is used as a strength by
PageRank and Louvain. The networkx measures take an optional ``backend``, passed to
networkx's dispatch (the ``NETWORKX_BACKEND`` setting).

**Betweenness** is computed per connected component by igraph (C; the same values as
networkx, checked in tests, 55x faster on the planted redacted graph of 20,000 hits:
docs/performance.md): exactly while the cost, the sum over components of nodes x edges,
stays within ``budget`` (leaves are folded onto their node, so a component costs only
its other nodes x its edges); above it the cheapest components stay exact and the others are
estimated from pivots (source nodes) drawn in proportion to their size, at least
``min_pivots`` each, in independent batches whose spread is the stated error.

**PageRank** is converged to a fixed L1 tolerance whatever the size (networkx multiplies
its ``tol`` by the number of nodes, so the default stops early on large graphs).

**Route measures** weigh each leg by the hits (or kilograms) that travelled it:
:func:`route_betweenness` (docs/analysis.md, "Measures").
"""

import math
import random
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import igraph
import networkx as nx

DEFAULT_EXACT_BUDGET = 100_000_000
# Pivots of a sampled component are drawn in this many independent batches: the spread of
# the batches' estimates is the stated standard error.
BATCHES = 10
DEFAULT_MIN_PIVOTS = 500
DEFAULT_SEED = 42
# PageRank stops when successive iterates differ by less than this (L1, summed over all
# nodes); the distance to the fixed point is then below 0.85 / 0.15 x 1e-10 < 6e-10.
PAGERANK_TOLERANCE = 1e-10
PAGERANK_MAX_ITERATIONS = 1000


@dataclass(frozen=True)
class BetweennessPlan:
    """How much betweenness may cost: ``budget`` in nodes x edges summed over components
    (a breadth-first search from every node of a component costs about its nodes x
    edges), ``min_pivots`` per sampled component, ``seed`` of the pivots."""

    budget: int = DEFAULT_EXACT_BUDGET
    min_pivots: int = DEFAULT_MIN_PIVOTS
    seed: int = DEFAULT_SEED


@dataclass
class Betweenness:
    """``values``: normalised as networkx's ``betweenness_centrality(normalized=True)`` of
    the whole graph; ``pairs``: the same unnormalised (pairs of other nodes whose shortest
    paths run through the node, fractions for shared paths); ``error``: standard error of
    ``pairs`` (0 where exact); ``method``: what was done, for the results' methodology."""

    values: dict
    pairs: dict
    error: dict
    method: dict
    batches: dict = field(default_factory=dict)  # sampled node -> [estimate of each batch]


def components(graph: nx.Graph) -> list[set]:
    """Connected components, largest first."""
    return sorted(nx.connected_components(graph), key=len, reverse=True)


def _to_igraph(graph: nx.Graph) -> tuple[igraph.Graph, dict]:
    index = {node: i for i, node in enumerate(graph)}
    edges = [(index[a], index[b]) for a, b in graph.edges() if a != b]
    return igraph.Graph(n=len(index), edges=edges, directed=False), index


def _leaves(graph: nx.Graph, part) -> dict:
    """leaf -> the node it hangs on (its only neighbour), in a component of 3 or more."""
    found = {}
    for node in part:
        others = set(graph[node]) - {node}
        if len(others) == 1:
            found[node] = next(iter(others))
    return found


def _plan_components(graph: nx.Graph, plan: BetweennessPlan):
    """(exact components, [(component, leaves, pivots)] sampled, total cost, leaves of
    every component). A component costs its nodes that are not leaves (the sources)
    x its edges; the cheapest are exact while the budget lasts; the rest share what is
    left, each the same fraction of its sources as pivots (at least ``min_pivots``)."""
    costed = []
    for part in nx.connected_components(graph):
        if len(part) > 2:  # nothing lies between the nodes of a pair
            edges = sum(d for _, d in graph.degree(part)) // 2
            leaves = _leaves(graph, part)
            cost = (len(part) - len(leaves)) * edges
            costed.append((cost, sorted(part, key=str), leaves))
    costed.sort(key=lambda item: (item[0], str(item[1][0])))
    exact, rest, spent = [], [], 0
    for cost, part, leaves in costed:
        if spent + cost <= plan.budget:
            exact.append((part, leaves))
            spent += cost
        else:
            rest.append((cost, part, leaves))
    share = (plan.budget - spent) / sum(item[0] for item in rest) if rest else 1.0
    sampled = []
    for _, part, leaves in rest:
        sources = len(part) - len(leaves)
        pivots = max(plan.min_pivots, math.ceil(share * sources))
        if pivots >= sources:
            exact.append((part, leaves))
        else:
            sampled.append((part, leaves, pivots))
    return exact, sampled, sum(item[0] for item in costed)


def _dependencies(ig: igraph.Graph, sources: Counter) -> list[float]:
    """Half the sum of the dependencies of every node on the sources, each counted as
    often as given (igraph's betweenness from a subset of sources)."""
    total = [0.0] * ig.vcount()
    by_count = defaultdict(list)
    for source, count in sources.items():
        by_count[count].append(source)
    for count, group in by_count.items():
        for i, value in enumerate(ig.betweenness(directed=False, sources=group)):
            total[i] += count * value
    return total


def _per_batch(pivots: int) -> int:
    return math.ceil(pivots / BATCHES)


def _standard_error(estimates: list[float]) -> float:
    """Standard error of the mean of independent estimates."""
    return statistics.stdev(estimates) / math.sqrt(len(estimates))


def betweenness(graph: nx.Graph, plan: BetweennessPlan = BetweennessPlan()) -> Betweenness:
    """Betweenness of every node, exact per component within the plan's budget, estimated
    from pivots above it (module docstring).

    Leaves are folded onto the node they hang on: paths from a leaf are those of its node
    plus the node itself, so a node's dependencies count 1 + its leaves times, and each
    leaf adds n - 2 pairs (n: its component's size) to its node; only nodes that are not
    leaves are sources. Pivots are drawn as nodes at random, a leaf standing for its
    node, with replacement: the estimate is unbiased and a star is exact."""
    nodes = list(graph)
    pairs, error, batches = dict.fromkeys(nodes, 0.0), dict.fromkeys(nodes, 0.0), {}
    exact, sampled, cost = _plan_components(graph, plan)
    ig, index = _to_igraph(graph)
    sources = Counter()
    for part, leaves in exact:
        sources.update(index[leaves.get(node, node)] for node in part)
    if sources:
        raw = _dependencies(ig, sources)
        for part, _ in exact:
            for node in part:
                pairs[node] = raw[index[node]]
    if sampled:
        rng = random.Random(plan.seed)
        drawn = [Counter() for _ in range(BATCHES)]
        for part, leaves, pivots in sampled:
            for batch in drawn:
                for _ in range(_per_batch(pivots)):
                    node = part[rng.randrange(len(part))]
                    batch[index[leaves.get(node, node)]] += 1
        raws = [_dependencies(ig, batch) for batch in drawn]
        for part, _, pivots in sampled:
            scale = len(part) / _per_batch(pivots)
            for node in part:
                found = [raw[index[node]] * scale for raw in raws]
                pairs[node], error[node] = statistics.fmean(found), _standard_error(found)
                batches[node] = found
    for part, leaves in [*exact, *((part, leaves) for part, leaves, _ in sampled)]:
        for node in leaves.values():
            pairs[node] += (len(part) - 2) / 2
    n = len(nodes)
    norm = 2 / ((n - 1) * (n - 2)) if n > 2 else 1.0
    method = {
        "exact": not sampled,
        "engine": f"igraph {igraph.__version__}",
        "budget": plan.budget,
        "cost": cost,
        "components": len(exact) + len(sampled),
        "exact_components": len(exact),
        "sampled_components": len(sampled),
        "k": sum(BATCHES * _per_batch(pivots) for _, _, pivots in sampled) or None,
        "min_pivots": plan.min_pivots,
        "seed": plan.seed,
    }
    return Betweenness(
        values={node: value * norm for node, value in pairs.items()},
        pairs=pairs,
        error=error,
        method=method,
        batches=batches,
    )


def sampling_error(measured: Betweenness, top: int = 25) -> dict | None:
    """How far the sampled estimates can be trusted (None when everything is exact): the
    relative standard error (from the spread of the independent batches of pivots) of
    the ``top`` sampled nodes of highest estimate, median and largest."""
    ranked = sorted(
        (n for n in measured.batches if measured.pairs[n] > 0), key=lambda n: -measured.pairs[n]
    )[:top]
    if not ranked:
        return None
    relative = sorted(measured.error[n] / measured.pairs[n] for n in ranked)
    return {
        "method": f"standard error from {BATCHES} independent batches of pivots",
        "top": len(ranked),
        "relative_error_median": round(relative[len(relative) // 2], 4),
        "relative_error_max": round(relative[-1], 4),
    }


def pagerank(graph: nx.Graph, backend=None) -> dict:
    """Weighted PageRank (damping 0.85), converged to PAGERANK_TOLERANCE in L1 whatever
    the size: networkx stops when the change is below ``tol`` x nodes, so ``tol`` is
    divided by the number of nodes."""
    return nx.pagerank(
        graph,
        weight="weight",
        tol=PAGERANK_TOLERANCE / graph.number_of_nodes(),
        max_iter=PAGERANK_MAX_ITERATIONS,
        backend=backend,
    )


def centralities(
    graph: nx.Graph, plan: BetweennessPlan = BetweennessPlan(), backend=None
) -> tuple[dict[str, dict], Betweenness]:
    """(degree, betweenness, pagerank and closeness of every node; the betweenness with
    its pairs, error and method)."""
    measured = betweenness(graph, plan)
    if graph.number_of_nodes() == 0:
        return {"degree": {}, "betweenness": {}, "pagerank": {}, "closeness": {}}, measured
    return {
        "degree": nx.degree_centrality(graph, backend=backend),
        "betweenness": measured.values,
        "pagerank": pagerank(graph, backend),
        "closeness": nx.closeness_centrality(graph, backend=backend),
    }, measured


def own_leaf_pairs(graph: nx.Graph) -> dict:
    """Pairs every path of which runs through a node only because one end is a leaf
    hanging on it (a node with no other neighbour): with l such leaves in a component
    of n nodes, l x (n - 1 - l) + l (l - 1) / 2."""
    size = {node: len(part) for part in nx.connected_components(graph) for node in part}
    leaves = defaultdict(int)
    for node in graph:
        others = set(graph[node]) - {node}
        if len(others) == 1:
            leaves[next(iter(others))] += 1
    return {
        node: leaves[node] * (size[node] - 1 - leaves[node]) + leaves[node] * (leaves[node] - 1) / 2
        for node in graph
    }


def key_entities(graph: nx.Graph, measured: Betweenness, degree: dict, top: int) -> list:
    """The nodes worth naming as key entities, by betweenness then degree, at most ``top``:

    - a node must lie between entities other than its own leaves (betweenness beyond
      :func:`own_leaf_pairs`, by more than twice its standard error where sampled): the
      hub of a star (a flight and the shipments it carried) brokers nothing;
    - the list does not end inside a tie: when the node after the last listed has the
      same betweenness (6 significant digits), the tied nodes are left out, since nothing
      says which of them to name."""
    hanging = own_leaf_pairs(graph)
    brokering = [
        node
        for node in graph
        if measured.pairs[node] - hanging[node] > 2 * measured.error[node] + 1e-6
    ]
    ranked = sorted(brokering, key=lambda n: (-measured.values[n], -degree[n], str(n)))

    def level(node) -> str:
        return f"{measured.values[node]:.6g}"

    listed = ranked[:top]
    if len(ranked) > top:
        cut = level(ranked[top])
        listed = [node for node in listed if level(node) != cut]
    return listed


def core_numbers(graph: nx.Graph, backend=None) -> dict:
    """k-core number of every node (self-loops ignored)."""
    simple = graph.copy()
    simple.remove_edges_from(nx.selfloop_edges(simple))
    return nx.core_number(simple, backend=backend)


MIN_PART = 2


def brokers(graph: nx.Graph, min_part: int = MIN_PART) -> tuple[list, list[tuple]]:
    """Articulation points and bridges that separate non-trivial parts: removing the
    node (or the edge) leaves at least two parts (the two sides) each holding ``min_part``
    nodes that are not leaves (nodes with one neighbour). A bridge to a leaf (a hit and
    its shipment), or to a node with only leaves beyond it (a shipment and its container
    number), is no finding; neither is the hub of a star.

    Computed on the block-cut tree (biconnected components and articulation points) in
    one pass, whatever the number of bridges."""
    weight = {n: int(len(set(graph[n]) - {n}) >= 2) for n in graph}
    points = set(nx.articulation_points(graph))
    tree = nx.Graph()
    bridges = []
    for i, block in enumerate(nx.biconnected_components(graph)):
        tree.add_node(("block", i), weight=sum(weight[n] for n in block if n not in points))
        tree.add_edges_from((("block", i), ("point", n)) for n in block & points)
        if len(block) == 2:
            bridges.append((i, tuple(sorted(block, key=str))))
    for n in points:
        tree.nodes[("point", n)]["weight"] = weight[n]
    below, parent, total = {}, {}, {}
    for part in nx.connected_components(tree):
        root = min(part, key=str)
        parent.update(nx.dfs_predecessors(tree, root))
        for x in nx.dfs_postorder_nodes(tree, root):
            below[x] = below.get(x, 0) + tree.nodes[x]["weight"]
            if x != root:
                below[parent[x]] = below.get(parent[x], 0) + below[x]
        for x in part:
            total[x] = below[root]

    def beyond(point, block) -> int:
        """What lies on `block`'s side of `point`."""
        return below[block] if parent.get(block) == point else total[point] - below[point]

    def side(node, block) -> int:
        """What stays with `node` when `block` (a bridge) is cut."""
        if node not in points:
            return weight[node]
        here = ("point", node)
        return below[here] if parent.get(here) == block else total[here] - below[block]

    found_points = sorted(
        (
            n
            for n in points
            if sum(beyond(("point", n), b) >= min_part for b in tree[("point", n)]) >= 2
        ),
        key=str,
    )
    found_bridges = sorted(
        (
            (a, b)
            for i, (a, b) in bridges
            if min(side(a, ("block", i)), side(b, ("block", i))) >= min_part
        ),
        key=lambda e: (str(e[0]), str(e[1])),
    )
    return found_points, found_bridges


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


def route_betweenness(routes: nx.DiGraph, demand: dict, weight: str) -> tuple[dict, dict]:
    """(node, edge) betweenness of the country route network weighted by traffic.

    ``weight`` ("hits" or "kilograms") enters twice. As a distance: a leg that carried w
    is 1 / w long, so the busiest chain of legs is the shortest path. As demand: each
    pair (departure, destination) counts as often as ``demand[(a, b)]`` (the hits or
    kilograms that went from a to b), not once. A country's value is then the share of
    all the traffic whose shortest route runs through it (its departure and destination
    excluded), a leg's the share that travels it; when every shipment took the busiest
    route between its ends, that is the share of hits (or kilograms) that transited the
    country. Plain betweenness counts every pair of countries once, so two transit
    countries each on one route tie however many hits each carried."""
    legs = nx.DiGraph()
    legs.add_nodes_from(routes)
    legs.add_edges_from(
        (a, b, {"distance": 1.0 / w}) for a, b, w in routes.edges(data=weight, default=0) if w > 0
    )
    nodes = dict.fromkeys(routes, 0.0)
    edges = dict.fromkeys(routes.edges, 0.0)
    wanted: dict = defaultdict(dict)
    for (a, b), amount in demand.items():
        if amount > 0 and a != b and a in legs and b in legs:
            wanted[a][b] = amount
    total = sum(sum(targets.values()) for targets in wanted.values())
    if not total:
        return nodes, edges
    for source, targets in wanted.items():
        pred, dist = nx.dijkstra_predecessor_and_distance(legs, source, weight="distance")
        order = sorted(dist, key=dist.get)
        paths = {source: 1}
        for node in order[1:]:
            paths[node] = sum(paths[p] for p in pred[node])
        through = dict.fromkeys(order, 0.0)
        for node in reversed(order):
            carried = targets.get(node, 0.0) + through[node]
            for p in pred[node]:
                share = paths[p] / paths[node] * carried
                edges[(p, node)] += share
                through[p] += share
            if node != source:
                nodes[node] += through[node]
    return (
        {node: value / total for node, value in nodes.items()},
        {edge: value / total for edge, value in edges.items()},
    )


def cross_operation_links(graph: nx.Graph, kinds=("actor", "identifier", "conveyance")) -> list:
    """Entities seen in more than one operation: (node, [operation codes]), most first."""
    found = [
        (node, attrs["operations"].split(","))
        for node, attrs in graph.nodes(data=True)
        if attrs["kind"] in kinds and "," in attrs.get("operations", "")
    ]
    return sorted(found, key=lambda pair: (-len(pair[1]), pair[0]))
