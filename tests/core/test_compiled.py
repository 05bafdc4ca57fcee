"""Statements compiled once: the same rows and instances as the queryset they come from, for
each call's values, without building the queryset again."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

import pytest
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from accounts.models import Location, User
from audit import services as audit
from audit.models import AuditEvent
from cases.models import Case, Child
from core.compiled import CompiledQuery
from core.lookups import IdList
from tests.conftest import World


class CountedBuild:
    """A queryset builder that counts how often it is asked."""

    def __init__(self, build: Any) -> None:
        self.build = build
        self.calls = 0

    def __call__(self, **values: Any) -> QuerySet[Any]:
        self.calls += 1
        return self.build(**values)


def _places_under(ids: list[int]) -> QuerySet[Location]:
    return Location.objects.filter(parent_id__any_of=ids).order_by("id")


def test_rows_are_the_querysets_for_each_calls_values(world: World) -> None:
    build = CountedBuild(lambda ids: _places_under(ids).values_list("id", "name_km", "path"))
    compiled = CompiledQuery(build, ids=list)
    provinces = [world.phnom_penh.pk, world.banteay_meanchey.pk]
    for ids in ([world.phnom_penh.pk], provinces, [], [world.pp_village.pk]):
        expected = list(_places_under(ids).values_list("id", "name_km", "path"))
        assert compiled.rows(ids=ids) == expected
    assert compiled.rows(ids=provinces)  # the test reads places that exist
    asked = build.calls
    with CaptureQueriesContext(connection) as statements:
        compiled.rows(ids=provinces)
        compiled.rows(ids=[world.pp_commune.pk])
    # Built no more once compiled, and one statement a call.
    assert build.calls == asked
    assert len(statements) == 2


def test_instances_come_with_their_related_rows_and_no_further_query(world: World) -> None:
    compiled = CompiledQuery(
        lambda user_id: User.objects.select_related("agency", "location").filter(pk=user_id),
        user_id=int,
    )
    for person in (world.worker, world.supervisor, world.system_admin):
        with CaptureQueriesContext(connection) as statements:
            (found,) = compiled.instances(user_id=person.pk)
            assert isinstance(found, User)
            assert (found.pk, found.username, found.agency_id) == (
                person.pk,
                person.username,
                person.agency_id,
            )
            assert found.agency == person.agency
            assert found.location == person.location
        assert len(statements) == 1
        # Saved like any instance read from the database: an update, not an insert.
        assert not found._state.adding
    assert compiled.instances(user_id=0) == []


def test_instances_keep_their_annotations_and_deferred_columns(world: World) -> None:
    """Some columns read, the others deferred (loaded when touched, as Django does), with an
    annotation and the related rows, for each call's values."""

    def people(agency_id: int) -> QuerySet[User]:
        return (
            User.objects.filter(agency_id=agency_id)
            .select_related("agency")
            .only("username", "agency__name")
            .annotate(supervised=Exists(User.objects.filter(supervisor_id=OuterRef("pk"))))
            .order_by("id")
        )

    def seen(person: Any) -> tuple[int, str, bool, str]:
        return (person.pk, person.username, person.supervised, person.agency.name)

    compiled = CompiledQuery(people, agency_id=int)
    for agency in (world.ngo, world.dosvy_pp, world.mosvy):
        expected = list(people(agency.pk))
        found: list[Any] = compiled.instances(agency_id=agency.pk)
        assert [seen(person) for person in found] == [seen(person) for person in expected]
        for person in found:
            assert person.get_deferred_fields() == expected[0].get_deferred_fields()
            assert "role" in person.get_deferred_fields()
            assert person.role == User.objects.get(pk=person.pk).role  # loaded when touched
    assert any(seen(person)[2] for person in compiled.instances(agency_id=world.ngo.pk))


def test_columns_are_converted_as_the_orm_converts_them(world: World) -> None:
    with transaction.atomic():
        event = audit.record(
            actor=world.worker, action="test.read", changes={"names": ["សុខា", "Dara"]}
        )
    compiled = CompiledQuery(
        lambda event_id: AuditEvent.objects.filter(pk=event_id).values_list("changes"),
        event_id=int,
    )
    assert compiled.rows(event_id=event.pk) == [({"names": ["សុខា", "Dara"]},)]


def test_a_value_the_orm_spreads_over_several_parameters_is_refused(world: World) -> None:
    compiled = CompiledQuery(
        lambda ids: Location.objects.filter(id__in=ids).values_list("id"), ids=list
    )
    with pytest.raises(ValueError, match="ids"):
        compiled.rows(ids=[world.phnom_penh.pk])


def test_a_value_of_a_field_too_narrow_for_its_stand_in_is_refused(world: World) -> None:
    compiled = CompiledQuery(
        lambda age: Child.objects.filter(estimated_age=age).values_list("id"), age=int
    )
    with pytest.raises(ValueError, match="range"):
        compiled.rows(age=12)


def test_a_subquery_finds_what_its_queryset_finds_with_each_calls_values(world: World) -> None:
    build = CountedBuild(lambda ids: _places_under(ids).values("id"))
    compiled = CompiledQuery(build, ids=list)
    provinces = [world.phnom_penh.pk, world.banteay_meanchey.pk]
    for ids in (provinces, [world.phnom_penh.pk], []):
        expected = set(Location.objects.filter(id__in=_places_under(ids).values("id")))
        assert set(Location.objects.filter(id__in=compiled.subquery(ids=ids))) == expected
    assert Location.objects.filter(id__in=compiled.subquery(ids=provinces)).exists()
    asked = build.calls
    sql, _params = Location.objects.filter(
        id__in=compiled.subquery(ids=provinces)
    ).query.sql_with_params()
    # Carried as the compiled text: not built again.
    assert build.calls == asked
    assert "= ANY(%s)" in sql


def test_a_list_of_texts_is_bound_as_one_parameter(world: World) -> None:
    compiled = CompiledQuery(
        lambda paths: Location.objects.filter(path__any_of=paths).values_list("id"),
        paths=list[str],
    )
    paths = [world.phnom_penh.path, world.pp_village.path, "no such place"]
    expected = sorted(Location.objects.filter(path__in=paths).values_list("id"))
    assert len(expected) == 2
    with CaptureQueriesContext(connection) as statements:
        assert sorted(compiled.rows(paths=paths)) == expected
    assert statements.captured_queries[0]["sql"].count("ANY(") == 1
    assert compiled.rows(paths=[]) == []


def test_an_id_list_is_bound_as_its_arrays_text(world: World) -> None:
    compiled = CompiledQuery(
        lambda ids: Location.objects.filter(id__any_of=ids).order_by("id").values_list("id"),
        ids=IdList,
    )
    ids = [world.phnom_penh.pk, world.pp_village.pk, world.pp_commune.pk]
    with CaptureQueriesContext(connection) as statements:
        assert compiled.rows(ids=IdList(ids)) == [(pk,) for pk in sorted(ids)]
        assert compiled.rows(ids=IdList(ids[:1])) == [(ids[0],)]
        assert compiled.rows(ids=IdList([])) == []
    assert len(statements) == 3
    # One parameter, the array's text, cast to the column's type.
    first = statements.captured_queries[0]["sql"]
    assert first.count("ANY(") == 1
    assert f"'{{{','.join(map(str, ids))}}}'" in first


def test_a_date_is_bound_as_one_parameter(world: World) -> None:
    cases = [world.own_case, world.teammates_case, world.other_agency_case]
    for month, case in enumerate(cases, start=1):
        Case.objects.filter(pk=case.pk).update(reassess_by=date(2026, month, 15))
    compiled = CompiledQuery(
        lambda before: Case.objects.filter(reassess_by__lt=before).order_by("id").values_list("id"),
        before=date,
    )
    for day in (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 31)):
        expected = Case.objects.filter(reassess_by__lt=day).order_by("id").values_list("id")
        assert compiled.rows(before=day) == list(expected)
    assert compiled.rows(before=date(2026, 2, 1)) == [(world.own_case.pk,)]


def _columns(instance: Any) -> dict[str, Any]:
    return {name: value for name, value in vars(instance).items() if name != "_state"}


def test_instances_are_made_as_the_orm_makes_them(world: World) -> None:
    """Written into the instance at once (core.compiled._making), a case and its child have
    the very columns, state and behaviour of the ORM's: saved as an update, related rows
    cached, a foreign key's id assignable."""

    def cases(owner_id: int) -> QuerySet[Case]:
        return Case.objects.filter(owner_id=owner_id).select_related("child").order_by("id")

    compiled = CompiledQuery(cases, owner_id=int)
    (found,) = cast(list[Case], compiled.instances(owner_id=world.teammate.pk))
    (expected,) = cases(world.teammate.pk)
    assert _columns(found) == _columns(expected)
    assert _columns(found.child) == _columns(expected.child)
    assert (found._state.adding, found._state.db) == (False, "default")
    with CaptureQueriesContext(connection) as statements:
        assert found.child.given_name == expected.child.given_name
    assert not statements.captured_queries
    found.owner_id = world.worker.pk
    assert found.owner == world.worker
    found.save(update_fields=["owner"])
    assert Case.objects.get(pk=found.pk).owner_id == world.worker.pk


def test_a_model_with_an_init_receiver_is_made_by_django(world: World) -> None:
    """A receiver of post_init runs for each instance, as it would for the ORM's."""
    made: list[int] = []

    def note(sender: Any, instance: Location, **kwargs: Any) -> None:
        made.append(id(instance))

    post_init.connect(note, sender=Location)
    try:
        compiled = CompiledQuery(
            lambda parent_id: Location.objects.filter(parent_id=parent_id).order_by("id"),
            parent_id=int,
        )
        found = compiled.instances(parent_id=world.phnom_penh.pk)
    finally:
        post_init.disconnect(note, sender=Location)
    assert found
    assert [id(place) for place in found] == made
