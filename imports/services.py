"""Bringing cases in from a file: asking (checks who asks, keeps the file and its hash, queues
the run: imports.running) and reading one's own imports."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from audit import services as audit
from core.ids import as_id
from imports.files import format_of
from imports.models import CaseImport
from imports.tasks import import_run_task
from notifications.tasks import queue_on_commit

IMPORTER_ROLES = frozenset({Role.AGENCY_ADMIN, Role.SUPERVISOR})
MAX_FILE_BYTES = 20 * 1024 * 1024


def may_import_cases(user: User) -> bool:
    """Agency admins and supervisors bring cases in for their own agency."""
    return bool(
        user.is_authenticated and user.is_active and user.role in IMPORTER_ROLES and user.agency_id
    )


def require_importer(user: User) -> None:
    if not may_import_cases(user):
        raise PermissionDenied(_("Only agency admins and supervisors import cases."))


def _language(actor: User) -> str:
    """The errors' language: the person's own choice, else the request's."""
    codes = {code for code, _name in settings.LANGUAGES}
    for language in (actor.preferred_language, get_language() or ""):
        if language in codes:
            return language
    return str(settings.LANGUAGE_CODE)


@transaction.atomic(durable=True)
def import_request(
    *,
    actor: User,
    content: bytes,
    file_name: str = "",
    dry_run: bool = False,
    default_owner: User | None = None,
    queue: bool = True,
) -> CaseImport:
    """Keeps the file of ``actor`` (an agency admin or supervisor; ``queue=False`` for the
    command, which runs it itself) and queues its run. Rows without an owner are held by
    ``default_owner``, else by ``actor``."""
    if queue:
        require_importer(actor)
    if actor.agency_id is None:
        raise PermissionDenied(_("Only people of an agency import cases."))
    if not content:
        raise ValidationError({"file": [_("The file is empty.")]})
    if len(content) > MAX_FILE_BYTES:
        raise ValidationError({"file": [_("The file is larger than 20 MB: split it.")]})
    case_import = CaseImport.objects.create(
        requested_by=actor,
        agency_id=actor.agency_id,
        default_owner=default_owner or actor,
        file_name=file_name[:255],
        format=format_of(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        dry_run=dry_run,
        language=_language(actor),
    )
    audit.record(
        actor=actor,
        action="import.request",
        obj=case_import,
        changes={
            "sha256": case_import.sha256,
            "file_name": case_import.file_name,
            "dry_run": dry_run,
            "bytes": len(content),
        },
    )
    if queue:
        queue_on_commit(import_run_task, case_import.pk)
    return case_import


def import_of(*, user: User, import_id: int | str) -> CaseImport:
    """One of ``user``'s imports; Http404 for another person's, as for a missing one."""
    pk = as_id(import_id)
    found = (
        CaseImport.objects.filter(requested_by_id=user.pk, pk=pk).defer("content").first()
        if pk is not None
        else None
    )
    if found is None:
        raise Http404("No such import.")
    return found


def imports_of(*, user: User) -> QuerySet[CaseImport]:
    return CaseImport.objects.filter(requested_by_id=user.pk).defer("content").order_by("-id")
