"""The measures of network_analysis.algorithms agree with exact networkx on planted
operations of 5,000 and 20,000 hits, and what the results list is no padding.

Exact references: ``networkx.betweenness_centrality`` of the whole graph and PageRank
solved as a linear system (``exact_pagerank``), never the code under test. Timings on
the 2-core test machine (shared): planting 20,000 hits ~35 s, loading them ~12 s, the
networkx reference betweenness of the 20,000-hit actor projection ~5 s.
"""

import networkx as nx
import pytest
from scipy.stats import spearmanr

from network_analysis import algorithms, analysis, selectors, synthetic
from network_analysis import graph as graphs
from network_analysis.algorithms import BetweennessPlan
from tests.network_analysis.test_planted_structure import exact_pagerank


def spearman_on_top(exact: dict, ours: dict, top: int = 50) -> float:
    head = sorted(exact, key=lambda n: (-exact[n], str(n)))[:top]
    return spearmanr([exact[n] for n in head], [ours[n] for n in head]).statistic


def plant(operation, hits: int) -> synthetic.Truth:
    """As bench/analysis.py plants: hits/50 cells of 6, hits/10 re-reported duplicates."""
    return synthetic.plant(
        operation, hits=hits, cells=hits // 50, per_cell=6, duplicates=hits // 10, seed=1
    )


def parameters(**given) -> dict:
    return {name: spec[3] for name, spec in analysis.PARAMETERS.items()} | given


@pytest.mark.django_db
@pytest.mark.parametrize("hits", [5000, 20000])
def test_betweenness_and_pagerank_agree_with_exact_networkx(planted_operation, analyst, hits):
    plant(planted_operation, hits)
    data = selectors.load_input(analyst, [planted_operation], "full")
    measured = analysis.measured_graph(graphs.entity_graph(data), "full", 50)

    measures, between = algorithms.centralities(measured)
    exact = nx.betweenness_centrality(measured)
    solved = exact_pagerank(measured)

    assert measured.number_of_nodes() > hits // 10  # a graph of the size of the operation
    assert between.method["exact"] and between.method["components"] >= hits // 50 - 1
    assert spearman_on_top(exact, measures["betweenness"]) >= 0.99
    assert spearman_on_top(solved, measures["pagerank"]) >= 0.99
    assert all(measures["betweenness"][n] == pytest.approx(exact[n], rel=1e-9) for n in exact)
    assert sum(abs(measures["pagerank"][n] - solved[n]) for n in solved) < 1e-8
    # networkx's default tolerance (1e-6 x nodes) stops short at this size
    loose = nx.pagerank(measured, weight="weight")
    assert sum(abs(loose[n] - solved[n]) for n in solved) > 1e-5


def test_betweenness_with_leaves_isolated_nodes_and_pairs_equals_networkx():
    g = nx.random_labeled_tree(400, seed=3)
    g.add_edges_from([(0, 50), (10, 200), (7, 300), (120, 121)])  # a few cycles
    g = nx.disjoint_union(g, nx.star_graph(30))
    g.add_edges_from([("pair", "other"), ("loop", "loop")])
    g.add_node("alone")

    ours = algorithms.betweenness(g)

    exact = nx.betweenness_centrality(g)
    assert all(ours.values[n] == pytest.approx(exact[n], abs=1e-12) for n in g)
    assert ours.method["cost"] < g.number_of_nodes() * g.number_of_edges()


@pytest.mark.django_db
def test_sampled_betweenness_states_an_error_that_covers_the_exact_value(
    planted_operation, analyst
):
    """The entity graph without places (one component of ~5,300 nodes at 5,000 hits of 4
    cells) sampled with a quarter of the budget exact would cost."""
    synthetic.plant(planted_operation, hits=5000, cells=4, per_cell=6, duplicates=500, seed=1)
    data = selectors.load_input(analyst, [planted_operation], "full")
    linking = nx.Graph(graphs.linking_graph(graphs.entity_graph(data)))
    g = linking.subgraph(algorithms.components(linking)[0]).copy()
    exact = algorithms.betweenness(g, BetweennessPlan(budget=10**12))

    sampled = algorithms.betweenness(g, BetweennessPlan(budget=exact.method["cost"] // 4))

    assert g.number_of_nodes() > 4000 and exact.method["exact"]
    assert not sampled.method["exact"] and sampled.method["k"] >= 500
    head = sorted(g, key=lambda n: -exact.pairs[n])
    within = [abs(sampled.pairs[n] - exact.pairs[n]) <= 3 * sampled.error[n] for n in head[:25]]
    assert sum(within) >= 22  # measured: 25 of 25 (seeds 1 and 2)
    assert len(set(head[:10]) & set(sorted(g, key=lambda n: -sampled.pairs[n])[:10])) >= 8
    stated = algorithms.sampling_error(sampled)
    assert 0 < stated["relative_error_median"] <= stated["relative_error_max"]


@pytest.mark.django_db
def test_results_at_5000_hits_list_no_padding(planted_operation, analyst):
    truth = plant(planted_operation, 5000)
    results = {}
    for edition in ("full", "redacted"):
        data = selectors.load_input(analyst, [planted_operation], edition)
        entities = graphs.entity_graph(data)
        results[edition] = analysis.analyse(data, parameters(), None, "test").results
    full, redacted = results["full"]["network"], results["redacted"]["network"]

    # components: countries join everything, and so do the 50 planted flights
    assert nx.number_connected_components(entities) == 1
    assert redacted["graph"]["components"] >= 50
    assert full["graph"]["components"] >= 5000 // 50 - 1
    assert full["graph"]["largest_component"] < full["graph"]["nodes"] / 20
    # the redacted edition: flights with their shipments are stars, not brokers
    assert redacted["key_entities"] == []
    assert redacted["brokers"] == {"articulation_points": [], "bridges": []}
    # the full edition: only entities between others, small values kept, broker first
    keys = full["key_entities"]
    assert keys and all(k["betweenness"] > 0 and k["betweenness_pairs"] > 0 for k in keys)
    assert [k["rank"] for k in keys] == list(range(1, len(keys) + 1))
    assert int(keys[0]["id"].split(":")[1]) in {
        pk for pk, person in truth.person_of.items() if person == truth.broker
    }
    assert 0 < keys[-1]["betweenness"] < 1e-4
    assert results["full"]["methodology"]["betweenness"]["exact"] is True
    # routes: the transit country first, without a tie
    countries = full["routes"]["countries"]
    assert countries[0]["country"] == truth.transit
    assert countries[0]["betweenness"] > 0.5 > countries[1]["betweenness"]
    assert countries[0]["betweenness_kilograms"] > countries[1]["betweenness_kilograms"]
