"""Values as the API writes them, for serializers that build a row in one pass rather than
field by field (a page of fifty rows made a thousand field calls through DRF)."""

from __future__ import annotations

from datetime import date, datetime

from rest_framework import serializers

_MOMENT = serializers.DateTimeField()


def moment(value: datetime | None) -> str | None:
    """A time as every DateTimeField of the API writes it (in the server's zone, ISO 8601)."""
    return _MOMENT.to_representation(value) if value is not None else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None
