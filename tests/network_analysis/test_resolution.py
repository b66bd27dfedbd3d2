"""Entity resolution (network_analysis.resolution): pure unit tests, then the planted-structure
measurement of how well identifier links plus name suggestions recover who is who.

The measurement prints its numbers with ``-s``::

    SECRET_KEY=x .venv/bin/pytest tests/network_analysis/test_resolution.py -k planted -s
"""

from collections import defaultdict
from datetime import date

import pytest

from network_analysis import resolution, selectors, synthetic
from network_analysis.resolution import (
    DEFAULT_MIN_SCORE,
    ActorRecord,
    identifier_links,
    name_score,
    pair_score,
    resolve,
    strong_keys,
    suggestions,
)
from operations.models import Actor, Hit

DOB = date(1981, 4, 12)


def person(pk: int, name: str, **fields) -> ActorRecord:
    return ActorRecord(pk=pk, kind="person", name=name, **fields)


def organisation(pk: int, name: str, **fields) -> ActorRecord:
    return ActorRecord(pk=pk, kind="organisation", name=name, **fields)


def linked(records) -> set[tuple[int, int]]:
    return {tuple(sorted(pair)) for pair in identifier_links(records)}


# --- strong identifiers ---------------------------------------------------------------


def test_same_document_number_and_country_links():
    a = person(1, "Juan Perez", documents=(("CO", "AB123456"),))
    b = person(2, "J. P.", documents=(("CO", "AB123456"),))

    assert linked([a, b]) == {(1, 2)}


def test_same_document_number_from_another_country_does_not_link():
    a = person(1, "Juan Perez", documents=(("CO", "AB123456"),))
    b = person(2, "Juan Perez", documents=(("PE", "AB123456"),))

    assert linked([a, b]) == set()
    assert resolve([a, b]) == {1: 1, 2: 2}


def test_document_without_number_never_links():
    a = person(1, "Juan Perez", documents=(("CO", ""),))
    b = person(2, "Juan Perez", documents=(("CO", ""),))

    assert linked([a, b]) == set()


def test_company_registration_links_only_within_its_country():
    a = organisation(1, "Acme Trading", nationality="NL", registration_number="12345678")
    b = organisation(2, "ACME Trading BV", nationality="NL", registration_number="12345678")
    c = organisation(3, "Acme Trading", nationality="BE", registration_number="12345678")

    assert linked([a, b, c]) == {(1, 2)}
    assert resolve([a, b, c]) == {1: 1, 2: 1, 3: 3}


def test_shared_phone_links():
    a = person(1, "Ivan Petrov", phones=("+50688887777",))
    b = person(2, "Someone Else", phones=("+34600111222", "+50688887777"))

    assert linked([a, b]) == {(1, 2)}


def test_email_links_case_insensitively():
    a = person(1, "Ivan Petrov", emails=("Ivan.Petrov@Example.org",))
    b = person(2, "I. Petrov", emails=("ivan.petrov@example.ORG",))

    assert linked([a, b]) == {(1, 2)}
    assert ("email", "ivan.petrov@example.org") in strong_keys(a)


def test_name_date_of_birth_and_nationality_are_not_strong_identifiers():
    a = person(1, "Ivan Petrov", nationality="RU", date_of_birth=DOB)
    b = person(2, "Ivan Petrov", nationality="RU", date_of_birth=DOB)

    assert strong_keys(a) == set()
    assert linked([a, b]) == set()


# --- resolve ----------------------------------------------------------------------------


def test_resolve_joins_identifier_links_transitively_under_the_smallest_pk():
    a = person(7, "A", phones=("+1",))
    b = person(3, "B", phones=("+1",), emails=("b@x.org",))
    c = person(5, "C", emails=("b@x.org",))
    d = person(4, "D")

    assert resolve([a, b, c, d]) == {7: 3, 3: 3, 5: 3, 4: 4}


def test_resolve_applies_confirmed_decisions():
    a, b, c = person(10, "A"), person(20, "B"), person(30, "C")

    entities = resolve([a, b, c], confirmed=[(30, 20)])

    assert entities == {10: 10, 20: 20, 30: 20}


def test_confirmed_decisions_chain_and_smallest_pk_names_the_entity():
    records = [person(pk, f"P{pk}") for pk in (9, 4, 6, 2)]

    entities = resolve(records, confirmed=[(9, 6), (6, 4), (4, 2)])

    assert set(entities.values()) == {2}


def test_rejection_keeps_a_phone_linked_pair_apart():
    a = person(1, "Reception desk", phones=("+50622223333",))
    b = person(2, "Another tenant", phones=("+50622223333",))

    assert resolve([a, b]) == {1: 1, 2: 1}
    assert resolve([a, b], rejected=[(2, 1)]) == {1: 1, 2: 2}


def test_rejection_overrides_a_confirmation_of_the_same_pair():
    a, b = person(1, "A"), person(2, "B")

    assert resolve([a, b], confirmed=[(1, 2)], rejected=[(1, 2)]) == {1: 1, 2: 2}


def test_rejection_keeps_apart_two_of_three_actors_sharing_an_office_phone():
    office = ("+50622223333",)
    records = [person(1, "Front desk", phones=office), person(2, "Ana", phones=office)]
    records.append(person(3, "Bea", phones=office))

    entities = resolve(records, rejected=[(2, 3)])
    in_reverse = resolve(records[::-1], rejected=[(3, 2)])

    assert entities[2] != entities[3]
    assert in_reverse[2] != in_reverse[3]
    assert entities[1] in (entities[2], entities[3])  # the phone still links the first


def test_resolve_without_links_gives_every_actor_its_own_entity():
    records = [person(pk, "Same Name", nationality="CO") for pk in (1, 2, 3)]

    assert resolve(records) == {1: 1, 2: 2, 3: 3}


# --- name_score ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "at_least"),
    [
        ("Carlos Rodriguez", "Carlos Rodrigeuz", 95),  # two letters swapped
        ("Carlos Rodriguez", "Carlos Rodrigues", 90),  # one letter changed
        ("Carlos Rodriguez", "Karlos Rodriges", 90),  # spelled by ear
        ("Juan Perez", "Juan Pérez", 100),  # accent
        ("Ivan Petrov", "PETROV Ivan", 100),  # surname first
        ("Maria Fernanda Lopez", "Lopez Maria Fernanda", 100),
        ("J. Smith", "John Smith", 90),  # initial
        ("Ivan Petrov", "I. Petrov", 90),
        ("Ivan Petrov", "Иван Петров", 100),  # Cyrillic
        ("Olena Kovalenko", "Олена Коваленко", 100),
        ("Mohammed Abdullah", "محمد عبد الله", 95),  # Arabic, unvowelled, split
        ("Ahmed Hassan", "احمد حسن", 95),
        ("Mohammed Abdullah", "Muhammad Abdallah", 95),  # transliteration variants
        ("Mikhail Sokolov", "Mihail Sokolov", 95),
    ],
)
def test_name_score_matches_variants_of_one_name(a, b, at_least):
    assert name_score(a, b) >= at_least
    assert name_score(b, a) == pytest.approx(name_score(a, b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ivan Petrov", "Maria Garcia"),
        ("Ivan Petrov", "Pavel Sokolov"),
        ("Carlos Rodriguez", "Fatima Mansour"),
        ("Ana Silva", "Ana Lopez"),  # same given name only
        ("Ivan Petrov", "Ivan Ivanov"),
        ("Иван Петров", "Grace Okafor"),
        ("محمد عبد الله", "Elena Weber"),
    ],
)
def test_name_score_keeps_different_names_below_the_suggestion_threshold(a, b):
    assert name_score(a, b) < 70
    assert name_score(a, b) / 100 < DEFAULT_MIN_SCORE


def test_name_score_of_empty_or_punctuation_only_names_is_zero():
    assert name_score("", "Ivan Petrov") == 0
    assert name_score("--", "Ivan Petrov") == 0


# --- pair_score ---------------------------------------------------------------------------


def test_same_date_of_birth_and_nationality_support_a_match():
    bare = pair_score(person(1, "Ivan Petrov"), person(2, "I. Petrov"))[0]

    score, reasons = pair_score(
        person(1, "Ivan Petrov", date_of_birth=DOB, nationality="RU"),
        person(2, "I. Petrov", date_of_birth=DOB, nationality="RU"),
    )

    assert score == pytest.approx(min(1.0, bare + 0.15))
    assert "same date of birth" in reasons and "same nationality" in reasons


def test_different_date_of_birth_contradicts_a_perfect_name_match():
    score, reasons = pair_score(
        person(1, "Ivan Petrov", date_of_birth=DOB),
        person(2, "Ivan Petrov", date_of_birth=date(1990, 1, 1)),
    )

    assert score == pytest.approx(0.70)
    assert score < DEFAULT_MIN_SCORE
    assert reasons == ("names 100% alike", "different dates of birth")


def test_different_nationality_lowers_the_score():
    score, reasons = pair_score(
        person(1, "Ivan Petrov", nationality="RU"), person(2, "Ivan Petrov", nationality="UA")
    )

    assert score == pytest.approx(0.90)
    assert "different nationalities" in reasons


def test_a_missing_date_of_birth_neither_supports_nor_contradicts():
    score, reasons = pair_score(
        person(1, "Ivan Petrov", date_of_birth=DOB), person(2, "Ivan Petrov")
    )

    assert score == pytest.approx(1.0)
    assert reasons == ("names 100% alike",)


def test_pair_score_stays_between_zero_and_one():
    high = pair_score(
        person(1, "Ivan Petrov", date_of_birth=DOB, nationality="RU"),
        person(2, "Ivan Petrov", date_of_birth=DOB, nationality="RU"),
    )[0]
    low = pair_score(
        person(1, "Ivan Petrov", date_of_birth=DOB, nationality="RU"),
        person(2, "-", date_of_birth=date(2001, 1, 1), nationality="CN"),
    )[0]

    assert high == 1.0
    assert low == 0.0


def test_aliases_count_as_names():
    a = person(1, "El Flaco", aliases=("Diego Herrera",))
    b = person(2, "Diego Herrera")

    assert pair_score(a, b)[0] == pytest.approx(1.0)


# --- suggestions -------------------------------------------------------------------------


def test_suggestions_pair_name_variants_best_first():
    records = [
        person(1, "Ivan Petrov", date_of_birth=DOB, nationality="RU"),
        person(2, "Иван Петров", date_of_birth=DOB, nationality="RU"),
        person(3, "I. Petrov"),
        person(4, "Maria Garcia"),
    ]

    found = suggestions(records)

    assert [(s.a, s.b) for s in found] == [(1, 2), (1, 3), (2, 3)]
    assert found[0].score == 1.0
    assert all(s.a < s.b for s in found)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


def test_an_organisation_is_never_suggested_with_a_person():
    records = [
        person(1, "Acme Trading"),
        organisation(2, "Acme Trading"),
        organisation(3, "ACME Tradign"),
    ]

    assert [(s.a, s.b) for s in suggestions(records)] == [(2, 3)]


def test_suggestions_leave_out_pairs_already_one_entity_or_decided():
    records = [
        person(1, "Ivan Petrov", phones=("+7900",)),
        person(2, "Ivan Petrov", phones=("+7900",)),
        person(3, "Ivan Petrov"),
        person(4, "Ivan Petrov"),
    ]
    entities = resolve(records)

    found = suggestions(records, entities=entities, decided={(1, 3)})

    # 1~2 are one entity; 1~3 was decided; 2~3 is still suggested (not decided itself).
    assert {(s.a, s.b) for s in found} == {(1, 4), (2, 3), (2, 4), (3, 4)}


def test_suggestions_respect_min_score():
    records = [
        person(1, "Ivan Petrov", date_of_birth=DOB),
        person(2, "Ivan Petrov", date_of_birth=date(1990, 1, 1)),  # 0.70
    ]

    assert suggestions(records) == []
    assert [(s.a, s.b, s.score) for s in suggestions(records, min_score=0.7)] == [(1, 2, 0.7)]


def test_same_name_different_date_of_birth_is_not_suggested():
    """Namesakes: two people called Ivan Petrov born years apart."""
    records = [
        person(1, "Ivan Petrov", date_of_birth=DOB, nationality="RU"),
        person(2, "Ivan Petrov", date_of_birth=date(1963, 9, 30), nationality="RU"),
    ]

    assert suggestions(records) == []


def test_a_letter_swap_that_breaks_a_digraph_is_still_suggested():
    a = person(1, "Rosa Chaudhry", date_of_birth=DOB, nationality="PK")
    b = person(2, "Rosa Cahudhry", date_of_birth=DOB, nationality="PK")
    assert pair_score(a, b)[0] == 1.0

    assert [(s.a, s.b) for s in suggestions([a, b])] == [(1, 2)]


# --- planted structure: precision and recall ---------------------------------------------

PLANTED_SEEDS = (1, 2, 3)
PLANTED_HITS = 200
# Measured (see the module docstring to print them) on seeds 1-10, 200 and 400 hits:
# precision 1.000 (the generator plants no namesakes), recall 0.989-0.990; per variant kind,
# the share of duplicate rows joined to their person's first report: typo, reordered,
# initial, shared_phone 1.00; cyrillic 0.91-0.93; arabic 0.73-0.78, 0.40 on the worst seed
# (the generator's Arabic spelling keeps consonants only and has no letter for p, v, g or c,
# so "Diego Perez" becomes "د رز"). Seeds 1-3 below: 1.00, 0.97 and 0.63.
MIN_PRECISION = 0.98
MIN_RECALL = 0.97
MIN_JOINED = {
    "typo": 0.95,
    "reordered": 0.95,
    "initial": 0.95,
    "shared_phone": 1.0,
    "cyrillic": 0.85,
    "arabic": 0.55,
}


def predicted_entities(records: list[ActorRecord]) -> dict[int, int]:
    """Identifier links, plus every suggestion at the default min score taken as confirmed."""
    linked_only = resolve(records)
    found = suggestions(records, entities=linked_only)
    return resolve(records, confirmed=[(s.a, s.b) for s in found])


def same_entity_pairs(entities: dict[int, int]) -> set[tuple[int, int]]:
    members = defaultdict(list)
    for pk, entity in entities.items():
        members[entity].append(pk)
    return {(a, b) for group in members.values() for a in group for b in group if a < b}


def measure(truth: synthetic.Truth, entities: dict[int, int]) -> dict:
    truth_pairs = truth.same_person_pairs()
    predicted = same_entity_pairs(entities)
    hit = predicted & truth_pairs
    first_report = {}
    for pk in sorted(entities):
        first_report.setdefault(truth.person_of[pk], pk)
    kinds = {}
    for kind in synthetic.VARIANTS:
        rows = {pk for pk, k in truth.duplicate_kinds.items() if k == kind}
        true_k = {p for p in truth_pairs if p[0] in rows or p[1] in rows}
        predicted_k = {p for p in predicted if p[0] in rows or p[1] in rows}
        joined = sum(entities[pk] == entities[first_report[truth.person_of[pk]]] for pk in rows)
        kinds[kind] = {
            "rows": len(rows),
            "joined": joined,
            "pair_recall": len(true_k & predicted_k) / len(true_k) if true_k else 1.0,
            "pair_precision": len(true_k & predicted_k) / len(predicted_k) if predicted_k else 1.0,
        }
    return {
        "precision": len(hit) / len(predicted) if predicted else 1.0,
        "recall": len(hit) / len(truth_pairs) if truth_pairs else 1.0,
        "kinds": kinds,
    }


def planted_records(operation) -> list[ActorRecord]:
    rows = Actor.objects.filter(hit__operation=operation).values(*selectors.ACTOR_FIELDS)
    return [selectors.actor_record(row) for row in rows]


@pytest.mark.django_db
def test_planted_duplicates_are_recovered_with_high_precision_and_recall(planted_operation):
    totals = {"tp": 0, "predicted": 0, "truth": 0}
    rows, joined = defaultdict(int), defaultdict(int)
    for seed in PLANTED_SEEDS:
        Hit.objects.filter(operation=planted_operation).delete()
        truth = synthetic.plant(
            planted_operation, hits=PLANTED_HITS, cells=8, per_cell=10, duplicates=60, seed=seed
        )
        records = planted_records(planted_operation)
        assert len(records) == len(truth.person_of)
        entities = predicted_entities(records)
        found = measure(truth, entities)
        predicted, truth_pairs = same_entity_pairs(entities), truth.same_person_pairs()
        totals["tp"] += len(predicted & truth_pairs)
        totals["predicted"] += len(predicted)
        totals["truth"] += len(truth_pairs)
        print(
            f"\nseed {seed}: {len(records)} actor rows, {len(truth.duplicate_kinds)} duplicates: "
            f"precision {found['precision']:.3f}, recall {found['recall']:.3f}"
        )
        for kind, numbers in found["kinds"].items():
            rows[kind] += numbers["rows"]
            joined[kind] += numbers["joined"]
            print(
                f"  {kind:<13} joined {numbers['joined']:>2}/{numbers['rows']:<2} "
                f"pair recall {numbers['pair_recall']:.3f} "
                f"pair precision {numbers['pair_precision']:.3f}"
            )

    precision = totals["tp"] / totals["predicted"]
    recall = totals["tp"] / totals["truth"]
    print(f"all seeds: precision {precision:.3f}, recall {recall:.3f}")
    for kind in synthetic.VARIANTS:
        print(f"  {kind:<13} joined {joined[kind]}/{rows[kind]} = {joined[kind] / rows[kind]:.3f}")
    assert precision >= MIN_PRECISION
    assert recall >= MIN_RECALL
    for kind, least in MIN_JOINED.items():
        assert rows[kind] >= 10, kind  # enough duplicates of each kind to measure
        assert joined[kind] / rows[kind] >= least, kind


@pytest.mark.django_db
def test_planted_identifier_links_alone_never_join_two_people(planted_operation):
    truth = synthetic.plant(planted_operation, hits=150, cells=5, per_cell=6, duplicates=40, seed=9)
    records = planted_records(planted_operation)

    entities = resolve(records)

    for a, b in same_entity_pairs(entities):
        assert truth.person_of[a] == truth.person_of[b]
    shared_phone = [pk for pk, kind in truth.duplicate_kinds.items() if kind == "shared_phone"]
    assert shared_phone
    for pk in shared_phone:
        person_rows = [p for p, n in truth.person_of.items() if n == truth.person_of[pk]]
        assert entities[pk] == min(entities[p] for p in person_rows)


def test_suggestions_scale_with_blocks_not_the_square_of_the_actors(monkeypatch):
    """1,000 distinct people: every pair is not scored (the work stays bounded)."""
    names = [(g, s) for g in synthetic.GIVEN for s in synthetic.SURNAMES][:1000]
    records = [
        person(i, f"{g.title()} {s.title()}", date_of_birth=date(1960 + i % 40, 1 + i % 12, 1))
        for i, (g, s) in enumerate(names)
    ]
    scored = []
    real = resolution.pair_score

    def counting(a, b):
        scored.append((a.pk, b.pk))
        return real(a, b)

    monkeypatch.setattr(resolution, "pair_score", counting)
    suggestions(records)

    assert 0 < len(scored) < len(records) * (len(records) - 1) // 2 // 20
