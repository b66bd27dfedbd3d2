"""Entity resolution (network_analysis.resolution): pure unit tests of the automatic
merges (and their evidence), the name score, and suggestions between entities; then the
automatic merges on planted data. The whole planted network, with its measures, is
tests/network_analysis/test_planted_truth.py.
"""

from collections import defaultdict
from datetime import date

import pytest

from network_analysis import resolution, selectors, synthetic
from network_analysis.resolution import (
    DEFAULT_MIN_SCORE,
    ActorRecord,
    merged_entities,
    name_score,
    pair_score,
    resolve,
    resolve_entities,
    strong_keys,
    suggestions,
)
from operations.models import Actor

DOB = date(1981, 4, 12)
PHONE = ("+50688887777",)


def person(pk: int, name: str, **fields) -> ActorRecord:
    return ActorRecord(pk=pk, kind="person", name=name, **fields)


def organisation(pk: int, name: str, **fields) -> ActorRecord:
    return ActorRecord(pk=pk, kind="organisation", name=name, **fields)


def evidence(records, **decisions) -> list[tuple[int, int, str, str]]:
    return [(m.a, m.b, m.rule, m.evidence) for m in resolve_entities(records, **decisions).merges]


# --- strong identity: documents and registrations -------------------------------------


def test_same_document_of_the_same_kind_and_country_merges_with_its_evidence():
    a = person(1, "Juan Perez", documents=(("CO", "AB123456", "passport"),))
    b = person(2, "J. P.", documents=(("CO", "AB123456", "passport"),))

    assert resolve([a, b]) == {1: 1, 2: 1}
    assert evidence([a, b]) == [(1, 2, "document", "same passport CO AB123456")]


@pytest.mark.parametrize(
    "other",
    [
        ("PE", "AB123456", "passport"),  # another country
        ("CO", "AB123456", "identity_card"),  # another kind
        ("", "AB123456", "passport"),  # no country: not "the same country"
        ("CO", "", "passport"),  # no number
    ],
)
def test_a_document_merges_only_with_the_same_kind_country_and_number(other):
    a = person(1, "Juan Perez", documents=(("CO", "AB123456", "passport"),))
    b = person(2, "Juan Perez", documents=(other,))

    assert resolve([a, b]) == {1: 1, 2: 2}


def test_a_document_without_a_kind_is_a_passport():
    a = person(1, "Juan Perez", documents=(("CO", "AB1"),))

    assert strong_keys(a) == {("document", "passport", "CO", "AB1")}


def test_company_registration_merges_only_within_its_country():
    a = organisation(1, "Acme Trading", nationality="NL", registration_number="12345678")
    b = organisation(2, "ACME Trading BV", nationality="NL", registration_number="12345678")
    c = organisation(3, "Acme Trading", nationality="BE", registration_number="12345678")

    assert resolve([a, b, c]) == {1: 1, 2: 1, 3: 3}
    assert evidence([a, b, c]) == [(1, 2, "registration", "same registration NL 12345678")]


# --- strong identity: the same name and date of birth ----------------------------------


def test_the_same_name_in_any_order_or_script_with_the_same_date_of_birth_merges():
    records = [
        person(1, "Ivan Petrov", date_of_birth=DOB),
        person(2, "PETROV, Ivan", date_of_birth=DOB),
        person(3, "Petrov Ivan", date_of_birth=DOB),
        person(4, "Ivan Petrov", date_of_birth=date(1990, 1, 1)),  # a namesake
        person(5, "Ivan Petrov"),  # no date of birth: not strong
    ]

    assert resolve(records) == {1: 1, 2: 1, 3: 1, 4: 4, 5: 5}
    assert {e[3] for e in evidence(records)} == {"same name and date of birth 1981-04-12"}


def test_one_word_with_a_date_of_birth_is_not_a_name_to_merge_on():
    records = [person(1, "Ivan", date_of_birth=DOB), person(2, "IVAN", date_of_birth=DOB)]

    assert resolve(records) == {1: 1, 2: 2}


def test_the_same_name_and_birth_with_different_nationalities_do_not_merge():
    a = person(1, "Ivan Petrov", date_of_birth=DOB, nationality="RU")
    b = person(2, "Ivan Petrov", date_of_birth=DOB, nationality="UA")

    assert resolve([a, b]) == {1: 1, 2: 2}


# --- shared identifiers: a link, identity only when the names agree ---------------------


def test_four_people_sharing_one_phone_stay_four_entities():
    records = [
        person(pk, name, phones=PHONE)
        for pk, name in enumerate(["Ivan Petrov", "Olena Kovalenko", "Carlos Perez", "Ana Silva"])
    ]

    assert resolve(records) == {0: 0, 1: 1, 2: 2, 3: 3}
    assert evidence(records) == []


@pytest.mark.parametrize(
    ("first", "second", "identifier"),
    [
        ({"phones": PHONE}, {"phones": PHONE}, "phone +50688887777"),
        (
            {"emails": ("Ivan.Petrov@Example.org",)},
            {"emails": ("ivan.petrov@example.ORG",)},
            "e-mail ivan.petrov@example.org",
        ),
        (
            {"addresses": ("1 Harbour  Road",)},
            {"addresses": ("1 harbour road",)},
            "address 1 harbour road",
        ),
    ],
)
def test_a_shared_identifier_with_agreeing_names_merges(first, second, identifier):
    a = person(1, "Ivan Petrov", **first)
    b = person(2, "I. Petrov", **second)

    assert resolve([a, b]) == {1: 1, 2: 1}
    assert evidence([a, b]) == [
        (1, 2, "identifier_and_name", f"same {identifier}, names 95% alike")
    ]


def test_a_shared_phone_with_agreeing_names_but_different_births_does_not_merge():
    a = person(1, "Ivan Petrov", phones=PHONE, date_of_birth=DOB)
    b = person(2, "I. Petrov", phones=PHONE, date_of_birth=date(1990, 1, 1))

    assert resolve([a, b]) == {1: 1, 2: 2}


def test_an_initial_sharing_a_phone_with_two_people_joins_only_one_of_them():
    records = [
        person(1, "Ivan Petrov", phones=PHONE),
        person(2, "Igor Petrov", phones=PHONE),
        person(3, "I. Petrov", phones=PHONE),
    ]

    entities = resolve(records)

    assert entities[1] != entities[2]
    assert entities[3] in (entities[1], entities[2])


def test_an_identifier_held_under_too_many_names_is_a_place():
    records = [person(pk, f"Tenant Number{pk}", phones=PHONE) for pk in range(60)]
    records += [person(100, "Ivan Petrov", phones=PHONE), person(101, "I. Petrov", phones=PHONE)]

    entities = resolve(records)

    assert len(set(entities.values())) == len(records)


# --- analysts' decisions -------------------------------------------------------------------


def test_confirmed_decisions_join_and_chain_under_the_smallest_pk():
    records = [person(pk, f"P{pk}") for pk in (9, 4, 6, 2)]

    resolved = resolve_entities(records, confirmed=[(9, 6), (6, 4), (4, 2)])

    assert set(resolved.entities.values()) == {2}
    assert {m.rule for m in resolved.merges} == {"confirmed"}


def test_a_split_or_rejection_keeps_apart_even_the_same_passport():
    passport = (("CO", "AB123456", "passport"),)
    a, b = person(1, "Juan Perez", documents=passport), person(2, "Juan Perez", documents=passport)

    assert resolve([a, b]) == {1: 1, 2: 1}
    assert resolve([a, b], rejected=[(2, 1)]) == {1: 1, 2: 2}


def test_rejection_overrides_a_confirmation_of_the_same_pair():
    a, b = person(1, "A"), person(2, "B")

    assert resolve([a, b], confirmed=[(1, 2)], rejected=[(1, 2)]) == {1: 1, 2: 2}


def test_a_split_of_two_of_three_same_name_rows_keeps_those_two_apart():
    records = [person(pk, "Ivan Petrov", date_of_birth=DOB) for pk in (1, 2, 3)]

    entities = resolve(records, rejected=[(2, 3)])
    in_reverse = resolve(records[::-1], rejected=[(3, 2)])

    assert entities[2] != entities[3]
    assert in_reverse == entities
    assert entities[1] in (entities[2], entities[3])


def test_without_evidence_every_actor_is_its_own_entity():
    records = [person(pk, "Same Name", nationality="CO") for pk in (1, 2, 3)]

    assert resolve(records) == {1: 1, 2: 2, 3: 3}


# --- what the results show ------------------------------------------------------------------


def test_merged_entities_list_each_merge_with_its_evidence_largest_first():
    passport = (("CO", "AB1", "passport"),)
    records = [
        person(1, "Juan Perez", documents=passport),
        person(2, "Ana Silva", date_of_birth=DOB),
        person(3, "J. Perez", documents=passport),
        person(4, "SILVA, Ana", date_of_birth=DOB),
        person(5, "Juan Perez", documents=passport),
        person(6, "Alone Here"),
    ]
    resolved = resolve_entities(records)
    rows = [{"pk": r.pk, "name": r.name} for r in records]

    merged = merged_entities(rows, resolved.entities, [m.as_dict() for m in resolved.merges])

    assert [(e["id"], e["label"], e["actors"], e["names"]) for e in merged] == [
        ("actor:1", "Juan Perez", 3, ["Juan Perez", "J. Perez"]),
        ("actor:2", "Ana Silva", 2, ["Ana Silva", "SILVA, Ana"]),
    ]
    assert merged[0]["merged_because"] == [
        {"actors": [1, 3], "rule": "document", "evidence": "same passport CO AB1"},
        {"actors": [1, 5], "rule": "document", "evidence": "same passport CO AB1"},
    ]
    counts = resolution.methodology([m.as_dict() for m in resolved.merges], 0, 0)
    assert counts["automatic_merges"] == {
        "document": 2,
        "registration": 0,
        "name_and_birth": 1,
        "identifier_and_name": 0,
    }


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


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Solo1 Carrier1", "Solo11 Carrier11"),
        ("Solo1 Carrier1", "Solo1 Carrier2"),
        ("Ivan Petrov", "Ivan Petrov 2"),
        ("Courier 12", "Courier 21"),
    ],
)
def test_names_that_differ_in_their_digits_score_zero(a, b):
    assert name_score(a, b) == 0.0


def test_names_with_the_same_digits_still_match_despite_a_typo():
    assert name_score("Solo7 Carrier7", "Solo7 Carreir7") >= 90


def test_one_word_is_not_matched_twice():
    """Each word of one name pairs with its own word of the other: "Marta Moreau" is not
    "Carlos Moreau" because "marta" looks like "moreau"."""
    assert name_score("Marta Moreau", "Carlos Moreau") < 80


def test_name_score_of_empty_or_punctuation_only_names_is_zero():
    assert name_score("", "Ivan Petrov") == 0
    assert name_score("--", "Ivan Petrov") == 0


# --- pair_score ---------------------------------------------------------------------------


def test_a_date_of_birth_never_makes_different_names_alike():
    score, reasons = pair_score(
        person(1, "Clara Popescu", date_of_birth=DOB, nationality="RO"),
        person(2, "Clara Moreau", date_of_birth=DOB, nationality="RO"),
    )

    assert score < 0.8
    assert reasons == (reasons[0],)  # no "same date of birth"


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
        person(2, "Иван Петров", nationality="RU"),  # no date of birth: not merged
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


def test_suggestions_compare_entities_after_the_automatic_merges():
    records = [
        person(1, "Ivan Petrov", phones=("+7900",)),
        person(2, "Ivan Petrov", phones=("+7900",)),  # one entity with 1 (phone and name)
        person(3, "Ivan Petrov"),
        person(4, "Ivan Petrov"),
    ]

    found = suggestions(records)

    assert {(s.a, s.b) for s in found} == {(1, 3), (1, 4), (3, 4)}


def test_a_decision_on_any_two_rows_decides_their_entities():
    records = [
        person(1, "Ivan Petrov", phones=("+7900",)),
        person(2, "Ivan Petrov", phones=("+7900",)),
        person(3, "Ivan Petrov"),
        person(4, "Ivan Petrov"),
    ]

    found = suggestions(records, decided={(2, 3)})  # 2 is entity 1's second row

    assert {(s.a, s.b) for s in found} == {(1, 4), (3, 4)}


def test_an_entity_known_by_its_full_name_is_not_alike_another_given_name():
    """Entity 1 is "Ivan Petrov" and "I. Petrov" (same phone): "Igor Petrov" is compared
    with "Ivan Petrov", not with the initial."""
    records = [
        person(1, "Ivan Petrov", phones=PHONE),
        person(2, "I. Petrov", phones=PHONE),
        person(3, "Igor Petrov"),
    ]

    assert resolve(records) == {1: 1, 2: 1, 3: 3}
    assert suggestions(records) == []
    assert [(s.a, s.b) for s in suggestions(records[1:])] == [(2, 3)]  # the initial alone


def test_names_that_differ_only_in_digits_are_never_suggested():
    records = [
        person(pk, f"Solo{n} Carrier{n}", date_of_birth=DOB, nationality="CO")
        for pk, n in ((1, 1), (2, 11), (3, 111), (4, 2))
    ]
    records.append(person(5, "Solo1 Carreir1", date_of_birth=DOB, nationality="CO"))

    assert [(s.a, s.b) for s in suggestions(records)] == [(1, 5)]


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


# --- planted data: automatic merges never join two people -----------------------------


def same_entity_pairs(entities: dict[int, int]) -> set[tuple[int, int]]:
    members = defaultdict(list)
    for pk, entity in entities.items():
        members[entity].append(pk)
    return {(a, b) for group in members.values() for a in group for b in group if a < b}


def planted_records(operation) -> list[ActorRecord]:
    rows = Actor.objects.filter(hit__operation=operation).values(*selectors.ACTOR_FIELDS)
    return [selectors.actor_record(row) for row in rows]


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 9])
def test_planted_automatic_merges_never_join_two_people(planted_operation, seed):
    truth = synthetic.plant(
        planted_operation,
        hits=150,
        cells=5,
        per_cell=6,
        duplicates=40,
        cell_phone_members=4,
        couriers=60,
        seed=seed,
    )
    records = planted_records(planted_operation)

    resolved = resolve_entities(records)

    pairs = same_entity_pairs(resolved.entities)
    assert pairs  # not vacuous
    assert all(truth.person_of[a] == truth.person_of[b] for a, b in pairs)
    # The initial and the typo that share their person's phone are merged through it.
    for pk, kind in truth.duplicate_kinds.items():
        if kind in ("initial", "shared_phone"):
            first = min(p for p, n in truth.person_of.items() if n == truth.person_of[pk])
            assert resolved.entities[pk] == resolved.entities[first], kind


def test_suggestions_scale_with_blocks_not_the_square_of_the_actors(monkeypatch):
    """1,000 distinct people: every pair is not scored (the work stays bounded)."""
    names = [(g, s) for g in synthetic.GIVEN for s in synthetic.SURNAMES][:1000]
    records = [
        person(i, f"{g.title()} {s.title()}", date_of_birth=date(1960 + i % 40, 1 + i % 12, 1))
        for i, (g, s) in enumerate(names)
    ]
    scored = []
    real = resolution._score

    def counting(a, b):
        scored.append((a.pk, b.pk))
        return real(a, b)

    monkeypatch.setattr(resolution, "_score", counting)
    suggestions(records)

    assert 0 < len(scored) < len(records) * (len(records) - 1) // 2 // 20
