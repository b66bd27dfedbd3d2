"""The analysis recovers what network_analysis.synthetic planted (broker, cells, transit
country, cross-operation links), and the measures of network_analysis.algorithms on small
hand-made graphs.

Actor entities are named "actor:<pk>" after the smallest actor pk of the entity; the
planted person of an entity is ``Truth.person_of[pk]``.
"""

from collections import Counter

import networkx as nx
import pytest
from django.core.exceptions import ValidationError

from network_analysis import algorithms, services, synthetic
from network_analysis.algorithms import BetweennessPlan
from network_analysis.models import AnalysisRun
from operations import services as operation_services
from operations.models import Actor

# --- helpers ------------------------------------------------------------------------------


def analyse(user, operations, **parameters) -> AnalysisRun:
    run = services.run_create(actor=user, operations=operations, parameters=parameters)
    run = services.run_execute(run.pk)
    assert run.state == AnalysisRun.State.SUCCEEDED, run.error
    return run


def full_results(run: AnalysisRun) -> dict:
    return run.results.get(edition="full").results


def person_of(truth: synthetic.Truth, node: str) -> int | None:
    kind, _, pk = node.partition(":")
    return truth.person_of[int(pk)] if kind == "actor" else None


# --- planted structure --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 4, 7])
def test_planted_broker_ranks_first_by_betweenness(planted_operation, analyst, seed):
    truth = synthetic.plant(
        planted_operation, hits=120, cells=4, per_cell=6, duplicates=20, seed=seed
    )

    key_entities = full_results(analyse(analyst, [planted_operation]))["network"]["key_entities"]

    top = key_entities[0]
    assert top["kind"] == "actor"
    assert person_of(truth, top["id"]) == truth.broker
    assert top["betweenness"] > key_entities[1]["betweenness"]


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 7])
def test_planted_cells_are_recovered_as_communities(planted_operation, analyst, seed):
    truth = synthetic.plant(
        planted_operation, hits=120, cells=4, per_cell=6, duplicates=20, seed=seed
    )

    communities = full_results(analyse(analyst, [planted_operation]))["network"]["communities"]

    majority, members, majority_cells = 0, 0, []
    for community in communities:
        cells = Counter(
            truth.cell_of[person_of(truth, m["id"])]
            for m in community["members"]
            if person_of(truth, m["id"]) != truth.broker
        )
        cell, count = cells.most_common(1)[0]
        majority_cells.append(cell)
        majority += count
        members += sum(cells.values())
    # Measured: purity 1.00 (every community is one cell, the broker aside) on seeds 1-7.
    assert majority / members >= 0.95
    assert sorted(majority_cells) == list(range(4))  # one community per cell


@pytest.mark.django_db
def test_planted_transit_country_tops_the_route_network(planted_operation, analyst):
    truth = synthetic.plant(planted_operation, hits=120, transit="PA", duplicates=0, seed=3)

    results = full_results(analyse(analyst, [planted_operation]))

    countries = results["network"]["routes"]["countries"]
    assert countries[0]["country"] == truth.transit == "PA"
    assert countries[0]["name"] == "Panama"
    assert countries[0]["betweenness"] > countries[1]["betweenness"]
    assert truth.transit in results["statistics"]["top_routes"][0]["route"]
    edge = results["network"]["routes"]["edges"][0]
    assert truth.transit in (edge["source"], edge["target"])


@pytest.mark.django_db
def test_planted_broker_is_an_articulation_point(planted_operation, analyst):
    """Without unresolved duplicates of the broker, every path between its two cells runs
    through it."""
    truth = synthetic.plant(planted_operation, hits=120, cells=4, per_cell=6, duplicates=0, seed=5)

    network = full_results(analyse(analyst, [planted_operation]))["network"]

    points = [person_of(truth, p["id"]) for p in network["brokers"]["articulation_points"]]
    assert truth.broker in points


@pytest.mark.django_db
def test_redacted_edition_still_finds_the_transit_but_no_actors(planted_operation, analyst):
    synthetic.plant(planted_operation, hits=60, duplicates=10, seed=2)

    run = analyse(analyst, [planted_operation])
    redacted = run.results.get(edition="redacted").results

    assert redacted["network"]["routes"]["countries"][0]["country"] == "CR"
    assert all(e["kind"] != "actor" for e in redacted["network"]["key_entities"])
    assert "actor" not in redacted["network"]["graph"]["nodes_by_kind"]


# --- cross-operation links ----------------------------------------------------------------


def shared_person_entity(first_op, second_op) -> tuple[str, str]:
    """A phone held by actors of both operations, and the entity id they resolve to."""
    holders: dict[str, dict[int, list[int]]] = {}
    for op in (first_op, second_op):
        for pk, phones in Actor.objects.filter(hit__operation=op).values_list("pk", "phones"):
            for phone in phones:
                holders.setdefault(phone, {}).setdefault(op.pk, []).append(pk)
    shared = sorted(phone for phone, ops in holders.items() if len(ops) == 2)
    assert shared
    phone = shared[0]
    return phone, f"actor:{min(pk for pks in holders[phone].values() for pk in pks)}"


@pytest.fixture
def two_planted_operations(planted_operation, second_planted_operation):
    """PLANTED-OP and PLANTED-OP-2: the same first persons (one seed: the same names,
    dates of birth and phones)."""
    synthetic.plant(planted_operation, hits=40, cells=2, per_cell=4, duplicates=0, seed=1)
    synthetic.plant(second_planted_operation, hits=20, cells=2, per_cell=3, duplicates=0, seed=1)
    return planted_operation, second_planted_operation


@pytest.mark.django_db
def test_a_person_in_two_analysed_operations_is_a_cross_operation_link(
    two_planted_operations, analyst
):
    first, second = two_planted_operations
    phone, entity = shared_person_entity(first, second)

    links = full_results(analyse(analyst, [first, second]))["network"]["cross_operation_links"]

    by_id = {link["id"]: link for link in links}
    assert by_id[entity]["kind"] == "actor"
    assert by_id[entity]["operations"] == ["PLANTED-OP", "PLANTED-OP-2"]
    assert by_id[f"identifier:phone:{phone}"]["operations"] == ["PLANTED-OP", "PLANTED-OP-2"]


@pytest.mark.django_db
def test_a_run_of_one_operation_shows_no_cross_operation_links(two_planted_operations, analyst):
    first, _ = two_planted_operations

    results = full_results(analyse(analyst, [first]))

    assert results["network"]["cross_operation_links"] == []
    assert [o["code"] for o in results["scope"]["operations"]] == ["PLANTED-OP"]


@pytest.mark.django_db
def test_no_cross_operation_links_from_an_operation_the_analyst_may_not_analyse(
    two_planted_operations, analyst, coordinator
):
    first, second = two_planted_operations
    operation_services.operation_update(actor=coordinator, operation=second, analysts=[])

    with pytest.raises(ValidationError) as refused:
        services.run_create(actor=analyst, operations=[first, second], parameters={})
    results = full_results(analyse(analyst, [first]))

    assert [e.code for e in refused.value.error_dict["operation_ids"]] == ["PERMISSION_DENIED"]
    assert results["network"]["cross_operation_links"] == []


# --- algorithms on small graphs ----------------------------------------------------------


def two_cliques_joined_by_one_edge() -> nx.Graph:
    g = nx.Graph()
    left, right = ["a1", "a2", "a3", "a4", "a5"], ["b1", "b2", "b3", "b4", "b5"]
    for group in (left, right):
        g.add_edges_from((u, v) for i, u in enumerate(group) for v in group[i + 1 :])
    g.add_edge("a1", "b1")
    nx.set_edge_attributes(g, 1.0, "weight")
    return g


def test_components_largest_first_with_isolated_nodes():
    g = nx.Graph([(1, 2), (2, 3), (10, 11)])
    g.add_node(99)

    assert algorithms.components(g) == [{1, 2, 3}, {10, 11}, {99}]
    assert algorithms.components(nx.Graph()) == []


def test_brokers_separate_non_trivial_parts_not_leaves():
    g = two_cliques_joined_by_one_edge()
    g.add_edge("b5", "tail")  # a leaf: b5 and (b5, tail) are no finding
    nx.add_path(g, ["a5", "c1", "c2", "c3", "c4"])  # beyond c2 only c3 is no leaf

    points, bridges = algorithms.brokers(g)
    everything = set(nx.articulation_points(g)), set(nx.bridges(g))

    assert points == ["a1", "a5", "b1", "c1"]
    assert bridges == [("a1", "b1"), ("a5", "c1"), ("c1", "c2")]
    assert {"b5", "c2", "c3"} <= everything[0]
    assert ("b5", "tail") in everything[1] and ("c3", "c4") in everything[1]


def test_a_star_has_no_brokers_however_large():
    """The redacted edition's flights: one hub and the shipments it carried."""
    g = nx.star_graph(40)
    g.add_edge(1, "container")  # a shipment with a container number of its own

    assert algorithms.brokers(g) == ([], [])


def test_a_cycle_has_no_brokers():
    assert algorithms.brokers(nx.cycle_graph(5)) == ([], [])


def test_shortest_paths_lists_every_shortest_path():
    g = nx.Graph([("a", "b"), ("b", "d"), ("a", "c"), ("c", "d"), ("a", "e"), ("e", "f")])
    g.add_edge("f", "d")

    assert sorted(algorithms.shortest_paths(g, "a", "d")) == [["a", "b", "d"], ["a", "c", "d"]]
    assert len(algorithms.shortest_paths(g, "a", "d", limit=1)) == 1


def test_shortest_paths_without_a_path_or_node_are_empty():
    g = nx.Graph([("a", "b"), ("c", "d")])

    assert algorithms.shortest_paths(g, "a", "d") == []
    assert algorithms.shortest_paths(g, "a", "nowhere") == []
    assert algorithms.shortest_paths(g, "nowhere", "a") == []


def test_ego_network_depth():
    g = nx.path_graph(["p0", "p1", "p2", "p3", "p4", "p5"])

    assert set(algorithms.ego_network(g, "p2")) == {"p1", "p2", "p3"}
    assert set(algorithms.ego_network(g, "p2", depth=2)) == {"p0", "p1", "p2", "p3", "p4"}
    assert set(algorithms.ego_network(g, "p0", depth=4)) == {"p0", "p1", "p2", "p3", "p4"}
    assert algorithms.ego_network(g, "missing").number_of_nodes() == 0


def test_betweenness_is_exact_within_the_budget_per_component_then_sampled():
    g = nx.disjoint_union(nx.path_graph(30), nx.barabasi_albert_graph(200, 2, seed=1))
    exact = nx.betweenness_centrality(g)

    within = algorithms.betweenness(g, BetweennessPlan(budget=10**6))
    # Cost: sources (nodes but leaves) x edges. The path (28 x 29) fits; the other
    # component (200 x 396) does not: 40 pivots.
    plan = BetweennessPlan(budget=28 * 29, min_pivots=40, seed=3)
    sampled, again = algorithms.betweenness(g, plan), algorithms.betweenness(g, plan)

    assert within.method["exact"] and within.method["cost"] == 28 * 29 + 200 * 396
    assert all(within.values[n] == pytest.approx(exact[n], abs=1e-12) for n in g)
    assert all(within.error[n] == 0 for n in g)
    assert sampled.method | {"engine": ""} == {
        "exact": False,
        "engine": "",
        "budget": 28 * 29,
        "cost": 28 * 29 + 200 * 396,
        "components": 2,
        "exact_components": 1,
        "sampled_components": 1,
        "k": 40,
        "min_pivots": 40,
        "seed": 3,
    }
    assert all(sampled.values[n] == pytest.approx(exact[n], abs=1e-12) for n in range(30))
    assert sampled.values == again.values
    assert any(sampled.error[n] > 0 for n in range(30, 230))
    error = algorithms.sampling_error(sampled)
    assert error["top"] == 25 and 0 < error["relative_error_median"] <= error["relative_error_max"]
    assert algorithms.sampling_error(within) is None


def test_exact_betweenness_of_a_star_and_pairs():
    star = nx.star_graph(6)
    measured = algorithms.betweenness(star)

    assert measured.values[0] == pytest.approx(1.0)
    assert measured.pairs[0] == pytest.approx(15)  # 6 leaves: 15 pairs through the hub
    assert all(measured.values[n] == 0 for n in range(1, 7))


def test_key_entities_leave_out_stars_leaves_and_ties():
    g = nx.star_graph(["flight", *(f"s{i}" for i in range(10))])  # the hub of leaves only
    nx.add_path(g, ["x1", "x2", "x3", "x4", "x5"])  # x2 and x4: only their own leaf
    nx.add_path(g, ["y1", "y2", "y3"])
    g.add_edges_from([("y3", "y4"), ("y3", "y5"), ("y4", "y5")])  # y3: 4 pairs, as x3
    nx.add_path(g, ["z1", "z2", "z3", "z4", "z5", "z6"])  # z3 and z4: 6 pairs each
    measured = algorithms.betweenness(g)
    degree = nx.degree_centrality(g)

    assert measured.values["flight"] > measured.values["z3"] > measured.values["x3"] > 0
    assert measured.values["x2"] > 0
    listed = algorithms.key_entities(g, measured, degree, top=10)
    assert listed == ["z3", "z4", "y3", "x3"]  # ties in order of degree, then name
    assert algorithms.key_entities(g, measured, degree, top=3) == ["z3", "z4"]  # x3 ties y3
    assert algorithms.key_entities(nx.star_graph(5), algorithms.betweenness(nx.star_graph(5)),
                                   nx.degree_centrality(nx.star_graph(5)), top=10) == []  # fmt: skip


def test_pagerank_converges_whatever_the_size():
    """networkx's tol is multiplied by the number of nodes: passed as is, 20,000 nodes stop
    the iteration far from the fixed point."""
    g = nx.barabasi_albert_graph(20_000, 1, seed=2)
    g.add_nodes_from(range(20_000, 25_000))  # isolated: dangling nodes
    reference = exact_pagerank(g)

    ours = algorithms.pagerank(g)
    loose = nx.pagerank(g, tol=1e-6, max_iter=1000)

    assert sum(abs(ours[n] - reference[n]) for n in g) < 1e-8
    assert sum(abs(loose[n] - reference[n]) for n in g) > 1e-4


def exact_pagerank(g: nx.Graph, alpha: float = 0.85) -> dict:
    """PageRank solved, not iterated: x is proportional to the solution y of
    (I - alpha W) y = 1, W the column-stochastic weighted adjacency (dangling nodes
    spread uniformly, which only rescales y)."""
    import numpy as np
    import scipy.sparse as sp
    from scipy.sparse.linalg import spsolve

    nodes = list(g)
    a = nx.to_scipy_sparse_array(g, nodelist=nodes, weight="weight", format="csr")
    out = np.asarray(a.sum(axis=1), dtype=float).ravel()
    inverse = np.divide(1.0, out, out=np.zeros_like(out), where=out > 0)
    w = (sp.diags(inverse) @ a).T.tocsc()
    y = spsolve(sp.identity(len(nodes), format="csc") - alpha * w, np.ones(len(nodes)))
    return dict(zip(nodes, y / y.sum(), strict=True))


def test_communities_split_two_cliques_joined_by_one_edge():
    g = two_cliques_joined_by_one_edge()
    g.add_node("alone")

    found = algorithms.communities(g, seed=1)

    assert found == [{"a1", "a2", "a3", "a4", "a5"}, {"b1", "b2", "b3", "b4", "b5"}]
    assert algorithms.communities(nx.empty_graph(3)) == []


def test_centralities_and_cores():
    g = two_cliques_joined_by_one_edge()
    g.add_edge("a2", "a2")  # a self-loop does not count for cores

    measures, measured = algorithms.centralities(g)
    cores = algorithms.core_numbers(g)

    assert set(measures) == {"degree", "betweenness", "pagerank", "closeness"}
    assert measures["betweenness"] == measured.values
    top = max(measures["betweenness"], key=measures["betweenness"].get)
    assert top in ("a1", "b1")
    assert sum(measures["pagerank"].values()) == pytest.approx(1.0)
    assert set(cores.values()) == {4}
    empty, _ = algorithms.centralities(nx.Graph())
    assert empty == {"degree": {}, "betweenness": {}, "pagerank": {}, "closeness": {}}


def routes_of(journeys: dict[tuple[str, ...], int]) -> tuple[nx.DiGraph, dict]:
    """A route network and its demand from {route: hits}."""
    routes, demand = nx.DiGraph(), Counter()
    for route, hits in journeys.items():
        for a, b in zip(route, route[1:], strict=False):
            if not routes.has_edge(a, b):
                routes.add_edge(a, b, hits=0)
            routes[a][b]["hits"] += hits
        demand[(route[0], route[-1])] += hits
    return routes, dict(demand)


def test_route_betweenness_weighs_transit_countries_by_their_hits():
    """Two transit countries each on one route: plain betweenness ties them."""
    routes, demand = routes_of({("CO", "PA", "US"): 40, ("EC", "MX", "NL"): 3})

    nodes, edges = algorithms.route_betweenness(routes, demand, "hits")
    plain = nx.betweenness_centrality(routes)

    assert plain["PA"] == plain["MX"] > 0
    assert nodes["PA"] == pytest.approx(40 / 43) and nodes["MX"] == pytest.approx(3 / 43)
    assert nodes["CO"] == nodes["US"] == nodes["EC"] == 0
    assert edges[("CO", "PA")] == pytest.approx(40 / 43)
    assert algorithms.route_betweenness(nx.DiGraph(), {}, "hits") == ({}, {})


def test_route_betweenness_takes_the_busy_legs_as_the_short_way():
    """A leg that carried w hits is 1/w long: two legs of 40 hits are shorter than a
    direct leg of 2, so the direct hits count for the transit country too."""
    routes, demand = routes_of({("CO", "PA", "US"): 40, ("CO", "US"): 2})

    nodes, edges = algorithms.route_betweenness(routes, demand, "hits")

    assert nx.betweenness_centrality(routes)["PA"] == 0  # in hops, the direct leg is shorter
    assert nodes["PA"] == pytest.approx(1.0)
    assert edges[("CO", "US")] == 0 and edges[("PA", "US")] == pytest.approx(1.0)


def test_route_betweenness_shares_a_tie_between_equally_busy_routes():
    routes, demand = routes_of({("CO", "PA", "US"): 5, ("CO", "MX", "US"): 5})

    nodes, edges = algorithms.route_betweenness(routes, demand, "hits")

    assert nodes["PA"] == nodes["MX"] == pytest.approx(0.5)
    assert edges[("CO", "PA")] == pytest.approx(0.5)


def test_cross_operation_links_only_of_linkable_kinds_most_operations_first():
    g = nx.Graph()
    g.add_node("actor:1", kind="actor", operations="OP-A,OP-B")
    g.add_node("identifier:phone:+1", kind="identifier", operations="OP-A,OP-B,OP-C")
    g.add_node("conveyance:flight:XX1", kind="conveyance", operations="OP-A")
    g.add_node("country:CR", kind="country", operations="OP-A,OP-B")
    g.add_node("hit:1", kind="hit", operations="OP-A")

    assert algorithms.cross_operation_links(g) == [
        ("identifier:phone:+1", ["OP-A", "OP-B", "OP-C"]),
        ("actor:1", ["OP-A", "OP-B"]),
    ]
