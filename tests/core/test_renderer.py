"""The API's JSON renderer writes with orjson exactly what DRF's writes: the same bytes for any
answer this API gives, Khmer, times, decimals and lazy translations included."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
import pytest
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import renderers

from core.api.renderers import JSONRenderer
from tests.conftest import World, api_client

PHNOM_PENH = timezone(timedelta(hours=7))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.text(),  # control characters, U+2028 and every script
    st.sampled_from(["ស្រីលក្ខណ៍ មាស", "line\u2028break\u2029", "tab\tand\x1funit", '"q" \\']),
    st.datetimes(timezones=st.sampled_from([None, UTC, PHNOM_PENH])),
    st.dates(),
    st.times(),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.uuids(),
    st.builds(gettext_lazy, st.sampled_from(["Not found.", "This field is required."])),
)
answers = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
    ),
    max_leaves=20,
)


def _both(data: Any, accepted: str = "application/json") -> tuple[bytes, bytes]:
    return JSONRenderer().render(data, accepted), renderers.JSONRenderer().render(data, accepted)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(answers)
def test_any_answer_is_written_as_drf_writes_it(data: Any) -> None:
    ours, drfs = _both(data)
    assert ours == drfs


def test_floats_read_back_as_drf_writes_them() -> None:
    """Floats may be spelt otherwise (``1e16`` for ``1e+16``), never valued otherwise."""
    data = {"rates": [0.1, 1 / 3, 1e16, 1e-7, -2.5, 12345.678, 0.0]}
    ours, drfs = _both(data)
    assert orjson.loads(ours) == orjson.loads(drfs) == data
    assert all(not math.isnan(value) for value in orjson.loads(ours)["rates"])


def test_what_orjson_refuses_and_indented_answers_are_written_by_drf() -> None:
    huge = {"count": 2**70}
    assert _both(huge)[0] == _both(huge)[1] == b'{"count":1180591620717411303424}'
    indented = {"a": [1, {"b": time(9, 30)}], "when": datetime(2026, 12, 7, 9, tzinfo=UTC)}
    ours, drfs = _both(indented, "application/json; indent=2")
    assert ours == drfs
    assert b"\n  " in ours
    assert b'"2026-12-07T09:00:00Z"' in ours
    assert _both(None) == (b"", b"")


def test_the_api_answers_with_it_and_a_case_list_reads_as_drf_would_write_it(world: World) -> None:
    world.own_case.child.given_name_km = "ស្រីលក្ខណ៍\u2028"
    world.own_case.child.save()
    response = api_client(world.supervisor).get("/api/v1/cases/")
    assert response.status_code == 200
    assert isinstance(response.accepted_renderer, JSONRenderer)
    assert "ស្រីលក្ខណ៍".encode() in response.content
    assert b"\\u2028" in response.content
    assert response.content == renderers.JSONRenderer().render(response.data, "application/json")
    assert response.json()["results"]


@pytest.mark.parametrize(
    "value",
    [
        Decimal("12.50"),
        date(2026, 12, 7),
        datetime(2026, 12, 7, 9, 0, 0, 123456, tzinfo=PHNOM_PENH),
        UUID("12345678-1234-5678-1234-567812345678"),
        b"bytes",
        {2: "key", None: "none", True: "yes"},
    ],
)
def test_values_json_does_not_know_are_written_as_drf_writes_them(value: Any) -> None:
    ours, drfs = _both({"value": value})
    assert ours == drfs
