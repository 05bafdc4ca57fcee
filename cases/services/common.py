"""Small pieces every case service uses: recording that a case changed, moving its stage."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cases.choices import STAGE_TRANSITIONS, Stage, Status
from cases.models import Case
from cases.services.sync import case_announce_update
from core.errors import StateConflictError


def case_changed(case: Case, *fields: str) -> None:
    """Saves ``fields`` of ``case`` and bumps its version (its ETag) and ``updated_at`` (the
    incremental sync's order), so a client holding the old version learns of the change, and
    partner systems are told by the ``case.updated`` webhook."""
    case.version += 1
    case.save(update_fields=[*fields, "version", "updated_at"])
    case_announce_update(case)


def require_open(case: Case) -> None:
    if case.status != Status.OPEN:
        raise StateConflictError(_("The case is closed: reopen it first."))


def advance_stage(case: Case, *, when_at: str, to: str) -> bool:
    """Moves the case from ``when_at`` to ``to`` as a side effect of another action (a first
    assessment, an approved plan); a case elsewhere in its life is left where it is. Returns
    whether it moved; the caller saves through :func:`case_changed`."""
    if case.stage != when_at:
        return False
    case.stage = to
    return True


def check_stage_move(case: Case, to: str) -> None:
    if to == case.stage:
        return
    if to == Stage.CLOSURE:
        raise StateConflictError(_("A case reaches closure through a closure request, approved."))
    if to not in STAGE_TRANSITIONS[case.stage]:
        raise StateConflictError(
            _("A case cannot move from %(current)s to %(target)s.")
            % {"current": case.stage, "target": to}
        )
