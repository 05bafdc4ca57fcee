"""Instances made with their columns written at once (core.rows): the very instances Django's
own making gives, columns, state and behaviour, with every column read or some deferred; made
by Django when a receiver of the init signals is listening."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_init, pre_init
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import CrontabSchedule

from accounts.models import Location, User
from cases.models import Case, Child
from core.rows import ColumnsWrittenAtOnce, _made_plainly
from tests.conftest import World


def _by_django(model: type[Model], names: list[str], values: list[Any]) -> Any:
    return Model.from_db.__func__(model, "default", names, values)  # type: ignore[attr-defined]


def _columns(instance: Any) -> dict[str, Any]:
    return {name: value for name, value in vars(instance).items() if name != "_state"}


def test_an_instance_has_the_columns_and_state_djangos_would(world: World) -> None:
    for model, pk in ((Case, world.own_case.pk), (Child, world.own_case.child_id)):
        names = [field.attname for field in model._meta.concrete_fields]
        values = list(model.objects.filter(pk=pk).values_list(*names).get())
        made, expected = model.from_db("default", names, values), _by_django(model, names, values)
        assert type(made) is model
        assert _columns(made) == _columns(expected)
        assert (made._state.adding, made._state.db) == (False, "default")
        assert made.get_deferred_fields() == set()


def test_deferred_columns_are_loaded_when_touched(world: World) -> None:
    case = Case.objects.only("case_number", "owner").get(pk=world.own_case.pk)
    assert _columns(case).keys() == {"id", "case_number", "owner_id"}
    assert "summary" in case.get_deferred_fields()
    with CaptureQueriesContext(connection) as statements:
        assert case.summary == world.own_case.summary
    assert len(statements) == 1


def test_it_is_saved_updated_and_refreshed_as_any_instance(world: World) -> None:
    case = Case.objects.select_related("child").get(pk=world.own_case.pk)
    assert isinstance(case, ColumnsWrittenAtOnce)
    with CaptureQueriesContext(connection) as statements:
        assert case.child.pk == world.own_case.child_id  # joined, not read again
    assert not statements.captured_queries
    case.owner_id = world.teammate.pk
    assert case.owner == world.teammate
    case.save(update_fields=["owner"])
    assert Case.objects.count() == 5  # an update, not an insert
    case.refresh_from_db()
    assert case.owner_id == world.teammate.pk
    assert User.objects.get(pk=world.worker.pk) == world.worker


def test_a_receiver_of_the_init_signals_runs_as_for_djangos_instances(world: World) -> None:
    made: list[Location] = []
    asked: list[type] = []

    def note(sender: type, instance: Location, **kwargs: Any) -> None:
        made.append(instance)

    def note_before(sender: type, **kwargs: Any) -> None:
        asked.append(sender)

    post_init.connect(note, sender=Location)
    pre_init.connect(note_before, sender=Location)
    try:
        places = list(Location.objects.filter(parent=world.phnom_penh))
    finally:
        post_init.disconnect(note, sender=Location)
        pre_init.disconnect(note_before, sender=Location)
    assert places
    assert made == places
    assert asked == [Location] * len(places)


def test_a_model_with_a_column_of_its_own_making_is_made_by_django() -> None:
    assert _made_plainly(Case)
    assert _made_plainly(User)
    # Its time zone column is read through a descriptor of its own, which turns the text into
    # a zone: written into the dict, it would stay text.
    assert not _made_plainly(CrontabSchedule)
