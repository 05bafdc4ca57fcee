"""Instances read from the database, made with their columns written at once.

Django makes each instance it reads through ``Model.__init__``, which sends the init signals
and sets each column with ``setattr``, one by one: a sixth of a case list's Python, for fifty
cases and their children. A model of :class:`ColumnsWrittenAtOnce` whose making runs nothing
of its own (no ``__init__`` of its own, every column a plain attribute) and has no receiver of
the init signals has its row written into the instance's dict at once. The instance is the
one Django would make: the same columns in its dict, the rest deferred, read from ``db`` and
not being added. With a receiver of either signal, Django makes it, and the receiver runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from inspect import getattr_static
from typing import Any, Self

from django.db import models
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

# The class attributes of a model's columns that a value written into the instance's dict
# stands for: Django's own, which read that dict (a foreign key's id clears a cached related
# object when assigned, and a new instance has none).
_PLAIN_COLUMNS = (DeferredAttribute, ForeignKeyDeferredAttribute)
_plain_models: dict[type[models.Model], bool] = {}


def _made_plainly(model: type[models.Model]) -> bool:
    """Whether nothing of ``model``'s own runs when an instance is made: asked once a class."""
    plain = _plain_models.get(model)
    if plain is None:
        plain = _plain_models[model] = all(
            "__init__" not in vars(klass)
            for klass in model.__mro__
            if klass not in (models.Model, object)
        ) and all(
            type(getattr_static(model, field.attname, None)) in _PLAIN_COLUMNS
            for field in model._meta.concrete_fields
        )
    return plain


class ColumnsWrittenAtOnce(models.Model):
    """A model whose instances read from the database are made at once (see the module)."""

    class Meta:
        abstract = True

    @classmethod
    def from_db(  # type: ignore[override] # Django 5.2's signature; the stubs follow a later one
        cls, db: str | None, field_names: Sequence[str], values: Sequence[Any]
    ) -> Self:
        # The names of the columns read, in the order of their values (Django's iterables
        # give them so, the model's columns in their order, some deferred).
        if not _made_plainly(cls) or pre_init.has_listeners(cls) or post_init.has_listeners(cls):
            return super().from_db(db, field_names, values)
        instance = cls.__new__(cls)
        state = ModelState()
        state.adding, state.db = False, db
        attributes = instance.__dict__
        attributes["_state"] = state
        attributes.update(zip(field_names, values, strict=True))
        return instance
