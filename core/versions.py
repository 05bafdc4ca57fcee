"""Optimistic concurrency, one way for every editable object: a ``version`` that each change
bumps. The API shows it as the ``ETag``; a write that names the version it read (``If-Match``
in the API, a hidden field in a form) is refused with 412 when somebody changed the object since.

The service locks the row, compares with ``check_version`` and saves with ``save_versioned``
inside its own transaction, so two editors holding the same version cannot both win.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from django.db import models

from core.errors import StaleVersionError


class Versioned(Protocol):
    pk: Any
    version: int

    def save(self, *, update_fields: Iterable[str]) -> None: ...


class VersionField(models.PositiveIntegerField):
    """The version of an editable object; it starts at 1 and each change bumps it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", 1)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)


def check_version(obj: Versioned, expected_version: int | None) -> None:
    """Raises StaleVersionError when the caller read another version than the row's (None: the
    caller named none, so the write goes through)."""
    if expected_version is not None and obj.version != expected_version:
        raise StaleVersionError()


def save_versioned(obj: Versioned, fields: Iterable[str]) -> None:
    """Saves ``fields`` and bumps the version, so a holder of the old version learns of it."""
    obj.version += 1
    obj.save(update_fields=[*fields, "version"])
