"""Searching cases by the child's name through the API, by each kind of reach: a caller with
no territory gets the complete answer from her own cases, however common the name in the
country; a caller with a territory gets the names written exactly so from whole-word indexes,
and names spelt a little differently or only begun when the exact name is rare."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Location, User
from cases import search
from cases.models import Case
from tests.conftest import World, api_client
from tests.factories import AgencyFactory, CaseFactory, ChildFactory, UserFactory

CASES_URL = "/api/v1/cases/"


def _found(user: User, text: str) -> set[int]:
    response = api_client(user).get(CASES_URL, {"q": text, "page_size": "100"})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def _case(owner: User, place: Location, given: str, family: str, **names: Any) -> Case:
    return CaseFactory.create(
        owner=owner,
        location=place,
        child=ChildFactory.create(given_name=given, family_name=family, location=place, **names),
    )


def _elsewhere(world: World, count: int, given: str, family: str) -> list[Case]:
    """``count`` children of that name registered after the others, by another agency."""
    agency = AgencyFactory.create(name="Far Away NGO", location=world.banteay_meanchey)
    owner = UserFactory.create(username="far_worker", agency=agency)
    return [_case(owner, world.bmc_village, given, family) for _ in range(count)]


def test_a_worker_finds_her_child_however_many_newer_namesakes_the_country_holds(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cap on names looked up in the whole country must not hide her own child: without a
    territory, her own cases are read first and their names checked."""
    monkeypatch.setattr(search, "MATCHING_CHILDREN_LIMIT", 3)
    mine = _case(world.worker, world.pp_village, "Sophea", "Chan")
    _elsewhere(world, 5, "Sophea", "Chan")

    assert _found(world.worker, "Sophea Chan") == {mine.pk}
    assert _found(world.worker, "chan sophea") == {mine.pk}


@pytest.mark.parametrize("text", ["Sreymum Chhoeun", "Srey", "Chhoeun Sreymom", "sreym"])
def test_a_worker_finds_a_name_misspelt_begun_or_turned_about(world: World, text: str) -> None:
    mine = _case(world.worker, world.pp_village, "Sreymom", "Chhoeun")
    _case(world.worker, world.pp_village, "Dara", "Meas")

    assert _found(world.worker, text) == {mine.pk}


def test_a_worker_finds_a_khmer_name_spelt_a_little_differently(world: World) -> None:
    mine = _case(
        world.worker,
        world.pp_village,
        "",
        "",
        given_name_km="ស្រីមុំ",
        family_name_km="ឈឿន",
    )
    assert _found(world.worker, "ឈឿនស្រីមុំ") == {mine.pk}
    assert _found(world.worker, "ឈឿនស្រីមំ") == {mine.pk}


def test_a_worker_does_not_find_the_children_of_cases_she_does_not_see(world: World) -> None:
    others = _elsewhere(world, 2, "Sophea", "Chan")
    assert _found(world.worker, "Sophea Chan") == set()
    assert _found(world.dosvy_officer, "Sophea Chan") == set()  # another province
    assert _found(others[0].owner, "Sophea Chan") == {case.pk for case in others}


def test_a_supervisor_of_a_territory_finds_the_exact_name_from_whole_words(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name written exactly so often enough is answered from the index of whole words: no
    trigram match, whose cost grows with every name sharing a few letters, is run; names spelt
    otherwise are then not listed."""
    monkeypatch.setattr(search, "EXACT_ENOUGH", 2)
    exact = [_case(world.worker, world.pp_village, "Sophea", "Chan") for _ in range(2)]
    spelt_otherwise = _case(world.worker, world.pp_village, "Sopheap", "Chan")

    with CaptureQueriesContext(connection) as queries:
        found = _found(world.dosvy_officer, "Chan Sophea")

    assert found == {case.pk for case in exact}
    assert spelt_otherwise.pk not in found
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    if connection.vendor == "postgresql":
        assert 'string_to_array("cases_child"."search_name"' in sql
        assert '"search_name" %>' not in sql
        assert '"search_name"::text LIKE' not in sql


def test_a_supervisor_of_a_territory_finds_a_rare_name_spelt_otherwise_or_begun(
    world: World,
) -> None:
    exact = _case(world.worker, world.pp_village, "Sreymom", "Chhoeun")
    misspelt = _case(world.teammate, world.pp_village, "Sreymum", "Chhoeun")
    other_province = _case(world.bmc_worker, world.bmc_village, "Sreymom", "Chhoeun")

    assert _found(world.dosvy_officer, "Sreymom Chhoeun") == {exact.pk, misspelt.pk}
    assert _found(world.dosvy_officer, "Sreym") == {exact.pk, misspelt.pk}
    assert other_province.pk not in _found(world.dosvy_officer, "Chhoeun")


def test_a_supervisor_of_a_territory_finds_a_khmer_name_exactly_and_spelt_otherwise(
    world: World,
) -> None:
    exact = _case(
        world.teammate, world.pp_village, "", "", given_name_km="ស្រីមុំ", family_name_km="ឈឿន"
    )
    assert _found(world.dosvy_officer, "ឈឿន ស្រីមុំ") == {exact.pk}
    assert _found(world.dosvy_officer, "ឈឿនស្រីមំ") == {exact.pk}


def _vocabulary() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM cases_name_word")
        return {word for (word,) in cursor.fetchall()}


@pytest.mark.skipif(not search.fuzzy_matching(), reason="the vocabulary is PostgreSQL's")
def test_the_vocabulary_holds_every_word_of_the_names_however_the_children_were_written(
    world: World,
) -> None:
    """Registration, a bulk insert (imports, the dataset generator) and a correction of the
    name all reach the vocabulary: the database keeps it, not each code path."""
    child = ChildFactory.create(given_name="Vannak", family_name="Thong", location=world.pp_village)
    ChildFactory._meta.model.objects.bulk_create(
        [
            ChildFactory.build(
                given_name="Bopha",
                family_name="Nhem",
                search_name="bopha nhem",
                location=world.pp_village,
            )
        ]
    )
    child.given_name = "Vannary"
    child.save()

    assert {"vannak", "thong", "bopha", "nhem", "vannary"} <= _vocabulary()


@pytest.mark.skipif(not search.fuzzy_matching(), reason="the vocabulary is PostgreSQL's")
def test_a_territory_search_spelt_otherwise_reads_the_vocabulary_not_every_name(
    world: World,
) -> None:
    """Names misspelt or begun are looked up among the words of the vocabulary, then their
    children from the index of whole words: no trigram match runs on the children's names,
    whose cost grows with every name sharing a few letters (and whose plan swung between a
    few milliseconds and a second with the planner's guess)."""
    exact = _case(world.worker, world.pp_village, "Sreymom", "Chhoeun")
    misspelt = _case(world.teammate, world.pp_village, "Sreymum", "Chhoeun")
    _case(world.worker, world.pp_village, "Sreymom", "Dara")

    with CaptureQueriesContext(connection) as queries:
        found = _found(world.dosvy_officer, "Sreym Chhoeu")

    assert found == {exact.pk, misspelt.pk}
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "cases_name_word" in sql
    assert '"search_name" %>' not in sql
    assert '"search_name"::text LIKE' not in sql


@pytest.mark.skipif(not search.fuzzy_matching(), reason="the vocabulary is PostgreSQL's")
def test_a_renamed_child_is_found_by_her_new_name_only(world: World) -> None:
    """A word stays in the vocabulary when nobody bears it any more; the children's own words
    decide who is found."""
    case = _case(world.worker, world.pp_village, "Kolab", "Meas")
    case.child.given_name = "Rachana"
    case.child.save()

    assert "kolab" in _vocabulary()
    assert _found(world.dosvy_officer, "Kola Meas") == set()
    assert _found(world.dosvy_officer, "Racha Meas") == {case.pk}


@pytest.mark.parametrize("text", ["%", "_", "y%m", "e_m"])
def test_signs_of_a_like_pattern_are_letters_like_any_other(world: World, text: str) -> None:
    """Unescaped, "e_m" would be any name holding "e", a letter, then "m" ("Sreymom")."""
    _case(world.worker, world.pp_village, "Sreymom", "Chhoeun")
    _case(world.teammate, world.pp_village, "Somaly", "Chan")

    assert _found(world.dosvy_officer, text) == set()


def test_a_search_sorts_its_matches_by_key_before_joining_its_page(world: World) -> None:
    """The matches of a search lie on no index in the list's order: their keys are sorted
    alone, then the page's rows read with their child and place. The pages are those of the
    list, newest first."""
    cases = [_case(world.worker, world.pp_village, "Sophea", "Chan") for _ in range(3)]
    _case(world.worker, world.pp_village, "Dara", "Keo")
    client = api_client(world.dosvy_officer)

    with CaptureQueriesContext(connection) as queries:
        first = client.get(CASES_URL, {"q": "Sophea Chan", "page_size": "2"}).json()
    statements = [query["sql"] for query in queries.captured_queries]
    second = client.get(CASES_URL, {"q": "Sophea Chan", "page_size": "2", "page": "2"}).json()

    newest_first = [case.pk for case in reversed(cases)]
    assert [row["id"] for row in first["results"] + second["results"]] == newest_first
    assert (first["count"], second["count"]) == (None, 3)
    sorted_keys = [
        sql
        for sql in statements
        if sql.startswith('SELECT "cases_case"."id" AS "pk" FROM "cases_case"') and "LIMIT 3" in sql
    ]
    assert len(sorted_keys) == 1
    assert "JOIN" not in sorted_keys[0]
