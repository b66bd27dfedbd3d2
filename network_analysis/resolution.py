"""Entity resolution: which actor rows are the same person or company.

Pure functions on :class:`ActorRecord` (no database). Nothing is merged in the hits: an
*entity* is a set of actor rows, named by its smallest actor pk, for the analysis only.

**Automatic merges** (:func:`resolve_entities`), each recorded as a :class:`Merge` with its
evidence ("merged because: same passport CO AB123456"), strongest first:

1. ``document``: the same identity document number of the same kind and issuing country;
2. ``registration``: the same company registration number in the same country;
3. ``name_and_birth``: the same normalised name (:func:`normalised_name`: any script
   transliterated to Latin, case, accents, punctuation, particles and word order ignored,
   so "PETROV, Ivan" is "Ivan Petrov") of at least two words, and the same date of birth;
4. ``identifier_and_name``: a shared phone, e-mail or address **and** names that agree
   (:func:`name_score` >= :data:`NAMES_AGREE`, so "I. Petrov" and "Ivan Petrov" sharing a
   phone are one). A shared identifier alone is a link in the graph, never identity: four
   members of a cell sharing one phone stay four people.

Rules 3 and 4 never join two groups holding a contradiction: two rows with different
dates of birth or different nationalities, or two rows whose names differ (name_score
below :data:`NAMES_DIFFER`: three rows "Ivan Petrov", "I. Petrov", "Igor Petrov" sharing
a phone: "I. Petrov" joins one of them, never both). Analysts' decisions come last: a
confirmed pair is joined; a rejected or split pair is kept apart whatever the evidence
(rules 1-4 included).

**Suggestions** (:func:`suggestions`) compare *entities* after the merges above, never two
rows of one entity. The score of two entities, in 0..1, is documented in docs/analysis.md:

- names: the best :func:`name_score` (0-100) over their names and aliases: Latin words of
  any script (anyascii), compared with rapidfuzz in any order, word by word (an initial
  matches a word it begins, 90) and on a consonant skeleton that absorbs transliteration
  variants. Names whose numbers differ ("Solo1 Carrier1", "Solo11 Carrier11") score 0:
  names that differ in their digits are different people;
- date of birth: +10 when the entities share one, -30 when both have some and share none;
- nationality: +5 when they share one, -10 when both have some and share none;
- clamped to 0..100, divided by 100. Suggested from :data:`DEFAULT_MIN_SCORE` (0.85) up,
  best first.

>>> latin_tokens("Мухаммед Абдулла")
['mukhammed', 'abdulla']
>>> skeleton("mukhammed") == skeleton("mohammed") == skeleton("mhmd")
True
>>> round(name_score("Ivan Petrov", "ПЕТРОВ Иван"))
100
>>> round(name_score("J. Smith", "John Smith"))
95
>>> name_score("Solo1 Carrier1", "Solo11 Carrier11")
0.0
>>> normalised_name("PETROV, Ivan") == normalised_name("Ivan Petrov")
True
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import combinations, permutations

import numpy as np
from anyascii import anyascii
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

DEFAULT_MIN_SCORE = 0.85
# Two names agree (rule 4) from this name_score up, and contradict (no join by rules 3
# and 4 of two groups holding them) below NAMES_DIFFER.
NAMES_AGREE = 90
NAMES_DIFFER = 80

# Particles that transliterations spell, join or drop at will.
_PARTICLES = frozenset({"al", "el", "ul", "bin", "ben", "ibn", "bint", "van", "von", "der", "de"})
# Transliteration variants folded to one consonant, before vowels are dropped.
_FOLDS = (
    ("ts", "s"),  # Cyrillic ц and a soft c, both read back "ts" or "c"
    ("ce", "se"),
    ("ci", "si"),
    ("cy", "sy"),
    ("kh", "h"),
    ("gh", "g"),
    ("ph", "f"),
    ("sh", "s"),
    ("ch", "s"),
    ("zh", "z"),
    ("th", "t"),
    ("dh", "d"),
    ("ck", "k"),
    ("q", "k"),
    ("c", "k"),
    ("w", "v"),
    ("z", "s"),
    ("j", "i"),
    ("p", "b"),  # Arabic writes both with ba
    ("v", "f"),  # and these with fa
)
_VOWELS = re.compile(r"[aeiouy]+")
_REPEATS = re.compile(r"(.)\1+")
_DIGITS = re.compile(r"\d+")
# Arabic letters that write long vowels: alif anywhere, waw and ya after a letter.
_ARABIC_VOWELS = {"ا": "a", "آ": "a", "أ": "a", "إ": "i", "ى": "a", "ة": "a", "و": "u", "ي": "i"}
_ARABIC_LONG_VOWELS = re.compile(r"[اآأإىة]|(?<=[\u0621-\u064a])[وي]")
# Blocks larger than this are too common a key to compare within (other keys still pair).
_MAX_BLOCK = 400
# A pair is scored in full only when its skeletons are at least this similar.
_PREFILTER = 60
# An identifier held under more distinct names than this is a place (a mail centre, a
# switchboard), not evidence of identity.
_MAX_HOLDER_NAMES = 50

RULES = {
    "document": "same identity document",
    "registration": "same company registration",
    "name_and_birth": "same name and date of birth",
    "identifier_and_name": "shared identifier and names that agree",
    "confirmed": "confirmed by an analyst",
}


@dataclass(frozen=True)
class ActorRecord:
    """What resolution reads of an actor row."""

    pk: int
    kind: str
    name: str
    aliases: tuple[str, ...] = ()
    nationality: str = ""
    date_of_birth: date | None = None
    registration_number: str = ""
    documents: tuple[tuple[str, ...], ...] = ()  # (issuing country, number[, kind])
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Merge:
    """One automatic (or confirmed) join of two actor rows, and why."""

    a: int
    b: int
    rule: str  # a key of RULES
    evidence: str  # "same passport CO AB123456"

    def as_dict(self) -> dict:
        return {"actors": [self.a, self.b], "rule": self.rule, "evidence": self.evidence}


@dataclass
class Resolution:
    entities: dict[int, int]  # actor pk -> entity (the smallest pk of its rows)
    merges: list[Merge]  # the joins made, in the order made

    def merged_because(self) -> dict[int, list[Merge]]:
        """entity -> the joins that made it (entities of one row left out)."""
        found: dict[int, list[Merge]] = defaultdict(list)
        for merge in self.merges:
            found[self.entities[merge.a]].append(merge)
        return dict(found)

    def counts(self) -> dict[str, int]:
        counted = dict.fromkeys(RULES, 0)
        for merge in self.merges:
            counted[merge.rule] += 1
        return counted


@dataclass(frozen=True)
class Suggestion:
    a: int  # the smaller entity id (an actor pk)
    b: int
    score: float  # 0..1
    reasons: tuple[str, ...] = field(default=())


# --- names ------------------------------------------------------------------------------


def _arabic_vowels(match: re.Match) -> str:
    letter = match.group(0)
    return _ARABIC_VOWELS.get(letter, letter)


def latin_tokens(name: str) -> list[str]:
    """Lower-case Latin tokens of `name` in any script, particles left out. In Arabic
    script alif, and waw and ya inside a word, are written as the vowels they mostly are
    in names ("كارلوس" is "karlus", not "krlws")."""
    name = _ARABIC_LONG_VOWELS.sub(_arabic_vowels, name)
    words = re.split(r"[^a-z0-9]+", anyascii(name).lower())
    return [w for w in words if w and w not in _PARTICLES]


def normalised_name(name: str) -> str:
    """The name's Latin words in alphabetical order: one key for every order and script
    that transliterates alike ("PETROV, Ivan", "Ivan Petrov", "Иван Петров")."""
    return " ".join(sorted(latin_tokens(name)))


@lru_cache(maxsize=100_000)
def skeleton(token: str) -> str:
    """Consonants of a Latin token after folding transliteration variants, repeats
    squeezed: "Mukhammed", "Mohammed" and the unvowelled "mhmd" all give "mhmd"."""
    for variant, folded in _FOLDS:
        token = token.replace(variant, folded)
    return _REPEATS.sub(r"\1", _VOWELS.sub("", token)) or token[:1]


@lru_cache(maxsize=200_000)
def _token_score(token: str, other: str) -> float:
    if len(token) == 1 or len(other) == 1:
        return 90.0 if token[0] == other[0] else 0.0
    return max(fuzz.ratio(token, other), fuzz.ratio(skeleton(token), skeleton(other)))


def _aligned(short: list[str], long: list[str]) -> float:
    """Mean match of each token of `short` with its own token of `long` (one to one, word
    order free, the best assignment; an initial matches a word it begins), scaled down
    for words `short` lacks."""
    if not short:
        return 0.0
    scores = [[_token_score(t, o) for o in long] for t in short]
    if len(long) <= 6:
        best = max(
            sum(scores[i][j] for i, j in enumerate(chosen))
            for chosen in permutations(range(len(long)), len(short))
        )
    else:  # long names: greedy, best pairs first
        best, used, rows = 0.0, set(), set()
        ranked = sorted(
            ((v, i, j) for i, row in enumerate(scores) for j, v in enumerate(row)), reverse=True
        )
        for v, i, j in ranked:
            if i not in rows and j not in used:
                best, used, rows = best + v, used | {j}, rows | {i}
    return best / len(short) * (len(short) / len(long)) ** 0.5


@lru_cache(maxsize=200_000)
def name_score(a: str, b: str) -> float:
    """0..100: how alike two names are, whatever their script, order or initials; 0 when
    the numbers they hold differ (names that differ in digits are different people)."""
    ta, tb = latin_tokens(a), latin_tokens(b)
    if not ta or not tb:
        return 0.0
    if sorted(_DIGITS.findall(" ".join(ta))) != sorted(_DIGITS.findall(" ".join(tb))):
        return 0.0
    short, long = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    # Words split or joined differently ("abd al-lah", "Abdullah"): whole skeletons.
    split = len(ta) != len(tb) and min(len(ta), len(tb)) > 1
    joined = fuzz.ratio("".join(map(skeleton, ta)), "".join(map(skeleton, tb))) if split else 0.0
    return max(fuzz.token_sort_ratio(" ".join(ta), " ".join(tb)), _aligned(short, long), joined)


def _names(actor: ActorRecord) -> tuple[str, ...]:
    return (actor.name, *actor.aliases)


def _best_name_score(names_a: Iterable[str], names_b: Iterable[str]) -> float:
    names_b = tuple(names_b)
    return max((name_score(x, y) for x in names_a for y in names_b), default=0.0)


# --- automatic merges -------------------------------------------------------------------


def _address(value: str) -> str:
    return " ".join(value.lower().split())


def strong_keys(actor: ActorRecord) -> set[tuple[str, ...]]:
    """Keys that are identity by themselves (rules 1 and 2): a document's kind, issuing
    country and number; a company registration's country and number."""
    keys: set[tuple[str, ...]] = set()
    for document in actor.documents:
        country, number = document[0], document[1]
        kind = (document[2] if len(document) > 2 else "") or "passport"
        if country and number:
            keys.add(("document", kind.strip().lower(), country, number))
    if actor.registration_number and actor.nationality:
        keys.add(("registration", actor.nationality, actor.registration_number))
    return keys


def link_keys(actor: ActorRecord) -> set[tuple[str, str]]:
    """Identifiers that link two actors but are identity only with agreeing names."""
    keys = {("phone", phone) for phone in actor.phones if phone}
    keys |= {("e-mail", email.lower()) for email in actor.emails if email}
    keys |= {("address", _address(a)) for a in actor.addresses if a.strip()}
    return keys


def _evidence_of_key(key: tuple[str, ...]) -> str:
    if key[0] == "document":
        return f"same {key[1]} {key[2]} {key[3]}"
    return f"same registration {key[1]} {key[2]}"


def _contradict(x: ActorRecord, y: ActorRecord) -> bool:
    """Two rows that cannot be one person without an analyst saying so."""
    if x.kind != y.kind:
        return True
    if x.date_of_birth and y.date_of_birth and x.date_of_birth != y.date_of_birth:
        return True
    if x.nationality and y.nationality and x.nationality != y.nationality:
        return True
    return _best_name_score(_names(x), _names(y)) < NAMES_DIFFER


class _Entities:
    """Union-find over actor rows that never puts an apart pair in one entity and, for
    the weaker rules, never joins two groups holding a contradiction."""

    def __init__(self, records: dict[int, ActorRecord], apart: Iterable[tuple[int, int]]):
        self.records = records
        self.parent: dict[int, int] = {}
        self.members: dict[int, set[int]] = {}
        # Distinct (kind, names, date of birth, nationality) of each group's rows.
        self.kinds: dict[int, dict[tuple, int]] = {}
        self.apart: dict[int, set[int]] = defaultdict(set)
        for a, b in apart:
            self.apart[a].add(b)
            self.apart[b].add(a)
        self.merges: list[Merge] = []

    def find(self, x: int) -> int:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while x != root:  # path compression
            self.parent[x], x = root, self.parent.get(x, x)
        return root

    def _signatures(self, root: int) -> dict[tuple, int]:
        if root not in self.kinds:
            r = self.records[root]
            self.kinds[root] = {(r.kind, _names(r), r.date_of_birth, r.nationality): root}
        return self.kinds[root]

    def union(self, a: int, b: int, rule: str, evidence: str, checked: bool) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        group_a, group_b = self.members.get(ra, {ra}), self.members.get(rb, {rb})
        if any(self.apart[m] & group_b for m in group_a if m in self.apart):
            return False  # an analyst said two of them are different entities
        sig_a, sig_b = self._signatures(ra), self._signatures(rb)
        if checked and any(
            _contradict(self.records[x], self.records[y])
            for x in sig_a.values()
            for y in sig_b.values()
        ):
            return False
        keep, gone = min(ra, rb), max(ra, rb)  # the smaller pk names the entity
        self.parent[gone] = keep
        self.members[keep] = group_a | group_b
        self.members.pop(gone, None)
        self.kinds[keep] = {**sig_a, **sig_b}
        self.kinds.pop(gone, None)
        self.merges.append(Merge(min(a, b), max(a, b), rule, evidence))
        return True


def _name_and_birth_groups(records: list[ActorRecord]) -> dict[tuple, list[int]]:
    groups: dict[tuple, list[int]] = defaultdict(list)
    for r in records:
        if not r.date_of_birth:
            continue
        for name in {normalised_name(n) for n in _names(r)}:
            tokens = name.split()
            if len(tokens) >= 2 and any(len(t) > 1 for t in tokens):
                groups[(r.kind, name, r.date_of_birth)].append(r.pk)
    return groups


def _identifier_pairs(records: list[ActorRecord]) -> list[tuple[float, int, int, str]]:
    """(name score, a, b, evidence) of rows sharing a phone, e-mail or address whose
    names agree, best first."""
    holders: dict[tuple[str, str], list[ActorRecord]] = defaultdict(list)
    for r in records:
        for key in link_keys(r):
            holders[key].append(r)
    found = []
    for (kind, value), rows in holders.items():
        if len(rows) < 2:
            continue
        by_names: dict[tuple, list[ActorRecord]] = defaultdict(list)
        for r in rows:
            by_names[(r.kind, _names(r))].append(r)
        if len(by_names) > _MAX_HOLDER_NAMES:
            continue
        groups = list(by_names.items())
        for _, rows_a in groups:  # the same names: chained to the first
            for other in rows_a[1:]:
                found.append((100.0, rows_a[0].pk, other.pk, f"same {kind} {value}"))
        for ((kind_a, names_a), rows_a), ((kind_b, names_b), rows_b) in combinations(groups, 2):
            if kind_a != kind_b:
                continue
            score = _best_name_score(names_a, names_b)
            if score >= NAMES_AGREE:
                found.append(
                    (
                        score,
                        rows_a[0].pk,
                        rows_b[0].pk,
                        f"same {kind} {value}, names {score:.0f}% alike",
                    )
                )
    return sorted(found, key=lambda f: (-f[0], min(f[1], f[2]), max(f[1], f[2])))


def resolve_entities(
    actors: Iterable[ActorRecord],
    confirmed: Iterable[tuple[int, int]] = (),
    apart: Iterable[tuple[int, int]] = (),
) -> Resolution:
    """The entities of `actors` by rules 1-4 and analysts' decisions (module docstring).

    `apart`: pairs rejected or split by an analyst, never one entity."""
    actors = sorted(actors, key=lambda r: r.pk)
    found = _Entities({r.pk: r for r in actors}, apart)
    strong: dict[tuple[str, ...], int] = {}
    for actor in actors:
        for key in sorted(strong_keys(actor)):
            if key in strong:
                found.union(strong[key], actor.pk, key[0], _evidence_of_key(key), checked=False)
            else:
                strong[key] = actor.pk
    for (_, _, born), pks in sorted(_name_and_birth_groups(actors).items(), key=lambda g: g[1]):
        for pk in pks[1:]:
            found.union(
                pks[0], pk, "name_and_birth", f"same name and date of birth {born}", checked=True
            )
    for _, a, b, evidence in _identifier_pairs(actors):
        found.union(a, b, "identifier_and_name", evidence, checked=True)
    for a, b in sorted(tuple(sorted(pair)) for pair in confirmed):
        if a in found.records and b in found.records:
            found.union(a, b, "confirmed", "confirmed by an analyst", checked=False)
    return Resolution({r.pk: found.find(r.pk) for r in actors}, found.merges)


def resolve(
    actors: Iterable[ActorRecord],
    confirmed: Iterable[tuple[int, int]] = (),
    rejected: Iterable[tuple[int, int]] = (),
) -> dict[int, int]:
    """Map each actor pk to its entity (:func:`resolve_entities` without the evidence)."""
    return resolve_entities(actors, confirmed, rejected).entities


# --- suggestions ------------------------------------------------------------------------


@dataclass
class _Entity:
    pk: int
    kind: str
    names: set[str] = field(default_factory=set)
    births: set[date] = field(default_factory=set)
    nationalities: set[str] = field(default_factory=set)
    _full: list[str] | None = None

    def full_names(self) -> list[str]:
        if self._full is None:
            self._full = _full_names(frozenset(self.names))
        return self._full


def _add(entity: _Entity, actor: ActorRecord) -> _Entity:
    entity.names.update(n for n in _names(actor) if latin_tokens(n))
    if actor.date_of_birth:
        entity.births.add(actor.date_of_birth)
    if actor.nationality:
        entity.nationalities.add(actor.nationality)
    return entity


def _entity_profiles(actors: list[ActorRecord], entities: dict[int, int]) -> dict[int, _Entity]:
    profiles: dict[int, _Entity] = {}
    for actor in actors:
        pk = entities.get(actor.pk, actor.pk)
        _add(profiles.setdefault(pk, _Entity(pk, actor.kind)), actor)
    return profiles


def _full_names(names: frozenset[str]) -> list[str]:
    """The names without initials, if any: "I. Petrov" of an entity also written "Ivan
    Petrov" does not make it alike "Igor Petrov"."""
    return sorted(n for n in names if not _has_initial(n)) or sorted(names)


def _score(a: _Entity, b: _Entity) -> tuple[float, tuple[str, ...]]:
    name = _best_name_score(a.full_names(), b.full_names())
    score, reasons = name, [f"names {name:.0f}% alike"]
    alike = name >= NAMES_DIFFER  # a date of birth or nationality never makes names alike
    for ours, theirs, plus, minus, what in (
        (a.births, b.births, 10, 30, "date of birth"),
        (a.nationalities, b.nationalities, 5, 10, "nationality"),
    ):
        if not (ours and theirs):
            continue
        if ours & theirs:
            if alike:
                score, reasons = score + plus, [*reasons, f"same {what}"]
        else:
            plural = "dates of birth" if what == "date of birth" else "nationalities"
            score, reasons = score - minus, [*reasons, f"different {plural}"]
    return max(0.0, min(100.0, score)) / 100, tuple(reasons)


def pair_score(a: ActorRecord, b: ActorRecord) -> tuple[float, tuple[str, ...]]:
    """Score in 0..1 and the reasons, for two actors of the same kind taken alone."""
    return _score(_add(_Entity(a.pk, a.kind), a), _add(_Entity(b.pk, b.kind), b))


def _alike(items: list[tuple[int, str]]):
    """Which pairs of a block are worth scoring: alike in their Latin words or in their
    skeletons (a swapped letter can break a folded digraph: "Chaudhry", "Cahudhry")."""
    words = [latin_tokens(name) for _, name in items]
    latin = [" ".join(sorted(w)) for w in words]
    skeletons = [" ".join(sorted(map(skeleton, w))) for w in words]
    by_latin = cdist(latin, latin, scorer=fuzz.token_sort_ratio, score_cutoff=_PREFILTER)
    by_skeleton = cdist(skeletons, skeletons, scorer=fuzz.token_sort_ratio, score_cutoff=_PREFILTER)
    return (by_latin > 0) | (by_skeleton > 0)


def _block_keys(name: str) -> set[str]:
    """The first consonants of each word, with the numbers of the name: names whose
    numbers differ never match, so they need not meet."""
    numbers = "#".join(sorted(_DIGITS.findall(" ".join(latin_tokens(name)))))
    return {f"{skeleton(t)[:3]}#{numbers}" for t in latin_tokens(name) if len(t) > 1}


@lru_cache(maxsize=100_000)
def _has_initial(name: str) -> bool:
    return any(len(t) == 1 for t in latin_tokens(name))


def suggestions(
    actors: Iterable[ActorRecord],
    *,
    entities: dict[int, int] | None = None,
    decided: set[tuple[int, int]] = frozenset(),
    min_score: float = DEFAULT_MIN_SCORE,
) -> list[Suggestion]:
    """Pairs of entities (after `entities`, the automatic merges when None) not yet
    decided, scored from `min_score` up, best first. A pair is decided when a decision
    names a row of each (a rejection keeps the two apart; a confirmation joins them).

    Only entities sharing a block (the first consonants of a word of a name) are
    compared, and only pairs whose skeletons are alike are scored in full, so the cost
    grows with the block sizes rather than with the square of the number of entities.
    """
    actors = list(actors)
    if entities is None:
        entities = resolve(actors)
    profiles = _entity_profiles(actors, entities)
    decided = {tuple(sorted((entities.get(x, x), entities.get(y, y)))) for x, y in decided}
    blocks: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for entity in profiles.values():
        for name in sorted(entity.names):
            for key in _block_keys(name):
                blocks[f"{entity.kind}:{key}"].append((entity.pk, name))
    seen: set[tuple[int, int]] = set()
    found = []
    for items in blocks.values():
        if len(items) > _MAX_BLOCK or len({pk for pk, _ in items}) < 2:
            continue
        initials = np.array([_has_initial(name) for _, name in items])
        worth = _alike(items) | initials[:, None] | initials[None, :]
        for i, j in zip(*np.nonzero(np.triu(worth, 1)), strict=True):
            a, b = sorted((items[i][0], items[j][0]))
            if a == b or (a, b) in seen or (a, b) in decided:
                continue
            seen.add((a, b))
            score, reasons = _score(profiles[a], profiles[b])
            if score >= min_score:
                found.append(Suggestion(a, b, round(score, 4), reasons))
    return sorted(found, key=lambda s: (-s.score, s.a, s.b))


# --- results ----------------------------------------------------------------------------


def merged_entities(actors: list[dict], entities: dict[int, int], merges: list[dict]) -> list[dict]:
    """The entities of more than one actor row, most rows first, each with why:
    [{id "actor:<pk>", label, actors (rows), names [distinct, first first],
    merged_because [{actors [a, b], rule, evidence}]}] (docs/analysis.md, "Results")."""
    rows: dict[int, list[dict]] = defaultdict(list)
    for actor in sorted(actors, key=lambda a: a["pk"]):
        rows[entities.get(actor["pk"], actor["pk"])].append(actor)
    because: dict[int, list[dict]] = defaultdict(list)
    for merge in merges:
        because[entities.get(merge["actors"][0], merge["actors"][0])].append(merge)
    found = [
        {
            "id": f"actor:{entity}",
            "label": members[0]["name"],
            "actors": len(members),
            "names": list(dict.fromkeys(m["name"] for m in members)),
            "merged_because": because.get(entity, []),
        }
        for entity, members in rows.items()
        if len(members) > 1
    ]
    return sorted(found, key=lambda e: (-e["actors"], int(e["id"].split(":")[1])))


def methodology(merges: list[dict], confirmed: int, kept_apart: int) -> dict:
    """What the results say of how entities were resolved."""
    counted = dict.fromkeys(RULES, 0)
    for merge in merges:
        counted[merge["rule"]] += 1
    return {
        "min_score": DEFAULT_MIN_SCORE,
        "names_agree": NAMES_AGREE,
        "automatic_merges": {rule: n for rule, n in counted.items() if rule != "confirmed"},
        "confirmed_merges": confirmed,
        "kept_apart": kept_apart,
        "identifier_links": counted["identifier_and_name"],
        "rule": "Actors are one entity automatically only on the same identity document "
        "(kind, country, number), the same company registration (country, number), the "
        "same normalised name with the same date of birth, or a shared phone, e-mail or "
        f"address with names that agree (at least {NAMES_AGREE}% alike) and no different "
        "date of birth or nationality; a shared identifier alone is a link, not identity. "
        "Other name matches are suggested from min_score up and count once an analyst "
        "confirms them; a rejected or split pair is kept apart.",
    }
