"""The API's one-pass values are written exactly as DRF's fields write them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.test import override_settings
from rest_framework import serializers

from core.api.representation import moment

MOMENTS = [
    datetime(2026, 12, 7, 3, 4, 5, 678901, tzinfo=UTC),
    datetime(2026, 1, 1, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5))),
    datetime(2025, 6, 30, 17, 0, tzinfo=timezone(timedelta(hours=7))),
    datetime(2026, 3, 29, 1, 30),  # noqa: DTZ001 - naive on purpose: taken in the server's zone
]


@pytest.mark.parametrize("zone", ["Asia/Phnom_Penh", "UTC", "Europe/Paris"])
def test_a_moment_is_written_as_drfs_datetime_field_writes_it(zone: str) -> None:
    with override_settings(TIME_ZONE=zone):
        field = serializers.DateTimeField()
        for value in MOMENTS:
            assert moment(value) == field.to_representation(value), (zone, value)
    assert moment(None) is None
