"""Name matching, for search and the duplicate check. The one place that depends on the
database: PostgreSQL matches fuzzily with trigrams (indexes in migration 0002), other databases
fall back to substring matching."""

from __future__ import annotations

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Greatest

from cases.models import Case, Child, khmer_search_key, latin_search_key

# Similarity from which two names are taken for the same child at registration.
DUPLICATE_SIMILARITY = 0.45


def fuzzy_matching() -> bool:
    return connection.vendor == "postgresql"


def search_cases(cases: QuerySet[Case], text: str) -> QuerySet[Case]:
    """Cases whose child's name (Latin or Khmer, misspelt a little) or whose number matches."""
    latin, khmer = latin_search_key(text), khmer_search_key(text)
    by_number = Q(case_number__istartswith=text.strip())
    by_name = Q(child__search_name__contains=latin) if latin else Q()
    if khmer:
        by_name |= Q(child__search_name_km__contains=khmer)
    if fuzzy_matching():
        by_name |= Q(child__search_name__trigram_word_similar=latin)
        by_name |= Q(child__search_name_km__trigram_word_similar=khmer)
    return cases.filter(by_number | by_name)


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
