"""Name matching, for search and the duplicate check. The one place that depends on the
database: PostgreSQL matches fuzzily with trigrams (indexes in migration 0002), other databases
fall back to substring matching."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache, reduce
from operator import or_
from typing import Any, cast

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet, TextField, Value, When
from django.db.models import Case as Cond
from django.utils import timezone

from cases.models import Case, Child, khmer_search_key, latin_search_key
from cases.models.child import age_on
from core.compiled import CompiledQuery
from core.lookups import IdList

# Similarity from which two names are taken for the same child at registration.
DUPLICATE_SIMILARITY = 0.45
# Shorter name keys are matched whole (a trigram index finds nothing shorter).
MINIMUM_FRAGMENT = 3
# A search across a territory keeps the children it matched up to this many, the latest
# registered first: the first pages of a province's answer, however common the name.
MATCHING_CHILDREN_LIMIT = 5000
# Across a territory, a name written exactly so this many times in the country is the answer;
# names spelt a little differently, or only starting so, are searched when it is rarer.
EXACT_ENOUGH = 50
# A caller who sees at most this many cases, and no territory, has those cases' names checked
# one by one: the complete answer, at a cost that follows their caseload.
SCOPE_FIRST_LIMIT = 5000
# A case number: the province's code, the year and a sequence ("12-2026-00042"), or its start.
CASE_NUMBER = re.compile(r"[0-9][0-9-]*")


def fuzzy_matching() -> bool:
    return connection.vendor == "postgresql"


def _is_khmer(char: str) -> bool:
    return "\u1780" <= char <= "\u17ff" or "\u19e0" <= char <= "\u19ff"


def _fragment(field: str, key: str, *, fuzzy: bool) -> Q:
    """``key`` within the name in ``field``: as written, or (``fuzzy``, on PostgreSQL) a word
    close to it. A key under three letters has no trigram to look the index up with, so it is
    matched as a whole name."""
    if len(key) < MINIMUM_FRAGMENT:
        return Q(**{field: key})
    matches = Q(**{f"{field}__contains": key})
    if fuzzy and fuzzy_matching():
        matches |= Q(**{f"{field}__trigram_word_similar": key})
    return matches


def _latin_words(latin: str) -> list[str]:
    return [word for word in latin.split() if any(char.isalnum() for char in word)]


def _latin_matches(latin: str) -> Q | None:
    """Every word must be found, so "Kolab Ung" is not every Kolab in the country; words under
    three letters only narrow what the longer ones found."""
    words = _latin_words(latin)
    if not words:
        return None
    if all(len(word) < MINIMUM_FRAGMENT for word in words):
        return _fragment("search_name", " ".join(words), fuzzy=True)
    matches = Q()
    for word in words:
        matches &= (
            _fragment("search_name", word, fuzzy=True)
            if len(word) >= MINIMUM_FRAGMENT
            else Q(search_name__contains=word)
        )
    return matches


def _name_words() -> Func:
    """The words of a child's Latin name, as the GIN index of migration 0017 holds them."""
    return Func(
        F("search_name"),
        Value(" "),
        function="string_to_array",
        output_field=ArrayField(TextField()),
    )


def _texts(words: list[str]) -> Value:
    """Words as one array parameter: a list given to an array lookup is spelt out, one
    parameter a word, which a compiled statement cannot bind again."""
    return Value(words, output_field=ArrayField(TextField()))


def _latest(children: QuerySet[Child]) -> QuerySet[Child, tuple[int]]:
    return children.order_by("-id").values_list("id")[:MATCHING_CHILDREN_LIMIT]


# The lookups every search by name makes, compiled once (core.compiled): building and compiling
# them cost more than running them.
_BEARING_EVERY_WORD = CompiledQuery(
    lambda words: _latest(
        Child.objects.alias(words=_name_words()).filter(words__contains=_texts(words))
    ),
    words=list[str],
)
_NAMED_IN_KHMER = CompiledQuery(
    lambda khmer: _latest(Child.objects.filter(search_name_km=khmer)), khmer=str
)


def _exact_children(latin: str, khmer: str) -> list[int]:
    """The latest children named with every word of ``latin`` (in any order) or exactly
    ``khmer``: two index lookups of whole words (GIN on the words, B-tree on the Khmer key),
    a few milliseconds however many children the country holds."""
    words = _latin_words(latin)
    ids: set[int] = set()
    if words:
        ids.update(child_id for (child_id,) in _BEARING_EVERY_WORD.rows(words=words))
    if khmer:
        ids.update(child_id for (child_id,) in _NAMED_IN_KHMER.rows(khmer=khmer))
    return sorted(ids, reverse=True)[:MATCHING_CHILDREN_LIMIT]


def _either(*conditions: Q | None) -> Q | None:
    present = [condition for condition in conditions if condition is not None]
    return reduce(or_, present) if present else None


def _matching_children(condition: Q) -> list[int]:
    return list(
        Child.objects.filter(condition)
        .order_by("-id")
        .values_list("id", flat=True)[:MATCHING_CHILDREN_LIMIT]
    )


# The words of the vocabulary (migration 0018) that a searched word may stand for: those holding
# it (a word only begun, or part of one) and, from MINIMUM_FRAGMENT letters, those close to it
# (misspelt a little): what a trigram match on the whole names found, from a few thousand words
# rather than from every child's name.
WORDS_HOLDING = "(SELECT {position} AS position, word FROM cases_name_word WHERE word LIKE %s)"
WORDS_HOLDING_OR_CLOSE = (
    "(SELECT {position} AS position, word FROM cases_name_word WHERE word LIKE %s OR %s <%% word)"
)


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _words_like(words: list[str]) -> list[set[str]]:
    """For each of ``words``, the words of children's names it may stand for: one statement."""
    parts: list[str] = []
    params: list[str] = []
    for position, word in enumerate(words):
        holding = f"%{_like_escaped(word)}%"
        if len(word) >= MINIMUM_FRAGMENT:
            parts.append(WORDS_HOLDING_OR_CLOSE.format(position=position))
            params += [holding, word]
        else:
            parts.append(WORDS_HOLDING.format(position=position))
            params.append(holding)
    alike: list[set[str]] = [set() for _word in words]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for position, word in cursor.fetchall():
            alike[position].add(word)
    return alike


@cache
def _bearing_one_of_each(words: int) -> CompiledQuery:
    """The latest children whose name bears, for each of ``words`` words searched, one of its
    spellings (``word_0``, ``word_1``...: lists of the vocabulary's words)."""

    def build(**spellings: list[str]) -> QuerySet[Child, tuple[int]]:
        bearing_each = Q()
        for position in range(words):
            bearing_each &= Q(words__overlap=_texts(spellings[f"word_{position}"]))
        return _latest(Child.objects.alias(words=_name_words()).filter(bearing_each))

    return CompiledQuery(build, **{f"word_{position}": list[str] for position in range(words)})


def _children_named_alike(latin: str, khmer: str) -> list[int]:
    """On PostgreSQL, the latest children named with a word like each word of ``latin`` (spelt
    a little differently, or only begun), or whose Khmer name holds ``khmer``. The Latin words
    come from the vocabulary, then the children bearing them from the index of whole words: the
    cost follows how many children are so named, whatever their names share with others."""
    children: set[int] = set()
    words = _latin_words(latin)
    if words and all(len(word) < MINIMUM_FRAGMENT for word in words):
        children.update(_matching_children(cast(Q, _latin_matches(latin))))
    elif words and all(alike := _words_like(words)):
        spellings = {f"word_{position}": sorted(found) for position, found in enumerate(alike)}
        bearing = _bearing_one_of_each(len(alike))
        children.update(child_id for (child_id,) in bearing.rows(**spellings))
    if khmer:
        children.update(_matching_children(_fragment("search_name_km", khmer, fuzzy=False)))
    return sorted(children, reverse=True)[:MATCHING_CHILDREN_LIMIT]


def _through_child(condition: Q) -> Q:
    """``condition`` on the child, as a condition on its case."""
    prefixed = Q(_connector=condition.connector, _negated=condition.negated)
    for child in condition.children:
        if isinstance(child, Q):
            prefixed.children.append(_through_child(child))
        else:
            field, value = cast(tuple[str, Any], child)
            prefixed.children.append((f"child__{field}", value))
    return prefixed


def _row_by_row(condition: Q) -> Cond:
    """``condition`` on the child, as a value of its case that no index answers: the planner
    then reads the caller's few cases and checks each name, rather than reading every name
    in the country that matches (its guess of how many a trigram match finds is often a
    hundred times too low)."""
    return Cond(
        When(_through_child(condition), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def is_case_number(text: str) -> bool:
    """Whether a search is for a case number (or its beginning) rather than a name."""
    return bool(CASE_NUMBER.fullmatch(text.strip()))


@dataclass(frozen=True)
class _NameSearch:
    """A search by name, its keys made: ``found`` matches a child's name (None when the text
    holds no letter to search by)."""

    latin: str
    khmer: str
    found: Q | None
    # Khmer long enough to be matched by similarity when nothing is written so.
    similar_khmer: bool

    @classmethod
    def of(cls, text: str) -> _NameSearch:
        latin = latin_search_key("".join(char for char in text if not _is_khmer(char)))
        # Digits and signs go with the Khmer too ("ស្រីពៅ3"); only Latin letters are left out.
        khmer = khmer_search_key("".join(c for c in text if not (c.isascii() and c.isalpha())))
        if not any(_is_khmer(char) for char in khmer):
            khmer = ""
        found = _either(
            _latin_matches(latin),
            _fragment("search_name_km", khmer, fuzzy=False) if khmer else None,
        )
        similar_khmer = len(khmer) >= MINIMUM_FRAGMENT and fuzzy_matching()
        return cls(latin, khmer, found, similar_khmer)

    def children(self) -> list[int]:
        """The latest children so named, up to MATCHING_CHILDREN_LIMIT, found by their own
        queries (see :func:`search_cases`)."""
        if self.found is None:
            return []
        children: list[int] = []
        if fuzzy_matching():
            children = _exact_children(self.latin, self.khmer)
        if len(children) < EXACT_ENOUGH:
            alike = (
                _children_named_alike(self.latin, self.khmer)
                if fuzzy_matching()
                else _matching_children(self.found)
            )
            children = sorted(set(children) | set(alike), reverse=True)
            if not children and self.similar_khmer:
                children = _matching_children(Q(search_name_km__trigram_word_similar=self.khmer))
        return children[:MATCHING_CHILDREN_LIMIT]


def children_named(text: str) -> list[int]:
    """The children a search by name (not a case number) finds across a territory, the latest
    first, as :func:`search_cases` finds them for a caller with one: the cases it answers are
    those of these children the caller sees."""
    return _NameSearch.of(text.strip()).children()


def search_cases(cases: QuerySet[Case], text: str, *, territory: bool = True) -> QuerySet[Case]:
    """Cases whose number starts with ``text``, or whose child is named like it: in Latin
    letters every word, misspelt a little or only begun; in Khmer script (written without
    spaces between names, so matched whole) as written, or spelt a little differently when
    nothing is.

    How the names are found follows the caller's reach, so that the cost follows the answer
    and not the country's size:

    - Without a ``territory``, the cases the caller sees (up to SCOPE_FIRST_LIMIT) are read
      first and their children's names checked one by one: the complete answer.
    - With one, children are looked up first, in their own query (the planner cannot estimate
      how many names a fuzzy match finds, and joined to the cases it would rather walk them
      all): the latest MATCHING_CHILDREN_LIMIT named exactly so, from indexes of whole words;
      only when the country holds fewer than EXACT_ENOUGH of them, also those whose names are
      spelt a little differently or start so: their words from the vocabulary of name words,
      then their children from the index of whole words again."""
    text = text.strip()
    if is_case_number(text):
        return cases.filter(case_number__startswith=text)
    search = _NameSearch.of(text)
    if search.found is None:
        return cases.none()
    if not territory:
        seen = list(cases.values_list("pk", flat=True)[: SCOPE_FIRST_LIMIT + 1])
        if len(seen) <= SCOPE_FIRST_LIMIT:
            mine = cases.filter(pk__any_of=IdList(seen))
            matched = mine.alias(named=_row_by_row(search.found)).filter(named=True)
            if search.similar_khmer and not matched.exists():
                similar = Q(search_name_km__trigram_word_similar=search.khmer)
                return mine.alias(named=_row_by_row(similar)).filter(named=True)
            return matched
    return cases.filter(child_id__any_of=IdList(search.children()))


# How many of a district's nearest names the duplicate check weighs: a common name must not hide
# the child of the right age and sex behind the first few of another.
DUPLICATE_SCAN = 200
# The same for each row of an imported file: rows are many, and a file is checked as a whole.
IMPORT_DUPLICATE_SCAN = 50

NAMESAKE_FIELDS = (
    "id",
    "search_name",
    "search_name_km",
    "sex",
    "date_of_birth",
    "estimated_age",
    "age_estimated_on",
)


@dataclass(frozen=True)
class Namesake:
    """A child of the district named like the one looked for, as the duplicate check weighs
    them: by sex and age."""

    child_id: int
    sex: str
    age: int | None


# Each script's nearest names walk the GiST index led by the district (migration 0016), closest
# first, and stop at the limit: the cost follows the limit, not the district's size. The
# similarity is tested outside the limited walks, which a condition inside would make read the
# whole district whenever fewer than the limit pass it.
NEAREST_IN_ONE_SCRIPT = """
(SELECT id, sex, date_of_birth, estimated_age, age_estimated_on, {field} <-> %({key})s AS distance
 FROM cases_child
 WHERE district_path = %(district)s AND id IS DISTINCT FROM %(exclude)s
 ORDER BY {field} <-> %({key})s
 LIMIT %(scan)s)
"""
NAMESAKES = """
SELECT id, sex, date_of_birth, estimated_age, age_estimated_on, min(distance) AS nearest
FROM ({walks}) AS nearest_names
WHERE 1 - distance >= %(similarity)s
GROUP BY id, sex, date_of_birth, estimated_age, age_estimated_on
ORDER BY nearest, id DESC
"""
NamesakeRow = tuple[int, str, date | None, int | None, date | None]


def _namesake_rows(
    *, district: str, latin: str, khmer: str, exclude: int | None
) -> list[NamesakeRow]:
    if not fuzzy_matching():
        exact = Q(search_name=latin) if latin else Q(pk__in=[])
        if khmer:
            exact |= Q(search_name_km=khmer)
        children = Child.objects.filter(exact, district_path=district)
        if exclude is not None:
            children = children.exclude(pk=exclude)
        columns = ("id", "sex", "date_of_birth", "estimated_age", "age_estimated_on")
        return cast(
            list[NamesakeRow], list(children.order_by("-pk").values_list(*columns)[:DUPLICATE_SCAN])
        )
    keys = {"latin": ("search_name", latin), "khmer": ("search_name_km", khmer)}
    walks = [
        NEAREST_IN_ONE_SCRIPT.format(field=field, key=script)
        for script, (field, key) in keys.items()
        if key
    ]
    if not walks:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            NAMESAKES.format(walks=" UNION ALL ".join(walks)),
            {
                "latin": latin,
                "khmer": khmer,
                "district": district,
                "exclude": exclude,
                "scan": DUPLICATE_SCAN,
                "similarity": DUPLICATE_SIMILARITY,
            },
        )
        return [cast(NamesakeRow, row[:5]) for row in cursor.fetchall()]


def namesakes(
    *, district: str, latin: str, khmer: str, exclude: int | None = None
) -> list[Namesake]:
    """Children of ``district`` named like this (in Latin letters or in Khmer script), the
    closest names first (the latest registered first among equals), in one statement: those
    the duplicate check weighs."""
    today = timezone.localdate()
    rows = _namesake_rows(district=district, latin=latin, khmer=khmer, exclude=exclude)
    return [
        Namesake(child_id, sex, age_on(today, born, estimated, estimated_on))
        for child_id, sex, born, estimated, estimated_on in rows
    ]


NAMESAKES_OF_EACH = """
SELECT name.position, child.id
FROM unnest(%(positions)s::int[], %(keys)s::text[]) AS name(position, key)
CROSS JOIN LATERAL (
    SELECT id, {field} <-> name.key AS distance
    FROM cases_child
    WHERE district_path = %(district)s
    ORDER BY {field} <-> name.key
    LIMIT %(scan)s
) AS child
WHERE 1 - child.distance >= %(similarity)s
"""


def namesakes_of_each(*, district: str, names: list[tuple[str, str]]) -> list[list[Child]]:
    """For each (Latin, Khmer) name key, the children of ``district`` named like it: the
    duplicate check of a whole file, in one query per script however many rows it has (each
    row reads at most IMPORT_DUPLICATE_SCAN of its nearest names)."""
    matches: list[set[int]] = [set() for _name in names]
    if not fuzzy_matching():
        by_key: dict[str, list[int]] = {}
        for index, (latin, khmer) in enumerate(names):
            for key in (f"l:{latin}" if latin else "", f"k:{khmer}" if khmer else ""):
                if key:
                    by_key.setdefault(key, []).append(index)
        latins = {latin for latin, _khmer in names} - {""}
        khmers = {khmer for _latin, khmer in names} - {""}
        for child_id, latin, khmer in (
            Child.objects.filter(district_path=district)
            .filter(Q(search_name__in=latins) | Q(search_name_km__in=khmers))
            .values_list("id", "search_name", "search_name_km")
        ):
            for index in by_key.get(f"l:{latin}", []) + by_key.get(f"k:{khmer}", []):
                matches[index].add(child_id)
    else:
        with connection.cursor() as cursor:
            for script, field in enumerate(("search_name", "search_name_km")):
                named = [(index, name[script]) for index, name in enumerate(names) if name[script]]
                if not named:
                    continue
                cursor.execute(
                    NAMESAKES_OF_EACH.format(field=field),
                    {
                        "positions": [index for index, _key in named],
                        "keys": [key for _index, key in named],
                        "district": district,
                        "scan": IMPORT_DUPLICATE_SCAN,
                        "similarity": DUPLICATE_SIMILARITY,
                    },
                )
                for position, child_id in cursor.fetchall():
                    matches[position].add(child_id)
    wanted = set().union(*matches)
    children = Child.objects.only(*NAMESAKE_FIELDS).in_bulk(wanted) if wanted else {}
    return [[children[child_id] for child_id in sorted(found)] for found in matches]
