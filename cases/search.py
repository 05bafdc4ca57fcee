"""Name matching, for search and the duplicate check. The one place that depends on the
database: PostgreSQL matches fuzzily with trigrams (indexes in migration 0002), other databases
fall back to substring matching."""

from __future__ import annotations

import re
from functools import reduce
from operator import or_

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Greatest

from cases.models import Case, Child, khmer_search_key, latin_search_key

# Similarity from which two names are taken for the same child at registration.
DUPLICATE_SIMILARITY = 0.45
# Shorter name keys are matched whole (a trigram index finds nothing shorter).
MINIMUM_FRAGMENT = 3
# A search keeps the children it matched up to this many, the latest registered first.
MATCHING_CHILDREN_LIMIT = 5000
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


def _latin_matches(latin: str) -> Q | None:
    """Every word must be found, so "Kolab Ung" is not every Kolab in the country; words under
    three letters only narrow what the longer ones found."""
    words = [word for word in latin.split() if any(char.isalnum() for char in word)]
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


def _either(*conditions: Q | None) -> Q | None:
    present = [condition for condition in conditions if condition is not None]
    return reduce(or_, present) if present else None


def _matching_children(condition: Q) -> list[int]:
    return list(
        Child.objects.filter(condition)
        .order_by("-id")
        .values_list("id", flat=True)[:MATCHING_CHILDREN_LIMIT]
    )


def is_case_number(text: str) -> bool:
    """Whether a search is for a case number (or its beginning) rather than a name."""
    return bool(CASE_NUMBER.fullmatch(text.strip()))


def search_cases(cases: QuerySet[Case], text: str) -> QuerySet[Case]:
    """Cases whose number starts with ``text``, or whose child is named like it: in Latin
    letters every word, misspelt a little; in Khmer script (written without spaces between
    names, so matched whole) as written, or spelt a little differently when nothing is.

    The children are looked up first, in their own query (the trigram indexes of one table):
    the planner cannot estimate how many names a fuzzy match finds, and joined to the cases
    it would rather walk them all. The most recently registered
    ``MATCHING_CHILDREN_LIMIT`` children are kept."""
    text = text.strip()
    if is_case_number(text):
        return cases.filter(case_number__startswith=text)
    latin = latin_search_key("".join(char for char in text if not _is_khmer(char)))
    # Digits and signs go with the Khmer too ("ស្រីពៅ3"); only Latin letters are left out.
    khmer = khmer_search_key("".join(c for c in text if not (c.isascii() and c.isalpha())))
    has_khmer = any(_is_khmer(char) for char in khmer)
    found = _either(
        _latin_matches(latin),
        _fragment("search_name_km", khmer, fuzzy=False) if has_khmer else None,
    )
    if found is None:
        return cases.none()
    children = _matching_children(found)
    if not children and has_khmer and len(khmer) >= MINIMUM_FRAGMENT and fuzzy_matching():
        children = _matching_children(Q(search_name_km__trigram_word_similar=khmer))
    return cases.filter(child_id__in=children)


def children_named_like(children: QuerySet[Child], *, latin: str, khmer: str) -> QuerySet[Child]:
    """Children named like this, the closest names (then the latest registered) first."""
    if fuzzy_matching():
        return (
            children.annotate(
                name_similarity=Greatest(
                    TrigramSimilarity("search_name", latin),
                    TrigramSimilarity("search_name_km", khmer),
                )
            )
            .filter(name_similarity__gte=DUPLICATE_SIMILARITY)
            .order_by("-name_similarity", "-pk")
        )
    exact = Q(search_name=latin) if latin else Q(pk__in=[])
    if khmer:
        exact |= Q(search_name_km=khmer)
    return children.filter(exact).order_by("-pk")
