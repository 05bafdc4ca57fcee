"""``__any_of`` with an IdList: the ids found exactly, sent as one string of PostgreSQL's array
text cast to the column's type, so an index on the column answers it."""

from __future__ import annotations

from django.db import connection

from cases.models import Case
from core.lookups import IdList
from tests.conftest import World


def test_an_id_list_finds_exactly_its_ids_as_one_text_parameter(world: World) -> None:
    wanted = [world.own_case.pk, world.other_agency_case.pk, 10**12]  # the last, of no case
    found = Case.objects.filter(pk__any_of=IdList(wanted))
    sql, params = found.query.sql_with_params()

    assert set(found.values_list("pk", flat=True)) == set(wanted[:2])
    assert "= ANY(%s::bigint[])" in sql
    assert params == ("{" + ",".join(map(str, wanted)) + "}",)
    assert not Case.objects.filter(pk__any_of=IdList([])).exists()


def test_through_a_foreign_key_as_through_the_key_itself(world: World) -> None:
    children = [world.own_case.child_id, world.restricted_case.child_id]
    by_list = Case.objects.filter(child_id__any_of=children)
    by_id_list = Case.objects.filter(child_id__any_of=IdList(children))
    assert set(by_id_list) == set(by_list) == {world.own_case, world.restricted_case}


def test_the_ids_are_compared_as_the_column_so_its_index_is_read(world: World) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = Case.objects.filter(
            pk__any_of=IdList([world.own_case.pk])
        ).query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index" in plan
    assert "Seq Scan" not in plan
