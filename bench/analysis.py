"""Benchmark: network analysis of planted operations of 1,000 to 100,000 hits, and
networkx against igraph on the same actor projection. Figures: docs/performance.md.

    .venv/bin/python bench/analysis.py                          # SQLite file in a temp dir
    .venv/bin/python bench/analysis.py --sizes 1000,10000 --database postgres

Not part of the test suite. The database is built once (a temporary SQLite file, removed
at the end, or the PostgreSQL database ``jointops_bench`` on 127.0.0.1, dropped and
recreated, and dropped again at the end) and migrated; then each size runs in a child
process of its own (so the memory of one size does not carry into the next) on a fresh
operation: three agencies, a coordinator, two reporting participants and a named analyst.
It plants N hits with :func:`network_analysis.synthetic.plant` (``cells = N // 50``, 6
people per cell, ``N // 10`` duplicates, 5 % of the hits TLP:RED) and measures, each step
on its own:

d. first, while the process holds nothing else (as a worker would): ``run_execute`` end
   to end (both editions, results stored), a second run reusing those results, and, as
   for comparison, a run without the freeze of the garbage collector that ``run_execute``
   does once the input is loaded, and one with the collector switched off;
a. ``load_input`` for the full and the redacted edition;
b. building the entity graph, the actor projection and the route network (and the
   redacted edition's measured graph);
c. every measure of the metric set on the actor projection (degree, betweenness exact or
   sampled as the analysis decides, plus exact for reference, PageRank, closeness, core
   numbers, articulation points and bridges, Louvain) and the route betweenness; the same
   set on the redacted edition's measured graph, which ``run_execute`` computes too;
d. the parts of ``run_execute``: fingerprint, ``analyse`` per edition, packing the graph;
e. ``selectors.entity_suggestions``, with its recall of the planted duplicates;
f. the same metric set in igraph on the same actor projection, and the agreement of the
   two (Spearman rank correlation, top-10/25 overlap, communities, modularity, NMI);
g. sampled (networkx, as the analysis samples) against exact (igraph) betweenness on the
   whole entity graph, a connected graph, up to 30,000 nodes.

For every step: wall time (``time.perf_counter``, tracemalloc off); the peak resident set
of the process during the step (``resource.getrusage`` maxrss, reset before each step
through ``/proc/self/clear_refs``, so it also sees memory allocated in C by igraph); and,
in a second pass of the step with tracemalloc on, the peak of Python allocations (not for
igraph, nor for steps slower than ``--trace-max``). A measure that a pilot predicts to
take longer than ``--step-budget`` seconds is estimated from the pilot instead, and
marked so.
"""

import argparse
import contextlib
import gc
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support import fresh_postgres  # noqa: E402

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"
MIB = 2**20
PILOT_NODES = 200


# --- measuring ------------------------------------------------------------------------


def _rss_peak_reset() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM, hence ru_maxrss
        return True
    except OSError:
        return False


def _rss_now() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Recorder:
    """Runs steps, prints one line each, keeps the rows for the JSON report."""

    def __init__(self, tracemalloc_pass: bool, trace_max: float):
        self.tracemalloc_pass = tracemalloc_pass
        self.trace_max = trace_max
        self.rows: list[dict] = []
        self.process_peak = 0

    def step(self, section: str, name: str, fn, *, python_memory=True, note=""):
        """Time fn() (a callable taking the pass number: 0 timed, 1 traced)."""
        gc.collect()
        reset = _rss_peak_reset()
        rss_start = _rss_now()
        started = time.perf_counter()
        result = fn(0)
        seconds = time.perf_counter() - started
        rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        self.process_peak = max(self.process_peak, rss_peak)
        python_peak = None
        if python_memory and self.tracemalloc_pass and seconds > self.trace_max:
            note = f"{note}; no traced pass (over {self.trace_max:.0f} s)".lstrip("; ")
        elif python_memory and self.tracemalloc_pass:
            gc.collect()
            tracemalloc.start()
            traced = time.perf_counter()
            fn(1)
            traced = time.perf_counter() - traced
            python_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            note = f"{note}; traced pass {_seconds(traced)} s".lstrip("; ")
        self.add(
            section,
            name,
            seconds,
            python_peak=python_peak,
            rss_peak=rss_peak if reset else None,
            rss_growth=rss_peak - rss_start if reset else None,
            note=note,
        )
        return result

    def add(self, section, name, seconds, *, python_peak=None, rss_peak=None, rss_growth=None,
            note=""):  # fmt: skip
        row = {
            "section": section,
            "step": name,
            "seconds": seconds,
            "python_peak_mib": None if python_peak is None else python_peak / MIB,
            "rss_peak_mib": None if rss_peak is None else rss_peak / MIB,
            "rss_growth_mib": None if rss_growth is None else rss_growth / MIB,
            "note": note,
        }
        self.rows.append(row)
        print(_row_line(row), flush=True)


def _fmt(value, digits=1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _seconds(value) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _row_line(row) -> str:
    return (
        f"  {row['section']:<3} {row['step']:<46} {_seconds(row['seconds']):>9} s"
        f"  py {_fmt(row['python_peak_mib']):>8} MiB  rss {_fmt(row['rss_peak_mib']):>8} MiB"
        f" (+{_fmt(row['rss_growth_mib'])})  {row['note']}"
    )


def pilot_estimate(graph, per_node, budget: float) -> tuple[bool, float]:
    """(worth running in full, estimated seconds): time `per_node` on a sample of nodes."""
    nodes = list(graph.nodes)
    if len(nodes) <= PILOT_NODES:
        return True, 0.0
    sample = random.Random(1).sample(nodes, PILOT_NODES)
    started = time.perf_counter()
    for node in sample:
        per_node(node)
    estimate = (time.perf_counter() - started) / PILOT_NODES * len(nodes)
    return estimate <= budget, estimate


@contextmanager
def gc_disabled():
    """Experiment, not the application's code: the collector off for a whole run, the
    alternative to the freeze once the input is loaded that ``run_execute`` does."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextmanager
def without_the_freeze():
    """``run_execute`` as it was before it froze the collector once the input is loaded."""
    from network_analysis import services

    original = services._collector_spares_input
    services._collector_spares_input = contextlib.nullcontext
    try:
        yield
    finally:
        services._collector_spares_input = original


@contextmanager
def gc_frozen():
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# --- the world ------------------------------------------------------------------------


def setup_world(size: int):
    """Agencies, a coordinator, two reporting participants and an analyst; a draft
    operation (like tests/network_analysis/conftest.py's planted_operation)."""
    from datetime import timedelta

    from django.contrib.auth.models import Permission
    from django.utils import timezone

    from agencies.models import Agency, User
    from operations import services

    def agency(acronym, kind, country):
        return Agency.objects.create(
            name=f"Agency {acronym}", acronym=acronym, kind=kind, country=country
        )

    wco = agency(f"WCO-{size}", "international_organisation", "")
    cr = agency(f"CR-{size}", "customs", "CR")
    ng = agency(f"NG-{size}", "customs", "NG")
    coordinator = User.objects.create_user(username=f"coordinator-{size}", agency=wco)
    coordinator.user_permissions.add(
        Permission.objects.get(codename="add_operation", content_type__app_label="operations")
    )
    coordinator = User.objects.get(pk=coordinator.pk)
    officers = [
        User.objects.create_user(username=f"officer-{a.acronym}", agency=a) for a in (cr, ng)
    ]
    analyst = User.objects.create_user(username=f"analyst-{size}", agency=cr)
    now = timezone.now()
    op = services.operation_create(
        actor=coordinator,
        code=f"BENCH-{size}",
        name=f"Analysis bench, {size} hits",
        focus="drugs",
        planned_start=now - timedelta(days=60),
        planned_end=now + timedelta(days=30),
    )
    for officer in officers:
        p = services.participation_invite(actor=coordinator, operation=op, agency=officer.agency)
        services.participation_respond(actor=officer, participation=p, response="accept")
    services.operation_update(actor=coordinator, operation=op, analysts=[analyst])
    return op, analyst


# --- one size -------------------------------------------------------------------------


def measure_set(
    rec: Recorder, section: str, graph, label: str, budget: float, reference: bool
) -> dict:
    """The analysis' metric set on `graph`, each measure a step; returns the values.
    `reference`: also time exact betweenness where the analysis samples."""
    import networkx as nx

    from network_analysis import algorithms

    plan = algorithms.BetweennessPlan()
    n, m = graph.number_of_nodes(), graph.number_of_edges()
    parts = algorithms.components(graph)
    print(
        f"  {label}: {n:,} nodes, {m:,} edges, {len(parts):,} components "
        f"(largest {len(parts[0]) if parts else 0:,})",
        flush=True,
    )
    found = {"nodes": n, "edges": m, "components": len(parts)}
    found["degree"] = rec.step(section, f"{label}: degree", lambda _: nx.degree_centrality(graph))
    measured = rec.step(
        section,
        f"{label}: betweenness (igraph per component)",
        lambda _: algorithms.betweenness(graph, plan),
    )
    found["betweenness"] = measured.values
    how = "exact" if measured.method["exact"] else f"sampled k={measured.method['k']}"
    found["betweenness_method"] = how
    if reference:
        # networkx initialises per-source dicts over the whole graph: O(n) per source, so
        # the pilot is a sampled run, extrapolated to every source.
        started = time.perf_counter()
        nx.betweenness_centrality(graph, k=min(PILOT_NODES, n), seed=1)
        estimate = (time.perf_counter() - started) * n / min(PILOT_NODES, n)
        if estimate <= budget:
            found["betweenness_exact"] = rec.step(
                section,
                f"{label}: betweenness (exact, for reference)",
                lambda _: nx.betweenness_centrality(graph, normalized=True),
                python_memory=False,
                note="not what the analysis runs",
            )
        else:
            rec.add(section, f"{label}: betweenness (exact, for reference)", estimate,
                    note=f"ESTIMATED from a k={PILOT_NODES} pilot, not run")  # fmt: skip
    found["pagerank"] = rec.step(
        section, f"{label}: pagerank", lambda _: nx.pagerank(graph, weight="weight")
    )
    ok, estimate = pilot_estimate(graph, lambda v: nx.closeness_centrality(graph, u=v), budget)
    if ok:
        found["closeness"] = rec.step(
            section, f"{label}: closeness", lambda _: nx.closeness_centrality(graph)
        )
    else:
        rec.add(section, f"{label}: closeness", estimate,
                note=f"ESTIMATED from {PILOT_NODES} sampled nodes, not run")  # fmt: skip
    found["core"] = rec.step(
        section, f"{label}: core numbers", lambda _: algorithms.core_numbers(graph)
    )
    points, bridges = rec.step(
        section, f"{label}: articulation points + bridges", lambda _: algorithms.brokers(graph)
    )
    found["articulation_points"], found["bridges"] = points, bridges
    found["communities"] = rec.step(
        section, f"{label}: Louvain", lambda _: algorithms.communities(graph)
    )
    return found


def run_size(size: int, budget: float, rec: Recorder) -> dict:
    import django

    django.setup()
    import igraph
    import networkx as nx
    from django.db import connection

    from network_analysis import algorithms, analysis, selectors, services, synthetic
    from network_analysis import graph as graphs
    from network_analysis.models import AnalysisRun

    op, analyst = setup_world(size)
    nx.pagerank(nx.path_graph(3))  # first calls import scipy.sparse: not part of a measure
    igraph.Graph.Ring(3).pagerank()
    cells = max(2, size // 50)
    print(f"\n== {size:,} hits ({connection.vendor}) ==", flush=True)
    started = time.perf_counter()
    truth = synthetic.plant(
        op, hits=size, cells=cells, per_cell=6, duplicates=size // 10, restricted_share=0.05,
        seed=1,
    )  # fmt: skip
    rec.add("-", f"plant ({cells} cells x 6, {size // 10} duplicates)",
            time.perf_counter() - started, note="setup")  # fmt: skip

    ops = [op]
    # d. run_execute first, while this process holds nothing else (as a worker would)
    runs = [
        services.run_create(actor=analyst, operations=ops, parameters={"top": top})
        for top in (25, 24)  # the traced pass changes `top`, so it is computed, not reused
    ]

    def execute(run):
        done = services.run_execute(run.pk)
        if done.state != AnalysisRun.State.SUCCEEDED:
            raise RuntimeError(f"run {done.pk} {done.state}: {done.error}")
        return done

    rec.step("d", "run_execute (computed, stored)", lambda p: execute(runs[p]))
    again = services.run_create(actor=analyst, operations=ops, parameters={"top": 25})
    reused = rec.step(
        "d", "run_execute (reuses stored results)", lambda _: execute(again), python_memory=False
    )
    assert reused.reused_from_id == runs[0].pk, "expected the reuse path"
    del reused
    for top, variant, context, note in (
        (22, "without the freeze", without_the_freeze, "before: the collector walks the input"),
        (23, "garbage collector off", gc_disabled, "experiment: the alternative to the freeze"),
    ):
        compared = services.run_create(actor=analyst, operations=ops, parameters={"top": top})
        with context():
            rec.step(
                "d",
                f"run_execute (computed), {variant}",
                lambda _, run=compared: execute(run),
                python_memory=False,
                note=note,
            )

    # a. load_input
    inputs = {
        edition: rec.step(
            "a",
            f"load_input ({edition})",
            lambda _, e=edition: selectors.load_input(analyst, ops, e),
        )
        for edition in selectors.EDITIONS
    }
    full, redacted = inputs["full"], inputs["redacted"]
    print(
        f"  input: {len(full.hits):,} hits, {len(full.actors):,} actor rows, "
        f"{len(set(full.entities.values())):,} entities; redacted {len(redacted.hits):,} hits",
        flush=True,
    )

    # b. graphs
    entities = rec.step("b", "entity_graph (full)", lambda _: graphs.entity_graph(full))
    projection = rec.step("b", "actor_projection", lambda _: graphs.actor_projection(entities))
    routes = rec.step("b", "route_network", lambda _: graphs.route_network(full))
    red_entities = rec.step("b", "entity_graph (redacted)", lambda _: graphs.entity_graph(redacted))
    red_measured = rec.step(
        "b",
        "redacted measured graph",
        lambda _: analysis.measured_graph(red_entities, "redacted", graphs.PROJECTION_MAX_SHARED),
    )
    sizes = {
        "entity_graph": [entities.number_of_nodes(), entities.number_of_edges()],
        "actor_projection": [projection.number_of_nodes(), projection.number_of_edges()],
        "route_network": [routes.number_of_nodes(), routes.number_of_edges()],
        "redacted_measured": [red_measured.number_of_nodes(), red_measured.number_of_edges()],
    }
    print(f"  graphs (nodes, edges): {sizes}", flush=True)

    # c. measures
    nx_values = measure_set(rec, "c", projection, "actors", budget, reference=True)
    demand = graphs.route_demand(full)["hits"]
    rec.step("c", "routes: node + edge betweenness",
             lambda _: algorithms.route_betweenness(routes, demand, "hits"))  # fmt: skip
    red_values = measure_set(rec, "c", red_measured, "redacted", budget, reference=False)
    del red_values
    for label, graph in (("actors", projection), ("redacted", red_measured)):
        with gc_frozen():
            rec.step(
                "c",
                f"{label}: betweenness (as above), gc.freeze()",
                lambda _, g=graph: algorithms.betweenness(g),
                python_memory=False,
                note="experiment: a possible fix",
            )

    # d. the parts of run_execute, one by one
    parameters = services.clean_parameters({})
    stamped = {**parameters, "version": analysis.ANALYSIS_VERSION, "backend": ""}
    prints = rec.step(
        "d",
        "fingerprint (both editions)",
        lambda _: {e: d.fingerprint(stamped) for e, d in inputs.items()},
    )
    outcomes = {
        edition: rec.step(
            "d",
            f"analyse ({edition})",
            lambda _, e=edition: analysis.analyse(inputs[e], parameters, None, prints[e]),
        )
        for edition in selectors.EDITIONS
    }
    rec.step("d", "pack graph (full)", lambda _: services._packed(outcomes["full"].graph))
    outcomes.clear()

    connection.close()

    # e. entity suggestions
    found = rec.step(
        "e", "entity_suggestions", lambda _: selectors.entity_suggestions(analyst, ops)
    )
    named = {pk for pk, kind in truth.duplicate_kinds.items() if kind != "shared_phone"}
    right = [s for s in found if truth.person_of[s.suggestion.a] == truth.person_of[s.suggestion.b]]
    recalled = {pk for s in right for pk in (s.suggestion.a, s.suggestion.b)} & named
    quality = {
        "suggestions": len(found),
        "correct": len(right),
        "named_duplicates": len(named),
        "recalled": len(recalled),
    }
    print(f"  suggestions: {quality}", flush=True)
    del found, right

    # f. igraph
    comparison = compare_igraph(rec, projection, nx_values, budget)
    comparison["entity_graph_betweenness"] = sampling_quality(rec, entities)
    return {
        "size": size,
        "vendor": connection.vendor,
        "graphs": sizes,
        "input": {
            "hits": len(full.hits),
            "redacted_hits": len(redacted.hits),
            "actor_rows": len(full.actors),
            "entities": len(set(full.entities.values())),
        },
        "suggestions": quality,
        "rows": rec.rows,
        "comparison": comparison,
        "process_peak_rss_mib": rec.process_peak / MIB,
        "maxrss_mib_at_end": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


# --- igraph ---------------------------------------------------------------------------


def to_igraph(graph):
    import igraph as ig

    nodes = list(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    converted = ig.Graph(
        n=len(nodes), edges=[(index[a], index[b]) for a, b in graph.edges], directed=False
    )
    converted.es["weight"] = [w for _, _, w in graph.edges(data="weight", default=1.0)]
    return converted, nodes


def _top(values: dict, k=10) -> set:
    return {n for n, _ in sorted(values.items(), key=lambda p: (-p[1], str(p[0])))[:k]}


def _agreement(nodes, ours: dict, theirs: list) -> dict:
    from scipy.stats import spearmanr

    a = [ours[n] for n in nodes]
    rho = spearmanr(a, theirs).statistic if len(set(a)) > 1 and len(set(theirs)) > 1 else None
    top = len(_top(ours) & _top(dict(zip(nodes, theirs, strict=True)))) if nodes else 0
    top25 = len(_top(ours, 25) & _top(dict(zip(nodes, theirs, strict=True)), 25)) if nodes else 0
    nonzero = [sum(1 for v in a if v > 0), sum(1 for v in theirs if v > 0)]
    return {
        "spearman": None if rho is None else float(rho),
        "top10": top,
        "top25": top25,
        "nonzero": nonzero,
    }


def compare_igraph(rec: Recorder, graph, nx_values: dict, budget: float) -> dict:
    """Time the metric set in igraph on `graph`; agreement with networkx's values."""
    import math

    import igraph as ig

    converted, nodes = rec.step("f", "igraph: convert (edge list)", lambda _: to_igraph(graph),
                                python_memory=False)  # fmt: skip
    g = converted
    ig_step = {}

    def step(name, fn):
        started = len(rec.rows)
        value = rec.step("f", f"igraph: {name}", lambda _: fn(), python_memory=False)
        ig_step[name] = rec.rows[started]["seconds"]
        return value

    degree = step("degree", g.degree)
    between = step("betweenness (exact)", lambda: g.betweenness(directed=False))
    pagerank = step("pagerank", lambda: g.pagerank(weights="weight", directed=False))
    closeness = step("closeness", lambda: g.closeness(normalized=True))
    coreness = step("core numbers", g.coreness)
    points = step("articulation points + bridges", lambda: (g.articulation_points(), g.bridges()))
    louvain = step("Louvain (multilevel)", lambda: g.community_multilevel(weights="weight"))

    n = len(nodes)
    # networkx scales closeness by the reachable share (Wasserman-Faust), igraph does not.
    membership = g.connected_components().membership
    comp_size = [0] * (max(membership) + 1 if membership else 0)
    for c in membership:
        comp_size[c] += 1
    closeness_wf = [
        0.0 if math.isnan(c) else c * (comp_size[membership[i]] - 1) / max(n - 1, 1)
        for i, c in enumerate(closeness)
    ]
    agreement = {
        "degree_equal": all(
            abs(nx_values["degree"][v] * (n - 1) - d) < 1e-6
            for v, d in zip(nodes, degree, strict=True)
        ),
        "betweenness": _agreement(nodes, nx_values["betweenness"], between),
        "pagerank": _agreement(nodes, nx_values["pagerank"], pagerank),
        "pagerank_max_abs_diff": max(
            (abs(nx_values["pagerank"][v] - p) for v, p in zip(nodes, pagerank, strict=True)),
            default=0.0,
        ),
    }
    if "betweenness_exact" in nx_values:
        agreement["betweenness_nx_exact"] = _agreement(
            nodes, nx_values["betweenness_exact"], between
        )
    if "closeness" in nx_values:
        agreement["closeness"] = _agreement(nodes, nx_values["closeness"], closeness_wf)
    agreement["core_equal_share"] = (
        sum(nx_values["core"][v] == c for v, c in zip(nodes, coreness, strict=True)) / n if n else 1
    )
    ig_points = {nodes[i] for i in points[0]}
    ig_bridges = {
        tuple(sorted((nodes[a], nodes[b]))) for a, b in (g.es[e].tuple for e in points[1])
    }
    agreement["articulation_points_same"] = ig_points == set(nx_values["articulation_points"])
    agreement["bridges_same"] = ig_bridges == set(nx_values["bridges"])
    agreement["articulation_points"] = [len(nx_values["articulation_points"]), len(ig_points)]
    agreement["bridges"] = [len(nx_values["bridges"]), len(ig_bridges)]

    # Communities: the analysis leaves singletons out; put them back for modularity.
    index = {v: i for i, v in enumerate(nodes)}
    nx_membership = list(range(n))
    for c, members in enumerate(nx_values["communities"]):
        for v in members:
            nx_membership[index[v]] = n + c
    nx_modularity = g.modularity(nx_membership, weights="weight") if g.ecount() else 0.0
    agreement["communities"] = {
        "networkx": sum(1 for c in nx_values["communities"] if len(c) > 1),
        "igraph": sum(1 for c in louvain if len(c) > 1),
        "modularity_networkx": nx_modularity,
        "modularity_igraph": louvain.modularity if g.ecount() else 0.0,
        "nmi": ig.compare_communities(nx_membership, louvain.membership, method="nmi")
        if n
        else 1.0,
    }
    return {"igraph_seconds": ig_step, "agreement": agreement}


ENTITY_EXACT_MAX = 30_000


def sampling_quality(rec: Recorder, entities) -> dict | None:
    """Sampled betweenness (networkx, as the analysis samples) against exact (igraph) on
    the whole entity graph: a connected graph, unlike the planted actor projection."""
    from network_analysis import algorithms

    n = entities.number_of_nodes()
    if n > ENTITY_EXACT_MAX:
        rec.add("g", "entity graph: betweenness", None,
                note=f"skipped: {n:,} nodes > {ENTITY_EXACT_MAX:,}")  # fmt: skip
        return None
    measured = rec.step("g", "entity graph: betweenness, as the analysis runs it",
                        lambda _: algorithms.betweenness(entities),
                        python_memory=False)  # fmt: skip
    sampled = measured.values
    how = "exact" if measured.method["exact"] else f"sampled k={measured.method['k']}"
    g, nodes = to_igraph(entities)
    exact = rec.step("g", "entity graph: betweenness (exact), igraph",
                     lambda _: g.betweenness(directed=False), python_memory=False)  # fmt: skip
    return {
        "nodes": n,
        "edges": entities.number_of_edges(),
        "components": len(algorithms.components(entities)),
        "method": how,
        **_agreement(nodes, sampled, exact),
    }


# --- the parent -----------------------------------------------------------------------


def prepare_database(kind: str):
    """A fresh database of `kind` for the run: its URL and how to drop it."""
    if kind == "postgres":
        return fresh_postgres(POSTGRES_URL, "jointops_bench")
    folder = Path(tempfile.mkdtemp(prefix="jointops-analysis-bench-"))
    return f"sqlite:///{folder}/bench.sqlite3", lambda: shutil.rmtree(folder, ignore_errors=True)


PAIRS = (  # (label, networkx step of section c, igraph measure)
    ("degree", "actors: degree", "degree"),
    ("betweenness, as the analysis runs it", "actors: betweenness (", "betweenness (exact)"),
    ("betweenness, exact", "actors: betweenness (exact", "betweenness (exact)"),
    ("pagerank", "actors: pagerank", "pagerank"),
    ("closeness", "actors: closeness", "closeness"),
    ("core numbers", "actors: core numbers", "core numbers"),
    (
        "articulation points + bridges",
        "actors: articulation points + bridges",
        "articulation points + bridges",
    ),  # fmt: skip
    ("Louvain", "actors: Louvain", "Louvain (multilevel)"),
)


def print_summary(results: list[dict]) -> None:
    print("\n== networkx vs igraph on the actor projection (seconds) ==")
    for result in results:
        if "error" in result:
            last = result["rows"][-1]["step"] if result["rows"] else "setup"
            print(f"{result['size']:,} hits: FAILED after {last!r}: {result['error']}")
            continue
        ig = result["comparison"]["igraph_seconds"]
        n, m = result["graphs"]["actor_projection"]
        print(f"{result['size']:,} hits: projection {n:,} nodes, {m:,} edges")
        for label, prefix, theirs in PAIRS:
            row = next(
                (r for r in result["rows"] if r["section"] == "c" and r["step"].startswith(prefix)),
                {},
            )
            a, b = row.get("seconds"), ig.get(theirs)
            ratio = f"{a / b:,.0f}x" if a and b else "-"
            print(f"  {label:<38} nx {_seconds(a):>9}  igraph {_seconds(b):>9}  {ratio:>7}"
                  f"  {row.get('step', '')} {row.get('note', '')}")  # fmt: skip
        print("  agreement:", json.dumps(result["comparison"]["agreement"]))
        quality = result["comparison"].get("entity_graph_betweenness")
        print("  entity graph, sampled vs exact betweenness:", json.dumps(quality))
        print(f"  suggestions: {result['suggestions']}")
        print(f"  process peak RSS: {result['process_peak_rss_mib']:,.0f} MiB, "
              f"wall {result['wall_seconds']:.0f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated hits")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--step-budget",
        type=float,
        default=300.0,
        help="seconds: a measure predicted to take longer is estimated, not run",
    )
    parser.add_argument(
        "--no-tracemalloc", action="store_true", help="skip the second, traced pass of each step"
    )
    parser.add_argument(
        "--trace-max",
        type=float,
        default=60.0,
        help="seconds: no traced (tracemalloc) pass for a step whose timed pass took longer",
    )
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()

    os.environ.setdefault("SECRET_KEY", "bench-only-key")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if args.child:
        rec = Recorder(not args.no_tracemalloc, args.trace_max)
        try:
            result = run_size(args.child, args.step_budget, rec)
        except BaseException as exc:  # keep what was measured before the failure
            partial = {"size": args.child, "rows": rec.rows, "error": repr(exc)[:2000]}
            Path(args.out).write_text(json.dumps(partial, default=str))
            raise
        Path(args.out).write_text(json.dumps(result, default=str))
        return

    url, drop = prepare_database(args.database)
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    connection.close()
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    cpu = next((x.split(":", 1)[1].strip() for x in lines if "model name" in x), "unknown")
    print(
        f"machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"database: {url.split('://')[0]}"
    )
    import igraph
    import networkx

    print(f"networkx {networkx.__version__}, python-igraph {igraph.__version__}")
    results, failed = [], []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            with tempfile.NamedTemporaryFile(suffix=".json") as out:
                child = [sys.executable, __file__, "--child", str(size), "--out", out.name,
                         "--step-budget", str(args.step_budget),
                         "--trace-max", str(args.trace_max)]  # fmt: skip
                if args.no_tracemalloc:
                    child.append("--no-tracemalloc")
                started = time.perf_counter()
                done = subprocess.run(child, env=os.environ)
                written = Path(out.name).read_text()
                if done.returncode:
                    failed.append(size)
                    print(f"size {size} failed (exit {done.returncode})")
                if not written:
                    continue
                result = json.loads(written)
                result["wall_seconds"] = time.perf_counter() - started
                results.append(result)
    finally:
        drop()
    print_summary(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))
    if failed:
        sys.exit(f"failed: {', '.join(f'{size:,} hits' for size in failed)}")


if __name__ == "__main__":
    main()
