"""Generated operations with planted structure, for tests, benchmarks and demo data.

:func:`plant` writes hits straight to the tables (bulk inserts, no per-hit service
call, so 100,000 hits take seconds) into an existing operation, reported by its
accepted participations, and returns the :class:`Truth` the analysis should recover:

- **cells**: groups of people who appear together in hits (consignor, consignee,
  courier) and share addresses; cells are linked only through one **broker**, a person
  who appears in hits of two cells;
- **duplicates**: people reported again under another spelling: a typo, "LAST, First",
  an initial with the phone of their first report, Cyrillic or Arabic script, or a typo
  with the same phone, with the same date of birth and nationality (the typo, reordered,
  Cyrillic and Arabic ones with a phone of their own and no address);
- **a shared phone inside each cell** (``cell_phone_members``): that many members of a
  cell report the cell's phone instead of their own (four different people, one phone);
- **one-off couriers** (``couriers``): each in a hit of their own, with a passport, a
  phone and a date of birth of their own; a third are called "Solo<n> Carrier<n>" (names
  that differ only in digits), the others get generated names, so some are namesakes of
  each other or of cell members (with other dates of birth);
- **routes**: most shipments go departure -> the planted transit country -> destination.

Everything is drawn from a seeded ``random.Random``, so a seed gives the same operation.
"""

import random
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from operations.commodities import GROUP_OF
from operations.models import (
    Actor,
    Hit,
    HitIdentifier,
    HitItem,
    Marking,
    Operation,
    Participation,
    Shipment,
)

GIVEN = [
    "ivan",
    "olena",
    "carlos",
    "maria",
    "ahmed",
    "fatima",
    "juan",
    "lucia",
    "pedro",
    "ana",
    "mikhail",
    "svetlana",
    "omar",
    "leila",
    "diego",
    "rosa",
    "samuel",
    "grace",
    "daniel",
    "amina",
    "pavel",
    "irina",
    "tomas",
    "elena",
    "youssef",
    "nadia",
    "hugo",
    "clara",
    "felix",
    "marta",
    "boris",
    "vera",
    "rafael",
    "sofia",
    "karim",
    "salma",
]
SURNAMES = [
    "petrov",
    "kovalenko",
    "rodriguez",
    "garcia",
    "hassan",
    "mansour",
    "perez",
    "lopez",
    "gomez",
    "silva",
    "morozov",
    "volkova",
    "haddad",
    "nasser",
    "herrera",
    "castillo",
    "okafor",
    "mensah",
    "novak",
    "horvat",
    "sokolov",
    "orlova",
    "fernandez",
    "navarro",
    "benali",
    "tahiri",
    "moreau",
    "laurent",
    "weber",
    "schmidt",
    "ivanov",
    "popescu",
    "kariuki",
    "otieno",
    "rahman",
    "chaudhry",
    "santos",
    "ribeiro",
]
_CYRILLIC = dict(
    zip(
        "abvgdezijklmnoprstufhcy",
        "абвгдезийклмнопрстуфхцы",
        strict=True,
    )
)
# As Arabic writes foreign names: consonants, and long vowels for a, e/i, o/u (alif, ya,
# waw); p is written ba, v fa, g ghain, c kaf.
_ARABIC = dict(zip("btjhdrzsfqklmnwyaeioupvgcx", "بتجحدرزسفقكلمنوياييووبفغكك", strict=True))
COUNTRIES = ("CO", "EC", "PE", "BR", "NG", "GH", "ES", "NL", "BE", "DE", "FR", "US", "GB", "ZA")
COMMODITIES = ("cocaine", "heroin", "cannabis_resin", "methamphetamine", "captagon", "fentanyl")


# Latin spellings Russian writes with one letter; c is ц before e, i, y and к elsewhere.
_CYRILLIC_DIGRAPHS = (("kh", "х"), ("sch", "ш"), ("sh", "ш"), ("ch", "ч"), ("zh", "ж"))
_SOFT_C = re.compile(r"c(?=[eiy])")


def to_cyrillic(name: str) -> str:
    words = []
    for word in name.lower().split():
        for latin, cyrillic in _CYRILLIC_DIGRAPHS:
            word = word.replace(latin, cyrillic)
        word = _SOFT_C.sub("ц", word).replace("c", "к")
        words.append("".join(_CYRILLIC.get(ch, ch) for ch in word).capitalize())
    return " ".join(words)


def to_arabic(name: str) -> str:
    """Letter by letter, a word's first vowel carried by an alif, as Arabic writes it."""
    return " ".join(
        ("ا" if word[0] in "aeiou" else "") + "".join(_ARABIC[ch] for ch in word if ch in _ARABIC)
        for word in name.lower().split()
    )


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swap two letters


# typo, "LAST, First", an initial with the same phone, Cyrillic, Arabic, a typo with the
# same phone.
VARIANTS = ("typo", "reordered", "initial", "cyrillic", "arabic", "shared_phone")
# Rows that keep the cell's address; the other variants come with a name, a date of birth
# and a nationality only (and a phone of their own).
_KEEP_ADDRESS = (None, "initial", "shared_phone")


def variant(rng: random.Random, kind: str, given: str, surname: str) -> str:
    full = f"{given.title()} {surname.title()}"
    return {
        "typo": f"{given.title()} {_typo(rng, surname).title()}",
        "reordered": f"{surname.upper()}, {given.title()}",
        "initial": f"{given[0].upper()}. {surname.title()}",
        "cyrillic": to_cyrillic(full),
        "arabic": to_arabic(full),
        "shared_phone": f"{given.title()} {_typo(rng, surname).title()}",
    }[kind]


@dataclass
class Person:
    number: int
    given: str
    surname: str
    nationality: str
    date_of_birth: date
    phone: str
    cell: int  # -1 for a one-off courier
    passport: str = ""

    @property
    def name(self) -> str:
        return f"{self.given.title()} {self.surname.title()}"


@dataclass
class Truth:
    """What was planted: actor pk -> person number, and the structure."""

    person_of: dict[int, int] = field(default_factory=dict)
    cell_of: dict[int, int] = field(default_factory=dict)  # person -> cell
    broker: int | None = None  # person number
    transit: str = ""
    duplicate_kinds: dict[int, str] = field(default_factory=dict)  # actor pk -> variant
    couriers: set[int] = field(default_factory=set)  # person numbers of one-off couriers
    cell_phones: dict[int, str] = field(default_factory=dict)  # cell -> its shared phone

    def same_person_pairs(self) -> set[tuple[int, int]]:
        by_person = defaultdict(list)
        for actor, person in self.person_of.items():
            by_person[person].append(actor)
        return {(a, b) for actors in by_person.values() for a in actors for b in actors if a < b}


def _people(rng: random.Random, cells: int, per_cell: int) -> list[Person]:
    names = [(g, s) for g in GIVEN for s in SURNAMES]
    rng.shuffle(names)
    people = []
    for number in range(cells * per_cell):
        given, surname = names[number % len(names)]
        people.append(
            Person(
                number=number,
                given=given,
                surname=surname,
                nationality=rng.choice(COUNTRIES),
                date_of_birth=date(1960, 1, 1) + timedelta(days=rng.randrange(15000)),
                phone=f"+3247{number:07d}",
                cell=number // per_cell,
            )
        )
    return people


@transaction.atomic
def plant(
    operation: Operation,
    *,
    hits: int = 200,
    cells: int = 4,
    per_cell: int = 6,
    duplicates: int = 30,
    transit: str = "CR",
    restricted_share: float = 0.0,
    seed: int = 1,
    cell_phone_members: int = 0,
    couriers: int = 0,
) -> Truth:
    """Add `hits` hits with planted structure to `operation` (see the module docstring),
    and one hit more per one-off courier.

    ``restricted_share`` of the hits are marked RED (for permission tests).
    """
    rng = random.Random(seed)
    participations = list(
        operation.participations.filter(
            state=Participation.State.ACCEPTED,
            role__in=[Participation.Role.LEAD, Participation.Role.PARTICIPANT],
        ).select_related("agency")
    )
    reporter = operation.coordinators.first()
    people = _people(rng, cells, per_cell)
    broker = people[0] if cells >= 2 else None
    truth = Truth(
        cell_of={p.number: p.cell for p in people},
        broker=broker.number if broker else None,
        transit=transit,
    )
    operation = Operation.objects.select_for_update().get(pk=operation.pk)
    start = operation.planned_start
    seen_before: set[int] = set()
    duplicate_budget = duplicates
    members_of = defaultdict(list)
    for person in people:
        members_of[person.cell].append(person)
    for cell, members in members_of.items():
        sharing = [p for p in members if p is not broker][:cell_phone_members]
        if sharing:
            truth.cell_phones[cell] = f"+3249{cell:07d}"
        for person in sharing:
            person.phone = truth.cell_phones[cell]
    one_offs = _couriers(rng, people, couriers)
    truth.couriers = {p.number for p in one_offs}
    hit_rows, parts = [], []
    for i in range(hits + len(one_offs)):
        cell = i % cells
        members = members_of[cell]
        involved = rng.sample(members, k=min(3, len(members)))
        if broker is not None and cell in (0, 1) and i % (cells * 5) in (0, 1):
            involved = [broker, *involved[:2]] if broker not in involved else involved
        if i >= hits:
            involved = [one_offs[i - hits]]
        participation = participations[i % len(participations)]
        route = [rng.choice(COUNTRIES[:5]), transit, rng.choice(COUNTRIES[6:])]
        if rng.random() < 0.15:
            route = [route[0], route[2]]
        marking = Marking.RED if rng.random() < restricted_share else Marking.AMBER
        hit_rows.append(
            Hit(
                operation=operation,
                participation=participation,
                reporting_agency=participation.agency,
                reported_by=reporter,
                client_id=uuid.UUID(int=rng.getrandbits(128)),
                fingerprint="planted",
                sequence=operation.last_hit_sequence + i + 1,
                occurred_at=min(start + timedelta(minutes=37 * i), timezone.now()),
                country=route[-1],
                place=f"Port {i % 7}",
                location_code="",
                location_type=Hit.LocationType.AIRPORT,
                mode_of_transport="air",
                detection_method=rng.choice(Hit.DetectionMethod.values),
                concealment=rng.choice(["Suitcase lining", "Machinery", "Food cans", ""]),
                marking=marking,
            )
        )
        actors = []
        roles = ("consignor", "consignee", "courier") if i < hits else ("courier",)
        for role, person in zip(roles, involved, strict=False):
            name, phone, kind = person.name, person.phone, None
            if person.number in seen_before and duplicate_budget > 0 and rng.random() < 0.5:
                kind = VARIANTS[duplicate_budget % len(VARIANTS)]
                name = variant(rng, kind, person.given, person.surname)
                duplicate_budget -= 1
                if kind != "shared_phone":
                    other = f"+3248{rng.getrandbits(24):08d}"
                    if kind != "initial":  # an initial keeps the phone: the two together
                        phone = other  # a new phone: names only
            seen_before.add(person.number)
            actors.append((person, role, name, phone, kind))
        parts.append((route, actors))
    Hit.objects.bulk_create(hit_rows, batch_size=2000)
    created = list(
        Hit.objects.filter(operation=operation, sequence__gt=operation.last_hit_sequence).order_by(
            "sequence"
        )
    )
    _write_parts(rng, created, parts, truth)
    operation.last_hit_sequence += len(hit_rows)
    operation.save(update_fields=["last_hit_sequence"])
    return truth


def _couriers(rng: random.Random, people: list[Person], count: int) -> list[Person]:
    """One-off couriers: a third "Solo<n> Carrier<n>", the others generated names; never
    the name and date of birth of a planted person or of another courier."""
    taken = {(p.given, p.surname, p.date_of_birth) for p in people}
    found = []
    for n in range(count):
        number = len(people) + n
        while True:
            if n % 3 == 0:
                given, surname = f"solo{n + 1}", f"carrier{n + 1}"
            else:
                given, surname = rng.choice(GIVEN), rng.choice(SURNAMES)
            born = date(1950, 1, 1) + timedelta(days=rng.randrange(20000))
            if (given, surname, born) not in taken:
                break
        taken.add((given, surname, born))
        found.append(
            Person(
                number=number,
                given=given,
                surname=surname,
                nationality=rng.choice(COUNTRIES),
                date_of_birth=born,
                phone=f"+3246{number:07d}",
                cell=-1,
                passport=f"P{number:08d}",
            )
        )
    return found


def _write_parts(rng, created, parts, truth: Truth) -> None:
    items, shipments, actors, identifiers, meta = [], [], [], [], []
    for n, (hit, (route, involved)) in enumerate(zip(created, parts, strict=True)):
        commodity = rng.choice(COMMODITIES)
        kilograms = Decimal(rng.randrange(500, 90000)) / 1000
        items.append(
            HitItem(
                hit=hit,
                commodity=commodity,
                commodity_group=GROUP_OF[commodity],
                quantity=kilograms,
                unit="kg",
                kilograms=kilograms,
            )
        )
        shipments.append(
            Shipment(
                hit=hit,
                departure_country=route[0],
                transit_countries=route[1:-1],
                destination_country=route[-1],
                flight_number=f"XX{n % 50:03d}",
            )
        )
        identifiers.append(
            HitIdentifier(hit=hit, kind=HitIdentifier.Kind.FLIGHT, value=f"XX{n % 50:03d}")
        )
        for person, role, name, phone, kind in involved:
            actors.append(
                Actor(
                    hit=hit,
                    kind=Actor.Kind.PERSON,
                    role=role,
                    name=name,
                    nationality=person.nationality,
                    date_of_birth=person.date_of_birth,
                    addresses=[f"{person.cell + 1} Cell Street, Harbour Town"]
                    if person.cell >= 0 and kind in _KEEP_ADDRESS
                    else [],
                    phones=[phone],
                    documents=[
                        {
                            "kind": "passport",
                            "number": person.passport,
                            "country": person.nationality,
                        }
                    ]
                    if person.passport
                    else [],
                )
            )
            identifiers.append(HitIdentifier(hit=hit, kind=HitIdentifier.Kind.PHONE, value=phone))
            meta.append((person.number, kind))
    HitItem.objects.bulk_create(items, batch_size=2000)
    Shipment.objects.bulk_create(shipments, batch_size=2000)
    Actor.objects.bulk_create(actors, batch_size=2000)
    HitIdentifier.objects.bulk_create(identifiers, batch_size=2000, ignore_conflicts=True)
    for actor, (person, kind) in zip(actors, meta, strict=True):
        truth.person_of[actor.pk] = person
        if kind:
            truth.duplicate_kinds[actor.pk] = kind
