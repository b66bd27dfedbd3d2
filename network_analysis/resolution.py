"""Entity resolution: which actor rows are the same person or company.

Pure functions on :class:`ActorRecord` (no database), in two strengths:

- **links**: two actors that share a strong identifier (an identity document with its
  issuing country, a company registration with its country, a normalised phone, an
  e-mail) are the same entity without asking;
- **suggestions**: names that match despite typos, word order, initials or script
  (Cyrillic, Greek, Arabic, ... are transliterated to Latin with anyascii, then compared
  with rapidfuzz, also on a consonant skeleton that absorbs transliteration variants),
  scored and supported or contradicted by date of birth and nationality. Analysts
  confirm or reject them (:class:`network_analysis.models.EntityDecision`).

:func:`resolve` turns links and confirmed decisions into entities; a rejected decision
keeps a pair apart even when a strong identifier links it (a shared office phone).

>>> latin_tokens("Мухаммед Абдулла")
['mukhammed', 'abdulla']
>>> skeleton("mukhammed") == skeleton("mohammed") == skeleton("mhmd")
True
>>> round(name_score("Ivan Petrov", "ПЕТРОВ Иван"))
100
>>> round(name_score("J. Smith", "John Smith"))
95
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations

from anyascii import anyascii
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

DEFAULT_MIN_SCORE = 0.85

# Particles that transliterations spell, join or drop at will.
_PARTICLES = frozenset({"al", "el", "ul", "bin", "ben", "ibn", "bint", "van", "von", "der", "de"})
# Transliteration variants folded to one consonant, before vowels are dropped.
_FOLDS = (
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
)
_VOWELS = re.compile(r"[aeiouy]+")
_REPEATS = re.compile(r"(.)\1+")
# Blocks larger than this are too common a key to compare within (other keys still pair).
_MAX_BLOCK = 400
# A pair is scored in full only when its skeletons are at least this similar.
_PREFILTER = 60


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
    documents: tuple[tuple[str, str], ...] = ()  # (issuing country, number)
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    a: int  # the smaller actor pk
    b: int
    score: float  # 0..1
    reasons: tuple[str, ...] = field(default=())


def latin_tokens(name: str) -> list[str]:
    """Lower-case Latin tokens of `name` in any script, particles left out."""
    words = re.split(r"[^a-z0-9]+", anyascii(name).lower())
    return [w for w in words if w and w not in _PARTICLES]


def skeleton(token: str) -> str:
    """Consonants of a Latin token after folding transliteration variants, repeats
    squeezed: "Mukhammed", "Mohammed" and the unvowelled "mhmd" all give "mhmd"."""
    for variant, folded in _FOLDS:
        token = token.replace(variant, folded)
    return _REPEATS.sub(r"\1", _VOWELS.sub("", token)) or token[:1]


def _aligned(short: list[str], long: list[str]) -> float:
    """Mean best match of each token of `short` in `long` (word order free; an initial
    matches a word it begins), scaled down for words `short` lacks."""
    if not short:
        return 0.0
    total = 0.0
    for token in short:
        best = 0.0
        for other in long:
            if len(token) == 1 or len(other) == 1:
                best = max(best, 90.0 if token[0] == other[0] else 0.0)
            else:
                best = max(
                    best, fuzz.ratio(token, other), fuzz.ratio(skeleton(token), skeleton(other))
                )
        total += best
    return total / len(short) * (len(short) / len(long)) ** 0.5


def name_score(a: str, b: str) -> float:
    """0..100: how alike two names are, whatever their script, order or initials."""
    ta, tb = latin_tokens(a), latin_tokens(b)
    if not ta or not tb:
        return 0.0
    short, long = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    # Words split or joined differently ("abd al-lah", "Abdullah"): whole skeletons.
    split = len(ta) != len(tb) and min(len(ta), len(tb)) > 1
    joined = fuzz.ratio("".join(map(skeleton, ta)), "".join(map(skeleton, tb))) if split else 0.0
    return max(fuzz.token_sort_ratio(" ".join(ta), " ".join(tb)), _aligned(short, long), joined)


def strong_keys(actor: ActorRecord) -> set[tuple[str, ...]]:
    """The identifiers that make two actors one entity."""
    keys: set[tuple[str, ...]] = set()
    keys |= {("document", country, number) for country, number in actor.documents if number}
    if actor.registration_number:
        keys.add(("registration", actor.nationality, actor.registration_number))
    keys |= {("phone", phone) for phone in actor.phones if phone}
    keys |= {("email", email.lower()) for email in actor.emails if email}
    return keys


def _names(actor: ActorRecord) -> list[str]:
    return [actor.name, *actor.aliases]


def _block_keys(actor: ActorRecord) -> set[str]:
    return {
        f"{actor.kind}:{skeleton(token)[:3]}"
        for name in _names(actor)
        for token in latin_tokens(name)
        if len(token) > 1
    }


def _alike(members: list[ActorRecord]):
    """Which pairs of a block are worth scoring: alike in their Latin words or in their
    skeletons (a swapped letter can break a folded digraph: "Chaudhry", "Cahudhry")."""
    words = [latin_tokens(m.name) for m in members]
    latin = [" ".join(sorted(w)) for w in words]
    skeletons = [" ".join(sorted(map(skeleton, w))) for w in words]
    by_latin = cdist(latin, latin, scorer=fuzz.token_sort_ratio, score_cutoff=_PREFILTER)
    by_skeleton = cdist(skeletons, skeletons, scorer=fuzz.token_sort_ratio, score_cutoff=_PREFILTER)
    return (by_latin > 0) | (by_skeleton > 0)


def pair_score(a: ActorRecord, b: ActorRecord) -> tuple[float, tuple[str, ...]]:
    """Score in 0..1 and the reasons, for two actors of the same kind."""
    name = max(name_score(x, y) for x in _names(a) for y in _names(b))
    reasons = [f"names {name:.0f}% alike"]
    if a.date_of_birth and b.date_of_birth:
        if a.date_of_birth == b.date_of_birth:
            name, reasons = name + 10, [*reasons, "same date of birth"]
        else:
            name, reasons = name - 30, [*reasons, "different dates of birth"]
    if a.nationality and b.nationality:
        if a.nationality == b.nationality:
            name, reasons = name + 5, [*reasons, "same nationality"]
        else:
            name, reasons = name - 10, [*reasons, "different nationalities"]
    return max(0.0, min(100.0, name)) / 100, tuple(reasons)


def identifier_links(actors: Iterable[ActorRecord]) -> list[tuple[int, int]]:
    """Pairs of actors sharing a strong identifier (each holder linked to the first)."""
    first: dict[tuple[str, ...], int] = {}
    links = []
    for actor in actors:
        for key in strong_keys(actor):
            if key in first:
                links.append((first[key], actor.pk))
            else:
                first[key] = actor.pk
    return links


class _Entities:
    """Union-find over actor pks that never puts a rejected pair in one entity."""

    def __init__(self, apart: Iterable[tuple[int, int]]):
        self.parent: dict[int, int] = {}
        self.members: dict[int, set[int]] = {}
        self.apart: dict[int, set[int]] = defaultdict(set)
        for a, b in apart:
            self.apart[a].add(b)
            self.apart[b].add(a)

    def find(self, x: int) -> int:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while x != root:  # path compression
            self.parent[x], x = root, self.parent.get(x, x)
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        group_a, group_b = self.members.get(ra, {ra}), self.members.get(rb, {rb})
        if any(self.apart[m] & group_b for m in group_a):
            return  # an analyst said two of them are different entities
        keep, gone = min(ra, rb), max(ra, rb)  # the smaller pk names the entity
        self.parent[gone] = keep
        self.members[keep] = group_a | group_b
        self.members.pop(gone, None)


def resolve(
    actors: Iterable[ActorRecord],
    confirmed: Iterable[tuple[int, int]] = (),
    rejected: Iterable[tuple[int, int]] = (),
) -> dict[int, int]:
    """Map each actor pk to its entity: the smallest pk of the actors it is one with.

    Confirmed pairs and shared identifiers join actors, unless the join would put a
    rejected pair in one entity (three actors sharing an office phone, two of them
    rejected as one: those two stay apart)."""
    actors = list(actors)
    found = _Entities(rejected)
    for a, b in [*confirmed, *identifier_links(actors)]:
        found.union(a, b)
    return {actor.pk: found.find(actor.pk) for actor in actors}


def suggestions(
    actors: Iterable[ActorRecord],
    *,
    entities: dict[int, int] | None = None,
    decided: set[tuple[int, int]] = frozenset(),
    min_score: float = DEFAULT_MIN_SCORE,
) -> list[Suggestion]:
    """Pairs of actors, not already one entity nor decided, whose names match with a
    score of at least `min_score`, best first.

    Only actors sharing a block (the first consonants of a word) are compared, and only
    pairs whose skeletons are alike are scored in full, so the cost grows with the
    block sizes rather than with the square of the number of actors.
    """
    actors = list(actors)
    entities = entities or {}
    blocks: dict[str, list[ActorRecord]] = defaultdict(list)
    for actor in actors:
        for key in _block_keys(actor):
            blocks[key].append(actor)
    seen: set[tuple[int, int]] = set()
    found = []
    for members in blocks.values():
        if len(members) < 2 or len(members) > _MAX_BLOCK:
            continue
        alike = _alike(members)
        for i, j in combinations(range(len(members)), 2):
            if not alike[i, j] and not _has_initials(members[i], members[j]):
                continue
            a, b = sorted((members[i], members[j]), key=lambda m: m.pk)
            pair = (a.pk, b.pk)
            if pair in seen or pair in decided:
                continue
            seen.add(pair)
            if entities.get(a.pk, a.pk) == entities.get(b.pk, b.pk):
                continue
            score, reasons = pair_score(a, b)
            if score >= min_score:
                found.append(Suggestion(a.pk, b.pk, round(score, 4), reasons))
    return sorted(found, key=lambda s: (-s.score, s.a, s.b))


def _has_initials(a: ActorRecord, b: ActorRecord) -> bool:
    return any(len(t) == 1 for t in latin_tokens(a.name) + latin_tokens(b.name))
