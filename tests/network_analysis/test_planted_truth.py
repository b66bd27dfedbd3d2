"""The planted network, with NO decision taken (issue 12, "What it must show"): cells, a
broker linking two of them, duplicates written in several ways and scripts, a phone
shared by four members of each cell, and 300 or 5,000 one-off couriers (a third named
"Solo<n> Carrier<n>", the others namesakes drawn from the same names as the cells).

What the analysis must get right without an analyst:

- no automatic merge of two different people;
- automatic merges plus the suggestions an analyst is shown by default (every suggestion
  at or above ``resolution.DEFAULT_MIN_SCORE``, the documented threshold; "top" means
  exactly that list), taken as merges: pairwise precision >= 0.99, recall >= 0.8;
- the broker first by betweenness, alone, and an articulation point;
- the cells recovered as communities with an adjusted Rand index >= 0.9;
- the transit country first among the route countries, without a tie.

Print the figures with ``-s``.
"""

from collections import Counter, defaultdict
from math import comb

import pytest

from network_analysis import resolution, selectors, services, synthetic
from network_analysis.models import AnalysisRun

CELLS, PER_CELL, HITS, DUPLICATES = 6, 8, 400, 90


def adjusted_rand(truth: list, found: list) -> float:
    """Adjusted Rand index of two labellings of the same items (Hubert and Arabie)."""
    pairs = Counter(zip(truth, found, strict=True))
    index = sum(comb(n, 2) for n in pairs.values())
    rows = sum(comb(n, 2) for n in Counter(truth).values())
    columns = sum(comb(n, 2) for n in Counter(found).values())
    expected = rows * columns / comb(len(truth), 2)
    best = (rows + columns) / 2
    return 1.0 if best == expected else (index - expected) / (best - expected)


def test_adjusted_rand_of_known_labellings():
    assert adjusted_rand([0, 0, 1, 1], [5, 5, 7, 7]) == 1.0
    # The worked example of Hubert and Arabie's index: 0.24 (sklearn gives the same).
    assert adjusted_rand([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]) == pytest.approx(0.2424, abs=1e-4)
    assert adjusted_rand([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(-0.5)


def same_entity_pairs(entities: dict[int, int]) -> set[tuple[int, int]]:
    members = defaultdict(list)
    for pk, entity in entities.items():
        members[entity].append(pk)
    return {(a, b) for group in members.values() for a in group for b in group if a < b}


def person_of(truth: synthetic.Truth, node: str) -> int | None:
    kind, _, pk = node.partition(":")
    return truth.person_of[int(pk)] if kind == "actor" else None


@pytest.fixture(params=[300, 5000], ids=["300 couriers", "5000 couriers"])
def planted_truth(request, planted_operation):
    truth = synthetic.plant(
        planted_operation,
        hits=HITS,
        cells=CELLS,
        per_cell=PER_CELL,
        duplicates=DUPLICATES,
        cell_phone_members=4,
        couriers=request.param,
        seed=3,
    )
    return truth


@pytest.mark.django_db
def test_the_planted_network_is_told_right_without_any_decision(
    planted_truth, planted_operation, analyst
):
    truth = planted_truth
    kinds = Counter(truth.duplicate_kinds.values())
    assert set(kinds) == set(synthetic.VARIANTS) and min(kinds.values()) >= 5  # all planted
    assert len(truth.cell_phones) == CELLS

    # Identity: automatic merges, then the default suggestions taken as merges.
    data = selectors.load_input(analyst, [planted_operation], "full")
    automatic = same_entity_pairs(data.entities)
    wrong = {(a, b) for a, b in automatic if truth.person_of[a] != truth.person_of[b]}
    assert wrong == set()  # no false automatic merge
    records = [selectors.actor_record(row) for row in data.actors]
    shown = resolution.suggestions(records, entities=data.entities)
    taken = resolution.resolve(records, confirmed=[(s.a, s.b) for s in shown])
    predicted, planted = same_entity_pairs(taken), truth.same_person_pairs()
    alone = len(automatic & planted) / len(planted)
    precision = len(predicted & planted) / len(predicted)
    recall = len(predicted & planted) / len(planted)
    wrong_suggestions = [s for s in shown if truth.person_of[s.a] != truth.person_of[s.b]]
    print(
        f"\n{len(records)} actor rows, {len(set(data.entities.values()))} entities; "
        f"{len(data.merges)} automatic merges (recall {alone:.4f}); {len(shown)} suggestions "
        f"({len(wrong_suggestions)} wrong); precision {precision:.4f}, recall {recall:.4f}"
    )
    assert precision >= 0.99
    assert recall >= 0.8
    # The phone shared inside a cell links its holders and merges none of them.
    for phone in truth.cell_phones.values():
        holders = {r["pk"] for r in data.actors if phone in r["phones"]}
        people = {truth.person_of[pk] for pk in holders}
        assert len({data.entities[pk] for pk in holders}) >= len(people) >= 4
    # Names that differ only in digits are never suggested together.
    digits = {pk for pk, person in truth.person_of.items() if person in truth.couriers}
    assert not any(s.a in digits and s.b in digits for s in shown)

    # Measures, on the automatic merges alone.
    run = services.run_execute(
        services.run_create(actor=analyst, operations=[planted_operation], parameters={}).pk
    )
    assert run.state == AnalysisRun.State.SUCCEEDED, run.error
    network = run.results.get(edition="full").results["network"]

    top, second = network["key_entities"][:2]
    print(f"broker {top['label']}: betweenness {top['betweenness']} > {second['betweenness']}")
    assert person_of(truth, top["id"]) == truth.broker
    assert top["betweenness"] > second["betweenness"]
    points = {person_of(truth, p["id"]) for p in network["brokers"]["articulation_points"]}
    assert truth.broker in points

    community_of = {m["id"]: c["id"] for c in network["communities"] for m in c["members"]}
    cell_nodes = [
        node
        for node in {f"actor:{entity}" for entity in data.entities.values()}
        if person_of(truth, node) not in truth.couriers
    ]
    labels = [truth.cell_of[person_of(truth, node)] for node in cell_nodes]
    found = [community_of.get(node, node) for node in cell_nodes]
    rand = adjusted_rand(labels, found)
    print(f"{len(network['communities'])} communities; adjusted Rand {rand:.3f}")
    assert rand >= 0.9

    countries = network["routes"]["countries"]
    assert countries[0]["country"] == truth.transit
    assert countries[0]["betweenness"] > countries[1]["betweenness"]
