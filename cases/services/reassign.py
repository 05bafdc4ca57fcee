"""Bulk reassignment: a supervisor or an agency admin moves cases of one worker to another,
all or none. Each case goes through the door with the ``assign`` action, as a single
assignment does, and is given by the same service (``case_give``): the same rule, the same
audit event per case and the same notification to the new owner."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from cases.models import Case
from cases.policy import case_get
from cases.reminders import deactivated_cases_settled
from cases.services.case import case_give
from core.errors import StateConflictError


def _refusal(case: str, reason: object) -> str:
    return _("Case %(case)s: %(reason)s") % {"case": case, "reason": reason}


@transaction.atomic(durable=True)
def cases_reassign(
    *, actor: User, from_worker: User, case_ids: Sequence[int], to_worker: User
) -> list[Case]:
    """Gives the cases ``case_ids`` of ``from_worker`` to ``to_worker``, in one transaction:
    one case refused refuses them all, with the refusal naming it (404 for a case the actor
    does not see, 403 for one she may not assign, 409 for a closed one, 400 for one that is
    not ``from_worker``'s or that ``to_worker`` may not hold). The cases are locked in id
    order, so two batches over the same cases cannot deadlock."""
    ids = sorted(set(case_ids))
    if not ids:
        raise ValidationError({"cases": [_("Choose at least one case.")]})
    if to_worker.pk == from_worker.pk:
        raise ValidationError({"owner": [_("Choose a worker other than the cases' owner.")]})
    moved: list[Case] = []
    for case_id in ids:
        try:
            case, _access = case_get(actor, case_id, action="assign", lock=True)
        except Http404 as error:
            raise Http404(_refusal(str(case_id), _("no such case."))) from error
        except PermissionDenied as error:
            raise PermissionDenied(_refusal(str(case_id), error)) from error
        except StateConflictError as error:
            raise StateConflictError(_refusal(str(case_id), error)) from error
        number = case.case_number
        if case.owner_id != from_worker.pk:
            raise ValidationError(
                {
                    "cases": [
                        _refusal(
                            number,
                            _("it is not %(worker)s's case.") % {"worker": from_worker},
                        )
                    ]
                }
            )
        try:
            moved.append(case_give(actor=actor, case=case, owner=to_worker))
        except ValidationError as error:
            raise ValidationError(
                {"owner": [_refusal(number, message) for message in error.messages]}
            ) from error
    deactivated_cases_settled(from_worker.pk)
    return moved
