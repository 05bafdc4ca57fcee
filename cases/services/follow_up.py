"""What a reintegration and its follow-up visits change on the case itself. The reintegration
app owns the visits; the case's fields (whether visits are due, the last contact with the
child, its stage, when its risk falls due again) change only here, each with its event in the
case's history.

These run inside the reintegration service's transaction, which has locked the case: they are
not entry points, so they are not durable."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction

from accounts.models import User
from audit import services as audit
from cases.choices import Stage
from cases.models import Case
from cases.services.common import advance_stage, case_changed


@transaction.atomic
def case_follow_up_begin(*, actor: User, case: Case) -> None:
    """A reintegration puts the child's visits on the calendar: the case moves from
    implementation to reintegration and has follow-ups due."""
    case.follow_up_pending = True
    moved = advance_stage(case, when_at=Stage.IMPLEMENTATION, to=Stage.REINTEGRATION)
    case_changed(case, "follow_up_pending", *(["stage"] if moved else []))
    audit.record(
        actor=actor,
        action="case.follow_up_begin",
        obj=case,
        case_id=case.pk,
        changes={"stage": case.stage} if moved else {},
    )


@transaction.atomic
def case_contact_record(*, actor: User, case: Case, at: datetime, visits_due: bool) -> None:
    """A visit is a contact with the child: the case records when, whether visits are still
    due, and moves from reintegration to follow-up."""
    case.last_contact_at = at
    case.follow_up_pending = visits_due
    moved = advance_stage(case, when_at=Stage.REINTEGRATION, to=Stage.FOLLOW_UP)
    case_changed(case, "follow_up_pending", "last_contact_at", *(["stage"] if moved else []))
    audit.record(
        actor=actor,
        action="case.contact",
        obj=case,
        case_id=case.pk,
        changes={"visits_due": visits_due, **({"stage": case.stage} if moved else {})},
    )


@transaction.atomic
def case_reassess_by(*, actor: User, case: Case, day: date) -> None:
    """The child's risk falls due for reassessment on ``day`` (a concerning visit), unless it
    falls due sooner already."""
    if case.reassess_by is not None and case.reassess_by <= day:
        return
    case.reassess_by = day
    case_changed(case, "reassess_by")
    audit.record(
        actor=actor,
        action="case.reassess_by",
        obj=case,
        case_id=case.pk,
        changes={"reassess_by": day.isoformat()},
    )
