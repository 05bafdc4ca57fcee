"""Input serializers that refuse what they do not take.

DRF drops fields a serializer does not declare. For an edit that is a trap: a client sending
``owner`` or ``status`` in a PATCH would get a 200 and believe the change was made. An input
serializer built on :class:`StrictInputSerializer` answers 400 naming each such field instead,
before anything is written."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

REFUSED_FIELD = _("This field cannot be changed.")


class StrictInputSerializer(serializers.Serializer):
    # A clearer message for a field callers are known to try, by field name.
    refused_field_messages: ClassVar[Mapping[str, str]] = {}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            refused = sorted(str(name) for name in data if name not in writable)
            if refused:
                raise serializers.ValidationError(
                    {
                        name: [self.refused_field_messages.get(name, REFUSED_FIELD)]
                        for name in refused
                    }
                )
        return super().to_internal_value(data)


def shown_columns(serializer: type[serializers.ModelSerializer[Any]]) -> tuple[str, ...]:
    """The model's own columns ``serializer`` shows (its ``Meta.fields`` that are columns), to
    read a list with ``only()``: a field added to the serializer is read with the rest."""
    model: type[Model] = serializer.Meta.model
    columns = {field.name for field in model._meta.concrete_fields}
    return tuple(name for name in serializer.Meta.fields if name in columns)
