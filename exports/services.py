"""Asking for an export and downloading it. The file itself is built by a Celery task
(exports.build): asking only checks, records and queues."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import User
from audit import services as audit
from cases.policy import CASE_ACTIONS, may_export_cases
from exports.fields import catalogue
from exports.models import CaseExport, ExportFormat
from exports.selectors import cases_to_export, export_filters, export_of
from exports.tasks import export_build_task
from notifications.tasks import queue_on_commit

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def require_exporter(user: User) -> None:
    """403, with the refusal of the ``export`` action, for anybody who may not export."""
    if not may_export_cases(user):
        raise PermissionDenied(str(CASE_ACTIONS["export"].refusal))


def _checked_fields(fields: Sequence[str]) -> list[str]:
    known = catalogue()
    unknown = sorted({str(name) for name in fields} - set(known))
    if unknown:
        raise ValidationError(
            {"fields": [_("Unknown field: %(names)s.") % {"names": ", ".join(unknown)}]}
        )
    if not fields:
        raise ValidationError({"fields": [_("Choose at least one field.")]})
    return list(dict.fromkeys(fields))


def _language(actor: User) -> str:
    """The header row's language: the person's own choice, else the request's."""
    for language in (actor.preferred_language, get_language() or ""):
        if language in LANGUAGE_CODES:
            return language
    return str(settings.LANGUAGE_CODE)


@transaction.atomic(durable=True)
def export_request(
    *,
    actor: User,
    filters: Mapping[str, Any],
    fields: Sequence[str],
    reason: str,
    format: str,
) -> CaseExport:
    """Queues an export of the cases ``actor`` sees that the case list finds with ``filters``,
    holding ``fields`` (of the sections ``actor`` sees), for the ``reason`` they state. Refused
    (400) when more cases match than ``EXPORT_MAX_ROWS``."""
    require_exporter(actor)
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("Say why you need this export.")]
    if format not in ExportFormat.values:
        errors["format"] = [_("Choose one of: %s.") % ", ".join(ExportFormat.values)]
    chosen_fields: list[str] = []
    chosen_filters: dict[str, str] = {}
    try:
        chosen_fields = _checked_fields(fields)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        chosen_filters = export_filters(filters)
        matching = cases_to_export(user=actor, filters=chosen_filters)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    # Counted no further than one past the cap: a national list is not counted in full.
    limit = settings.EXPORT_MAX_ROWS
    if matching.order_by()[: limit + 1].count() > limit:
        raise ValidationError(
            {
                "filters": [
                    _(
                        "More than %(limit)d cases match: narrow the filters (a place, a "
                        "stage, a concern) and export each part."
                    )
                    % {"limit": limit}
                ]
            }
        )
    export = CaseExport.objects.create(
        requested_by=actor,
        filters=chosen_filters,
        fields=chosen_fields,
        reason=reason.strip(),
        format=format,
        language=_language(actor),
    )
    audit.record(
        actor=actor,
        action="export.request",
        obj=export,
        changes={
            "reason": export.reason,
            "fields": export.fields,
            "filters": export.filters,
            "format": export.format,
        },
    )
    queue_on_commit(export_build_task, export.pk)
    return export


@transaction.atomic(durable=True)
def export_download(*, actor: User, export_id: int | str) -> tuple[CaseExport, BinaryIO]:
    """The file of one of ``actor``'s exports, open for reading, and the reading recorded.
    Http404 for anybody else's, and for one not ready, expired or whose file is gone; 403
    when ``actor`` may no longer export."""
    export = export_of(user=actor, export_id=export_id)
    if not export.downloadable(timezone.now()):
        raise Http404("No such export.")
    require_exporter(actor)
    audit.record(
        actor=actor,
        action="export.download",
        obj=export,
        changes={"rows": export.rows},
        reading=True,
    )
    try:
        # The recorded reading rolls back with the refusal when the file is gone.
        handle = export.path.open("rb")
    except FileNotFoundError as missing:
        raise Http404("No such export.") from missing
    return export, handle
